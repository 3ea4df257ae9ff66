"""The registry of the preservation metrics: one :class:`MetricInfo` row per metric.

Everything else (:data:`METRIC_NAMES`, :data:`METRIC_ENTRIES`, the scorers,
:func:`get_metric`, the dispatch of :func:`~skaudio.metrics.preservation_metrics`, the
documentation's metric table) is derived from :data:`PRESERVATION_METRICS`. A row names
its compute step (from :mod:`skaudio.metrics._engine`) directly and its public function
by name: the public functions live in :mod:`skaudio.metrics.preservation`, which imports
this module, so ``MetricInfo.function`` looks the function up there on first use (lazy
binding, no import cycle).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from skaudio.metrics._engine import (
    _bandwidth,
    _Batch,
    _centroid,
    _compression,
    _contrast,
    _correlation,
    _cosine,
    _entropy,
    _gini,
    _kl,
    _kurtosis,
    _lipschitz,
    _mean,
    _skewness,
    _sparsity,
    _temporal_variance,
    _variance,
)

__all__ = ["MetricInfo", "PRESERVATION_METRICS", "METRIC_NAMES", "METRIC_ENTRIES", "get_metric"]

#: where the public functions named by the rows live
_FUNCTIONS_MODULE = "skaudio.metrics.preservation"


class _LazyFunction:
    """The ``function`` field of :class:`MetricInfo`: a callable, or the name of one in
    :mod:`skaudio.metrics.preservation`, looked up (and kept) on first access."""

    def __set_name__(self, owner, name):
        self.slot = f"_{name}"

    def __get__(self, obj, owner=None):
        if obj is None:  # no class-level default (the dataclass field is required)
            raise AttributeError(self.slot[1:])
        value = obj.__dict__[self.slot]
        if isinstance(value, str):
            value = getattr(importlib.import_module(_FUNCTIONS_MODULE), value)
            obj.__dict__[self.slot] = value
        return value

    def __set__(self, obj, value):
        obj.__dict__[self.slot] = value


_INFO = "information_retention"
_GLOBAL = "global_structure"
_LOCAL = "local_detail"
_COMPRESSION = "compression"

#: The Fig. 3 categories of [POOL], in the paper's order.
_CATEGORIES = (_INFO, _GLOBAL, _LOCAL, _COMPRESSION)


@dataclass(frozen=True, repr=False)
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
        The public function computing this metric alone, ``function(S, P, **options)``
        (the registry gives its name in :mod:`skaudio.metrics.preservation`; it is
        looked up on first access).
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
    # a data descriptor, not a default: the field stays required, and a name given for it is
    # looked up in skaudio.metrics.preservation on first access
    function: Callable[..., float | NDArray[np.float64]] = _LazyFunction()
    compute: Callable[[_Batch], NDArray[np.float64]] = field(repr=False, compare=False)

    def __repr__(self) -> str:
        # the dataclass repr without the two callables (as with field(repr=False), which a
        # descriptor-typed field cannot take)
        shown = (f for f in fields(self) if f.name not in ("function", "compute"))
        return f"{type(self).__name__}({', '.join(f'{f.name}={getattr(self, f.name)!r}' for f in shown)})"

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
            function="variance_ratio",
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
            function="mean_ratio",
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
            function="skewness_ratio",
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
            function="kurtosis_ratio",
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
            function="entropy_ratio",
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
            function="sparsity_ratio",
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
            function="gini_ratio",
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
            function="kl_divergence",
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
            function="cosine_similarity",
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
            function="correlation",
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
            function="lipschitz_constant",
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
            function="temporal_variance_ratio",
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
            function="spectral_centroid_ratio",
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
            function="spectral_contrast_ratio",
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
            function="spectral_bandwidth_ratio",
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
            function="compression_ratio",
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
