"""Mel-frequency cepstral coefficients, as ``librosa.feature.mfcc``: :class:`MFCC`."""

from __future__ import annotations

from numbers import Integral, Real
from typing import TYPE_CHECKING

import numpy as np
import scipy.fft
from numpy.typing import ArrayLike, NDArray
from sklearn.utils.validation import check_is_fitted

from skaudio._kernels.spectral import power_to_db_inplace
from skaudio._sklearn_compat import Interval, StrOptions, fit_context
from skaudio.features._descriptor_base import _check_stats, _names, _WaveformDescriptor, summarise
from skaudio.features.image._common import validated_batch
from skaudio.features.spectrogram import MelSpectrogram

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["MFCC"]


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
