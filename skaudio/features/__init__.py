"""scikit-learn transformers: audio input, spectrograms and what is computed from them."""

from skaudio.features.audio import AudioLoader, FixLength
from skaudio.features.descriptors import (
    HPSS,
    MFCC,
    SPECTRAL_DESCRIPTORS,
    STATISTICS,
    Chroma,
    Deltas,
    SpectralDescriptors,
)
from skaudio.features.image import (
    SpectrogramFilter,
    SpectrogramImageFeatures,
    SpectrogramSegmenter,
    template_match,
)
from skaudio.features.pooling import (
    POOLING_METHODS,
    POOLING_TABLE,
    PoolingTransformer,
    global_pool,
    pool2d,
    pool_output_size,
)
from skaudio.features.reshape import Flatten
from skaudio.features.sincgram import SincGramTransformer
from skaudio.features.spectrogram import MelSpectrogram, PowerToDb, Spectrogram, SpectrogramStandardizer
from skaudio.features.streaming import extract_to_memmap, iter_transform

__all__ = [
    "AudioLoader",
    "FixLength",
    "Spectrogram",
    "MelSpectrogram",
    "PowerToDb",
    "SpectrogramStandardizer",
    "MFCC",
    "Deltas",
    "Chroma",
    "SpectralDescriptors",
    "HPSS",
    "STATISTICS",
    "SPECTRAL_DESCRIPTORS",
    "PoolingTransformer",
    "pool2d",
    "global_pool",
    "pool_output_size",
    "POOLING_METHODS",
    "POOLING_TABLE",
    "SincGramTransformer",
    "SpectrogramFilter",
    "SpectrogramSegmenter",
    "SpectrogramImageFeatures",
    "Flatten",
    "template_match",
    "iter_transform",
    "extract_to_memmap",
]
