"""PoolingTransformer: scikit-learn contract, forms, errors."""
import pickle

import joblib
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from skaudio._kernels.pooling import POOLING_MODES, pool2d
from skaudio.features import PoolingTransformer

_TWO_D = "2-D input is a batch of single-row maps; regional pooling needs kernel_size (1, k) and "
_FOUNDATION = "input checks follow skaudio._validation.check_spectrograms, whose messages differ: "
_COMMON = {
    "check_estimators_dtypes": _FOUNDATION + "integer arrays are refused (spectrograms must be float)",
    "check_complex_data": _FOUNDATION + "complex input raises TypeError naming the dtype",
    "check_dtype_object": _FOUNDATION + "object arrays raise TypeError (ragged or mixed input)",
    "check_estimators_empty_data_messages": _FOUNDATION + "empty input raises 'S is empty: shape ...'",
    "check_fit2d_predict1d": _FOUNDATION + "1-D input raises 'S must be 2-D or 3-D ...'",
}
_REGIONAL = {
    "check_fit2d_1feature": _TWO_D + "a frame count of at least k",
}


@parametrize_with_checks(
    [PoolingTransformer(kernel_size=(1, 1)), PoolingTransformer(mode="lse", axis="time"),
     PoolingTransformer(mode="attention", axis="freq")],
    expected_failed_checks=lambda est: {**_COMMON, **(_REGIONAL if est.axis is None and est.kernel_size != (1, 1) else {})},
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.parametrize("mode", POOLING_MODES)
def test_transform_equals_kernel(mode):
    S = np.abs(np.random.default_rng(0).normal(size=(5, 8, 12))).astype(np.float32)
    out = PoolingTransformer(mode=mode, kernel_size=(2, 3), batch_size=2).fit_transform(S)
    np.testing.assert_array_equal(out, pool2d(S, mode, (2, 3)))
    assert out.shape == (5, 4, 4) and out.dtype == np.float32


def test_global_forms_and_feature_names():
    S = np.random.default_rng(1).normal(size=(3, 4, 6)).astype(np.float32)
    t = PoolingTransformer(mode="max", axis="time").fit(S)
    np.testing.assert_array_equal(t.transform(S), S.max(axis=2))
    assert list(t.get_feature_names_out()) == ["max_f0", "max_f1", "max_f2", "max_f3"]
    f = PoolingTransformer(mode="average", axis="freq").fit(S)
    np.testing.assert_allclose(f.transform(S), S.mean(axis=1), rtol=1e-6)
    assert f.get_feature_names_out()[-1] == "average_t5"
    b = PoolingTransformer(mode="min", axis="both").fit(S)
    np.testing.assert_array_equal(b.transform(S)[:, 0], S.min(axis=(1, 2)))
    assert list(b.get_feature_names_out()) == ["min"]
    with pytest.raises(ValueError, match="2-D output"):
        PoolingTransformer().fit(S).get_feature_names_out()


def test_negative_input_refused_with_fix():
    S = -np.ones((2, 4, 4), np.float32)
    for mode in ("lsp", "power", "entropy"):
        with pytest.raises(ValueError, match="PowerToDb"):
            PoolingTransformer(mode=mode).fit(S)
    PoolingTransformer(mode="esp").fit(S)  # defined for any sign


@pytest.mark.parametrize("params,match", [({"mode": "median"}, "mode"), ({"p": 0.5}, "'p'"),
                                          ({"r": 0.0}, "'r'"), ({"n": -1.0}, "'n'"),
                                          ({"mode": "mixed", "a": 1.5}, "0 <= a <= 1"),
                                          ({"kernel_size": (9, 2)}, "does not fit"),
                                          ({"padding": (2, 0)}, "padding"),
                                          ({"axis": "frames"}, "axis")])
def test_parameter_errors(params, match):
    S = np.ones((2, 4, 4), np.float32)
    with pytest.raises(ValueError, match=match):
        PoolingTransformer(**params).fit(S)


def test_clone_pickle_and_shape_checks(tmp_path):
    S = np.random.default_rng(2).normal(size=(3, 6, 8)).astype(np.float32)
    est = PoolingTransformer(mode="auto", a=2.0, kernel_size=3, padding=1, ceil_mode=True).fit(S)
    out = est.transform(S)
    assert out.shape == (3, 3, 3)  # torch: ceil((6 + 2 - 3) / 3) + 1 rows
    np.testing.assert_array_equal(clone(est).fit(S).transform(S), out)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(est)).transform(S), out)
    joblib.dump(est, tmp_path / "p.joblib")
    np.testing.assert_array_equal(joblib.load(tmp_path / "p.joblib").transform(S), out)
    with pytest.raises(ValueError, match="features"):
        est.transform(S[:, :5])
    with pytest.raises(ValueError, match="frames"):
        PoolingTransformer(axis="freq").fit(S).transform(S[:, :, :7])


def test_grid_search_over_modes_in_a_pipeline():
    rng = np.random.default_rng(3)
    y = np.repeat([0, 1], 12)
    S = np.abs(rng.normal(size=(24, 6, 10))).astype(np.float32)
    S[y == 1, 2, ::3] += 3.0  # class 1: sparse peaks in band 2, which max-like modes keep
    pipe = make_pipeline(PoolingTransformer(axis="time"), StandardScaler(), LogisticRegression())
    grid = GridSearchCV(pipe, {"poolingtransformer__mode": list(POOLING_MODES)}, cv=3).fit(S, y)
    assert len(grid.cv_results_["mean_test_score"]) == 12
    assert grid.best_score_ > 0.9
