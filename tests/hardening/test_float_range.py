"""The whole float32 range (issue 28): pooling on every kernel path, and the preservation metrics.

Values from subnormal (1.4e-45) to 3.4e38, of both signs where a method allows them,
are pooled by every method on each of the three kernel paths the width of a map picks
(:func:`skaudio.features.pool2d` with 2x2 regions and at least 8 regions a row: the
vectorised float32 row kernel; fewer regions a row: the float64 region loop;
:func:`skaudio.features.global_pool` over at least 8 rows: the whole-row kernel) and
compared with an exact float64 formula per region. Method parameters drawn across and
beyond float32's range give either a finite, correct result or a ``ValueError`` naming
the parameter. The preservation metrics of maps scaled by ``2**k`` (values from 1.2e-38
to 2.6e38) stay finite and equal to those of the unscaled maps, and ``compare_pooling``
gives no NaN on maps scaled by ``10**k``, ``k`` from -38 to 38.
"""

import re
import warnings

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from skaudio.features import POOLING_METHODS, global_pool, pool2d
from skaudio.metrics import METRIC_NAMES, compare_pooling, preservation_metrics
from tests.hardening._strategies import counted, spectrograms

F32_MAX = float(np.finfo(np.float32).max)
NONNEG = {"lsp", "power", "entropy"}
#: frames per map for each path (2x2 regions): >= 16 frames give >= 8 regions a row
PATHS = {"regions": (2, 4, 16, 20), "generic": (2, 4, 2, 14), "whole": (8, 10, 1, 12)}
OPTS = dict(sr=16000, fmin=500.0, n_bands=3)


# -- an exact float64 oracle, one region at a time ---------------------------------------------
def oracle(x, method, a=0.5, p=2.0, r=1.0, n=1.0, v=1.0):
    x = np.asarray(x, np.float64).ravel()
    if not np.any(x):
        return 0.0
    big = np.abs(x).max()
    if method == "average":
        return x.mean()
    if method == "max":
        return x.max()
    if method == "min":
        return x.min()
    if method == "mixed":
        return a * x.max() + (1 - a) * x.mean()
    if method == "lsp":
        return (x * x).sum() / x.sum()
    if method in ("esp", "auto"):
        e = (1.0 if method == "esp" else a) * x
        w = np.exp(e - e.max())
        return (w * x).sum() / w.sum()
    if method == "lnp":
        return big * np.mean((np.abs(x) / big) ** p) ** (1 / p)
    if method == "lse":
        top = x.max()
        return top + np.log1p(np.mean(np.expm1(r * (x - top)))) / r
    if method == "power":
        w = (x / x.max()) ** n
        return (w * x).sum() / w.sum()
    if method == "attention":
        z = (x - x.mean()) / (x.std() + 1e-6 * big + 1e-30)
        e = v * z
        w = np.exp(e - e.max())
        return (w * x).sum() / w.sum()
    raise AssertionError(method)


def entropy_pick_is_right(x, got):
    """The picked value is a cell whose -q log q is the region's largest (within 1e-5)."""
    x = np.asarray(x, np.float64).ravel()
    if not np.any(x):
        return got == 0.0
    q = x / x.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        h = np.where(q > 0, -q * np.log(q), 0.0)
    picked = np.flatnonzero(x == got)
    return picked.size > 0 and h[picked].max() >= h.max() * (1 - 1e-5)


def pooled(S, method, path, params):
    """``(output, [(region values, output index), ...])`` of one path."""
    if path == "whole":
        out = global_pool(S, method, "time", **params)
        return out, [(S[i, f], (i, f)) for i in range(S.shape[0]) for f in range(S.shape[1])]
    out = pool2d(S, method, (2, 2), **params)
    regions = [
        (S[i, 2 * fo : 2 * fo + 2, 2 * to : 2 * to + 2], (i, fo, to))
        for i in range(S.shape[0])
        for fo in range(out.shape[1])
        for to in range(out.shape[2])
    ]
    return out, regions


def assert_matches_oracle(S, method, path, params):
    out, regions = pooled(S, method, path, params)
    assert out.dtype == np.float32 and np.isfinite(out).all(), (method, path, params, out)
    for x, idx in regions:
        got = float(out[idx])
        if method == "entropy":
            assert entropy_pick_is_right(x, got), (path, x, got)
            continue
        with np.errstate(all="ignore"):
            want = oracle(x, method, **params)
        # float32 output: relative 1e-4, plus float32's resolution of the region's largest
        # value (a mean of values of both signs cancels) and of the subnormals
        tol = 1e-4 * abs(want) + 1e-6 * float(np.abs(x).max()) + 1e-44
        assert abs(got - want) <= tol, (method, path, params, x, got, want)


@st.composite
def float32_maps(draw, method, path):
    """A float32 batch for ``path``: the hardening strategy's raw and scaled draws
    (bounded by 3.4e38), or a smooth map scaled by ``10**k`` for ``k`` in -38..38."""
    f0, f1, t0, t1 = PATHS[path]
    kw = dict(min_clips=1, max_clips=2, min_freqs=f0, max_freqs=f1, min_frames=t0, max_frames=t1)
    nonneg = method in NONNEG
    if draw(st.booleans()):
        S = draw(spectrograms(nonnegative=nonneg, big=F32_MAX, dtype=np.float32, **kw))
    else:
        rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
        shape = (draw(st.integers(1, 2)), draw(st.integers(f0, f1)), draw(st.integers(t0, t1)))
        X = rng.random(shape) if nonneg else rng.standard_normal(shape)
        X = X / max(np.abs(X).max(), 1e-300) * 3.0
        S = np.clip(X * 10.0 ** draw(st.integers(-38, 38)), -F32_MAX, F32_MAX).astype(np.float32)
    if path == "generic":  # at most 7 regions a row: the float64 region loop
        assert (S.shape[2] // 2) < 8
    return S


@st.composite
def cases(draw):
    method = draw(st.sampled_from(POOLING_METHODS))
    path = draw(st.sampled_from(sorted(PATHS)))
    S = draw(float32_maps(method, path))
    mag = st.floats(-3, 3).map(lambda e: 10.0**e)
    sign = st.sampled_from([-1.0, 1.0])
    params = draw(
        st.one_of(
            st.just({}),
            {
                "mixed": st.floats(0, 1).map(lambda a: {"a": a}),
                "auto": st.tuples(sign, mag).map(lambda t: {"a": t[0] * t[1]}),
                "lnp": mag.map(lambda m: {"p": 1.0 + m}),
                "lse": st.floats(-30, 30).map(lambda e: {"r": 10.0**e}),
                "power": mag.map(lambda m: {"n": m}),
                "attention": st.tuples(sign, mag).map(lambda t: {"v": t[0] * t[1]}),
            }.get(method, st.just({})),
        )
    )
    return method, path, S, params


@given(cases())
@example(("lsp", "regions", np.full((1, 2, 16), 2e19, np.float32), {}))  # was inf
@example(("lsp", "whole", np.full((1, 8, 16), 3e-25, np.float32), {}))  # was 0
@example(("entropy", "regions", np.tile(np.float32([[1e38, 3e38], [3e38, 3e38]]), (1, 1, 8)), {}))
@example(("attention", "regions", np.linspace(1e20, 4e20, 32, dtype=np.float32).reshape(1, 2, 16), {}))
@example(("lse", "generic", np.linspace(1e-20, 4e-20, 28, dtype=np.float32).reshape(1, 2, 14), {}))
@example(("lse", "regions", np.linspace(0.0, 3.0, 32, dtype=np.float32).reshape(1, 2, 16), {"r": 1e-20}))
@example(("esp", "whole", np.full((1, 8, 4), 3e38, np.float32), {}))
@counted
def test_every_method_on_every_path_matches_float64(case):
    method, path, S, params = case
    before = S.copy()
    assert_matches_oracle(S, method, path, params)
    np.testing.assert_array_equal(S, before)


@given(
    st.sampled_from(["auto", "lnp", "lse", "power", "attention"]),
    st.sampled_from(sorted(PATHS)),
    st.floats(-47, 40),
    st.sampled_from([-1.0, 1.0]),
    st.integers(0, 2**32 - 1),
)
@example("lse", "regions", 39.0, 1.0, 0)  # r = 1e39: all NaN before
@example("lse", "generic", -46.0, 1.0, 0)  # r = 1e-46
@example("power", "whole", -46.0, 1.0, 0)  # n = 1e-46 silently became the n = 0 rule
@example("auto", "regions", 38.0, -1.0, 0)  # a = -1e38: float32, but a x overflows
@counted
def test_parameters_across_the_float32_edges_are_exact_or_refused(method, path, exponent, sign, seed):
    name = {"auto": "a", "lnp": "p", "lse": "r", "power": "n", "attention": "v"}[method]
    value = 10.0**exponent * (sign if method in ("auto", "attention") else 1.0)
    value = 1.0 + value if method == "lnp" else value
    f0, _, t0, t1 = PATHS[path]
    rng = np.random.default_rng(seed)
    X = rng.random((1, f0, t1)) if method == "power" else rng.standard_normal((1, f0, t1))
    S = (X * 10.0 ** rng.integers(-30, 31)).astype(np.float32)
    single = np.float32(value) if abs(value) < 3.5e38 else np.float32(np.inf)
    if single == 0 or not np.isfinite(single):
        with pytest.raises(ValueError, match=re.escape(f"{name}={value:g}") + ".*float32"):
            pooled(S, method, path, {name: value})
    else:
        assert_matches_oracle(S, method, path, {name: value})


# -- the preservation metrics --------------------------------------------------------------------
@given(
    st.sampled_from(["average", "max", "min", "lsp", "lnp", "power", "mixed"]),
    st.sampled_from(["noise", "signed", "sparse", "constant"]),
    st.integers(-116, 127),
    st.integers(0, 2**32 - 1),
)
@example("average", "noise", -116, 0)
@example("lsp", "noise", 127, 0)
@example("max", "signed", 63, 1)
@example("lsp", "constant", -100, 3)  # constant maps were drawn for the four exact methods only
@counted
def test_preservation_metrics_do_not_depend_on_the_magnitude(method, kind, k, seed):
    # every method drawn here is positively homogeneous, pool(c x) = c pool(x), and every
    # metric compares P with S through ratios, correlations or normalised histograms, so
    # scaling both by 2**k changes nothing: the unscaled maps are the oracle. A power of
    # two scales exactly (10**k would move a value that lies on a histogram edge, such as
    # mixed's 5/8 of a sparse region's max, into the next bin); 2**-116 .. 2**127 times
    # values in [1e-3, 1.5] spans 1.2e-38 .. 2.6e38 without a subnormal
    rng = np.random.default_rng(seed)
    shape = (3, 8, 16)
    if method in NONNEG or kind != "signed":
        X = rng.random(shape)
    else:
        X = rng.standard_normal(shape)
    if kind == "sparse":
        X[X < 0.6] = 0.0
    elif kind == "constant":
        X = np.full(shape, 0.7) * rng.random((3, 1, 1))
    X = X / np.abs(X).max() * 1.5
    X[np.abs(X) < 1e-3] = 0.0
    unit = X.astype(np.float32)
    S = unit * np.float32(2.0**k)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        want = preservation_metrics(unit, pool2d(unit, method), **OPTS)
        got = preservation_metrics(S, pool2d(S, method), **OPTS)
    assert list(got) == list(METRIC_NAMES)
    for name in METRIC_NAMES:
        values = got[name]
        assert not np.isnan(values).any(), (name, k, values)
        # inf only where the unscaled maps give it too (a ratio x / 0 of a constant map)
        np.testing.assert_array_equal(np.isinf(values), np.isinf(want[name]), err_msg=name)
        fin = np.isfinite(want[name])
        np.testing.assert_allclose(
            values[fin], want[name][fin], rtol=1e-3, atol=1e-6, err_msg=f"{name} at 2**{k}"
        )


@given(st.integers(-38, 38), st.integers(0, 2**32 - 1))
@example(38, 0)
@example(-38, 0)
@counted
def test_compare_pooling_across_the_float32_range(k, seed):
    rng = np.random.default_rng(seed)
    S = (rng.random((2, 4, 8)) * 3.0 * 10.0**k).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        table = compare_pooling(S, ["average", "lsp", "lse", "entropy", "attention"], (2, 2), **OPTS)
    assert not table.isna().any().any(), table
