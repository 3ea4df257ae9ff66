"""scikit-learn estimators wrapping the skaudio torch networks (built on skorch)."""

from skaudio.models._base import EMA, AudioNetClassifier, OneCycle
from skaudio.models.classifiers import DEGramNetClassifier, DualBranchClassifier, SECNNClassifier

__all__ = [
    "SECNNClassifier",
    "DEGramNetClassifier",
    "DualBranchClassifier",
    "AudioNetClassifier",
    "EMA",
    "OneCycle",
]
