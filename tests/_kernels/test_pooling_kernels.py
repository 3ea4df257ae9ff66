"""The pooling kernels against an independent numpy reference, plus their properties."""

import math
import os
import re
from pathlib import Path

import numpy as np
import pytest

from skaudio._kernels.pooling import POOLING_METHODS, global_pool, pool2d, pool_output_size

NONNEG = {"lsp", "power", "entropy"}
PARAMS = {
    "mixed": {"a": 0.3},
    "lnp": {"p": 3.0},
    "lse": {"r": 0.7},
    "auto": {"a": 1.5},
    "power": {"n": 2.0},
    "attention": {"v": 2.0},
}


# -- an independent reference: explicit windows, textbook formulas in float64 ------------
def ref_region(x, mode, a=0.5, p=2.0, r=1.0, n=1.0, v=1.0):
    x = np.asarray(x, np.float64).ravel()
    if not np.any(x):
        return 0.0
    if mode == "average":
        return x.mean()
    if mode == "max":
        return x.max()
    if mode == "min":
        return x.min()
    if mode == "mixed":
        return a * x.max() + (1 - a) * x.mean()
    if mode == "lsp":
        return (x**2).sum() / x.sum()
    if mode == "esp":
        w = np.exp(x - x.max())  # the shift cancels in the ratio
        return (x * w).sum() / w.sum()
    if mode == "lnp":
        return np.mean(np.abs(x) ** p) ** (1 / p)
    if mode == "lse":
        # log1p/expm1 about the max: exact for every r and float32 value (issue 28)
        return x.max() + np.log1p(np.mean(np.expm1(r * (x - x.max())))) / r
    if mode == "auto":
        e = a * x
        w = np.exp(e - e.max())
        return (x * w).sum() / w.sum()
    if mode == "power":
        w = (x / x.max()) ** n  # the scale cancels; x**n alone overflows float64 for large n
        return (x * w).sum() / w.sum()
    if mode == "entropy":
        q = x / x.sum()
        with np.errstate(divide="ignore", invalid="ignore"):
            h = np.where(q > 0, -q * np.log(q), 0.0)
        return x[np.argmax(h)]
    if mode == "attention":
        z = (x - x.mean()) / (x.std() + 1e-6 * np.abs(x).max() + 1e-30)
        w = np.exp(v * z - (v * z).max())
        return (x * w).sum() / w.sum()
    raise AssertionError(mode)


def ref_starts(size, k, s, pad, ceil_mode):
    """Window starts (map coordinates) under torch's rule, enumerated one by one."""
    starts = []
    j = 0
    while True:
        lo = j * s - pad
        if not ceil_mode:
            keep = lo + k <= size + pad  # the whole window lies on the padded map
        else:
            # any window that starts before the padded map's last full-window start
            # plus one stride, provided it starts on the map or in the left padding
            keep = j * s < size + 2 * pad - k + s and lo < size
        if not keep:
            return starts
        starts.append(lo)
        j += 1


def ref_pool(S, mode, kernel, stride, pad=(0, 0), ceil_mode=False, **params):
    S = np.asarray(S, np.float64)
    rows = ref_starts(S.shape[1], kernel[0], stride[0], pad[0], ceil_mode)
    cols = ref_starts(S.shape[2], kernel[1], stride[1], pad[1], ceil_mode)
    out = np.empty((S.shape[0], len(rows), len(cols)))
    for i in range(S.shape[0]):
        for a, r0 in enumerate(rows):
            for b, c0 in enumerate(cols):
                region = S[i, max(r0, 0) : r0 + kernel[0], max(c0, 0) : c0 + kernel[1]]
                out[i, a, b] = ref_region(region, mode, **params)
    return out


def _data(mode, shape=(3, 10, 40), seed=0):
    rng = np.random.default_rng(seed)
    if mode in NONNEG:
        return rng.gamma(1.0, 1.0, shape).astype(np.float32)
    return rng.normal(0.0, 2.0, shape).astype(np.float32)


def _shared_data():
    env = os.environ.get("SKAUDIO_SHARED_DATA")
    root = Path(env) if env else Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
    return root


@pytest.fixture(scope="module")
def real_power():
    """Mel power spectrograms of three ESC-10 clips (skips without the shared data)."""
    folder = _shared_data() / "esc10" / "audio"
    if not folder.is_dir():
        pytest.skip("shared ESC-10 data not available")
    import soundfile as sf

    from skaudio.features import MelSpectrogram

    files = sorted(folder.glob("*.wav"))[:3]
    X = np.stack([sf.read(f, dtype="float32")[0][: 44100 * 2] for f in files])
    return MelSpectrogram(sr=44100, n_fft=1024, hop_length=512, n_mels=64, to_db=False).fit_transform(X)


@pytest.mark.parametrize("mode", POOLING_METHODS)
@pytest.mark.parametrize(
    "geometry",
    [
        ((2, 2), None, (0, 0), False),
        ((3, 2), (2, 3), (1, 1), False),
        ((3, 4), (2, 3), (1, 2), True),
        ((1, 40), None, (0, 0), False),
        ((4, 4), (1, 2), (0, 0), False),
    ],
)
def test_matches_reference_random(mode, geometry):
    kernel, stride, pad, ceil_mode = geometry
    S = _data(mode)
    params = PARAMS.get(mode, {})
    got = pool2d(S, mode, kernel, stride, pad, ceil_mode=ceil_mode, **params)
    want = ref_pool(S, mode, kernel, stride or kernel, pad, ceil_mode, **params)
    assert got.dtype == np.float32 and got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=2e-5, atol=2e-5)


@pytest.mark.parametrize("mode", POOLING_METHODS)
def test_matches_reference_real(mode, real_power):
    from skaudio.features import PowerToDb

    S = real_power if mode in NONNEG else PowerToDb().fit_transform(real_power)
    if mode in NONNEG:
        S = S / S.max()  # keeps the float64 reference's x**n well inside range
    got = pool2d(S, mode, **PARAMS.get(mode, {}))
    want = ref_pool(S, mode, (2, 2), (2, 2), **PARAMS.get(mode, {}))
    scale = np.abs(want).max()
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6 * scale)


@pytest.mark.parametrize(
    "size,k,s,pad,ceil_mode",
    [
        (10, 2, 2, 0, False),
        (11, 2, 2, 0, False),
        (11, 2, 2, 0, True),
        (11, 3, 2, 1, True),
        (7, 4, 3, 2, False),
        (7, 4, 3, 2, True),
        (431, 2, 2, 0, False),
        (431, 3, 1, 1, False),
    ],
)
def test_output_shape_and_compression(size, k, s, pad, ceil_mode):
    import torch

    S = np.zeros((1, size, size), np.float32)
    out = pool2d(S, "max", (k, k), (s, s), (pad, pad), ceil_mode=ceil_mode)
    t = torch.nn.functional.max_pool2d(torch.zeros(1, 1, size, size), k, s, pad, ceil_mode=ceil_mode)
    assert out.shape[1:] == tuple(t.shape[2:]) == pool_output_size((size, size), k, s, pad, ceil_mode)
    assert S[0].size / out[0].size == pytest.approx(size * size / (t.shape[2] * t.shape[3]))
    if (k, s, pad, ceil_mode) == (2, 2, 0, False) and size % 2 == 0:
        assert S[0].size / out[0].size == 4.0


MEAN_LIKE = [m for m in POOLING_METHODS if m not in ("max", "min")]


@pytest.mark.parametrize("mode", POOLING_METHODS)
def test_constant_input_gives_the_constant(mode):
    c = 3.25
    S = np.full((2, 6, 8), c, np.float32)
    np.testing.assert_allclose(pool2d(S, mode, (3, 4), **PARAMS.get(mode, {})), c, rtol=1e-6)


@pytest.mark.parametrize("mode", [m for m in MEAN_LIKE if m != "lnp"])
def test_mean_like_modes_lie_between_min_and_max(mode):
    S = _data(mode, (4, 12, 12), seed=3)
    out = pool2d(S, mode, (3, 3), **PARAMS.get(mode, {}))
    lo = pool2d(S, "min", (3, 3))
    hi = pool2d(S, "max", (3, 3))
    assert np.all(out >= lo - 1e-5) and np.all(out <= hi + 1e-5)


def test_lnp_between_mean_and_max_of_abs():
    S = _data("lnp", (2, 8, 8), seed=4)
    out = pool2d(S, "lnp", (2, 2), p=3.0)
    A = np.abs(S)
    assert np.all(out >= pool2d(A, "average") - 1e-5) and np.all(out <= pool2d(A, "max") + 1e-5)


def test_limits():
    S = _data("average", (2, 8, 10), seed=5)
    A = np.abs(S)
    mean, mx, mn = pool2d(S, "average"), pool2d(S, "max"), pool2d(S, "min")
    np.testing.assert_allclose(pool2d(S, "lse", r=1e-6), mean, atol=1e-4)
    np.testing.assert_allclose(pool2d(S, "lse", r=1e4), mx, atol=1e-3)
    np.testing.assert_allclose(pool2d(S, "auto", a=0.0), mean, atol=1e-6)
    np.testing.assert_allclose(pool2d(S, "auto", a=1e4), mx, atol=1e-5)
    np.testing.assert_allclose(pool2d(S, "auto", a=-1e4), mn, atol=1e-5)
    np.testing.assert_allclose(pool2d(S, "lnp", p=1.0), pool2d(A, "average"), atol=1e-6)
    np.testing.assert_allclose(pool2d(S, "lnp", p=1.0, padding=1), pool2d(A, "average", padding=1), atol=1e-6)
    np.testing.assert_allclose(pool2d(S, "lnp", p=500.0), pool2d(A, "max"), rtol=5e-3)
    np.testing.assert_allclose(pool2d(A, "power", n=0.0), pool2d(A, "average"), atol=1e-6)
    np.testing.assert_allclose(pool2d(A, "power", n=1.0), pool2d(A, "lsp"), rtol=1e-6)
    np.testing.assert_allclose(pool2d(S, "mixed", a=1.0), mx, atol=0)
    np.testing.assert_allclose(pool2d(S, "mixed", a=0.0), mean, atol=1e-6)
    np.testing.assert_allclose(pool2d(S, "attention", v=0.0), mean, atol=1e-6)
    np.testing.assert_allclose(pool2d(S, "esp"), pool2d(S, "auto", a=1.0), atol=1e-6)


@pytest.mark.parametrize("mode", POOLING_METHODS)
def test_zero_regions_and_extreme_values_stay_finite(mode):
    S = np.zeros((2, 8, 8), np.float32)
    np.testing.assert_array_equal(pool2d(S, mode), 0.0)
    rng = np.random.default_rng(6)
    if mode in NONNEG:
        X = (10.0 ** rng.uniform(-12, 12, (2, 8, 8))).astype(np.float32)  # 240 dB of power
        X[0, :4] = 0.0
    else:
        X = rng.uniform(-300, 300, (2, 8, 8)).astype(np.float32)  # far beyond any dB range
    params = {"lse": {"r": 10.0}, "auto": {"a": 50.0}, "power": {"n": 3.0}, "lnp": {"p": 40.0}}.get(mode, {})
    out = pool2d(X, mode, **params)
    assert np.isfinite(out).all()
    assert np.all(out <= pool2d(X, "max") * (1 + 1e-6) + 1e-6) or mode == "lnp"


@pytest.mark.parametrize("mode", POOLING_METHODS)
def test_vectorised_path_matches_scalar_path_on_extreme_values(mode):
    # wide maps take the vectorised row path (float32 exp/log approximations); the
    # scalar float64 region loop is the yardstick on 240 dB power / +-300 inputs
    from skaudio._kernels.pooling import _MODE_ID, _generic_kernel

    rng = np.random.default_rng(7)
    if mode in NONNEG:
        X = (10.0 ** rng.uniform(-12, 12, (2, 8, 64))).astype(np.float32)
        X[0, :4] = 0.0
    else:
        X = rng.uniform(-300, 300, (2, 8, 64)).astype(np.float32)
    params = {
        "lse": {"r": 10.0},
        "auto": {"a": 50.0},
        "power": {"n": 3.0},
        "lnp": {"p": 40.0},
        "attention": {"v": 3.0},
    }.get(mode, {})
    fast = pool2d(X, mode, **params)
    full = dict(a=0.5, p=2.0, r=1.0, n=1.0, v=1.0)
    full.update(params)
    slow = np.empty_like(fast)
    _generic_kernel(_MODE_ID[mode])(
        X, 2, 2, 2, 2, 0, 0, slow, full["a"], full["p"], full["r"], full["n"], full["v"]
    )
    assert np.isfinite(fast).all()
    np.testing.assert_allclose(fast, slow, rtol=1e-5, atol=1e-5 * np.abs(slow).max())


def test_global_pool():
    S = _data("average", (2, 5, 7))
    np.testing.assert_allclose(global_pool(S, "average", "time"), S.mean(axis=2), rtol=1e-6)
    np.testing.assert_allclose(global_pool(S, "max", "freq"), S.max(axis=1))
    np.testing.assert_allclose(global_pool(S, "min", "both")[:, 0], S.min(axis=(1, 2)))


def test_input_is_not_modified_and_2d_input():
    S = _data("average", (1, 4, 6))
    before = S.copy()
    out3 = pool2d(S, "esp")
    np.testing.assert_array_equal(S, before)
    np.testing.assert_array_equal(pool2d(S[0], "esp"), out3[0])


def test_errors():
    S = _data("average")
    with pytest.raises(ValueError, match="method must be one of average, max"):
        pool2d(S, "median")
    with pytest.raises(ValueError, match="non-negative.*PowerToDb"):
        pool2d(S, "lsp")
    with pytest.raises(ValueError, match="p >= 1"):
        pool2d(S, "lnp", p=0.5)
    with pytest.raises(ValueError, match="r > 0"):
        pool2d(S, "lse", r=0.0)
    with pytest.raises(ValueError, match="0 <= a <= 1"):
        pool2d(S, "mixed", a=2.0)
    with pytest.raises(ValueError, match="padding"):
        pool2d(S, "average", (2, 2), padding=2)
    with pytest.raises(ValueError, match="does not fit"):
        pool2d(S, "average", (20, 2))
    with pytest.raises(TypeError, match="kernel_size"):
        pool2d(S, "average", "2x2")
    bad = S.copy()
    bad[0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        pool2d(bad, "average")
    assert math.isfinite(float(pool2d(S, "average").sum()))


@pytest.mark.parametrize("mode", POOLING_METHODS)
@pytest.mark.parametrize("axis", ["time", "freq", "both"])
def test_global_pool_matches_reference(mode, axis):
    S = _data(mode, (3, 12, 50), seed=8)
    params = PARAMS.get(mode, {})
    kernel = {"time": (1, 50), "freq": (12, 1), "both": (12, 50)}[axis]
    want = ref_pool(S, mode, kernel, kernel, **params).reshape(3, -1)
    got = global_pool(S, mode, axis, **params)
    np.testing.assert_allclose(got, want, rtol=2e-5, atol=2e-5 * np.abs(want).max())


@pytest.mark.parametrize("scale", [1e-8, 1e-3, 1.0, 30.0])
def test_lse_keeps_precision_for_values_much_smaller_than_one_over_r(scale):
    # log(mean(exp(r x))) cancels badly when r * (max - min) << 1; both vectorised
    # paths must still agree with the float64 reference relative to the values
    rng = np.random.default_rng(9)
    S = (rng.gamma(1.0, 1.0, (2, 12, 40)) * scale).astype(np.float32)
    want = ref_pool(S, "lse", (2, 2), (2, 2), r=1.0)
    np.testing.assert_allclose(pool2d(S, "lse"), want, rtol=2e-5)
    assert (pool2d(S, "lse") >= 0).all()
    np.testing.assert_allclose(
        global_pool(S, "lse", "time"), ref_pool(S, "lse", (1, 40), (1, 40)).reshape(2, -1), rtol=2e-5
    )


# -- the whole float32 range (issue 28) ---------------------------------------------------
def _paths(S, mode, **params):
    """The three kernel paths on one batch: 2x2 regions on the vectorised float32 row path
    (at least 8 regions a row), the float64 region loop (fewer), and whole rows (global)."""
    return {
        "regions": (pool2d(S, mode, **params), ref_pool(S, mode, (2, 2), (2, 2), **params)),
        "generic": (
            pool2d(S[:, :, :14], mode, **params),
            ref_pool(S[:, :, :14], mode, (2, 2), (2, 2), **params),
        ),
        "whole": (
            global_pool(S, mode, "time", **params),
            ref_pool(S, mode, (1, S.shape[2]), (1, S.shape[2]), **params).reshape(S.shape[0], -1),
        ),
    }


@pytest.mark.parametrize("mode", POOLING_METHODS)
@pytest.mark.parametrize("scale", [1e-38, 1e-25, 1e-20, 1e20, 1e30, 1e38])
def test_every_path_is_exact_across_the_float32_range(mode, scale):
    # values ~1e-25 underflowed to 0 in lsp's float32 squares, >= 1.9e19 overflowed them;
    # attention's float32 variance did the same; sums of values near 3e38 overflowed esp,
    # auto, power and entropy; lse on the float64 path returned the max for tiny spreads
    rng = np.random.default_rng(28)
    X = rng.random((2, 8, 16)) + 0.1
    if mode not in NONNEG:
        X[1] -= 0.6  # both signs
    X = (X / np.abs(X).max() * scale * 3.0).astype(np.float32)
    for path, (got, want) in _paths(X, mode, **PARAMS.get(mode, {})).items():
        assert np.isfinite(got).all(), (path, got)
        np.testing.assert_allclose(got, want, rtol=2e-5, atol=1e-6 * np.abs(want).max(), err_msg=path)


def test_lsp_of_large_values_is_their_value():
    S = np.full((1, 2, 16), 2e19, np.float32)  # the reproducer: all inf on 16 frames
    np.testing.assert_array_equal(pool2d(S, "lsp"), np.float32(2e19))
    np.testing.assert_array_equal(pool2d(S[:, :, :14], "lsp"), np.float32(2e19))
    np.testing.assert_array_equal(global_pool(np.full((1, 8, 16), 2e19, np.float32), "lsp"), np.float32(2e19))


def test_entropy_picks_the_right_cell_near_the_float32_maximum():
    S = np.full((1, 2, 16), 3e38, np.float32)
    S[0, 0, ::2] = 1e38  # each region: 1e38, 3e38, 3e38, 3e38 -> q = 0.1, 0.3: picks 3e38
    np.testing.assert_array_equal(pool2d(S, "entropy"), np.float32(3e38))
    np.testing.assert_array_equal(pool2d(S[:, :, :14], "entropy"), np.float32(3e38))


@pytest.mark.parametrize("scale", [1e-21, 1e20, 1e35])
def test_attention_does_not_depend_on_the_units(scale):
    # its float32 variance under- or overflowed: >= 1e20 the weights fell back to the mean
    # (below ~1e-21 the 1e-30 of the z-score's denominator is no longer negligible)
    S = _data("attention", (2, 4, 32), seed=10)
    want = pool2d(S, "attention", v=2.0)
    np.testing.assert_allclose(pool2d(S * np.float32(scale), "attention", v=2.0) / scale, want, rtol=1e-5)


@pytest.mark.parametrize("r", [1e-20, 1e-6])
def test_lse_with_small_r_is_the_mean_on_every_path(r):
    S = _data("lse", (2, 4, 14), seed=11)
    for width in (14, 16):  # float64 region loop, vectorised float32 rows
        mean = pool2d(S[:, :, :width], "average")
        np.testing.assert_allclose(pool2d(S[:, :, :width], "lse", r=r), mean, rtol=1e-5, atol=1e-5)
    # values far below 1 / r: r (x - max) is below float64 resolution next to 1
    tiny = (np.abs(S) * np.float32(1e-20)).astype(np.float32)
    np.testing.assert_allclose(
        pool2d(tiny[:, :, :14], "lse") / 1e-20, pool2d(tiny[:, :, :14], "average") / 1e-20, rtol=1e-5
    )


@pytest.mark.parametrize(
    "method, param, value",
    [
        ("lse", "r", 1e39),
        ("lse", "r", 1e-46),
        ("auto", "a", 1e39),
        ("auto", "a", -1e39),
        ("attention", "v", 1e39),
        ("power", "n", 1e308),
        ("power", "n", 1e-46),
        ("lnp", "p", 1e39),
    ],
)
def test_parameters_outside_float32_are_refused(method, param, value):
    # the kernels compute in float32: these became inf or 0 there (all NaN, or power's n = 0 rule)
    S = _data("power", (1, 4, 16))
    with pytest.raises(ValueError, match=re.escape(f"{param}={value:g}") + ".*float32"):
        pool2d(S, method, **{param: value})
    with pytest.raises(ValueError, match=re.escape(f"{param}={value:g}") + ".*float32"):
        global_pool(S, method, "time", **{param: value})
    # the parameters of other methods are not the kernels' business, nor mixed's a (float64)
    pool2d(S, "average", **{param: value})
    if param == "a" and value > 0:
        pool2d(S, "mixed", a=1e-46)


@pytest.mark.parametrize("mode, params", [("lnp", {"p": 11.0}), ("power", {"n": 0.001})])
def test_values_whose_ratio_to_the_region_max_underflows(mode, params):
    # 9e-32 / 1.3e14 underflows to 0 in float32: that cell weighed 1, not 0 (lnp p=11 6 %
    # high), and 0.9, not 0, with power n=0.001; _vlog takes normal ratios only
    S = np.zeros((1, 2, 16), np.float32)
    S[0, 0, 0], S[0, 0, 1] = 9.1e-32, 1.3e14
    S[0, 0, 2], S[0, 0, 3] = 1e-40, 1.0
    want = ref_pool(S, mode, (2, 2), (2, 2), **params)
    np.testing.assert_allclose(pool2d(S, mode, **params), want, rtol=1e-5, atol=1e-30)


# -- the rescue kernel (issue 28's cold start) ----------------------------------------------
@pytest.mark.parametrize("mode", ["lsp", "power", "esp", "auto", "lse", "entropy", "attention"])
def test_only_the_rows_out_of_range_are_pooled_again(mode, monkeypatch):
    # the scaled rows are a kernel of their own, compiled for the first map that needs it
    # (inlined beside the unscaled rows they tripled every first call's compile time):
    # ordinary maps never call it, and it pools again only the jobs the row kernel marked
    from skaudio._kernels import pooling

    marked = []
    real = pooling._rescue_kernel

    def spy(method, layout):
        kernel = real(method, layout)

        def run(S, kf, kt, sf, st, out, bad, *params):
            marked.append((layout, np.flatnonzero(bad).tolist()))
            kernel(S, kf, kt, sf, st, out, bad, *params)

        return run

    monkeypatch.setattr(pooling, "_rescue_kernel", spy)
    params = {} if mode == "power" else PARAMS.get(mode, {})  # power's n = 1: the LSP rows
    S = _data(mode, (3, 8, 16), seed=5)  # 8 rows, 16 frames: the row kernels' paths
    ordinary = {
        "regions": pool2d(S, mode, **params),
        "time": global_pool(S, mode, "time", **params),
        "freq": global_pool(S, mode, "freq", **params),
    }
    assert marked == []
    # map 1's frequency rows 2-3 (output row 1 of 2x2 regions): values ~1e-35, whose float32
    # squares, products with the weights or sums leave the unscaled formulas' range
    S[1, 2:4] *= np.float32(1e-35)
    got = {
        "regions": pool2d(S, mode, **params),
        "time": global_pool(S, mode, "time", **params),
        "freq": global_pool(S, mode, "freq", **params),
    }
    # job = clip * n_rows + row; over frequency (whole columns) each column also holds
    # ordinary values, whichever way the method's check decides
    assert sorted(m for m in marked if m[0] != pooling._WHOLE_COLUMNS) == [
        (pooling._REGIONS, [5]),
        (pooling._WHOLE_ROWS, [1]),
    ]
    want = {
        "regions": ref_pool(S, mode, (2, 2), (2, 2), **params),
        "time": ref_pool(S, mode, (1, 16), (1, 16), **params).reshape(3, -1),
        "freq": ref_pool(S, mode, (8, 1), (8, 1), **params).reshape(3, -1),
    }
    for key in got:
        np.testing.assert_allclose(got[key], want[key], rtol=2e-5, atol=1e-41, err_msg=key)
    # the rows left alone are the ordinary map's, bit for bit
    np.testing.assert_array_equal(got["regions"][[0, 2]], ordinary["regions"][[0, 2]])
    np.testing.assert_array_equal(got["regions"][1, [0, 2, 3]], ordinary["regions"][1, [0, 2, 3]])
    np.testing.assert_array_equal(got["time"][[0, 2]], ordinary["time"][[0, 2]])
