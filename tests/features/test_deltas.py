"""Deltas (skaudio/features/deltas.py) equal librosa.feature.delta clip by clip; MFCC + Deltas piped."""

import librosa
import numpy as np
import pandas as pd
import pytest
from sklearn.pipeline import make_pipeline

from skaudio.features import MFCC, Deltas
from tests.features.descriptor_signals import SR, TONE_SR, per_clip, tones


@pytest.mark.parametrize(
    "params",
    [dict(), dict(order=2), dict(width=3), dict(width=5, order=2, mode="nearest"), dict(mode="wrap")],
)
def test_deltas_equal_librosa(esc10_clips, params):
    M = MFCC(sr=SR, n_mfcc=13).fit_transform(esc10_clips[:3])
    before = M.copy()
    ours = Deltas(**params).fit_transform(M)
    np.testing.assert_array_equal(M, before)
    ref = per_clip(lambda m: librosa.feature.delta(m, **params), M)
    assert ours.shape == ref.shape and ours.dtype == np.float32
    np.testing.assert_allclose(ours, ref, rtol=1e-5, atol=1e-4)


def test_deltas_stack_statistics_and_names():
    M = np.random.default_rng(0).standard_normal((2, 3, 20)).astype(np.float32)
    stacked = Deltas(order=2, stack=True).fit(M)
    D = stacked.transform(M)
    assert D.shape == (2, 9, 20)
    np.testing.assert_array_equal(D[:, :3], M)
    np.testing.assert_allclose(D[:, 3:6], librosa.feature.delta(M, order=1), atol=1e-6)
    np.testing.assert_allclose(D[:, 6:], librosa.feature.delta(M, order=2), atol=1e-6)
    assert stacked.get_feature_names_out().tolist()[2:5] == ["x2", "delta1_x0", "delta1_x1"]
    est = Deltas(stats=("mean",)).fit(M)
    assert est.get_feature_names_out().tolist() == ["delta1_x0_mean", "delta1_x1_mean", "delta1_x2_mean"]
    df = est.set_output(transform="pandas").transform(M)
    assert isinstance(df, pd.DataFrame) and df.shape == (2, 3)
    # 2-D input: one row of frames per clip, 2-D output named after the frames
    flat = Deltas(width=3).fit(M[:, 0])
    assert flat.transform(M[:, 0]).shape == (2, 20)
    assert flat.get_feature_names_out()[0] == "delta1_x0"


def test_deltas_refuse_bad_input():
    M = np.zeros((2, 3, 5), dtype=np.float32)
    with pytest.raises(ValueError, match="5 frames, fewer than width=9"):
        Deltas().fit(M)
    with pytest.raises(ValueError, match="width must be odd"):
        Deltas(width=4, mode="nearest").fit(M)
    with pytest.raises(ValueError, match="order must be less than width"):
        Deltas(width=3, order=3, mode="nearest").fit(M)
    with pytest.raises(ValueError, match="NaN"):
        Deltas(width=3).fit(np.full((2, 3, 5), np.nan))
    with pytest.raises(TypeError, match="dtype"):
        Deltas(width=3).fit(np.zeros((2, 3, 5), dtype=np.int32))
    with pytest.raises(ValueError, match="1-D"):
        Deltas(width=3).fit(np.zeros(5))


# -- in a pipeline -----------------------------------------------------------------------
def test_mfcc_deltas_statistics_pipeline_returns_a_named_table():
    X = tones()
    pipe = make_pipeline(MFCC(sr=TONE_SR, n_mfcc=5), Deltas(order=2, stack=True, stats=("mean", "std")))
    df = pipe.set_output(transform="pandas").fit_transform(X)
    assert isinstance(df, pd.DataFrame) and df.shape == (5, 30)
    # the 3-D MFCC batch carries no names, so the table's columns name rows x0, x1, ...;
    # the pipeline's own get_feature_names_out passes the MFCC names along
    assert df.columns[:2].tolist() == ["x0_mean", "x0_std"] and "delta2_x4_std" in df.columns
    names = pipe.get_feature_names_out().tolist()
    assert names[:2] == ["mfcc0_mean", "mfcc0_std"] and names[-1] == "delta2_mfcc4_std"
