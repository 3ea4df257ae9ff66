"""Property-based tests of every public metric, scorer and report of :mod:`skaudio.metrics`.

The sixteen preservation metrics meet random batches (single rows, single
frames, constant and all-zero maps, values from subnormal to 1e30) pooled in
random ways and must never return NaN; identical maps give each metric's
ideal value, scaling both maps by a power of two changes nothing, the
pointwise similarities are symmetric, and the simple statistics agree with a
numpy/scipy reference. Classification scores are checked for their range,
their perfect value and their invariance to a monotone rescaling of scores.
"""

import warnings

import numpy as np
import pytest
import scipy.stats
from hypothesis import assume, example, given
from hypothesis import strategies as st
from sklearn.dummy import DummyClassifier
from sklearn.preprocessing import FunctionTransformer

from skaudio.features import PoolingTransformer
from skaudio.metrics import (
    CLASSIFICATION_SCORERS,
    METRIC_NAMES,
    PRESERVATION_METRICS,
    compare_pooling,
    d_prime,
    d_prime_score,
    get_metric,
    get_scorer,
    get_scorer_names,
    macro_roc_auc,
    make_classification_scorer,
    make_preservation_scorer,
    mean_average_precision,
    preservation_metrics,
    preservation_scoring,
    summarize_pooling,
    top_k_accuracy,
)
from skaudio.plotting import plot_pooling_comparison
from tests.hardening._strategies import counted, power_of_two_scales, spectrograms

#: Options every call gets: spectral contrast needs bands that fit below Nyquist.
OPTS = dict(sr=16000, fmin=500.0, n_bands=3)


@st.composite
def pairs(draw, min_clips=2):
    """``(S, P)``: a batch and a pooled version of it (or itself, or an unrelated map)."""
    S = draw(spectrograms(min_clips=min_clips, min_freqs=2, max_freqs=8, max_frames=9))
    how = draw(st.sampled_from(["average", "max", "lse", "identity", "other"]))
    S32 = S.astype(np.float32)
    if how == "identity":
        return S, S32.copy()
    if how == "other":
        rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
        return S, (rng.standard_normal(S.shape) * np.abs(S32).max()).astype(np.float32)
    kernel = (draw(st.integers(1, min(2, S.shape[1]))), draw(st.integers(1, min(2, S.shape[2]))))
    P = PoolingTransformer(how, kernel).fit_transform(S32)
    return S, P


def _no_nan(values, name):
    assert not np.isnan(values).any(), f"{name}: NaN in {values}"
    if get_metric(name).direction != "target":  # similarities, KL, compression: always finite
        assert np.isfinite(values).all(), f"{name}: {values}"


@given(pairs())
@example((np.full((2, 2, 3), 1e30, np.float32), np.full((2, 1, 1), 1e30, np.float32)))
@example(
    (
        np.arange(24, dtype=np.float32).reshape(2, 3, 4) * np.float32(1e-30),
        np.arange(24, dtype=np.float32).reshape(2, 3, 4)[:, ::2, ::2] * np.float32(1e-30),
    )
)
@counted
def test_every_metric_is_never_nan(pair):
    S, P = pair
    before = (S.copy(), P.copy())
    res = preservation_metrics(S, P, **OPTS)
    np.testing.assert_array_equal(S, before[0])
    np.testing.assert_array_equal(P, before[1])
    assert list(res) == list(METRIC_NAMES)
    for name, values in res.items():
        assert values.shape == (len(S),), name
        _no_nan(values, name)
    np.testing.assert_allclose(res["compression_ratio"], S[0].size / P[0].size)


@given(spectrograms(min_clips=2, min_freqs=2, max_freqs=8, max_frames=9))
@counted
def test_identical_maps_give_the_ideal_values(S):
    res = preservation_metrics(S, S, **OPTS)
    x = S.astype(np.float32).reshape(len(S), -1)
    for name, values in res.items():
        info = get_metric(name)
        if name == "lipschitz":  # 1 where another clip differs, 0 for a clip with no partner
            distinct = np.array(
                [any(not np.array_equal(x[i], x[j]) for j in range(len(x)) if j != i) for i in range(len(x))]
            )
            np.testing.assert_allclose(values, np.where(distinct, 1.0, 0.0), rtol=1e-6)
        elif name == "compression_ratio":
            np.testing.assert_array_equal(values, 1.0)
        else:
            np.testing.assert_allclose(values, info.ideal, rtol=1e-6, atol=1e-9, err_msg=name)


@given(pairs(), power_of_two_scales())
@counted
def test_metrics_ignore_a_common_power_of_two_scale(pair, c):
    S, P = pair
    S = S.astype(np.float32)
    S[np.abs(S) < 1e-30] = 0
    P = np.where(np.abs(P) < 1e-30, 0, P).astype(np.float32)
    a = preservation_metrics(S, P, **OPTS)
    b = preservation_metrics(S * np.float32(c), P * np.float32(c), **OPTS)
    for name in METRIC_NAMES:
        np.testing.assert_allclose(b[name], a[name], rtol=1e-5, atol=1e-9, err_msg=name)


@given(spectrograms(min_clips=2, min_freqs=2, max_freqs=6, max_frames=6), st.integers(0, 2**32 - 1))
@counted
def test_pointwise_similarities_are_symmetric(S, seed):
    S = S.astype(np.float32)
    P = (np.random.default_rng(seed).standard_normal(S.shape) * max(np.abs(S).max(), 1e-20)).astype(
        np.float32
    )
    for name in ("correlation", "cosine_similarity"):
        ab = preservation_metrics(S, P, [name])[name]
        ba = preservation_metrics(P, S, [name])[name]
        np.testing.assert_allclose(ab, ba, rtol=1e-6, atol=1e-9, err_msg=name)
        assert (np.abs(ab) <= 1 + 1e-6).all()


def _repeat_onto(S, P):
    """P brought back to S's grid by nearest neighbour (the documented convention)."""
    sf, st_ = max(1, round(S.shape[1] / P.shape[1])), max(1, round(S.shape[2] / P.shape[2]))
    rows = np.minimum(np.arange(S.shape[1]) // sf, P.shape[1] - 1)
    cols = np.minimum(np.arange(S.shape[2]) // st_, P.shape[2] - 1)
    return P[:, rows][:, :, cols]


def _ratio(num, den):
    with np.errstate(divide="ignore", invalid="ignore"):
        out = num / den
    return np.where(den == 0, np.where(num == 0, 1.0, np.copysign(np.inf, num)), out)


@given(pairs())
@counted
def test_simple_statistics_match_a_reference(pair):
    S, P = pair
    s = S.astype(np.float32).astype(np.float64)
    p = P.astype(np.float64)
    assume(np.abs(s).max() < 1e15 and np.abs(p).max() < 1e15)
    res = preservation_metrics(
        S,
        P,
        [
            "mean",
            "variance",
            "skewness",
            "kurtosis",
            "correlation",
            "cosine_similarity",
            "temporal_variance",
            "lipschitz",
        ],
    )
    flat_s, flat_p = s.reshape(len(s), -1), p.reshape(len(p), -1)
    np.testing.assert_allclose(res["mean"], _ratio(flat_p.mean(1), flat_s.mean(1)), rtol=1e-5)
    np.testing.assert_allclose(res["variance"], _ratio(flat_p.var(1), flat_s.var(1)), rtol=1e-4)

    def moment(x, kind):
        const = x.min(1) == x.max(1)
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            v = (
                scipy.stats.skew(x, axis=1)
                if kind == "skew"
                else scipy.stats.kurtosis(x, axis=1, fisher=False)
            )
        return np.where(const, 0.0, v)

    well_spread = (flat_s.std(1) > 1e-6 * np.abs(flat_s).max(1)) & (
        flat_p.std(1) > 1e-6 * np.abs(flat_p).max(1)
    )
    for name, kind in (("skewness", "skew"), ("kurtosis", "kurt")):
        ref = _ratio(moment(flat_p, kind), moment(flat_s, kind))
        finite = well_spread & np.isfinite(ref) & (np.abs(moment(flat_s, kind)) > 1e-3)
        np.testing.assert_allclose(res[name][finite], ref[finite], rtol=1e-3, atol=1e-9, err_msg=name)
    up = _repeat_onto(s, p).reshape(len(s), -1)
    norms = np.linalg.norm(flat_s, axis=1) * np.linalg.norm(up, axis=1)
    ok = norms > 0
    np.testing.assert_allclose(
        res["cosine_similarity"][ok], (flat_s * up).sum(1)[ok] / norms[ok], rtol=1e-4, atol=1e-6
    )
    tv = _ratio(p.mean(1).var(1), s.mean(1).var(1))
    ok = s.mean(1).var(1) > 1e-12 * np.abs(s).max() ** 2
    np.testing.assert_allclose(res["temporal_variance"][ok], tv[ok], rtol=1e-3)
    # Lipschitz: the pairwise maximum, written out
    n = len(s)
    rms = lambda a, b: np.sqrt(np.mean((a - b) ** 2))  # noqa: E731
    ref = np.zeros(n)
    for i in range(n):
        for j in range(n):
            if i != j and rms(s[i], s[j]) > 0:
                ref[i] = max(ref[i], rms(p[i], p[j]) / rms(s[i], s[j]))
    np.testing.assert_allclose(res["lipschitz"], ref, rtol=1e-4, atol=1e-12)


@given(
    spectrograms(min_clips=2, min_freqs=2, max_freqs=6, max_frames=6),
    st.sampled_from([1e-30, 1e-20, 1e20, 1e30]),
)
@counted
def test_lipschitz_at_extreme_magnitudes(S, scale):
    """Regression: the float32 Gram product lost every distance outside about 1e-22..1e19."""
    rng = np.random.default_rng(0)
    S = rng.random(S.shape).astype(np.float32)
    P = S[:, ::2, ::2].copy()
    unit = preservation_metrics(S, P, ["lipschitz"])["lipschitz"]
    scaled = preservation_metrics(S * np.float32(scale), P * np.float32(scale), ["lipschitz"])["lipschitz"]
    np.testing.assert_allclose(scaled, unit, rtol=1e-5)


@given(
    st.sampled_from(list(METRIC_NAMES)),
    st.sampled_from(["nan", "inf", "1d", "4d", "empty", "int", "clips", "ndim_mix", "complex"]),
    st.integers(0, 10**6),
)
@counted
def test_bad_input_is_refused_naming_the_argument(name, kind, where):
    rng = np.random.default_rng(where)
    S = rng.random((3, 4, 6)).astype(np.float32)
    P = S[:, ::2, ::2].copy()
    target = "S" if where % 2 else "P"
    bad = {"S": S, "P": P}
    arr = bad[target]
    if kind in ("nan", "inf"):
        arr = arr.copy()
        arr.flat[where % arr.size] = np.nan if kind == "nan" else -np.inf
    elif kind == "1d":
        arr = arr.ravel()
    elif kind == "4d":
        arr = arr[None]
    elif kind == "empty":
        arr = arr[:0]
    elif kind == "int":
        arr = (arr * 10).astype(np.int16)
    elif kind == "clips":
        arr = arr[:1]
    elif kind == "ndim_mix":
        arr = arr[0]
    else:
        arr = arr.astype(np.complex64)
    bad[target] = arr
    with pytest.raises((ValueError, TypeError)) as info:
        get_metric(name).function(bad["S"], bad["P"], **OPTS)
    message = str(info.value)
    assert target in message or "S and P" in message, message
    if kind in ("nan", "inf"):
        assert "NaN" in message or "infinite" in message


def test_single_row_maps_need_their_frequency():
    """Regression: one frequency row made librosa divide by zero (ZeroDivisionError)."""
    S = np.random.default_rng(0).random((2, 1, 6)).astype(np.float32)
    P = S[:, :, ::2].copy()
    with pytest.raises(ValueError, match="freqs"):
        preservation_metrics(S, P, ["spectral_centroid"])
    res = preservation_metrics(S, P, freqs=[440.0], sr=16000, fmin=100.0, n_bands=2)
    for name, values in res.items():
        _no_nan(values, name)
    assert res["spectral_centroid"].tolist() == [1.0, 1.0]


# -- scorers and reports ------------------------------------------------------------------------
@given(
    st.sampled_from(list(METRIC_NAMES)),
    spectrograms(min_clips=2, min_freqs=2, max_freqs=6, max_frames=6),
    st.sampled_from(["average", "max", "lse"]),
    st.sampled_from(["auto", "raw"]),
)
@counted
def test_preservation_scorers(name, S, mode, score):
    pool = PoolingTransformer(mode, (1, 2) if S.shape[2] > 1 else (2, 1)).fit(S)
    scorer = make_preservation_scorer(name, score=score, **OPTS)
    value = scorer(pool, S)
    assert isinstance(value, float) and not np.isnan(value)
    assert repr(get_scorer("preservation_" + name)) == f"make_preservation_scorer({name!r})"
    assert "preservation_" + name in get_scorer_names()
    identity = FunctionTransformer(lambda X: np.asarray(X, dtype=np.float32)).fit(S)
    perfect = make_preservation_scorer(name, **OPTS)(identity, S)
    info = get_metric(name)
    if name == "lipschitz":
        x = S.astype(np.float32).reshape(len(S), -1)
        assume(all(not np.array_equal(x[i], x[j]) for i in range(len(x)) for j in range(i)))
    expected = info.score(1.0 if info.ideal is None else info.ideal)
    assert perfect == pytest.approx(float(expected), abs=1e-6)


@given(
    spectrograms(min_clips=1, min_freqs=2, max_freqs=6, min_frames=2, max_frames=8),
    st.lists(
        st.sampled_from(["average", "max", "min", "lse", "entropy", "power"]),
        min_size=1,
        max_size=3,
        unique=True,
    ),
    st.sampled_from([None, "std", "sem"]),
)
@counted
def test_compare_pooling(S, modes, spread):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # lipschitz left out for a single clip
        table = compare_pooling(S, modes, (2, 2) if S.shape[1] > 1 else (1, 2), spread=spread, **OPTS)
    assert list(table.index) == modes
    assert not table.isna().any().any()
    per_clip = compare_pooling(S, modes, (1, 2), metrics=["mean", "variance"], per_clip=True, **OPTS)
    assert len(summarize_pooling(per_clip)) == len(modes)


def test_plot_tolerates_infinite_ratios():
    import pandas as pd

    table = pd.DataFrame({"variance": [np.inf, 1.0], "kl_divergence": [0.0, 0.1]}, index=["a", "b"])
    ax = plot_pooling_comparison(table)
    assert len(ax.get_yticklabels()) == 2
    assert sorted(preservation_scoring(["variance"])) == ["preservation_variance"]
    assert set(PRESERVATION_METRICS) == set(METRIC_NAMES)


# -- classification scores --------------------------------------------------------------------------
@st.composite
def labelled_scores(draw):
    n_classes = draw(st.integers(2, 5))
    n = draw(st.integers(2, 30))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    y = rng.integers(0, n_classes, n)
    y[:2] = [0, 1]  # two classes at least
    scale = 10.0 ** draw(st.integers(-20, 20))
    scores = rng.random((n, n_classes)) * scale
    return y, scores, np.arange(n_classes)


@given(labelled_scores())
# two classes and scores that are not probabilities: top-1 thresholded one column at 0 (was 0.5)
@example((np.array([0, 1]), np.array([[2.69786714, 0.40973524], [0.16527636, 8.13270239]]), np.array([0, 1])))
@counted
def test_classification_scores(data):
    y, scores, labels = data
    before = scores.copy()
    k = min(2, len(labels) - 1)
    values = {
        "top_k": top_k_accuracy(y, scores, k=k, labels=labels),
        "map": mean_average_precision(y, scores, labels=labels),
        "auc": macro_roc_auc(y, scores, labels=labels),
    }
    np.testing.assert_array_equal(scores, before)
    for name, v in values.items():
        assert 0.0 <= v <= 1.0, (name, v)
    dp = d_prime_score(y, scores, labels=labels)
    assert not np.isnan(dp) and (np.isfinite(dp) or values["auc"] in (0.0, 1.0))
    # rank-based: doubling every score (exact in floating point) changes nothing
    again = 2.0 * scores
    assert top_k_accuracy(y, again, k=k, labels=labels) == values["top_k"]
    assert mean_average_precision(y, again, labels=labels) == pytest.approx(values["map"])
    assert macro_roc_auc(y, again, labels=labels) == pytest.approx(values["auc"])
    # the scores of the truth itself are perfect
    onehot = (y[:, None] == labels[None]).astype(float)
    assert top_k_accuracy(y, onehot, k=1, labels=labels) == 1.0
    assert mean_average_precision(y, onehot, labels=labels) == 1.0
    assert macro_roc_auc(y, onehot, labels=labels) == 1.0
    # top-1 against a plain argmax where the best score is unique
    best = np.sort(scores, axis=1)
    unique = best[:, -1] > best[:, -2]
    if unique.all():
        assert top_k_accuracy(y, scores, k=1, labels=labels) == pytest.approx(np.mean(scores.argmax(1) == y))


@given(labelled_scores(), st.sampled_from(["nan", "inf", "1d", "3d", "columns"]))
@example(
    data=(np.array([0, 0]), np.ones((2, 1)), np.array([0])), kind="columns"
)  # one class: sklearn's opaque error
@counted
def test_bad_scores_are_refused(data, kind):
    y, scores, labels = data
    if kind == "nan":
        scores = scores.copy()
        scores[0, 0] = np.nan
    elif kind == "inf":
        scores = scores.copy()
        scores[-1, -1] = np.inf
    elif kind == "1d":
        scores = scores[:, 0]
    elif kind == "3d":
        scores = scores[None]
    else:
        scores = scores[:, :-1]
    for func in (mean_average_precision, macro_roc_auc, d_prime_score):
        with pytest.raises(ValueError) as info:
            func(y, scores, labels=labels if len(labels) > 1 else None)
        assert "unknown format" not in str(info.value)


@given(st.one_of(st.floats(allow_nan=True), st.lists(st.floats(0, 1), min_size=1, max_size=4)))
@example(float("nan"))  # returned NaN silently
@counted
def test_d_prime(auc):
    values = np.atleast_1d(np.asarray(auc, dtype=np.float64))
    if not ((values >= 0) & (values <= 1)).all():
        with pytest.raises(ValueError, match="auc"):
            d_prime(auc)
        return
    out = np.atleast_1d(d_prime(auc))
    assert not np.isnan(out).any()
    np.testing.assert_allclose(out, np.sqrt(2) * scipy.stats.norm.ppf(values))


@given(labelled_scores())
@counted
def test_classification_scorers(data):
    y, scores, labels = data
    clf = DummyClassifier(strategy="prior").fit(scores, y)
    for name, scorer in CLASSIFICATION_SCORERS.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # top-5 of fewer than five classes
            value = scorer(clf, scores, y)
        assert not np.isnan(value), name
    assert make_classification_scorer("roc_auc_macro")(clf, scores, y) == 0.5  # constant scores


#: Public name -> the property tests that exercise it (checked by test_public_api_coverage.py).
PROPERTY_TESTS = {
    **{
        info.function.__name__: [
            test_every_metric_is_never_nan,
            test_identical_maps_give_the_ideal_values,
            test_metrics_ignore_a_common_power_of_two_scale,
            test_bad_input_is_refused_naming_the_argument,
        ]
        for info in PRESERVATION_METRICS.values()
    },
    "preservation_metrics": [test_every_metric_is_never_nan, test_simple_statistics_match_a_reference],
    "get_metric": [test_identical_maps_give_the_ideal_values],
    "MetricInfo": [test_preservation_scorers],
    "PreservationScorer": [test_preservation_scorers],
    "make_preservation_scorer": [test_preservation_scorers],
    "preservation_scoring": [test_plot_tolerates_infinite_ratios],
    "get_scorer": [test_preservation_scorers],
    "get_scorer_names": [test_preservation_scorers],
    "compare_pooling": [test_compare_pooling],
    "summarize_pooling": [test_compare_pooling],
    "plot_pooling_comparison": [test_plot_tolerates_infinite_ratios],
    "pooling_report_main": [],  # the CLI command: tests/test_cli.py and tests/metrics/test_report.py
    "top_k_accuracy": [test_classification_scores],
    "mean_average_precision": [test_classification_scores, test_bad_scores_are_refused],
    "macro_roc_auc": [test_classification_scores, test_bad_scores_are_refused],
    "d_prime": [test_d_prime],
    "d_prime_score": [test_classification_scores, test_bad_scores_are_refused],
    "make_classification_scorer": [test_classification_scorers],
    "CLASSIFICATION_SCORERS": [test_classification_scorers],
}
