"""Spectrogram transformers: linear STFT, mel, dB conversion, standardisation."""

from __future__ import annotations

from numbers import Integral, Real

import librosa
import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, OneToOneFeatureMixin
from sklearn.utils.validation import check_is_fitted

from skaudio._batching import map_batches, numba_threads, torch_threads
from skaudio._kernels.filterbank import analysis_window, fft_frequencies, mel_filterbank, mel_frequencies
from skaudio._kernels.spectral import SparseFilterbank, check_power_range, power_to_db_inplace, stft_power
from skaudio._sklearn_compat import Interval, StrOptions, fit_context
from skaudio._validation import check_device, check_length, check_spectrograms, check_waveforms
from skaudio.features._output import ArrayOutputMixin, validate_features

__all__ = ["Spectrogram", "MelSpectrogram", "PowerToDb", "SpectrogramStandardizer"]

_DB_CONSTRAINTS = {
    "ref": [StrOptions({"max"}), Interval(Real, 0, None, closed="neither")],
    "amin": [Interval(Real, 0, None, closed="neither")],
    "top_db": [Interval(Real, 0, None, closed="left"), None],
}


class Spectrogram(ClassNamePrefixFeaturesOutMixin, ArrayOutputMixin, BaseEstimator):
    """Linear-frequency STFT magnitude or power of a batch of waveforms.

    Waveforms ``(n_clips, n_samples)`` become spectrograms
    ``(n_clips, n_fft // 2 + 1, n_frames)`` of float32, frequency before time,
    with the same definitions as ``librosa.stft`` followed by ``abs(.)**power``.

    Parameters
    ----------
    n_fft : int, default=2048
        FFT length.
    hop_length : int, default=None
        Samples between frames; ``n_fft // 4`` when None (librosa's default), at least 1.
    win_length : int, default=None
        Window length (at most ``n_fft``, zero-padded to it); ``n_fft`` when None.
    window : str, tuple or float, default="hann"
        Any window ``scipy.signal.get_window`` understands (periodic form).
    center : bool, default=True
        Pad ``n_fft // 2`` samples on both sides so frame ``t`` is centred on
        sample ``t * hop_length``.
    pad_mode : {"constant", "reflect", "edge", "wrap"}, default="constant"
        Padding used by ``center`` (librosa's default is zeros).
    power : float, default=2.0
        Exponent of the magnitude: 2 gives power, 1 magnitude.
    to_db : bool, default=False
        Convert to decibels per clip, as ``librosa.power_to_db`` (``power=2``)
        or ``librosa.amplitude_to_db`` (``power=1``) would.
    ref : "max" or float, default="max"
        dB reference: each clip's maximum (librosa's ``ref=np.max``) or a
        fixed value in the units of the spectrogram.
    amin : float, default=1e-10
        Floor on power before the logarithm.
    top_db : float or None, default=80.0
        Dynamic range kept below each clip's peak.
    sr : float, default=None
        Sampling rate; only used to label frequencies (``frequencies_``).
    backend : {"numba", "torch", "librosa"}, default="numba"
        ``"numba"``: the fast CPU path, fused numba kernels (window, FFT, power);
        ``"torch"``: the batched :class:`skaudio.nn.STFT` module (can run on a
        GPU via ``device``); ``"librosa"``: librosa clip by clip, the reference.
        All three agree to float32 precision.
    device : str, default="cpu"
        torch device for ``backend="torch"`` (``"cuda"``, ``"cuda:1"``, ``"mps"``).
        ``fit`` refuses a device that is absent here (``"cuda"`` without a GPU)
        and any device other than ``"cpu"`` with the CPU-only ``"numba"`` and
        ``"librosa"`` backends, rather than compute on the CPU.
    batch_size : int, default=64
        Clips processed at once; bounds memory.
    n_jobs : int, default=None
        Threads inside numba or torch (``"numba"``, ``"torch"`` backends) or,
        for ``"librosa"``, joblib workers over clips; -1 means all cores. None
        keeps numba's or torch's own thread setting (``NUMBA_NUM_THREADS`` or
        ``numba.set_num_threads``, ``torch.set_num_threads``; all cores unless
        set, and lowered by joblib inside its workers) and means one worker for
        librosa, as in joblib; one thread inside a task on a Dask worker. Why
        None is not 1 for threads: see :doc:`/design` ("n_jobs"). Under a
        cluster joblib backend (``joblib.parallel_config(backend="dask")``)
        every batch is a joblib task instead (see :doc:`/user_guide/scaling`).
    verbose : bool, default=False
        Show a progress bar over batches.

    Attributes
    ----------
    n_features_in_ : int
        Number of samples per clip seen in ``fit``.
    n_frames_ : int
        Frames per output spectrogram.
    frequencies_ : ndarray of shape (n_freqs,) or None
        Centre frequency of each output row in Hz (None when ``sr`` is None).

    Notes
    -----
    The output is 3-D, so ``set_output(transform="pandas")`` leaves it an
    ndarray (a pipeline that ends in a 2-D step still returns a DataFrame);
    ``get_feature_names_out`` names the frequency rows (axis 1):
    ``spectrogram0``, ``spectrogram1``, ... (``melspectrogram0``, ... for
    :class:`MelSpectrogram`).

    Examples
    --------
    >>> import numpy as np
    >>> from skaudio.features import Spectrogram
    >>> X = np.random.default_rng(0).standard_normal((2, 8000)).astype(np.float32)
    >>> Spectrogram(n_fft=512, hop_length=256).fit_transform(X).shape
    (2, 257, 32)
    """

    _parameter_constraints = {
        "n_fft": [Interval(Integral, 2, None, closed="left")],
        "hop_length": [Interval(Integral, 1, None, closed="left"), None],
        "win_length": [Interval(Integral, 1, None, closed="left"), None],
        "window": [str, tuple, Real],
        "center": ["boolean"],
        "pad_mode": [StrOptions({"constant", "reflect", "edge", "wrap"})],
        "power": [Interval(Real, 0, None, closed="neither")],
        "to_db": ["boolean"],
        **_DB_CONSTRAINTS,
        "sr": [Interval(Real, 0, None, closed="neither"), None],
        "backend": [StrOptions({"numba", "torch", "librosa"})],
        "device": [str],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        *,
        n_fft: int = 2048,
        hop_length: int | None = None,
        win_length: int | None = None,
        window: str | tuple | float = "hann",
        center: bool = True,
        pad_mode: str = "constant",
        power: float = 2.0,
        to_db: bool = False,
        ref: float | str = "max",
        amin: float = 1e-10,
        top_db: float | None = 80.0,
        sr: float | None = None,
        backend: str = "numba",
        device: str = "cpu",
        batch_size: int = 64,
        n_jobs: int | None = None,
        verbose: bool = False,
    ) -> None:
        self.n_fft = n_fft
        self.hop_length = hop_length
        self.win_length = win_length
        self.window = window
        self.center = center
        self.pad_mode = pad_mode
        self.power = power
        self.to_db = to_db
        self.ref = ref
        self.amin = amin
        self.top_db = top_db
        self.sr = sr
        self.backend = backend
        self.device = device
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.verbose = verbose

    # -- what differs between the linear and the mel transformer -------------
    def _filterbank(self):
        """Dense ``(n_bands, n_freqs)`` weights, or None for all STFT bins."""
        return None

    def _frequencies(self):
        if self.sr is None:
            return None
        return fft_frequencies(self.sr, self.n_fft)

    def _librosa_one(self, y):
        S = np.abs(librosa.stft(y, **self._stft_kwargs())) ** self.power
        return S

    # -- shared machinery -----------------------------------------------------
    def _hop(self):
        # at least 1: n_fft=2 or 3 would give a hop of 0 frames
        return self.hop_length if self.hop_length is not None else max(1, self.n_fft // 4)

    def _win_length(self):
        return self.win_length if self.win_length is not None else self.n_fft

    def _stft_kwargs(self):
        return dict(
            n_fft=self.n_fft,
            hop_length=self._hop(),
            win_length=self._win_length(),
            window=self.window,
            center=self.center,
            pad_mode=self.pad_mode,
        )

    def _validate(self, X, reset):
        # transform's fast path checks NaN/inf while it pads (one pass instead of two)
        checked_later = not reset and self.backend == "numba" and self.center and self.pad_mode == "constant"
        X_in, X = X, check_waveforms(X, finite=not checked_later, sr=self.sr)
        validate_features(self, X_in, X, reset=reset)
        check_length(X, self.n_fft)
        return X

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: ArrayLike, y: ArrayLike | None = None) -> Spectrogram:
        """Check parameters and input, and prepare the window and filterbank.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_samples)
            Float waveforms.
        y : ignored

        Returns
        -------
        self : object
        """
        if self._win_length() > self.n_fft:
            raise ValueError(f"win_length={self.win_length} must not exceed n_fft={self.n_fft}")
        if self.backend == "torch":
            check_device(self.device)
        elif str(self.device).split(":")[0] != "cpu":  # numba and librosa never leave the CPU
            raise ValueError(
                f"device={self.device!r} needs backend='torch'; the {self.backend!r} backend runs on "
                f"the CPU only. Pass {type(self).__name__}(backend='torch', device={self.device!r}) "
                "or leave device='cpu'."
            )
        if self.to_db and not np.isfinite(np.float32(20.0 / self.power)):  # the dB pass is float32
            raise ValueError(
                f"power={self.power!r} is too small for to_db=True: the dB factor 20 / power is infinite"
            )
        X = self._validate(X, reset=True)
        self.window_ = analysis_window(self.window, self._win_length(), self.n_fft).astype(np.float32)
        self._dense_fb = self._filterbank()
        self._sparse_fb = SparseFilterbank(self._dense_fb) if self._dense_fb is not None else None
        self._check_gains()
        pad = self.n_fft // 2 if self.center else 0
        self.n_frames_ = 1 + (X.shape[1] + 2 * pad - self.n_fft) // self._hop()
        self.frequencies_ = self._frequencies()
        self._module = self._build_module() if self.backend == "torch" else None
        return self

    def _check_gains(self):
        """Refuse a window, filterbank or power that overflows float32 even for audio in [-1, 1].

        Said here, naming the parameters: transform would blame the loudness of X.
        """
        fb = self._dense_fb
        if fb is not None and not np.isfinite(fb).all():
            raise ValueError(f"{self._gain_parameters()} give a filterbank with non-finite weights")
        try:
            check_power_range(1.0, self.window_, self.power, self._sparse_fb)
        except ValueError:
            raise ValueError(
                f"{self._gain_parameters()} overflow float32 even for waveforms in [-1, 1] (window "
                f"sum {float(np.abs(self.window_).sum()):.3g}"
                + ("" if fb is None else f", filterbank weights up to {float(np.abs(fb).max()):.3g}")
                + ")"
            ) from None

    def _gain_parameters(self):
        return f"window={self.window!r} with power={self.power!r}"

    def _build_module(self):
        import torch

        from skaudio.nn.frontends import STFT, Filterbank

        stft = STFT(
            self.n_fft, self._hop(), self._win_length(), self.window, self.center, self.pad_mode, self.power
        )
        fb = self._dense_fb
        module = stft if fb is None else torch.nn.Sequential(stft, Filterbank(fb))
        return module.to(self.device)

    def _torch_module(self):
        # built in fit; after unpickling (pickles hold no module) built per call, so that
        # transform never changes the estimator's state
        module = getattr(self, "_module", None)
        return module if module is not None else self._build_module()

    def _compute(self, X, n_threads=None):
        """Spectra (not yet in dB) of a validated batch.

        ``n_threads`` threads (None: the library default).
        """
        if self.backend == "numba":
            with numba_threads(n_threads):
                return stft_power(
                    X,
                    self.n_fft,
                    self._hop(),
                    self.window_,
                    self.center,
                    self.pad_mode,
                    self.power,
                    self._sparse_fb,
                )
        check_power_range(max(-X.min(), X.max()), self.window_, self.power, self._sparse_fb)
        if self.backend == "torch":
            import torch

            with torch_threads(n_threads), torch.inference_mode():
                x = torch.from_numpy(X).to(self.device)
                return self._torch_module()(x).float().cpu().numpy()
        from joblib import Parallel, delayed

        rows = Parallel(n_jobs=n_threads)(delayed(self._librosa_one)(y) for y in X)
        return np.stack(rows).astype(np.float32, copy=False)

    def transform(self, X: ArrayLike) -> NDArray[np.float32]:
        """Compute the spectrograms.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_samples)
            Float waveforms, as many samples per clip as in ``fit``.

        Returns
        -------
        S : ndarray of shape (n_clips, n_freqs, n_frames), float32
        """
        check_is_fitted(self, "window_")
        X = self._validate(X, reset=False)
        n_bands = self._sparse_fb.shape[0] if self._sparse_fb is not None else self.n_fft // 2 + 1
        out = np.empty((X.shape[0], n_bands, self.n_frames_), dtype=np.float32)
        for sl, part in map_batches(
            self._compute,
            X,
            self.batch_size,
            n_jobs=self.n_jobs,
            verbose=self.verbose,
            desc=type(self).__name__,
        ):
            out[sl] = part
        if self.to_db:
            power_to_db_inplace(out, self.ref, self.amin, self.top_db, 20.0 / self.power)
        return out

    @property
    def _n_features_out(self):
        # the frequency rows (axis 1) of the output, which get_feature_names_out names
        fb = self._dense_fb
        return len(self.window_) // 2 + 1 if fb is None else fb.shape[0]

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_module"] = None  # rebuilt on demand; keeps pickles device-free
        return state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags


class MelSpectrogram(Spectrogram):
    """(Log-)mel spectrogram of a batch of waveforms, librosa-compatible.

    Same parameters and meaning as ``librosa.feature.melspectrogram`` plus the
    dB conversion of ``librosa.power_to_db`` (per clip, ``ref=np.max`` by
    default), for a whole batch: ``(n_clips, n_samples)`` waveforms become
    ``(n_clips, n_mels, n_frames)`` float32 spectrograms.

    Parameters
    ----------
    sr : float
        Sampling rate of ``X`` in Hz. Required: it is never guessed.
    n_fft, hop_length, win_length, window, center, pad_mode, power
        As in :class:`Spectrogram`.
    n_mels : int, default=128
        Number of mel bands.
    fmin : float, default=0.0
        Lowest band edge in Hz.
    fmax : float, default=None
        Highest band edge in Hz; ``sr / 2`` when None.
    htk : bool, default=False
        HTK mel scale instead of Slaney's.
    norm : "slaney", float or None, default="slaney"
        Filter normalisation, as ``librosa.filters.mel``.
    to_db : bool, default=True
        Return log-mel in dB (the usual classifier input); False returns power.
    ref, amin, top_db, backend, device, batch_size, n_jobs, verbose
        As in :class:`Spectrogram`.

    Attributes
    ----------
    mel_basis_ : ndarray of shape (n_mels, n_fft // 2 + 1)
        The filterbank (``librosa.filters.mel``'s matrix, computed with numpy by the same
        definitions without importing librosa, and tested equal to it).
    frequencies_ : ndarray of shape (n_mels,)
        Centre frequency of each band in Hz.
    n_frames_, n_features_in_
        As in :class:`Spectrogram`.

    See Also
    --------
    librosa.feature.melspectrogram : the per-clip reference (``backend="librosa"``).

    References
    ----------
    .. [1] McFee et al., "librosa: Audio and music signal analysis in python", 2015.

    Examples
    --------
    >>> import numpy as np
    >>> from skaudio.features import MelSpectrogram
    >>> X = np.random.default_rng(0).standard_normal((3, 16000)).astype(np.float32)
    >>> mel = MelSpectrogram(sr=16000, n_fft=1024, hop_length=512, n_mels=64)
    >>> S = mel.fit_transform(X)
    >>> S.shape, S.dtype
    ((3, 64, 32), dtype('float32'))
    >>> bool(S.max() == 0.0)  # dB relative to each clip's maximum
    True
    """

    _parameter_constraints = {
        **Spectrogram._parameter_constraints,
        "sr": [Interval(Real, 0, None, closed="neither"), None],
        # 2**16 bands: more than the bins of any FFT up to n_fft=2**17 (n_mels=2**31 asked for 16 GiB)
        "n_mels": [Interval(Integral, 1, 2**16, closed="both")],
        "fmin": [Interval(Real, 0, None, closed="left")],
        "fmax": [Interval(Real, 0, None, closed="neither"), None],
        "htk": ["boolean"],
        "norm": [StrOptions({"slaney"}), Real, None],
    }

    def __init__(
        self,
        *,
        sr: float | None = None,
        n_fft: int = 2048,
        hop_length: int | None = None,
        win_length: int | None = None,
        window: str | tuple | float = "hann",
        center: bool = True,
        pad_mode: str = "constant",
        power: float = 2.0,
        n_mels: int = 128,
        fmin: float = 0.0,
        fmax: float | None = None,
        htk: bool = False,
        norm: str | float | None = "slaney",
        to_db: bool = True,
        ref: float | str = "max",
        amin: float = 1e-10,
        top_db: float | None = 80.0,
        backend: str = "numba",
        device: str = "cpu",
        batch_size: int = 64,
        n_jobs: int | None = None,
        verbose: bool = False,
    ) -> None:
        super().__init__(
            n_fft=n_fft,
            hop_length=hop_length,
            win_length=win_length,
            window=window,
            center=center,
            pad_mode=pad_mode,
            power=power,
            to_db=to_db,
            ref=ref,
            amin=amin,
            top_db=top_db,
            sr=sr,
            backend=backend,
            device=device,
            batch_size=batch_size,
            n_jobs=n_jobs,
            verbose=verbose,
        )
        self.n_mels = n_mels
        self.fmin = fmin
        self.fmax = fmax
        self.htk = htk
        self.norm = norm

    def fit(self, X: ArrayLike, y: ArrayLike | None = None) -> MelSpectrogram:
        """Check parameters and input and build the mel filterbank.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_samples)
            Float waveforms sampled at ``sr``.
        y : ignored

        Returns
        -------
        self : object
        """
        self._validate_params()
        if self.sr is None:
            raise ValueError("MelSpectrogram needs the sampling rate: pass sr=... (in Hz)")
        fmax = self.sr / 2 if self.fmax is None else self.fmax
        if not self.fmin < fmax <= self.sr / 2:
            raise ValueError(f"need fmin < fmax <= sr/2, got fmin={self.fmin}, fmax={fmax}, sr={self.sr}")
        super().fit(X, y)
        self.mel_basis_ = self._dense_fb
        return self

    def _filterbank(self):
        return mel_filterbank(
            sr=self.sr,
            n_fft=self.n_fft,
            n_mels=self.n_mels,
            fmin=self.fmin,
            fmax=self.fmax,
            htk=self.htk,
            norm=self.norm,
            dtype=np.float32,
        )

    def _gain_parameters(self):
        return (
            f"sr={self.sr!r}, fmin={self.fmin!r}, fmax={self.fmax!r}, norm={self.norm!r}, "
            f"window={self.window!r} and power={self.power!r}"
        )

    def _frequencies(self):
        fmax = self.sr / 2 if self.fmax is None else self.fmax
        return mel_frequencies(self.n_mels + 2, fmin=self.fmin, fmax=fmax, htk=self.htk)[1:-1]

    def _librosa_one(self, y):
        return librosa.feature.melspectrogram(
            y=y,
            sr=self.sr,
            power=self.power,
            n_mels=self.n_mels,
            fmin=self.fmin,
            fmax=self.fmax,
            htk=self.htk,
            norm=self.norm,
            **self._stft_kwargs(),
        )


class PowerToDb(OneToOneFeatureMixin, ArrayOutputMixin, BaseEstimator):
    """Convert power spectrograms to decibels, clip by clip (``librosa.power_to_db``).

    Parameters
    ----------
    ref : "max" or float, default="max"
        Reference power: each clip's maximum, or a fixed value.
    amin : float, default=1e-10
        Floor on power before the logarithm.
    top_db : float or None, default=80.0
        Dynamic range kept below each clip's peak.

    Examples
    --------
    >>> import numpy as np
    >>> from skaudio.features import PowerToDb
    >>> PowerToDb().fit_transform(np.array([[[1.0, 0.1, 0.0]]], dtype=np.float32))
    array([[[  0., -10., -80.]]], dtype=float32)
    """

    _parameter_constraints = dict(_DB_CONSTRAINTS)

    def __init__(self, *, ref: float | str = "max", amin: float = 1e-10, top_db: float | None = 80.0) -> None:
        self.ref = ref
        self.amin = amin
        self.top_db = top_db

    def _validate(self, S, reset):
        S_in, S = (
            S,
            check_spectrograms(
                S,
                name=type(self).__name__,
                ndim=(2, 3),
                nonnegative=True,
                fix="PowerToDb expects power values (e.g. MelSpectrogram(to_db=False)).",
            ),
        )
        validate_features(self, S_in, S, reset=reset)
        return S

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, S: ArrayLike, y: ArrayLike | None = None) -> PowerToDb:
        """Check parameters and input.

        Parameters
        ----------
        S : array-like of shape (n_clips, n_freqs, n_frames) or (n_clips, n_features)
            Non-negative power values.
        y : ignored

        Returns
        -------
        self : object
        """
        self._validate(S, reset=True)
        return self

    def transform(self, S: ArrayLike) -> NDArray[np.float32]:
        """Return ``S`` in dB, a new float32 array (``S`` is left untouched)."""
        check_is_fitted(self, "n_features_in_")
        S = self._validate(S, reset=False).copy()
        return power_to_db_inplace(S, self.ref, self.amin, self.top_db)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = True
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags


class SpectrogramStandardizer(OneToOneFeatureMixin, ArrayOutputMixin, BaseEstimator):
    """Standardise each spectrogram by its own mean and spread.

    ``(S - mean(S)) / (std(S) + eps)`` with the statistics of each clip over
    all its values, as in the [NMF] front end. Nothing is learned in ``fit``.

    Parameters
    ----------
    eps : float, default=1e-6
        Added to the standard deviation so a constant map gives zeros.

    References
    ----------
    .. [1] Dwivedi, "Interpretation of representations of audio signals in hidden
       layers of a neural network using NMF", 2024.

    Examples
    --------
    >>> import numpy as np
    >>> from skaudio.features import SpectrogramStandardizer
    >>> S = np.arange(8, dtype=np.float32).reshape(1, 2, 4)
    >>> Z = SpectrogramStandardizer().fit_transform(S)
    >>> round(float(Z.mean()), 6), round(float(Z.std()), 4)
    (0.0, 1.0)
    """

    _parameter_constraints = {"eps": [Interval(Real, 0, None, closed="left")]}

    def __init__(self, *, eps: float = 1e-6) -> None:
        self.eps = eps

    def _validate(self, S, reset):
        S_in, S = S, check_spectrograms(S, ndim=(2, 3))
        validate_features(self, S_in, S, reset=reset)
        return S

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, S: ArrayLike, y: ArrayLike | None = None) -> SpectrogramStandardizer:
        """Check parameters and input.

        Parameters
        ----------
        S : array-like of shape (n_clips, n_freqs, n_frames) or (n_clips, n_features)
        y : ignored

        Returns
        -------
        self : object
        """
        self._validate(S, reset=True)
        return self

    def transform(self, S: ArrayLike) -> NDArray[np.float32]:
        """Return the standardised spectrograms as a new float32 array."""
        check_is_fitted(self, "n_features_in_")
        S = self._validate(S, reset=False)
        axes = tuple(range(1, S.ndim))
        mean = S.mean(axis=axes, keepdims=True, dtype=np.float64)
        scale = S.std(axis=axes, keepdims=True, dtype=np.float64) + self.eps
        scale[scale == 0] = 1.0  # a constant map with eps=0: zeros, as with any eps (not 0 / 0)
        return ((S - mean) / scale).astype(np.float32)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags
