"""Separable Gaussian smoothing of spectrogram batches (numba).

``scipy.ndimage.gaussian_filter`` is generic N-d code: it copies every line
into a float64 buffer and runs one pass per axis over the whole array. For
the common case here — many small 2-D maps — a kernel that smooths one map at
a time along frames then bands, with float64 accumulators and threads over
clips, is faster; it follows ndimage's boundary rules and kernel exactly.
"""

import numpy as np
from numba import njit, prange

__all__ = ["gaussian_weights", "gaussian_filter_batch", "BOUNDARY_MODES"]

#: scipy.ndimage boundary modes understood by the kernel, and their codes
BOUNDARY_MODES = {"reflect": 0, "mirror": 1, "nearest": 2, "wrap": 3, "constant": 4}


def gaussian_weights(sigma, truncate=4.0):
    """The normalised 1-D Gaussian of ``scipy.ndimage.gaussian_filter1d`` (order 0)."""
    if sigma <= 1e-15:
        return np.ones(1, dtype=np.float64)
    radius = int(truncate * float(sigma) + 0.5)
    x = np.arange(-radius, radius + 1, dtype=np.float64)
    w = np.exp(-0.5 / (float(sigma) * float(sigma)) * x * x)
    return w / w.sum()


@njit(cache=True)
def _fold(j, n, mode):
    """Index of the sample that position ``j`` of a length-``n`` line reads (-1: constant)."""
    if 0 <= j < n:
        return j
    if mode == 2:  # nearest
        return 0 if j < 0 else n - 1
    if mode == 3:  # wrap
        return j % n
    if mode == 4:  # constant
        return -1
    if mode == 0:  # reflect: d c b a | a b c d | d c b a
        period = 2 * n
        m = j % period
        return m if m < n else period - 1 - m
    if n == 1:  # mirror of a single sample
        return 0
    period = 2 * n - 2  # mirror: d c b | a b c d | c b a
    m = j % period
    return m if m < n else period - m


@njit(cache=True, parallel=True)
def _gaussian_batch(S, wf, wt, mode, cval, out):
    n, F, T = S.shape
    rf = wf.shape[0] // 2
    rt = wt.shape[0] // 2
    # where each padded position of a row / column reads from (-1: cval)
    src_t = np.empty(T + 2 * rt, dtype=np.int64)
    for j in range(T + 2 * rt):
        src_t[j] = _fold(j - rt, T, mode)
    src_f = np.empty(F + 2 * rf, dtype=np.int64)
    for j in range(F + 2 * rf):
        src_f[j] = _fold(j - rf, F, mode)
    for i in prange(n):
        tmp = np.empty((F + 2 * rf, T), dtype=np.float64)
        padded = np.empty(T + 2 * rt, dtype=np.float64)
        # along frames, one padded row at a time
        for f in range(F):
            for j in range(T + 2 * rt):
                padded[j] = cval if src_t[j] < 0 else S[i, f, src_t[j]]
            acc = tmp[f + rf]
            acc[:] = 0.0
            for k in range(2 * rt + 1):
                w = wt[k]
                for t in range(T):
                    acc[t] += w * padded[k + t]
        # rows beyond the map, by the boundary rule along bands
        for j in range(F + 2 * rf):
            if j < rf or j >= F + rf:
                if src_f[j] < 0:
                    tmp[j, :] = cval
                else:
                    tmp[j, :] = tmp[src_f[j] + rf]
        # along bands: whole rows at once
        row = np.empty(T, dtype=np.float64)
        for f in range(F):
            row[:] = 0.0
            for k in range(2 * rf + 1):
                w = wf[k]
                src = tmp[f + k]
                for t in range(T):
                    row[t] += w * src[t]
            for t in range(T):
                out[i, f, t] = row[t]
    return out


def gaussian_filter_batch(S, sigma, truncate=4.0, mode="reflect", cval=0.0, out=None):
    """Gaussian smoothing of every map of ``S`` ``(n, F, T)``, ``sigma = (sigma_f, sigma_t)``.

    Equal (to float32 rounding) to ``scipy.ndimage.gaussian_filter(S[i],
    sigma, mode=mode, cval=cval, truncate=truncate)`` for every ``i``.
    Threads over clips follow numba's current thread count.
    """
    S = np.ascontiguousarray(S, dtype=np.float32)
    wf = gaussian_weights(sigma[0], truncate)
    wt = gaussian_weights(sigma[1], truncate)
    if out is None:
        out = np.empty_like(S)
    return _gaussian_batch(S, wf, wt, BOUNDARY_MODES[mode], float(cval), out)
