"""Differentiable torch building blocks (``torch.nn.Module`` subclasses only).

Nothing here imports from the scikit-learn layers of skaudio.
"""
from skaudio.nn.frontends import (
    STFT,
    Filterbank,
    MelFilterbank,
    MelSpectrogramModule,
    PowerToDbModule,
    power_to_db,
)
from skaudio.nn.pooling import GlobalPool, Pool2d

__all__ = ["STFT", "Filterbank", "MelFilterbank", "MelSpectrogramModule", "PowerToDbModule", "power_to_db",
           "Pool2d", "GlobalPool"]
