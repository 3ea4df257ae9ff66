"""Differentiable torch building blocks (``torch.nn.Module`` subclasses only).

Nothing here imports from the scikit-learn layers of skaudio. A module that is the torch
twin of a scikit-learn transformer in :mod:`skaudio.features` carries the suffix ``Module``
(``MelSpectrogramModule``, ``PowerToDbModule``, ``SincGramModule``); see the design notes.
"""

from skaudio.nn.blocks import (
    ECA,
    GARM,
    MACEM,
    BasicBlock,
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
from skaudio.nn.sincgram import DEGram, SincGramModule, TFDELayer, butterworth_filterbank

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
    "BasicBlock",
    "ChannelGate1d",
    "MACEM",
    "GARM",
    "GuidedAggregation",
    "SpecAugment",
    "make_pool2d",
    "make_global_pool",
    "pool_methods",
    "pool_modes",
    "SincGramModule",
    "TFDELayer",
    "DEGram",
    "butterworth_filterbank",
    "SECNN",
    "DEGramNet",
    "DualBranchNet",
    "PAPER_SIZES",
]


def __getattr__(name):
    # SincGram: the name of SincGramModule before 0.2 (the same class, with a FutureWarning)
    if name == "SincGram":
        from skaudio._deprecation import deprecated_alias

        return deprecated_alias("SincGram", "SincGramModule", SincGramModule)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
