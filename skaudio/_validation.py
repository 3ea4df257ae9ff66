"""Input checks shared by every public entry point.

Each check returns a validated array and never modifies its argument; errors
name the argument, what was expected and what came.
"""

import numbers
import os
import sys
from collections.abc import Mapping

import numpy as np
import scipy.sparse

__all__ = [
    "check_waveforms",
    "check_spectrograms",
    "check_finite",
    "check_length",
    "audio_dict_clips",
    "check_device",
]


_MAX_SHOWN = 120  # characters of a value or library message quoted in an error


def _clip(text):
    """``text`` on one line, at most ``_MAX_SHOWN`` characters (errors never quote whole arrays)."""
    text = " ".join(str(text).split())
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 3] + "..."


def _is_tensor(X):
    torch = sys.modules.get("torch")  # a tensor cannot exist unless torch was imported
    return torch is not None and isinstance(X, torch.Tensor)


def _from_tensor(X):
    """A torch tensor as a numpy array (detached from the graph, on the CPU); anything else unchanged."""
    if not _is_tensor(X):
        return X
    X = X.detach().cpu().resolve_conj().resolve_neg()
    if X.dtype == sys.modules["torch"].bfloat16:  # numpy has no bfloat16
        X = X.float()
    return X.numpy()


def _is_audio_dict(x):
    return isinstance(x, Mapping) and ("array" in x or "sampling_rate" in x or "path" in x)


def _is_path(x):
    return isinstance(x, (str, bytes, os.PathLike))


def audio_dict_clips(X, name="X", sr=None):
    """The clips of a Hugging Face ``datasets`` audio column, as 1-D (or multi-channel) arrays.

    Parameters
    ----------
    X : sequence of dict
        Dicts with ``array`` (the samples) and ``sampling_rate``, as
        ``dataset["audio"]`` gives them.
    name : str
        Argument name used in error messages.
    sr : float, default=None
        The rate the caller expects: clips at another rate are refused. None
        accepts any one rate shared by all clips.

    Returns
    -------
    clips : list of ndarray
    rate : float or None
        Their sampling rate (None when the dicts do not say).
    """
    rates = set()
    clips = []
    for i, item in enumerate(X):
        if not _is_audio_dict(item):
            raise TypeError(
                f"{name}[0] is an audio dict but {name}[{i}] is a "
                f"{type(item).__name__}; pass one kind of input"
            )
        if item.get("array") is None:
            raise ValueError(
                f"{name}[{i}] is an audio dict without decoded samples ('array'); decode the "
                "column (datasets.Audio(decode=True)) or load its 'path' with AudioLoader(sr=...)"
            )
        rate = item.get("sampling_rate")
        if sr is not None and rate is not None and float(rate) != float(sr):
            raise ValueError(
                f"{name}[{i}] was sampled at {rate} Hz ('sampling_rate') but sr={sr}; resample "
                f"first, e.g. dataset.cast_column('audio', Audio(sampling_rate={sr})) or "
                f"AudioLoader(sr={sr})"
            )
        rates.add(rate)
        clips.append(np.asarray(_from_tensor(item["array"])))
    rates.discard(None)
    if len(rates) > 1:
        raise ValueError(
            f"{name} mixes sampling rates {sorted(rates)} Hz; resample them to "
            "one rate first (AudioLoader(sr=...) does)"
        )
    return clips, (rates.pop() if rates else None)


def _from_audio_dicts(X, name, sr):
    """Stack a datasets audio column into a batch; clips must have one length."""
    clips, _ = audio_dict_clips(X, name, sr)
    lengths = {c.shape[-1] if c.ndim else 0 for c in clips}
    if len(lengths) > 1:
        raise ValueError(
            f"{name} holds clips of different lengths ({min(lengths)} to {max(lengths)} "
            "samples); fix them first with FixLength or AudioLoader(duration=...)"
        )
    return np.stack(clips)


def _from_items(X, name, sr, audio):
    """Stacked audio dicts; an error for file paths; tensors inside a list converted; else ``X``."""
    if not len(X):
        return X
    first = X[0]
    if isinstance(first, Mapping) and not _is_audio_dict(first):
        raise TypeError(
            f"{name} holds dicts with keys {_clip(sorted(map(str, first)))}, not audio dicts "
            "('array', 'sampling_rate', 'path'); pass the audio column, e.g. dataset['audio']"
        )
    if _is_audio_dict(first):
        if not audio:
            raise TypeError(
                f"{name} holds audio dicts (a datasets audio column), not spectrograms; "
                "compute them first, e.g. with MelSpectrogram(sr=...)"
            )
        return _from_audio_dicts(X, name, sr)
    if _is_path(first):
        raise TypeError(
            f"{name} holds file paths ({_clip(repr(first))}, ...), not audio samples; start "
            "the pipeline with AudioLoader(sr=...) to read them"
        )
    if any(_is_tensor(x) for x in X):
        return [_from_tensor(x) for x in X]
    return X


def _as_array(X, name, sr=None, audio=True):
    """``X`` as a numpy array: torch tensors, audio dicts and lists of either are converted.

    ``audio``: whether dicts of a Hugging Face ``datasets`` audio column are
    accepted (checked against ``sr`` when given). Errors are one line: they
    describe the input, never quote it whole.
    """
    if _is_path(X):
        raise TypeError(
            f"{name} must be an array of audio samples, got a string {_clip(repr(X))}; "
            "to start from file paths put AudioLoader(sr=...) first"
        )
    if scipy.sparse.issparse(X):
        raise TypeError(
            f"Sparse data was passed for {name}, but dense data is required: audio and "
            "spectrograms are dense. Use X.toarray() to convert to a dense numpy array."
        )
    if isinstance(X, Mapping):
        raise TypeError(
            f"{name} is a single {type(X).__name__}; pass a list of clips, e.g. "
            "[example] or a datasets audio column dataset['audio']"
        )
    X = _from_tensor(X)
    if not hasattr(X, "__array__") and hasattr(X, "__len__") and hasattr(X, "__getitem__"):
        X = _from_items(X, name, sr, audio)  # lists, tuples, a datasets column
        if isinstance(X, np.ndarray):
            return X
    try:
        arr = np.asarray(X)
    except Exception as exc:  # ragged lists and other objects numpy refuses
        raise TypeError(
            f"{name} must be array-like with one row per clip; numpy could not "
            f"convert it ({_clip(exc)}). Variable-length clips must be fixed first "
            "(FixLength or AudioLoader(duration=...))."
        ) from exc
    if arr.dtype.kind in "US":
        raise TypeError(
            f"{name} holds text ({_clip(repr(arr.flat[0]) if arr.size else arr.dtype)}, ...), not "
            "audio samples; to start from file paths put AudioLoader(sr=...) first"
        )
    if arr.dtype == object and arr.ndim == 1 and arr.size:  # e.g. a pandas column of dicts
        X = _from_items(arr, name, sr, audio)
        if isinstance(X, np.ndarray) and X.dtype != object:
            return X
    if arr.dtype == object:
        try:  # object arrays of plain numbers are fine; ragged or text input is not
            arr = arr.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"{name} has dtype object and could not be read as numbers ({_clip(exc)}). "
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
        raise ValueError(
            f"{name} is empty: found array with 0 sample(s) (shape={arr.shape}) "
            "while a minimum of 1 is required."
        )
    if arr.size == 0:
        raise ValueError(
            f"{name} is empty: found array with 0 feature(s) (shape={arr.shape}) "
            "while a minimum of 1 is required."
        )


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
            f"{name} contains {n_nan} NaN and {n_inf} infinite values; clean or impute them before this step."
        )


def check_waveforms(X, *, name="X", min_length=1, dtype=np.float32, finite=True, sr=None):
    """Validate a batch of mono waveforms of shape ``(n_clips, n_samples)``.

    Parameters
    ----------
    X : array-like of shape (n_clips, n_samples), torch tensor or list of dicts
        Floating-point samples, nominally in [-1, 1]. A torch tensor (or a
        list of them) is detached and copied to the CPU; a Hugging Face
        ``datasets`` audio column (dicts with ``array`` and ``sampling_rate``)
        is stacked, its clips must have one length and the rate ``sr``.
    name : str
        Argument name used in error messages.
    min_length : int
        Smallest acceptable number of samples (e.g. ``n_fft``).
    dtype : numpy dtype
        dtype of the returned array.
    finite : bool
        Check for NaN and infinity here; False only for callers that check
        during their own pass over the samples.
    sr : float, default=None
        The sampling rate the caller expects; audio dicts at another rate
        are refused. None accepts any single rate.

    Returns
    -------
    X : ndarray of shape (n_clips, n_samples)
        C-contiguous array of ``dtype``; a copy only where conversion needs one.
    """
    arr = _as_array(X, name, sr=sr)
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
    S : array-like or torch tensor
        Floating-point spectrograms, frequency before time (a tensor is
        detached and copied to the CPU).
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
    arr = _as_array(S, name, audio=False)
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


def check_device(device, name="device"):
    """The ``torch.device`` for ``device``, or a one-line ``ValueError`` when torch cannot compute on it.

    Refuses strings torch does not parse, devices that are absent here
    (``"cuda"`` without a GPU or without a CUDA build of torch, ``"cuda:3"`` on a
    one-GPU machine, ``"mps"`` off Apple silicon) and ``"meta"``, which holds no data.

    Parameters
    ----------
    device : str or torch.device
    name : str
        Parameter name used in error messages.

    Returns
    -------
    device : torch.device

    Examples
    --------
    >>> check_device("cpu")
    device(type='cpu')
    >>> check_device("gpu")
    Traceback (most recent call last):
    ...
    ValueError: device='gpu' is not a torch device; use 'cpu', 'cuda', 'cuda:1', 'mps', ...
    """
    import torch

    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError, ValueError):
        raise ValueError(
            f"{name}={device!r} is not a torch device; use 'cpu', 'cuda', 'cuda:1', 'mps', ..."
        ) from None
    if dev.type == "meta":
        raise ValueError(
            f"{name}={device!r} holds no data, so nothing can be computed on it; use 'cpu' or a GPU"
        )
    if dev.type == "cuda" and not torch.cuda.is_available():
        why = "no GPU is visible" if torch.backends.cuda.is_built() else "this torch build has no CUDA"
        raise ValueError(
            f"{name}={device!r} but CUDA is not available here ({why}; torch "
            f"{torch.__version__}); use device='cpu'"
        )
    try:
        torch.empty(1, device=dev)  # any other device that is absent or unusable here
    except Exception as exc:
        raise ValueError(f"{name}={device!r} cannot be used here: {_clip(exc)}") from None
    return dev


def freq_time_pair(value, name, *, integer=True, minimum=1, odd=False, allow_none=False):
    """``value`` as a ``(freq, time)`` pair of numbers: one number is used for both axes.

    The one validator of every region, stride, padding or window size given per axis
    (pooling, the preservation metrics' regions, the image filters). A value of the
    wrong kind (a string, a bool, a float where an integer is needed, a sequence of
    other than two items) is a ``TypeError``; a number out of range a ``ValueError``.

    Parameters
    ----------
    value : int, float or sequence of two of them
        What the caller passed.
    name : str
        The parameter's name, used in error messages.
    integer : bool, default=True
        Whether the numbers must be integers (an integral float such as ``3.0`` is
        not accepted, as scikit-learn's ``Interval(Integral, ...)``).
    minimum : int, float or None, default=1
        Smallest value allowed on each axis (None: the caller checks the range).
    odd : bool, default=False
        Whether the numbers must be odd (a window centred on its cell).
    allow_none : bool, default=False
        Pass None through (an optional parameter left unset).

    Returns
    -------
    pair : tuple of two int (``integer=True``) or two float, or None

    Examples
    --------
    >>> freq_time_pair(2, "kernel_size")
    (2, 2)
    >>> freq_time_pair((3, 1.5), "sigma", integer=False, minimum=0)
    (3.0, 1.5)
    >>> freq_time_pair((2, 0), "stride")
    Traceback (most recent call last):
    ...
    ValueError: stride must be >= 1 on both axes (freq, time), got (2, 0)
    """
    if value is None and allow_none:
        return None
    kind = numbers.Integral if integer else numbers.Real
    what = "an int" if integer else "a number"

    def ok(v):
        return isinstance(v, kind) and not isinstance(v, bool)

    if ok(value):
        items = (value, value)
    else:
        try:
            items = tuple(value)
        except TypeError:
            items = None
        if items is None or isinstance(value, (str, bytes)) or len(items) != 2 or not all(map(ok, items)):
            raise TypeError(f"{name} must be {what} or a pair (freq, time) of them, got {_clip(repr(value))}")
    cast = int if integer else float
    pair = tuple(cast(v) for v in items)
    if not all(np.isfinite(v) for v in pair):
        raise ValueError(f"{name} must be finite on both axes (freq, time), got {value!r}")
    if minimum is not None and min(pair) < minimum:
        raise ValueError(f"{name} must be >= {minimum} on both axes (freq, time), got {value!r}")
    if odd and not all(v % 2 == 1 for v in pair):
        raise ValueError(f"{name} must be odd on both axes (freq, time; a centred window), got {value!r}")
    return pair
