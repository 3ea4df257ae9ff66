"""HPSS (skaudio/features/hpss.py) equals librosa.decompose.hpss clip by clip."""

import librosa
import numpy as np
import pytest

from skaudio.features import HPSS, Spectrogram
from tests.features.descriptor_signals import TONE_SR


@pytest.mark.parametrize(
    "params",
    [dict(), dict(kernel_size=(17, 9), margin=(2.0, 3.0)), dict(mask=True, power=1.0), dict(power=np.inf)],
)
def test_hpss_equals_librosa_on_real_spectrograms(esc10_clips, params):
    S = Spectrogram(power=1.0, n_fft=1024, hop_length=512).fit_transform(esc10_clips[:3])
    before = S.copy()
    ours = HPSS(output="both", **params).fit_transform(S)
    np.testing.assert_array_equal(S, before)
    n = S.shape[1]
    for i, s in enumerate(S):
        harm, perc = librosa.decompose.hpss(s, **params)
        np.testing.assert_allclose(ours[i, :n], harm, rtol=1e-6, atol=1e-6 * s.max())
        np.testing.assert_allclose(ours[i, n:], perc, rtol=1e-6, atol=1e-6 * s.max())
    single = HPSS(output="percussive", **params).fit_transform(S)
    np.testing.assert_array_equal(single, ours[:, n:])


def test_hpss_separates_a_tone_from_clicks():
    t = np.arange(TONE_SR) / TONE_SR
    x = 0.5 * np.sin(2 * np.pi * 1000 * t)
    x[::4410] += 1.0  # five clicks
    S = Spectrogram(power=1.0, n_fft=1024, hop_length=256).fit_transform(x[None].astype(np.float32))
    H, P = np.split(HPSS(output="both").fit_transform(S), 2, axis=1)
    band = S.shape[1] * 1000 // (TONE_SR // 2)
    assert H[0, band].sum() > 10 * P[0, band].sum()  # the tone's bin is harmonic
    high = slice(S.shape[1] // 2, None)  # above 5.5 kHz only the clicks have energy
    assert P[0, high].sum() > 10 * H[0, high].sum()


def test_hpss_names_2d_input_and_errors():
    S = np.random.default_rng(0).random((2, 4, 6)).astype(np.float32)
    est = HPSS(output="both", kernel_size=3).fit(S)
    assert est.get_feature_names_out().tolist()[:2] == ["harmonic_x0", "harmonic_x1"]
    assert est.get_feature_names_out().tolist()[4] == "percussive_x0"
    flat = HPSS(kernel_size=3).fit(S[:, 0])
    assert flat.transform(S[:, 0]).shape == (2, 6)
    with pytest.raises(ValueError, match="Negative values"):
        HPSS().fit(S - 1)
    with pytest.raises(ValueError, match="margin must be at least 1"):
        HPSS(margin=(1.0, 0.5)).fit(S)
    with pytest.raises(ValueError, match="pair"):
        HPSS(kernel_size=(3, 3, 3)).fit(S)
    with pytest.raises(ValueError, match="NaN"):
        HPSS().fit(np.where(S > 0.5, np.nan, S))
