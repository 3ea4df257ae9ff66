"""Spectrograms as images: denoising, segmentation, texture/edge features, template matching.

Each spectrogram of a batch ``(n_clips, n_freqs, n_frames)`` is treated as a
grey-level image and processed on its own with scipy.ndimage, scikit-image
or PyWavelets; batched calls are used where they give exactly the clip-by-clip
result, and joblib spreads the other calls over clips (``n_jobs``).
"""

from skaudio.features.image.filters import SpectrogramFilter, wavelet_batch, wiener_batch
from skaudio.features.image.matching import template_match
from skaudio.features.image.segmentation import SpectrogramSegmenter, hysteresis_batch, morphology_batch
from skaudio.features.image.texture import (
    SpectrogramImageFeatures,
    gabor_batch,
    hu_moments_batch,
    prewitt_batch,
    sobel_batch,
)

__all__ = [
    "SpectrogramFilter",
    "SpectrogramSegmenter",
    "SpectrogramImageFeatures",
    "template_match",
    "wiener_batch",
    "wavelet_batch",
    "hysteresis_batch",
    "morphology_batch",
    "gabor_batch",
    "sobel_batch",
    "prewitt_batch",
    "hu_moments_batch",
]
