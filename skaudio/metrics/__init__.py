"""Metrics: preservation metrics of pooled representations and classification scores."""
from skaudio.metrics.classification import (
    CLASSIFICATION_SCORERS,
    d_prime,
    d_prime_score,
    macro_roc_auc,
    make_classification_scorer,
    mean_average_precision,
    top_k_accuracy,
)

__all__ = [
    "top_k_accuracy",
    "mean_average_precision",
    "macro_roc_auc",
    "d_prime",
    "d_prime_score",
    "make_classification_scorer",
    "CLASSIFICATION_SCORERS",
]
