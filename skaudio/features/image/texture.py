"""Texture and edge descriptors of spectrogram images as 2-D feature matrices."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from numbers import Integral, Real
from typing import TYPE_CHECKING

import numpy as np
import scipy.ndimage as ndi
from numpy.typing import ArrayLike, NDArray
from scipy.signal import fftconvolve
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from skaudio._deprecation import renamed_keyword
from skaudio._sklearn_compat import Interval, StrOptions, check_feature_names_in, fit_context, validate_params
from skaudio.features._output import ArrayOutputMixin
from skaudio.features.image._common import (
    NDIMAGE_MODES,
    check_kernel_radius,
    map_chunks,
    map_clips,
    quantize,
    to_skimage_mode,
    validated_batch,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["SpectrogramImageFeatures", "gabor_batch", "sobel_batch", "prewitt_batch", "hu_moments_batch"]

_METHODS = ("glcm", "lbp", "gabor", "edges", "hu")
_GLCM_PROPS = ("contrast", "dissimilarity", "homogeneity", "energy", "correlation", "ASM")
_LBP_METHODS = ("default", "ror", "uniform", "nri_uniform")
#: the columns of ``method="edges"`` each edge filter adds, in output order
_EDGE_COLUMNS = {
    "sobel": ("sobel_mean", "sobel_std", "sobel_h_mean", "sobel_v_mean"),
    "prewitt": ("prewitt_mean", "prewitt_std", "prewitt_h_mean", "prewitt_v_mean"),
    "canny": ("canny_density",),
    "log": ("log_mean_abs", "log_std"),
}
_HU_NAMES = tuple(f"hu{k}" for k in range(7))
_GABOR_CHUNK = 16  # clips per FFT convolution: 16 was twice as fast as 32 (cache)

#: Largest co-occurrence array of one clip (skimage's uint32 counts, then float64 ones):
#: levels**2 per distance and angle. 1 GiB allows 4096 levels with the default 2 distances
#: and 4 angles; levels=65536 asked numpy for 128 GiB.
_MAX_GLCM_BYTES = 2**30
_F32_MAX = float(np.finfo(np.float32).max)


def _gabor_radius(frequency, bandwidth, n_stds=3):
    """Half-size in bins of ``skimage.filters.gabor_kernel(frequency, bandwidth=bandwidth)``.

    skimage's sigma is ``(2**b + 1) / (2**b - 1) * sqrt(ln 2 / 2) / pi / frequency``
    (written with expm1, which stays finite for every bandwidth ``b`` > 0).
    """
    grow = np.expm1(min(float(bandwidth), 1000.0) * np.log(2.0))
    return n_stds * (grow + 2.0) / grow * np.sqrt(np.log(2.0) / 2.0) / np.pi / float(frequency)


# The public batch functions check their arguments with scikit-learn's validate_params (its
# messages name the function and the parameter); what depends on several arguments (the
# Gabor kernel's size) is checked in the body. SpectrogramImageFeatures, which validated its
# parameters at fit, calls the unchecked bodies (``__wrapped__``) chunk by chunk.
_ONLY_S = {"S": ["array-like"]}


@validate_params(_ONLY_S, prefer_skip_nested_validation=True)
def sobel_batch(S: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Sobel responses of every map of a batch, as ``skimage.filters.sobel_h``/``sobel_v``/``sobel``.

    Returns ``(h, v, magnitude)``: ``h`` responds to horizontal edges (level
    changes along frequency), ``v`` to vertical edges (changes along time,
    such as onsets), and ``magnitude = sqrt((h**2 + v**2) / 2)``, each equal
    to the skimage function applied clip by clip (``mode="reflect"``) and
    computed with separable ``scipy.ndimage.correlate1d`` passes that never
    mix clips.

    Parameters
    ----------
    S : ndarray of shape (n_clips, n_freqs, n_frames)

    Returns
    -------
    h, v, magnitude : ndarrays of shape (n_clips, n_freqs, n_frames), float64

    Examples
    --------
    >>> import numpy as np
    >>> from skimage.filters import sobel
    >>> from skaudio.features.image import sobel_batch
    >>> S = np.random.default_rng(0).random((2, 6, 9))
    >>> np.allclose(sobel_batch(S)[2][1], sobel(S[1]))
    True
    """
    return _edge_responses(S, np.array([1.0, 2.0, 1.0]) / 4.0)


def _edge_responses(S, smooth):
    """``(h, v, magnitude)`` of a 3x3 separable edge filter: derivative [-1, 0, 1] times ``smooth``."""
    x = np.asarray(S, dtype=np.float64)
    edge = np.array([-1.0, 0.0, 1.0])
    h = ndi.correlate1d(ndi.correlate1d(x, edge, axis=1, mode="reflect"), smooth, axis=2, mode="reflect")
    v = ndi.correlate1d(ndi.correlate1d(x, edge, axis=2, mode="reflect"), smooth, axis=1, mode="reflect")
    return h, v, np.sqrt((h * h + v * v) / 2.0)


@validate_params(_ONLY_S, prefer_skip_nested_validation=True)
def prewitt_batch(S: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Prewitt responses of every map of a batch, as ``skimage.filters.prewitt_h``/``prewitt_v``/``prewitt``.

    The Prewitt operator is the Sobel operator with a flat ``[1, 1, 1] / 3``
    smoothing across the derivative instead of ``[1, 2, 1] / 4``: a little
    less noise-robust, a little more sensitive to diagonal edges. Returns
    ``(h, v, magnitude)`` as :func:`~skaudio.features.image.sobel_batch` does (``h``: changes along
    frequency, ``v``: along time, ``magnitude = sqrt((h**2 + v**2) / 2)``),
    each equal to the skimage function applied clip by clip
    (``mode="reflect"``), from separable ``scipy.ndimage.correlate1d``
    passes that never mix clips.

    Parameters
    ----------
    S : ndarray of shape (n_clips, n_freqs, n_frames)

    Returns
    -------
    h, v, magnitude : ndarrays of shape (n_clips, n_freqs, n_frames), float64

    References
    ----------
    .. [1] Prewitt, "Object enhancement and extraction", in Picture Processing
       and Psychopictorics, Academic Press, 1970.

    Examples
    --------
    >>> import numpy as np
    >>> from skimage.filters import prewitt, prewitt_v
    >>> from skaudio.features.image import prewitt_batch
    >>> S = np.random.default_rng(0).random((2, 6, 9))
    >>> h, v, mag = prewitt_batch(S)
    >>> np.allclose(mag[1], prewitt(S[1])), np.allclose(v[0], prewitt_v(S[0]))
    (True, True)
    """
    return _edge_responses(S, np.full(3, 1.0 / 3.0))


def _hu_from_central(mu):
    """Hu's seven invariants from central moments ``mu[..., p, q]`` (p: rows, q: columns; order <= 3)."""
    m00 = mu[..., 0, 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        nu = {
            (p, q): mu[..., p, q] / m00 ** ((p + q) / 2 + 1)
            for p in range(4)
            for q in range(4)
            if 2 <= p + q <= 3
        }
    n20, n02, n11 = nu[2, 0], nu[0, 2], nu[1, 1]
    n30, n03, n21, n12 = nu[3, 0], nu[0, 3], nu[2, 1], nu[1, 2]
    a, b = n30 + n12, n21 + n03  # the two sums every third-order invariant is built from
    c, d = n30 - 3 * n12, 3 * n21 - n03
    return np.stack(
        [
            n20 + n02,
            (n20 - n02) ** 2 + 4 * n11**2,
            c**2 + d**2,
            a**2 + b**2,
            c * a * (a**2 - 3 * b**2) + d * b * (3 * a**2 - b**2),
            (n20 - n02) * (a**2 - b**2) + 4 * n11 * a * b,
            d * a * (a**2 - 3 * b**2) - c * b * (3 * a**2 - b**2),
        ],
        axis=-1,
    )


@validate_params(_ONLY_S, prefer_skip_nested_validation=True)
def hu_moments_batch(S: ArrayLike) -> NDArray[np.float64]:
    """Hu's seven moment invariants of every map of a batch, as ``skimage.measure.moments_hu``.

    For each map, the central moments up to order 3 (``skimage.measure.moments_central``,
    rows = frequency, columns = time) are normalised for scale
    (``moments_normalized``) and combined into the seven invariants of Hu,
    which do not change when the shape is shifted, scaled or rotated (the
    seventh changes sign under reflection). Applied to the 0/1 masks of
    :class:`~skaudio.features.SpectrogramSegmenter` they describe the shape of the segmented
    foreground; applied to a non-negative spectrogram, the distribution of
    its energy. The moments of the whole batch come from a few matrix
    products, not one skimage call per map. A map whose values sum to zero
    has no defined invariants (NaN).

    Parameters
    ----------
    S : ndarray of shape (n_clips, n_freqs, n_frames)
        Masks or non-negative maps.

    Returns
    -------
    hu : ndarray of shape (n_clips, 7), float64

    References
    ----------
    .. [1] Hu, "Visual pattern recognition by moment invariants", IRE
       Transactions on Information Theory 8(2), 1962.

    Examples
    --------
    >>> import numpy as np
    >>> from skimage.measure import moments_central, moments_hu, moments_normalized
    >>> from skaudio.features.image import hu_moments_batch
    >>> masks = np.zeros((2, 20, 30)); masks[0, 5:9, 3:20] = 1; masks[1, 2:15, 10:14] = 1
    >>> ref = moments_hu(moments_normalized(moments_central(masks[1], order=3), order=3))
    >>> np.allclose(hu_moments_batch(masks)[1], ref)
    True
    """
    x = np.asarray(S, dtype=np.float64)
    rows = np.arange(x.shape[1], dtype=np.float64)
    cols = np.arange(x.shape[2], dtype=np.float64)
    m00 = x.sum(axis=(1, 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        r_bar = np.einsum("nft,f->n", x, rows) / m00
        c_bar = np.einsum("nft,t->n", x, cols) / m00
    dr = rows[None, :] - r_bar[:, None]  # (n, F): row offsets from each map's centroid
    dc = cols[None, :] - c_bar[:, None]
    mu = np.empty((len(x), 4, 4))
    for p in range(4):
        weighted = np.einsum("nf,nft->nt", dr**p, x)  # rows weighted by (r - r_bar)**p
        for q in range(4 - p):
            mu[:, p, q] = np.einsum("nt,nt->n", weighted, dc**q)
    return _hu_from_central(mu)


@validate_params(
    {
        "S": ["array-like"],
        "frequency": [Interval(Real, 0, None, closed="neither")],
        "theta": [Interval(Real, None, None, closed="neither")],
        "bandwidth": [Interval(Real, 0, None, closed="neither")],
        "n_stds": [Interval(Real, 0, None, closed="neither")],
        "mode": [StrOptions(NDIMAGE_MODES)],
        # within float32: a NaN, infinite or larger fill value spreads into every border cell
        "cval": [Interval(Real, -_F32_MAX, _F32_MAX, closed="both")],
    },
    prefer_skip_nested_validation=True,
)
def gabor_batch(
    S: ArrayLike,
    frequency: float,
    theta: float = 0.0,
    bandwidth: float = 1.0,
    n_stds: float = 3,
    mode: str = "reflect",
    cval: float = 0.0,
) -> NDArray[np.complex64]:
    """Complex Gabor response of every map of a batch, as ``skimage.filters.gabor`` per map.

    ``skimage.filters.gabor`` convolves an image with the real and imaginary
    parts of ``skimage.filters.gabor_kernel`` (direct convolution,
    ``scipy.ndimage.convolve``). Here the batch is padded with the same
    boundary rule and convolved once with the complex kernel by FFT
    (``scipy.signal.fftconvolve`` over the two image axes), which is much
    faster for the large kernels of low frequencies; real and imaginary parts
    agree with skimage's to float32 rounding.

    Parameters
    ----------
    S : ndarray of shape (n_clips, n_freqs, n_frames)
    frequency, theta, bandwidth, n_stds
        As ``skimage.filters.gabor_kernel`` (frequency in cycles per bin,
        theta in radians: 0 gives a kernel varying along time).
    mode : {"reflect", "constant", "nearest", "mirror", "wrap"}, default="reflect"
        Boundary rule, as ``scipy.ndimage.convolve``.
    cval : float, default=0.0
        Fill value for ``mode="constant"``.

    Returns
    -------
    response : ndarray of shape (n_clips, n_freqs, n_frames), complex64
        ``real + 1j * imag`` of skimage's two outputs.

    Examples
    --------
    >>> import numpy as np
    >>> from skimage.filters import gabor
    >>> from skaudio.features.image import gabor_batch
    >>> S = np.random.default_rng(0).random((2, 20, 30)).astype(np.float32)
    >>> real, imag = gabor(S[1], frequency=0.2, theta=np.pi / 4)
    >>> out = gabor_batch(S, 0.2, np.pi / 4)[1]
    >>> np.allclose(out.real, real, atol=1e-4), np.allclose(out.imag, imag, atol=1e-4)
    (True, True)
    """
    from skimage.filters import gabor_kernel

    check_kernel_radius(
        _gabor_radius(frequency, bandwidth, n_stds),
        f"frequency={frequency!r} with bandwidth={bandwidth!r} and n_stds={n_stds!r}",
    )
    # skimage evaluates 2.0 ** bandwidth (OverflowError above 1024); from 64 on, the kernel's
    # (2**b + 1) / (2**b - 1) is 1 in double precision, so the cap changes no value
    kernel = gabor_kernel(frequency, theta=theta, bandwidth=min(float(bandwidth), 64.0), n_stds=n_stds)
    kernel = np.asarray(kernel, dtype=np.complex64)[np.newaxis]
    kf, kt = kernel.shape[1] // 2, kernel.shape[2] // 2
    pad = ((0, 0), (kf, kf), (kt, kt))
    np_mode = to_skimage_mode(mode)
    out = np.empty(np.shape(S), dtype=np.complex64)
    for start in range(0, len(S), _GABOR_CHUNK):
        chunk = np.asarray(S[start : start + _GABOR_CHUNK], dtype=np.float32)
        # numpy.pad repeats its rule past one image width, as scipy.ndimage extends its modes
        extra = {"constant_values": cval} if np_mode == "constant" else {}
        padded = np.pad(chunk, pad, mode=np_mode, **extra)
        out[start : start + len(chunk)] = fftconvolve(padded, kernel, mode="valid", axes=(1, 2))
    return out


class SpectrogramImageFeatures(ArrayOutputMixin, BaseEstimator):
    """Texture or edge descriptors of each spectrogram, as one feature row per clip.

    Each spectrogram is treated as a grey-level image; the output is a 2-D
    matrix ``(n_clips, n_features)`` for classic estimators, with names from
    :meth:`get_feature_names_out`. ``method`` selects the descriptor family:

    - ``"glcm"``: grey-level co-occurrence statistics
      (``skimage.feature.graycomatrix``/``graycoprops``) of the clip quantised
      to ``levels`` grey levels between its own minimum and maximum: one value
      per property, distance and angle. Angle 0 pairs bins along time, pi/2
      along frequency.
    - ``"lbp"``: normalised histogram of local binary patterns
      (``skimage.feature.local_binary_pattern`` with ``P``, ``R``,
      ``lbp_method``) of the quantised clip.
    - ``"gabor"``: mean and standard deviation of the magnitude of the Gabor
      response (``skimage.filters.gabor``) for each frequency and orientation,
      computed for the batch by :func:`~skaudio.features.image.gabor_batch`.
    - ``"edges"``: Sobel magnitude mean and spread, mean absolute responses to
      horizontal (spectral) and vertical (temporal, e.g. onsets) edges
      (:func:`~skaudio.features.image.sobel_batch`), density of Canny edges
      (``skimage.feature.canny`` with quantile thresholds), and mean absolute
      value and spread of the Laplacian of Gaussian
      (``scipy.ndimage.gaussian_laplace``); ``edge_filters`` selects among
      them and adds the same four statistics of the Prewitt operator
      (:func:`~skaudio.features.image.prewitt_batch`).
    - ``"hu"``: Hu's seven moment invariants of each map
      (:func:`~skaudio.features.image.hu_moments_batch`, ``skimage.measure.moments_hu``): shape
      descriptors of the segmented regions when the maps are the 0/1 masks
      of :class:`~skaudio.features.SpectrogramSegmenter` (put it first in the pipeline), of the
      distribution of levels for spectrograms. Each map is first shifted to
      start at 0 and scaled to peak 1 (0/1 masks are unchanged; dB maps
      become non-negative, and loudness does not matter); constant maps give
      zeros.

    Parameters
    ----------
    method : {"glcm", "lbp", "gabor", "edges", "hu"}, default="glcm"
        Descriptor family.

        .. versionchanged:: 0.2
           Renamed from ``kind`` (skaudio's one name for "which algorithm" is
           ``method``).
    levels : int, default=32
        ``"glcm"``, ``"lbp"``: grey levels of the per-clip quantisation.
    distances : sequence of int, default=(1, 3)
        ``"glcm"``: pixel pair distances.
    angles : sequence of float, default=(0, pi/4, pi/2, 3*pi/4)
        ``"glcm"``: pair angles in radians.
    properties : sequence of str, default=("contrast", ..., "ASM")
        ``"glcm"``: ``graycoprops`` properties; the default is all six: "contrast",
        "dissimilarity", "homogeneity", "energy", "correlation", "ASM".
    symmetric : bool, default=True
        ``"glcm"``: count each pair in both orders.
    P : int, default=8
        ``"lbp"``: neighbours on the circle.
    R : float, default=1.0
        ``"lbp"``: circle radius in bins.
    lbp_method : {"default", "ror", "uniform", "nri_uniform"}, default="uniform"
        ``"lbp"``: pattern coding (skimage's ``method``).
    frequencies : sequence of float, default=(0.1, 0.25)
        ``"gabor"``: kernel frequencies in cycles per bin.
    thetas : sequence of float, default=(0, pi/4, pi/2, 3*pi/4)
        ``"gabor"``: kernel orientations in radians.
    bandwidth : float, default=1.0
        ``"gabor"``: kernel bandwidth (octaves).
    sigma : float, default=1.0
        ``"edges"``: width of the Canny and Laplacian-of-Gaussian smoothing.
    low_threshold, high_threshold : float, default=0.8, 0.9
        ``"edges"``: Canny hysteresis thresholds as quantiles of each clip's
        gradient magnitude.
    mode : {"reflect", "constant", "nearest", "mirror", "wrap"}, default="reflect"
        ``"gabor"`` and Laplacian of Gaussian boundary rule.
    edge_filters : sequence of str, default=("sobel", "canny", "log")
        ``"edges"``: the filters whose statistics make the columns, among
        ``"sobel"``, ``"prewitt"``, ``"canny"``, ``"log"`` (output in that
        order whatever the order given).
    n_jobs : int, default=None
        joblib workers over clips (threads preferred): None is 1, -1 all
        cores (joblib's convention).
    verbose : bool, default=False
        Progress bar over clips.
    kind : {"glcm", "lbp", "gabor", "edges"}, default="deprecated"
        Former name of ``method``.

        .. deprecated:: 0.2
           ``kind`` was renamed ``method`` in 0.2 and will be removed in 0.3;
           ``fit`` warns (``FutureWarning``) and uses it when it is set.

    Attributes
    ----------
    n_features_in_ : int
        Frequency rows seen in ``fit``.
    feature_names_in_ : ndarray of str
        Column names of a DataFrame seen in ``fit`` (2-D input only).
    feature_names_out_ : ndarray of str
        Output column names; ``set_output(transform="pandas")`` gives the
        output as a DataFrame with these columns.

    References
    ----------
    .. [1] Franzoni, "Cross-domain synergy: leveraging image processing
       techniques for enhanced sound classification through spectrogram
       analysis using CNNs", 2023 (review; feature extraction).
    .. [2] Haralick, Shanmugam & Dinstein, "Textural features for image
       classification", IEEE SMC 1973 (GLCM).
    .. [3] Ojala, Pietikainen & Maenpaa, "Multiresolution gray-scale and
       rotation invariant texture classification with local binary
       patterns", IEEE TPAMI 2002.
    .. [4] Manjunath & Ma, "Texture features for browsing and retrieval of
       image data", IEEE TPAMI 1996 (Gabor statistics).

    Examples
    --------
    >>> import numpy as np
    >>> from skaudio.features.image import SpectrogramImageFeatures
    >>> S = np.random.default_rng(0).standard_normal((3, 32, 40)).astype(np.float32)
    >>> lbp = SpectrogramImageFeatures(method="lbp", P=8, R=1).fit(S)
    >>> F = lbp.transform(S)
    >>> F.shape, lbp.get_feature_names_out()[:3].tolist()
    ((3, 10), ['lbp_0', 'lbp_1', 'lbp_2'])
    >>> np.allclose(F.sum(axis=1), 1.0)  # normalised histograms
    True
    """

    _parameter_constraints = {
        "method": [StrOptions(set(_METHODS))],
        "levels": [Interval(Integral, 2, 65536, closed="both")],
        "distances": [tuple, list, np.ndarray],
        "angles": [tuple, list, np.ndarray],
        "properties": [tuple, list],
        "symmetric": ["boolean"],
        "P": [Interval(Integral, 1, 24, closed="both")],
        "R": [Interval(Real, 0, None, closed="neither")],
        "lbp_method": [StrOptions(set(_LBP_METHODS))],
        "frequencies": [tuple, list, np.ndarray],
        "thetas": [tuple, list, np.ndarray],
        "bandwidth": [Interval(Real, 0, None, closed="neither")],
        "sigma": [Interval(Real, 0, None, closed="neither")],
        "low_threshold": [Interval(Real, 0, 1, closed="both")],
        "high_threshold": [Interval(Real, 0, 1, closed="both")],
        "mode": [StrOptions(NDIMAGE_MODES)],
        "edge_filters": [tuple, list],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
        "kind": [StrOptions({*_METHODS, "deprecated"})],
    }

    def __init__(
        self,
        method: str = "glcm",
        *,
        levels: int = 32,
        distances: Sequence[int] = (1, 3),
        angles: Sequence[float] = (0.0, np.pi / 4, np.pi / 2, 3 * np.pi / 4),
        properties: Sequence[str] = _GLCM_PROPS,
        symmetric: bool = True,
        P: int = 8,
        R: float = 1.0,
        lbp_method: str = "uniform",
        frequencies: Sequence[float] = (0.1, 0.25),
        thetas: Sequence[float] = (0.0, np.pi / 4, np.pi / 2, 3 * np.pi / 4),
        bandwidth: float = 1.0,
        sigma: float = 1.0,
        low_threshold: float = 0.8,
        high_threshold: float = 0.9,
        mode: str = "reflect",
        edge_filters: Sequence[str] = ("sobel", "canny", "log"),
        n_jobs: int | None = None,
        verbose: bool = False,
        kind: str = "deprecated",
    ) -> None:
        self.method = method
        self.levels = levels
        self.distances = distances
        self.angles = angles
        self.properties = properties
        self.symmetric = symmetric
        self.P = P
        self.R = R
        self.lbp_method = lbp_method
        self.frequencies = frequencies
        self.thetas = thetas
        self.bandwidth = bandwidth
        self.sigma = sigma
        self.low_threshold = low_threshold
        self.high_threshold = high_threshold
        self.mode = mode
        self.edge_filters = edge_filters
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.kind = kind

    # -- parameters and names -------------------------------------------------
    def _numbers(self, name, *, integer=False, positive=False):
        vals = np.atleast_1d(np.asarray(getattr(self, name), dtype=np.float64))
        if vals.ndim != 1 or vals.size == 0 or not np.all(np.isfinite(vals)):
            raise ValueError(
                f"{name} must be a non-empty sequence of finite numbers, got {getattr(self, name)!r}"
            )
        if integer and not (np.all(vals == np.round(vals)) and np.all(vals >= 1)):
            raise ValueError(f"{name} must hold positive integers, got {getattr(self, name)!r}")
        if positive and not np.all(vals > 0):
            raise ValueError(f"{name} must hold positive numbers, got {getattr(self, name)!r}")
        return vals.astype(np.int64) if integer else vals

    def _resolve_method(self):
        """``method``, or the deprecated ``kind`` when that is set (with a FutureWarning)."""
        if self.kind == "deprecated":
            return self.method
        if self.method not in ("glcm", self.kind):
            raise ValueError(
                f"kind={self.kind!r} and method={self.method!r} disagree; kind is the deprecated "
                "name of method: pass method only."
            )
        renamed_keyword(
            None, self.kind, new="method", old="kind", where="SpectrogramImageFeatures", stacklevel=5
        )  # stacklevel 5: the caller of fit (through fit and its validation wrapper)
        return self.kind

    def _names(self):
        if self._method == "glcm":
            d = self._numbers("distances", integer=True)
            a = self._numbers("angles")
            props = list(self.properties)
            for p in props:
                if p not in _GLCM_PROPS:
                    raise ValueError(f"properties must be among {list(_GLCM_PROPS)}, got {p!r}")
            if not props:
                raise ValueError("properties must name at least one GLCM property")
            return [f"glcm_{p}_d{di}_a{np.degrees(ai):g}" for p in props for di in d for ai in a]
        if self._method == "lbp":
            return [f"lbp_{i}" for i in range(self._lbp_bins())]
        if self._method == "gabor":
            f = self._numbers("frequencies", positive=True)
            t = self._numbers("thetas")
            return [
                f"gabor_f{fi:g}_t{np.degrees(ti):g}_{stat}"
                for fi in f
                for ti in t
                for stat in ("mean", "std")
            ]
        if self._method == "hu":
            return [f"hu_{k}" for k in range(7)]
        return [f"edges_{n}" for f in self._edge_filters() for n in _EDGE_COLUMNS[f]]

    def _edge_filters(self):
        chosen = list(self.edge_filters)
        bad = [f for f in chosen if f not in _EDGE_COLUMNS]
        if not chosen or bad or len(set(chosen)) != len(chosen):
            raise ValueError(
                f"edge_filters must be a non-empty sequence of distinct names among {list(_EDGE_COLUMNS)}, "
                f"got {self.edge_filters!r}"
            )
        return [f for f in _EDGE_COLUMNS if f in chosen]

    def _check_costs(self):
        """Refuse parameters whose arrays or kernels are beyond computing (``ValueError`` naming them)."""
        if self._method == "glcm":
            pairs = len(self._numbers("distances", integer=True)) * len(self._numbers("angles"))
            need = int(self.levels) ** 2 * pairs * 8
            if need > _MAX_GLCM_BYTES:
                raise ValueError(
                    f"levels={self.levels} with {pairs} distance-angle pairs needs a {need / 2**30:.3g} GiB "
                    f"co-occurrence array per clip; at most {_MAX_GLCM_BYTES / 2**30:g} GiB is computed: "
                    "use fewer levels"
                )
        elif self._method == "gabor":
            for f in self._numbers("frequencies", positive=True):
                check_kernel_radius(
                    _gabor_radius(f, self.bandwidth),
                    f"frequencies={self.frequencies!r} with bandwidth={self.bandwidth!r} (frequency {f:g})",
                )
        elif self._method == "edges":
            # scipy.ndimage and skimage.feature.canny truncate their Gaussians at 4 sigma
            check_kernel_radius(4.0 * float(self.sigma) + 0.5, f"sigma={self.sigma!r}")

    def _lbp_bins(self):
        P = int(self.P)
        return {"default": 2**P, "ror": 2**P, "uniform": P + 2, "nri_uniform": P * (P - 1) + 3}[
            self.lbp_method
        ]

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, S: ArrayLike, y: ArrayLike | None = None) -> SpectrogramImageFeatures:
        """Check parameters and input and fix the output columns.

        Parameters
        ----------
        S : array-like of shape (n_clips, n_freqs, n_frames)
            Float spectrograms (2-D input is read as one-band spectrograms).
        y : ignored

        Returns
        -------
        self : object
        """
        if self.low_threshold > self.high_threshold:
            raise ValueError(
                f"low_threshold ({self.low_threshold}) must not exceed high_threshold ({self.high_threshold})"
            )
        self._method = self._resolve_method()
        names = self._names()
        self._check_costs()
        validated_batch(self, S, reset=True)
        self.feature_names_out_ = np.asarray(names, dtype=object)
        return self

    def get_feature_names_out(self, input_features: ArrayLike | None = None) -> NDArray[np.object_]:
        """Names of the output columns, e.g. ``glcm_contrast_d1_a0``.

        Parameters
        ----------
        input_features : array-like of str, default=None
            Only checked against the input seen in ``fit`` (its length, and
            ``feature_names_in_`` when fitted on a DataFrame): the columns do
            not derive one-to-one from input features.

        Returns
        -------
        names : ndarray of str objects
        """
        check_is_fitted(self, "feature_names_out_")
        check_feature_names_in(self, input_features, generate_names=False)
        return self.feature_names_out_.copy()

    # -- the descriptors --------------------------------------------------------
    def transform(self, S: ArrayLike) -> NDArray[np.float32] | pd.DataFrame:
        """Compute the descriptors of every spectrogram.

        Parameters
        ----------
        S : array-like of shape (n_clips, n_freqs, n_frames)
            Float spectrograms.

        Returns
        -------
        F : ndarray of shape (n_clips, n_features), float32
        """
        check_is_fitted(self, "feature_names_out_")
        S, _ = validated_batch(self, S, reset=False)
        kw = dict(n_jobs=self.n_jobs, verbose=self.verbose, desc=f"SpectrogramImageFeatures({self._method})")
        if self._method == "glcm":
            F = np.stack(map_clips(self._glcm_one, S, **kw))
        elif self._method == "lbp":
            F = np.stack(map_clips(self._lbp_one, S, **kw))
        elif self._method == "gabor":
            F = map_chunks(self._gabor_chunk, S, **kw)
        elif self._method == "hu":
            F = map_chunks(self._hu_chunk, S, **kw)
        else:
            F = map_chunks(self._edges_chunk, S, **kw)
        return np.nan_to_num(F, nan=0.0, posinf=0.0, neginf=0.0).astype(np.float32)

    def _glcm_one(self, clip):
        from skimage.feature import graycomatrix, graycoprops

        q = quantize(clip, self.levels)
        glcm = graycomatrix(
            q,
            distances=self._numbers("distances", integer=True),
            angles=self._numbers("angles"),
            levels=self.levels,
            symmetric=self.symmetric,
            normed=True,
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.concatenate([graycoprops(glcm, p).ravel() for p in self.properties])

    def _lbp_one(self, clip):
        from skimage.feature import local_binary_pattern

        q = quantize(clip, self.levels)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # skimage warns about tiny images; the codes are still defined
            codes = local_binary_pattern(q, P=int(self.P), R=float(self.R), method=self.lbp_method)
        n_bins = self._lbp_bins()
        hist = np.bincount(codes.astype(np.int64).ravel(), minlength=n_bins)[:n_bins].astype(np.float64)
        return hist / hist.sum()

    def _gabor_chunk(self, S):
        feats = []
        for f in self._numbers("frequencies", positive=True):
            for t in self._numbers("thetas"):
                mag = np.abs(gabor_batch.__wrapped__(S, f, t, self.bandwidth, mode=self.mode))
                feats.append(mag.mean(axis=(1, 2), dtype=np.float64))
                feats.append(mag.std(axis=(1, 2), dtype=np.float64))
        return np.stack(feats, axis=1)

    @staticmethod
    def _hu_chunk(S):
        # moments weigh bins by value: shifted to start at 0 a dB map's levels weigh as ranks of
        # energy do, and scaled to peak 1 the invariants stop depending on loudness (nu_pq scales
        # as 1 / intensity: a map at 1e-8 gave 1e28 and overflowed float32); 0/1 masks unchanged
        x = S.astype(np.float64)
        x = x - x.min(axis=(1, 2), keepdims=True)
        peak = x.max(axis=(1, 2), keepdims=True)
        return hu_moments_batch.__wrapped__(np.divide(x, peak, out=np.zeros_like(x), where=peak > 0))

    def _edges_chunk(self, S):
        filters = self._edge_filters()
        cols = []
        for name, batch in (("sobel", sobel_batch.__wrapped__), ("prewitt", prewitt_batch.__wrapped__)):
            if name in filters:
                h, v, mag = batch(S)
                cols += [mag.mean(axis=(1, 2)), mag.std(axis=(1, 2)), np.abs(h).mean(axis=(1, 2))]
                cols.append(np.abs(v).mean(axis=(1, 2)))
        s = float(self.sigma)
        if "canny" in filters:
            from skimage.feature import canny

            kw = dict(
                low_threshold=self.low_threshold, high_threshold=self.high_threshold, use_quantiles=True
            )
            cols.append(np.array([canny(c, sigma=s, **kw).mean() for c in S]))
        if "log" in filters:
            x = S.astype(np.float64)
            log = ndi.gaussian_filter(x, (0, s, s), order=(0, 2, 0), mode=self.mode) + ndi.gaussian_filter(
                x, (0, s, s), order=(0, 0, 2), mode=self.mode
            )
            cols += [np.abs(log).mean(axis=(1, 2)), log.std(axis=(1, 2))]
        return np.stack(cols, axis=1)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags
