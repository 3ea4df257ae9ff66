"""PoolingTransformer: scikit-learn contract, forms, errors."""

import pickle
import re

import joblib
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from skaudio.features import POOLING_METHODS, PoolingTransformer, pool2d

_TWO_D = "2-D input is a batch of single-row maps; regional pooling needs kernel_size (1, k) and "
_COMMON = {
    "check_estimators_dtypes": "integer arrays are refused on purpose: spectrograms are floating-point data",
}
_REGIONAL = {
    "check_fit2d_1feature": _TWO_D + "a frame count of at least k",
}


@parametrize_with_checks(
    [
        PoolingTransformer(kernel_size=(1, 1)),
        PoolingTransformer(method="lse", axis="time"),
        PoolingTransformer(method="attention", axis="freq"),
        PoolingTransformer(method="lsp", axis="time", levels="auto"),
    ],
    expected_failed_checks=lambda est: {
        **_COMMON,
        **(_REGIONAL if est.axis is None and est.kernel_size != (1, 1) else {}),
    },
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.parametrize("mode", POOLING_METHODS)
def test_transform_equals_kernel(mode):
    S = np.abs(np.random.default_rng(0).normal(size=(5, 8, 12))).astype(np.float32)
    out = PoolingTransformer(method=mode, kernel_size=(2, 3), batch_size=2).fit_transform(S)
    np.testing.assert_array_equal(out, pool2d(S, mode, (2, 3)))
    assert out.shape == (5, 4, 4) and out.dtype == np.float32


def test_global_forms_and_feature_names():
    S = np.random.default_rng(1).normal(size=(3, 4, 6)).astype(np.float32)
    t = PoolingTransformer(method="max", axis="time").fit(S)
    np.testing.assert_array_equal(t.transform(S), S.max(axis=2))
    assert list(t.get_feature_names_out()) == ["max_f0", "max_f1", "max_f2", "max_f3"]
    f = PoolingTransformer(method="average", axis="freq").fit(S)
    np.testing.assert_allclose(f.transform(S), S.mean(axis=1), rtol=1e-6)
    assert f.get_feature_names_out()[-1] == "average_t5"
    b = PoolingTransformer(method="min", axis="both").fit(S)
    np.testing.assert_array_equal(b.transform(S)[:, 0], S.min(axis=(1, 2)))
    assert list(b.get_feature_names_out()) == ["min"]
    # regional 3-D output: the pooled frequency rows (axis 1), as for every 3-D step
    assert list(PoolingTransformer().fit(S).get_feature_names_out()) == ["average_f0", "average_f1"]


def test_negative_input_refused_with_fix():
    S = -np.ones((2, 4, 4), np.float32)
    for mode in ("lsp", "power", "entropy"):
        with pytest.raises(ValueError, match="PowerToDb"):
            PoolingTransformer(method=mode).fit(S)
    PoolingTransformer(method="esp").fit(S)  # defined for any sign


@pytest.mark.parametrize(
    "params,match",
    [
        ({"method": "median"}, "method"),
        ({"p": 0.5}, "'p'"),
        ({"r": 0.0}, "'r'"),
        ({"n": -1.0}, "'n'"),
        ({"method": "mixed", "a": 1.5}, "0 <= a <= 1"),
        ({"kernel_size": (9, 2)}, "does not fit"),
        ({"padding": (2, 0)}, "padding"),
        ({"axis": "frames"}, "axis"),
    ],
)
def test_parameter_errors(params, match):
    S = np.ones((2, 4, 4), np.float32)
    with pytest.raises(ValueError, match=match):
        PoolingTransformer(**params).fit(S)


def test_clone_pickle_and_shape_checks(tmp_path):
    S = np.random.default_rng(2).normal(size=(3, 6, 8)).astype(np.float32)
    est = PoolingTransformer(method="auto", a=2.0, kernel_size=3, padding=1, ceil_mode=True).fit(S)
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
    grid = GridSearchCV(pipe, {"poolingtransformer__method": list(POOLING_METHODS)}, cv=3).fit(S, y)
    assert len(grid.cv_results_["mean_test_score"]) == 12
    assert grid.best_score_ > 0.9


# -- levels: all twelve modes on dB maps (issue 19, item 3) ------------------------------------


def _db_maps(seed=0, n=4):
    rng = np.random.default_rng(seed)
    S = -50 + 12 * rng.standard_normal((n, 12, 18))
    S[:, 3:6, 4:9] += 45
    S = np.clip(S, -80, None)
    return (S - S.max(axis=(1, 2), keepdims=True)).astype(np.float32)  # dB, ref=max


@pytest.mark.parametrize("axis", [None, "time"])
def test_levels_floor_pools_levels_above_each_clips_floor(axis):
    S = _db_maps()
    low = S.min(axis=(1, 2), keepdims=True)
    for mode in ("lsp", "power", "entropy", "lnp"):
        got = PoolingTransformer(mode, axis=axis, levels="floor").fit_transform(S)
        ref = PoolingTransformer(mode, axis=axis).fit_transform(S - low) + low.reshape(
            (len(S),) + (1,) * (got.ndim - 1)
        )
        np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-4, err_msg=mode)
        assert got.min() >= S.min() - 1e-4 and got.max() <= S.max() + 1e-4
    # the other eight commute with a shift: levels changes nothing for them
    for mode in set(POOLING_METHODS) - {"lsp", "power", "entropy", "lnp"}:
        np.testing.assert_array_equal(
            PoolingTransformer(mode, axis=axis, levels="floor").fit_transform(S),
            PoolingTransformer(mode, axis=axis).fit_transform(S),
        )


def test_levels_make_every_mode_shift_equivariant():
    S = _db_maps(1)
    for mode in POOLING_METHODS:
        est = PoolingTransformer(mode, levels="floor").fit(S)
        np.testing.assert_allclose(
            est.transform(S + np.float32(100)), est.transform(S) + 100, atol=2e-3, err_msg=mode
        )


def test_levels_auto_keeps_nonnegative_clips_raw():
    S = _db_maps(2)
    power = (10 ** (S[:2] / 10)).astype(np.float32)  # non-negative clips
    mixed = np.concatenate([S[:2], power])
    got = PoolingTransformer("lsp", levels="auto").fit_transform(mixed)
    np.testing.assert_array_equal(got[2:], PoolingTransformer("lsp").fit_transform(power))
    np.testing.assert_allclose(got[:2], PoolingTransformer("lsp", levels="floor").fit_transform(S[:2]))
    # batch composition does not matter: each clip is decided on its own
    np.testing.assert_allclose(
        PoolingTransformer("lsp", levels="auto", batch_size=1).fit_transform(mixed), got
    )
    with pytest.raises(ValueError, match="levels='auto'"):
        PoolingTransformer("lsp").fit(S)  # raw refuses and names the option
    with pytest.raises(ValueError, match="levels"):
        PoolingTransformer("lsp", levels="dB").fit(S)


def test_gridsearch_over_all_twelve_modes_on_a_log_mel_pipeline():
    """With ``levels="auto"`` none of the 36 fits fails (9 did with the raw values)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from skaudio.datasets import make_sound_events
    from skaudio.features import MelSpectrogram

    X, y = make_sound_events(24, 3, sr=8000, duration=0.5, random_state=0)
    pipe = make_pipeline(
        MelSpectrogram(sr=8000, n_fft=256, hop_length=128, n_mels=16),
        PoolingTransformer(axis="time", levels="auto"),
        StandardScaler(),
        LogisticRegression(max_iter=200),
    )
    search = GridSearchCV(
        pipe, {"poolingtransformer__method": list(POOLING_METHODS)}, cv=3, error_score="raise"
    )
    search.fit(X, y)
    scores = search.cv_results_["mean_test_score"]
    assert len(scores) == 12 and np.isfinite(scores).all()


def test_n_jobs_reaches_numba_and_none_keeps_its_setting(monkeypatch):
    """n_jobs counts numba threads; None keeps numba's own setting (design notes, "n_jobs")."""
    import skaudio.features.pooling as module

    seen = []
    real = module.numba_threads

    def spy(n):
        seen.append(n)
        return real(n)

    monkeypatch.setattr(module, "numba_threads", spy)
    S = np.random.default_rng(0).random((2, 4, 8), dtype=np.float32)
    PoolingTransformer("max").fit_transform(S)
    PoolingTransformer("max", n_jobs=2).fit_transform(S)
    assert seen == [None, 2]


def test_loud_float32_maps_do_not_overflow():
    # issue 28: unscaled 32-bit PCM cast to float reaches 2e19 in a power map; lsp squared
    # it in float32 and returned inf on 16 frames (the float64 path on 14 gave 2e19)
    S = np.full((1, 2, 16), 2e19, np.float32)
    np.testing.assert_array_equal(PoolingTransformer("lsp").fit_transform(S), np.float32(2e19))
    np.testing.assert_array_equal(PoolingTransformer("lsp").fit_transform(S[:, :, :14]), np.float32(2e19))


@pytest.mark.parametrize("params", [{"method": "lse", "r": 1e39}, {"method": "power", "n": 1e-46}])
def test_parameters_outside_float32_are_refused_at_fit(params):
    S = np.ones((1, 2, 16), np.float32)
    name, value = [(k, v) for k, v in params.items() if k != "method"][0]
    with pytest.raises(ValueError, match=re.escape(f"{name}={value:g}") + ".*float32"):
        PoolingTransformer(**params).fit(S)
