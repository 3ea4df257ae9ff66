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
"""
import math
from numbers import Integral, Real

import numpy as np
from numba import njit, prange

__all__ = ["POOLING_MODES", "NONNEGATIVE_MODES", "DEFAULT_PARAMS", "pool2d", "pool_output_size",
           "global_pool"]

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


@njit(cache=True, parallel=True)
def _pool_sum_like(S, kf, kt, sf, st, out, mode, p):
    """average / max / min / lnp(p=1, 2) for full windows: row-streaming loops."""
    n_clips = S.shape[0]
    Fo, To = out.shape[1], out.shape[2]
    inv = 1.0 / (kf * kt)
    for job in prange(n_clips * Fo):
        i = job // Fo
        fo = job % Fo
        row0 = fo * sf
        if mode == _AVERAGE or mode == _LNP:
            acc = np.zeros(To, np.float64)
            for rr in range(row0, row0 + kf):
                x = S[i, rr]
                if mode == _AVERAGE:
                    for to in range(To):
                        c = to * st
                        s = 0.0
                        for j in range(kt):
                            s += x[c + j]
                        acc[to] += s
                elif p == 1.0:
                    for to in range(To):
                        c = to * st
                        s = 0.0
                        for j in range(kt):
                            s += abs(x[c + j])
                        acc[to] += s
                else:
                    for to in range(To):
                        c = to * st
                        s = 0.0
                        for j in range(kt):
                            s += np.float64(x[c + j]) * x[c + j]
                        acc[to] += s
            if mode == _LNP and p == 2.0:
                for to in range(To):
                    out[i, fo, to] = math.sqrt(acc[to] * inv)
            else:
                for to in range(To):
                    out[i, fo, to] = acc[to] * inv
        else:
            y = out[i, fo]
            x = S[i, row0]
            for to in range(To):
                c = to * st
                best = x[c]
                for j in range(1, kt):
                    if mode == _MAX:
                        best = max(best, x[c + j])
                    else:
                        best = min(best, x[c + j])
                y[to] = best
            for rr in range(row0 + 1, row0 + kf):
                x = S[i, rr]
                for to in range(To):
                    c = to * st
                    best = y[to]
                    for j in range(kt):
                        if mode == _MAX:
                            best = max(best, x[c + j])
                        else:
                            best = min(best, x[c + j])
                    y[to] = best


# -- vectorisable exp / log ---------------------------------------------------------------
# LLVM vectorises loops of plain arithmetic but calls libm one element at a time for
# exp and log. These float32 versions (Cody-Waite range reduction and a short series;
# relative error below 3e-7) use only arithmetic and integer bit manipulation on
# int32 views, so the loops over a row of regions run on SIMD lanes.
_LOG2E = np.float32(1.4426950408889634)
_LN2_HI = np.float32(0.693359375)
_LN2_LO = np.float32(-2.12194440e-4)
_LN2 = np.float32(0.6931471805599453)
_SQRT2 = np.float32(1.4142135623730951)


@njit(cache=True, inline="always")
def _vexp(y, ibuf, L):
    """y[:L] <- exp(y[:L]) for y <= 88 (results below 2**-126 become ~1e-38)."""
    for i in range(L):
        t = y[i]
        t = min(max(t, np.float32(-87.3)), np.float32(88.0))
        k = np.floor(t * _LOG2E + np.float32(0.5))
        f = t - k * _LN2_HI - k * _LN2_LO
        q = np.float32(1.0 / 5040.0)
        q = q * f + np.float32(1.0 / 720.0)
        q = q * f + np.float32(1.0 / 120.0)
        q = q * f + np.float32(1.0 / 24.0)
        q = q * f + np.float32(1.0 / 6.0)
        q = q * f + np.float32(0.5)
        q = q * f + np.float32(1.0)
        q = q * f + np.float32(1.0)
        ibuf[i] = (np.int32(k) + np.int32(127)) << np.int32(23)
        y[i] = q
    pw = ibuf[:L].view(np.float32)
    for i in range(L):
        y[i] = y[i] * pw[i]


@njit(cache=True, inline="always")
def _vlog(x, out, ibuf, ebuf, L):
    """out[:L] <- log(x[:L]) for normal positive x (callers mask x <= 0)."""
    bits = x[:L].view(np.int32)
    for i in range(L):
        b = bits[i]
        ebuf[i] = (b >> np.int32(23)) - np.int32(127)
        ibuf[i] = (b & np.int32(0x007FFFFF)) | np.int32(0x3F800000)
    m = ibuf[:L].view(np.float32)
    for i in range(L):
        mi = m[i]
        e = np.float32(ebuf[i])
        if mi > _SQRT2:
            mi = mi * np.float32(0.5)
            e = e + np.float32(1.0)
        s = (mi - np.float32(1.0)) / (mi + np.float32(1.0))
        s2 = s * s
        q = np.float32(1.0 / 9.0)
        q = q * s2 + np.float32(1.0 / 7.0)
        q = q * s2 + np.float32(1.0 / 5.0)
        q = q * s2 + np.float32(1.0 / 3.0)
        q = q * s2 + np.float32(1.0)
        out[i] = e * _LN2 + np.float32(2.0) * s * q


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
        y = out[i, fo]
        w = np.empty(To, np.float32)
        lg = np.empty(To, np.float32)
        ibuf = np.empty(To, np.int32)
        ebuf = np.empty(To, np.int32)
        hi = np.empty(To, np.float32)
        num = np.zeros(To, np.float32)
        den = np.zeros(To, np.float32)
        if mode == _MIXED:
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
                _vexp(w, ibuf, To)
                for to in range(To):
                    num[to] += w[to] * row[to]
                    den[to] += w[to]
            if mode == _LSE:
                for to in range(To):
                    den[to] = den[to] * np.float32(1.0 / K)
                _vlog(den, lg, ibuf, ebuf, To)
                for to in range(To):
                    y[to] = (hi[to] + lg[to]) / scale
            else:
                for to in range(To):
                    y[to] = num[to] / den[to]
        elif mode == _ATTENTION:
            mean = np.zeros(To, np.float32)
            var = np.zeros(To, np.float32)
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


# -- plain-array API -----------------------------------------------------------------
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
        from skaudio._validation import check_spectrograms

        S = check_spectrograms(S, ndim=(2, 3), nonnegative=mode in NONNEGATIVE_MODES,
                               fix=_NONNEGATIVE_FIX.format(mode=mode))
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
    if full and (mode_id in (_AVERAGE, _MAX, _MIN) or (mode_id == _LNP and p in (1.0, 2.0))):
        _pool_sum_like(S, kernel[0], kernel[1], stride[0], stride[1], out, mode_id, p)
    elif full and To >= _FAST_MIN_COLUMNS and kernel[0] * kernel[1] <= _FAST_MAX_REGION \
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


def global_pool(S, mode="average", axis="time", **params):
    """Pool whole axes of a spectrogram batch: one value per row, column or map.

    Parameters
    ----------
    S : array-like of shape (n_clips, n_freqs, n_frames)
    mode : str
        One of :data:`POOLING_MODES`.
    axis : {"time", "freq", "both"}
        ``"time"`` pools each frequency row over all frames, ``"freq"`` each
        frame over all bins, ``"both"`` the whole map.
    **params
        Mode parameters and ``check_input`` as in :func:`pool2d`.

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
    shape = np.shape(S)
    if len(shape) != 3:
        raise ValueError(f"S must be 3-D (n_clips, n_freqs, n_frames), got shape {shape}")
    kernel = {"time": (1, shape[2]), "freq": (shape[1], 1), "both": (shape[1], shape[2])}[axis]
    P = pool2d(S, mode, kernel, **params)
    return P.reshape(P.shape[0], -1)
