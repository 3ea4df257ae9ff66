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
    "load_urbansound8k": "skaudio.datasets",
    "load_ravdess": "skaudio.datasets",
    "load_cremad": "skaudio.datasets",
    "load_gtzan": "skaudio.datasets",
    "load_fsdd": "skaudio.datasets",
    "load_speech_commands": "skaudio.datasets",
    "load_voxceleb1": "skaudio.datasets",
    "load_vggsound": "skaudio.datasets",
    "protocol_cv": "skaudio.datasets",
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
    "preservation_metrics": "skaudio.metrics",
    "get_metric": "skaudio.metrics",
    "METRIC_NAMES": "skaudio.metrics",
    "METRIC_ENTRIES": "skaudio.metrics",
    "PRESERVATION_METRICS": "skaudio.metrics",
    "variance_ratio": "skaudio.metrics",
    "entropy_ratio": "skaudio.metrics",
    "mean_ratio": "skaudio.metrics",
    "skewness_ratio": "skaudio.metrics",
    "kurtosis_ratio": "skaudio.metrics",
    "sparsity_ratio": "skaudio.metrics",
    "gini_ratio": "skaudio.metrics",
    "kl_divergence": "skaudio.metrics",
    "correlation": "skaudio.metrics",
    "cosine_similarity": "skaudio.metrics",
    "lipschitz_constant": "skaudio.metrics",
    "temporal_variance_ratio": "skaudio.metrics",
    "spectral_centroid_ratio": "skaudio.metrics",
    "spectral_contrast_ratio": "skaudio.metrics",
    "spectral_bandwidth_ratio": "skaudio.metrics",
    "compression_ratio": "skaudio.metrics",
    "make_preservation_scorer": "skaudio.metrics",
    "preservation_scoring": "skaudio.metrics",
    "compare_pooling": "skaudio.metrics",
    "plot_pooling_comparison": "skaudio.plotting",
    "NMFInterpreter": "skaudio.interpret",
    "capture_activations": "skaudio.interpret",
    "layer_names": "skaudio.interpret",
    "grad_cam": "skaudio.interpret",
    "warm_up": "skaudio.warmup",
}

__all__ = ["__version__", *_PUBLIC]


def __getattr__(name):
    if name in _PUBLIC:
        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'skaudio' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
