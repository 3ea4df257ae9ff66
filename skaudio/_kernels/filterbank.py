"""Analysis windows and mel filterbanks, as librosa defines them, in plain numpy.

Why not call librosa here: the first use of ``librosa.filters`` (or of
``librosa.mel_frequencies``) compiles librosa's own numba functions, about 8 s
on a fresh install and again in every process where numba cannot cache, which
was most of a new user's first ``MelSpectrogram``. The definitions are short:
the Slaney (Auditory Toolbox) or HTK mel scale, triangles between consecutive
mel frequencies, and the window padded to ``n_fft``. librosa stays the
reference: ``tests/_kernels/test_filterbank.py`` checks that these functions
return librosa's arrays for a grid of parameters, and the ``"librosa"``
backend of the transformers still calls librosa itself.
"""

import warnings
from numbers import Real

import numpy as np
import scipy.signal

__all__ = [
    "fft_frequencies",
    "hz_to_mel",
    "mel_to_hz",
    "mel_frequencies",
    "mel_filterbank",
    "analysis_window",
]

# Slaney's scale: linear below 1 kHz (3 mels per 200 Hz), logarithmic above it
# (27 mels per factor 6.4 in frequency)
_LINEAR_HZ_PER_MEL = 200.0 / 3.0
_BREAK_HZ = 1000.0
_BREAK_MEL = _BREAK_HZ / _LINEAR_HZ_PER_MEL
_LOG_STEP = np.log(6.4) / 27.0


def fft_frequencies(sr, n_fft):
    """Centre frequency in Hz of each of the ``n_fft // 2 + 1`` real-FFT bins."""
    return np.fft.rfftfreq(n=int(n_fft), d=1.0 / float(sr))


def hz_to_mel(frequencies, htk=False):
    """Frequencies in Hz to mels (Slaney's scale, or HTK's ``2595 log10(1 + f / 700)``)."""
    f = np.asarray(frequencies, dtype=np.float64)
    if htk:
        return 2595.0 * np.log10(1.0 + f / 700.0)
    above = f >= _BREAK_HZ
    log_part = _BREAK_MEL + np.log(np.where(above, f, _BREAK_HZ) / _BREAK_HZ) / _LOG_STEP
    return np.where(above, log_part, f / _LINEAR_HZ_PER_MEL)


def mel_to_hz(mels, htk=False):
    """Inverse of :func:`hz_to_mel`."""
    m = np.asarray(mels, dtype=np.float64)
    if htk:
        return 700.0 * (10.0 ** (m / 2595.0) - 1.0)
    above = m >= _BREAK_MEL
    log_part = _BREAK_HZ * np.exp(_LOG_STEP * (np.where(above, m, _BREAK_MEL) - _BREAK_MEL))
    return np.where(above, log_part, m * _LINEAR_HZ_PER_MEL)


def mel_frequencies(n_mels=128, fmin=0.0, fmax=11025.0, htk=False):
    """``n_mels`` frequencies in Hz, evenly spaced on the mel scale from ``fmin`` to ``fmax``.

    Examples
    --------
    >>> from skaudio._kernels.filterbank import mel_frequencies
    >>> mel_frequencies(3, fmin=0.0, fmax=2000.0).round(1)
    array([   0. ,  836.1, 2000. ])
    """
    low, high = hz_to_mel(fmin, htk=htk), hz_to_mel(fmax, htk=htk)
    return mel_to_hz(np.linspace(low, high, int(n_mels)), htk=htk)


def _row_norms(weights, norm):
    """Each row's ``norm`` (``np.inf``: largest magnitude, ``-np.inf``: smallest, 0: non-zeros)."""
    mag = np.abs(weights).astype(np.float64)
    if norm == np.inf:
        return mag.max(axis=1)
    if norm == -np.inf:
        return mag.min(axis=1)
    if norm == 0:
        return np.count_nonzero(mag, axis=1).astype(np.float64)
    return (mag**norm).sum(axis=1) ** (1.0 / norm)


def mel_filterbank(sr, n_fft, n_mels=128, fmin=0.0, fmax=None, htk=False, norm="slaney", dtype=np.float32):
    """Triangular mel filters on the real-FFT bins: ``librosa.filters.mel``'s matrix.

    Filter ``m`` rises linearly from mel frequency ``m`` to ``m + 1`` and falls to
    ``m + 2`` (``n_mels + 2`` frequencies from :func:`mel_frequencies`).

    Parameters
    ----------
    sr : float
        Sampling rate in Hz.
    n_fft : int
        FFT length; the filters have ``n_fft // 2 + 1`` columns.
    n_mels : int, default=128
    fmin, fmax : float
        Band edges in Hz; ``fmax=None`` is ``sr / 2``.
    htk : bool, default=False
        HTK's mel scale instead of Slaney's.
    norm : "slaney", float or None, default="slaney"
        ``"slaney"`` divides each triangle by half its width in Hz (equal area);
        a number ``p`` scales each row to unit ``p``-norm (``np.inf``: unit
        peak); None keeps peaks of 1.
    dtype : numpy dtype, default=float32

    Returns
    -------
    ndarray of shape (n_mels, n_fft // 2 + 1)

    Examples
    --------
    >>> from skaudio._kernels.filterbank import mel_filterbank
    >>> fb = mel_filterbank(sr=16000, n_fft=512, n_mels=40)
    >>> fb.shape, fb.dtype
    ((40, 257), dtype('float32'))
    """
    fmax = float(sr) / 2 if fmax is None else float(fmax)
    n_mels = int(n_mels)
    freqs = fft_frequencies(sr, n_fft)
    edges = mel_frequencies(n_mels + 2, fmin=fmin, fmax=fmax, htk=htk)
    lower, centre, upper = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    rising = (freqs - lower) / (centre - lower)
    falling = (upper - freqs) / (upper - centre)
    weights = np.maximum(0.0, np.minimum(rising, falling))
    if isinstance(norm, str):
        if norm != "slaney":
            raise ValueError(f"norm must be 'slaney', a number or None, got {norm!r}")
        weights *= 2.0 / (upper - lower)
    elif norm is not None:
        if not isinstance(norm, Real) or isinstance(norm, bool) or not (norm > 0 or norm in (0, -np.inf)):
            raise ValueError(f"norm must be 'slaney', a number or None, got {norm!r}")
        lengths = _row_norms(weights, norm)
        tiny = np.finfo(np.dtype(dtype)).tiny
        weights = weights / np.where(lengths < tiny, 1.0, lengths)[:, None]
    weights = weights.astype(dtype)
    if not np.all((edges[:-2] == 0) | (weights.max(axis=1) > 0)):
        warnings.warn(
            f"Empty filters detected in mel frequency basis: some of the {n_mels} bands "
            f"hold no FFT bin (n_fft={n_fft} is too small for them); use a larger "
            "n_fft or fewer mels",
            UserWarning,
            stacklevel=2,
        )
    return weights


def analysis_window(window, win_length, n_fft):
    """The periodic analysis window of ``win_length`` samples, zero-padded to ``n_fft`` (centred).

    Parameters
    ----------
    window : str, tuple, float, callable or array-like
        A name or spec of ``scipy.signal.get_window`` (periodic form, as for FFT
        analysis), a function of the length, or the samples themselves.
    win_length, n_fft : int

    Returns
    -------
    ndarray of float64, shape (n_fft,)
    """
    win_length, n_fft = int(win_length), int(n_fft)
    if callable(window):
        win = window(win_length)
    elif isinstance(window, (str, tuple)) or np.isscalar(window):
        numbers = [v for v in (window if isinstance(window, tuple) else (window,)) if isinstance(v, Real)]
        if not all(np.isfinite(numbers)):
            raise ValueError(f"window={window!r}: a window's parameters must be finite numbers")
        try:
            with np.errstate(all="ignore"):  # a degenerate parameter is refused just below
                win = scipy.signal.get_window(window, win_length, fftbins=True)
        except (ValueError, TypeError, OverflowError) as exc:  # scipy's words name none of ours
            msg = f"window={window!r} is not a window scipy.signal.get_window makes: {exc}"
            raise ValueError(msg) from None
    elif isinstance(window, (np.ndarray, list)):
        win = window
    else:
        raise ValueError(f"window must be a name, a tuple, a number, a function or an array, got {window!r}")
    win = np.asarray(win, dtype=np.float64)
    if not np.isfinite(win).all():  # ("tukey", nan), ("kaiser", 1e308), ...: a window of NaN or inf
        raise ValueError(f"window={window!r} gives non-finite samples; its parameters must be finite")
    if win.shape != (win_length,):
        raise ValueError(f"window has shape {win.shape}, expected ({win_length},) samples")
    if win_length > n_fft:
        raise ValueError(f"win_length={win_length} must not exceed n_fft={n_fft}")
    left = (n_fft - win_length) // 2
    return np.pad(win, (left, n_fft - win_length - left))
