"""Spectral shape descriptors, as librosa.feature computes them: :class:`SpectralDescriptors`.

Centroid, bandwidth, roll-off, flatness, contrast, zero-crossing rate and RMS.
"""

from __future__ import annotations

import math
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

__all__ = ["SpectralDescriptors", "SPECTRAL_DESCRIPTORS"]

#: The descriptors of :class:`SpectralDescriptors`, in output order.
SPECTRAL_DESCRIPTORS = ("centroid", "bandwidth", "rolloff", "flatness", "contrast", "zcr", "rms")


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
