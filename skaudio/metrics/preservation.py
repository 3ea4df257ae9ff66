"""The seventeen preservation metrics of [POOL] [1]_: how much of a spectrogram survives pooling.

Each metric compares an original map ``S`` with its pooled version ``P``. The
functions accept one map each (2-D, ``(n_freqs, n_frames)``, result a float)
or batches (3-D, ``(n_clips, n_freqs, n_frames)``, one value per clip).
:func:`~skaudio.metrics.preservation_metrics` computes several at once and shares the work
(moments, histograms) between them; the single-metric functions call it.

Inputs are validated like every spectrogram in skaudio (finite floats,
never modified) and read as float32; every statistic accumulates in
float64 and is returned as float64.

The code is in three modules: this one holds the public functions,
``skaudio.metrics._engine`` the input handling, the shared work and the
statistics, and ``skaudio.metrics._registry`` the table of metrics
(:data:`~skaudio.metrics.PRESERVATION_METRICS`) and
:func:`~skaudio.metrics.get_metric`; every name is importable from here.

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

from collections.abc import Iterable
from numbers import Integral
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from skaudio._sklearn_compat import validate_params

# the engine and the registry (split out of this module in issue 27); their names stay
# importable from here, as they always were
from skaudio.metrics._engine import _DEFAULTS, MAX_BINS, _Batch, pooled_frequencies  # noqa: F401
from skaudio.metrics._registry import (
    METRIC_ENTRIES,
    METRIC_NAMES,
    PRESERVATION_METRICS,
    MetricInfo,
    _resolve,
    get_metric,
)

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


# -- one public function per metric ---------------------------------------------------
# Each names its metric and hands over to preservation_metrics(), which runs the metric's
# compute step from the registry; the options every metric accepts are passed through, so
# one option dict serves all of them. Each function checks its own arguments with
# validate_params, so that a message names the function the user called; the check of
# preservation_metrics is then skipped (prefer_skip_nested_validation), not run twice.
# The **options are checked by _Batch, as for preservation_metrics.
_ONE_METRIC_PARAMS = {"S": ["array-like"], "P": ["array-like"], "n_jobs": [Integral, None]}


def _one_metric(name, S, P, n_jobs, options):
    return preservation_metrics(S, P, [name], n_jobs=n_jobs, **options)[name]


@validate_params(_ONE_METRIC_PARAMS, prefer_skip_nested_validation=True)
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


@validate_params(_ONE_METRIC_PARAMS, prefer_skip_nested_validation=True)
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


@validate_params(_ONE_METRIC_PARAMS, prefer_skip_nested_validation=True)
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


@validate_params(_ONE_METRIC_PARAMS, prefer_skip_nested_validation=True)
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


@validate_params(_ONE_METRIC_PARAMS, prefer_skip_nested_validation=True)
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


@validate_params(_ONE_METRIC_PARAMS, prefer_skip_nested_validation=True)
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


@validate_params(_ONE_METRIC_PARAMS, prefer_skip_nested_validation=True)
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


@validate_params(_ONE_METRIC_PARAMS, prefer_skip_nested_validation=True)
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


@validate_params(_ONE_METRIC_PARAMS, prefer_skip_nested_validation=True)
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


@validate_params(_ONE_METRIC_PARAMS, prefer_skip_nested_validation=True)
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


@validate_params(_ONE_METRIC_PARAMS, prefer_skip_nested_validation=True)
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


@validate_params(_ONE_METRIC_PARAMS, prefer_skip_nested_validation=True)
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


@validate_params(_ONE_METRIC_PARAMS, prefer_skip_nested_validation=True)
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


@validate_params(_ONE_METRIC_PARAMS, prefer_skip_nested_validation=True)
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


@validate_params(_ONE_METRIC_PARAMS, prefer_skip_nested_validation=True)
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


@validate_params(_ONE_METRIC_PARAMS, prefer_skip_nested_validation=True)
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


@validate_params(
    {
        "S": ["array-like"],
        "P": ["array-like"],
        "metrics": [Iterable, None],
        "n_jobs": [Integral, None],
    },
    # the options (**options) are checked by _Batch, against every metric's needs at once
    prefer_skip_nested_validation=True,
)
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
