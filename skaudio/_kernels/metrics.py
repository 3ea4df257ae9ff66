"""numba kernels behind the preservation metrics of :mod:`skaudio.metrics`.

Every kernel takes C-contiguous float32 batches ``(n_clips, n_freqs, n_frames)``
and returns float64 per-clip numbers; loops run in parallel over clips and
accumulate in float64. Nothing here knows about metric names, ratios or
scikit-learn: :mod:`skaudio.metrics.preservation` composes these pieces.

The per-clip kernels, all but ``clip_moments``, are plain ``nogil`` loops over
``range(start, stop)`` that :func:`skaudio._kernels._parallel.run_jobs` splits
over threads, not numba parfors: a parfor costs 0.3 to 1.3 s more to compile
per kernel (first call in a new process with an empty cache: ``spectral_shape``
2.0 s as a parfor against 0.65 s as a loop, ``joint_histograms`` 1.4 against
0.5, ``upsampled_similarity`` 1.1 against 0.4, ``frame_mean_variance`` 0.8
against 0.25, ``count_at_most`` 0.47 against 0.15), and the pooling report
compiles them all in every new process without a warm cache. Results are bit
for bit those of the parfors.
"""

from concurrent.futures import ThreadPoolExecutor

import numba
import numpy as np
from numba import njit, prange
from threadpoolctl import threadpool_limits

from skaudio._kernels._parallel import run_jobs

# Reassociation lets LLVM vectorise the float64 sums (inputs are validated finite,
# so the "no NaN/inf" flags hold); results change only in the last bits.
_FAST = {"reassoc", "contract", "nnan", "ninf", "nsz"}

__all__ = [
    "clip_moments",
    "frame_mean_variance",
    "joint_histograms",
    "histogram_entropy",
    "histogram_kl",
    "gini_coefficients",
    "count_at_most",
    "upsampled_similarity",
    "spectral_shape",
    "lipschitz_constants",
]


@njit(cache=True, parallel=True, fastmath=_FAST)
def clip_moments(X):
    """Per clip: min, max, mean and the central moments m2, m3, m4 (divided by N).

    Returns an ``(n_clips, 6)`` float64 array. Two passes (mean, then
    deviations) keep the moments accurate for maps with a large offset such as
    dB values.
    """
    # a parfor still: as a run_jobs loop it compiles 0.3 s faster, but LLVM then
    # vectorises the m2 sum differently and m2 changes in the last bit
    n = X.shape[0]
    out = np.empty((n, 6))
    for i in prange(n):
        flat = X[i].reshape(-1)
        size = flat.size
        total = 0.0
        lo = np.inf
        hi = -np.inf
        for j in range(size):
            v = np.float64(flat[j])
            total += v
            lo = min(lo, v)
            hi = max(hi, v)
        mu = total / size
        m2 = 0.0
        m3 = 0.0
        m4 = 0.0
        for j in range(size):
            d = flat[j] - mu
            d2 = d * d
            m2 += d2
            m3 += d2 * d
            m4 += d2 * d2
        out[i, 0] = lo
        out[i, 1] = hi
        out[i, 2] = mu
        out[i, 3] = m2 / size
        out[i, 4] = m3 / size
        out[i, 5] = m4 / size
    return out


def frame_mean_variance(X):
    """Variance over time of the per-frame mean over frequency (population variance)."""
    out = np.empty(X.shape[0])
    run_jobs(_frame_mean_variance, X.shape[0], X, out)
    return out


@njit(cache=True, nogil=True)
def _frame_mean_variance(start, stop, X, out):
    _, F, T = X.shape
    acc = np.empty(T)
    for i in range(start, stop):
        for t in range(T):
            acc[t] = 0.0
        for f in range(F):
            row = X[i, f]
            for t in range(T):
                acc[t] += row[t]
        for t in range(T):
            acc[t] /= F
        mu = 0.0
        for t in range(T):
            mu += acc[t]
        mu /= T
        var = 0.0
        for t in range(T):
            d = acc[t] - mu
            var += d * d
        out[i] = var / T


@njit(cache=True)
def _histogram_into(flat, lo, hi, n_bins, edges, counts):
    # numpy.histogram's rule for equal bins: a scaled guess, corrected against
    # the explicit edges, so the bin depends only on the edges and the two agree
    # value for value (the guess is never off by more than one bin).
    if hi > lo:
        scale = n_bins / (hi - lo)
        local = np.zeros(n_bins, np.int64)
        last = n_bins - 1
        for j in range(flat.size):
            v = np.float64(flat[j])
            k = np.int64((v - lo) * scale)
            k = min(max(k, 0), last)
            if v < edges[k]:
                k -= 1
            elif k != last and v >= edges[k + 1]:
                k += 1
            local[k] += 1
        for b in range(n_bins):
            counts[b] += local[b]
    else:  # a constant map (joint range of zero width) fills one bin
        counts[0] += flat.size


def joint_histograms(S, P, lo, hi, n_bins):
    """Value histograms of ``S[i]`` and ``P[i]`` on shared edges ``linspace(lo[i], hi[i], n_bins + 1)``.

    Returns two ``(n_clips, n_bins)`` float64 arrays of counts. The binning is
    numpy's (``numpy.histogram(x, bins=n_bins, range=(lo, hi))`` on float64
    values): the last bin is closed, the others half-open.
    """
    n = S.shape[0]
    hs = np.zeros((n, n_bins))
    hp = np.zeros((n, n_bins))
    lo = np.asarray(lo, dtype=np.float64)
    hi = np.asarray(hi, dtype=np.float64)
    run_jobs(_joint_histograms, n, S.reshape(n, -1), P.reshape(n, -1), lo, hi, int(n_bins), hs, hp)
    return hs, hp


@njit(cache=True, nogil=True)
def _joint_histograms(start, stop, S, P, lo, hi, n_bins, hs, hp):
    edges = np.empty(n_bins + 1)
    for i in range(start, stop):
        # np.linspace(lo[i], hi[i], n_bins + 1) as numba computes it (a loop compiles faster)
        step = (hi[i] - lo[i]) / n_bins
        for b in range(n_bins):
            edges[b] = lo[i] + b * step
        edges[n_bins] = hi[i]
        _histogram_into(S[i], lo[i], hi[i], n_bins, edges, hs[i])
        _histogram_into(P[i], lo[i], hi[i], n_bins, edges, hp[i])


@njit(cache=True)
def histogram_entropy(counts):
    """Shannon entropy (nats) of each row of ``counts``, with ``0 log 0 = 0``."""
    n, k = counts.shape
    out = np.empty(n)
    for i in range(n):
        total = 0.0
        for j in range(k):
            total += counts[i, j]
        h = 0.0
        for j in range(k):
            if counts[i, j] > 0:
                p = counts[i, j] / total
                h -= p * np.log(p)
        out[i] = h
    return out


@njit(cache=True)
def histogram_kl(counts_p, counts_q, eps):
    """KL divergence (nats) between row-normalised ``counts_p + eps`` and ``counts_q + eps``.

    ``eps`` is added to every bin's probability before renormalising, so a
    bin that is empty after pooling contributes a large but finite term.
    """
    n, k = counts_p.shape
    out = np.empty(n)
    for i in range(n):
        tp = 0.0
        tq = 0.0
        for j in range(k):
            tp += counts_p[i, j]
            tq += counts_q[i, j]
        z = 1.0 + k * eps  # both distributions renormalise by the same total
        d = 0.0
        for j in range(k):
            p = (counts_p[i, j] / tp + eps) / z
            q = (counts_q[i, j] / tq + eps) / z
            r = p / q
            # an eps near 5e-324 makes p / q overflow although both logs are finite
            d += p * (np.log(r) if r < np.inf else np.log(p) - np.log(q))
        out[i] = d
    return out


@njit(cache=True, nogil=True)
def _gini_sorted(start, stop, V, offset, out):
    size = V.shape[1]
    for i in range(start, stop):
        total = 0.0
        weighted = 0.0
        for j in range(size):
            x = V[i, j] - offset[i]
            total += x
            weighted += (2.0 * (j + 1) - size - 1.0) * x
        out[i] = weighted / (size * total) if total > 0 else 0.0


def gini_coefficients(X, offset):
    """Gini coefficient of the values ``X[i] - offset[i]`` (which must be >= 0).

    ``G = sum_k (2k - N - 1) x_(k) / (N sum x)`` over the sorted values
    ``x_(1) <= ... <= x_(N)``; a map summing to zero gets 0 (no inequality).
    The sort is numpy's (vectorised, and faster than a numba sort); the
    offset does not change the order, so the float32 values are sorted.
    """
    flat = X.reshape(X.shape[0], -1)
    V = np.empty_like(flat)
    n_threads = min(numba.get_num_threads(), flat.shape[0])

    def sort_part(sl):  # numpy's sort releases the GIL: threads sort clips side by side
        V[sl] = np.sort(flat[sl], axis=1)

    parts = [slice(j, None, n_threads) for j in range(n_threads)]
    if n_threads > 1:
        with ThreadPoolExecutor(n_threads) as pool:
            list(pool.map(sort_part, parts))
    else:
        sort_part(slice(None))
    out = np.empty(V.shape[0])
    run_jobs(_gini_sorted, V.shape[0], V, np.asarray(offset, dtype=np.float64), out)
    return out


def count_at_most(X, threshold):
    """Number of values of ``X[i]`` that are ``<= threshold[i]``."""
    n = X.shape[0]
    out = np.empty(n)
    run_jobs(_count_at_most, n, X.reshape(n, -1), np.asarray(threshold, dtype=np.float64), out)
    return out


@njit(cache=True, nogil=True)
def _count_at_most(start, stop, V, threshold, out):
    for i in range(start, stop):
        c = 0
        for v in V[i]:
            if v <= threshold[i]:
                c += 1
        out[i] = c


def upsampled_similarity(S, P, stride_f, stride_t, pad_f=0, pad_t=0):
    """Pearson correlation and cosine similarity of ``S`` with ``P`` repeated onto ``S``'s grid.

    Cell ``(f, t)`` of the original is compared with pooled cell
    ``(min((f + pad_f) // stride_f, F' - 1), min((t + pad_t) // stride_t, T' - 1))``
    (nearest neighbour repeat; pooled rows or frames no cell maps to are ignored).

    Returns an ``(n_clips, 2)`` float64 array ``[correlation, cosine]``:
    correlation is 1 when both maps are constant and 0 when exactly one is;
    cosine is 1 when both are all zeros and 0 when exactly one is.
    """
    n, F, T = S.shape
    Fp, Tp = P.shape[1], P.shape[2]
    rows = np.minimum((np.arange(F) + pad_f) // stride_f, Fp - 1).astype(np.int64)
    cols = np.minimum((np.arange(T) + pad_t) // stride_t, Tp - 1).astype(np.int64)
    out = np.empty((n, 2))
    run_jobs(_upsampled_similarity, n, S, P, rows, cols, out)
    return out


@njit(cache=True, nogil=True, fastmath=_FAST)
def _upsampled_similarity(start, stop, S, P, rows, cols, out):
    _, F, T = S.shape
    Fp = P.shape[1]
    # P's rows repeated along time once per clip, so the passes below run over
    # contiguous rows (consecutive original rows share a pooled row)
    up = np.empty((Fp, T), np.float64)
    for i in range(start, stop):
        for k in range(Fp):
            prow = P[i, k]
            for t in range(T):
                up[k, t] = prow[cols[t]]
        ss = 0.0
        sp = 0.0
        s_lo = np.inf
        s_hi = -np.inf
        p_lo = np.inf
        p_hi = -np.inf
        for f in range(F):
            srow = S[i, f]
            urow = up[rows[f]]
            for t in range(T):
                a = np.float64(srow[t])
                b = urow[t]
                ss += a
                sp += b
                s_lo = min(s_lo, a)
                s_hi = max(s_hi, a)
                p_lo = min(p_lo, b)
                p_hi = max(p_hi, b)
        size = F * T
        mu_s = ss / size
        mu_p = sp / size
        cxx = 0.0
        cyy = 0.0
        cxy = 0.0
        dot = 0.0
        nxx = 0.0
        nyy = 0.0
        for f in range(F):
            srow = S[i, f]
            urow = up[rows[f]]
            for t in range(T):
                a = np.float64(srow[t])
                b = urow[t]
                dot += a * b
                nxx += a * a
                nyy += b * b
                da = a - mu_s
                db = b - mu_p
                cxx += da * da
                cyy += db * db
                cxy += da * db
        const_s = s_lo == s_hi
        const_p = p_lo == p_hi
        if const_s and const_p:
            out[i, 0] = 1.0
        elif const_s or const_p:
            out[i, 0] = 0.0
        else:
            out[i, 0] = min(1.0, max(-1.0, cxy / np.sqrt(cxx * cyy)))
        if nxx == 0.0 and nyy == 0.0:
            out[i, 1] = 1.0
        elif nxx == 0.0 or nyy == 0.0:
            out[i, 1] = 0.0
        else:
            out[i, 1] = min(1.0, max(-1.0, dot / np.sqrt(nxx * nyy)))


def spectral_shape(X, offset, freqs, band_rows, band_offsets, band_take):
    """Frame-averaged spectral centroid, bandwidth and contrast of each clip.

    Parameters
    ----------
    X : float32 (n_clips, n_freqs, n_frames)
    offset : float64 (n_clips,)
        Subtracted from the values before centroid and bandwidth, so the
        weights ``X - offset`` are non-negative.
    freqs : float64 (n_freqs,)
        Frequency of each row.
    band_rows, band_offsets : int64
        Rows of contrast band ``b`` are ``band_rows[band_offsets[b]:band_offsets[b + 1]]``.
    band_take : int64 (n_bands,)
        How many of the lowest (valley) and highest (peak) values to average.

    Returns
    -------
    (n_clips, 3) float64: mean centroid and bandwidth over the frames that
    carry energy (0 when none does), mean contrast ``peak - valley`` over all
    frames and bands.
    """
    out = np.empty((X.shape[0], 3))
    run_jobs(_spectral_shape, X.shape[0], X, offset, freqs, band_rows, band_offsets, band_take, out)
    return out


@njit(cache=True, nogil=True)
def _spectral_shape(start, stop, X, offset, freqs, band_rows, band_offsets, band_take, out):
    _, F, T = X.shape
    n_bands = band_take.shape[0]
    vmin = np.empty(T)
    vmax = np.empty(T)
    buf = np.empty(F)
    for i in range(start, stop):
        off = offset[i]
        # row-major passes: per-frame sums accumulate along contiguous rows
        total = np.zeros(T)
        moment = np.zeros(T)
        for f in range(F):
            row = X[i, f]
            fr = freqs[f]
            for t in range(T):
                w = row[t] - off
                total[t] += w
                moment[t] += fr * w
        cen = np.zeros(T)
        for t in range(T):
            if total[t] > 0:
                cen[t] = moment[t] / total[t]
        spread = np.zeros(T)
        for f in range(F):
            row = X[i, f]
            fr = freqs[f]
            for t in range(T):
                d = fr - cen[t]
                spread[t] += (row[t] - off) * d * d
        cen_sum = 0.0
        bw_sum = 0.0
        n_active = 0
        for t in range(T):
            if total[t] > 0:
                cen_sum += cen[t]
                bw_sum += np.sqrt(spread[t] / total[t])
                n_active += 1
        con_sum = 0.0
        for k in range(n_bands):
            lo = band_offsets[k]
            m = band_offsets[k + 1] - lo
            take = band_take[k]
            if take == 1:  # valley and peak are the band's min and max
                first = X[i, band_rows[lo]]
                for t in range(T):
                    vmin[t] = first[t]
                    vmax[t] = first[t]
                for j in range(1, m):
                    row = X[i, band_rows[lo + j]]
                    for t in range(T):
                        vmin[t] = min(vmin[t], row[t])
                        vmax[t] = max(vmax[t], row[t])
                for t in range(T):
                    con_sum += np.float64(vmax[t]) - np.float64(vmin[t])
            else:
                for t in range(T):
                    # insertion sort of the band's few values: np.sort would add about
                    # 2 s to the first compile of this kernel
                    for j in range(m):
                        x = X[i, band_rows[lo + j], t]
                        q = j
                        while q > 0 and buf[q - 1] > x:
                            buf[q] = buf[q - 1]
                            q -= 1
                        buf[q] = x
                    valley = 0.0
                    peak = 0.0
                    for j in range(take):
                        valley += buf[j]
                        peak += buf[m - take + j]
                    con_sum += (peak - valley) / take
        out[i, 0] = cen_sum / n_active if n_active > 0 else 0.0
        out[i, 1] = bw_sum / n_active if n_active > 0 else 0.0
        out[i, 2] = con_sum / (T * n_bands) if n_bands > 0 else 0.0


def _exact_sq_distances(flat, rows, cols, out):
    run_jobs(_exact_sq_distances_range, rows.shape[0], flat, rows, cols, out)


@njit(cache=True, nogil=True)
def _exact_sq_distances_range(start, stop, flat, rows, cols, out):
    for k in range(start, stop):
        a = flat[rows[k]]
        b = flat[cols[k]]
        acc = 0.0
        for j in range(a.shape[0]):
            d = np.float64(a[j]) - np.float64(b[j])
            acc += d * d
        out[k] = acc


def _estimated_sq_distances(X, chunk=8192, refine=0.1):
    """Squared Euclidean distances between clips, from a float32 Gram matrix.

    The clips are centred on the batch mean (distances do not change, the
    cancellation in ``|a|^2 + |b|^2 - 2 a.b`` shrinks) and the Gram matrix is
    accumulated over column blocks by threads of our own, each calling a
    single-threaded BLAS (BLAS's own threads spin-wait and collapse when the
    cores are shared with other work). Pairs whose squared distance falls
    below ``refine`` times ``|a|^2 + |b|^2``, where float32 cancellation could
    cost more than about 1e-4 of the value, are recomputed exactly.
    """
    n = X.shape[0]
    flat = X.reshape(n, -1)
    size = flat.shape[1]
    mean = flat.mean(axis=0, dtype=np.float64).astype(np.float32)
    starts = list(range(0, size, chunk))
    n_threads = max(1, min(numba.get_num_threads(), len(starts)))
    # float32 products overflow above about 1e19 and vanish below about 1e-22: maps
    # far from unit scale are scaled by a power of two (exact) for the Gram product
    peak = float(max(-flat.min(), flat.max()))
    exponent = int(np.frexp(peak)[1]) if peak > 0 else 0
    # ldexp, not a product with 2**-exponent: that gain is itself beyond float32 for maps
    # below about 1e-38 (2**129 overflowed to inf, and every distance became NaN)
    rescale = abs(exponent) > 16

    def partial_gram(part):
        acc = np.zeros((n, n))
        for start in part:
            block = flat[:, start : start + chunk] - mean[start : start + chunk]
            if rescale:
                block = np.ldexp(block, -exponent).astype(np.float32, copy=False)
            acc += block @ block.T
        return acc

    parts = [starts[j::n_threads] for j in range(n_threads)]
    with threadpool_limits(1, user_api="blas"):
        if n_threads > 1:
            with ThreadPoolExecutor(n_threads) as pool:
                gram = sum(pool.map(partial_gram, parts))
        else:
            gram = partial_gram(starts)
    if rescale:
        gram *= np.ldexp(1.0, 2 * exponent)
    sq = np.diag(gram).copy()
    scale = sq[:, None] + sq[None, :]
    d2 = scale - 2.0 * gram
    near = d2 < refine * scale
    np.fill_diagonal(near, False)
    rows, cols = np.nonzero(np.triu(near))
    if rows.size:
        exact = np.empty(rows.size)
        _exact_sq_distances(flat, rows.astype(np.int64), cols.astype(np.int64), exact)
        d2[rows, cols] = exact
        d2[cols, rows] = exact
    np.maximum(d2, 0.0, out=d2)
    np.fill_diagonal(d2, 0.0)
    return d2


def lipschitz_constants(S, P, margin=1e-3):
    """Per clip ``i``: ``max_j rms(P_i - P_j) / rms(S_i - S_j)`` over clips ``j`` with ``S_j != S_i``.

    ``rms`` is the Euclidean norm divided by the square root of the element
    count. All pairs are first estimated from float32 Gram matrices
    (:func:`_estimated_sq_distances`); the pairs whose estimated ratio lies
    within ``margin`` (relative) of their clip's largest are then recomputed
    exactly in float64, so the returned maxima are exact, not estimates.
    A clip with no partner that differs from it gets 0.
    """
    n = S.shape[0]
    ns = S[0].size
    npool = P[0].size
    ds2 = _estimated_sq_distances(S)
    dp2 = _estimated_sq_distances(P)
    valid = ds2 > 0
    np.fill_diagonal(valid, False)
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.where(valid, np.sqrt((dp2 / npool) / np.where(valid, ds2 / ns, 1.0)), -np.inf)
    best = q.max(axis=1)
    cand = valid & (q >= (best * (1.0 - margin))[:, None])
    cand |= cand.T
    rows, cols = np.nonzero(np.triu(cand))
    out = np.zeros(n)
    if rows.size:
        rows = rows.astype(np.int64)
        cols = cols.astype(np.int64)
        es = np.empty(rows.size)
        ep = np.empty(rows.size)
        _exact_sq_distances(S.reshape(n, -1), rows, cols, es)
        _exact_sq_distances(P.reshape(n, -1), rows, cols, ep)
        ok = es > 0
        ratio = np.zeros(rows.size)
        ratio[ok] = np.sqrt((ep[ok] / npool) / (es[ok] / ns))
        np.maximum.at(out, rows[ok], ratio[ok])
        np.maximum.at(out, cols[ok], ratio[ok])
    return out
