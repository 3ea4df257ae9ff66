"""skaudio: scikit-learn compatible audio features, pooling, metrics and models.

The public names are imported lazily, so ``import skaudio`` stays quick and
does not load torch until a name that needs it is used.
"""
import importlib

__version__ = "0.1.0"

# public name -> submodule that defines it
_PUBLIC = {
    "load_audio": "skaudio.io",
    "fix_length": "skaudio.io",
    "load_esc50": "skaudio.datasets",
    "fetch_esc50": "skaudio.datasets",
    "make_sound_events": "skaudio.datasets",
    "AudioLoader": "skaudio.features",
    "FixLength": "skaudio.features",
    "Spectrogram": "skaudio.features",
    "MelSpectrogram": "skaudio.features",
    "PowerToDb": "skaudio.features",
    "SpectrogramStandardizer": "skaudio.features",
    "SincGramTransformer": "skaudio.features",
    "SECNNClassifier": "skaudio.models",
    "DEGramNetClassifier": "skaudio.models",
    "DualBranchClassifier": "skaudio.models",
    "PoolingTransformer": "skaudio.features",
    "Pool2d": "skaudio.nn",
    "GlobalPool": "skaudio.nn",
    "SpectrogramFilter": "skaudio.features",
    "SpectrogramSegmenter": "skaudio.features",
    "SpectrogramImageFeatures": "skaudio.features",
    "Flatten": "skaudio.features",
    "template_match": "skaudio.features",
}

__all__ = ["__version__", *_PUBLIC]


def __getattr__(name):
    if name in _PUBLIC:
        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'skaudio' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
