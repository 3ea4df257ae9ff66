"""The seventeen preservation metrics of [POOL] [1]_: how much of a spectrogram survives pooling.

Each metric compares an original map ``S`` with its pooled version ``P``. The
functions accept one map each (2-D, ``(n_freqs, n_frames)``, result a float)
or batches (3-D, ``(n_clips, n_freqs, n_frames)``, one value per clip).
:func:`preservation_metrics` computes several at once and shares the work
(moments, histograms) between them; the single-metric functions call it.

Inputs are validated like every spectrogram in skaudio (finite floats,
never modified) and read as float32; every statistic accumulates in
float64 and is returned as float64.

Decisions the paper leaves open, made once here and shared by all functions:

* **Ratios** are ``stat(P) / stat(S)``. When ``stat(S) == 0`` the ratio is
  1.0 if ``stat(P) == 0`` too (nothing to keep, nothing changed) and
  ``±inf`` otherwise; it is never NaN.
* **Moments** are population moments (divide by N), kurtosis is non-excess
  (Pearson's, 3 for a normal distribution). A constant map has skewness 0
  and kurtosis 0 by convention, so two constant maps give ratios of 1.
* **Histograms** (entropy, KL divergence) use ``n_bins`` equal bins on the
  joint value range of the two maps of a clip, so both maps share the edges;
  entropies are in nats. KL adds ``eps`` to every bin probability before
  renormalising, so it stays finite when pooling empties a bin. A joint range
  no wider than 64 float32 steps of its largest magnitude is float32 rounding
  (pooling a constant map returns its value up to a few steps off): both maps
  fill one bin, as two constant maps do.
* **Sparsity** counts values within ``sparsity_tol`` of the original map's
  dynamic range above its minimum: ``x <= min(S) + tol * (max(S) - min(S))``,
  the same threshold for both maps. For a dB map this is "close to the
  floor"; for a power map "close to zero".
* **Offsets.** The Gini coefficient, spectral centroid and spectral
  bandwidth need non-negative weights. Both maps are offset by the same
  amount, ``min(0, min(S), min(P))``: power maps are used as they are, dB
  maps become levels above their floor.
* **Pooling geometry.** Pointwise similarity (correlation, cosine) repeats
  ``P`` onto ``S``'s grid by nearest neighbour: cell ``(f, t)`` meets pooled
  cell ``((f + pad_f) // stride_f, (t + pad_t) // stride_t)``, clipped to the
  pooled map. The stride is inferred as ``round(n_freqs / n_freqs_pooled)``
  (and likewise for time) unless given; ``padding`` defaults to 0, the
  layout of ``torch.nn.functional.avg_pool2d`` and of
  :func:`skaudio.features.pool2d`.
* **Frequencies.** Row ``k`` of ``P`` covers original rows
  ``[k * stride_f - pad_f, k * stride_f - pad_f + kernel_f)`` and gets the mean of their
  frequencies. Original frequencies are ``freqs`` if given, otherwise
  librosa's default for a map without labels
  (``librosa.fft_frequencies(sr=sr, n_fft=2 * (n_freqs - 1))``).
* **Spectral descriptors** follow librosa's definitions per frame and are
  averaged over frames; centroid and bandwidth skip frames with no energy
  (all weights zero), where they are undefined. Spectral contrast uses
  librosa's octave bands and quantile with ``linear=True`` (peak minus
  valley in the map's own units), because the maps compared are usually
  already in dB; bands that hold no row on a map's frequency axis are left
  out.
* **Lipschitz continuity** is the empirical constant over pairs of clips of
  a batch: for clip ``i``, ``max_j d(P_i, P_j) / d(S_i, S_j)`` over the other
  clips ``j`` with ``d(S_i, S_j) > 0``, where ``d`` is the root-mean-square
  distance (the norm divided by the square root of the element count, so
  maps of different sizes compare). It needs at least two clips.
* **Compression ratio** is exact: ``S.size / P.size`` per clip.

References
----------
.. [1] Bandara and Thayasivam, "Evaluating and interpreting pooling techniques in
   spectrogram-based audio analysis using diverse metrics" (Sec. II-C, Fig. 3,
   Eqs. 12-23).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from numbers import Real
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from skaudio._kernels import metrics as _k
from skaudio._kernels.filterbank import fft_frequencies
from skaudio._validation import check_spectrograms

__all__ = [
    "MetricInfo",
    "PRESERVATION_METRICS",
    "METRIC_ENTRIES",
    "METRIC_NAMES",
    "get_metric",
    "preservation_metrics",
    "variance_ratio",
    "entropy_ratio",
    "mean_ratio",
    "skewness_ratio",
    "kurtosis_ratio",
    "sparsity_ratio",
    "gini_ratio",
    "kl_divergence",
    "correlation",
    "cosine_similarity",
    "lipschitz_constant",
    "temporal_variance_ratio",
    "spectral_centroid_ratio",
    "spectral_contrast_ratio",
    "spectral_bandwidth_ratio",
    "compression_ratio",
]

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
def _pair(value, name, low=1):
    if value is None:
        return None
    given = value
    if np.isscalar(value):
        value = (value, value)
    try:
        ints = tuple(int(v) for v in value)
        exact = all(isinstance(v, (int, np.integer)) or float(v).is_integer() for v in value)
    except (TypeError, ValueError, OverflowError):  # "x", nan, inf: no whole number of bins
        ints, exact = (), False
    if not exact or len(ints) != 2 or min(ints) < low:
        kind = "positive" if low == 1 else "non-negative"
        raise ValueError(f"{name} must be a {kind} int or a pair (freq, time) of them, got {given!r}")
    return ints


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
        stride = _pair(self.opt["stride"], "stride")
        if stride is None:
            stride = (max(1, round(F / Fp)), max(1, round(T / Tp)))
        kernel = _pair(self.opt["kernel_size"], "kernel_size") or stride
        padding = _pair(self.opt["padding"], "padding", low=0)
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


# -- the registry record --------------------------------------------------------------
_INFO = "information_retention"
_GLOBAL = "global_structure"
_LOCAL = "local_detail"
_COMPRESSION = "compression"

#: The Fig. 3 categories of [POOL], in the paper's order.
_CATEGORIES = (_INFO, _GLOBAL, _LOCAL, _COMPRESSION)


@dataclass(frozen=True)
class MetricInfo:
    """One of the 16 distinct preservation computations: a row of :data:`PRESERVATION_METRICS`.

    Attributes
    ----------
    name : str
        Key used everywhere (``preservation_metrics``, scorers, reports).
    label : str
        Column label of the paper's tables.
    categories : tuple of str
        The Fig. 3 categories listing it (variance is in two).
    group : str
        Sub-group within global structure (statistical, low activity, energy
        distribution, similarity), temporal/spectral for local detail, or "".
    direction : {"target", "higher", "lower"}
        "target": best at ``ideal`` (ratios, 1.0); "higher"/"lower": larger or
        smaller is better.
    ideal : float or None
        The best value where one exists.
    equation : str
        Equation number in [POOL] ("" where the paper gives none).
    definition : str
        What exactly is computed.
    function : callable
        The public function computing this metric alone, ``function(S, P, **options)``.
    compute : callable
        The private step that :func:`preservation_metrics` runs for it on the
        validated batch (shared work is cached there).
    """

    name: str
    label: str
    categories: tuple[str, ...]
    group: str
    direction: Literal["target", "higher", "lower"]
    ideal: float | None
    equation: str
    definition: str
    function: Callable[..., float | NDArray[np.float64]] = field(repr=False)
    compute: Callable[[_Batch], NDArray[np.float64]] = field(repr=False, compare=False)

    @property
    def citation(self) -> str:
        """Where [POOL] defines the metric: ``"[POOL] Eq. (12)"``, or Fig. 3 where it gives no equation.

        Examples
        --------
        >>> from skaudio.metrics import get_metric
        >>> get_metric("sparsity").citation, get_metric("gini").citation
        ('[POOL] Eqs. (17-18)', '[POOL] Fig. 3')
        """
        if not self.equation:
            return "[POOL] Fig. 3"
        return f"[POOL] Eq{'s' if '-' in self.equation else ''}. ({self.equation})"

    def score(self, value: ArrayLike) -> NDArray[np.float64]:
        """Map metric values to "greater is better" scores (for scikit-learn).

        ``-|v - ideal|`` for targets, ``v`` for higher-is-better and ``-v`` for
        lower-is-better metrics.

        Examples
        --------
        >>> from skaudio.metrics import get_metric
        >>> float(get_metric("variance").score(0.75)), float(get_metric("kl_divergence").score(0.5))
        (-0.25, -0.5)
        """
        value = np.asarray(value, dtype=np.float64)
        if self.direction == "target":
            return -np.abs(value - self.ideal)
        return value if self.direction == "higher" else -value


# -- one public function per metric ---------------------------------------------------
# Each names its metric and hands over to preservation_metrics(), which validates the
# input and runs the metric's compute step from the registry; the options every metric
# accepts are passed through, so one option dict serves all of them.
def _one_metric(name, S, P, n_jobs, options):
    return preservation_metrics(S, P, [name], n_jobs=n_jobs, **options)[name]


def variance_ratio(
    S: ArrayLike, P: ArrayLike, *, n_jobs: int | None = None, **options: Any
) -> float | NDArray[np.float64]:
    """Share of the spread of values that pooling keeps, ``var(P) / var(S)`` ([POOL] Eq. (12)).

    The variances are population variances (divided by the number of cells)
    over all time-frequency cells of a map. A ratio below 1 means pooling
    flattened contrasts (averaging does); the ideal is 1.

    Parameters
    ----------
    S : array-like of shape (n_freqs, n_frames) or (n_clips, n_freqs, n_frames)
        Original spectrogram(s).
    P : array-like of shape (n_freqs', n_frames') or (n_clips, n_freqs', n_frames')
        Pooled spectrogram(s), as many clips as ``S``.
    n_jobs : int, default=None
        Threads of the numba kernels: None keeps numba's setting, -1 all cores.
    **options
        Not used by this metric; any option of :func:`preservation_metrics` is
        accepted (and checked), so one set of options serves every metric.

    Returns
    -------
    float or ndarray of shape (n_clips,)
        The ratio of a single map, or one ratio per clip of a batch.

    See Also
    --------
    preservation_metrics : several metrics at once, sharing their work.

    Examples
    --------
    >>> import numpy as np
    >>> from skaudio.metrics import variance_ratio
    >>> S = np.random.default_rng(0).random((4, 8, 10)).astype(np.float32)
    >>> avg = S.reshape(4, 4, 2, 5, 2).mean(axis=(2, 4))  # 2x2 average pooling
    >>> bool(np.all(variance_ratio(S, avg) < 0.5))  # averaging four cells cuts the spread
    True
    >>> variance_ratio(S[0], S[0])
    1.0
    """
    return _one_metric("variance", S, P, n_jobs, options)


def mean_ratio(
    S: ArrayLike, P: ArrayLike, *, n_jobs: int | None = None, **options: Any
) -> float | NDArray[np.float64]:
    """Whether pooling keeps the overall level, ``mean(P) / mean(S)`` ([POOL] Eq. (14)).

    Average pooling keeps the mean of the cells it covers, max pooling raises
    it and min pooling lowers it. For maps in dB (negative values) a raised
    level gives a ratio below 1. The ideal is 1.

    Parameters
    ----------
    S : array-like of shape (n_freqs, n_frames) or (n_clips, n_freqs, n_frames)
        Original spectrogram(s).
    P : array-like of shape (n_freqs', n_frames') or (n_clips, n_freqs', n_frames')
        Pooled spectrogram(s), as many clips as ``S``.
    n_jobs : int, default=None
        Threads of the numba kernels: None keeps numba's setting, -1 all cores.
    **options
        Not used by this metric; any option of :func:`preservation_metrics` is
        accepted (and checked), so one set of options serves every metric.

    Returns
    -------
    float or ndarray of shape (n_clips,)
        The ratio of a single map, or one ratio per clip of a batch.

    See Also
    --------
    preservation_metrics : several metrics at once, sharing their work.

    Examples
    --------
    >>> import numpy as np
    >>> from skaudio.metrics import mean_ratio
    >>> S = np.random.default_rng(0).random((4, 8, 10)).astype(np.float32)
    >>> avg = S.reshape(4, 4, 2, 5, 2).mean(axis=(2, 4))  # 2x2 average pooling
    >>> mx = S.reshape(4, 4, 2, 5, 2).max(axis=(2, 4))  # 2x2 max pooling
    >>> np.round(mean_ratio(S, avg), 6).tolist()
    [1.0, 1.0, 1.0, 1.0]
    >>> bool(np.all(mean_ratio(S, mx) > 1))
    True
    """
    return _one_metric("mean", S, P, n_jobs, options)


def skewness_ratio(
    S: ArrayLike, P: ArrayLike, *, n_jobs: int | None = None, **options: Any
) -> float | NDArray[np.float64]:
    """Whether pooling keeps the asymmetry of the values, ``skew(P) / skew(S)`` ([POOL] Eq. (15)).

    Skewness is the population third standardised moment of all values of a
    map; a constant map has skewness 0 by convention, so two constant maps
    give 1. A ratio far from 1 means pooling favoured the loud or the quiet
    cells; the ideal is 1.

    Parameters
    ----------
    S : array-like of shape (n_freqs, n_frames) or (n_clips, n_freqs, n_frames)
        Original spectrogram(s).
    P : array-like of shape (n_freqs', n_frames') or (n_clips, n_freqs', n_frames')
        Pooled spectrogram(s), as many clips as ``S``.
    n_jobs : int, default=None
        Threads of the numba kernels: None keeps numba's setting, -1 all cores.
    **options
        Not used by this metric; any option of :func:`preservation_metrics` is
        accepted (and checked), so one set of options serves every metric.

    Returns
    -------
    float or ndarray of shape (n_clips,)
        The ratio of a single map, or one ratio per clip of a batch.

    See Also
    --------
    preservation_metrics : several metrics at once, sharing their work.

    Examples
    --------
    >>> import numpy as np
    >>> from skaudio.metrics import skewness_ratio
    >>> S = np.random.default_rng(0).exponential(size=(4, 8, 10)).astype(np.float32)
    >>> mx = S.reshape(4, 4, 2, 5, 2).max(axis=(2, 4))  # 2x2 max pooling
    >>> skewness_ratio(S, mx).shape
    (4,)
    >>> skewness_ratio(S[0], S[0])
    1.0
    """
    return _one_metric("skewness", S, P, n_jobs, options)


def kurtosis_ratio(
    S: ArrayLike, P: ArrayLike, *, n_jobs: int | None = None, **options: Any
) -> float | NDArray[np.float64]:
    """Whether pooling keeps the peakedness of the values, ``kurt(P) / kurt(S)`` ([POOL] Eq. (16)).

    Kurtosis is the population fourth standardised moment, not the excess
    (3 for a normal distribution); a constant map has kurtosis 0 by
    convention. Heavy tails that pooling removes (or adds) move the ratio away
    from its ideal of 1.

    Parameters
    ----------
    S : array-like of shape (n_freqs, n_frames) or (n_clips, n_freqs, n_frames)
        Original spectrogram(s).
    P : array-like of shape (n_freqs', n_frames') or (n_clips, n_freqs', n_frames')
        Pooled spectrogram(s), as many clips as ``S``.
    n_jobs : int, default=None
        Threads of the numba kernels: None keeps numba's setting, -1 all cores.
    **options
        Not used by this metric; any option of :func:`preservation_metrics` is
        accepted (and checked), so one set of options serves every metric.

    Returns
    -------
    float or ndarray of shape (n_clips,)
        The ratio of a single map, or one ratio per clip of a batch.

    See Also
    --------
    preservation_metrics : several metrics at once, sharing their work.

    Examples
    --------
    >>> import numpy as np
    >>> from skaudio.metrics import kurtosis_ratio
    >>> S = np.random.default_rng(0).random((4, 8, 10)).astype(np.float32)
    >>> kurtosis_ratio(S, S).tolist()
    [1.0, 1.0, 1.0, 1.0]
    """
    return _one_metric("kurtosis", S, P, n_jobs, options)


def entropy_ratio(
    S: ArrayLike, P: ArrayLike, *, n_jobs: int | None = None, **options: Any
) -> float | NDArray[np.float64]:
    """How much of the variety of values survives pooling, ``H(P) / H(S)`` ([POOL] Eq. (13)).

    ``H`` is the Shannon entropy, in nats, of a map's value histogram; both
    maps of a clip are counted on the same ``n_bins`` equal bins spanning
    their joint range. Below 1, pooling made the values less varied; the
    ideal is 1.

    Parameters
    ----------
    S : array-like of shape (n_freqs, n_frames) or (n_clips, n_freqs, n_frames)
        Original spectrogram(s).
    P : array-like of shape (n_freqs', n_frames') or (n_clips, n_freqs', n_frames')
        Pooled spectrogram(s), as many clips as ``S``.
    n_jobs : int, default=None
        Threads of the numba kernels: None keeps numba's setting, -1 all cores.
    **options
        ``n_bins=64``, the number of histogram bins. Any other option of
        :func:`preservation_metrics` is accepted (and checked), so one set of
        options serves every metric.

    Returns
    -------
    float or ndarray of shape (n_clips,)
        The ratio of a single map, or one ratio per clip of a batch.

    See Also
    --------
    preservation_metrics : several metrics at once, sharing their work.

    Examples
    --------
    >>> import numpy as np
    >>> from skaudio.metrics import entropy_ratio
    >>> S = np.random.default_rng(0).random((4, 8, 10)).astype(np.float32)
    >>> entropy_ratio(S, S).tolist()
    [1.0, 1.0, 1.0, 1.0]
    >>> P = np.round(S * 2) / 2  # three levels left: far less variety
    >>> bool(np.all(entropy_ratio(S, P, n_bins=16) < 0.5))
    True
    """
    return _one_metric("entropy", S, P, n_jobs, options)


def sparsity_ratio(
    S: ArrayLike, P: ArrayLike, *, n_jobs: int | None = None, **options: Any
) -> float | NDArray[np.float64]:
    """Whether pooling keeps the quiet cells: near-floor share of ``P`` over ``S``'s ([POOL] Eqs. (17-18)).

    A cell counts as near the floor when it lies within ``sparsity_tol`` of
    the original map's dynamic range above the original's minimum,
    ``x <= min(S) + sparsity_tol * (max(S) - min(S))``; the same threshold is
    applied to both maps. For a dB map that is "close to the floor", for a
    power map "close to zero". Max pooling tends to fill quiet regions (ratio
    below 1); the ideal is 1.

    Parameters
    ----------
    S : array-like of shape (n_freqs, n_frames) or (n_clips, n_freqs, n_frames)
        Original spectrogram(s).
    P : array-like of shape (n_freqs', n_frames') or (n_clips, n_freqs', n_frames')
        Pooled spectrogram(s), as many clips as ``S``.
    n_jobs : int, default=None
        Threads of the numba kernels: None keeps numba's setting, -1 all cores.
    **options
        ``sparsity_tol=0.01``, the share of the dynamic range counted as near
        the floor, in ``[0, 1)``. Any other option of
        :func:`preservation_metrics` is accepted (and checked), so one set of
        options serves every metric.

    Returns
    -------
    float or ndarray of shape (n_clips,)
        The ratio of a single map, or one ratio per clip of a batch.

    See Also
    --------
    preservation_metrics : several metrics at once, sharing their work.

    Examples
    --------
    >>> import numpy as np
    >>> from skaudio.metrics import sparsity_ratio
    >>> S = np.zeros((8, 10), np.float32)
    >>> S[:, ::2] = 1.0  # every other frame silent: half the cells at the floor
    >>> sparsity_ratio(S, S[:, ::2])  # keeping only the loud frames leaves no quiet cell
    0.0
    >>> sparsity_ratio(S, S[::2])
    1.0
    """
    return _one_metric("sparsity", S, P, n_jobs, options)


def gini_ratio(
    S: ArrayLike, P: ArrayLike, *, n_jobs: int | None = None, **options: Any
) -> float | NDArray[np.float64]:
    """Whether pooling keeps how unevenly energy is spread, ``Gini(P) / Gini(S)`` ([POOL] Fig. 3).

    The Gini coefficient of a map's values is 0 when every cell holds the
    same energy and approaches 1 when a few cells hold it all. It needs
    non-negative values, so both maps are shifted by the same amount,
    ``min(0, min(S), min(P))`` (power maps stay as they are, dB maps become
    levels above their floor). [POOL] lists it in Fig. 3 without an equation;
    the ideal is 1.

    Parameters
    ----------
    S : array-like of shape (n_freqs, n_frames) or (n_clips, n_freqs, n_frames)
        Original spectrogram(s).
    P : array-like of shape (n_freqs', n_frames') or (n_clips, n_freqs', n_frames')
        Pooled spectrogram(s), as many clips as ``S``.
    n_jobs : int, default=None
        Threads of the numba kernels: None keeps numba's setting, -1 all cores.
    **options
        Not used by this metric; any option of :func:`preservation_metrics` is
        accepted (and checked), so one set of options serves every metric.

    Returns
    -------
    float or ndarray of shape (n_clips,)
        The ratio of a single map, or one ratio per clip of a batch.

    See Also
    --------
    preservation_metrics : several metrics at once, sharing their work.

    Examples
    --------
    >>> import numpy as np
    >>> from skaudio.metrics import gini_ratio
    >>> S = np.random.default_rng(0).random((4, 8, 10)).astype(np.float32)
    >>> avg = S.reshape(4, 4, 2, 5, 2).mean(axis=(2, 4))  # 2x2 average pooling
    >>> bool(np.all(gini_ratio(S, avg) < 1))  # averaging evens the energy out
    True
    """
    return _one_metric("gini", S, P, n_jobs, options)


def kl_divergence(
    S: ArrayLike, P: ArrayLike, *, n_jobs: int | None = None, **options: Any
) -> float | NDArray[np.float64]:
    """How far the pooled value distribution drifts from the original, ``KL(p_S || p_P)`` ([POOL] Eq. (19)).

    ``p_S`` and ``p_P`` are the value histograms of the two maps of a clip on
    the same ``n_bins`` equal bins spanning their joint range; ``eps`` is
    added to every bin probability (then renormalised), so the divergence
    stays finite when pooling empties a bin. In nats; 0 for identical
    distributions, lower is better. Maps whose joint range is no wider than
    64 float32 steps (the rounding of float32 pooling) count as equal: 0.

    Parameters
    ----------
    S : array-like of shape (n_freqs, n_frames) or (n_clips, n_freqs, n_frames)
        Original spectrogram(s).
    P : array-like of shape (n_freqs', n_frames') or (n_clips, n_freqs', n_frames')
        Pooled spectrogram(s), as many clips as ``S``.
    n_jobs : int, default=None
        Threads of the numba kernels: None keeps numba's setting, -1 all cores.
    **options
        ``n_bins=64``, the number of histogram bins, and ``eps=1e-10``, the
        smoothing added to each bin probability. Any other option of
        :func:`preservation_metrics` is accepted (and checked), so one set of
        options serves every metric.

    Returns
    -------
    float or ndarray of shape (n_clips,)
        The divergence of a single map, or one per clip of a batch.

    See Also
    --------
    preservation_metrics : several metrics at once, sharing their work.

    Examples
    --------
    >>> import numpy as np
    >>> from skaudio.metrics import kl_divergence
    >>> S = np.random.default_rng(0).random((4, 8, 10)).astype(np.float32)
    >>> mx = S.reshape(4, 4, 2, 5, 2).max(axis=(2, 4))  # 2x2 max pooling
    >>> kl_divergence(S, S).tolist()
    [0.0, 0.0, 0.0, 0.0]
    >>> bool(np.all(kl_divergence(S, mx, n_bins=8) > 0))  # max pooling shifts values up
    True
    """
    return _one_metric("kl_divergence", S, P, n_jobs, options)


def cosine_similarity(
    S: ArrayLike, P: ArrayLike, *, n_jobs: int | None = None, **options: Any
) -> float | NDArray[np.float64]:
    """Whether the pooled map points the same way as the original, cell for cell ([POOL] Eq. (20)).

    ``P`` is first repeated back onto ``S``'s grid by nearest neighbour (cell
    ``(f, t)`` meets pooled cell ``((f + pad_f) // stride_f, (t + pad_t) //
    stride_t)``), then the cosine of the angle between the two flattened maps
    is taken. Two all-zero maps give 1, one all-zero map 0. Higher is better,
    1 at most.

    Parameters
    ----------
    S : array-like of shape (n_freqs, n_frames) or (n_clips, n_freqs, n_frames)
        Original spectrogram(s).
    P : array-like of shape (n_freqs', n_frames') or (n_clips, n_freqs', n_frames')
        Pooled spectrogram(s), as many clips as ``S``.
    n_jobs : int, default=None
        Threads of the numba kernels: None keeps numba's setting, -1 all cores.
    **options
        ``stride`` (inferred from the shapes when None) and ``padding=0``, the
        pooling geometry. Any other option of :func:`preservation_metrics` is
        accepted (and checked), so one set of options serves every metric.

    Returns
    -------
    float or ndarray of shape (n_clips,)
        The similarity of a single map, or one per clip of a batch.

    See Also
    --------
    correlation : the same comparison after centring both maps.
    preservation_metrics : several metrics at once, sharing their work.

    Examples
    --------
    >>> import numpy as np
    >>> from skaudio.metrics import cosine_similarity
    >>> S = np.random.default_rng(0).random((4, 8, 10)).astype(np.float32)
    >>> avg = S.reshape(4, 4, 2, 5, 2).mean(axis=(2, 4))  # 2x2 average pooling
    >>> bool(np.all(cosine_similarity(S, avg) > 0.8))
    True
    """
    return _one_metric("cosine_similarity", S, P, n_jobs, options)


def correlation(
    S: ArrayLike, P: ArrayLike, *, n_jobs: int | None = None, **options: Any
) -> float | NDArray[np.float64]:
    """Whether pooled values rise and fall with the original ones, cell for cell ([POOL] Fig. 3).

    The Pearson correlation of ``S`` with ``P`` repeated back onto ``S``'s
    grid by nearest neighbour (the layout of :func:`cosine_similarity`).
    [POOL] lists it in Fig. 3 without an equation. Two constant maps give 1,
    one constant map 0. Higher is better, 1 at most.

    Parameters
    ----------
    S : array-like of shape (n_freqs, n_frames) or (n_clips, n_freqs, n_frames)
        Original spectrogram(s).
    P : array-like of shape (n_freqs', n_frames') or (n_clips, n_freqs', n_frames')
        Pooled spectrogram(s), as many clips as ``S``.
    n_jobs : int, default=None
        Threads of the numba kernels: None keeps numba's setting, -1 all cores.
    **options
        ``stride`` (inferred from the shapes when None) and ``padding=0``, the
        pooling geometry. Any other option of :func:`preservation_metrics` is
        accepted (and checked), so one set of options serves every metric.

    Returns
    -------
    float or ndarray of shape (n_clips,)
        The correlation of a single map, or one per clip of a batch.

    See Also
    --------
    cosine_similarity : the same comparison without centring.
    preservation_metrics : several metrics at once, sharing their work.

    Examples
    --------
    >>> import numpy as np
    >>> from skaudio.metrics import correlation
    >>> S = np.random.default_rng(0).random((4, 8, 10)).astype(np.float32)
    >>> round(correlation(S[0], S[0]), 6)
    1.0
    >>> B = S[:, ::2, ::2].repeat(2, axis=1).repeat(2, axis=2)  # constant on each 2x2 block
    >>> np.round(correlation(B, B[:, ::2, ::2]), 6).tolist()  # pooling such a map loses nothing
    [1.0, 1.0, 1.0, 1.0]
    """
    return _one_metric("correlation", S, P, n_jobs, options)


def lipschitz_constant(
    S: ArrayLike, P: ArrayLike, *, n_jobs: int | None = None, **options: Any
) -> float | NDArray[np.float64]:
    """How much pooling stretches the distances between clips, empirically ([POOL] Eq. (21)).

    For clip ``i`` of a batch: the largest ratio ``d(P_i, P_j) / d(S_i, S_j)``
    over the other clips ``j`` with ``d(S_i, S_j) > 0``, where ``d`` is the
    root-mean-square difference (the Euclidean norm over the square root of
    the cell count, so maps of different sizes compare). Below 1, pooling
    pulls clips together; above 1 it pushes them apart. The ideal is 1. It
    needs a batch of at least two clips.

    Parameters
    ----------
    S : array-like of shape (n_clips, n_freqs, n_frames)
        Original spectrograms, at least two clips (a single map raises
        ``ValueError``).
    P : array-like of shape (n_clips, n_freqs', n_frames')
        Pooled spectrograms, as many clips as ``S``.
    n_jobs : int, default=None
        Threads of the numba kernels: None keeps numba's setting, -1 all cores.
    **options
        Not used by this metric; any option of :func:`preservation_metrics` is
        accepted (and checked), so one set of options serves every metric.

    Returns
    -------
    ndarray of shape (n_clips,)
        One constant per clip.

    See Also
    --------
    preservation_metrics : several metrics at once, sharing their work.

    Examples
    --------
    >>> import numpy as np
    >>> from skaudio.metrics import lipschitz_constant
    >>> S = np.random.default_rng(0).random((4, 8, 10)).astype(np.float32)
    >>> np.round(lipschitz_constant(S, S), 6).tolist()
    [1.0, 1.0, 1.0, 1.0]
    >>> np.round(lipschitz_constant(S, 2 * S), 6).tolist()  # every distance doubles
    [2.0, 2.0, 2.0, 2.0]
    """
    return _one_metric("lipschitz", S, P, n_jobs, options)


def temporal_variance_ratio(
    S: ArrayLike, P: ArrayLike, *, n_jobs: int | None = None, **options: Any
) -> float | NDArray[np.float64]:
    """Whether pooling keeps the rise and fall of loudness over time ([POOL] Eq. (22)).

    Each map is reduced to its mean intensity per frame; the ratio is the
    variance over frames of that curve for ``P`` over the same for ``S``.
    Below 1, pooling smoothed out onsets and pauses; the ideal is 1.

    Parameters
    ----------
    S : array-like of shape (n_freqs, n_frames) or (n_clips, n_freqs, n_frames)
        Original spectrogram(s).
    P : array-like of shape (n_freqs', n_frames') or (n_clips, n_freqs', n_frames')
        Pooled spectrogram(s), as many clips as ``S``.
    n_jobs : int, default=None
        Threads of the numba kernels: None keeps numba's setting, -1 all cores.
    **options
        Not used by this metric; any option of :func:`preservation_metrics` is
        accepted (and checked), so one set of options serves every metric.

    Returns
    -------
    float or ndarray of shape (n_clips,)
        The ratio of a single map, or one ratio per clip of a batch.

    See Also
    --------
    preservation_metrics : several metrics at once, sharing their work.

    Examples
    --------
    >>> import numpy as np
    >>> from skaudio.metrics import temporal_variance_ratio
    >>> S = np.random.default_rng(0).random((4, 8, 10)).astype(np.float32)
    >>> per_frame = S.reshape(4, 4, 2, 10).mean(axis=2)  # pooling along frequency only
    >>> np.round(temporal_variance_ratio(S, per_frame), 6).tolist()  # frame means unchanged
    [1.0, 1.0, 1.0, 1.0]
    """
    return _one_metric("temporal_variance", S, P, n_jobs, options)


def spectral_centroid_ratio(
    S: ArrayLike, P: ArrayLike, *, n_jobs: int | None = None, **options: Any
) -> float | NDArray[np.float64]:
    """Whether pooling keeps the spectral centre of mass, a ratio of mean centroids ([POOL] Fig. 3).

    The centroid of each frame follows librosa's definition (the
    energy-weighted mean frequency, on values shifted by
    ``min(0, min(S), min(P))``) and is averaged over the frames that hold
    energy; the result is the pooled map's average over the original's. A
    pooled row sits at the mean frequency of the rows it covers. [POOL]
    lists it in Fig. 3 without an equation; the ideal is 1.

    Parameters
    ----------
    S : array-like of shape (n_freqs, n_frames) or (n_clips, n_freqs, n_frames)
        Original spectrogram(s).
    P : array-like of shape (n_freqs', n_frames') or (n_clips, n_freqs', n_frames')
        Pooled spectrogram(s), as many clips as ``S``.
    n_jobs : int, default=None
        Threads of the numba kernels: None keeps numba's setting, -1 all cores.
    **options
        ``freqs`` (one frequency per row of ``S``; pass
        ``MelSpectrogram.frequencies_`` for mel maps) or ``sr=22050`` (then
        the rows are librosa's default FFT frequencies), and the pooling
        geometry ``stride``, ``kernel_size`` (inferred when None) and
        ``padding=0``. Any other option of :func:`preservation_metrics` is
        accepted (and checked), so one set of options serves every metric.

    Returns
    -------
    float or ndarray of shape (n_clips,)
        The ratio of a single map, or one ratio per clip of a batch.

    See Also
    --------
    preservation_metrics : several metrics at once, sharing their work.

    Examples
    --------
    >>> import numpy as np
    >>> from skaudio.metrics import spectral_centroid_ratio
    >>> S = np.random.default_rng(0).random((4, 8, 10)).astype(np.float32)
    >>> spectral_centroid_ratio(S, S).tolist()
    [1.0, 1.0, 1.0, 1.0]
    """
    return _one_metric("spectral_centroid", S, P, n_jobs, options)


def spectral_contrast_ratio(
    S: ArrayLike, P: ArrayLike, *, n_jobs: int | None = None, **options: Any
) -> float | NDArray[np.float64]:
    """Whether pooling keeps the gap between spectral peaks and valleys ([POOL] Fig. 3).

    librosa's spectral contrast with ``linear=True``: in each octave band,
    the mean of the loudest ``quantile`` of rows minus the mean of the
    quietest, in the map's own units (maps are usually in dB already),
    averaged over bands and frames; the result is the pooled map's value over
    the original's. Bands that hold no row of a coarse frequency axis are left
    out. [POOL] lists it in Fig. 3 without an equation; the ideal is 1.

    Parameters
    ----------
    S : array-like of shape (n_freqs, n_frames) or (n_clips, n_freqs, n_frames)
        Original spectrogram(s).
    P : array-like of shape (n_freqs', n_frames') or (n_clips, n_freqs', n_frames')
        Pooled spectrogram(s), as many clips as ``S``.
    n_jobs : int, default=None
        Threads of the numba kernels: None keeps numba's setting, -1 all cores.
    **options
        ``freqs`` or ``sr=22050`` and the pooling geometry, as for
        :func:`spectral_centroid_ratio`, and librosa's band layout
        ``n_bands=6``, ``fmin=200.0``, ``quantile=0.02`` (the highest band
        edge must stay below ``sr / 2``). Any other option of
        :func:`preservation_metrics` is accepted (and checked), so one set of
        options serves every metric.

    Returns
    -------
    float or ndarray of shape (n_clips,)
        The ratio of a single map, or one ratio per clip of a batch.

    See Also
    --------
    preservation_metrics : several metrics at once, sharing their work.

    Examples
    --------
    >>> import numpy as np
    >>> from skaudio.metrics import spectral_contrast_ratio
    >>> S = np.random.default_rng(0).random((4, 8, 10)).astype(np.float32)
    >>> spectral_contrast_ratio(S, S, sr=16000, fmin=100.0, n_bands=3).tolist()
    [1.0, 1.0, 1.0, 1.0]
    """
    return _one_metric("spectral_contrast", S, P, n_jobs, options)


def spectral_bandwidth_ratio(
    S: ArrayLike, P: ArrayLike, *, n_jobs: int | None = None, **options: Any
) -> float | NDArray[np.float64]:
    """Whether pooling keeps the spread of frequencies around the centroid ([POOL] Fig. 3).

    The bandwidth of each frame follows librosa's definition with ``p=2``
    (the energy-weighted standard deviation of frequency about the centroid,
    on values shifted as for :func:`spectral_centroid_ratio`), averaged over
    frames that hold energy; the result is the pooled map's average over the
    original's. [POOL] lists it in Fig. 3 without an equation; the ideal is 1.

    Parameters
    ----------
    S : array-like of shape (n_freqs, n_frames) or (n_clips, n_freqs, n_frames)
        Original spectrogram(s).
    P : array-like of shape (n_freqs', n_frames') or (n_clips, n_freqs', n_frames')
        Pooled spectrogram(s), as many clips as ``S``.
    n_jobs : int, default=None
        Threads of the numba kernels: None keeps numba's setting, -1 all cores.
    **options
        ``freqs`` or ``sr=22050`` and the pooling geometry, as for
        :func:`spectral_centroid_ratio`. Any other option of
        :func:`preservation_metrics` is accepted (and checked), so one set of
        options serves every metric.

    Returns
    -------
    float or ndarray of shape (n_clips,)
        The ratio of a single map, or one ratio per clip of a batch.

    See Also
    --------
    preservation_metrics : several metrics at once, sharing their work.

    Examples
    --------
    >>> import numpy as np
    >>> from skaudio.metrics import spectral_bandwidth_ratio
    >>> S = np.random.default_rng(0).random((4, 8, 10)).astype(np.float32)
    >>> spectral_bandwidth_ratio(S, S).tolist()
    [1.0, 1.0, 1.0, 1.0]
    """
    return _one_metric("spectral_bandwidth", S, P, n_jobs, options)


def compression_ratio(
    S: ArrayLike, P: ArrayLike, *, n_jobs: int | None = None, **options: Any
) -> float | NDArray[np.float64]:
    """How many times smaller the pooled map is, ``S.size / P.size`` per clip ([POOL] Eq. (23)).

    Exact (no rounding): a 2x2 pooling of a map with even sides gives 4.
    Higher means more compression; the other metrics say what it cost.

    Parameters
    ----------
    S : array-like of shape (n_freqs, n_frames) or (n_clips, n_freqs, n_frames)
        Original spectrogram(s).
    P : array-like of shape (n_freqs', n_frames') or (n_clips, n_freqs', n_frames')
        Pooled spectrogram(s), as many clips as ``S``.
    n_jobs : int, default=None
        Accepted like every metric's (None keeps numba's setting); this one runs no
        kernel.
    **options
        Not used by this metric; any option of :func:`preservation_metrics` is
        accepted (and checked), so one set of options serves every metric.

    Returns
    -------
    float or ndarray of shape (n_clips,)
        The ratio of a single map, or one ratio per clip of a batch.

    See Also
    --------
    preservation_metrics : several metrics at once, sharing their work.

    Examples
    --------
    >>> import numpy as np
    >>> from skaudio.metrics import compression_ratio
    >>> S = np.random.default_rng(0).random((4, 8, 10)).astype(np.float32)
    >>> P = S.reshape(4, 4, 2, 5, 2).max(axis=(2, 4))  # 2x2 max pooling
    >>> compression_ratio(S, P).tolist()
    [4.0, 4.0, 4.0, 4.0]
    >>> compression_ratio(S[0], S[0, :, ::3])  # 10 frames to 4
    2.5
    """
    return _one_metric("compression_ratio", S, P, n_jobs, options)


# -- the registry ---------------------------------------------------------------------
#: The registry, one :class:`MetricInfo` per metric in the column order of the paper's
#: Tables I-III: everything else (:data:`METRIC_NAMES`, :data:`METRIC_ENTRIES`, the
#: scorers, :func:`get_metric`, the dispatch of :func:`preservation_metrics`, the
#: documentation's metric table) is derived from it.
PRESERVATION_METRICS: dict[str, MetricInfo] = {
    info.name: info
    for info in (
        MetricInfo(
            name="variance",
            label="Variance preservation",
            categories=(_INFO, _GLOBAL),
            group="statistical",
            direction="target",
            ideal=1.0,
            equation="12",
            definition="var(P) / var(S), population variance of all values of a map",
            function=variance_ratio,
            compute=_variance,
        ),
        MetricInfo(
            name="mean",
            label="Mean preservation",
            categories=(_GLOBAL,),
            group="statistical",
            direction="target",
            ideal=1.0,
            equation="14",
            definition="mean(P) / mean(S)",
            function=mean_ratio,
            compute=_mean,
        ),
        MetricInfo(
            name="skewness",
            label="Skewness",
            categories=(_GLOBAL,),
            group="statistical",
            direction="target",
            ideal=1.0,
            equation="15",
            definition="skew(P) / skew(S), population skewness (0 for a constant map)",
            function=skewness_ratio,
            compute=_skewness,
        ),
        MetricInfo(
            name="kurtosis",
            label="Kurtosis",
            categories=(_GLOBAL,),
            group="statistical",
            direction="target",
            ideal=1.0,
            equation="16",
            definition="kurt(P) / kurt(S), non-excess (Pearson) kurtosis (0 for a constant map)",
            function=kurtosis_ratio,
            compute=_kurtosis,
        ),
        MetricInfo(
            name="entropy",
            label="Entropy",
            categories=(_INFO,),
            group="",
            direction="target",
            ideal=1.0,
            equation="13",
            definition="H(P) / H(S), Shannon entropy (nats) of the value histogram on n_bins shared bins",
            function=entropy_ratio,
            compute=_entropy,
        ),
        MetricInfo(
            name="sparsity",
            label="Sparsity level",
            categories=(_GLOBAL,),
            group="low activity",
            direction="target",
            ideal=1.0,
            equation="17-18",
            definition="share of values <= min(S) + sparsity_tol * range(S) in P over the same share in S",
            function=sparsity_ratio,
            compute=_sparsity,
        ),
        MetricInfo(
            name="gini",
            label="Gini coefficient",
            categories=(_GLOBAL,),
            group="energy distribution",
            direction="target",
            ideal=1.0,
            equation="",
            definition="Gini(P) / Gini(S) of the values offset by min(0, min S, min P)",
            function=gini_ratio,
            compute=_gini,
        ),
        MetricInfo(
            name="kl_divergence",
            label="KL divergence",
            categories=(_GLOBAL,),
            group="similarity",
            direction="lower",
            ideal=0.0,
            equation="19",
            definition="KL(p_S || p_P) (nats) of the value histograms on shared bins, eps-smoothed",
            function=kl_divergence,
            compute=_kl,
        ),
        MetricInfo(
            name="cosine_similarity",
            label="Cosine similarity",
            categories=(_GLOBAL,),
            group="similarity",
            direction="higher",
            ideal=1.0,
            equation="20",
            definition="cosine of S and P repeated onto S's grid (nearest neighbour)",
            function=cosine_similarity,
            compute=_cosine,
        ),
        MetricInfo(
            name="correlation",
            label="Correlation coefficient",
            categories=(_GLOBAL,),
            group="similarity",
            direction="higher",
            ideal=1.0,
            equation="",
            definition="Pearson correlation of S and P repeated onto S's grid (nearest neighbour)",
            function=correlation,
            compute=_correlation,
        ),
        MetricInfo(
            name="lipschitz",
            label="Lipschitz continuity",
            categories=(_GLOBAL,),
            group="similarity",
            direction="target",
            ideal=1.0,
            equation="21",
            definition="max over other clips j of rms(P_i - P_j) / rms(S_i - S_j)",
            function=lipschitz_constant,
            compute=_lipschitz,
        ),
        MetricInfo(
            name="temporal_variance",
            label="Temporal variance",
            categories=(_LOCAL,),
            group="temporal",
            direction="target",
            ideal=1.0,
            equation="22",
            definition="ratio of the variances over time of the per-frame mean intensity",
            function=temporal_variance_ratio,
            compute=_temporal_variance,
        ),
        MetricInfo(
            name="spectral_centroid",
            label="Spectral centroid",
            categories=(_LOCAL,),
            group="spectral",
            direction="target",
            ideal=1.0,
            equation="",
            definition="ratio of the frame-averaged librosa spectral centroids",
            function=spectral_centroid_ratio,
            compute=_centroid,
        ),
        MetricInfo(
            name="spectral_contrast",
            label="Spectral contrast",
            categories=(_LOCAL,),
            group="spectral",
            direction="target",
            ideal=1.0,
            equation="",
            definition="ratio of the librosa spectral contrasts (linear), averaged over bands and frames",
            function=spectral_contrast_ratio,
            compute=_contrast,
        ),
        MetricInfo(
            name="spectral_bandwidth",
            label="Spectral bandwidth",
            categories=(_LOCAL,),
            group="spectral",
            direction="target",
            ideal=1.0,
            equation="",
            definition="ratio of the frame-averaged librosa spectral bandwidths (p=2)",
            function=spectral_bandwidth_ratio,
            compute=_bandwidth,
        ),
        MetricInfo(
            name="compression_ratio",
            label="Compression ratio",
            categories=(_COMPRESSION,),
            group="",
            direction="higher",
            ideal=None,
            equation="23",
            definition="S.size / P.size per clip",
            function=compression_ratio,
            compute=_compression,
        ),
    )
}

#: The metric names in the order of the paper's tables (the registry's order).
METRIC_NAMES: tuple[str, ...] = tuple(PRESERVATION_METRICS)

#: The 17 (category, metric) entries of [POOL] Fig. 3 (variance appears twice).
METRIC_ENTRIES: tuple[tuple[str, str], ...] = tuple(
    (category, info.name)
    for category in _CATEGORIES
    for info in PRESERVATION_METRICS.values()
    if category in info.categories
)


def get_metric(name: str | MetricInfo) -> MetricInfo:
    """Registry entry (:class:`MetricInfo`) of a metric name.

    Parameters
    ----------
    name : str or MetricInfo
        A name from :data:`METRIC_NAMES`; a :class:`MetricInfo` is returned as it is.

    Returns
    -------
    MetricInfo

    Examples
    --------
    >>> from skaudio.metrics import get_metric
    >>> info = get_metric("cosine_similarity")
    >>> info.direction, info.categories
    ('higher', ('global_structure',))
    >>> info.function.__name__, info.citation
    ('cosine_similarity', '[POOL] Eq. (20)')
    """
    if isinstance(name, MetricInfo):
        return name
    try:
        return PRESERVATION_METRICS[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown preservation metric {name!r}; valid names: {', '.join(METRIC_NAMES)}"
        ) from None


def _resolve(metrics):
    if metrics is None or (isinstance(metrics, str) and metrics == "all"):
        return list(METRIC_NAMES)
    if isinstance(metrics, str):
        metrics = [metrics]
    names = [get_metric(m).name for m in metrics]
    if not names:
        raise ValueError("metrics is empty; pass 'all' or a list of metric names")
    return names


def preservation_metrics(
    S: ArrayLike,
    P: ArrayLike,
    metrics: str | Iterable[str | MetricInfo] = "all",
    *,
    n_jobs: int | None = None,
    **options: Any,
) -> dict[str, float | NDArray[np.float64]]:
    """Compute several preservation metrics of ``P`` (pooled) against ``S`` (original) at once.

    Parameters
    ----------
    S : array-like of shape (n_freqs, n_frames) or (n_clips, n_freqs, n_frames)
        Original spectrogram(s), float.
    P : array-like of shape (n_freqs', n_frames') or (n_clips, n_freqs', n_frames')
        Their pooled versions, same number of clips.
    metrics : "all", str or list of str, default="all"
        Names from :data:`METRIC_NAMES`.
    n_jobs : int, default=None
        Threads of the numba kernels: None keeps numba's own setting (all cores
        unless ``NUMBA_NUM_THREADS`` or ``numba.set_num_threads`` says otherwise;
        joblib's workers lower it), -1 all cores, -2 all
        but one (capped at ``NUMBA_NUM_THREADS``); see the design notes, "n_jobs:
        what None means".
    **options
        ``n_bins=64`` (entropy, KL), ``eps=1e-10`` (KL), ``sparsity_tol=0.01``,
        ``sr=22050`` and ``freqs=None`` (spectral descriptors), ``stride``,
        ``kernel_size`` (pooling geometry, inferred from the shapes when None)
        and ``padding=0``,
        ``n_bands=6``, ``fmin=200.0``, ``quantile=0.02`` (spectral contrast).
        See the module docstring for every convention.

    Returns
    -------
    dict of str to float or ndarray of shape (n_clips,)
        One entry per requested metric, in the order asked.

    References
    ----------
    .. [1] Bandara and Thayasivam, "Evaluating and interpreting pooling techniques
       in spectrogram-based audio analysis using diverse metrics", Sec. II-C.

    Examples
    --------
    >>> import numpy as np
    >>> from skaudio.metrics import preservation_metrics
    >>> S = np.random.default_rng(0).random((3, 8, 10)).astype(np.float32)
    >>> P = S.reshape(3, 4, 2, 5, 2).mean(axis=(2, 4))  # 2x2 average pooling
    >>> res = preservation_metrics(S, P, ["mean", "cosine_similarity", "compression_ratio"])
    >>> np.round(res["mean"], 6), res["compression_ratio"]
    (array([1., 1., 1.]), array([4., 4., 4.]))
    """
    from skaudio._batching import numba_threads

    names = _resolve(metrics)
    batch = _Batch(S, P, options)
    out = {}
    with numba_threads(n_jobs):
        for name in names:
            value = PRESERVATION_METRICS[name].compute(batch)
            out[name] = float(value[0]) if batch.single else value
    return out
