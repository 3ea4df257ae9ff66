"""Noise reduction on spectrogram batches: Gaussian, median, Wiener, bilateral, wavelet."""

from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np
import scipy.ndimage as ndi
from numpy.typing import ArrayLike, NDArray
from sklearn.base import BaseEstimator, OneToOneFeatureMixin
from sklearn.utils.validation import check_is_fitted

from skaudio._batching import map_batches, numba_threads
from skaudio._sklearn_compat import Interval, StrOptions, fit_context, validate_params
from skaudio._validation import freq_time_pair
from skaudio.features._output import ArrayOutputMixin
from skaudio.features.image._common import (
    NDIMAGE_MODES,
    check_kernel_radius,
    map_chunks,
    map_clips,
    to_skimage_mode,
    validated_batch,
)

__all__ = ["SpectrogramFilter", "wiener_batch", "wavelet_batch"]

_METHODS = ("gaussian", "median", "wiener", "bilateral", "wavelet")
#: Clips per call of the numba Gaussian kernel (threads run over the clips of
#: a call; on a cluster joblib backend each block is one task).
_GAUSSIAN_BLOCK = 64
_F32_MAX = float(np.finfo(np.float32).max)
#: Widest bilateral window: skimage weighs win_size**2 neighbours per cell, one by one:
#: 257**2 = 66,049 per cell is some 4e9 for a 128 x 431 map, minutes in its loop (4097
#: did not finish a 16 x 20 batch in 60 s; win_size=131072 asked for 128 GiB of tables).
_MAX_BILATERAL_WINDOW = 257


def _pair(value, name, *, integer=False, odd=False):
    """A scalar or a (frequency, time) pair as two numbers: sizes are whole numbers >= 1 (a float
    such as 3.0 still accepted, as always), sigmas non-negative reals."""
    return freq_time_pair(
        value, name, integer=integer, minimum=1 if integer else 0, odd=odd, integral_floats=True
    )


# The public batch functions check their arguments with scikit-learn's validate_params (its
# messages name the function and the parameter); the checks that are more than a type or a
# range stay in the body (the (freq, time) pairs: freq_time_pair). SpectrogramFilter, which
# validated its parameters at fit, calls the unchecked bodies (``__wrapped__``) chunk by chunk.
@validate_params(
    {
        "S": ["array-like"],
        # whole-number floats (3.0) stay accepted, as they always were: freq_time_pair
        "mysize": [Interval(Real, 1, None, closed="left"), "array-like"],
        "noise": [Interval(Real, 0, None, closed="left"), None],
    },
    prefer_skip_nested_validation=True,
)
def wiener_batch(
    S: ArrayLike, mysize: int | tuple[int, int] = 3, noise: float | None = None
) -> NDArray[np.float32]:
    """Adaptive Wiener filter of every 2-D map in a batch, as ``scipy.signal.wiener`` per map.

    ``scipy.signal.wiener`` estimates the local mean and variance over a
    ``mysize`` window with zero padding and, when ``noise`` is None, takes the
    noise power as the mean local variance of the whole map. Here the local
    moments of all maps come from one ``scipy.ndimage.uniform_filter`` call
    (window of length 1 along the clip axis, zero padding), in float64, and
    the noise power is estimated per map, so the result equals calling
    ``scipy.signal.wiener`` on each map.

    Parameters
    ----------
    S : ndarray of shape (n_clips, n_freqs, n_frames)
        Float spectrograms.
    mysize : int or (int, int), default=3
        Odd window size (frequency, time).
    noise : float, default=None
        Noise power; estimated per map when None.

    Returns
    -------
    out : ndarray of shape (n_clips, n_freqs, n_frames), float32

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.signal import wiener
    >>> from skaudio.features.image import wiener_batch
    >>> S = np.random.default_rng(0).standard_normal((2, 8, 10)).astype(np.float32)
    >>> np.allclose(wiener_batch(S, 3)[1], wiener(S[1].astype(np.float64), 3), atol=1e-5)
    True
    """
    mf, mt = _pair(mysize, "mysize", integer=True, odd=True)
    x = np.asarray(S, dtype=np.float64)
    size = (1, mf, mt)
    mean = ndi.uniform_filter(x, size=size, mode="constant", cval=0.0)
    var = ndi.uniform_filter(x * x, size=size, mode="constant", cval=0.0)
    var -= mean * mean
    if noise is None:
        noise = var.mean(axis=(1, 2), keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        res = (x - mean) * (1.0 - noise / var) + mean
    # var == noise gives the mean in the formula too; "<=" keeps an all-zero map (0 / 0) at 0
    return np.where(var <= noise, mean, res).astype(np.float32)


def _shrink(d, t, mode):
    """``pywt.threshold`` (soft or hard) with per-map thresholds; exact zeros stay 0 (no 0/0)."""
    mag = np.abs(d)
    if mode == "hard":
        return np.where(mag < t, 0, d).astype(d.dtype, copy=False)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # t / tiny |d|: inf, factor 0
        factor = np.maximum(1 - t / mag, 0)  # pywt's soft rule: d * max(1 - t / |d|, 0)
    return np.where(mag > 0, d * factor, 0).astype(d.dtype, copy=False)


@validate_params(
    {
        "S": ["array-like"],
        "sigma": [Interval(Real, 0, None, closed="left"), None],
        "wavelet": [str],  # pywt names the valid ones when it does not know this one
        "mode": [StrOptions({"soft", "hard"})],
        # a level halves each axis: 32 levels need maps of 2**32 bins (as SpectrogramFilter)
        "wavelet_levels": [Interval(Integral, 1, 32, closed="both"), None],
        "method": [StrOptions({"BayesShrink", "VisuShrink"})],
    },
    prefer_skip_nested_validation=True,
)
def wavelet_batch(
    S: ArrayLike,
    sigma: float | None = None,
    wavelet: str = "db1",
    mode: str = "soft",
    wavelet_levels: int | None = None,
    method: str = "BayesShrink",
) -> NDArray[np.float32]:
    """Wavelet-threshold denoising of every map of a batch.

    Each map as ``skimage.restoration.denoise_wavelet`` would denoise it.

    skimage decomposes one image with ``pywt.wavedecn``, estimates the noise
    level from the finest diagonal details (median absolute deviation),
    shrinks every detail band with the BayesShrink (or VisuShrink) threshold
    and reconstructs. Here one ``pywt.wavedecn``/``pywt.waverecn`` pair over
    the two image axes (``axes=(1, 2)``) transforms the whole batch, and the
    noise levels and thresholds are computed per map with array operations,
    so the result equals skimage's for each map (float input, no rescaling).

    Parameters
    ----------
    S : ndarray of shape (n_clips, n_freqs, n_frames)
    sigma : float, default=None
        Noise standard deviation; estimated per map when None.
    wavelet, mode, wavelet_levels, method
        As ``skimage.restoration.denoise_wavelet`` (``mode`` is the
        shrinkage rule, "soft" or "hard").

    Returns
    -------
    out : ndarray of shape (n_clips, n_freqs, n_frames), float32

    Examples
    --------
    >>> import numpy as np
    >>> from skimage.restoration import denoise_wavelet
    >>> from skaudio.features.image import wavelet_batch
    >>> S = np.random.default_rng(0).standard_normal((2, 32, 40)).astype(np.float32)
    >>> np.allclose(wavelet_batch(S)[1], denoise_wavelet(S[1]), atol=1e-5)
    True
    """
    import warnings

    import pywt
    import scipy.stats

    S = np.asarray(S, dtype=np.float32)
    n = S.shape[0]
    # Maps far from unit scale are denoised at a power-of-two scale of their own (exact, and
    # undone at the end; the denoising is scale-equivariant): the coefficients of 3e38 maps
    # overflow float32 within a level, and BayesShrink's floor of float32's eps swamps the
    # variances (~1e-76) of maps near 1e-38. Maps within 2**+-64 are left as they are.
    peaks = np.max(np.abs(S), axis=(1, 2)) if S.size else np.zeros(n, np.float32)
    exponents = np.frexp(peaks)[1].astype(np.int64)
    exponents[(np.abs(exponents) <= 64) | (peaks == 0)] = 0
    rescaled = bool(exponents.any())
    if rescaled:
        S = np.ldexp(S, -exponents[:, None, None]).astype(np.float32)
    wav = pywt.Wavelet(wavelet)
    if wavelet_levels is None:
        wavelet_levels = max(pywt.dwtn_max_level(S.shape[1:], wav) - 3, 1)
    coeffs = pywt.wavedecn(S, wavelet=wav, level=wavelet_levels, axes=(1, 2))
    details = coeffs[1:]
    if sigma is None:
        finest = details[-1]["dd"].reshape(n, -1)
        mad = np.abs(finest).astype(np.float64)
        mad[finest == 0] = np.nan  # skimage ignores exact zeros
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            sig = np.nanmedian(mad, axis=1) / scipy.stats.norm.ppf(0.75)
        # a map without any non-zero finest detail (constant, or too small) has no
        # measurable noise: no shrinkage (skimage would return NaN there)
        sig = np.nan_to_num(sig, nan=0.0)
    else:
        sig = np.ldexp(np.full(n, float(sigma)), -exponents)
    var = (sig**2)[:, None, None]
    shrunk = []
    for level in details:
        new = {}
        for key, d in level.items():
            if method == "BayesShrink":
                # float64: the squares of float32 coefficients overflow from about 1e19
                dvar = np.mean(np.square(d, dtype=np.float64), axis=(1, 2), keepdims=True)
                eps = np.finfo(d.dtype).eps
                thresh = var / np.sqrt(np.maximum(dvar - var, eps))
            else:  # VisuShrink: the universal threshold
                thresh = (sig * np.sqrt(2 * np.log(S[0].size)))[:, None, None]
            # a threshold beyond the float32 range shrinks everything, as infinity would
            new[key] = _shrink(d, np.minimum(thresh, np.finfo(d.dtype).max).astype(d.dtype), mode)
        shrunk.append(new)
    out = pywt.waverecn([coeffs[0]] + shrunk, wav, axes=(1, 2))[:, : S.shape[1], : S.shape[2]]
    if rescaled:
        out = np.ldexp(out.astype(np.float64), exponents[:, None, None])
        if not np.isfinite(out.astype(np.float32)).all():
            raise ValueError(
                "wavelet denoising gives values beyond float32's range for maps this loud "
                f"(peak {float(peaks.max()):.3g}); scale S down"
            )
    return out.astype(np.float32)


def _bilateral_clip(clip, win_size, sigma_color, sigma_spatial, bins, mode, cval):
    """``skimage.restoration.denoise_bilateral`` of one map, mapped to ``[0, 1]`` first.

    The bilateral filter is defined on value *differences*, so it must not care
    where the map's values sit: a dB map (all values <= 0) and the same map
    shifted by 100 dB must give outputs that differ by exactly 100 dB. skimage
    builds its value-weight table over ``[0, image.max()]`` but, for an image
    with negative values, looks it up with distances scaled by
    ``bins / (max - min)`` (it shifts the image after building the table),
    so on dB input every weight is read at the wrong distance: with ``ref=max``
    (peak 0 dB) the table is constant and the filter degenerates into a plain
    Gaussian blur. Mapping each clip to ``[0, 1]`` by its own minimum and range
    (in float64, so the range of a loud float32 map cannot overflow) before
    the call, and back after it, gives skimage the non-negative image its
    table assumes; ``sigma_color`` and ``cval`` are mapped with the values.
    The default ``sigma_color`` (the clip's standard deviation) is scaled the
    same way, so the result is equivariant to shifts and positive scalings.
    """
    from skimage.restoration import denoise_bilateral

    x = np.asarray(clip, dtype=np.float64)
    low, span = float(x.min()), float(x.max()) - float(x.min())
    if not span > 0:  # a constant map is its own bilateral average
        return np.array(clip, dtype=np.float32)
    unit = ((x - low) / span).astype(np.float32)
    # skimage weighs by exp(-d**2 / (2 sigma**2)) in float32: a sigma whose square underflows
    # gives 0 / 0 = NaN at d = 0 (sigma_color=5e-324 made every cell NaN). At 1e-18 (unit
    # scale; bins) every weight but d = 0's is already exactly 0 (d >= 1e-4, 1 bin), so the
    # floor changes nothing but the NaN
    sigma = None if sigma_color is None else max(sigma_color / span, 1e-18)
    sigma_spatial = max(sigma_spatial, 1e-18)
    out = denoise_bilateral(
        unit,
        win_size=win_size,
        sigma_color=sigma,
        sigma_spatial=sigma_spatial,
        bins=bins,
        mode=mode,
        # beyond 2 (unit scale) a fill value is farther than any value of the map from all of
        # them, so its weight is the same; 3.4e38 / span overflowed skimage's float32 distances
        cval=float(np.clip((cval - low) / span, -2.0, 3.0)),
    )
    return (np.reshape(out, clip.shape).astype(np.float64) * span + low).astype(np.float32)


class SpectrogramFilter(OneToOneFeatureMixin, ArrayOutputMixin, BaseEstimator):
    """Denoise a batch of spectrograms with an image filter; batch in, batch out, same shape.

    Each spectrogram is treated as a grey-level image (frequency rows, time
    columns) and filtered on its own; no information crosses clips.

    ``method`` picks the filter; its parameters keep the names of the library
    call that implements it:

    - ``"gaussian"``: ``scipy.ndimage.gaussian_filter`` (``sigma``,
      ``truncate``, ``mode``, ``cval``), computed by a separable numba
      kernel with the same kernel and boundary rules (several times faster than ndimage
      clip by clip);
    - ``"median"``: ``scipy.ndimage.median_filter`` (``size``, ``mode``,
      ``cval``), batched the same way;
    - ``"wiener"``: the adaptive Wiener filter of ``scipy.signal.wiener``
      (``mysize``, ``noise``), computed for the whole batch by
      :func:`~skaudio.features.image.wiener_batch` with the same result;
    - ``"bilateral"``: ``skimage.restoration.denoise_bilateral``
      (``win_size``, ``sigma_color``, ``sigma_spatial``, ``bins``, ``mode``,
      ``cval``), clip by clip over ``n_jobs`` workers. Each clip is mapped
      to ``[0, 1]`` by its own minimum and range before the call and back
      after it, because skimage's value-weight table is only right for
      non-negative images; the result is therefore the same for a dB map and
      for that map shifted by any constant (shifted by the same constant);
    - ``"wavelet"``: ``skimage.restoration.denoise_wavelet`` (``sigma``,
      ``wavelet``, ``wavelet_levels``; skimage's ``mode`` and ``method`` are
      ``wavelet_threshold`` and ``wavelet_method`` here), computed for the
      whole batch by :func:`~skaudio.features.image.wavelet_batch` with the same result.

    Parameters
    ----------
    method : {"gaussian", "median", "wiener", "bilateral", "wavelet"}, default="gaussian"
        The filter.
    sigma : float or (float, float), default=None
        ``"gaussian"``: standard deviation of the kernel in bins, one value
        or a (frequency, time) pair; None means 1.0. ``"wavelet"``: the noise
        standard deviation in the units of the spectrogram; None estimates it
        per clip (skimage's default).
    truncate : float, default=4.0
        ``"gaussian"``: kernel radius in standard deviations.
    size : int or (int, int), default=3
        ``"median"``: window (frequency, time) in bins.
    mysize : int or (int, int), default=3
        ``"wiener"``: odd window (frequency, time) for the local statistics.
    noise : float, default=None
        ``"wiener"``: noise power in squared spectrogram units; None
        estimates it per clip as the mean local variance.
    win_size : int, default=None
        ``"bilateral"``: window side; None gives ``max(5, 2 * ceil(3 * sigma_spatial) + 1)``.
    sigma_color : float, default=None
        ``"bilateral"``: value-distance scale in spectrogram units (dB for
        log-mel); None uses each clip's standard deviation.
    sigma_spatial : float, default=1.0
        ``"bilateral"``: spatial scale in bins.
    bins : int, default=10000
        ``"bilateral"``: resolution of the value-weight lookup table.
    wavelet : str, default="db1"
        ``"wavelet"``: any discrete wavelet PyWavelets knows.
    wavelet_levels : int, default=None
        ``"wavelet"``: decomposition depth; None is three less than the
        deepest possible level.
    wavelet_threshold : {"soft", "hard"}, default="soft"
        ``"wavelet"``: shrinkage rule (skimage's ``mode``).
    wavelet_method : {"BayesShrink", "VisuShrink"}, default="BayesShrink"
        ``"wavelet"``: threshold selection (skimage's ``method``).
    mode : {"reflect", "constant", "nearest", "mirror", "wrap"}, default="reflect"
        Boundary rule in ``scipy.ndimage`` words (``"gaussian"``,
        ``"median"``, ``"bilateral"``; translated to skimage's names for the
        bilateral filter, e.g. ``"reflect"`` is skimage's ``"symmetric"``).
        The Wiener filter always zero-pads, as ``scipy.signal.wiener``.
    cval : float, default=0.0
        Fill value for ``mode="constant"``.
    n_jobs : int, default=None
        Workers over clips, -1 meaning all cores: numba threads for
        ``"gaussian"`` (None keeps numba's own setting, like
        :class:`~skaudio.features.Spectrogram`), joblib workers (threads
        preferred) over blocks of clips otherwise (None is 1, as in joblib).
        Under a cluster joblib backend (``joblib.parallel_config(backend="dask")``)
        blocks of clips are joblib tasks instead (see :doc:`/user_guide/scaling`).
    verbose : bool, default=False
        Progress bar over clips.

    Attributes
    ----------
    n_features_in_ : int
        Frequency bins (rows) seen in ``fit``.
    feature_names_in_ : ndarray of str
        Column names of a DataFrame seen in ``fit`` (2-D input only).

    See Also
    --------
    SpectrogramSegmenter : masks of the loud regions.

    Notes
    -----
    The filtered spectrograms keep the input's shape. 3-D output stays an
    ndarray under ``set_output(transform="pandas")`` (a pipeline that ends
    in a 2-D step such as :class:`~skaudio.features.Flatten` or a global
    :class:`~skaudio.features.PoolingTransformer` still returns a DataFrame);
    2-D output becomes a DataFrame. ``get_feature_names_out`` passes the
    input names through: the frequency rows of 3-D input (axis 1), the
    columns of 2-D input.

    References
    ----------
    .. [1] Franzoni, "Cross-domain synergy: leveraging image processing
       techniques for enhanced sound classification through spectrogram
       analysis using CNNs", 2023 (review; section on noise reduction).
    .. [2] Lim, "Two-Dimensional Signal and Image Processing", 1990 (Wiener).
    .. [3] Tomasi & Manduchi, "Bilateral filtering for gray and color images", ICCV 1998.
    .. [4] Chang, Yu & Vetterli, "Adaptive wavelet thresholding for image
       denoising and compression", IEEE TIP 2000 (BayesShrink).

    Examples
    --------
    >>> import numpy as np
    >>> from skaudio.features.image import SpectrogramFilter
    >>> rng = np.random.default_rng(0)
    >>> S = rng.standard_normal((4, 32, 50)).astype(np.float32)
    >>> out = SpectrogramFilter(method="median", size=(3, 5)).fit_transform(S)
    >>> out.shape, out.dtype
    ((4, 32, 50), dtype('float32'))
    >>> bool(out.std() < S.std())
    True
    """

    _parameter_constraints = {
        "method": [StrOptions(set(_METHODS))],
        "sigma": [Interval(Real, 0, None, closed="left"), tuple, list, np.ndarray, None],
        "truncate": [Interval(Real, 0, None, closed="neither")],
        "size": [Interval(Integral, 1, None, closed="left"), tuple, list, np.ndarray],
        "mysize": [Interval(Integral, 1, None, closed="left"), tuple, list, np.ndarray],
        "noise": [Interval(Real, 0, None, closed="left"), None],
        "win_size": [Interval(Integral, 1, _MAX_BILATERAL_WINDOW, closed="both"), None],
        "sigma_color": [Interval(Real, 0, None, closed="neither"), None],
        "sigma_spatial": [Interval(Real, 0, None, closed="neither")],
        # skimage's value-weight table holds `bins` doubles: 2**20 is 8 MiB (bins=2**31 hung)
        "bins": [Interval(Integral, 1, 2**20, closed="both")],
        "wavelet": [str],
        # a level halves each axis: 32 levels need maps of 2**32 bins (2**31 levels hung pywt)
        "wavelet_levels": [Interval(Integral, 1, 32, closed="both"), None],
        "wavelet_threshold": [StrOptions({"soft", "hard"})],
        "wavelet_method": [StrOptions({"BayesShrink", "VisuShrink"})],
        "mode": [StrOptions(NDIMAGE_MODES)],
        # within float32: a NaN, infinite or larger fill value spreads into every border cell
        "cval": [Interval(Real, -_F32_MAX, _F32_MAX, closed="both")],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        method: str = "gaussian",
        *,
        sigma: float | tuple[float, float] | None = None,
        truncate: float = 4.0,
        size: int | tuple[int, int] = 3,
        mysize: int | tuple[int, int] = 3,
        noise: float | None = None,
        win_size: int | None = None,
        sigma_color: float | None = None,
        sigma_spatial: float = 1.0,
        bins: int = 10000,
        wavelet: str = "db1",
        wavelet_levels: int | None = None,
        wavelet_threshold: str = "soft",
        wavelet_method: str = "BayesShrink",
        mode: str = "reflect",
        cval: float = 0.0,
        n_jobs: int | None = None,
        verbose: bool = False,
    ) -> None:
        self.method = method
        self.sigma = sigma
        self.truncate = truncate
        self.size = size
        self.mysize = mysize
        self.noise = noise
        self.win_size = win_size
        self.sigma_color = sigma_color
        self.sigma_spatial = sigma_spatial
        self.bins = bins
        self.wavelet = wavelet
        self.wavelet_levels = wavelet_levels
        self.wavelet_threshold = wavelet_threshold
        self.wavelet_method = wavelet_method
        self.mode = mode
        self.cval = cval
        self.n_jobs = n_jobs
        self.verbose = verbose

    def _check_method_params(self):
        if self.method == "gaussian":
            sigma = _pair(1.0 if self.sigma is None else self.sigma, "sigma")
            what = f"sigma={self.sigma!r} with truncate={self.truncate!r}"
            check_kernel_radius(self.truncate * max(sigma) + 0.5, what)
        elif self.method == "median":
            check_kernel_radius(max(_pair(self.size, "size", integer=True)) // 2, f"size={self.size!r}")
        elif self.method == "wiener":
            mysize = _pair(self.mysize, "mysize", integer=True, odd=True)
            check_kernel_radius(max(mysize) // 2, f"mysize={self.mysize!r}")
        elif self.method == "bilateral" and self.win_size is None:
            # skimage's default window: max(5, 2 * ceil(3 * sigma_spatial) + 1)
            if not 2 * math.ceil(min(3 * self.sigma_spatial, 1e300)) + 1 <= _MAX_BILATERAL_WINDOW:
                raise ValueError(
                    f"sigma_spatial={self.sigma_spatial!r} gives a bilateral window of "
                    f"2 * ceil(3 * sigma_spatial) + 1 bins; at most {_MAX_BILATERAL_WINDOW} are computed "
                    "(skimage holds a table of window**2 weights): use a smaller sigma_spatial or win_size"
                )
        elif self.method == "wavelet":
            import pywt

            if self.wavelet not in pywt.wavelist(kind="discrete"):
                raise ValueError(
                    f"wavelet={self.wavelet!r} is not a discrete wavelet PyWavelets knows; "
                    f"choose one of pywt.wavelist(kind='discrete'), e.g. 'db1', 'db4', 'sym4'."
                )
            if self.sigma is not None and not np.isscalar(self.sigma):
                raise ValueError(
                    f"sigma for method='wavelet' is a noise level (one number), got {self.sigma!r}"
                )

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, S: ArrayLike, y: ArrayLike | None = None) -> SpectrogramFilter:
        """Check parameters and input; nothing is learned.

        Parameters
        ----------
        S : array-like of shape (n_clips, n_freqs, n_frames)
            Float spectrograms (2-D input is read as one-band spectrograms).
        y : ignored

        Returns
        -------
        self : object
        """
        self._check_method_params()
        validated_batch(self, S, reset=True)
        return self

    def transform(self, S: ArrayLike) -> NDArray[np.float32]:
        """Filter every spectrogram.

        Parameters
        ----------
        S : array-like of shape (n_clips, n_freqs, n_frames)
            Float spectrograms with the number of frequency rows seen in ``fit``.

        Returns
        -------
        out : ndarray, same shape as ``S``, float32
            A new array; ``S`` is left untouched.
        """
        check_is_fitted(self, "n_features_in_")
        S, was_2d = validated_batch(self, S, reset=False)
        out = self._filter(S)
        return out[:, 0, :] if was_2d else out

    def _filter(self, S):
        kw = dict(n_jobs=self.n_jobs, verbose=self.verbose, desc=f"SpectrogramFilter({self.method})")
        if self.method == "gaussian":
            from skaudio._kernels.image import gaussian_filter_batch

            sigma = _pair(1.0 if self.sigma is None else self.sigma, "sigma")

            def block(b, n_threads):  # numba threads over the clips of a block
                with numba_threads(n_threads):
                    return gaussian_filter_batch(b, sigma, self.truncate, self.mode, self.cval)

            out = np.empty(S.shape, dtype=np.float32)
            for sl, part in map_batches(
                block,
                S,
                _GAUSSIAN_BLOCK,
                n_jobs=self.n_jobs,
                verbose=self.verbose,
                desc=kw["desc"],
            ):
                out[sl] = part
            return out
        if self.method == "median":
            sf, st = _pair(self.size, "size", integer=True)
            return map_chunks(
                lambda b: ndi.median_filter(b, size=(1, sf, st), mode=self.mode, cval=self.cval), S, **kw
            )
        if self.method == "wiener":
            return map_chunks(lambda b: wiener_batch.__wrapped__(b, self.mysize, self.noise), S, **kw)
        if self.method == "wavelet":
            return map_chunks(
                lambda b: wavelet_batch.__wrapped__(
                    b,
                    self.sigma,
                    self.wavelet,
                    self.wavelet_threshold,
                    self.wavelet_levels,
                    self.wavelet_method,
                ),
                S,
                **kw,
            )
        mode = to_skimage_mode(self.mode)

        def one(clip):  # the bilateral filter: clip by clip
            return _bilateral_clip(
                clip, self.win_size, self.sigma_color, self.sigma_spatial, self.bins, mode, self.cval
            )

        return np.stack(map_clips(one, S, **kw)).astype(np.float32, copy=False)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags
