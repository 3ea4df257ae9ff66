"""template_match: equal to skimage's match_template per clip; finds a planted pattern."""

import numpy as np
import pytest
from skimage.feature import match_template

from skaudio.features import MelSpectrogram
from skaudio.features.image import template_match


@pytest.fixture(scope="module")
def S():
    return np.random.default_rng(0).standard_normal((3, 20, 50)).astype(np.float32)


@pytest.mark.parametrize("pad_input", [False, True])
def test_matches_skimage_clip_by_clip(S, pad_input):
    tpl = S[1, 4:9, 10:22].copy()
    scores = template_match(S, tpl, pad_input=pad_input, n_jobs=2)
    for i, c in enumerate(S):
        np.testing.assert_allclose(scores[i], match_template(c, tpl, pad_input=pad_input), atol=1e-4)


def test_single_spectrogram_and_peaks(S):
    tpl = S[2, 10:15, 30:40].copy()
    scores, peak = template_match(S[2], tpl, return_peaks=True)
    assert scores.shape == (16, 41)
    assert peak[:2].tolist() == [10, 30] and peak[2] > 0.999


def test_finds_a_real_sound_in_a_longer_mix(esc10_clips):
    """A 0.5 s excerpt of an ESC-10 clip's log-mel is located after the clip is mixed with another."""
    mel = MelSpectrogram(sr=44100, n_fft=2048, hop_length=512, n_mels=64, to_db=False).fit(esc10_clips)
    P = mel.transform(esc10_clips[:2])
    S = 10 * np.log10(P[0] + 0.1 * P[1] + 1e-10)  # clip 0 with clip 1 beneath it
    tpl = 10 * np.log10(P[0][:, 200:243] + 1e-10)
    _, peak = template_match(S, tpl, return_peaks=True)
    assert peak[0] == 0 and abs(peak[1] - 200) <= 1 and peak[2] > 0.8


def test_errors(S):
    with pytest.raises(ValueError, match="larger"):
        template_match(S, np.ones((30, 5), np.float32) + np.eye(30, 5, dtype=np.float32))
    with pytest.raises(ValueError, match="constant"):
        template_match(S, np.ones((3, 3), np.float32))
    with pytest.raises(ValueError, match="template"):
        template_match(S, np.ones((2, 2, 2), np.float32))
    with pytest.raises(ValueError, match="NaN"):
        template_match(np.full((1, 5, 5), np.nan, np.float32), np.eye(2, dtype=np.float32))
