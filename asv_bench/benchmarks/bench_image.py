"""Spectrogram image processing on an ESC-50-shaped log-mel batch, beside the wrapped libraries.

The issue's target batch is ``(400, 128, 431)`` (ESC-10 at 44.1 kHz,
``hop_length=512``); set ``SKAUDIO_BENCH_CLIPS=400`` for it (the default is
smaller so a development run stays short). Read the ratios from one run:

- ``*.time_skaudio``: the transformer with ``n_jobs=-1``;
- ``*.time_skaudio_serial``: the same with ``n_jobs=1`` (batching alone);
- ``*.time_peer_per_clip``: the library a user would otherwise call
  (scipy.ndimage, scipy.signal, scikit-image), one clip per call, as in the
  tests that prove the results equal, writing each result into the output
  batch (a user needs the whole batch, as the transformer returns it).
"""

import os

import numpy as np
import scipy.ndimage as ndi
from scipy.signal import wiener
from skimage.feature import canny, graycomatrix, graycoprops, local_binary_pattern, match_template
from skimage.filters import apply_hysteresis_threshold, gabor, sobel, sobel_h, sobel_v, threshold_otsu
from skimage.restoration import denoise_bilateral, denoise_wavelet

from skaudio.features.image import (
    SpectrogramFilter,
    SpectrogramImageFeatures,
    SpectrogramSegmenter,
    template_match,
)
from skaudio.features.image._common import quantize

N_CLIPS = int(os.environ.get("SKAUDIO_BENCH_CLIPS", 32))
N_MELS, N_FRAMES = 128, 431
ANGLES = (0.0, np.pi / 4, np.pi / 2, 3 * np.pi / 4)
GLCM_PROPS = ("contrast", "dissimilarity", "homogeneity", "energy", "correlation", "ASM")


def log_mel_like(n_clips=N_CLIPS, seed=0):
    """dB maps with a spectral tilt, a few loud events and speckle, clipped at -80 dB."""
    rng = np.random.default_rng(seed)
    tilt = np.linspace(-20, -50, N_MELS)[None, :, None]
    S = tilt + 6 * rng.standard_normal((n_clips, N_MELS, N_FRAMES))
    for i in range(n_clips):
        f0, t0 = rng.integers(0, N_MELS - 20), rng.integers(0, N_FRAMES - 80)
        S[i, f0 : f0 + 20, t0 : t0 + 80] += 30
    S -= S.max(axis=(1, 2), keepdims=True)
    return np.maximum(S, -80).astype(np.float32)


def _filter_peer(method, clip):
    if method == "gaussian":
        return ndi.gaussian_filter(clip, 1.0)
    if method == "median":
        return ndi.median_filter(clip, 3)
    if method == "wiener":
        return wiener(clip, 3)
    if method == "bilateral":
        return denoise_bilateral(clip, mode="symmetric")
    return denoise_wavelet(clip)


def _feature_peer(kind, clip):
    if kind == "glcm":
        g = graycomatrix(quantize(clip, 32), [1, 3], ANGLES, levels=32, symmetric=True, normed=True)
        return np.concatenate([graycoprops(g, p).ravel() for p in GLCM_PROPS])
    if kind == "lbp":
        codes = local_binary_pattern(quantize(clip, 32), 8, 1.0, method="uniform")
        return np.bincount(codes.astype(int).ravel(), minlength=10)
    if kind == "gabor":
        out = []
        for f in (0.1, 0.25):
            for t in ANGLES:
                real, imag = gabor(clip, f, theta=t)
                mag = np.hypot(real, imag)
                out += [mag.mean(), mag.std()]
        return out
    x = clip.astype(np.float64)
    mag, log = sobel(x), ndi.gaussian_laplace(x, 1.0)
    edges = canny(x, sigma=1.0, low_threshold=0.8, high_threshold=0.9, use_quantiles=True)
    return [
        mag.mean(),
        mag.std(),
        np.abs(sobel_h(x)).mean(),
        np.abs(sobel_v(x)).mean(),
        edges.mean(),
        np.abs(log).mean(),
        log.std(),
    ]


class FilterSuite:
    """SpectrogramFilter against the wrapped filter called clip by clip."""

    params = (["gaussian", "median", "wiener", "bilateral", "wavelet"],)
    param_names = ["method"]
    timeout = 900

    def setup(self, method):
        self.S = log_mel_like()
        self.par = SpectrogramFilter(method, n_jobs=-1).fit(self.S[:1])
        self.ser = SpectrogramFilter(method, n_jobs=1).fit(self.S[:1])

    def time_skaudio(self, method):
        self.par.transform(self.S)

    def time_skaudio_serial(self, method):
        self.ser.transform(self.S)

    def time_peer_per_clip(self, method):
        out = np.empty_like(self.S)
        for i, clip in enumerate(self.S):
            out[i] = _filter_peer(method, clip)


class ImageFeaturesSuite:
    """SpectrogramImageFeatures against the scikit-image calls it wraps, clip by clip."""

    params = (["glcm", "lbp", "gabor", "edges"],)
    param_names = ["method"]
    timeout = 900

    def setup(self, method):
        self.S = log_mel_like()
        self.par = SpectrogramImageFeatures(method, n_jobs=-1).fit(self.S[:1])
        self.ser = SpectrogramImageFeatures(method, n_jobs=1).fit(self.S[:1])

    def time_skaudio(self, method):
        self.par.transform(self.S)

    def time_skaudio_serial(self, method):
        self.ser.transform(self.S)

    def time_peer_per_clip(self, method):
        np.array([_feature_peer(method, clip) for clip in self.S], dtype=np.float32)


class SegmenterSuite:
    """Otsu and region growing against threshold_otsu / apply_hysteresis_threshold per clip."""

    params = (["otsu", "region_growing"],)
    param_names = ["method"]
    timeout = 600

    def setup(self, method):
        self.S = log_mel_like()
        self.par = SpectrogramSegmenter(method, n_jobs=-1).fit(self.S[:1])
        self.ser = SpectrogramSegmenter(method, n_jobs=1).fit(self.S[:1])

    def time_skaudio(self, method):
        self.par.transform(self.S)

    def time_skaudio_serial(self, method):
        self.ser.transform(self.S)

    def time_peer_per_clip(self, method):
        out = np.empty_like(self.S)
        for i, clip in enumerate(self.S):
            thr = threshold_otsu(clip)
            if method == "otsu":
                out[i] = clip > thr
            else:
                out[i] = apply_hysteresis_threshold(clip, thr, np.quantile(clip, 0.99))


class TemplateMatchSuite:
    """template_match against skimage.feature.match_template per clip."""

    timeout = 600

    def setup(self):
        self.S = log_mel_like()
        self.tpl = self.S[0, 40:60, 100:140].copy()

    def time_skaudio(self):
        template_match(self.S, self.tpl, n_jobs=-1)

    def time_peer_per_clip(self):
        np.stack([match_template(clip, self.tpl) for clip in self.S])
