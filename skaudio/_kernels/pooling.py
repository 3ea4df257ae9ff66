"""The twelve pooling methods of [POOL] over batches of spectrograms (numba).

Every mode reduces the values of one rectangular *region* of a map to a
number. Regions are laid out as in ``torch.nn.functional.avg_pool2d``:

* a window of ``kernel_size = (kf, kt)`` cells moves by ``stride = (sf, st)``
  (default: the kernel, so regions tile the map without overlap);
* ``padding = (pf, pt)`` adds ``pf`` virtual rows above and below and ``pt``
  virtual columns left and right (at most half the kernel); padded cells are
  **not** values: a region is the intersection of its window with the map,
  and every mode is computed over the real cells it holds (``N`` below is
  their number);
* the output has ``floor((F + 2 pf - kf) / sf) + 1`` rows (columns alike):
  trailing cells that cannot fill a window are dropped; with
  ``ceil_mode=True`` they form one last, partial region instead (torch's
  rule: a window is kept when it starts inside the map or its left padding).

A region whose values are all zero pools to 0 in every mode. Exponentials
are evaluated after subtracting the region's maximum exponent, so no mode
overflows on large dB ranges. ``tests/_kernels/test_pooling_kernels.py``
checks each mode against an independent numpy reference.

Three code paths compute the same formulas:

* ``_pool_fast`` — windows that fit without padding, at least 8 regions
  per row and at most 64 cells per region (the common 2x2 case): each
  output row is gathered as a ``(cells, regions)`` block and reduced along
  contiguous rows, with float32 ``exp``/``log`` approximations (relative
  error < 3e-7) that vectorise, where libm would be called per element;
* ``_pool_global`` — whole rows or columns (``global_pool``), same reducer
  with float64 sums;
* ``_pool_generic`` — everything else (padding, partial edge regions,
  narrow maps), one region at a time in float64 with libm.

Tests check that the vectorised paths equal the float64 region loop.
"""
import math
from numbers import Integral, Real

import numpy as np
from numba import njit, prange

from skaudio._kernels._fastmath import _vexp, _vlog

__all__ = ["POOLING_MODES", "NONNEGATIVE_MODES", "DEFAULT_PARAMS", "pool2d", "pool_output_size",
           "global_pool", "check_batch", "check_pool_geometry", "check_mode_params"]

#: the twelve method names, in the order of [POOL] section II-B
POOLING_MODES = ("average", "max", "min", "mixed", "lsp", "esp", "lnp", "lse", "auto", "power",
                 "entropy", "attention")
#: modes whose formula is defined only for non-negative values
NONNEGATIVE_MODES = ("lsp", "power", "entropy")
#: default of each mode parameter (``a``: mixed and auto; ``p``: lnp; ``r``: lse;
#: ``n``: power; ``v``: attention scale)
DEFAULT_PARAMS = {"a": 0.5, "p": 2.0, "r": 1.0, "n": 1.0, "v": 1.0}
# the vectorised path pays off for many regions per row and small regions
_FAST_MIN_COLUMNS = 8
_FAST_MAX_REGION = 64
_MODE_ID = {name: i for i, name in enumerate(POOLING_MODES)}
_AVERAGE, _MAX, _MIN, _MIXED, _LSP, _ESP, _LNP, _LSE, _AUTO, _POWER, _ENTROPY, _ATTENTION = range(12)


# -- one region -----------------------------------------------------------------
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


@njit(cache=True)
def _reduce(buf, m, mode, a, p, r, n, v):
    """Pool the ``m`` values in ``buf[:m]`` (float64) with ``mode``."""
    if mode == _AVERAGE:
        s = 0.0
        for i in range(m):
            s += buf[i]
        return s / m
    if mode == _MAX or mode == _MIN or mode == _MIXED:
        hi = buf[0]
        lo = buf[0]
        s = 0.0
        for i in range(m):
            x = buf[i]
            s += x
            if x > hi:
                hi = x
            if x < lo:
                lo = x
        if mode == _MAX:
            return hi
        if mode == _MIN:
            return lo
        return a * hi + (1.0 - a) * (s / m)
    if mode == _LSP:
        s = 0.0
        s2 = 0.0
        for i in range(m):
            s += buf[i]
            s2 += buf[i] * buf[i]
        return s2 / s if s > 0.0 else 0.0
    if mode == _ESP:
        return _softmax_weighted(buf, m, 1.0)
    if mode == _AUTO:
        return _softmax_weighted(buf, m, a)
    if mode == _LNP:
        # scaled by the largest |x| so |x|**p neither overflows nor underflows
        big = 0.0
        for i in range(m):
            ax = abs(buf[i])
            if ax > big:
                big = ax
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
    if mode == _LSE:
        top = buf[0]
        for i in range(1, m):
            if buf[i] > top:
                top = buf[i]
        s = 0.0
        for i in range(m):
            s += math.exp(r * (buf[i] - top))
        return top + math.log(s / m) / r
    if mode == _POWER:
        if n == 0.0:
            s = 0.0
            for i in range(m):
                s += buf[i]
            return s / m
        big = 0.0
        for i in range(m):
            if buf[i] > big:
                big = buf[i]
        if big == 0.0:
            return 0.0
        num = 0.0
        den = 0.0
        for i in range(m):
            u = buf[i] / big
            w = u if n == 1.0 else u ** n
            num += w * buf[i]
            den += w
        return num / den
    if mode == _ENTROPY:
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
    # attention: softmax of v * z, z the region's standardised values
    s = 0.0
    big = 0.0
    for i in range(m):
        s += buf[i]
        if abs(buf[i]) > big:
            big = abs(buf[i])
    mean = s / m
    var = 0.0
    for i in range(m):
        d = buf[i] - mean
        var += d * d
    scale = v / (math.sqrt(var / m) + 1e-6 * big + 1e-30)
    top = scale * (buf[0] - mean)
    for i in range(1, m):
        z = scale * (buf[i] - mean)
        if z > top:
            top = z
    num = 0.0
    den = 0.0
    for i in range(m):
        w = math.exp(scale * (buf[i] - mean) - top)
        num += w * buf[i]
        den += w
    return num / den


# -- region loops -----------------------------------------------------------------
@njit(cache=True, parallel=True)
def _pool_generic(S, kf, kt, sf, st, pf, pt, out, mode, a, p, r, n, v):
    n_clips, F, T = S.shape
    Fo, To = out.shape[1], out.shape[2]
    for job in prange(n_clips * Fo):
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
            out[i, fo, to] = _reduce(buf, m, mode, a, p, r, n, v)


def _reduce_rows_py(vals, y, mode, a, p, r, n, v, acc_dtype):
    """Pool each column of ``vals`` (K values of one region per column) into ``y``.

    Works on whole rows of ``K x L`` so every loop below runs over contiguous
    memory and vectorises. ``acc_dtype`` is the accumulators' dtype: float32
    for small regions (twice the SIMD width), float64 for long ones (global
    pooling). They are allocated here, not passed in, so the compiler knows
    they do not alias and vectorises the loops.
    """
    K, To = vals.shape
    num = np.zeros(To, acc_dtype)
    den = np.zeros(To, acc_dtype)
    mean = np.zeros(To, acc_dtype)
    var = np.zeros(To, acc_dtype)
    w = np.empty(To, np.float32)
    lg = np.empty(To, np.float32)
    ibuf = np.empty(To, np.int32)
    ebuf = np.empty(To, np.int32)
    hi = np.empty(To, np.float32)
    if mode == _AVERAGE or (mode == _LNP and (p == 1.0 or p == 2.0)):
        acc = np.zeros(To, np.float64)
        for k in range(K):
            row = vals[k]
            if mode == _AVERAGE:
                for to in range(To):
                    acc[to] += row[to]
            elif p == 1.0:
                for to in range(To):
                    acc[to] += abs(row[to])
            else:
                for to in range(To):
                    acc[to] += np.float64(row[to]) * row[to]
        if mode == _LNP and p == 2.0:
            for to in range(To):
                y[to] = math.sqrt(acc[to] / K)
        else:
            for to in range(To):
                y[to] = acc[to] / K
    elif mode == _MAX or mode == _MIN:
        y[:] = vals[0]
        for k in range(1, K):
            row = vals[k]
            if mode == _MAX:
                for to in range(To):
                    y[to] = max(y[to], row[to])
            else:
                for to in range(To):
                    y[to] = min(y[to], row[to])
    elif mode == _MIXED:
        acc = np.zeros(To, np.float64)
        hi[:] = vals[0]
        for k in range(K):
            row = vals[k]
            for to in range(To):
                acc[to] += row[to]
                hi[to] = max(hi[to], row[to])
        for to in range(To):
            y[to] = a * hi[to] + (1.0 - a) * (acc[to] / K)
    elif mode == _LSP or (mode == _POWER and n == 1.0):
        for k in range(K):
            row = vals[k]
            for to in range(To):
                num[to] += row[to] * row[to]
                den[to] += row[to]
        for to in range(To):
            y[to] = num[to] / den[to] if den[to] > 0 else np.float32(0.0)
    elif mode == _ESP or mode == _AUTO or mode == _LSE:
        scale = np.float32(1.0 if mode == _ESP else (a if mode == _AUTO else r))
        hi[:] = scale * vals[0]
        for k in range(1, K):
            row = vals[k]
            for to in range(To):
                hi[to] = max(hi[to], scale * row[to])
        for k in range(K):
            row = vals[k]
            for to in range(To):
                w[to] = scale * row[to] - hi[to]
                lg[to] = w[to]
            _vexp(w, ibuf, To)
            if mode == _LSE:
                # sum of expm1(y), y = r x - max: for small |y| the series, not exp(y) - 1,
                # so a region whose values differ by far less than 1/r keeps its precision
                for to in range(To):
                    t = lg[to]
                    q = t * (np.float32(1.0) + t * (np.float32(0.5) + t * (np.float32(1.0 / 6.0) + t * (
                        np.float32(1.0 / 24.0) + t * (np.float32(1.0 / 120.0) + t * (
                            np.float32(1.0 / 720.0) + t * np.float32(1.0 / 5040.0)))))))
                    den[to] += q if t > np.float32(-0.35) else w[to] - np.float32(1.0)
            else:
                for to in range(To):
                    num[to] += w[to] * row[to]
                    den[to] += w[to]
        if mode == _LSE:
            # log(mean exp(y)) = log1p(mean expm1(y)); log1p(s) = log(u) * s / (u - 1), u = 1 + s
            for to in range(To):
                w[to] = np.float32(1.0) + den[to] / K
            _vlog(w, lg, ibuf, ebuf, To)
            for to in range(To):
                sm = den[to] / K
                u1 = w[to] - np.float32(1.0)
                l1p = sm if u1 == 0 else lg[to] * (sm / u1)
                y[to] = (hi[to] + l1p) / scale
        else:
            for to in range(To):
                y[to] = num[to] / den[to]
    elif mode == _ATTENTION:
        big = np.zeros(To, np.float32)
        for k in range(K):
            row = vals[k]
            for to in range(To):
                mean[to] += row[to]
                big[to] = max(big[to], abs(row[to]))
        for to in range(To):
            mean[to] = mean[to] * np.float32(1.0 / K)
        for k in range(K):
            row = vals[k]
            for to in range(To):
                d = row[to] - mean[to]
                var[to] += d * d
        for to in range(To):
            # var now holds the scale v / (std + eps)
            var[to] = np.float32(v) / (np.sqrt(var[to] * np.float32(1.0 / K))
                                       + np.float32(1e-6) * big[to] + np.float32(1e-30))
            hi[to] = var[to] * (vals[0, to] - mean[to])
        for k in range(1, K):
            row = vals[k]
            for to in range(To):
                hi[to] = max(hi[to], var[to] * (row[to] - mean[to]))
        for k in range(K):
            row = vals[k]
            for to in range(To):
                w[to] = var[to] * (row[to] - mean[to]) - hi[to]
            _vexp(w, ibuf, To)
            for to in range(To):
                num[to] += w[to] * row[to]
                den[to] += w[to]
        for to in range(To):
            y[to] = num[to] / den[to]
    elif mode == _ENTROPY:
        # argmax of -q log q with q = x / s  <=>  argmax of x * (log s - log x)
        for k in range(K):
            row = vals[k]
            for to in range(To):
                den[to] += row[to]
        for to in range(To):
            lg[to] = den[to] if den[to] > 0 else np.float32(1.0)
        _vlog(lg, hi, ibuf, ebuf, To)  # hi <- log s
        best = np.full(To, np.float32(-1.0))
        for to in range(To):
            y[to] = 0.0
        for k in range(K):
            row = vals[k]
            for to in range(To):
                lg[to] = row[to] if row[to] > 0 else np.float32(1.0)
            _vlog(lg, w, ibuf, ebuf, To)
            for to in range(To):
                h = row[to] * (hi[to] - w[to]) if row[to] > 0 else np.float32(0.0)
                if h > best[to]:
                    best[to] = h
                    y[to] = row[to]
    else:  # power (n != 1) and lnp (p not 1 or 2): w = (|x| / max|x|) ** e
        ex = np.float32(n if mode == _POWER else p)
        for to in range(To):
            hi[to] = 0.0
        for k in range(K):
            row = vals[k]
            for to in range(To):
                hi[to] = max(hi[to], abs(row[to]))
        for k in range(K):
            row = vals[k]
            for to in range(To):
                u = abs(row[to]) / hi[to] if hi[to] > 0 else np.float32(0.0)
                lg[to] = u if u > 0 else np.float32(1.0)
            _vlog(lg, w, ibuf, ebuf, To)
            for to in range(To):
                w[to] = ex * w[to]
            _vexp(w, ibuf, To)
            for to in range(To):
                wt = w[to] if row[to] != 0 else np.float32(1.0 if ex == 0 else 0.0)
                num[to] += wt * row[to]
                den[to] += wt
        for to in range(To):
            if hi[to] == 0:
                y[to] = 0.0
            elif mode == _POWER:
                y[to] = num[to] / den[to]
            else:
                y[to] = hi[to] * (den[to] * np.float32(1.0 / K)) ** np.float32(1.0 / ex)


# One body, two compilations: inlined into the regional kernel, where it must vectorise
# as one unit with the gather (the speed target), and a plain function for global
# pooling, which keeps the compile time of the module down.
_reduce_rows_inline = njit(cache=True, inline="always")(_reduce_rows_py)
_reduce_rows = njit(cache=True)(_reduce_rows_py)


@njit(cache=True, parallel=True)
def _pool_fast(S, kf, kt, sf, st, out, mode, a, p, r, n, v):
    """Full windows, no padding: one output row at a time as (K, To) vector work."""
    n_clips = S.shape[0]
    Fo, To = out.shape[1], out.shape[2]
    K = kf * kt
    for job in prange(n_clips * Fo):
        i = job // Fo
        fo = job % Fo
        row0 = fo * sf
        vals = np.empty((K, To), np.float32)
        for di in range(kf):
            x = S[i, row0 + di]
            for dj in range(kt):
                dst = vals[di * kt + dj]
                for to in range(To):
                    dst[to] = x[to * st + dj]
        _reduce_rows_inline(vals, out[i, fo], mode, a, p, r, n, v, np.float32)


@njit(cache=True, parallel=True)
def _pool_global(S, along_time, out, mode, a, p, r, n, v):
    """Whole-row (``along_time``) or whole-column pooling of each map, clip-parallel."""
    n_clips, F, T = S.shape
    for i in prange(n_clips):
        if along_time:
            vals = np.empty((T, F), np.float32)
            for f0 in range(0, F, 16):  # tiled transpose: both sides stay in cache lines
                for t0 in range(0, T, 16):
                    for f in range(f0, min(f0 + 16, F)):
                        for t in range(t0, min(t0 + 16, T)):
                            vals[t, f] = S[i, f, t]
            _reduce_rows(vals, out[i], mode, a, p, r, n, v, np.float64)
        else:
            _reduce_rows(S[i], out[i], mode, a, p, r, n, v, np.float64)


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

    if (isinstance(S, np.ndarray) and S.dtype == np.float32 and S.ndim in (2, 3) and S.size
            and S.flags.c_contiguous):
        low, high = S.min(), S.max()
        if np.isfinite(low) and np.isfinite(high) and not (nonnegative and low < 0):
            return S
    return check_spectrograms(S, name=name, ndim=(2, 3), nonnegative=nonnegative, fix=fix)


def _pair(value, name):
    if isinstance(value, (Integral, np.integer)) and not isinstance(value, bool):
        return int(value), int(value)
    try:
        a, b = value
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be an int or a pair of ints (freq, time), got {value!r}") from None
    for x in (a, b):
        if not isinstance(x, (Integral, np.integer)) or isinstance(x, bool):
            raise TypeError(f"{name} must be an int or a pair of ints (freq, time), got {value!r}")
    return int(a), int(b)


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


def pool_output_size(shape, kernel_size, stride=None, padding=0, ceil_mode=False):
    """Pooled ``(n_freqs, n_frames)`` of a map of ``shape = (n_freqs, n_frames)``.

    Examples
    --------
    >>> from skaudio._kernels.pooling import pool_output_size
    >>> pool_output_size((128, 431), (2, 2))
    (64, 215)
    >>> pool_output_size((128, 431), (2, 2), ceil_mode=True)
    (64, 216)
    """
    kernel, stride, padding = check_pool_geometry(kernel_size, stride, padding)
    return tuple(_out_len(shape[d], kernel[d], stride[d], padding[d], ceil_mode) for d in range(2))


def check_mode_params(mode, a=None, p=None, r=None, n=None, v=None):
    """Validate ``mode`` and its parameters; return ``(mode_id, a, p, r, n, v)`` as floats."""
    if not isinstance(mode, str) or mode not in _MODE_ID:
        raise ValueError(f"mode must be one of {', '.join(POOLING_MODES)}; got {mode!r}")
    given = dict(a=a, p=p, r=r, n=n, v=v)
    vals = {}
    for key, val in given.items():
        val = DEFAULT_PARAMS[key] if val is None else val
        if not isinstance(val, (Real, np.floating, np.integer)) or isinstance(val, bool) \
                or not math.isfinite(float(val)):
            raise ValueError(f"{key} must be a finite real number, got {val!r}")
        vals[key] = float(val)
    if mode == "mixed" and not 0.0 <= vals["a"] <= 1.0:
        raise ValueError(f"mixed pooling needs 0 <= a <= 1, got a={vals['a']}")
    if mode == "lnp" and vals["p"] < 1.0:
        raise ValueError(f"lnp pooling needs p >= 1, got p={vals['p']}")
    if mode == "lse" and vals["r"] <= 0.0:
        raise ValueError(f"lse pooling needs r > 0, got r={vals['r']}")
    if mode == "power" and vals["n"] < 0.0:
        raise ValueError(f"power pooling needs n >= 0, got n={vals['n']}")
    return _MODE_ID[mode], vals["a"], vals["p"], vals["r"], vals["n"], vals["v"]


def pool2d(S, mode="average", kernel_size=(2, 2), stride=None, padding=0, *, ceil_mode=False,
           a=None, p=None, r=None, n=None, v=None, check_input=True):
    """Pool every region of a batch of spectrograms with one of the twelve modes.

    Parameters
    ----------
    S : array-like of shape (n_clips, n_freqs, n_frames) or (n_freqs, n_frames)
        Finite float values. ``lsp``, ``power`` and ``entropy`` need ``S >= 0``.
    mode : str, default="average"
        One of :data:`POOLING_MODES`.
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

    Returns
    -------
    P : ndarray of float32, shape (n_clips, F', T') (or (F', T') for a 2-D ``S``)

    Examples
    --------
    >>> import numpy as np
    >>> from skaudio._kernels.pooling import pool2d
    >>> S = np.arange(16, dtype=np.float32).reshape(1, 4, 4)
    >>> pool2d(S, "average")
    array([[[ 2.5,  4.5],
            [10.5, 12.5]]], dtype=float32)
    >>> pool2d(S, "max", kernel_size=(4, 1))
    array([[[12., 13., 14., 15.]]], dtype=float32)
    """
    mode_id, a, p, r, n, v = check_mode_params(mode, a, p, r, n, v)
    kernel, stride, padding = check_pool_geometry(kernel_size, stride, padding)
    if check_input:
        S = check_batch(S, mode in NONNEGATIVE_MODES, _NONNEGATIVE_FIX.format(mode=mode))
    else:
        S = np.ascontiguousarray(S, dtype=np.float32)
    squeeze = S.ndim == 2
    if squeeze:
        S = S[np.newaxis]
    Fo, To = (_out_len(S.shape[1 + d], kernel[d], stride[d], padding[d], ceil_mode) for d in range(2))
    if Fo < 1 or To < 1:
        raise ValueError(
            f"kernel_size={kernel} with padding={padding} does not fit in maps of "
            f"{S.shape[1]} x {S.shape[2]} (n_freqs x n_frames); use a smaller kernel")
    out = np.empty((S.shape[0], Fo, To), np.float32)
    full = (padding == (0, 0) and (Fo - 1) * stride[0] + kernel[0] <= S.shape[1]
            and (To - 1) * stride[1] + kernel[1] <= S.shape[2])
    if full and To >= _FAST_MIN_COLUMNS and kernel[0] * kernel[1] <= _FAST_MAX_REGION \
            and not (mode_id == _POWER and n == 0.0):
        _pool_fast(S, kernel[0], kernel[1], stride[0], stride[1], out, mode_id, a, p, r, n, v)
    else:
        _pool_generic(S, kernel[0], kernel[1], stride[0], stride[1], padding[0], padding[1], out,
                      mode_id, a, p, r, n, v)
    return out[0] if squeeze else out


_NONNEGATIVE_FIX = (
    "{mode} pooling is defined for non-negative values only: pool a power or magnitude "
    "spectrogram (e.g. MelSpectrogram(to_db=False)) and convert the result to dB afterwards "
    "with PowerToDb, or choose a mode defined for any sign.")


def global_pool(S, mode="average", axis="time", *, check_input=True, **params):
    """Pool whole axes of a spectrogram batch: one value per row, column or map.

    Parameters
    ----------
    S : array-like of shape (n_clips, n_freqs, n_frames)
    mode : str
        One of :data:`POOLING_MODES`.
    axis : {"time", "freq", "both"}
        ``"time"`` pools each frequency row over all frames, ``"freq"`` each
        frame over all bins, ``"both"`` the whole map.
    check_input : bool, default=True
        Validate ``S`` as :func:`pool2d` does.
    **params
        Mode parameters ``a``, ``p``, ``r``, ``n``, ``v`` as in :func:`pool2d`.

    Returns
    -------
    ndarray of float32, shape (n_clips, n_freqs), (n_clips, n_frames) or (n_clips, 1)

    Examples
    --------
    >>> import numpy as np
    >>> from skaudio._kernels.pooling import global_pool
    >>> S = np.arange(6, dtype=np.float32).reshape(1, 2, 3)
    >>> global_pool(S, "max", axis="time")
    array([[2., 5.]], dtype=float32)
    """
    if axis not in ("time", "freq", "both"):
        raise ValueError(f"axis must be 'time', 'freq' or 'both', got {axis!r}")
    mode_id, a, p, r, n, v = check_mode_params(mode, **params)
    if check_input:
        S = check_batch(S, mode in NONNEGATIVE_MODES, _NONNEGATIVE_FIX.format(mode=mode))
    else:
        S = np.ascontiguousarray(S, dtype=np.float32)
    if S.ndim != 3:
        raise ValueError(f"S must be 3-D (n_clips, n_freqs, n_frames), got shape {S.shape}")
    n_clips, F, T = S.shape
    if axis != "both":
        L = F if axis == "time" else T
        if L >= _FAST_MIN_COLUMNS and not (mode_id == _POWER and n == 0.0):
            out = np.empty((n_clips, L), np.float32)
            _pool_global(S, axis == "time", out, mode_id, a, p, r, n, v)
            return out
    kernel = {"time": (1, T), "freq": (F, 1), "both": (F, T)}[axis]
    P = pool2d(S, mode, kernel, check_input=False, a=a, p=p, r=r, n=n, v=v)
    return P.reshape(n_clips, -1)
