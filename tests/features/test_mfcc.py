"""MFCC (skaudio/features/mfcc.py) equals librosa.feature.mfcc clip by clip."""

import librosa
import numpy as np
import pandas as pd
import pytest

from skaudio.features import MFCC, MelSpectrogram
from tests.features.descriptor_signals import SR, TONE_SR, per_clip, tones

MFCC_PARAMS = [
    {},
    dict(n_mfcc=13, lifter=22),
    dict(n_mfcc=40, dct_type=3, norm=None),
    dict(n_mfcc=13, n_mels=40, fmin=20.0, fmax=8000.0, htk=True, n_fft=1024, hop_length=256),
]


@pytest.mark.parametrize("params", MFCC_PARAMS)
def test_mfcc_equals_librosa_on_real_clips(esc10_clips, params):
    X = esc10_clips[:4]
    before = X.copy()
    ours = MFCC(sr=SR, **params).fit_transform(X)
    ref = per_clip(lambda x: librosa.feature.mfcc(y=x, sr=SR, **params), X)
    np.testing.assert_array_equal(X, before)
    assert ours.shape == ref.shape and ours.dtype == np.float32
    # the numba log-mel agrees with librosa's within 1e-3 dB; its DCT keeps that (measured 7e-4)
    np.testing.assert_allclose(ours, ref, rtol=0, atol=2e-3 * max(1.0, np.abs(ref).max() / 100))


def test_mfcc_equals_librosa_on_synthetic_clips():
    X = tones()
    ours = MFCC(sr=TONE_SR, n_mfcc=13, lifter=22).fit_transform(X)
    ref = per_clip(lambda x: librosa.feature.mfcc(y=x, sr=TONE_SR, n_mfcc=13, lifter=22), X)
    np.testing.assert_allclose(ours, ref, rtol=0, atol=5e-3)


def test_mfcc_of_log_mel_input_equals_librosa_and_the_waveform_path(esc10_clips):
    X = esc10_clips[:3]
    S = MelSpectrogram(sr=SR, ref=1.0, n_fft=2048, hop_length=512).fit_transform(X)
    before = S.copy()
    est = MFCC(n_mfcc=13).fit(S)
    assert est.input_ == "log_mel" and est.n_features_in_ == 128
    ours = est.transform(S)
    np.testing.assert_array_equal(S, before)
    ref = librosa.feature.mfcc(S=S, n_mfcc=13)  # librosa's batched call on log-mel input
    np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-3)
    from_waves = MFCC(sr=SR, n_mfcc=13).fit_transform(X)
    np.testing.assert_allclose(ours, from_waves, rtol=0, atol=1e-3)


def test_mfcc_statistics_names_and_pandas_output():
    X = tones()
    est = MFCC(sr=TONE_SR, n_mfcc=3, stats=("mean", "std", "max")).fit(X)
    frames = MFCC(sr=TONE_SR, n_mfcc=3).fit_transform(X).astype(np.float64)
    F = est.transform(X)
    assert F.shape == (5, 9)
    expected = np.stack([frames.mean(axis=2), frames.std(axis=2), frames.max(axis=2)], axis=2).reshape(5, 9)
    np.testing.assert_allclose(F, expected, rtol=1e-6, atol=1e-4)
    names = est.get_feature_names_out().tolist()
    assert names[:4] == ["mfcc0_mean", "mfcc0_std", "mfcc0_max", "mfcc1_mean"]
    df = est.set_output(transform="pandas").transform(X)
    assert isinstance(df, pd.DataFrame) and df.columns.tolist() == names
    assert MFCC(sr=TONE_SR, n_mfcc=4).fit(X).get_feature_names_out().tolist() == [
        "mfcc0",
        "mfcc1",
        "mfcc2",
        "mfcc3",
    ]


def test_mfcc_refuses_bad_input():
    X = tones()
    with pytest.raises(ValueError, match="sr="):
        MFCC().fit(X)
    with pytest.raises(ValueError, match="shorter than"):
        MFCC(sr=TONE_SR).fit(X[:, :1000])
    bad = X.copy()
    bad[1, 7] = np.nan
    with pytest.raises(ValueError, match="X contains 1 NaN"):
        MFCC(sr=TONE_SR).fit(bad)
    with pytest.raises(TypeError, match="Integer PCM"):
        MFCC(sr=TONE_SR).fit((X * 32767).astype(np.int16))
    with pytest.raises(ValueError, match="1-D"):
        MFCC(sr=TONE_SR).fit(X[0])
    with pytest.raises(ValueError, match="n_mfcc=200 must not exceed"):
        MFCC(sr=TONE_SR, n_mfcc=200).fit(X)
    with pytest.raises(ValueError, match="stats must be"):
        MFCC(sr=TONE_SR, stats=("mean", "mode")).fit(X)
    est = MFCC(sr=TONE_SR).fit(X)
    with pytest.raises(ValueError, match="X has 1000 features"):
        est.transform(X[:, :1000])
    S = MelSpectrogram(sr=TONE_SR).fit_transform(X)
    with pytest.raises(ValueError, match="2-D"):
        est.transform(S)  # fitted on waveforms
    with pytest.raises(ValueError, match="3-D"):
        MFCC().fit(S).transform(X)  # fitted on log-mels
