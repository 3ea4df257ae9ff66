"""Augmentation functions: SNR, noise colour, shifts, crops, mixup; inputs never modified."""

import numpy as np
import pytest
import torch

from skaudio.models import augment


def _psd_slope(noise):
    spec = torch.fft.rfft(noise, dim=-1).abs().pow(2).mean(0)
    f = torch.arange(spec.shape[0], dtype=torch.float64)
    sel = slice(10, spec.shape[0] - 1)
    return np.polyfit(np.log(f[sel].numpy()), np.log(spec[sel].double().numpy()), 1)[0]


@pytest.mark.parametrize("color,slope", [("white", 0.0), ("pink", -1.0), ("brown", -2.0)])
def test_waveform_noise_colour_and_snr(color, slope):
    torch.manual_seed(0)
    x = torch.randn(32, 4096)
    before = x.clone()
    y = augment.add_noise_waveform(x, (color,), snr_db=5.0)
    assert torch.equal(x, before)
    noise = y - x
    snr = 10 * torch.log10(x.pow(2).mean(1) / noise.pow(2).mean(1))
    assert torch.allclose(snr, torch.full((32,), 5.0), atol=1e-3)
    assert _psd_slope(noise) == pytest.approx(slope, abs=0.15)


def test_spectrogram_noise_in_power_and_db():
    torch.manual_seed(0)
    freqs = torch.linspace(0, 8000, 64)
    P = torch.rand(8, 64, 40) + 0.1
    out = augment.add_noise_spectrogram(P, freqs, ("pink",), snr_db=10.0)
    added = out - P
    assert (added >= 0).all()
    ratio = P.sum((1, 2)) / added.sum((1, 2))
    assert torch.allclose(10 * torch.log10(ratio), torch.full((8,), 10.0), atol=1e-3)
    # pink: low rows get more noise than high rows
    assert added[:, 5].mean() > 3 * added[:, 60].mean()
    S_db = 10 * torch.log10(P / P.amax((1, 2), keepdim=True))
    out_db = augment.add_noise_spectrogram(S_db, freqs, ("white",), snr_db=0.0, db=True, top_db=80.0)
    assert out_db.shape == S_db.shape and float(out_db.max()) == pytest.approx(0.0, abs=1e-5)
    none = augment.add_noise_spectrogram(P, freqs, ("white",), snr_db=0.0, prob=0.0)
    assert torch.equal(none, P)


def test_time_shift_crop_mixup():
    torch.manual_seed(0)
    x = torch.arange(20.0).repeat(6, 3, 1)  # (6, 3, 20): frames are the last axis
    y = augment.time_shift(x, prob=1.0, max_fraction=0.25)
    assert torch.equal(y.sort(-1).values, x)
    shifts = [
        int((y[i, 0] == x[i, 0].roll(s)).all() and s)
        for i in range(6)
        for s in range(-5, 6)
        if (y[i, 0] == x[i, 0].roll(s)).all()
    ]
    assert len(shifts) == 6
    assert torch.equal(augment.time_shift(x, prob=0.0), x)
    c = augment.random_crop(x, (0.5, 0.5))
    assert c.shape == (6, 3, 10) and torch.equal(
        c[0, 0], torch.arange(float(c[0, 0, 0]), float(c[0, 0, 0]) + 10)
    )
    m, perm, lam = augment.mixup(x, 0.4)
    assert 0 <= lam <= 1 and torch.allclose(m, lam * x + (1 - lam) * x[perm])
    with pytest.raises(ValueError, match="noise colour"):
        augment.noise_exponent("blue")


def test_audio_augment_is_the_functions_in_order():
    freqs = np.linspace(0, 8000, 16)
    aug = augment.AudioAugment(
        noise=("pink",), noise_snr=5.0, noise_prob=1.0, noise_freqs=freqs, noise_db=True,
        time_shift_prob=1.0, spec_augment=(1, 1), random_crop=0.5, mixup_alpha=0.4,
    )  # fmt: skip
    x = -torch.rand(4, 16, 30) * 40
    before = x.clone()
    torch.manual_seed(1)
    out = aug(x)
    mixed, perm, lam = aug.mix(out)
    torch.manual_seed(1)
    ref = augment.add_noise_spectrogram(x, freqs, ("pink",), 5.0, 1.0, db=True)
    ref = augment.time_shift(ref, 1.0, 0.2)
    from skaudio.nn.blocks import SpecAugment

    ref = augment.random_crop(SpecAugment(1, 1).train()(ref), 0.5)
    ref_mixed, ref_perm, ref_lam = augment.mixup(ref, 0.4)
    assert torch.equal(out, ref) and torch.equal(mixed, ref_mixed)
    assert torch.equal(perm, ref_perm) and lam == ref_lam
    assert torch.equal(x, before)  # the input is kept
    assert aug.active and "mixup_alpha=0.4" in repr(aug)


def test_audio_augment_off_draws_nothing_and_checks_settings():
    aug = augment.AudioAugment()
    assert not aug.active
    x = torch.randn(3, 100)
    state = torch.get_rng_state()
    assert aug(x) is x and aug.mix(x) == (x, None, 1.0)
    assert torch.equal(torch.get_rng_state(), state)  # no random numbers drawn
    for bad, match in [
        (dict(noise=("white", "blue")), "noise colour"),
        (dict(noise=()), "at least one colour"),
        (dict(spec_augment=(1, -1)), "spec_augment"),
        (dict(random_crop=(0.8, 0.4)), "random_crop"),
        (dict(random_crop=1.5), "random_crop"),
    ]:
        with pytest.raises(ValueError, match=match):
            augment.AudioAugment(**bad)


# -- crops of an absolute length with tiling (DEGramNet's 4-6 s crops, issue 24 item 4) ---------
def test_crop_length_tiles_short_clips_exactly():
    x = torch.arange(2 * 3 * 5, dtype=torch.float32).reshape(2, 3, 5)
    before = x.clone()
    out = augment.crop_length(x, 12)
    assert out.shape == (2, 3, 12)
    j = torch.arange(12)
    assert torch.equal(out, x[..., j % 5])  # replicated from the first frame
    assert torch.equal(x, before)
    w = torch.randn(4, 7)
    assert torch.equal(augment.crop_length(w, 7), w)  # a clip of the window's length is kept


def test_crop_length_cuts_long_clips_at_one_offset_per_clip_and_draws_the_length():
    torch.manual_seed(0)
    x = torch.arange(100.0).repeat(16, 2, 1)  # (16, 2, 100), every row 0..99
    lengths = set()
    for _ in range(30):
        out = augment.crop_length(x, (20, 30))
        n = out.shape[-1]
        lengths.add(n)
        assert 20 <= n <= 30 and out.shape[:2] == (16, 2)
        start = out[:, 0, 0]
        # each clip is one contiguous window, the same on every row
        assert (out == start[:, None, None] + torch.arange(n, dtype=torch.float32)).all()
    assert len(lengths) > 5  # the length is drawn per batch
    assert len(set(start.tolist())) > 1  # offsets differ between clips
    torch.manual_seed(1)
    a = augment.crop_length(x, (20, 30))
    torch.manual_seed(1)
    assert torch.equal(augment.crop_length(x, (20, 30)), a)  # seeded by torch's generator


def test_crop_length_range_mixes_tiling_and_cutting():
    torch.manual_seed(0)
    x = torch.arange(50.0)[None, :].repeat(3, 1)
    shapes = {augment.crop_length(x, (40, 60)).shape[-1] for _ in range(40)}
    assert min(shapes) < 50 < max(shapes)


@pytest.mark.parametrize("value", [(5, 2), (0, 3), 0, 2.5, (1, 2, 3), (True, 3), "10"])
def test_crop_length_bad_values(value):
    with pytest.raises(ValueError, match="crop_length"):
        augment.crop_bounds(value)
    with pytest.raises(ValueError, match="crop_length"):
        augment.AudioAugment(crop_length=value)


def test_audio_augment_crop_length_and_random_crop_are_exclusive():
    aug = augment.AudioAugment(crop_length=(8, 8))
    assert aug.active and aug(torch.zeros(2, 3, 5)).shape == (2, 3, 8)
    with pytest.raises(ValueError, match="not both"):
        augment.AudioAugment(crop_length=8, random_crop=0.5)
