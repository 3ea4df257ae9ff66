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
  renormalising, so it stays finite when pooling empties a bin.
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
  :func:`skaudio._kernels.pooling.pool2d`.
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

from dataclasses import dataclass

import numpy as np

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
def _pair(value, name):
    if value is None:
        return None
    if np.isscalar(value):
        value = (value, value)
    value = tuple(int(v) for v in value)
    if len(value) != 2 or min(value) < 1:
        raise ValueError(f"{name} must be a positive int or a pair (freq, time) of them, got {value}")
    return value


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
        padding = self.opt["padding"]
        padding = (padding, padding) if np.isscalar(padding) else tuple(padding)
        if len(padding) != 2 or min(padding) < 0:
            raise ValueError(f"padding must be a non-negative int or pair of them, got {padding}")
        self.stride, self.kernel, self.padding = stride, kernel, tuple(int(v) for v in padding)
        n_bins = self.opt["n_bins"]
        if not (isinstance(n_bins, (int, np.integer)) and n_bins >= 1):
            raise ValueError(f"n_bins must be a positive int, got {n_bins!r}")
        if not 0 <= self.opt["sparsity_tol"] < 1:
            raise ValueError(f"sparsity_tol must lie in [0, 1), got {self.opt['sparsity_tol']!r}")
        if not self.opt["eps"] > 0:
            raise ValueError(f"eps must be positive, got {self.opt['eps']!r}")
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


def pooled_frequencies(freqs, n_rows, stride, kernel, padding=0):
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
    octa = np.zeros(n_bands + 2)
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


# -- the registry -------------------------------------------------------------------
@dataclass(frozen=True)
class MetricInfo:
    """One of the 16 distinct preservation computations.

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
    """

    name: str
    label: str
    categories: tuple
    group: str
    direction: str
    ideal: object
    equation: str
    definition: str

    @property
    def function(self):
        """The public function computing this metric."""
        return globals()[_FUNCTION_NAMES[self.name]]

    def score(self, value):
        """Map metric values to "greater is better" scores (for scikit-learn).

        ``-|v - ideal|`` for targets, ``v`` for higher-is-better and ``-v`` for
        lower-is-better metrics.
        """
        value = np.asarray(value, dtype=np.float64)
        if self.direction == "target":
            return -np.abs(value - self.ideal)
        return value if self.direction == "higher" else -value


_INFO = "information_retention"
_GLOBAL = "global_structure"
_LOCAL = "local_detail"
_COMPRESSION = "compression"

PRESERVATION_METRICS = {
    m.name: m
    for m in [
        MetricInfo(
            "variance",
            "Variance preservation",
            (_INFO, _GLOBAL),
            "statistical",
            "target",
            1.0,
            "12",
            "var(P) / var(S), population variance of all values of a map",
        ),
        MetricInfo(
            "entropy",
            "Entropy",
            (_INFO,),
            "",
            "target",
            1.0,
            "13",
            "H(P) / H(S), Shannon entropy (nats) of the value histogram on n_bins shared bins",
        ),
        MetricInfo(
            "mean", "Mean preservation", (_GLOBAL,), "statistical", "target", 1.0, "14", "mean(P) / mean(S)"
        ),
        MetricInfo(
            "skewness",
            "Skewness",
            (_GLOBAL,),
            "statistical",
            "target",
            1.0,
            "15",
            "skew(P) / skew(S), population skewness (0 for a constant map)",
        ),
        MetricInfo(
            "kurtosis",
            "Kurtosis",
            (_GLOBAL,),
            "statistical",
            "target",
            1.0,
            "16",
            "kurt(P) / kurt(S), non-excess (Pearson) kurtosis (0 for a constant map)",
        ),
        MetricInfo(
            "sparsity",
            "Sparsity level",
            (_GLOBAL,),
            "low activity",
            "target",
            1.0,
            "17-18",
            "share of values <= min(S) + sparsity_tol * range(S) in P over the same share in S",
        ),
        MetricInfo(
            "gini",
            "Gini coefficient",
            (_GLOBAL,),
            "energy distribution",
            "target",
            1.0,
            "",
            "Gini(P) / Gini(S) of the values offset by min(0, min S, min P)",
        ),
        MetricInfo(
            "kl_divergence",
            "KL divergence",
            (_GLOBAL,),
            "similarity",
            "lower",
            0.0,
            "19",
            "KL(p_S || p_P) (nats) of the value histograms on shared bins, eps-smoothed",
        ),
        MetricInfo(
            "cosine_similarity",
            "Cosine similarity",
            (_GLOBAL,),
            "similarity",
            "higher",
            1.0,
            "20",
            "cosine of S and P repeated onto S's grid (nearest neighbour)",
        ),
        MetricInfo(
            "correlation",
            "Correlation coefficient",
            (_GLOBAL,),
            "similarity",
            "higher",
            1.0,
            "",
            "Pearson correlation of S and P repeated onto S's grid (nearest neighbour)",
        ),
        MetricInfo(
            "lipschitz",
            "Lipschitz continuity",
            (_GLOBAL,),
            "similarity",
            "target",
            1.0,
            "21",
            "max over other clips j of rms(P_i - P_j) / rms(S_i - S_j)",
        ),
        MetricInfo(
            "temporal_variance",
            "Temporal variance",
            (_LOCAL,),
            "temporal",
            "target",
            1.0,
            "22",
            "ratio of the variances over time of the per-frame mean intensity",
        ),
        MetricInfo(
            "spectral_centroid",
            "Spectral centroid",
            (_LOCAL,),
            "spectral",
            "target",
            1.0,
            "",
            "ratio of the frame-averaged librosa spectral centroids",
        ),
        MetricInfo(
            "spectral_contrast",
            "Spectral contrast",
            (_LOCAL,),
            "spectral",
            "target",
            1.0,
            "",
            "ratio of the librosa spectral contrasts (linear), averaged over bands and frames",
        ),
        MetricInfo(
            "spectral_bandwidth",
            "Spectral bandwidth",
            (_LOCAL,),
            "spectral",
            "target",
            1.0,
            "",
            "ratio of the frame-averaged librosa spectral bandwidths (p=2)",
        ),
        MetricInfo(
            "compression_ratio",
            "Compression ratio",
            (_COMPRESSION,),
            "",
            "higher",
            None,
            "23",
            "S.size / P.size per clip",
        ),
    ]
}

#: The metric names in the order of the paper's tables.
METRIC_NAMES = (
    "variance",
    "mean",
    "skewness",
    "kurtosis",
    "entropy",
    "sparsity",
    "gini",
    "kl_divergence",
    "cosine_similarity",
    "correlation",
    "lipschitz",
    "temporal_variance",
    "spectral_centroid",
    "spectral_contrast",
    "spectral_bandwidth",
    "compression_ratio",
)

#: The 17 (category, metric) entries of [POOL] Fig. 3 (variance appears twice).
METRIC_ENTRIES = tuple(
    (cat, m.name)
    for cat in (_INFO, _GLOBAL, _LOCAL, _COMPRESSION)
    for m in PRESERVATION_METRICS.values()
    if cat in m.categories
)

_COMPUTE = {
    "variance": _variance,
    "entropy": _entropy,
    "mean": _mean,
    "skewness": _skewness,
    "kurtosis": _kurtosis,
    "sparsity": _sparsity,
    "gini": _gini,
    "kl_divergence": _kl,
    "correlation": _correlation,
    "cosine_similarity": _cosine,
    "lipschitz": _lipschitz,
    "temporal_variance": _temporal_variance,
    "spectral_centroid": _centroid,
    "spectral_contrast": _contrast,
    "spectral_bandwidth": _bandwidth,
    "compression_ratio": _compression,
}

_FUNCTION_NAMES = {
    "variance": "variance_ratio",
    "entropy": "entropy_ratio",
    "mean": "mean_ratio",
    "skewness": "skewness_ratio",
    "kurtosis": "kurtosis_ratio",
    "sparsity": "sparsity_ratio",
    "gini": "gini_ratio",
    "kl_divergence": "kl_divergence",
    "correlation": "correlation",
    "cosine_similarity": "cosine_similarity",
    "lipschitz": "lipschitz_constant",
    "temporal_variance": "temporal_variance_ratio",
    "spectral_centroid": "spectral_centroid_ratio",
    "spectral_contrast": "spectral_contrast_ratio",
    "spectral_bandwidth": "spectral_bandwidth_ratio",
    "compression_ratio": "compression_ratio",
}


def get_metric(name):
    """Registry entry (:class:`MetricInfo`) of a metric name.

    Examples
    --------
    >>> from skaudio.metrics import get_metric
    >>> info = get_metric("cosine_similarity")
    >>> info.direction, info.categories
    ('higher', ('global_structure',))
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


def preservation_metrics(S, P, metrics="all", *, n_jobs=None, **options):
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
        numba threads (None keeps numba's default, all cores).
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
    from skaudio.features._base import numba_threads

    names = _resolve(metrics)
    batch = _Batch(S, P, options)
    out = {}
    with numba_threads(n_jobs):
        for name in names:
            value = _COMPUTE[name](batch)
            out[name] = float(value[0]) if batch.single else value
    return out


def _single(name, doc_example):
    def metric(S, P, **options):
        return preservation_metrics(S, P, [name], **options)[name]

    info = PRESERVATION_METRICS[name]
    metric.__name__ = _FUNCTION_NAMES[name]
    metric.__qualname__ = metric.__name__
    metric.__doc__ = f"""{info.label} [POOL]{" Eq. (" + info.equation + ")" if info.equation else ""}: {info.definition}.

    Direction: {_DIRECTION_TEXT[info.direction].format(ideal=info.ideal)}.

    Parameters
    ----------
    S : array-like of shape (n_freqs, n_frames) or (n_clips, n_freqs, n_frames)
        Original spectrogram(s).
    P : array-like of shape (n_freqs', n_frames') or (n_clips, n_freqs', n_frames')
        Pooled spectrogram(s), as many clips as ``S``.
    **options
        Conventions shared by all metrics (``n_bins``, ``eps``, ``sparsity_tol``,
        ``sr``, ``freqs``, ``stride``, ``kernel_size``, ``padding``, ``n_bands``, ``fmin``,
        ``quantile``, ``n_jobs``); see :func:`preservation_metrics` and the
        module docstring of :mod:`skaudio.metrics.preservation`.

    Returns
    -------
    float or ndarray of shape (n_clips,)
        A float for single maps, one value per clip for batches.

    References
    ----------
    .. [1] Bandara and Thayasivam, "Evaluating and interpreting pooling techniques
       in spectrogram-based audio analysis using diverse metrics", Sec. II-C.

    Examples
    --------
    >>> import numpy as np
    >>> from skaudio.metrics import {metric.__name__}
    >>> S = np.random.default_rng(0).random((4, 8, 10)).astype(np.float32)
    >>> P = S.reshape(4, 4, 2, 5, 2).max(axis=(2, 4))  # 2x2 max pooling
{doc_example}
    """
    return metric


_DIRECTION_TEXT = {
    "target": "best at {ideal} (the pooled map keeps the statistic)",
    "higher": "higher is better",
    "lower": "lower is better, {ideal} for identical distributions",
}

_EX = "    >>> {call}\n    {result}"
variance_ratio = _single("variance", _EX.format(call="bool(variance_ratio(S[0], P[0]) < 1.0)", result="True"))
entropy_ratio = _single(
    "entropy", _EX.format(call="entropy_ratio(S, S).tolist()", result="[1.0, 1.0, 1.0, 1.0]")
)
mean_ratio = _single("mean", _EX.format(call="bool(np.all(mean_ratio(S, P) > 1))", result="True"))
skewness_ratio = _single("skewness", _EX.format(call="skewness_ratio(S, P).shape", result="(4,)"))
kurtosis_ratio = _single(
    "kurtosis", _EX.format(call="kurtosis_ratio(S, S).tolist()", result="[1.0, 1.0, 1.0, 1.0]")
)
sparsity_ratio = _single("sparsity", _EX.format(call="float(sparsity_ratio(S[0], S[0]))", result="1.0"))
gini_ratio = _single("gini", _EX.format(call="bool(np.all(gini_ratio(S, P) < 1))", result="True"))
kl_divergence = _single(
    "kl_divergence", _EX.format(call="kl_divergence(S, S).tolist()", result="[0.0, 0.0, 0.0, 0.0]")
)
correlation = _single("correlation", _EX.format(call="round(correlation(S[0], S[0]), 6)", result="1.0"))
cosine_similarity = _single(
    "cosine_similarity", _EX.format(call="bool(np.all(cosine_similarity(S, P) > 0.8))", result="True")
)
lipschitz_constant = _single(
    "lipschitz",
    _EX.format(call="np.round(lipschitz_constant(S, S), 6).tolist()", result="[1.0, 1.0, 1.0, 1.0]"),
)
temporal_variance_ratio = _single(
    "temporal_variance", _EX.format(call="temporal_variance_ratio(S, P).shape", result="(4,)")
)
spectral_centroid_ratio = _single(
    "spectral_centroid",
    _EX.format(call="spectral_centroid_ratio(S, S).tolist()", result="[1.0, 1.0, 1.0, 1.0]"),
)
spectral_contrast_ratio = _single(
    "spectral_contrast",
    _EX.format(
        call="spectral_contrast_ratio(S, S, sr=16000, fmin=100.0, n_bands=3).tolist()",
        result="[1.0, 1.0, 1.0, 1.0]",
    ),
)
spectral_bandwidth_ratio = _single(
    "spectral_bandwidth",
    _EX.format(call="spectral_bandwidth_ratio(S, S).tolist()", result="[1.0, 1.0, 1.0, 1.0]"),
)
compression_ratio = _single(
    "compression_ratio", _EX.format(call="compression_ratio(S, P).tolist()", result="[4.0, 4.0, 4.0, 4.0]")
)
