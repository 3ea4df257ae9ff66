"""Classic audio descriptors as batched transformers: MFCC, deltas, chroma, spectral shape, HPSS.

Each transformer equals the librosa function of the same name on every clip of
a batch (``tests/features/test_descriptors.py`` checks it on real ESC-10 clips
and on synthetic signals). MFCC and chroma read the spectra of skaudio's fused
numba STFT (:class:`~skaudio.features.MelSpectrogram`,
:class:`~skaudio.features.Spectrogram`); the spectral descriptors share one
librosa STFT per clip, whose float64 precision their quiet high bands need.
What follows the spectra is one vectorised call over the batch (a matrix
product, ``scipy.ndimage``, ``scipy.signal`` or librosa's own functions, which
accept ``(n_clips, ...)`` arrays), except where librosa's result on a batch is
not its per-clip result (chroma's tuning estimate, spectral contrast's dB
floor), which run clip by clip. Frame-wise outputs ``(n_clips, n_rows,
n_frames)`` can be summarised over time (``stats=("mean", "std")``) into 2-D
feature tables for classic estimators, named by ``get_feature_names_out``.
"""

from __future__ import annotations

import math
from numbers import Integral, Real
from typing import TYPE_CHECKING

import numpy as np
import scipy.fft
import scipy.ndimage as ndi
from numpy.typing import ArrayLike, NDArray
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from skaudio._batching import map_batches
from skaudio._kernels.spectral import power_to_db_inplace
from skaudio._sklearn_compat import Interval, StrOptions, check_feature_names_in, fit_context
from skaudio._validation import check_length, check_waveforms, freq_time_pair
from skaudio.features._output import ArrayOutputMixin, validate_features
from skaudio.features.image._common import MAX_KERNEL_RADIUS, validated_batch
from skaudio.features.spectrogram import MelSpectrogram, Spectrogram

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["MFCC", "Deltas", "Chroma", "SpectralDescriptors", "HPSS", "STATISTICS", "SPECTRAL_DESCRIPTORS"]

#: Statistics over time that ``stats=`` accepts, in the order they are listed.
STATISTICS = ("mean", "std", "min", "max", "median")
#: The descriptors of :class:`SpectralDescriptors`, in output order.
SPECTRAL_DESCRIPTORS = ("centroid", "bandwidth", "rolloff", "flatness", "contrast", "zcr", "rms")

_STAT_FUNCS = {"mean": np.mean, "std": np.std, "min": np.min, "max": np.max, "median": np.median}

# librosa.feature's defaults: hop_length=512 whatever n_fft is (not n_fft // 4 as librosa.stft)
_STFT_CONSTRAINTS = {
    "n_fft": [Interval(Integral, 2, None, closed="left")],
    "hop_length": [Interval(Integral, 1, None, closed="left")],
    "win_length": [Interval(Integral, 1, None, closed="left"), None],
    "window": [str, tuple, Real],
    "center": ["boolean"],
    "pad_mode": [StrOptions({"constant", "reflect", "edge", "wrap"})],
}
_RUN_CONSTRAINTS = {
    "stats": [tuple, list, None],
    "batch_size": [Interval(Integral, 1, None, closed="left")],
    "n_jobs": [Integral, None],
    "verbose": ["verbose"],
}


def _check_stats(stats):
    """``stats`` as a tuple of names from :data:`STATISTICS` (None: frame-wise output)."""
    if stats is None:
        return None
    stats = tuple(stats)
    bad = [s for s in stats if not isinstance(s, str) or s not in _STAT_FUNCS]
    if not stats or bad or len(set(stats)) != len(stats):
        raise ValueError(
            f"stats must be None or a non-empty sequence of distinct names among {list(STATISTICS)}, "
            f"got {stats!r}"
        )
    return stats


def summarise(F, stats):
    """``(n_clips, n_rows, n_frames)`` frames to ``(n_clips, n_rows * len(stats))`` statistics.

    Columns run row by row, each row's statistics in the order of ``stats``
    (``row0_mean, row0_std, row1_mean, ...``); computed in float64, returned
    as float32.
    """
    x = F.astype(np.float64, copy=False)
    out = np.stack([_STAT_FUNCS[s](x, axis=2) for s in stats], axis=2)
    return out.reshape(len(F), -1).astype(np.float32)


def _names(rows, stats):
    if stats is None:
        return np.asarray(rows, dtype=object)
    return np.asarray([f"{r}_{s}" for r in rows for s in stats], dtype=object)


class _FeaturesOut:
    """``get_feature_names_out`` from the ``feature_names_out_`` fixed in ``fit``."""

    def get_feature_names_out(self, input_features: ArrayLike | None = None) -> NDArray[np.object_]:
        """Names of the output columns (2-D output) or rows (axis 1 of 3-D output).

        Parameters
        ----------
        input_features : array-like of str, default=None
            Only checked against the input seen in ``fit`` (its length, and
            ``feature_names_in_`` when fitted on a DataFrame).

        Returns
        -------
        names : ndarray of str objects
        """
        check_is_fitted(self, "feature_names_out_")
        check_feature_names_in(self, input_features, generate_names=False)
        return self.feature_names_out_.copy()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags


class _WaveformDescriptor(_FeaturesOut, ArrayOutputMixin, BaseEstimator):
    """Shared machinery of the descriptors computed from waveforms through one STFT per batch."""

    #: where ``n_jobs`` parallelism lives (see ``map_batches``): inside the numba STFT
    _threads = "inner"

    _parameter_constraints = {
        "sr": [Interval(Real, 0, None, closed="neither"), None],
        **_STFT_CONSTRAINTS,
        **_RUN_CONSTRAINTS,
    }

    def _stft_params(self):
        return dict(
            n_fft=self.n_fft,
            hop_length=self.hop_length,
            win_length=self.win_length,
            window=self.window,
            center=self.center,
            pad_mode=self.pad_mode,
        )

    def _check_sr(self):
        if self.sr is None:
            raise ValueError(f"{type(self).__name__} needs the sampling rate: pass sr=... (in Hz)")

    def _validate_waveforms(self, X, reset):
        X_in, X = X, check_waveforms(X, sr=self.sr)
        validate_features(self, X_in, X, reset=reset)
        check_length(X, self.n_fft)
        return X

    def _fit_frontend(self, X, frontend):
        """Fit ``frontend`` (the inner spectrogram step) on ``X`` and record the frame count."""
        if self.win_length is not None and self.win_length > self.n_fft:
            raise ValueError(f"win_length={self.win_length} must not exceed n_fft={self.n_fft}")
        self._stats = _check_stats(self.stats)
        self.frontend_ = frontend.fit(X[:1])
        self.n_frames_ = self.frontend_.n_frames_

    def _run(self, X, n_rows):
        """Frames (or their statistics) of a validated batch, batch by batch."""
        stats = self._stats
        shape = (len(X), n_rows, self.n_frames_) if stats is None else (len(X), n_rows * len(stats))
        out = np.empty(shape, dtype=np.float32)
        name = type(self).__name__
        runs = map_batches(
            self._frames,
            X,
            self.batch_size,
            n_jobs=self.n_jobs,
            threads=self._threads,
            verbose=self.verbose,
            desc=name,
        )
        for sl, part in runs:
            out[sl] = part if stats is None else summarise(part, stats)
        return out


class MFCC(_WaveformDescriptor):
    """Mel-frequency cepstral coefficients of waveforms or log-mel spectrograms.

    The DCT (type II, orthonormal by default) over the mel bands of a log-mel
    spectrogram, keeping the first ``n_mfcc`` coefficients, optionally
    liftered, as ``librosa.feature.mfcc``. Waveforms ``(n_clips, n_samples)``
    first go through :class:`~skaudio.features.MelSpectrogram` (the fused numba
    STFT and mel projection) and ``librosa.power_to_db`` with ``ref=1.0``
    (librosa's default here, not the per-clip maximum); a log-mel batch
    ``(n_clips, n_mels, n_frames)`` in dB, e.g. from ``MelSpectrogram``, is
    used as it is. The DCT of the whole batch is one matrix product with the
    first ``n_mfcc`` rows of the DCT matrix.

    Parameters
    ----------
    sr : float, default=None
        Sampling rate of waveform input in Hz; required for waveforms (never
        guessed), unused for log-mel input.
    n_mfcc : int, default=20
        Coefficients kept (at most ``n_mels``).
    dct_type : {1, 2, 3}, default=2
        DCT type, as ``scipy.fft.dct``.
    norm : {"ortho"} or None, default="ortho"
        DCT normalisation.
    lifter : float, default=0
        Cepstral liftering: coefficient ``k`` is multiplied by
        ``1 + (lifter / 2) * sin(pi * (k + 1) / lifter)``; 0 disables it.
    n_fft : int, default=2048
    hop_length : int, default=512
        librosa.feature's default (not ``n_fft // 4``).
    win_length, window, center, pad_mode, power
        As in :class:`~skaudio.features.MelSpectrogram`.
    n_mels : int, default=128
    fmin : float, default=0.0
    fmax : float, default=None
    htk : bool, default=False
    mel_norm : "slaney", float or None, default="slaney"
        The mel filters' normalisation (``MelSpectrogram(norm=...)``).
    ref : "max" or float, default=1.0
        dB reference of the waveform path (librosa.feature.mfcc uses 1.0).
    amin : float, default=1e-10
    top_db : float or None, default=80.0
        As ``librosa.power_to_db``; waveform path only.
    stats : sequence of str, default=None
        None returns the coefficients frame by frame, ``(n_clips, n_mfcc,
        n_frames)``; names among :data:`STATISTICS` (e.g. ``("mean", "std")``)
        summarise each coefficient over time into a 2-D ``(n_clips, n_mfcc *
        len(stats))`` table.
    batch_size : int, default=64
        Clips processed at once; bounds memory.
    n_jobs : int, default=None
        Threads of the numba STFT, as in :class:`~skaudio.features.Spectrogram`.
    verbose : bool, default=False
        Progress bar over batches.

    Attributes
    ----------
    input_ : {"waveform", "log_mel"}
        What ``fit`` saw: 2-D input is waveforms, 3-D input log-mel spectrograms.
    frontend_ : MelSpectrogram or None
        The fitted log-mel step of the waveform path.
    dct_basis_ : ndarray of shape (n_mfcc, n_mels), float32
        The rows of the DCT matrix (lifter included) applied to each frame.
    n_frames_ : int
        Frames per clip.
    n_features_in_ : int
        Samples per clip (waveforms) or mel bands (log-mel).
    feature_names_out_ : ndarray of str
        ``mfcc0, mfcc1, ...`` (``mfcc0_mean, mfcc0_std, ...`` with ``stats``).

    See Also
    --------
    skaudio.features.Deltas : their first and second time derivatives.
    skaudio.features.MelSpectrogram : the log-mel step of the waveform path.

    References
    ----------
    .. [1] Davis & Mermelstein, "Comparison of parametric representations for
       monosyllabic word recognition in continuously spoken sentences",
       IEEE TASSP 28(4), 1980.
    .. [2] McFee et al., "librosa: Audio and music signal analysis in python", 2015.

    Examples
    --------
    >>> import numpy as np
    >>> import librosa
    >>> from skaudio.features import MFCC
    >>> X = np.random.default_rng(0).standard_normal((3, 22050)).astype(np.float32)
    >>> M = MFCC(sr=22050, n_mfcc=13).fit_transform(X)
    >>> M.shape
    (3, 13, 44)
    >>> ref = librosa.feature.mfcc(y=X[1], sr=22050, n_mfcc=13)
    >>> bool(np.allclose(M[1], ref, atol=1e-2))
    True
    >>> MFCC(sr=22050, n_mfcc=2, stats=("mean", "std")).fit(X).get_feature_names_out().tolist()
    ['mfcc0_mean', 'mfcc0_std', 'mfcc1_mean', 'mfcc1_std']
    """

    _parameter_constraints = {
        **_WaveformDescriptor._parameter_constraints,
        "n_mfcc": [Interval(Integral, 1, None, closed="left")],
        "dct_type": [StrOptions({"1", "2", "3"}), Interval(Integral, 1, 3, closed="both")],
        "norm": [StrOptions({"ortho"}), None],
        "lifter": [Interval(Real, 0, None, closed="left")],
        "power": [Interval(Real, 0, None, closed="neither")],
        "n_mels": [Interval(Integral, 1, None, closed="left")],
        "fmin": [Interval(Real, 0, None, closed="left")],
        "fmax": [Interval(Real, 0, None, closed="neither"), None],
        "htk": ["boolean"],
        # a p-norm order: any real but NaN, which librosa would turn into NaN filters silently
        "mel_norm": [StrOptions({"slaney"}), Interval(Real, None, None, closed="neither"), None],
        "ref": [StrOptions({"max"}), Interval(Real, 0, None, closed="neither")],
        "amin": [Interval(Real, 0, None, closed="neither")],
        "top_db": [Interval(Real, 0, None, closed="left"), None],
    }

    def __init__(
        self,
        *,
        sr: float | None = None,
        n_mfcc: int = 20,
        dct_type: int = 2,
        norm: str | None = "ortho",
        lifter: float = 0,
        n_fft: int = 2048,
        hop_length: int = 512,
        win_length: int | None = None,
        window: str | tuple | float = "hann",
        center: bool = True,
        pad_mode: str = "constant",
        power: float = 2.0,
        n_mels: int = 128,
        fmin: float = 0.0,
        fmax: float | None = None,
        htk: bool = False,
        mel_norm: str | float | None = "slaney",
        ref: float | str = 1.0,
        amin: float = 1e-10,
        top_db: float | None = 80.0,
        stats: tuple[str, ...] | None = None,
        batch_size: int = 64,
        n_jobs: int | None = None,
        verbose: bool = False,
    ) -> None:
        self.sr = sr
        self.n_mfcc = n_mfcc
        self.dct_type = dct_type
        self.norm = norm
        self.lifter = lifter
        self.n_fft = n_fft
        self.hop_length = hop_length
        self.win_length = win_length
        self.window = window
        self.center = center
        self.pad_mode = pad_mode
        self.power = power
        self.n_mels = n_mels
        self.fmin = fmin
        self.fmax = fmax
        self.htk = htk
        self.mel_norm = mel_norm
        self.ref = ref
        self.amin = amin
        self.top_db = top_db
        self.stats = stats
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.verbose = verbose

    def _dct_basis(self, n_mels):
        if self.n_mfcc > n_mels:
            raise ValueError(f"n_mfcc={self.n_mfcc} must not exceed the number of mel bands ({n_mels})")
        basis = scipy.fft.dct(np.eye(n_mels), type=int(self.dct_type), norm=self.norm, axis=0)[: self.n_mfcc]
        if self.lifter > 0:
            k = np.arange(1, self.n_mfcc + 1)
            basis = basis * (1 + (self.lifter / 2) * np.sin(np.pi * k / self.lifter))[:, None]
        return basis.astype(np.float32)

    def _validate(self, X, reset):
        try:  # 2-D: waveforms, 3-D: log-mels; anything else is explained by the waveform checks
            ndim = np.asarray(X).ndim if not isinstance(X, (str, bytes)) else 0
        except Exception:
            ndim = 2
        if reset:
            self.input_ = "log_mel" if ndim == 3 else "waveform"
        if self.input_ == "log_mel":
            if ndim != 3:
                raise ValueError(
                    f"S must be 3-D (n_clips, n_mels, n_frames) like the log-mel batch seen in fit, got "
                    f"{ndim}-D input"
                )
            S, _ = validated_batch(self, X, reset=reset, name="S")
            return S
        return self._validate_waveforms(X, reset)

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: ArrayLike, y: ArrayLike | None = None) -> MFCC:
        """Check parameters and input, build the log-mel step (waveforms) and the DCT basis.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_samples) or (n_clips, n_mels, n_frames)
            Float waveforms sampled at ``sr``, or log-mel spectrograms in dB.
        y : ignored

        Returns
        -------
        self : object
        """
        X = self._validate(X, reset=True)
        self._stats = _check_stats(self.stats)
        if self.input_ == "waveform":
            self._check_sr()
            mel = MelSpectrogram(
                sr=self.sr,
                n_mels=self.n_mels,
                fmin=self.fmin,
                fmax=self.fmax,
                htk=self.htk,
                norm=self.mel_norm,
                power=self.power,
                to_db=False,
                **self._stft_params(),
            )
            self.dct_basis_ = self._dct_basis(self.n_mels)
            self._fit_frontend(X, mel)
        else:
            self.dct_basis_ = self._dct_basis(X.shape[1])
            self.frontend_ = None
            self.n_frames_ = X.shape[2]
        rows = [f"mfcc{k}" for k in range(self.n_mfcc)]
        self.feature_names_out_ = _names(rows, self._stats)
        return self

    def _cepstra(self, S):
        # (n_mfcc, n_mels) @ (n_clips, n_mels, n_frames): one batched product over the clips
        return np.matmul(self.dct_basis_, S)

    def _frames(self, X, n_threads):
        S = self.frontend_._compute(X, n_threads)
        power_to_db_inplace(S, self.ref, self.amin, self.top_db, 10.0)
        return self._cepstra(S)

    def transform(self, X: ArrayLike) -> NDArray[np.float32] | pd.DataFrame:
        """Compute the coefficients.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_samples) or (n_clips, n_mels, n_frames)
            The kind of input seen in ``fit``.

        Returns
        -------
        M : ndarray of shape (n_clips, n_mfcc, n_frames) or (n_clips, n_mfcc * len(stats)), float32
        """
        check_is_fitted(self, "dct_basis_")
        X = self._validate(X, reset=False)
        if self.input_ == "waveform":
            return self._run(X, self.n_mfcc)
        M = self._cepstra(X)
        return M if self._stats is None else summarise(M, self._stats)


class Chroma(_WaveformDescriptor):
    """Chromagram from the power STFT of each clip, as ``librosa.feature.chroma_stft``.

    The power spectrogram (fused numba STFT) is projected on librosa's chroma
    filterbank (``librosa.filters.chroma``) and each frame normalised
    (``librosa.util.normalize``, max-norm by default). With ``tuning=None`` the
    tuning of every clip is estimated from its own spectrogram by
    ``librosa.estimate_tuning`` (parabolic-interpolation pitch tracking), as
    ``librosa.feature.chroma_stft`` does for one clip; librosa's batched call
    would estimate one tuning for the whole batch, which differs from calling
    it clip by clip. The estimate reads only the rows below 4000 Hz that
    ``librosa.piptrack`` keeps (with each frame's peak over all rows for its
    threshold), which gives librosa's tuning exactly at a fraction of the
    cost. Clips of equal tuning share one filterbank product.
    On a clip that is silent but for a click, the estimate depends on the FFT
    rounding noise of the silent frames and may differ from librosa's; pass
    ``tuning`` when the clips have no pitch to measure.

    Parameters
    ----------
    sr : float
        Sampling rate in Hz (required).
    n_chroma : int, default=12
        Chroma bins per octave.
    tuning : float or None, default=None
        Deviation from A440 in fractions of a chroma bin; None estimates it per clip.
    norm : float or None, default=inf
        Frame normalisation (``np.inf`` max-norm, 1, 2, ...; None for none).
    n_fft : int, default=2048
    hop_length : int, default=512
    win_length, window, center, pad_mode
        As in :class:`~skaudio.features.Spectrogram`.
    stats, batch_size, n_jobs, verbose
        As in :class:`MFCC`.

    Attributes
    ----------
    frontend_ : Spectrogram
        The fitted power-spectrogram step.
    n_frames_, n_features_in_
        As in :class:`MFCC`.
    feature_names_out_ : ndarray of str
        ``chroma0, chroma1, ...`` (with ``stats``: ``chroma0_mean, ...``).

    References
    ----------
    .. [1] Ellis, "Chroma feature analysis and synthesis", 2007,
       https://www.ee.columbia.edu/~dpwe/resources/matlab/chroma-ansyn/
    .. [2] McFee et al., "librosa: Audio and music signal analysis in python", 2015.

    Examples
    --------
    >>> import numpy as np
    >>> import librosa
    >>> from skaudio.features import Chroma
    >>> t = np.arange(22050) / 22050
    >>> X = np.stack([np.sin(2 * np.pi * 440 * t), np.sin(2 * np.pi * 262 * t)]).astype(np.float32)
    >>> C = Chroma(sr=22050).fit_transform(X)
    >>> C.shape, int(C[0].mean(axis=1).argmax()), int(C[1].mean(axis=1).argmax())  # A and C
    ((2, 12, 44), 9, 0)
    >>> bool(np.allclose(C[1], librosa.feature.chroma_stft(y=X[1], sr=22050), atol=1e-4))
    True
    """

    _parameter_constraints = {
        **_WaveformDescriptor._parameter_constraints,
        # 2**16 bins per octave is far beyond any tuning resolution; 2**31 asked for a 1 TiB filterbank
        "n_chroma": [Interval(Integral, 1, 2**16, closed="both")],
        "tuning": [Interval(Real, -0.5, 0.5, closed="both"), None],
        "norm": [Interval(Real, 0, None, closed="right"), None],
    }

    def __init__(
        self,
        *,
        sr: float | None = None,
        n_chroma: int = 12,
        tuning: float | None = None,
        norm: float | None = np.inf,
        n_fft: int = 2048,
        hop_length: int = 512,
        win_length: int | None = None,
        window: str | tuple | float = "hann",
        center: bool = True,
        pad_mode: str = "constant",
        stats: tuple[str, ...] | None = None,
        batch_size: int = 64,
        n_jobs: int | None = None,
        verbose: bool = False,
    ) -> None:
        self.sr = sr
        self.n_chroma = n_chroma
        self.tuning = tuning
        self.norm = norm
        self.n_fft = n_fft
        self.hop_length = hop_length
        self.win_length = win_length
        self.window = window
        self.center = center
        self.pad_mode = pad_mode
        self.stats = stats
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.verbose = verbose

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: ArrayLike, y: ArrayLike | None = None) -> Chroma:
        """Check parameters and input and build the power-spectrogram step.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_samples)
            Float waveforms sampled at ``sr``.
        y : ignored

        Returns
        -------
        self : object
        """
        self._check_sr()
        X = self._validate_waveforms(X, reset=True)
        self._fit_frontend(X, Spectrogram(power=2.0, **self._stft_params()))
        self._filterbanks = {}
        # librosa's chroma filters take log2 of the bin frequencies: a sampling rate near the
        # float64 maximum (1.8e308) makes them NaN, which would reach every output silently
        if not np.isfinite(self._filterbank(0.0 if self.tuning is None else self.tuning)).all():
            raise ValueError(
                f"sr={self.sr!r} with n_fft={self.n_fft} gives a non-finite chroma filterbank; "
                "pass the clips' real sampling rate"
            )
        self.feature_names_out_ = _names([f"chroma{k}" for k in range(self.n_chroma)], self._stats)
        return self

    def _filterbank(self, tuning):
        import librosa

        fb = self.__dict__.setdefault("_filterbanks", {}).get(tuning)
        if fb is None:
            fb = librosa.filters.chroma(sr=self.sr, n_fft=self.n_fft, tuning=tuning, n_chroma=self.n_chroma)
            self._filterbanks[tuning] = fb = fb.astype(np.float32)
        return fb

    def _tunings(self, S):
        """``librosa.estimate_tuning`` of every clip, called as ``librosa.feature.chroma_stft`` calls it."""
        import librosa

        # estimate_tuning's pitch tracker (librosa.piptrack) keeps peaks below its fmax=4000 Hz
        # and reads each bin's neighbours only; the bins above do not change its result but were
        # 80 % of its work at 44.1 kHz. It gets the rows up to 3 bins past 4000 Hz, with the
        # sampling rate that keeps their frequencies (the row count sets its n_fft) and each
        # frame's peak over all rows for its 0.1 * peak threshold. Clip by clip: on a batch
        # librosa would return one tuning for all clips.
        df = self.sr / self.n_fft
        rows = int(np.ceil(4000.0 / df)) + 3
        if rows >= S.shape[1]:
            rows, sr = S.shape[1], self.sr
        else:
            sr = df * 2 * (rows - 1)
        out = np.empty(len(S))
        for i, s in enumerate(S):
            peak = s.max(axis=0)
            out[i] = librosa.estimate_tuning(
                S=s[:rows], sr=sr, bins_per_octave=self.n_chroma, ref=lambda _S, axis, p=peak: p
            )
        return out

    def _frames(self, X, n_threads):
        import librosa

        S = self.frontend_._compute(X, n_threads)
        tunings = self._tunings(S) if self.tuning is None else np.full(len(S), float(self.tuning))
        raw = np.empty((len(S), self.n_chroma, S.shape[2]), dtype=np.float32)
        for tuning in np.unique(tunings):
            same = tunings == tuning
            raw[same] = np.matmul(self._filterbank(float(tuning)), S[same])
        return librosa.util.normalize(raw, norm=self.norm, axis=-2)

    def transform(self, X: ArrayLike) -> NDArray[np.float32] | pd.DataFrame:
        """Compute the chromagrams.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_samples)
            Float waveforms, as many samples per clip as in ``fit``.

        Returns
        -------
        C : ndarray of shape (n_clips, n_chroma, n_frames) or (n_clips, n_chroma * len(stats)), float32
        """
        check_is_fitted(self, "frontend_")
        X = self._validate_waveforms(X, reset=False)
        return self._run(X, self.n_chroma)

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_filterbanks", None)  # a cache, rebuilt on demand
        return state


class SpectralDescriptors(_WaveformDescriptor):
    """Spectral shape and energy descriptors of each clip, one column group per descriptor.

    Frame by frame, as the librosa.feature functions of the same name compute them
    from the magnitude STFT (for ``zcr`` and ``rms``: from the framed waveform):

    - ``centroid``: ``spectral_centroid``, the magnitude-weighted mean frequency (Hz);
    - ``bandwidth``: ``spectral_bandwidth`` (``p=2``), the weighted spread around it (Hz);
    - ``rolloff``: ``spectral_rolloff``, the frequency below which ``roll_percent``
      of the magnitude lies (Hz);
    - ``flatness``: ``spectral_flatness``, geometric over arithmetic mean of the power;
    - ``contrast``: ``spectral_contrast``, peak minus valley level (dB) in
      ``n_bands + 1`` octave bands from ``contrast_fmin``;
    - ``zcr``: ``zero_crossing_rate``, the share of sign changes per frame;
    - ``rms``: ``rms``, the root mean square of each frame of samples.

    The magnitude STFT of a batch is computed once (``librosa.stft`` on the
    whole batch) and shared by the five spectral descriptors, which librosa's
    batched functions then evaluate on the whole batch (spectral contrast clip
    by clip, whose dB floor librosa sets from the peak of its whole input). By default each descriptor
    row is summarised over time by its mean and standard deviation, giving a
    2-D table ``(n_clips, n_columns)`` for classic estimators;
    ``stats=None`` returns the frames ``(n_clips, n_rows, n_frames)``.

    Parameters
    ----------
    sr : float
        Sampling rate in Hz (required).
    descriptors : sequence of str, default=all seven
        Which descriptors, among :data:`SPECTRAL_DESCRIPTORS`; the output
        keeps the order of :data:`SPECTRAL_DESCRIPTORS`.
    stats : sequence of str or None, default=("mean", "std")
        Statistics over time among :data:`STATISTICS`; None for frames.
    n_fft : int, default=2048
        FFT length, and the frame length of ``zcr`` and ``rms``.
    hop_length : int, default=512
    win_length, window, center, pad_mode
        As in :class:`~skaudio.features.Spectrogram` (``pad_mode`` also pads
        the ``rms`` frames; librosa pads ``zcr`` frames by edge values).
    roll_percent : float, default=0.85
        Roll-off energy share.
    contrast_fmin : float, default=200.0
        Upper edge of the lowest contrast band in Hz.
    n_bands : int, default=6
        Contrast octave bands (the output has ``n_bands + 1`` contrast rows).
    quantile : float, default=0.02
        Share of each band's bins defining its peak and valley.
    batch_size : int, default=1
        Clips processed at once. One at a time is fastest: the temporaries of
        librosa's descriptor functions then stay in cache (8 clips of 5 s at
        44.1 kHz: 0.15 s one by one, 0.29 s in batches of 16).
    n_jobs, verbose
        As in :class:`MFCC`; ``n_jobs`` threads compute batches side by side
        (numpy's FFT and librosa's array code release the GIL).

    Attributes
    ----------
    rows_ : ndarray of str
        Names of the frame-wise rows: ``centroid, bandwidth, rolloff,
        flatness, contrast0, ..., zcr, rms`` (those selected).
    feature_names_out_ : ndarray of str
        ``rows_`` with each statistic appended (``centroid_mean, centroid_std, ...``).
    n_frames_, n_features_in_
        As in :class:`MFCC`.

    References
    ----------
    .. [1] Peeters, "A large set of audio features for sound description
       (similarity and classification) in the CUIDADO project", IRCAM, 2004.
    .. [2] Jiang et al., "Music type classification by spectral contrast
       feature", IEEE ICME 2002.
    .. [3] McFee et al., "librosa: Audio and music signal analysis in python", 2015.

    Examples
    --------
    >>> import numpy as np
    >>> import librosa
    >>> from skaudio.features import SpectralDescriptors
    >>> X = np.random.default_rng(0).standard_normal((4, 22050)).astype(np.float32)
    >>> sd = SpectralDescriptors(sr=22050, descriptors=("centroid", "rms")).fit(X)
    >>> sd.get_feature_names_out().tolist()
    ['centroid_mean', 'centroid_std', 'rms_mean', 'rms_std']
    >>> F = sd.transform(X)
    >>> ref = librosa.feature.spectral_centroid(y=X[2], sr=22050).mean()
    >>> F.shape, bool(np.isclose(F[2, 0], ref, rtol=1e-4))
    ((4, 4), True)
    """

    _threads = "outer"  # librosa and numpy run single-threaded: batches side by side

    _parameter_constraints = {
        **_WaveformDescriptor._parameter_constraints,
        "descriptors": [tuple, list],
        "roll_percent": [Interval(Real, 0, 1, closed="neither")],
        "contrast_fmin": [Interval(Real, 0, None, closed="neither")],
        "n_bands": [Interval(Integral, 1, None, closed="left")],
        "quantile": [Interval(Real, 0, 1, closed="neither")],
    }

    def __init__(
        self,
        *,
        sr: float | None = None,
        descriptors: tuple[str, ...] = SPECTRAL_DESCRIPTORS,
        stats: tuple[str, ...] | None = ("mean", "std"),
        n_fft: int = 2048,
        hop_length: int = 512,
        win_length: int | None = None,
        window: str | tuple | float = "hann",
        center: bool = True,
        pad_mode: str = "constant",
        roll_percent: float = 0.85,
        contrast_fmin: float = 200.0,
        n_bands: int = 6,
        quantile: float = 0.02,
        batch_size: int = 1,
        n_jobs: int | None = None,
        verbose: bool = False,
    ) -> None:
        self.sr = sr
        self.descriptors = descriptors
        self.stats = stats
        self.n_fft = n_fft
        self.hop_length = hop_length
        self.win_length = win_length
        self.window = window
        self.center = center
        self.pad_mode = pad_mode
        self.roll_percent = roll_percent
        self.contrast_fmin = contrast_fmin
        self.n_bands = n_bands
        self.quantile = quantile
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.verbose = verbose

    def _selected(self):
        chosen = tuple(self.descriptors)
        bad = [d for d in chosen if d not in SPECTRAL_DESCRIPTORS]
        if not chosen or bad or len(set(chosen)) != len(chosen):
            raise ValueError(
                f"descriptors must be a non-empty sequence of distinct names among "
                f"{list(SPECTRAL_DESCRIPTORS)}, got {chosen!r}"
            )
        return tuple(d for d in SPECTRAL_DESCRIPTORS if d in chosen)

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: ArrayLike, y: ArrayLike | None = None) -> SpectralDescriptors:
        """Check parameters and input and fix the output columns.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_samples)
            Float waveforms sampled at ``sr``.
        y : ignored

        Returns
        -------
        self : object
        """
        self._check_sr()
        self._selected_ = self._selected()
        # the clips first: check_length refuses an n_fft longer than them before any array of
        # n_fft // 2 + 1 bins is made (n_fft = 2**63 asked numpy for more than exists)
        X = self._validate_waveforms(X, reset=True)
        if "contrast" in self._selected_:
            # compared in log2: 2.0 ** (n_bands - 1) itself overflows (OverflowError) from 1025 on
            if self.n_bands - 1 >= math.log2(self.sr / 2 / self.contrast_fmin):
                top = self.contrast_fmin * 2.0 ** min(self.n_bands - 1, 1023)
                raise ValueError(
                    f"the highest contrast band starts at contrast_fmin * 2**(n_bands - 1) = {top:g} Hz, "
                    f"which must stay below the Nyquist frequency sr/2 = {self.sr / 2:g} Hz; lower n_bands "
                    "or contrast_fmin"
                )
            freqs = np.arange(self.n_fft // 2 + 1) * (self.sr / self.n_fft)
            edges = self.contrast_fmin * 2.0 ** np.arange(self.n_bands + 1)
            for k, (lo, hi) in enumerate(zip(edges[:-1], edges[1:]), start=1):
                if not ((freqs >= lo) & (freqs <= hi)).any():
                    raise ValueError(
                        f"contrast band {k} ({lo:g}-{hi:g} Hz) holds no FFT bin at n_fft={self.n_fft} "
                        f"and sr={self.sr:g} (bins every {self.sr / self.n_fft:g} Hz); raise n_fft or "
                        "contrast_fmin, or check sr"
                    )
        # the frame count of the STFT (the inner Spectrogram is fitted only to count them)
        self._fit_frontend(X, Spectrogram(power=1.0, **self._stft_params()))
        rows = []
        for d in self._selected_:
            rows += [f"contrast{k}" for k in range(self.n_bands + 1)] if d == "contrast" else [d]
        self.rows_ = np.asarray(rows, dtype=object)
        self.feature_names_out_ = _names(rows, self._stats)
        return self

    def _frames(self, X, n_threads):
        import librosa
        import librosa.feature as lf

        chosen = self._selected_
        kw = dict(sr=self.sr, n_fft=self.n_fft, hop_length=self.hop_length)
        frames = dict(frame_length=self.n_fft, hop_length=self.hop_length, center=self.center)
        X = X.astype(np.float64)
        S = S64 = None
        if set(chosen) - {"zcr", "rms"}:
            # librosa's own STFT in float64 (librosa windows in float64 even for float32 clips),
            # not the float32 numba kernel: the descriptors of quiet high bands amplify float32
            # FFT rounding (on ESC-10 the top contrast band moved by up to 0.06 dB, flatness by
            # 3e-4). One STFT serves the five spectral descriptors; they read its float32
            # magnitudes as librosa's own do (half the memory traffic of float64), flatness
            # reads float64: its power overflows float32 from amplitudes of 1e16, and numpy's
            # float32 means over a batch round differently from per-clip means (3e-4 on ESC-10)
            S64 = np.abs(librosa.stft(X, **self._stft_params()))
            S = S64.astype(np.float32)
        parts = []
        centroid = None
        if "centroid" in chosen or "bandwidth" in chosen:
            centroid = lf.spectral_centroid(S=S, **kw)
        for d in chosen:
            if d == "centroid":
                parts.append(centroid)
            elif d == "bandwidth":
                parts.append(lf.spectral_bandwidth(S=S, centroid=centroid, **kw))
            elif d == "rolloff":
                parts.append(lf.spectral_rolloff(S=S, roll_percent=self.roll_percent, **kw))
            elif d == "flatness":
                parts.append(lf.spectral_flatness(S=S64))
            elif d == "contrast":
                band = dict(fmin=self.contrast_fmin, n_bands=self.n_bands, quantile=self.quantile)
                # per clip: librosa's dB conversion keeps top_db=80 below the peak of the whole
                # array, which on a batch would be the loudest clip's peak, not each clip's own
                parts.append(np.stack([lf.spectral_contrast(S=s, **band, **kw) for s in S]))
            elif d == "zcr":
                parts.append(lf.zero_crossing_rate(X, **frames))
            else:
                parts.append(lf.rms(y=X, pad_mode=self.pad_mode, dtype=np.float64, **frames))
        return np.concatenate(parts, axis=1).astype(np.float32, copy=False)

    def transform(self, X: ArrayLike) -> NDArray[np.float32] | pd.DataFrame:
        """Compute the descriptors.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_samples)
            Float waveforms, as many samples per clip as in ``fit``.

        Returns
        -------
        F : ndarray of shape (n_clips, n_columns), or (n_clips, n_rows, n_frames) with ``stats=None``, float32
        """
        check_is_fitted(self, "rows_")
        X = self._validate_waveforms(X, reset=False)
        peak = float(np.abs(X).max())
        # every magnitude is at most peak * win_length, a frame's sum at most that times n_freqs
        if peak * self._win() * (self.n_fft // 2 + 1) > 1e37:
            raise ValueError(
                f"X has samples up to {peak:.4g} in magnitude: their spectra would exceed the float32 "
                "range the descriptors are computed in. Waveforms are expected in [-1, 1]; scale "
                "integer PCM by 1 / 2 ** (bits - 1)."
            )
        return self._run(X, len(self.rows_))

    def _win(self):
        return self.n_fft if self.win_length is None else self.win_length


class Deltas(_FeaturesOut, ArrayOutputMixin, BaseEstimator):
    """Time derivatives of frame-wise features (MFCC, spectrograms), as ``librosa.feature.delta``.

    The local estimate of the ``order``-th derivative along the frames is a
    Savitzky-Golay filter of length ``width`` (``scipy.signal.savgol_filter``
    with ``polyorder = deriv = order``), applied to the whole batch in one
    call; ``mode`` extends the edges.

    Parameters
    ----------
    width : int, default=9
        Odd number of frames (at least 3) of the filter.
    order : int, default=1
        Derivative order (1: delta, 2: delta-delta).
    mode : {"interp", "mirror", "constant", "nearest", "wrap"}, default="interp"
        Edge rule, as ``scipy.signal.savgol_filter``; ``"interp"`` fits a
        polynomial to the last ``width`` frames and needs at least ``width``
        frames.
    stack : bool, default=False
        False returns the ``order``-th derivative only (librosa's output);
        True stacks the input and every derivative up to ``order`` along
        axis 1 (``[x, delta, delta-delta]`` for ``order=2``), the usual
        MFCC + delta + delta-delta features.
    stats : sequence of str or None, default=None
        As in :class:`MFCC`: statistics over time give a 2-D table.

    Attributes
    ----------
    n_features_in_ : int
        Rows (axis 1) of 3-D input, columns (frames) of 2-D input.
    feature_names_out_ : ndarray of str
        ``delta1_<row>`` for each input row (``<row>`` from the input names,
        ``x0, x1, ...`` for arrays), with ``stack`` the input rows first,
        with ``stats`` the statistic appended.

    Notes
    -----
    2-D input ``(n_clips, n_frames)`` is one row of frames per clip; the output
    is 2-D then, unless ``stack`` adds rows.

    References
    ----------
    .. [1] Furui, "Speaker-independent isolated word recognition using dynamic
       features of speech spectrum", IEEE TASSP 34(1), 1986.
    .. [2] Savitzky & Golay, "Smoothing and differentiation of data by simplified
       least squares procedures", Analytical Chemistry 36(8), 1964.

    Examples
    --------
    >>> import numpy as np
    >>> import librosa
    >>> from skaudio.features import Deltas
    >>> M = np.random.default_rng(0).standard_normal((2, 13, 40)).astype(np.float32)
    >>> D = Deltas(order=2).fit_transform(M)
    >>> bool(np.allclose(D[1], librosa.feature.delta(M[1], order=2), atol=1e-6))
    True
    >>> Deltas(order=2, stack=True).fit_transform(M).shape  # x, delta, delta-delta
    (2, 39, 40)
    """

    _parameter_constraints = {
        "width": [Interval(Integral, 3, None, closed="left")],
        "order": [Interval(Integral, 1, None, closed="left")],
        "mode": [StrOptions({"interp", "mirror", "constant", "nearest", "wrap"})],
        "stack": ["boolean"],
        "stats": [tuple, list, None],
    }

    def __init__(
        self,
        *,
        width: int = 9,
        order: int = 1,
        mode: str = "interp",
        stack: bool = False,
        stats: tuple[str, ...] | None = None,
    ) -> None:
        self.width = width
        self.order = order
        self.mode = mode
        self.stack = stack
        self.stats = stats

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, S: ArrayLike, y: ArrayLike | None = None) -> Deltas:
        """Check parameters and input and fix the output names.

        Parameters
        ----------
        S : array-like of shape (n_clips, n_rows, n_frames) or (n_clips, n_frames)
            Float frame-wise features.
        y : ignored

        Returns
        -------
        self : object
        """
        if self.width % 2 != 1:
            raise ValueError(f"width must be odd (a centred window of frames), got width={self.width}")
        if self.order >= self.width:
            raise ValueError(f"order must be less than width, got order={self.order}, width={self.width}")
        self._stats = _check_stats(self.stats)
        S, was_2d = validated_batch(self, S, reset=True)
        self._check_frames(S)
        self._was_2d = was_2d
        self.feature_names_out_ = self._out_names(check_feature_names_in(self, None))
        return self

    def _out_names(self, inputs):
        inputs = list(inputs)  # x0, x1, ... or a DataFrame's columns, or the previous step's names
        if self._was_2d and self._stats is None and not self.stack:  # 2-D in, 2-D out: frames
            return np.asarray([f"delta{self.order}_{c}" for c in inputs], dtype=object)
        rows = ["x"] if self._was_2d else inputs
        names = [f"delta{self.order}_{r}" for r in rows]
        if self.stack:
            names = rows + [f"delta{k}_{r}" for k in range(1, self.order + 1) for r in rows]
        return _names(names, self._stats)

    def get_feature_names_out(self, input_features: ArrayLike | None = None) -> NDArray[np.object_]:
        """Names of the output columns (2-D output) or rows (axis 1 of 3-D output).

        Parameters
        ----------
        input_features : array-like of str, default=None
            Names of the input rows (of the columns of 2-D input), e.g. the
            previous step's names in a pipeline (``mfcc0, ...`` gives
            ``delta1_mfcc0, ...``); ``feature_names_in_`` or ``x0, x1, ...``
            when None.

        Returns
        -------
        names : ndarray of str objects
        """
        check_is_fitted(self, "feature_names_out_")
        return self._out_names(check_feature_names_in(self, input_features))

    def _check_frames(self, S):
        if self.mode == "interp" and S.shape[2] < self.width:
            raise ValueError(
                f"S has {S.shape[2]} frames, fewer than width={self.width}: mode='interp' fits the edges "
                "with a polynomial over width frames; use a smaller (odd) width or another mode, e.g. "
                "mode='nearest'"
            )

    def transform(self, S: ArrayLike) -> NDArray[np.float32] | pd.DataFrame:
        """Compute the derivatives.

        Parameters
        ----------
        S : array-like of shape (n_clips, n_rows, n_frames) or (n_clips, n_frames)
            Float frame-wise features.

        Returns
        -------
        D : ndarray, float32
            Same shape as ``S``; ``(order + 1) * n_rows`` rows with ``stack``;
            2-D ``(n_clips, n_columns)`` with ``stats``.
        """
        from scipy.signal import savgol_filter

        check_is_fitted(self, "feature_names_out_")
        S, was_2d = validated_batch(self, S, reset=False)
        self._check_frames(S)
        orders = range(1, self.order + 1) if self.stack else (self.order,)
        parts = [S] if self.stack else []
        for k in orders:
            # librosa.feature.delta(order=k) fits polynomials of degree k
            d = savgol_filter(S, self.width, polyorder=k, deriv=k, axis=-1, mode=self.mode)
            parts.append(d.astype(np.float32, copy=False))
        D = np.concatenate(parts, axis=1) if len(parts) > 1 else parts[0]
        if self._stats is not None:
            return summarise(D, self._stats)
        return D[:, 0, :] if was_2d and D.shape[1] == 1 else D


#: Largest median window of HPSS: the image filters' kernel bound (2 * 2**16 + 1 bins);
#: scipy's median filter of 2**31 bins asks for tens of GiB (MemoryError)
_MAX_MEDIAN_WINDOW = 2 * MAX_KERNEL_RADIUS + 1
#: Largest HPSS margin: times any float32 map (< 3.5e38) it stays finite in float64
_MAX_MARGIN = 2.0**512


def _times(ref, margin):
    """``ref * margin``, in float64 for a margin above 1: the float32 product overflows for
    margins beyond ~1e19 on loud maps, and softmask's inf / inf is NaN (issue 28)."""
    return ref if margin == 1 else ref * np.float64(margin)


class HPSS(_FeaturesOut, ArrayOutputMixin, BaseEstimator):
    """Harmonic/percussive separation of spectrograms by median filtering, as ``librosa.decompose.hpss``.

    Harmonic sounds are smooth along time, percussive ones along frequency:
    a median filter of ``kernel_size`` frames along time enhances the first,
    one of ``kernel_size`` bins along frequency the second, and soft masks
    (Wiener-like, exponent ``power``; ``librosa.util.softmask``) built from the
    two split the input. Both median filters run over the whole batch in one
    ``scipy.ndimage.median_filter`` call each (a window of length 1 along the
    clip axis never mixes clips; ``mode="reflect"`` as librosa).

    Parameters
    ----------
    kernel_size : int or (int, int), default=31
        Median filter lengths (harmonic: frames, percussive: bins).
    power : float, default=2.0
        Exponent of the soft mask; ``np.inf`` gives a binary mask.
    margin : float or (float, float), default=1.0
        Separation margins (at least 1); above 1 a residual is left out of
        both components.
    mask : bool, default=False
        Return the masks instead of the masked spectrograms.
    output : {"harmonic", "percussive", "both"}, default="harmonic"
        Which component; ``"both"`` stacks harmonic then percussive rows along
        axis 1, ``(n_clips, 2 * n_freqs, n_frames)``.

    Attributes
    ----------
    n_features_in_ : int
        Frequency rows seen in ``fit`` (columns of 2-D input).
    feature_names_out_ : ndarray of str
        The input names for one component; ``harmonic_<row>, ...,
        percussive_<row>, ...`` for ``"both"``.

    Notes
    -----
    Input is a non-negative magnitude or power spectrogram batch ``(n_clips,
    n_freqs, n_frames)`` (e.g. ``Spectrogram(power=1)``), not dB; 2-D input
    ``(n_clips, n_frames)`` is one frequency row per clip. The output keeps
    the input's shape (with twice the rows for ``"both"``).

    References
    ----------
    .. [1] Fitzgerald, "Harmonic/percussive separation using median filtering",
       DAFx 2010.
    .. [2] Driedger, Mueller & Disch, "Extending harmonic-percussive separation
       of audio signals", ISMIR 2014 (margins).

    Examples
    --------
    >>> import numpy as np
    >>> import librosa
    >>> from skaudio.features import HPSS
    >>> S = np.random.default_rng(0).random((2, 65, 50)).astype(np.float32)
    >>> H = HPSS(kernel_size=7).fit_transform(S)
    >>> ref_h, ref_p = librosa.decompose.hpss(S[1], kernel_size=7)
    >>> H.shape, bool(np.allclose(H[1], ref_h, atol=1e-6))
    ((2, 65, 50), True)
    >>> HPSS(output="both").fit_transform(S).shape
    (2, 130, 50)
    """

    _parameter_constraints = {
        "kernel_size": [Interval(Integral, 1, None, closed="left"), tuple, list],
        "power": [Interval(Real, 0, None, closed="right")],
        "margin": [Interval(Real, 1, None, closed="left"), tuple, list],
        "mask": ["boolean"],
        "output": [StrOptions({"harmonic", "percussive", "both"})],
    }

    def __init__(
        self,
        *,
        kernel_size: int | tuple[int, int] = 31,
        power: float = 2.0,
        margin: float | tuple[float, float] = 1.0,
        mask: bool = False,
        output: str = "harmonic",
    ) -> None:
        self.kernel_size = kernel_size
        self.power = power
        self.margin = margin
        self.mask = mask
        self.output = output

    def _windows(self):
        hp = ("harmonic", "percussive")  # the caller checks the range, with its bounds in the message
        win = freq_time_pair(self.kernel_size, "kernel_size", minimum=None, axes=hp)
        if min(win) < 1 or max(win) > _MAX_MEDIAN_WINDOW:
            raise ValueError(
                f"kernel_size must hold integers from 1 to {_MAX_MEDIAN_WINDOW} (the median windows "
                f"of the image filters' bound, 2 * 2**16 + 1 bins), got {self.kernel_size!r}"
            )
        margin = freq_time_pair(self.margin, "margin", integer=False, minimum=None, axes=hp)
        if min(margin) < 1 or max(margin) > _MAX_MARGIN:
            raise ValueError(
                f"margin must be at least 1 and at most 2**512 (margin times a float32 map stays finite "
                f"in float64), got {self.margin!r}"
            )
        return tuple(int(w) for w in win), tuple(float(m) for m in margin)

    def _validate(self, S, reset):
        S, was_2d = validated_batch(self, S, reset=reset)
        if (S < 0).any():
            raise ValueError(
                f"Negative values in data passed to S (min {float(S.min()):.4g}): HPSS needs a "
                "non-negative magnitude or power spectrogram (e.g. Spectrogram(power=1)), not dB."
            )
        return S, was_2d

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, S: ArrayLike, y: ArrayLike | None = None) -> HPSS:
        """Check parameters and input and fix the output names.

        Parameters
        ----------
        S : array-like of shape (n_clips, n_freqs, n_frames) or (n_clips, n_frames)
            Non-negative spectrograms.
        y : ignored

        Returns
        -------
        self : object
        """
        self._windows()
        self._validate(S, reset=True)
        self.feature_names_out_ = self._out_names(check_feature_names_in(self, None))
        return self

    def _out_names(self, inputs):
        inputs = list(inputs)
        if self.output == "both":
            return np.asarray(
                [f"harmonic_{n}" for n in inputs] + [f"percussive_{n}" for n in inputs], dtype=object
            )
        return np.asarray(inputs, dtype=object)

    def get_feature_names_out(self, input_features: ArrayLike | None = None) -> NDArray[np.object_]:
        """Names of the output rows (axis 1; the columns of 2-D input): the input names.

        Parameters
        ----------
        input_features : array-like of str, default=None
            Names of the input rows, e.g. the previous step's; ``feature_names_in_``
            or ``x0, x1, ...`` when None. ``output="both"`` prefixes them with
            ``harmonic_`` and ``percussive_``.

        Returns
        -------
        names : ndarray of str objects
        """
        check_is_fitted(self, "feature_names_out_")
        return self._out_names(check_feature_names_in(self, input_features))

    def transform(self, S: ArrayLike) -> NDArray[np.float32] | pd.DataFrame:
        """Separate the components.

        Parameters
        ----------
        S : array-like of shape (n_clips, n_freqs, n_frames) or (n_clips, n_frames)
            Non-negative spectrograms.

        Returns
        -------
        out : ndarray, float32
            The harmonic or percussive part (or mask), shaped as ``S``; for
            ``"both"`` twice the rows, harmonic first.
        """
        from librosa.util import softmask

        check_is_fitted(self, "feature_names_out_")
        S, was_2d = self._validate(S, reset=False)
        (win_h, win_p), (margin_h, margin_p) = self._windows()
        harm = ndi.median_filter(S, size=(1, 1, win_h), mode="reflect")
        perc = ndi.median_filter(S, size=(1, win_p, 1), mode="reflect")
        split_zeros = margin_h == 1 and margin_p == 1
        parts = []
        if self.output in ("harmonic", "both"):
            parts.append(softmask(harm, _times(perc, margin_h), power=self.power, split_zeros=split_zeros))
        if self.output in ("percussive", "both"):
            parts.append(softmask(perc, _times(harm, margin_p), power=self.power, split_zeros=split_zeros))
        if not self.mask:
            parts = [S * m for m in parts]
        out = np.concatenate(parts, axis=1) if len(parts) > 1 else parts[0]
        out = out.astype(np.float32, copy=False)
        if was_2d:  # one row per clip: "both" gives two rows, i.e. 2 * n_frames columns
            return out.reshape(len(out), -1)
        return out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = True
        return tags
