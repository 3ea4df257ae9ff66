"""STFT chroma, as ``librosa.feature.chroma_stft``: :class:`Chroma`."""

from __future__ import annotations

from numbers import Integral, Real
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.utils.validation import check_is_fitted

from skaudio._sklearn_compat import Interval, fit_context
from skaudio.features._descriptor_base import _names, _WaveformDescriptor
from skaudio.features.spectrogram import Spectrogram

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Chroma"]


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
