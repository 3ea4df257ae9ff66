"""Preservation metrics of pooled spectrograms, scorers, pooling reports, classification scores.

The seventeen (category, metric) entries of [POOL] Fig. 3 over sixteen
distinct computations live in :mod:`skaudio.metrics.preservation`;
:mod:`skaudio.metrics.scorers` turns them into scikit-learn scorers and
:mod:`skaudio.metrics.report` into the paper's comparison table.
:mod:`skaudio.metrics.classification` holds the classification scores of the
model papers (top-k accuracy, mAP, macro ROC-AUC, d-prime).
"""

from skaudio.metrics.classification import (
    CLASSIFICATION_SCORERS,
    d_prime,
    d_prime_score,
    macro_roc_auc,
    make_classification_scorer,
    mean_average_precision,
    top_k_accuracy,
)
from skaudio.metrics.preservation import (
    METRIC_ENTRIES,
    METRIC_NAMES,
    PRESERVATION_METRICS,
    MetricInfo,
    compression_ratio,
    correlation,
    cosine_similarity,
    entropy_ratio,
    get_metric,
    gini_ratio,
    kl_divergence,
    kurtosis_ratio,
    lipschitz_constant,
    mean_ratio,
    preservation_metrics,
    skewness_ratio,
    sparsity_ratio,
    spectral_bandwidth_ratio,
    spectral_centroid_ratio,
    spectral_contrast_ratio,
    temporal_variance_ratio,
    variance_ratio,
)
from skaudio.metrics.report import (
    PAPER_PROTOCOL,
    compare_pooling,
    pooling_report_main,
    summarize_pooling,
)
from skaudio.metrics.scorers import (
    SCORER_PREFIX,
    PreservationScorer,
    get_scorer,
    get_scorer_names,
    make_preservation_scorer,
    preservation_scoring,
)

__all__ = [
    # preservation: the registry and the metrics
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
    # scorers
    "PreservationScorer",
    "make_preservation_scorer",
    "preservation_scoring",
    "get_scorer",
    "get_scorer_names",
    "SCORER_PREFIX",
    # report
    "compare_pooling",
    "summarize_pooling",
    "pooling_report_main",
    "PAPER_PROTOCOL",
    # classification
    "top_k_accuracy",
    "mean_average_precision",
    "macro_roc_auc",
    "d_prime",
    "d_prime_score",
    "make_classification_scorer",
    "CLASSIFICATION_SCORERS",
]


def __getattr__(name):
    if name == "plot_pooling_comparison":  # moved to skaudio.plotting in 0.2 (a figure, not a metric)
        from skaudio._deprecation import deprecated_alias
        from skaudio.plotting import plot_pooling_comparison

        return deprecated_alias(
            "skaudio.metrics.plot_pooling_comparison",
            "skaudio.plotting.plot_pooling_comparison",
            plot_pooling_comparison,
        )
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
