"""The twelve pooling methods of [POOL] over batches of spectrograms (numba).

Every method reduces the values of one rectangular *region* of a map to a
number. Regions are laid out as in ``torch.nn.functional.avg_pool2d``:

* a window of ``kernel_size = (kf, kt)`` cells moves by ``stride = (sf, st)``
  (default: the kernel, so regions tile the map without overlap);
* ``padding = (pf, pt)`` adds ``pf`` virtual rows above and below and ``pt``
  virtual columns left and right (at most half the kernel); padded cells are
  **not** values: a region is the intersection of its window with the map,
  and every method is computed over the real cells it holds (``N`` below is
  their number);
* the output has ``floor((F + 2 pf - kf) / sf) + 1`` rows (columns alike):
  trailing cells that cannot fill a window are dropped; with
  ``ceil_mode=True`` they form one last, partial region instead (torch's
  rule: a window is kept when it starts inside the map or its left padding).

A region whose values are all zero pools to 0 in every method. Exponentials
are evaluated after subtracting the region's maximum exponent, so no method
overflows on large dB ranges, and the float32 row kernels pool a row whose
regions leave float32's range again with each region scaled by a power of
two (exact), so any finite float32 input, from 1e-45 to 3.4e38, pools
without overflow or underflow (see "Float32 range" below).
``tests/_kernels/test_pooling_kernels.py`` checks each method against an
independent numpy reference.

Three code paths compute the same formulas:

* ``_rows_kernel(method, _REGIONS)`` — windows that fit without padding, at least 8 regions
  per row and at most 64 cells per region (the common 2x2 case): each
  output row is gathered as a ``(cells, regions)`` block and reduced along
  contiguous rows, with float32 ``exp``/``log`` approximations (relative
  error < 3e-7) that vectorise, where libm would be called per element;
* ``_rows_kernel(method, _WHOLE_ROWS or _WHOLE_COLUMNS)`` — whole rows or
  columns (``global_pool``), same row functions with float64 sums;
* ``_generic_kernel`` — everything else (padding, partial edge regions,
  narrow maps), one region at a time in float64 with libm.

Each is built and compiled per method on first use (one to two seconds on a
laptop core, cached on disk by numba afterwards), so a new process pays only
for the methods it calls; the float32 rows' range rescue (see "Float32 range"
below) is a kernel of its own, compiled only for a map that needs it. They
stay numba parfors (``prange``) although that costs about a second of compile
time each (see :mod:`skaudio._kernels._parallel`):
numba compiles a parfor body knowing its arrays do not alias, and without
that the softmax-, entropy- and attention-type methods ran 1.2-3.5x slower.
Tests check that the vectorised paths equal the float64 region loop.
"""

import functools
import math
from numbers import Real

import numpy as np
from numba import njit, prange, types
from numba.extending import overload
from numpy.typing import ArrayLike

from skaudio._deprecation import renamed_keyword
from skaudio._kernels._fastmath import _vexp, _vlog
from skaudio._kernels.pooling_table import BY_NAME, DEFAULT_PARAMS, NONNEGATIVE_METHODS, POOLING_METHODS
from skaudio._validation import freq_time_pair

__all__ = [
    "POOLING_METHODS",
    "NONNEGATIVE_METHODS",
    "DEFAULT_PARAMS",
    "pool2d",
    "pool_output_size",
    "global_pool",
    "check_batch",
    "check_pool_geometry",
    "check_method_params",
]

# the method names, the non-negative ones and the parameter defaults: derived from the
# one table of pooling methods (``pooling_table.POOLING_TABLE``)
# the vectorised path pays off for many regions per row and small regions
_FAST_MIN_COLUMNS = 8
_FAST_MAX_REGION = 64
_MODE_ID = {name: i for i, name in enumerate(POOLING_METHODS)}
# the magnitudes a nonzero method parameter may have: float32's smallest subnormal and largest
_F32_TINY = float(np.finfo(np.float32).smallest_subnormal)
_F32_MAX = float(np.finfo(np.float32).max)
# each method's number in the kernels, read from the table by name (so its order is free)
_AVERAGE, _MAX, _MIN, _MIXED, _LSP, _ESP, _LNP, _LSE, _AUTO, _POWER, _ENTROPY, _ATTENTION = (
    _MODE_ID[name]
    for name in ("average", "max", "min", "mixed", "lsp", "esp",
                 "lnp", "lse", "auto", "power", "entropy", "attention")
)  # fmt: skip


# -- one region (float64, libm) --------------------------------------------------
# Each method has its own small function; the kernels below are built per method (see
# "compiling one method at a time"), so a first call compiles only the formula it uses.
# The functions share one signature, ``(buf, m, method, a, p, r, n, v)``: ``buf[:m]``
# holds the region's values in float64.
@njit(cache=True, inline="always")
def _expm1_over_t(t):
    """``expm1(t) / t`` by its Taylor series to t**6 (float32): exact to float32 for the
    small |t| the lse kernels use it for, where ``exp(t) - 1`` loses every digit."""
    return np.float32(1.0) + t * (
        np.float32(0.5)
        + t
        * (
            np.float32(1.0 / 6.0)
            + t
            * (
                np.float32(1.0 / 24.0)
                + t * (np.float32(1.0 / 120.0) + t * (np.float32(1.0 / 720.0) + t * np.float32(1.0 / 5040.0)))
            )
        )
    )


@njit(cache=True, inline="always")
def _softmax_weighted(buf, m, scale):
    """sum x exp(scale x) / sum exp(scale x), shifted by the largest exponent."""
    top = scale * buf[0]
    for i in range(1, m):
        s = scale * buf[i]
        if s > top:
            top = s
    num = 0.0
    den = 0.0
    for i in range(m):
        w = math.exp(scale * buf[i] - top)
        num += w * buf[i]
        den += w
    return num / den


@njit(cache=True, inline="always")
def _region_mean(buf, m):
    s = 0.0
    for i in range(m):
        s += buf[i]
    return s / m


@njit(cache=True, inline="always")
def _region_lsp(buf, m):
    s = 0.0
    s2 = 0.0
    for i in range(m):
        s += buf[i]
        s2 += buf[i] * buf[i]
    return s2 / s if s > 0.0 else 0.0


def _region_average(buf, m, method, a, p, r, n, v):
    return _region_mean(buf, m)


def _region_max(buf, m, method, a, p, r, n, v):
    hi = buf[0]
    for i in range(1, m):
        hi = max(hi, buf[i])
    return hi


def _region_min(buf, m, method, a, p, r, n, v):
    lo = buf[0]
    for i in range(1, m):
        lo = min(lo, buf[i])
    return lo


def _region_mixed(buf, m, method, a, p, r, n, v):
    hi = buf[0]
    s = 0.0
    for i in range(m):
        s += buf[i]
        hi = max(hi, buf[i])
    return a * hi + (1.0 - a) * (s / m)


def _region_lsp_method(buf, m, method, a, p, r, n, v):
    return _region_lsp(buf, m)


def _region_esp(buf, m, method, a, p, r, n, v):
    return _softmax_weighted(buf, m, 1.0)


def _region_auto(buf, m, method, a, p, r, n, v):
    return _softmax_weighted(buf, m, a)


def _region_lnp(buf, m, method, a, p, r, n, v):
    # scaled by the largest |x| so |x|**p neither overflows nor underflows
    big = 0.0
    for i in range(m):
        big = max(big, abs(buf[i]))
    if big == 0.0:
        return 0.0
    s = 0.0
    if p == 1.0:
        for i in range(m):
            s += abs(buf[i])
        return s / m
    if p == 2.0:
        for i in range(m):
            u = buf[i] / big
            s += u * u
        return big * math.sqrt(s / m)
    for i in range(m):
        s += (abs(buf[i]) / big) ** p
    return big * (s / m) ** (1.0 / p)


def _region_lse(buf, m, method, a, p, r, n, v):
    # log(mean exp(r x)) = r top + log1p(mean expm1(r (x - top))): where r (x - top) is
    # below float64 resolution next to 1 (1.1e-16; values ~1e-20 with r = 1, or r = 1e-20),
    # exp() rounds every term to 1 and log(mean) to 0, which returned the max instead of
    # the small-r limit (the mean); expm1 and log1p keep it, as the row kernels' series does
    top = buf[0]
    for i in range(1, m):
        top = max(top, buf[i])
    s = 0.0
    for i in range(m):
        s += math.expm1(r * (buf[i] - top))
    return top + math.log1p(s / m) / r


def _region_power(buf, m, method, a, p, r, n, v):
    if n == 0.0:
        return _region_mean(buf, m)
    if n == 1.0:
        return _region_lsp(buf, m)
    big = 0.0
    for i in range(m):
        big = max(big, buf[i])
    if big == 0.0:
        return 0.0
    num = 0.0
    den = 0.0
    for i in range(m):
        w = (buf[i] / big) ** n
        num += w * buf[i]
        den += w
    return num / den


def _region_entropy(buf, m, method, a, p, r, n, v):
    s = 0.0
    for i in range(m):
        s += buf[i]
    if s <= 0.0:
        return 0.0
    best = -1.0
    pick = 0.0
    for i in range(m):
        q = buf[i] / s
        h = -q * math.log(q) if q > 0.0 else 0.0
        if h > best:
            best = h
            pick = buf[i]
    return pick


def _region_attention(buf, m, method, a, p, r, n, v):
    # softmax of v * z, z the region's standardised values
    s = 0.0
    big = 0.0
    for i in range(m):
        s += buf[i]
        big = max(big, abs(buf[i]))
    mean = s / m
    var = 0.0
    for i in range(m):
        d = buf[i] - mean
        var += d * d
    scale = v / (math.sqrt(var / m) + 1e-6 * big + 1e-30)
    top = scale * (buf[0] - mean)
    for i in range(1, m):
        top = max(top, scale * (buf[i] - mean))
    num = 0.0
    den = 0.0
    for i in range(m):
        w = math.exp(scale * (buf[i] - mean) - top)
        num += w * buf[i]
        den += w
    return num / den


# -- whole rows of regions (float32 data, vectorised) ---------------------------------
# ``vals`` is ``(K, L)``: column ``j`` holds the K values of region ``j``, so every loop
# runs over contiguous memory and vectorises. ``acc_dtype`` is the accumulators' dtype:
# float32 for small regions (twice the SIMD width), float64 for long ones (global
# pooling). Scratch arrays are allocated here, not passed in, so the compiler knows
# they do not alias and vectorises the loops.
# Float32 range (issue 28). Each row is first pooled by today's float32 formulas (the
# ``_fast`` functions), which also count, without a branch, the regions that left their
# exact range: squares or sums that overflowed (lsp from 1.9e19 on, esp, auto, power and
# entropy near 3e38), values so small that float32 squares or products underflow (lsp
# near 1e-25, attention's variance), r x or a x that overflowed (NaN) or underflowed.
# Such a row, rare, is pooled again by the ``_scaled`` functions (``_rescue_kernel``, a
# kernel of its own that a process compiles only when a map needs it): each region multiplied
# by the power of two that brings its largest |x| into [1, 2) (into [2, 4) above 2**127),
# the result divided by it again. A power of two rounds nothing, so both give the same
# numbers wherever the unscaled formula was exact, and ordinary maps pay only the count.
# In the scaled functions the exponents of esp, auto, lse and attention are formed as
# ``scale * (u - u_ref)`` on the scaled values u, ``scale`` clamped to 2**100: a product
# of two finite float32 numbers, never inf - inf (the NaN of r = 1e30 on values of 1e10);
# the clamp changes a weight only where two values differ by less than 2**-100 of the
# region's largest. ``entropy`` compares logarithms, whose rounding a scale does change,
# so it scales only regions whose largest |x| lies outside [2**-56, 2**57).
_SCALE_LOW = np.int32(-56)
_SCALE_HIGH = np.int32(56)
_EXP_MIN = np.int32(-126)
_EXP_MAX = np.int32(126)
_EXP_BIAS = np.int32(127)
_MANT_BITS = np.int32(23)
_CLAMP = np.float32(2.0**100)
_UNCLAMP = np.float32(2.0**-100)
_ONE = np.float32(1.0)
_ZERO = np.float32(0.0)
_EPS_STD = np.float32(1e-6)
_EPS_TINY = np.float32(1e-30)
_SERIES_MAX = np.float32(-0.35)
_F32_BIG = np.float32(np.finfo(np.float32).max)
_ATT_LOW = np.float32(2.0**-30)
_ATT_HIGH = np.float32(2.0**57)
_ENT_HIGH = np.float32(2.0**100)
_ATT_EXP = np.float32(2.0**14)
_NORMAL = np.float32(2.0**-126)
_TWO64 = np.float32(2.0**64)
_LOG_TWO64 = np.float32(64 * np.log(2.0))


@njit(cache=True, inline="always")
def _rows_abs_max(vals, big):
    """big[:L] <- the largest |x| of each column."""
    K, L = vals.shape
    for j in range(L):
        big[j] = abs(vals[0, j])
    for k in range(1, K):
        row = vals[k]
        for j in range(L):
            big[j] = max(big[j], abs(row[j]))


@njit(cache=True, inline="always")
def _rows_scale(big, inv, ibuf, L, always):
    """inv[:L] <- the power of two that maps ``big`` (>= 0) into [1, 2); unless ``always``,
    1 where ``big`` lies inside [2**-56, 2**57) (see "Float32 range" above)."""
    bits = big[:L].view(np.int32)
    for j in range(L):
        e = (bits[j] >> _MANT_BITS) - _EXP_BIAS  # big >= 0: no sign bit; 0 and subnormals: -127
        k = min(max(-e, _EXP_MIN), _EXP_MAX)
        ibuf[j] = ((k if (always or e > _SCALE_HIGH or e < _SCALE_LOW) else 0) + _EXP_BIAS) << _MANT_BITS
    pw = ibuf[:L].view(np.float32)
    for j in range(L):
        inv[j] = pw[j]


# -- the unscaled row functions: today's formulas, for regions in the ordinary range -----
# Each returns whether a region of its row left the range where the unscaled float32
# formula is exact (see "Float32 range" above); the row is then pooled again by the
# ``_scaled`` version (in ``_rescue_kernel``), so ordinary maps pay only that count and
# give today's results.
@njit(cache=True, inline="always")
def _rows_lsp_fast(vals, y, acc_dtype):
    K, L = vals.shape
    num = np.zeros(L, acc_dtype)
    den = np.zeros(L, acc_dtype)
    for k in range(K):
        row = vals[k]
        for j in range(L):
            num[j] += row[j] * row[j]
            den[j] += row[j]
    # squares overflowed (inf), or underflowed (sum of squares below 2**-100); counted
    # without a branch, so that the loop stays vectorised (a branch cost 40 % of lsp),
    # in the loop that writes y (as in esp)
    bad = 0
    for j in range(L):
        y[j] = num[j] / den[j] if den[j] > 0 else np.float32(0.0)
        bad += (num[j] > _F32_BIG) | ((den[j] > 0) & (num[j] < _UNCLAMP))
    return bad > 0


@njit(cache=True, inline="always")
def _column_max(vals, scale):
    """The largest ``scale * x`` of each column of ``vals`` (the shift of the softmax-type rows)."""
    K, L = vals.shape
    hi = np.empty(L, np.float32)
    for j in range(L):
        hi[j] = scale * vals[0, j]
    for k in range(1, K):
        row = vals[k]
        for j in range(L):
            hi[j] = max(hi[j], scale * row[j])
    return hi


@njit(cache=True, inline="always")
def _rows_softmax_fast(vals, y, scale, acc_dtype):
    """sum x exp(scale x) / sum exp(scale x) of each column, shifted by its largest exponent."""
    K, L = vals.shape
    num = np.zeros(L, acc_dtype)
    den = np.zeros(L, acc_dtype)
    w = np.empty(L, np.float32)
    ibuf = np.empty(L, np.int32)
    hi = _column_max(vals, scale)
    for k in range(K):
        row = vals[k]
        for j in range(L):
            w[j] = scale * row[j] - hi[j]
        _vexp(w, ibuf, L)
        for j in range(L):
            num[j] += w[j] * row[j]
            den[j] += w[j]
    # NaN / inf (a product or sum overflowed), or values so small that float32 holds
    # their products with the weights as subnormals: counted without a branch, in the
    # loop that writes y (saves a second pass over y)
    bad = 0
    for j in range(L):
        y[j] = num[j] / den[j]
        a_y = abs(y[j])
        bad += (a_y > _F32_BIG) | (a_y != a_y) | ((a_y != 0) & (a_y < _UNCLAMP))  # a_y != a_y: NaN
    return bad > 0


@njit(cache=True, inline="always")
def _rows_lse_fast(vals, y, method, a, p, r, n, v, acc_dtype):
    K, L = vals.shape
    scale = np.float32(r)
    den = np.zeros(L, acc_dtype)
    w = np.empty(L, np.float32)
    lg = np.empty(L, np.float32)
    ibuf = np.empty(L, np.int32)
    ebuf = np.empty(L, np.int32)
    hi = _column_max(vals, scale)
    for k in range(K):
        row = vals[k]
        for j in range(L):
            w[j] = scale * row[j] - hi[j]
            lg[j] = w[j]
        _vexp(w, ibuf, L)
        # sum of expm1(t), t = r x - max: for small |t| the series, not exp(t) - 1,
        # so a region whose values differ by far less than 1/r keeps its precision
        for j in range(L):
            t = lg[j]
            q = t * _expm1_over_t(t)
            den[j] += q if t > np.float32(-0.35) else w[j] - np.float32(1.0)
    # log(mean exp(t)) = log1p(mean expm1(t)); log1p(s) = log(u) * s / (u - 1), u = 1 + s
    for j in range(L):
        w[j] = np.float32(1.0) + den[j] / K
    _vlog(w, lg, ibuf, ebuf, L)
    for j in range(L):
        sm = den[j] / K
        u1 = w[j] - np.float32(1.0)
        l1p = sm if u1 == 0 else lg[j] * (sm / u1)
        y[j] = (hi[j] + l1p) / scale
    # NaN / inf (r x overflowed), or a region whose r x underflows (its largest r x is
    # below 2**-100: look for a nonzero value with r |x| that small; the all-zero regions
    # of digital silence and a 0 dB maximum next to ordinary levels pass)
    bad = 0
    small = 0
    for j in range(L):
        bad += (abs(y[j]) > _F32_BIG) | (y[j] != y[j])  # y[j] != y[j]: NaN
        small += abs(hi[j]) < _UNCLAMP
    if bad == 0 and small > 0:  # rare: look at those regions' values (one exit, as in entropy)
        for j in range(L):
            if abs(hi[j]) < _UNCLAMP:
                for k in range(K):
                    x = vals[k, j]
                    bad += (x != 0) & (abs(scale * x) < _UNCLAMP)
    return bad > 0


@njit(cache=True, inline="always")
def _rows_attention_fast(vals, y, method, a, p, r, n, v, acc_dtype):
    K, L = vals.shape
    num = np.zeros(L, acc_dtype)
    den = np.zeros(L, acc_dtype)
    mean = np.zeros(L, acc_dtype)
    scale = np.zeros(L, acc_dtype)
    w = np.empty(L, np.float32)
    ibuf = np.empty(L, np.int32)
    big = np.zeros(L, np.float32)
    for k in range(K):
        row = vals[k]
        for j in range(L):
            mean[j] += row[j]
            big[j] = max(big[j], abs(row[j]))
    # regions whose largest |x| lies outside [2**-30, 2**57) take the scaled version: there
    # float32 squares of the deviations could overflow, or underflow for deviations above
    # 1e-8 of the largest |x| (where they still weigh against the 1e-6 of the denominator)
    # (one exit, as in entropy: such a row's y is computed all the same, then overwritten)
    bad = 0
    for j in range(L):
        bad += (big[j] != 0) & ((big[j] < _ATT_LOW) | (big[j] >= _ATT_HIGH))
    for j in range(L):
        mean[j] = mean[j] * np.float32(1.0 / K)
    for k in range(K):
        row = vals[k]
        for j in range(L):
            d = row[j] - mean[j]
            scale[j] += d * d
    hi = np.empty(L, np.float32)
    for j in range(L):
        # scale now holds v / (std + eps) instead of the summed squares
        scale[j] = np.float32(v) / (
            np.sqrt(scale[j] * np.float32(1.0 / K)) + np.float32(1e-6) * big[j] + np.float32(1e-30)
        )
        hi[j] = scale[j] * (vals[0, j] - mean[j])
    for k in range(1, K):
        row = vals[k]
        for j in range(L):
            hi[j] = max(hi[j], scale[j] * (row[j] - mean[j]))
    for k in range(K):
        row = vals[k]
        for j in range(L):
            w[j] = scale[j] * (row[j] - mean[j]) - hi[j]
        _vexp(w, ibuf, L)
        for j in range(L):
            num[j] += w[j] * row[j]
            den[j] += w[j]
    for j in range(L):
        y[j] = num[j] / den[j]
    # v z overflowed; or its largest exponent exceeds 2**14, where rounding it to float32
    # (hi) while the exponents are float64 (whole rows) moves the largest weight by more
    # than exp(2**-10): the scaled version keeps hi in their dtype
    for j in range(L):
        bad += (abs(y[j]) > _F32_BIG) | (y[j] != y[j]) | (hi[j] > _ATT_EXP)
    return bad > 0


@njit(cache=True, inline="always")
def _rows_entropy_fast(vals, y, method, a, p, r, n, v, acc_dtype):
    # argmax of -q log q with q = x / s  <=>  argmax of x * (log s - log x)
    K, L = vals.shape
    den = np.zeros(L, acc_dtype)
    w = np.empty(L, np.float32)
    lg = np.empty(L, np.float32)
    log_s = np.empty(L, np.float32)
    ibuf = np.empty(L, np.int32)
    ebuf = np.empty(L, np.int32)
    for k in range(K):
        row = vals[k]
        for j in range(L):
            den[j] += row[j]
    # sums above 2**100 (x log(s / x) could overflow) or below 2**-100 (subnormal values,
    # which _vlog does not take) take the scaled version; such a row's y, computed all the
    # same, is overwritten there (one exit: with an early return here the first call
    # compiled in 10.4 s instead of 8.6 s, a loaded machine's medians)
    bad = 0
    for j in range(L):
        bad += (den[j] > _ENT_HIGH) | ((den[j] > 0) & (den[j] < _UNCLAMP))
    for j in range(L):
        lg[j] = den[j] if den[j] > 0 else np.float32(1.0)
    _vlog(lg, log_s, ibuf, ebuf, L)
    best = np.empty(L, np.float32)
    for j in range(L):
        best[j] = -1.0
        y[j] = 0.0
    for k in range(K):
        row = vals[k]
        for j in range(L):
            lg[j] = row[j] if row[j] > 0 else np.float32(1.0)
        _vlog(lg, w, ibuf, ebuf, L)
        for j in range(L):
            h = row[j] * (log_s[j] - w[j]) if row[j] > 0 else np.float32(0.0)
            if h > best[j]:
                best[j] = h
                y[j] = row[j]
    return bad > 0


@njit(cache=True, inline="always")
def _rows_mean_abs_sq(vals, y, square):
    """y <- mean of |x|, or sqrt(mean x**2) when ``square``, in float64."""
    K, L = vals.shape
    acc = np.zeros(L, np.float64)
    for k in range(K):
        row = vals[k]
        if square:
            for j in range(L):
                acc[j] += np.float64(row[j]) * row[j]
        else:
            for j in range(L):
                acc[j] += abs(row[j])
    if square:
        for j in range(L):
            y[j] = math.sqrt(acc[j] / K)
    else:
        for j in range(L):
            y[j] = acc[j] / K


@njit(cache=True, inline="always")
def _rows_lsp_scaled(vals, y, acc_dtype):
    K, L = vals.shape
    num = np.zeros(L, acc_dtype)
    den = np.zeros(L, acc_dtype)
    big = np.empty(L, np.float32)
    inv = np.empty(L, np.float32)
    ibuf = np.empty(L, np.int32)
    _rows_abs_max(vals, big)
    _rows_scale(big, inv, ibuf, L, True)
    for k in range(K):
        row = vals[k]
        for j in range(L):
            u = row[j] * inv[j]
            num[j] += u * u
            den[j] += u
    for j in range(L):
        y[j] = num[j] / den[j] / inv[j] if den[j] > 0 else _ZERO


@njit(cache=True, inline="always")
def _rows_softmax_scaled(vals, y, scale, acc_dtype):
    """sum x exp(scale x) / sum exp(scale x) of each column, shifted by its largest exponent."""
    K, L = vals.shape
    num = np.zeros(L, acc_dtype)
    den = np.zeros(L, acc_dtype)
    w = np.empty(L, np.float32)
    ibuf = np.empty(L, np.int32)
    hi = np.empty(L, np.float32)
    lo = np.empty(L, np.float32)
    inv = np.empty(L, np.float32)
    for j in range(L):
        hi[j] = vals[0, j]
        lo[j] = vals[0, j]
    for k in range(1, K):
        row = vals[k]
        for j in range(L):
            hi[j] = max(hi[j], row[j])
            lo[j] = min(lo[j], row[j])
    for j in range(L):
        w[j] = max(hi[j], -lo[j])
    _rows_scale(w, inv, ibuf, L, True)
    # exponents scale * (x - x_ref), x_ref the max (scale >= 0) or the min, in scaled units:
    # hi becomes the scaled x_ref, lo the scale in scaled units (``Float32 range``)
    for j in range(L):
        hi[j] = (hi[j] if scale >= 0 else lo[j]) * inv[j]
        lo[j] = min(max(scale / inv[j], -_CLAMP), _CLAMP)
    for k in range(K):
        row = vals[k]
        for j in range(L):
            w[j] = lo[j] * (row[j] * inv[j] - hi[j])
        _vexp(w, ibuf, L)
        for j in range(L):
            num[j] += w[j] * (row[j] * inv[j])
            den[j] += w[j]
    for j in range(L):
        y[j] = num[j] / den[j] / inv[j]


@njit(cache=True, inline="always")
def _rows_power_weighted(vals, y, ex, is_power, acc_dtype):
    """Weights ``(|x| / max|x|) ** ex``: the power mean of weights (power, ``is_power``)
    or the generalised mean ``max|x| * mean(w) ** (1 / ex)`` (lnp)."""
    K, L = vals.shape
    num = np.zeros(L, acc_dtype)
    den = np.zeros(L, acc_dtype)
    w = np.empty(L, np.float32)
    lg = np.empty(L, np.float32)
    ibuf = np.empty(L, np.int32)
    ebuf = np.empty(L, np.int32)
    hi = np.empty(L, np.float32)
    inv = np.empty(L, np.float32)
    _rows_abs_max(vals, hi)
    _rows_scale(hi, inv, ibuf, L, True)
    uz = np.empty(L, np.float32)
    # log of 2**64 times the largest |x|: the offset of the ratios formed below as
    # log(2**64 |x|) - log(2**64 max|x|), where |x| / max|x| underflows float32's normal
    # numbers (a region spanning more than 38 decades; _vlog takes normal numbers only)
    off = np.empty(L, np.float32)
    for j in range(L):
        lg[j] = hi[j] if hi[j] > 0 else np.float32(1.0)
    _vlog(lg, off, ibuf, ebuf, L)
    for j in range(L):
        off[j] = off[j] + _LOG_TWO64
    for k in range(K):
        row = vals[k]
        for j in range(L):
            u = abs(row[j]) / hi[j] if hi[j] > 0 else np.float32(0.0)
            uz[j] = u
            lg[j] = abs(row[j]) * _TWO64 if u < _NORMAL else u
            lg[j] = lg[j] if lg[j] > 0 else np.float32(1.0)
        _vlog(lg, w, ibuf, ebuf, L)
        for j in range(L):
            w[j] = ex * (w[j] - off[j] if uz[j] < _NORMAL else w[j])
        _vexp(w, ibuf, L)
        for j in range(L):
            # ex > 0 here (power's n = 0 takes the region loop): a zero value weighs 0
            wt = w[j] if row[j] != 0 else _ZERO
            num[j] += wt * (row[j] * inv[j])
            den[j] += wt
    for j in range(L):
        if hi[j] == 0:
            y[j] = 0.0
        elif is_power:
            y[j] = num[j] / den[j] / inv[j]
        else:
            y[j] = hi[j] * (den[j] * np.float32(1.0 / K)) ** np.float32(1.0 / ex)


@njit(cache=True, inline="always")
def _rows_average(vals, y, method, a, p, r, n, v, acc_dtype):
    K, L = vals.shape
    acc = np.zeros(L, np.float64)
    for k in range(K):
        row = vals[k]
        for j in range(L):
            acc[j] += row[j]
    for j in range(L):
        y[j] = acc[j] / K


@njit(cache=True, inline="always")
def _rows_extreme(vals, y, lowest):
    """y <- each column's largest value, or its smallest when ``lowest``."""
    K, L = vals.shape
    for j in range(L):
        y[j] = vals[0, j]
    for k in range(1, K):
        row = vals[k]
        for j in range(L):
            y[j] = min(y[j], row[j]) if lowest else max(y[j], row[j])


@njit(cache=True, inline="always")
def _rows_max(vals, y, method, a, p, r, n, v, acc_dtype):
    _rows_extreme(vals, y, False)


@njit(cache=True, inline="always")
def _rows_min(vals, y, method, a, p, r, n, v, acc_dtype):
    _rows_extreme(vals, y, True)


@njit(cache=True, inline="always")
def _rows_mixed(vals, y, method, a, p, r, n, v, acc_dtype):
    K, L = vals.shape
    acc = np.zeros(L, np.float64)
    hi = np.empty(L, np.float32)
    for j in range(L):
        hi[j] = vals[0, j]
    for k in range(K):
        row = vals[k]
        for j in range(L):
            acc[j] += row[j]
            hi[j] = max(hi[j], row[j])
    for j in range(L):
        y[j] = a * hi[j] + (1.0 - a) * (acc[j] / K)


# lnp and power have a cheap common case (p = 1 or 2; n = 1, the default) and a general
# one with float32 exp/log; each is its own kernel (``_row_variant``), so the default
# parameters compile in about a second instead of three.
@njit(cache=True, inline="always")
def _rows_lnp(vals, y, method, a, p, r, n, v, acc_dtype):  # p = 1 or 2
    _rows_mean_abs_sq(vals, y, p == 2.0)


@njit(cache=True, inline="always")
def _rows_lnp_general(vals, y, method, a, p, r, n, v, acc_dtype):
    _rows_power_weighted(vals, y, np.float32(p), False, acc_dtype)


@njit(cache=True, inline="always")
def _rows_power_general(vals, y, method, a, p, r, n, v, acc_dtype):
    # n == 0 (the mean, with a special rule for zeros) never reaches the row kernels
    _rows_power_weighted(vals, y, np.float32(n), True, acc_dtype)


@njit(cache=True, inline="always")
def _rows_lse_scaled(vals, y, method, a, p, r, n, v, acc_dtype):
    # lse = max + log(mean exp(t)) / r, t = r (x - max), formed as R d in scaled units
    # (d = u - max u, R = r / inv; see "Float32 range"); the sums hold expm1(t) / R, so
    # that R, which can underflow (r = 1e-30 on values of 1e-38), cancels
    K, L = vals.shape
    den = np.zeros(L, acc_dtype)
    w = np.empty(L, np.float32)
    lg = np.empty(L, np.float32)
    ibuf = np.empty(L, np.int32)
    ebuf = np.empty(L, np.int32)
    hi = np.empty(L, np.float32)
    inv = np.empty(L, np.float32)
    top = np.empty(L, np.float32)
    sc = np.empty(L, np.float32)
    isc = np.empty(L, np.float32)
    for j in range(L):
        hi[j] = vals[0, j]
    for k in range(1, K):
        row = vals[k]
        for j in range(L):
            hi[j] = max(hi[j], row[j])
    _rows_abs_max(vals, w)
    _rows_scale(w, inv, ibuf, L, True)
    scale = np.float32(r)
    for j in range(L):
        top[j] = hi[j] * inv[j]
        sc[j] = min(max(scale / inv[j], _UNCLAMP), _CLAMP)
        isc[j] = _ONE / sc[j]
    for k in range(K):
        row = vals[k]
        for j in range(L):
            lg[j] = row[j] * inv[j] - top[j]
            w[j] = sc[j] * lg[j]
        _vexp(w, ibuf, L)
        # sum of expm1(t) / R: for small |t| the series, not exp(t) - 1, so a region whose
        # values differ by far less than 1/r keeps its precision
        for j in range(L):
            d = lg[j]
            t = sc[j] * d
            q = d * _expm1_over_t(t)
            den[j] += q if t > _SERIES_MAX else (w[j] - _ONE) * isc[j]
    # log(mean exp(t)) = log1p(mean expm1(t)); log1p(s) = log(u) * s / (u - 1), u = 1 + s
    for j in range(L):
        w[j] = _ONE + den[j] / K * sc[j]
    _vlog(w, lg, ibuf, ebuf, L)
    for j in range(L):
        sm = den[j] / K
        u1 = w[j] - _ONE
        # log1p(s) / r, in float64: s / r = mean(expm1(t) / R) / inv where log1p(s) = s
        # (R cancels), else the logarithm over r (which can exceed float32 for small r)
        off = np.float64(sm) / inv[j] if u1 == 0 else np.float64(lg[j] * (sm * sc[j] / u1)) / r
        y[j] = hi[j] + off


@njit(cache=True, inline="always")
def _rows_attention_scaled(vals, y, method, a, p, r, n, v, acc_dtype):
    K, L = vals.shape
    num = np.zeros(L, acc_dtype)
    den = np.zeros(L, acc_dtype)
    mean = np.zeros(L, acc_dtype)
    scale = np.zeros(L, acc_dtype)
    w = np.empty(L, np.float32)
    ibuf = np.empty(L, np.int32)
    big = np.empty(L, np.float32)
    inv = np.empty(L, np.float32)
    # the z-scores do not depend on the units: computed on the scaled values, whose
    # variance neither overflows (>= 1.9e19 it did, and the weights fell back to the
    # mean) nor underflows (below ~1e-19)
    _rows_abs_max(vals, big)
    _rows_scale(big, inv, ibuf, L, True)
    for k in range(K):
        row = vals[k]
        for j in range(L):
            mean[j] += row[j] * inv[j]
    for j in range(L):
        mean[j] = mean[j] * np.float32(1.0 / K)
    for k in range(K):
        row = vals[k]
        for j in range(L):
            d = row[j] * inv[j] - mean[j]
            scale[j] += d * d
    # the largest exponent in the exponents' own dtype: rounded to float32 while the
    # exponents are float64 (whole rows), it left the largest one up to half a float32 step
    # above 0, which from |v z| ~ 1e7 on gave several cells the clamped weight exp(88)
    hi = np.empty(L, acc_dtype)
    for j in range(L):
        # scale now holds v / (std + eps) instead of the summed squares (in scaled units)
        scale[j] = np.float32(v) / (
            np.sqrt(scale[j] * np.float32(1.0 / K)) + _EPS_STD * (big[j] * inv[j]) + _EPS_TINY * inv[j]
        )
        scale[j] = min(max(scale[j], -_CLAMP), _CLAMP)
        hi[j] = scale[j] * (vals[0, j] * inv[j] - mean[j])
    for k in range(1, K):
        row = vals[k]
        for j in range(L):
            hi[j] = max(hi[j], scale[j] * (row[j] * inv[j] - mean[j]))
    for k in range(K):
        row = vals[k]
        for j in range(L):
            w[j] = scale[j] * (row[j] * inv[j] - mean[j]) - hi[j]
        _vexp(w, ibuf, L)
        for j in range(L):
            num[j] += w[j] * (row[j] * inv[j])
            den[j] += w[j]
    for j in range(L):
        y[j] = num[j] / den[j] / inv[j]


@njit(cache=True, inline="always")
def _rows_entropy_scaled(vals, y, method, a, p, r, n, v, acc_dtype):
    # argmax of -q log q with q = x / s  <=>  argmax of x * (log s - log x), on the scaled
    # values (the argmax does not depend on the units; their sum cannot overflow, and
    # subnormal values, which _vlog does not take, become normal)
    K, L = vals.shape
    den = np.zeros(L, acc_dtype)
    w = np.empty(L, np.float32)
    lg = np.empty(L, np.float32)
    log_s = np.empty(L, np.float32)
    ibuf = np.empty(L, np.int32)
    ebuf = np.empty(L, np.int32)
    inv = np.empty(L, np.float32)
    _rows_abs_max(vals, w)
    _rows_scale(w, inv, ibuf, L, False)
    for k in range(K):
        row = vals[k]
        for j in range(L):
            den[j] += row[j] * inv[j]
    for j in range(L):
        lg[j] = den[j] if den[j] > 0 else np.float32(1.0)
    _vlog(lg, log_s, ibuf, ebuf, L)
    best = np.empty(L, np.float32)
    for j in range(L):
        best[j] = -1.0
        y[j] = 0.0
    for k in range(K):
        row = vals[k]
        for j in range(L):
            u = row[j] * inv[j]
            lg[j] = u if u > 0 else np.float32(1.0)
        _vlog(lg, w, ibuf, ebuf, L)
        for j in range(L):
            u = row[j] * inv[j]
            h = u * (log_s[j] - w[j]) if u > 0 else np.float32(0.0)
            if h > best[j]:
                best[j] = h
                y[j] = row[j]


_REGION_REDUCERS = (
    _region_average,
    _region_max,
    _region_min,
    _region_mixed,
    _region_lsp_method,
    _region_esp,
    _region_lnp,
    _region_lse,
    _region_auto,
    _region_power,
    _region_entropy,
    _region_attention,
)
_LNP_GENERAL, _POWER_GENERAL = 12, 13  # row kernels beyond the twelve methods' own


def _row_variant(method_id, p, n):
    """Row kernel number for ``method_id`` with parameters p, n: the method's own number, or
    ``_LNP_GENERAL`` / ``_POWER_GENERAL`` for lnp and power away from their cheap cases."""
    if method_id == _LNP and p not in (1.0, 2.0):
        return _LNP_GENERAL
    if method_id == _POWER and n != 1.0:
        return _POWER_GENERAL
    return method_id


# -- compiling one method at a time ---------------------------------------------------------
# The kernels below are made per method by factories whose only closure variable is the
# method number, which numba sees as a constant (and keys its on-disk cache on). They call
# the two stubs ``_reduce`` and ``_reduce_rows``, whose overloads hand numba the one
# method's function from the tables above. A first call thus compiles one formula (about
# a second) instead of all twelve in one kernel (20-40 s before), and nothing is compiled
# for methods that are never used.
def _reduce(buf, m, method, a, p, r, n, v):
    """Pool ``buf[:m]`` (float64) with the method numbered ``method`` (a compile-time constant)."""
    raise NotImplementedError("called from numba kernels only")


def _literal_method(method):
    if not isinstance(method, types.IntegerLiteral):
        return None  # numba retries with the literal type of the kernel's constant
    return method.literal_value


@overload(_reduce, inline="always")
def _overload_reduce(buf, m, method, a, p, r, n, v):
    method_id = _literal_method(method)
    return None if method_id is None else _REGION_REDUCERS[method_id]


def _cache_file_of_its_own(*variant):
    """Name a closure kernel after its variant, so that numba caches it in files of its own.

    numba names a function's cache index after its qualified name and line, so every
    variant of one closure (``_rows_kernel(method, layout)``) would share one index
    file. numba writes that file without a lock between processes: two processes
    compiling two variants at once (``pytest -n 2``, Dask workers, a parallel
    warm-up) can pick the same data-file number, and a later process would then load
    one variant's machine code for the other. With a name per variant, concurrent
    writers of one index compile the same variant, whose entries agree.
    """

    def rename(func):
        func.__qualname__ = f"{func.__qualname__}_{'_'.join(map(str, variant))}"
        return func

    return rename


@functools.cache
def _generic_kernel(method):
    """Any geometry (padding, partial edge regions, narrow maps), one region at a time."""

    @njit(cache=True, parallel=True)
    @_cache_file_of_its_own(method)
    def _pool_generic(S, kf, kt, sf, st, pf, pt, out, a, p, r, n, v):
        n_clips, F, T = S.shape
        Fo, To = out.shape[1], out.shape[2]
        for job in prange(n_clips * Fo):  # (clip, output row) pairs
            i = job // Fo
            fo = job % Fo
            buf = np.empty(kf * kt, np.float64)
            r0 = max(fo * sf - pf, 0)
            r1 = min(fo * sf - pf + kf, F)
            for to in range(To):
                c0 = max(to * st - pt, 0)
                c1 = min(to * st - pt + kt, T)
                m = 0
                for rr in range(r0, r1):
                    for cc in range(c0, c1):
                        buf[m] = S[i, rr, cc]
                        m += 1
                out[i, fo, to] = _reduce(buf, m, method, a, p, r, n, v)

    return _pool_generic


_REGIONS, _WHOLE_ROWS, _WHOLE_COLUMNS = 0, 1, 2  # what ``_rows_kernel`` pools


@njit(cache=True, inline="always")
def _gather_regions(S, i, fo, kf, kt, sf, st, To):
    """The ``(kf * kt, To)`` block of output row ``fo`` of map ``i``: column ``j`` holds
    the values of region ``j``."""
    vals = np.empty((kf * kt, To), np.float32)
    for di in range(kf):
        x = S[i, fo * sf + di]
        for dj in range(kt):
            dst = vals[di * kt + dj]
            for to in range(To):
                dst[to] = x[to * st + dj]
    return vals


@njit(cache=True, inline="always")
def _transposed(S, i):
    """Map ``i`` as ``(T, F)``: column ``f`` holds frequency row ``f``."""
    _, F, T = S.shape
    vals = np.empty((T, F), np.float32)
    for f0 in range(0, F, 16):  # tiled transpose: both sides stay in cache lines
        for t0 in range(0, T, 16):
            for f in range(f0, min(f0 + 16, F)):
                for t in range(t0, min(t0 + 16, T)):
                    vals[t, f] = S[i, f, t]
    return vals


@functools.cache
def _rows_kernel(method, layout):
    """The vectorised kernel of row kernel ``method`` (see ``_row_variant``) for ``layout``.

    ``_REGIONS``: full windows, no padding, one output row at a time as ``(K, To)``
    vector work (float32 sums); ``_WHOLE_ROWS`` / ``_WHOLE_COLUMNS``: each map's rows
    (pooled over time) or columns (over frequency), written to ``out[:, 0]`` (float64
    sums). The method's function is chosen by the branch chain below: with ``method`` a
    constant, numba drops every other branch before typing, which compiles faster than
    an overload (about 0.9 s less for lse) and far faster than a chain in an inlined
    function (whose branches are all inlined before they are pruned).

    Each job ``(clip, output row)`` that has a region outside the float32 range of the
    unscaled formula is marked in ``bad``; :func:`_pool_rows_range_safe` pools those
    jobs again with ``_rescue_kernel`` (see "Float32 range").
    """
    acc = np.float32 if layout == _REGIONS else np.float64

    @njit(cache=True, parallel=True)
    @_cache_file_of_its_own(method, layout)
    def _pool_rows(S, kf, kt, sf, st, out, bad, a, p, r, n, v):
        Fo, To = out.shape[1], out.shape[2]
        for job in prange(out.shape[0] * Fo):
            i = job // Fo
            fo = job % Fo
            y = out[i, fo]
            if layout == _REGIONS:
                vals = _gather_regions(S, i, fo, kf, kt, sf, st, To)
            elif layout == _WHOLE_ROWS:
                vals = _transposed(S, i)
            else:
                vals = S[i]
            if method == _AVERAGE:
                _rows_average(vals, y, method, a, p, r, n, v, acc)
            elif method == _MAX:
                _rows_max(vals, y, method, a, p, r, n, v, acc)
            elif method == _MIN:
                _rows_min(vals, y, method, a, p, r, n, v, acc)
            elif method == _MIXED:
                _rows_mixed(vals, y, method, a, p, r, n, v, acc)
            elif method == _LSP or method == _POWER:  # power's n = 1: the LSP formula
                bad[job] = _rows_lsp_fast(vals, y, acc)
            elif method == _ESP:
                bad[job] = _rows_softmax_fast(vals, y, _ONE, acc)
            elif method == _LNP:
                _rows_lnp(vals, y, method, a, p, r, n, v, acc)
            elif method == _LSE:
                bad[job] = _rows_lse_fast(vals, y, method, a, p, r, n, v, acc)
            elif method == _AUTO:
                bad[job] = _rows_softmax_fast(vals, y, np.float32(a), acc)
            elif method == _ENTROPY:
                bad[job] = _rows_entropy_fast(vals, y, method, a, p, r, n, v, acc)
            elif method == _ATTENTION:
                bad[job] = _rows_attention_fast(vals, y, method, a, p, r, n, v, acc)
            elif method == _LNP_GENERAL:
                _rows_lnp_general(vals, y, method, a, p, r, n, v, acc)
            else:
                _rows_power_general(vals, y, method, a, p, r, n, v, acc)

    return _pool_rows


@functools.cache
def _rescue_kernel(method, layout):
    """Pool again, by the scaled row functions, the jobs that ``_rows_kernel`` marked in
    ``bad`` (only lsp, power with n = 1, esp, auto, lse, entropy and attention mark any).

    A kernel of its own, compiled on the first map that needs it: inlined beside the
    unscaled formula it doubled the first call's compile time of every user (lsp 1.9 ->
    6.3 s, lse 4.7 -> 12.9 s, attention 5.4 -> 15.5 s on one core), while ordinary maps
    never reach it.
    """
    acc = np.float32 if layout == _REGIONS else np.float64

    @njit(cache=True, parallel=True)
    @_cache_file_of_its_own("rescue", method, layout)
    def _rescue_rows(S, kf, kt, sf, st, out, bad, a, p, r, n, v):
        Fo, To = out.shape[1], out.shape[2]
        for job in prange(out.shape[0] * Fo):
            if not bad[job]:
                continue
            i = job // Fo
            fo = job % Fo
            y = out[i, fo]
            if layout == _REGIONS:
                vals = _gather_regions(S, i, fo, kf, kt, sf, st, To)
            elif layout == _WHOLE_ROWS:
                vals = _transposed(S, i)
            else:
                vals = S[i]
            if method == _LSP or method == _POWER:
                _rows_lsp_scaled(vals, y, acc)
            elif method == _ESP:
                _rows_softmax_scaled(vals, y, _ONE, acc)
            elif method == _AUTO:
                _rows_softmax_scaled(vals, y, np.float32(a), acc)
            elif method == _LSE:
                _rows_lse_scaled(vals, y, method, a, p, r, n, v, acc)
            elif method == _ENTROPY:
                _rows_entropy_scaled(vals, y, method, a, p, r, n, v, acc)
            else:
                _rows_attention_scaled(vals, y, method, a, p, r, n, v, acc)

    return _rescue_rows


def _pool_rows_range_safe(method, layout, S, kf, kt, sf, st, out, a, p, r, n, v):
    """Run ``_rows_kernel(method, layout)`` on ``out``, then the rescue kernel on the jobs it
    marked (none for maps inside the ordinary float32 range)."""
    bad = np.zeros(out.shape[0] * out.shape[1], np.bool_)
    _rows_kernel(method, layout)(S, kf, kt, sf, st, out, bad, a, p, r, n, v)
    if bad.any():
        _rescue_kernel(method, layout)(S, kf, kt, sf, st, out, bad, a, p, r, n, v)


# -- plain-array API -----------------------------------------------------------------
def check_batch(S, nonnegative=False, fix=None, name="S"):
    """``check_spectrograms(S, ndim=(2, 3), ...)`` with a cheaper path for float32 arrays.

    For a C-contiguous float32 array the minimum and maximum (SIMD reductions
    that propagate NaN, no temporary arrays) decide whether all values are
    finite and non-negative; anything else, and any array that fails, goes
    through :func:`skaudio._validation.check_spectrograms`, which converts or
    raises its usual errors.
    """
    from skaudio._validation import check_spectrograms

    if (
        isinstance(S, np.ndarray)
        and S.dtype == np.float32
        and S.ndim in (2, 3)
        and S.size
        and S.flags.c_contiguous
    ):
        low, high = S.min(), S.max()
        if np.isfinite(low) and np.isfinite(high) and not (nonnegative and low < 0):
            return S
    return check_spectrograms(S, name=name, ndim=(2, 3), nonnegative=nonnegative, fix=fix)


def _pair(value, name):
    # sizes are checked against their own bounds by check_pool_geometry
    return freq_time_pair(value, name, minimum=None)


def _out_len(size, k, s, pad, ceil_mode):
    span = size + 2 * pad - k
    if span < 0:
        return 0
    if ceil_mode:
        n = -(-span // s) + 1
        if (n - 1) * s >= size + pad:  # last window would start in the right padding
            n -= 1
        return n
    return span // s + 1


def check_pool_geometry(kernel_size, stride=None, padding=0):
    """Normalise ``kernel_size``, ``stride`` and ``padding`` to pairs and check them.

    Returns
    -------
    kernel, stride, padding : tuple of (int, int)
    """
    kernel = _pair(kernel_size, "kernel_size")
    stride = kernel if stride is None else _pair(stride, "stride")
    padding = _pair(padding, "padding")
    if min(kernel) < 1:
        raise ValueError(f"kernel_size must be positive, got {kernel}")
    if min(stride) < 1:
        raise ValueError(f"stride must be positive, got {stride}")
    if min(padding) < 0 or padding[0] > kernel[0] // 2 or padding[1] > kernel[1] // 2:
        raise ValueError(f"padding must lie between 0 and half the kernel size {kernel}, got {padding}")
    return kernel, stride, padding


def pool_output_size(
    shape: tuple[int, int],
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
    ceil_mode: bool = False,
) -> tuple[int, int]:
    """Pooled ``(n_freqs, n_frames)`` of a map of ``shape = (n_freqs, n_frames)``.

    The size :func:`pool2d` returns for the same ``kernel_size``, ``stride``,
    ``padding`` and ``ceil_mode`` (torch's rule: ``floor((F + 2 pf - kf) / sf) + 1``
    rows, frames alike; with ``ceil_mode`` a last partial region that starts on the
    map is kept).

    Parameters
    ----------
    shape : (int, int)
        ``(n_freqs, n_frames)`` of one map.
    kernel_size : int or (int, int)
        Region size.
    stride : int or (int, int), default=None
        Step between regions; the kernel size when None.
    padding : int or (int, int), default=0
        Virtual cells on each side, at most half the kernel.
    ceil_mode : bool, default=False
        Count a last partial region.

    Returns
    -------
    (int, int)

    Examples
    --------
    >>> from skaudio.features import pool_output_size
    >>> pool_output_size((128, 431), (2, 2))
    (64, 215)
    >>> pool_output_size((128, 431), (2, 2), ceil_mode=True)
    (64, 216)
    """
    kernel, stride, padding = check_pool_geometry(kernel_size, stride, padding)
    return tuple(_out_len(shape[d], kernel[d], stride[d], padding[d], ceil_mode) for d in range(2))


def check_method_params(method, a=None, p=None, r=None, n=None, v=None):
    """Validate ``method`` and its parameters; return ``(method_id, a, p, r, n, v)`` as floats."""
    if not isinstance(method, str) or method not in _MODE_ID:
        raise ValueError(f"method must be one of {', '.join(POOLING_METHODS)}; got {method!r}")
    given = dict(a=a, p=p, r=r, n=n, v=v)
    vals = {}
    for key, val in given.items():
        val = DEFAULT_PARAMS[key] if val is None else val
        if (
            not isinstance(val, (Real, np.floating, np.integer))
            or isinstance(val, bool)
            or not math.isfinite(float(val))
        ):
            raise ValueError(f"{key} must be a finite real number, got {val!r}")
        vals[key] = float(val)
    # the row kernels compute in float32: a parameter that float32 holds as 0 or inf gave
    # all-NaN results (lse with r=1e39 or 1e-46), or another rule (power with n < 1.4e-45
    # became n = 0); only the method's own parameters reach its formula, and mixed's ``a``
    # (in [0, 1]) enters it in float64
    for key in BY_NAME[method].params if method != "mixed" else ():
        with np.errstate(over="ignore", under="ignore"):
            single = np.float32(vals[key])
        if vals[key] != 0.0 and (single == 0.0 or not np.isfinite(single)):
            raise ValueError(
                f"{key}={vals[key]:g} is outside the float32 range in which {method} pooling computes "
                f"(it would become {float(single):g}): a nonzero {key} must lie between about "
                f"{_F32_TINY:.2g} and {_F32_MAX:.4g} in magnitude"
            )
    if method == "mixed" and not 0.0 <= vals["a"] <= 1.0:
        raise ValueError(f"mixed pooling needs 0 <= a <= 1, got a={vals['a']}")
    if method == "lnp" and vals["p"] < 1.0:
        raise ValueError(f"lnp pooling needs p >= 1, got p={vals['p']}")
    if method == "lse" and vals["r"] <= 0.0:
        raise ValueError(f"lse pooling needs r > 0, got r={vals['r']}")
    if method == "power" and vals["n"] < 0.0:
        raise ValueError(f"power pooling needs n >= 0, got n={vals['n']}")
    return _MODE_ID[method], vals["a"], vals["p"], vals["r"], vals["n"], vals["v"]


#: the old name, for code inside skaudio that still calls it
check_mode_params = check_method_params


def pool2d(
    S: ArrayLike,
    method: str = "average",
    kernel_size: int | tuple[int, int] = (2, 2),
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
    *,
    ceil_mode: bool = False,
    a: float | None = None,
    p: float | None = None,
    r: float | None = None,
    n: float | None = None,
    v: float | None = None,
    check_input: bool = True,
    mode: str | None = None,
) -> np.ndarray:
    """Pool every region of a batch of spectrograms with one of the twelve methods.

    The plain-array form of :class:`PoolingTransformer` (numba kernels, no
    scikit-learn): arrays in, a float32 array out, using all of numba's threads
    (``numba.set_num_threads`` sets how many).

    Parameters
    ----------
    S : array-like of shape (n_clips, n_freqs, n_frames) or (n_freqs, n_frames)
        Finite float values. ``lsp``, ``power`` and ``entropy`` need ``S >= 0``.
    method : str, default="average"
        One of :data:`POOLING_METHODS` (formulas: :class:`PoolingTransformer`).
    kernel_size : int or (int, int), default=(2, 2)
        Region size ``(kf, kt)`` in frequency bins and frames.
    stride : int or (int, int), default=None
        Step between regions; the kernel size when None.
    padding : int or (int, int), default=0
        Virtual cells added on both sides (at most half the kernel); they are
        excluded from the regions.
    ceil_mode : bool, default=False
        Keep a last partial region when the map does not divide evenly.
    a : float, default=0.5
        ``mixed``: weight of the max (0 mean ... 1 max); ``auto``: inverse
        temperature (0 mean, +inf max, -inf min).
    p : float, default=2.0
        ``lnp`` norm order, ``p >= 1``.
    r : float, default=1.0
        ``lse`` sharpness, ``r > 0``.
    n : float, default=1.0
        ``power`` exponent, ``n >= 0``.
    v : float, default=1.0
        ``attention`` scale of the standardised scores.
    check_input : bool, default=True
        Validate ``S`` (dtype, shape, finiteness, sign); skip only when the
        caller already did.
    mode : str, default=None
        Deprecated old name of ``method`` (a ``FutureWarning``; kept for one release).

    Returns
    -------
    P : ndarray of float32, shape (n_clips, F', T') (or (F', T') for a 2-D ``S``)
        ``(F', T')`` is :func:`pool_output_size`.

    Examples
    --------
    >>> import numpy as np
    >>> from skaudio.features import pool2d
    >>> S = np.arange(16, dtype=np.float32).reshape(1, 4, 4)
    >>> pool2d(S, "average")
    array([[[ 2.5,  4.5],
            [10.5, 12.5]]], dtype=float32)
    >>> pool2d(S, method="max", kernel_size=(4, 1))
    array([[[12., 13., 14., 15.]]], dtype=float32)
    """
    # stacklevel 4: the caller of skaudio.features.pool2d, through validate_params' wrapper
    method = renamed_keyword(
        method, mode, new="method", old="mode", where="pool2d", default="average", stacklevel=4
    )
    method_id, a, p, r, n, v = check_method_params(method, a, p, r, n, v)
    kernel, stride, padding = check_pool_geometry(kernel_size, stride, padding)
    if check_input:
        S = check_batch(S, method in NONNEGATIVE_METHODS, _NONNEGATIVE_FIX.format(method=method))
    else:
        S = np.ascontiguousarray(S, dtype=np.float32)
    squeeze = S.ndim == 2
    if squeeze:
        S = S[np.newaxis]
    Fo, To = (_out_len(S.shape[1 + d], kernel[d], stride[d], padding[d], ceil_mode) for d in range(2))
    if Fo < 1 or To < 1:
        raise ValueError(
            f"kernel_size={kernel} with padding={padding} does not fit in maps of "
            f"{S.shape[1]} x {S.shape[2]} (n_freqs x n_frames); use a smaller kernel"
        )
    out = np.empty((S.shape[0], Fo, To), np.float32)
    full = (
        padding == (0, 0)
        and (Fo - 1) * stride[0] + kernel[0] <= S.shape[1]
        and (To - 1) * stride[1] + kernel[1] <= S.shape[2]
    )
    if (
        full
        and To >= _FAST_MIN_COLUMNS
        and kernel[0] * kernel[1] <= _FAST_MAX_REGION
        and not (method_id == _POWER and n == 0.0)
    ):
        kf, kt, sf, st = kernel + stride
        _pool_rows_range_safe(_row_variant(method_id, p, n), _REGIONS, S, kf, kt, sf, st, out, a, p, r, n, v)
    else:
        _generic_kernel(method_id)(
            S, kernel[0], kernel[1], stride[0], stride[1], padding[0], padding[1], out, a, p, r, n, v
        )
    return out[0] if squeeze else out


_NONNEGATIVE_FIX = (
    "{method} pooling is defined for non-negative values only: pool a power or magnitude "
    "spectrogram (e.g. MelSpectrogram(to_db=False)) and convert the result to dB afterwards "
    "with PowerToDb, or choose a method defined for any sign."
)


def global_pool(
    S: ArrayLike,
    method: str = "average",
    axis: str = "time",
    *,
    check_input: bool = True,
    mode: str | None = None,
    **params: float,
) -> np.ndarray:
    """Pool whole axes of a spectrogram batch: one value per row, column or map.

    The plain-array form of ``PoolingTransformer(method, axis=axis)``, using all
    of numba's threads.

    Parameters
    ----------
    S : array-like of shape (n_clips, n_freqs, n_frames)
    method : str, default="average"
        One of :data:`POOLING_METHODS`.
    axis : {"time", "freq", "both"}, default="time"
        ``"time"`` pools each frequency row over all frames, ``"freq"`` each
        frame over all bins, ``"both"`` the whole map.
    check_input : bool, default=True
        Validate ``S`` as :func:`pool2d` does.
    mode : str, default=None
        Deprecated old name of ``method`` (a ``FutureWarning``; kept for one release).
    **params
        Method parameters ``a``, ``p``, ``r``, ``n``, ``v`` as in :func:`pool2d`.

    Returns
    -------
    ndarray of float32, shape (n_clips, n_freqs), (n_clips, n_frames) or (n_clips, 1)

    Examples
    --------
    >>> import numpy as np
    >>> from skaudio.features import global_pool
    >>> S = np.arange(6, dtype=np.float32).reshape(1, 2, 3)
    >>> global_pool(S, "max", axis="time")
    array([[2., 5.]], dtype=float32)
    """
    method = renamed_keyword(  # stacklevel 4: as pool2d's
        method, mode, new="method", old="mode", where="global_pool", default="average", stacklevel=4
    )
    if axis not in ("time", "freq", "both"):
        raise ValueError(f"axis must be 'time', 'freq' or 'both', got {axis!r}")
    method_id, a, p, r, n, v = check_method_params(method, **params)
    if check_input:
        S = check_batch(S, method in NONNEGATIVE_METHODS, _NONNEGATIVE_FIX.format(method=method))
    else:
        S = np.ascontiguousarray(S, dtype=np.float32)
    if S.ndim != 3:
        raise ValueError(f"S must be 3-D (n_clips, n_freqs, n_frames), got shape {S.shape}")
    n_clips, F, T = S.shape
    if axis != "both":
        L = F if axis == "time" else T
        if L >= _FAST_MIN_COLUMNS and not (method_id == _POWER and n == 0.0):
            out = np.empty((n_clips, L), np.float32)
            layout = _WHOLE_ROWS if axis == "time" else _WHOLE_COLUMNS
            _pool_rows_range_safe(
                _row_variant(method_id, p, n), layout, S, 0, 0, 0, 0, out[:, np.newaxis], a, p, r, n, v
            )
            return out
    kernel = {"time": (1, T), "freq": (F, 1), "both": (F, T)}[axis]
    P = pool2d(S, method, kernel, check_input=False, a=a, p=p, r=r, n=n, v=v)
    return P.reshape(n_clips, -1)


# the public home of these functions is skaudio.features.pooling (which re-exports them)
for _f in (pool2d, global_pool, pool_output_size):
    _f.__module__ = "skaudio.features.pooling"
del _f
