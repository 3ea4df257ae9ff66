"""The engine of the preservation metrics: input handling, shared work and the statistics.

:class:`_Batch` validates ``S``/``P`` and the options once and caches what several
metrics share (moments, joint histograms, the upsampled similarity, the spectral
shapes); one private compute step per metric (``_variance``, ``_entropy``, ...) reads
it. The conventions they follow are written once, in :mod:`skaudio.metrics.preservation`
(the public home of the metrics); the registry (:mod:`skaudio.metrics._registry`) names
each metric's compute step. Nothing here imports the registry or the public functions.
"""

from __future__ import annotations

import functools
from numbers import Real

import numpy as np
from numpy.typing import ArrayLike, NDArray

from skaudio._kernels import metrics as _k
from skaudio._kernels.filterbank import fft_frequencies
from skaudio._validation import check_spectrograms, freq_time_pair

_DEFAULTS = dict(
    n_bins=64,
    eps=1e-10,
    sparsity_tol=0.01,
    sr=22050,
    freqs=None,
    stride=None,
    kernel_size=None,
    padding=0,
    n_bands=6,
    fmin=200.0,
    quantile=0.02,
)


# -- input handling -------------------------------------------------------------------
#: Float32 steps (at the joint range's largest magnitude) within which the two maps of a clip
#: count as one value for the histogram metrics: the float32 pooling formulas return a
#: constant region's value up to 23 steps off (lsp and power on 8 x 8 regions, esp, auto and
#: attention 15, the others exactly; their float32 sums of up to 64 cells round), and
#: bins finer than that sorted the rounding, not the values.
_HIST_ROUNDING = 64

#: Most histogram bins of the entropy and KL metrics: two float64 histograms per clip of
#: 2**24 bins already take 256 MiB, and a 128 x 431 map has only 55,168 values to share
#: among them (n_bins=2**40 asked for 16 TiB).
MAX_BINS = 2**24


def _check_options(opt):
    """Refuse (``ValueError``/``TypeError`` naming it) an option no metric can use."""
    for name in ("sr", "eps", "fmin", "quantile", "sparsity_tol"):
        value = opt[name]
        if isinstance(value, bool) or not isinstance(value, Real):
            raise TypeError(f"{name} must be a real number, got {value!r}")
        if not np.isfinite(value):
            raise ValueError(f"{name} must be finite, got {value!r}")
    if not opt["sr"] > 0:
        raise ValueError(f"sr must be a sampling rate > 0 Hz, got {opt['sr']!r}")
    n_bins = opt["n_bins"]
    if not (isinstance(n_bins, (int, np.integer)) and not isinstance(n_bins, bool) and n_bins >= 1):
        raise ValueError(f"n_bins must be a positive int, got {n_bins!r}")
    if n_bins > MAX_BINS:
        raise ValueError(f"n_bins={n_bins} is more than the {MAX_BINS:,} histogram bins the metrics compute")


class _Batch:
    """Validated ``S``/``P`` batches, their geometry and the work metrics share."""

    def __init__(self, S, P, options):
        unknown = set(options) - set(_DEFAULTS)
        if unknown:
            raise TypeError(f"unknown metric option(s) {sorted(unknown)}; valid: {sorted(_DEFAULTS)}")
        self.opt = {**_DEFAULTS, **options}
        S = check_spectrograms(S, name="S", ndim=(2, 3))
        P = check_spectrograms(P, name="P", ndim=(2, 3))
        if S.ndim != P.ndim:
            raise ValueError(
                f"S and P must both be single maps (2-D) or both batches (3-D), "
                f"got S {S.shape} and P {P.shape}"
            )
        self.single = S.ndim == 2
        if self.single:
            S, P = S[np.newaxis], P[np.newaxis]
        if S.shape[0] != P.shape[0]:
            raise ValueError(f"S and P must hold the same number of clips, got {S.shape[0]} and {P.shape[0]}")
        self.S, self.P = S, P
        F, T = S.shape[1:]
        Fp, Tp = P.shape[1:]
        # whole-number floats (2.0) stay accepted, as they always were (integral_floats)
        pair = functools.partial(freq_time_pair, allow_none=True, integral_floats=True)
        stride = pair(self.opt["stride"], "stride")
        if stride is None:
            stride = (max(1, round(F / Fp)), max(1, round(T / Tp)))
        kernel = pair(self.opt["kernel_size"], "kernel_size") or stride
        padding = pair(self.opt["padding"], "padding", minimum=0)
        if padding[0] >= kernel[0] or padding[1] >= kernel[1]:  # a window wholly in the padding
            raise ValueError(f"padding={self.opt['padding']!r} must be smaller than kernel_size={kernel}")
        self.stride, self.kernel, self.padding = stride, kernel, padding
        _check_options(self.opt)
        if not 0 <= self.opt["sparsity_tol"] < 1:
            raise ValueError(f"sparsity_tol must lie in [0, 1), got {self.opt['sparsity_tol']!r}")
        if not 0 < self.opt["eps"] <= 1:  # a probability added to every bin; 1e308 divided 0 by 0
            raise ValueError(f"eps must lie in (0, 1], got {self.opt['eps']!r}")
        self._cache = {}

    def cached(self, key, fn):
        if key not in self._cache:
            self._cache[key] = fn()
        return self._cache[key]

    # shared pieces
    def moments(self, which):
        return self.cached(("moments", which), lambda: _k.clip_moments(getattr(self, which)))

    def offset(self):
        def compute():
            lo = np.minimum(self.moments("S")[:, 0], self.moments("P")[:, 0])
            return np.minimum(lo, 0.0)

        return self.cached("offset", compute)

    def histograms(self):
        def compute():
            lo = np.minimum(self.moments("S")[:, 0], self.moments("P")[:, 0])
            hi = np.maximum(self.moments("S")[:, 1], self.moments("P")[:, 1])
            # a joint range within _HIST_ROUNDING float32 steps is rounding, not values: both
            # maps fill one bin, as constant maps do (a constant map and its lsp pooling one
            # step apart fell into the first and the last bin, KL 23.03 instead of 0)
            top = np.maximum(np.abs(lo), np.abs(hi)).astype(np.float32)
            hi = np.where(hi - lo <= _HIST_ROUNDING * np.spacing(top).astype(np.float64), lo, hi)
            return _k.joint_histograms(self.S, self.P, lo, hi, int(self.opt["n_bins"]))

        return self.cached("hist", compute)

    def similarity(self):
        return self.cached(
            "similarity", lambda: _k.upsampled_similarity(self.S, self.P, *self.stride, *self.padding)
        )

    def frequencies(self):
        def compute():
            F = self.S.shape[1]
            freqs = self.opt["freqs"]
            if freqs is None:
                if F < 2:
                    raise ValueError(
                        "S has a single frequency row, so the default frequency axis "
                        "(librosa.fft_frequencies) is undefined; pass freqs=[<its frequency in "
                        "Hz>] for the spectral metrics (spectral_centroid, spectral_bandwidth, "
                        "spectral_contrast)"
                    )
                freqs = fft_frequencies(self.opt["sr"], 2 * (F - 1))
            freqs = np.asarray(freqs, dtype=np.float64)
            if freqs.shape != (F,):
                raise ValueError(f"freqs must hold one frequency per row of S ({F}), got shape {freqs.shape}")
            if not np.all(np.isfinite(freqs)) or np.any(np.diff(freqs) < 0):
                raise ValueError("freqs must be finite and non-decreasing")
            return freqs, pooled_frequencies(
                freqs, self.P.shape[1], self.stride[0], self.kernel[0], self.padding[0]
            )

        return self.cached("freqs", compute)

    def spectral(self, which):
        def compute():
            freqs = self.frequencies()[0 if which == "S" else 1]
            rows, offsets, take = _contrast_bands(
                freqs, self.opt["sr"], self.opt["n_bands"], self.opt["fmin"], self.opt["quantile"]
            )
            return _k.spectral_shape(getattr(self, which), self.offset(), freqs, rows, offsets, take)

        return self.cached(("spectral", which), compute)


def pooled_frequencies(
    freqs: ArrayLike, n_rows: int, stride: int, kernel: int, padding: int = 0
) -> NDArray[np.float64]:
    """Frequency of each pooled row: the mean of the original row frequencies it covers.

    Row ``k`` covers original rows ``[k * stride - padding, k * stride - padding + kernel)``,
    clipped to the original map (the layout of ``torch.nn.functional.avg_pool2d``).

    Examples
    --------
    >>> import numpy as np
    >>> pooled_frequencies(np.array([0.0, 100.0, 200.0, 300.0, 400.0]), 3, 2, 2)
    array([ 50., 250., 400.])
    """
    freqs = np.asarray(freqs, dtype=np.float64)
    out = np.empty(n_rows)
    F = freqs.shape[0]
    for k in range(n_rows):
        start = k * stride - padding
        lo = min(max(start, 0), F - 1)
        hi = max(lo + 1, min(start + kernel, F))
        out[k] = freqs[lo:hi].mean()
    return out


def _contrast_bands(freqs, sr, n_bands, fmin, quantile):
    """Rows and quantile counts of librosa's octave bands (``spectral_contrast``) on ``freqs``."""
    if not (isinstance(n_bands, (int, np.integer)) and n_bands >= 1):
        raise ValueError(f"n_bands must be a positive int, got {n_bands!r}")
    if not 0.0 < quantile < 1.0:
        raise ValueError(f"quantile must lie in (0, 1), got {quantile!r}")
    if not fmin > 0:
        raise ValueError(f"fmin must be positive, got {fmin!r}")
    if n_bands - 1 >= np.log2(0.5 * sr / fmin):  # before allocating: n_bands=2**31 asked for 16 GiB
        raise ValueError(
            f"spectral contrast: a band edge of fmin={fmin} with n_bands={n_bands} "
            f"reaches the Nyquist frequency of sr={sr}; lower fmin or n_bands"
        )
    octa = np.zeros(n_bands + 2)
    with np.errstate(over="ignore"):  # an edge beyond float64 is past Nyquist too: refused below
        octa[1:] = fmin * (2.0 ** np.arange(0, n_bands + 1))
    if np.any(octa[:-1] >= 0.5 * sr):
        raise ValueError(
            f"spectral contrast: a band edge of fmin={fmin} with n_bands={n_bands} "
            f"reaches the Nyquist frequency of sr={sr}; lower fmin or n_bands"
        )
    rows, offsets, take = [], [0], []
    for k, (f_low, f_high) in enumerate(zip(octa[:-1], octa[1:])):
        band = (freqs >= f_low) & (freqs <= f_high)
        idx = np.flatnonzero(band)
        if idx.size == 0:
            continue  # librosa cannot place this band on so coarse an axis; leave it out
        if k > 0:
            band[idx[0] - 1] = True
        if k == n_bands:
            band[idx[-1] + 1 :] = True
        members = np.flatnonzero(band)
        count = members.size
        if k < n_bands:
            members = members[:-1]
        if members.size == 0:
            continue
        rows.append(members)
        offsets.append(offsets[-1] + members.size)
        take.append(min(members.size, max(1, int(np.rint(quantile * count)))))
    rows = np.concatenate(rows).astype(np.int64) if rows else np.zeros(0, np.int64)
    return rows, np.asarray(offsets, np.int64), np.asarray(take, np.int64)


# -- the statistics -----------------------------------------------------------------
def _ratio(num, den):
    """``num / den`` with 0/0 = 1 and x/0 = ±inf (x != 0)."""
    num = np.asarray(num, dtype=np.float64)
    den = np.asarray(den, dtype=np.float64)
    out = np.empty(np.broadcast(num, den).shape)
    zero = den == 0
    with np.errstate(divide="ignore", invalid="ignore"):
        np.divide(num, den, out=out)
    out[zero & (num == 0)] = 1.0
    out[zero & (num != 0)] = np.copysign(np.inf, num[zero & (num != 0)])
    return out


def _shape_moment(m, order):
    """Skewness (order 3) or non-excess kurtosis (order 4) from clip_moments rows; 0 for a constant map."""
    const = m[:, 0] == m[:, 1]
    m2 = np.where(const, 1.0, m[:, 3])
    value = m[:, 1 + order] / m2 ** (order / 2)
    return np.where(const, 0.0, value)


def _variance(b):
    return _ratio(b.moments("P")[:, 3], b.moments("S")[:, 3])


def _entropy(b):
    hs, hp = b.histograms()
    return _ratio(_k.histogram_entropy(hp), _k.histogram_entropy(hs))


def _mean(b):
    return _ratio(b.moments("P")[:, 2], b.moments("S")[:, 2])


def _skewness(b):
    return _ratio(_shape_moment(b.moments("P"), 3), _shape_moment(b.moments("S"), 3))


def _kurtosis(b):
    return _ratio(_shape_moment(b.moments("P"), 4), _shape_moment(b.moments("S"), 4))


def _sparsity(b):
    ms = b.moments("S")
    threshold = ms[:, 0] + b.opt["sparsity_tol"] * (ms[:, 1] - ms[:, 0])
    share_s = _k.count_at_most(b.S, threshold) / b.S[0].size
    share_p = _k.count_at_most(b.P, threshold) / b.P[0].size
    return _ratio(share_p, share_s)


def _gini(b):
    off = b.offset()
    return _ratio(_k.gini_coefficients(b.P, off), _k.gini_coefficients(b.S, off))


def _kl(b):
    hs, hp = b.histograms()
    return _k.histogram_kl(hs, hp, float(b.opt["eps"]))


def _correlation(b):
    return b.similarity()[:, 0].copy()


def _cosine(b):
    return b.similarity()[:, 1].copy()


def _lipschitz(b):
    n = b.S.shape[0]
    if n < 2:
        raise ValueError(
            "lipschitz_constant is estimated over pairs of clips and needs a batch "
            f"of at least two clips, got {n}"
        )
    return _k.lipschitz_constants(b.S, b.P)


def _temporal_variance(b):
    return _ratio(_k.frame_mean_variance(b.P), _k.frame_mean_variance(b.S))


def _centroid(b):
    return _ratio(b.spectral("P")[:, 0], b.spectral("S")[:, 0])


def _bandwidth(b):
    return _ratio(b.spectral("P")[:, 1], b.spectral("S")[:, 1])


def _contrast(b):
    return _ratio(b.spectral("P")[:, 2], b.spectral("S")[:, 2])


def _compression(b):
    return np.full(b.S.shape[0], b.S[0].size / b.P[0].size)
