"""Input checks shared by every public entry point.

Each check returns a validated array and never modifies its argument; errors
name the argument, what was expected and what came.
"""
import numbers

import numpy as np
import scipy.sparse

__all__ = ["check_waveforms", "check_spectrograms", "check_finite", "check_length"]


def _as_array(X, name):
    if isinstance(X, (str, bytes)):
        raise TypeError(f"{name} must be an array of audio samples, got a string {X!r}")
    if scipy.sparse.issparse(X):
        raise TypeError(
            f"Sparse data was passed for {name}, but dense data is required: audio and "
            "spectrograms are dense. Use X.toarray() to convert to a dense numpy array."
        )
    try:
        arr = np.asarray(X)
    except Exception as exc:  # ragged lists and other objects numpy refuses
        raise TypeError(
            f"{name} must be array-like with one row per clip; numpy could not "
            f"convert it: {exc}. Variable-length clips must be fixed first "
            "(FixLength or AudioLoader(duration=...))."
        ) from exc
    if arr.dtype == object:
        try:  # object arrays of plain numbers are fine; ragged or text input is not
            arr = arr.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"{name} has dtype object and could not be read as numbers ({exc}). "
                "Variable-length clips must be fixed first with FixLength or "
                "AudioLoader(duration=...)."
            ) from exc
    return arr


def _check_float_dtype(arr, name, what):
    if arr.dtype == bool or np.issubdtype(arr.dtype, np.integer):
        hint = ""
        if np.issubdtype(arr.dtype, np.integer) and what == "waveforms":
            bits = arr.dtype.itemsize * 8
            hint = (
                f" Integer PCM must be scaled to [-1, 1] first, e.g. "
                f"X.astype(np.float32) / {2 ** (bits - 1)}."
            )
        raise TypeError(f"{name} must contain floating-point {what}, got dtype {arr.dtype}.{hint}")
    if np.iscomplexobj(arr):
        raise ValueError(f"Complex data not supported: {name} must be real-valued, got dtype {arr.dtype}")
    if not np.issubdtype(arr.dtype, np.floating):
        raise TypeError(f"{name} must contain floating-point {what}, got dtype {arr.dtype}")


def _check_not_empty(arr, name):
    if arr.shape[0] == 0:
        raise ValueError(f"{name} is empty: found array with 0 sample(s) (shape={arr.shape}) "
                         "while a minimum of 1 is required.")
    if arr.size == 0:
        raise ValueError(f"{name} is empty: found array with 0 feature(s) (shape={arr.shape}) "
                         "while a minimum of 1 is required.")


def _cast(arr, dtype, name):
    """C-contiguous ``arr`` as ``dtype``; finite values too large for it raise, naming ``name``.

    Without this a float64 value beyond the float32 range would become
    infinity in the cast and be reported as an infinite input value.
    """
    with np.errstate(over="raise"):
        try:
            return np.ascontiguousarray(arr, dtype=dtype)
        except FloatingPointError:
            finite = np.abs(arr[np.isfinite(arr)])
            limit = np.finfo(dtype).max
            raise ValueError(
                f"{name} holds values up to {float(finite.max()):.4g} in magnitude, beyond the "
                f"{np.dtype(dtype).name} range (+-{float(limit):.4g}) skaudio computes in; rescale "
                "the data first."
            ) from None


def check_length(arr, min_length, name="X"):
    """Refuse clips shorter than ``min_length`` samples (one analysis window)."""
    if arr.shape[-1] < min_length:
        raise ValueError(
            f"{name} has clips of {arr.shape[-1]} samples, shorter than the {min_length} "
            "samples one analysis window needs (n_fft); use a smaller n_fft or longer clips."
        )


def check_finite(arr, name):
    """Raise ``ValueError`` when ``arr`` holds NaN or infinity."""
    if not np.isfinite(arr).all():
        n_nan = int(np.isnan(arr).sum())
        n_inf = int(np.isinf(arr).sum())
        raise ValueError(
            f"{name} contains {n_nan} NaN and {n_inf} infinite values; clean or "
            "impute them before this step."
        )


def check_waveforms(X, *, name="X", min_length=1, dtype=np.float32, finite=True):
    """Validate a batch of mono waveforms of shape ``(n_clips, n_samples)``.

    Parameters
    ----------
    X : array-like of shape (n_clips, n_samples)
        Floating-point samples, nominally in [-1, 1].
    name : str
        Argument name used in error messages.
    min_length : int
        Smallest acceptable number of samples (e.g. ``n_fft``).
    dtype : numpy dtype
        dtype of the returned array.
    finite : bool
        Check for NaN and infinity here; False only for callers that check
        during their own pass over the samples.

    Returns
    -------
    X : ndarray of shape (n_clips, n_samples)
        C-contiguous array of ``dtype``; a copy only where conversion needs one.
    """
    arr = _as_array(X, name)
    _check_float_dtype(arr, name, "waveforms")
    if arr.ndim == 1:
        raise ValueError(
            f"{name} must be 2-D (n_clips, n_samples), got a 1-D array of shape "
            f"{arr.shape}. Reshape your data: for a single clip pass X[np.newaxis, :]."
        )
    if arr.ndim == 3:
        raise ValueError(
            f"{name} must be 2-D (n_clips, n_samples) mono audio, got shape {arr.shape}, "
            "which looks multi-channel; mix down first, e.g. X.mean(axis=1)."
        )
    if arr.ndim != 2:
        raise ValueError(f"{name} must be 2-D (n_clips, n_samples), got {arr.ndim}-D shape {arr.shape}")
    _check_not_empty(arr, name)
    check_length(arr, min_length, name)
    arr = _cast(arr, dtype, name)
    if finite:
        check_finite(arr, name)
    return arr


def check_spectrograms(S, *, name="S", ndim=3, nonnegative=False, dtype=np.float32, fix=None):
    """Validate a batch of spectrograms of shape ``(n_clips, n_freqs, n_frames)``.

    Parameters
    ----------
    S : array-like
        Floating-point spectrograms, frequency before time.
    name : str
        Argument name used in error messages.
    ndim : int or tuple of int
        Accepted number of dimensions.
    nonnegative : bool
        Refuse negative values (power or magnitude spectrograms).
    dtype : numpy dtype
        dtype of the returned array.
    fix : str, optional
        What to tell the user when negative values are found.

    Returns
    -------
    S : ndarray
        C-contiguous array of ``dtype``.
    """
    arr = _as_array(S, name)
    _check_float_dtype(arr, name, "spectrogram values")
    allowed = (ndim,) if isinstance(ndim, numbers.Integral) else tuple(ndim)
    if arr.ndim not in allowed:
        want = " or ".join(f"{d}-D" for d in allowed)
        raise ValueError(
            f"{name} must be {want} (n_clips, n_freqs, n_frames), got {arr.ndim}-D shape "
            f"{arr.shape}. Reshape your data: a single spectrogram is S[np.newaxis]."
        )
    _check_not_empty(arr, name)
    arr = _cast(arr, dtype, name)
    check_finite(arr, name)
    if nonnegative and (arr < 0).any():
        raise ValueError(
            f"Negative values in data passed to {name} (min {float(arr.min()):.4g}): this "
            "step needs non-negative input. "
            + (fix or "Pass a power or magnitude spectrogram (to_db=False), then convert to dB.")
        )
    return arr
