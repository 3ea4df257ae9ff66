"""Chroma (skaudio/features/chroma.py) equals librosa.feature.chroma_stft clip by clip."""

import pickle

import librosa
import numpy as np
import pytest

from skaudio.features import Chroma
from tests.features.descriptor_signals import SR, TONE_SR, per_clip, tones


def test_chroma_equals_librosa_on_real_clips(esc10_clips):
    X = esc10_clips
    before = X.copy()
    ours = Chroma(sr=SR).fit_transform(X)
    np.testing.assert_array_equal(X, before)
    # tuning estimated clip by clip, as librosa's per-clip call does
    ref = per_clip(lambda x: librosa.feature.chroma_stft(y=x, sr=SR), X)
    assert ours.shape == ref.shape == (8, 12, 431)
    np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-4)


@pytest.mark.parametrize("n_fft", [1024, 2048, 4096])
def test_chroma_tuning_estimate_is_librosas_on_the_whole_spectrogram(esc10_clips, n_fft):
    # the estimate reads the rows up to 4000 Hz only (librosa.piptrack's fmax); it must give
    # exactly what librosa.estimate_tuning gives on every row, as chroma_stft calls it
    est = Chroma(sr=SR, n_fft=n_fft).fit(esc10_clips[:1])
    S = est.frontend_._compute(esc10_clips, 1)
    ref = [librosa.estimate_tuning(S=s, sr=SR, bins_per_octave=12) for s in S]
    np.testing.assert_array_equal(est._tunings(S), ref)


@pytest.mark.parametrize("params", [dict(), dict(tuning=0.2, norm=2), dict(n_chroma=24, n_fft=4096)])
def test_chroma_equals_librosa_on_synthetic_clips(params):
    X = tones()
    if params.get("tuning") is None:
        # the click clip is silence but for one sample: its tuning estimate is decided by the
        # FFT rounding noise of silent frames (-0.48 here, -0.38 with librosa's FFT), so it is
        # compared with a given tuning only (params[1])
        X = X[:4]
    ours = Chroma(sr=TONE_SR, **params).fit_transform(X)
    ref = per_clip(lambda x: librosa.feature.chroma_stft(y=x, sr=TONE_SR, **params), X)
    np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-4)
    if not params:
        assert ours[0].mean(axis=1).argmax() == 9  # 440 Hz is A


def test_chroma_statistics_and_errors():
    X = tones()
    est = Chroma(sr=TONE_SR, stats=("mean",)).fit(X)
    df = est.set_output(transform="pandas").transform(X)
    assert df.shape == (5, 12) and df.columns[0] == "chroma0_mean"
    with pytest.raises(ValueError, match="sr="):
        Chroma().fit(X)
    with pytest.raises(ValueError, match="shorter than"):
        Chroma(sr=TONE_SR).fit(X[:, :100])
    # a pickle drops the filterbank cache and still gives the same chroma
    clone_ = pickle.loads(pickle.dumps(Chroma(sr=TONE_SR).fit(X)))
    np.testing.assert_array_equal(clone_.transform(X), Chroma(sr=TONE_SR).fit_transform(X))
