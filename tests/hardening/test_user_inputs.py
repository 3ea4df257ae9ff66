"""Inputs users bring: a datasets audio column, torch tensors, file paths (skaudio._validation)."""

import numpy as np
import pytest
import soundfile as sf
import torch

from skaudio.features import AudioLoader, FixLength, MelSpectrogram, PoolingTransformer, SincGramTransformer
from skaudio.io import resample

SR = 8000


@pytest.fixture(scope="module")
def clips():
    return (0.1 * np.random.default_rng(0).standard_normal((3, 4000))).astype(np.float32)


def _column(clips, rate=SR, as_list=False):
    """What ``dataset["audio"]`` gives: one dict per clip."""
    return [
        {
            "array": c.astype(np.float64).tolist() if as_list else c.astype(np.float64),
            "sampling_rate": rate,
            "path": f"clip{i}.wav",
        }
        for i, c in enumerate(clips)
    ]


def _mel():
    return MelSpectrogram(sr=SR, n_fft=256, hop_length=128, n_mels=8)


def _assert_one_line(excinfo):
    msg = str(excinfo.value)
    assert "\n" not in msg and len(msg) < 300, msg


@pytest.mark.parametrize("as_list", [False, True])
def test_datasets_audio_column_is_a_waveform_batch(clips, as_list):
    expected = _mel().fit_transform(clips)
    np.testing.assert_allclose(_mel().fit_transform(_column(clips, as_list=as_list)), expected, atol=1e-5)
    np.testing.assert_allclose(
        AudioLoader(sr=SR).fit_transform(_column(clips, as_list=as_list)), clips, atol=1e-7
    )


def test_datasets_column_at_another_rate(clips):
    column = _column(clips, rate=2 * SR)
    with pytest.raises(ValueError, match=r"sampled at 16000 Hz \('sampling_rate'\) but sr=8000") as exc:
        _mel().fit(column)
    _assert_one_line(exc)
    # AudioLoader resamples, as it does for files (0.2 s at 16 kHz are 3200 samples)
    X = AudioLoader(sr=SR, duration=0.2).fit_transform(column)
    np.testing.assert_allclose(X, resample(clips[:, :3200], 2 * SR, SR), atol=1e-6)  # cut, then resampled


def test_datasets_column_of_different_lengths(clips):
    column = _column([clips[0], clips[1, :3000]])
    with pytest.raises(ValueError, match="different lengths .3000 to 4000 samples.") as exc:
        _mel().fit(column)
    _assert_one_line(exc)
    np.testing.assert_array_equal(FixLength(length=3500).fit_transform(column)[1, 3000:], 0)
    assert AudioLoader(sr=SR, duration=0.5).fit_transform(column).shape == (2, 4000)


def test_undecoded_datasets_column_reads_the_paths(clips, tmp_path):
    column = []
    for i, c in enumerate(clips):
        sf.write(tmp_path / f"{i}.wav", c, SR)
        column.append({"path": str(tmp_path / f"{i}.wav"), "bytes": None})
    np.testing.assert_allclose(AudioLoader(sr=SR).fit_transform(column), clips, atol=1e-4)
    with pytest.raises(ValueError, match="without decoded samples"):
        _mel().fit(column)


def test_torch_tensors_with_grad(clips):
    expected = _mel().fit_transform(clips)
    t = torch.from_numpy(clips.copy()).requires_grad_(True)
    np.testing.assert_array_equal(_mel().fit_transform(t), expected)
    np.testing.assert_array_equal(_mel().fit_transform(list(t)), expected)
    S = torch.from_numpy(_mel().set_params(to_db=False).fit_transform(clips)).requires_grad_(True)
    np.testing.assert_array_equal(
        PoolingTransformer(method="max", axis="time").fit_transform(S), S.detach().numpy().max(axis=2)
    )
    assert SincGramTransformer(sr=SR, n_filters=4).fit_transform(S).shape == (3, 4, 32)
    assert t.requires_grad and t.grad is None  # the caller's tensor is left as it was


def test_file_paths_where_samples_are_expected(tmp_path):
    paths = [str(tmp_path / "a.wav"), str(tmp_path / "b.wav")]
    with pytest.raises(TypeError, match=r"holds file paths .* AudioLoader\(sr=...\)") as exc:
        _mel().fit(paths)
    _assert_one_line(exc)
    with pytest.raises(TypeError, match="AudioLoader"):
        PoolingTransformer().fit(paths)


@pytest.mark.parametrize(
    "bad, match",
    [
        (lambda c: c, "numeric array of shape .3, 4000.; waveforms need no loading"),
        (lambda c: torch.from_numpy(c).requires_grad_(True), "numeric array"),
        (lambda c: [1, 2], "item 0 is a int"),
        (lambda c: _column(c)[0], "got a single dict"),
        (lambda c: "a.wav", "got a single str"),
    ],
)
def test_audio_loader_errors_are_one_line(clips, bad, match):
    with pytest.raises(TypeError, match=match) as exc:
        AudioLoader(sr=SR).fit_transform(bad(clips))
    _assert_one_line(exc)


@pytest.mark.parametrize("step", [_mel, lambda: PoolingTransformer(), lambda: SincGramTransformer(sr=SR)])
def test_long_lists_give_short_errors(clips, step):
    # a datasets column of plain lists, ragged lists, spectrogram steps fed audio dicts
    for bad in (
        _column(clips, as_list=True) if not isinstance(step(), MelSpectrogram) else None,
        [c.tolist() for c in (clips[0], clips[1, :10])],
    ):
        if bad is None:
            continue
        with pytest.raises((TypeError, ValueError)) as exc:
            step().fit(bad)
        _assert_one_line(exc)


def test_dataset_rows_instead_of_the_audio_column(clips):
    rows = [{"audio": d, "label": 0} for d in _column(clips)]  # iterating a Dataset gives rows
    with pytest.raises(
        TypeError, match=r"dicts with keys \['audio', 'label'\], not audio dicts.*dataset\['audio'\]"
    ):
        _mel().fit(rows)
