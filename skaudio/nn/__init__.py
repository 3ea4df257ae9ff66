"""Differentiable torch building blocks (``torch.nn.Module`` subclasses only).

Nothing here imports from the scikit-learn layers of skaudio.
"""

from skaudio.nn.blocks import (
    ECA,
    GARM,
    MACEM,
    ChannelGate1d,
    ECABottleneck,
    GuidedAggregation,
    SpecAugment,
    SqueezeExcitation,
    make_global_pool,
    make_pool2d,
    pool_methods,
    pool_modes,
)
from skaudio.nn.frontends import (
    STFT,
    Filterbank,
    MelFilterbank,
    MelSpectrogramModule,
    PowerToDbModule,
    power_to_db,
)
from skaudio.nn.networks import PAPER_SIZES, SECNN, DEGramNet, DualBranchNet
from skaudio.nn.pooling import GlobalPool, Pool2d
from skaudio.nn.sincgram import DEGram, SincGram, TFDELayer, butterworth_filterbank

__all__ = [
    "STFT",
    "Filterbank",
    "MelFilterbank",
    "MelSpectrogramModule",
    "PowerToDbModule",
    "power_to_db",
    "Pool2d",
    "GlobalPool",
    "SqueezeExcitation",
    "ECA",
    "ECABottleneck",
    "ChannelGate1d",
    "MACEM",
    "GARM",
    "GuidedAggregation",
    "SpecAugment",
    "make_pool2d",
    "make_global_pool",
    "pool_methods",
    "pool_modes",
    "SincGram",
    "TFDELayer",
    "DEGram",
    "butterworth_filterbank",
    "SECNN",
    "DEGramNet",
    "DualBranchNet",
    "PAPER_SIZES",
]
