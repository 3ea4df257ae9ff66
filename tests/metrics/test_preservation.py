"""The preservation metrics against independent numpy/scipy/librosa references."""

import librosa
import numpy as np
import pytest
import scipy.spatial.distance as ssd
import scipy.stats
from sklearn.utils._param_validation import InvalidParameterError

from skaudio.metrics import (
    METRIC_ENTRIES,
    METRIC_NAMES,
    PRESERVATION_METRICS,
    compression_ratio,
    correlation,
    cosine_similarity,
    entropy_ratio,
    get_metric,
    gini_ratio,
    kl_divergence,
    kurtosis_ratio,
    lipschitz_constant,
    mean_ratio,
    preservation_metrics,
    skewness_ratio,
    sparsity_ratio,
    spectral_bandwidth_ratio,
    spectral_centroid_ratio,
    spectral_contrast_ratio,
    temporal_variance_ratio,
    variance_ratio,
)
from skaudio.metrics.preservation import pooled_frequencies

MODES = ["average", "max"]


# -- references, written from the definitions with numpy/scipy/librosa -----------------
def _upsample(P, F, T):
    """Nearest-neighbour repeat of a 2x2-pooled map onto an (F, T) grid (edge cells repeated)."""
    up = np.repeat(np.repeat(P, 2, axis=0), 2, axis=1)
    up = np.pad(up, ((0, max(0, F - up.shape[0])), (0, max(0, T - up.shape[1]))), mode="edge")
    return up[:F, :T]


def _gini(x):
    x = np.sort(x.ravel())
    n = x.size
    lorenz = np.cumsum(x) / x.sum()
    return (n + 1 - 2 * lorenz.sum()) / n


def _spectral_ref(fn, S, freqs, **kw):
    """librosa per frame, averaged over the frames with energy."""
    values = fn(S=S, freq=freqs, **kw)[0]
    return values[S.sum(axis=0) > 0].mean()


def reference(name, s, p, freqs, pfreqs, sr, n_bins=64, eps=1e-10, tol=0.01):
    s = s.astype(np.float64)
    p = p.astype(np.float64)
    off = min(0.0, s.min(), p.min())
    rng = (min(s.min(), p.min()), max(s.max(), p.max()))
    if name == "variance":
        return np.var(p) / np.var(s)
    if name == "mean":
        return np.mean(p) / np.mean(s)
    if name == "skewness":
        return scipy.stats.skew(p.ravel()) / scipy.stats.skew(s.ravel())
    if name == "kurtosis":
        return scipy.stats.kurtosis(p.ravel(), fisher=False) / scipy.stats.kurtosis(s.ravel(), fisher=False)
    if name == "entropy":
        hs = np.histogram(s, bins=n_bins, range=rng)[0]
        hp = np.histogram(p, bins=n_bins, range=rng)[0]
        return scipy.stats.entropy(hp) / scipy.stats.entropy(hs)
    if name == "kl_divergence":
        hs = np.histogram(s, bins=n_bins, range=rng)[0]
        hp = np.histogram(p, bins=n_bins, range=rng)[0]
        return scipy.stats.entropy(hs / hs.sum() + eps, hp / hp.sum() + eps)
    if name == "sparsity":
        thr = s.min() + tol * (s.max() - s.min())
        return np.mean(p <= thr) / np.mean(s <= thr)
    if name == "gini":
        return _gini(p - off) / _gini(s - off)
    if name == "correlation":
        return np.corrcoef(s.ravel(), _upsample(p, *s.shape).ravel())[0, 1]
    if name == "cosine_similarity":
        return 1.0 - ssd.cosine(s.ravel(), _upsample(p, *s.shape).ravel())
    if name == "temporal_variance":
        return np.var(p.mean(axis=0)) / np.var(s.mean(axis=0))
    if name == "spectral_centroid":
        return _spectral_ref(librosa.feature.spectral_centroid, p - off, pfreqs) / _spectral_ref(
            librosa.feature.spectral_centroid, s - off, freqs
        )
    if name == "spectral_bandwidth":
        return _spectral_ref(librosa.feature.spectral_bandwidth, p - off, pfreqs) / _spectral_ref(
            librosa.feature.spectral_bandwidth, s - off, freqs
        )
    if name == "spectral_contrast":
        kw = dict(sr=sr, linear=True)
        return (
            librosa.feature.spectral_contrast(S=p - off, freq=pfreqs, **kw).mean()
            / librosa.feature.spectral_contrast(S=s - off, freq=freqs, **kw).mean()
        )
    if name == "compression_ratio":
        return s.size / p.size
    raise KeyError(name)


@pytest.fixture(scope="module", params=MODES)
def pooled(request, esc10_logmel, pool):
    S, freqs, sr = esc10_logmel
    P = pool(S, request.param)
    got = preservation_metrics(S, P, freqs=freqs, sr=sr)
    return S, P, freqs, sr, got


@pytest.mark.parametrize("name", [m for m in METRIC_NAMES if m != "lipschitz"])
def test_metric_matches_reference_on_real_spectrograms(pooled, name):
    S, P, freqs, sr, got = pooled
    pfreqs = pooled_frequencies(freqs, P.shape[1], 2, 2)
    want = [reference(name, s, p, freqs, pfreqs, sr) for s, p in zip(S, P)]
    assert got[name].shape == (S.shape[0],)
    np.testing.assert_allclose(got[name], want, rtol=1e-6, atol=1e-9, err_msg=name)


def test_lipschitz_matches_pairwise_reference(pooled):
    S, P, _, _, got = pooled
    n = S.shape[0]
    ds = ssd.cdist(S.reshape(n, -1).astype(np.float64), S.reshape(n, -1).astype(np.float64))
    dp = ssd.cdist(P.reshape(n, -1).astype(np.float64), P.reshape(n, -1).astype(np.float64))
    q = (dp / np.sqrt(P[0].size)) / np.where(ds > 0, ds / np.sqrt(S[0].size), np.inf)
    np.fill_diagonal(q, -np.inf)
    np.testing.assert_allclose(got["lipschitz"], q.max(axis=1), rtol=1e-7)


def test_paper_orderings_hold_on_real_maps(esc10_logmel, pool):
    # Max pooling keeps more variance and average pooling more cosine similarity and correlation.
    S, freqs, sr = esc10_logmel
    avg = preservation_metrics(S, pool(S, "average"))
    mx = preservation_metrics(S, pool(S, "max"))
    assert np.all(mx["variance"] > avg["variance"])
    assert np.all(avg["cosine_similarity"] >= mx["cosine_similarity"])
    assert np.all(avg["correlation"] >= mx["correlation"])
    even = S[:, :, : S.shape[2] // 2 * 2]  # without the frame 2x2 pooling drops, the mean is kept
    np.testing.assert_allclose(mean_ratio(even, pool(even, "average")), 1.0, rtol=1e-6)


# -- identities ---------------------------------------------------------------------
def test_unpooled_map_gives_ideal_values(esc10_logmel):
    S, freqs, sr = esc10_logmel
    got = preservation_metrics(S, S, freqs=freqs, sr=sr)
    for name in METRIC_NAMES:
        info = PRESERVATION_METRICS[name]
        if name == "compression_ratio":
            expected = 1.0
        elif name == "kl_divergence":
            expected = 0.0
        else:
            expected = info.ideal
        np.testing.assert_allclose(got[name], expected, atol=1e-9, err_msg=name)


def test_compression_ratio_is_exact():
    S = np.zeros((2, 128, 431), np.float32)
    P = np.zeros((2, 64, 215), np.float32)
    assert compression_ratio(S, P).tolist() == [128 * 431 / (64 * 215)] * 2
    assert compression_ratio(S[0], np.zeros((32, 431), np.float32)) == 4.0


def test_single_map_gives_float_and_batch_gives_array(esc10_logmel, pool):
    S, _, _ = esc10_logmel
    P = pool(S)
    single = variance_ratio(S[0], P[0])
    assert isinstance(single, float)
    assert single == pytest.approx(variance_ratio(S, P)[0])


def test_inputs_are_not_modified(esc10_logmel, pool):
    S, freqs, sr = esc10_logmel
    S = S.copy()
    P = pool(S)
    S0, P0 = S.copy(), P.copy()
    preservation_metrics(S, P, freqs=freqs, sr=sr)
    np.testing.assert_array_equal(S, S0)
    np.testing.assert_array_equal(P, P0)


def test_similarity_scale_invariance_and_anticorrelation():
    rng = np.random.default_rng(1)
    S = rng.random((3, 6, 8)).astype(np.float32) + 0.5
    # cosine and correlation ignore a positive scale; correlation flips with the sign
    assert cosine_similarity(S, 3 * S) == pytest.approx(1.0)
    np.testing.assert_allclose(correlation(S, -2 * S), -1.0, atol=1e-9)
    np.testing.assert_allclose(correlation(S, 2 * S + 7), 1.0, atol=1e-9)


def test_gini_against_mean_absolute_difference():
    rng = np.random.default_rng(2)
    S = rng.gamma(0.5, size=(2, 6, 10)).astype(np.float32)
    P = S.reshape(2, 3, 2, 5, 2).max(axis=(2, 4))

    def mad_gini(x):  # textbook form: mean absolute difference over twice the mean
        x = x.ravel().astype(np.float64)
        return np.abs(x[:, None] - x[None, :]).mean() / (2 * x.mean())

    want = [mad_gini(p) / mad_gini(s) for s, p in zip(S, P)]
    np.testing.assert_allclose(gini_ratio(S, P), want, rtol=1e-9)


def test_pooled_frequencies_follow_the_pool_geometry():
    f = np.arange(6, dtype=float) * 100
    np.testing.assert_allclose(pooled_frequencies(f, 3, 2, 2), [50, 250, 450])
    # overlapping 3-row windows with stride 2 and padding 1, as avg_pool2d lays them out
    np.testing.assert_allclose(pooled_frequencies(f, 3, 2, 3, padding=1), [50, 200, 400])


def test_explicit_geometry_matches_inferred():
    rng = np.random.default_rng(3)
    S = rng.random((2, 8, 9)).astype(np.float32)
    P = S[:, :, :8].reshape(2, 4, 2, 4, 2).mean(axis=(2, 4))
    a = preservation_metrics(S, P, ["correlation", "spectral_centroid"])
    b = preservation_metrics(S, P, ["correlation", "spectral_centroid"], stride=2, kernel_size=(2, 2))
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])


# -- degenerate inputs ---------------------------------------------------------------
def _all_finite_or_documented(res):
    for name, value in res.items():
        assert not np.any(np.isnan(value)), name


def test_silence_gives_documented_values():
    # a silent clip in dB re max is all zeros; pooled it stays all zeros
    S = np.zeros((3, 8, 10), np.float32)
    P = np.zeros((3, 4, 5), np.float32)
    res = preservation_metrics(S, P)
    _all_finite_or_documented(res)
    for name in (
        "variance",
        "mean",
        "skewness",
        "kurtosis",
        "entropy",
        "sparsity",
        "gini",
        "temporal_variance",
        "spectral_centroid",
        "spectral_bandwidth",
        "spectral_contrast",
        "correlation",
        "cosine_similarity",
    ):
        np.testing.assert_array_equal(res[name], 1.0, err_msg=name)
    np.testing.assert_array_equal(res["kl_divergence"], 0.0)
    np.testing.assert_array_equal(res["lipschitz"], 0.0)  # no informative pair
    np.testing.assert_array_equal(res["compression_ratio"], 4.0)


def test_constant_maps():
    S = np.full((2, 4, 6), -80.0, np.float32)
    P = np.full((2, 2, 3), -80.0, np.float32)
    res = preservation_metrics(S, P)
    _all_finite_or_documented(res)
    assert res["mean"].tolist() == [1.0, 1.0]
    assert res["skewness"].tolist() == [1.0, 1.0]
    assert res["correlation"].tolist() == [1.0, 1.0]
    # a constant map against a varying one: no linear relationship can be measured
    P2 = P.copy()
    P2[:, 0, 0] = -10.0
    assert correlation(S, P2).tolist() == [0.0, 0.0]
    # variance from nothing: the ratio is infinite, not NaN
    assert variance_ratio(S, P2).tolist() == [np.inf, np.inf]


@pytest.mark.parametrize("scale", [1e-30, 1.0, 1e30])
def test_histogram_metrics_of_a_constant_map_and_its_float32_pooling(scale):
    # lsp pooling returns a constant region's value a few float32 steps off (8 x 8: its
    # float32 sums round); one step apart, the 64 bins spanning the joint range put S in
    # the first bin and P in the last: KL 23.03 (log 1 / eps) instead of 0
    from skaudio.features import pool2d

    S = np.full((2, 16, 64), 0.7 * scale, np.float32)
    for method in ("lsp", "power", "esp", "attention"):
        P = pool2d(S, method, (8, 8))
        assert (P != S[0, 0, 0]).any(), method  # the rounding this is about
        res = preservation_metrics(S, P, ["kl_divergence", "entropy"])
        np.testing.assert_array_equal(res["kl_divergence"], 0.0, err_msg=method)
        np.testing.assert_array_equal(res["entropy"], 1.0, err_msg=method)
    # the bound: 64 steps of the largest magnitude are one value, 65 apart two
    c = np.float32(0.7 * scale)
    step = np.spacing(c)
    for steps, want in ((1, 0.0), (64, 0.0), (65, np.log(1 / 1e-10))):
        P = np.full((2, 2, 8), c + np.float32(steps) * step, np.float32)
        assert np.spacing(P[0, 0, 0]) == step  # within the binade
        np.testing.assert_allclose(kl_divergence(S, P), want, rtol=1e-6, atol=0, err_msg=str(steps))


def test_single_frame():
    rng = np.random.default_rng(4)
    S = rng.random((2, 8, 1)).astype(np.float32)
    P = S.reshape(2, 4, 2, 1).mean(axis=2)
    res = preservation_metrics(S, P)
    _all_finite_or_documented(res)
    assert res["temporal_variance"].tolist() == [1.0, 1.0]  # 0 / 0: no time to vary over


def test_lipschitz_needs_two_clips():
    S = np.ones((4, 6), np.float32)
    with pytest.raises(ValueError, match="at least two clips"):
        lipschitz_constant(S, S[:2, :3])


# -- errors -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "bad, match",
    [
        (np.full((2, 4, 4), np.nan, np.float32), "NaN"),
        (np.zeros((2, 0, 4), np.float32), "empty"),
        (np.zeros(4, np.float32), "2-D or 3-D"),
        (np.zeros((2, 4, 4), np.int16), "floating-point"),
    ],
)
def test_bad_input_is_refused_with_a_named_argument(bad, match):
    good = np.zeros((2, 4, 4), np.float32)
    with pytest.raises((ValueError, TypeError), match=match):
        mean_ratio(good, bad)
    with pytest.raises((ValueError, TypeError), match="P"):
        mean_ratio(good, bad)


def test_mismatched_batches():
    S = np.zeros((2, 4, 4), np.float32)
    with pytest.raises(ValueError, match="same number of clips"):
        mean_ratio(S, np.zeros((3, 2, 2), np.float32))
    with pytest.raises(ValueError, match="both be single maps"):
        mean_ratio(S, np.zeros((2, 2), np.float32))
    with pytest.raises(ValueError, match="one frequency per row"):
        spectral_centroid_ratio(S, S[:, :2, :2], freqs=np.arange(3.0))


def test_unknown_names_and_options():
    S = np.zeros((2, 4, 4), np.float32)
    with pytest.raises(ValueError, match="valid names: variance"):
        preservation_metrics(S, S, ["varience"])
    with pytest.raises(TypeError, match="unknown metric option"):
        preservation_metrics(S, S, bins=10)
    with pytest.raises(ValueError, match="n_bins"):
        entropy_ratio(S, S, n_bins=0)
    with pytest.raises(ValueError, match="Nyquist"):
        spectral_contrast_ratio(S, S, sr=1000)


@pytest.mark.parametrize("name", METRIC_NAMES)
@pytest.mark.parametrize(
    "argument, bad", [("S", "a string"), ("P", None), ("n_jobs", "all"), ("n_jobs", 1.5)]
)
def test_each_metric_function_names_itself_in_its_errors(name, argument, bad):
    # each of the 16 single-metric functions validates its own arguments: the message names
    # the function that was called, not preservation_metrics, which it hands over to (issue 27)
    func = get_metric(name).function
    S = np.zeros((2, 4, 4), np.float32)
    args = {"S": S, "P": S, "n_jobs": None} | {argument: bad}
    with pytest.raises(InvalidParameterError, match=f"^The '{argument}' parameter of {func.__name__} must"):
        func(args["S"], args["P"], n_jobs=args["n_jobs"])


# -- registry ------------------------------------------------------------------------
def test_registry_lists_the_seventeen_entries_of_fig3():
    assert len(METRIC_ENTRIES) == 17
    assert len(set(METRIC_ENTRIES)) == 17
    assert len(PRESERVATION_METRICS) == len(METRIC_NAMES) == 16
    assert set(METRIC_NAMES) == set(PRESERVATION_METRICS)
    cats = [c for c, m in METRIC_ENTRIES if m == "variance"]
    assert cats == ["information_retention", "global_structure"]
    counts = {c: sum(1 for cc, _ in METRIC_ENTRIES if cc == c) for c, _ in METRIC_ENTRIES}
    assert counts == {"information_retention": 2, "global_structure": 10, "local_detail": 4, "compression": 1}


def test_registry_functions_and_directions():
    S = np.random.default_rng(5).random((3, 4, 6)).astype(np.float32)
    P = S.reshape(3, 2, 2, 3, 2).mean(axis=(2, 4))
    batch = preservation_metrics(S, P)
    for name in METRIC_NAMES:
        info = get_metric(name)
        assert info.direction in ("target", "higher", "lower")
        assert info.definition
        np.testing.assert_array_equal(info.function(S, P), batch[name])
    assert get_metric("kl_divergence").score(0.5) == -0.5
    assert get_metric("variance").score(1.2) == pytest.approx(-0.2)
    assert get_metric("correlation").score(0.9) == 0.9


def test_individual_functions_take_options():
    S = np.random.default_rng(6).random((2, 8, 8)).astype(np.float32)
    P = S.reshape(2, 4, 2, 4, 2).max(axis=(2, 4))
    a = kl_divergence(S, P, n_bins=8)
    b = kl_divergence(S, P, n_bins=32)
    assert a.shape == b.shape == (2,) and not np.allclose(a, b)
    assert sparsity_ratio(S, P, sparsity_tol=0.5).shape == (2,)
    assert skewness_ratio(S, P, n_jobs=1).shape == (2,)
    assert kurtosis_ratio(S, P).shape == temporal_variance_ratio(S, P).shape == (2,)
    assert spectral_bandwidth_ratio(S, P).shape == (2,)


def test_lipschitz_with_duplicate_and_near_duplicate_clips():
    # identical clips carry no information; near-duplicates are recomputed exactly
    rng = np.random.default_rng(7)
    S = -40 + 10 * rng.standard_normal((5, 16, 20))
    S[1] = S[0]
    S[3] = S[2] + 1e-4 * rng.standard_normal((16, 20))
    S = S.astype(np.float32)
    P = S.reshape(5, 8, 2, 10, 2).max(axis=(2, 4))
    flat_s = S.reshape(5, -1).astype(np.float64)
    flat_p = P.reshape(5, -1).astype(np.float64)
    ds = ssd.cdist(flat_s, flat_s) / np.sqrt(flat_s.shape[1])
    dp = ssd.cdist(flat_p, flat_p) / np.sqrt(flat_p.shape[1])
    q = np.where(ds > 0, dp / np.where(ds > 0, ds, 1.0), -np.inf)
    np.fill_diagonal(q, -np.inf)
    np.testing.assert_allclose(lipschitz_constant(S, P), q.max(axis=1), rtol=1e-6)
    # reordering the batch reorders the values
    order = [4, 2, 0, 3, 1]
    np.testing.assert_allclose(lipschitz_constant(S[order], P[order]), q.max(axis=1)[order], rtol=1e-6)


# -- issue 28: values and options at their edges --------------------------------------------------


@pytest.mark.parametrize("scale", [1e-39, 1e-30, 1e30, 3e38])
def test_lipschitz_is_scale_invariant_over_float32(scale):
    # maps scaled by 1e-39 gave 0.0 (the power-of-two gain of the Gram product overflowed float32)
    S = np.random.default_rng(0).random((4, 8, 10))
    P = S.reshape(4, 4, 2, 5, 2).max(axis=(2, 4))
    ref = lipschitz_constant(S.astype(np.float32), P.astype(np.float32))
    out = lipschitz_constant((S * scale).astype(np.float32), (P * scale).astype(np.float32))
    np.testing.assert_allclose(out, ref, rtol=1e-3 if scale < 1e-37 else 1e-6)


@pytest.mark.parametrize(
    "option, value",
    [
        ("sr", 0),
        ("sr", np.inf),
        ("sr", -1),
        ("sr", np.nan),
        ("sr", "22k"),
        ("fmin", np.inf),
        ("fmin", np.nan),
        ("quantile", np.nan),
        ("eps", np.inf),
        ("eps", np.nan),
        ("sparsity_tol", np.nan),
        ("n_bins", 2**40),
        ("n_bands", 10**6),
    ],
)
def test_bad_options_are_named(option, value):
    # sr=0 and inf were a ZeroDivisionError, sr=-1 and nan a complaint about freqs never passed
    S = np.random.default_rng(0).random((2, 8, 10)).astype(np.float32)
    P = S.reshape(2, 4, 2, 5, 2).mean(axis=(2, 4))
    with pytest.raises((ValueError, TypeError), match=rf"\b{option}\b"):
        preservation_metrics(S, P, **{option: value})
