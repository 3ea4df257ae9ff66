"""scikit-learn estimators wrapping the skaudio torch networks (built on skorch)."""

from skaudio.models._base import AudioNetClassifier
from skaudio.models.accelerate import AudioAccelerateMixin
from skaudio.models.augment import AudioAugment
from skaudio.models.callbacks import EMA, OneCycle
from skaudio.models.classifiers import DEGramNetClassifier, DualBranchClassifier, SECNNClassifier
from skaudio.models.data import AudioFileDataset
from skaudio.models.profile import profile
from skaudio.models.sampling import BalancedUnderSampler

__all__ = [
    "SECNNClassifier",
    "DEGramNetClassifier",
    "DualBranchClassifier",
    "AudioNetClassifier",
    "AudioAccelerateMixin",
    "AudioAugment",
    "AudioFileDataset",
    "BalancedUnderSampler",
    "EMA",
    "OneCycle",
    "profile",
]
