"""Reading audio files, resampling and fixing clip length.

Files are decoded by soundfile (libsndfile: WAV, FLAC, OGG/Vorbis, MP3 with
libsndfile >= 1.1) and resampled with soxr's high-quality filter, the same
resampler librosa uses by default.
"""

from __future__ import annotations

import itertools
import math
import os
import re
import threading
import warnings
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from numbers import Integral, Real
from typing import Any

import numpy as np
import soundfile as sf
import soxr
from joblib import Parallel, delayed
from numpy.typing import ArrayLike, NDArray

from skaudio._batching import cluster_backend, local_threads, resolve_n_jobs

__all__ = ["load_audio", "fix_length", "resample"]

_ALIGNS = ("start", "center", "end")
_PAD_MODES = ("constant", "wrap", "reflect", "symmetric", "edge")


#: Largest upsampling factor ``resample`` accepts (8 kHz -> 192 kHz is 24); beyond
#: it a rate is a broken header (a WAV claiming 1 Hz would become 16,000 times
#: longer at 16 kHz: 640 million samples from 40,000), not audio to upsample.
MAX_UPSAMPLING = 64

#: Most samples of one clip that ``load_audio(duration=...)`` and ``FixLength`` make
#: (2**28: 1 GiB of float32, 1.7 hours at 44.1 kHz, 4.7 hours at 16 kHz): a longer
#: zero-padded clip is a unit mistake, and the padding alone would exhaust memory
#: (duration=1e300 asked for 1e304 samples, FixLength(length=2**31) for 24 GiB on three clips).
MAX_CLIP_SAMPLES = 2**28


def check_memory(n_bytes, what):
    """Refuse (``ValueError``; ``what`` names the parameters) an output larger than the free memory."""
    try:
        page = os.sysconf("SC_PAGE_SIZE")
        free = os.sysconf("SC_AVPHYS_PAGES") * page
    except (AttributeError, ValueError, OSError):  # not a POSIX system: no bound of our own
        return
    try:  # a process limited by ulimit -v (RLIMIT_AS) has less room than the machine
        import resource

        limit = resource.getrlimit(resource.RLIMIT_AS)[0]
        if limit != resource.RLIM_INFINITY:
            with open("/proc/self/statm") as f:
                free = min(free, limit - int(f.read().split()[0]) * page)
    except (ImportError, OSError, ValueError):
        pass
    if n_bytes > free:
        raise ValueError(
            f"{what} needs {n_bytes / 2**30:.3g} GiB, more than the {free / 2**30:.3g} GiB of memory free"
        )


def _upsampling_error(orig_sr, target_sr, n_samples=None):
    """Why resampling from ``orig_sr`` to ``target_sr`` is refused, or None."""
    if not orig_sr > 0 or not target_sr > 0:
        return f"sampling rates must be > 0 Hz, got {orig_sr} -> {target_sr}"
    ratio = target_sr / orig_sr
    if ratio <= MAX_UPSAMPLING:
        return None
    size = "" if n_samples is None else f" ({n_samples:,} samples would become {int(n_samples * ratio):,})"
    return (
        f"resampling from {orig_sr:g} Hz to {target_sr:g} Hz is a {ratio:g}-fold upsampling{size}; "
        f"refusing factors above {MAX_UPSAMPLING} (is the sampling rate right?)"
    )


def resample(y: ArrayLike, orig_sr: float, target_sr: float) -> NDArray[np.float32]:
    """Resample ``y`` (last axis is time) from ``orig_sr`` to ``target_sr`` with soxr HQ.

    Upsampling by more than :data:`MAX_UPSAMPLING` is refused with a
    ``ValueError``: such a rate is a mistake, and its output would be huge.

    Examples
    --------
    >>> import numpy as np
    >>> resample(np.zeros(44100, np.float32), 44100, 16000).shape
    (16000,)
    """
    if orig_sr == target_sr:
        return y
    problem = _upsampling_error(orig_sr, target_sr, np.shape(y)[-1] if np.ndim(y) else None)
    if problem:
        raise ValueError(problem)
    if np.ndim(y) and np.shape(y)[-1] * target_sr / orig_sr < 0.5:  # soxr hangs on ratios below ~1e-12
        raise ValueError(
            f"resampling {np.shape(y)[-1]} sample(s) from {orig_sr:g} Hz to {target_sr:g} Hz leaves no sample"
        )
    y = np.asarray(y, dtype=np.float32)
    if y.ndim == 1:
        return soxr.resample(y, orig_sr, target_sr, quality="HQ").astype(np.float32, copy=False)
    # soxr wants (frames, channels)
    return np.ascontiguousarray(soxr.resample(y.T, orig_sr, target_sr, quality="HQ").T, dtype=np.float32)


def fix_length(
    y: ArrayLike, length: int, *, pad_mode: str = "constant", align: str = "start"
) -> NDArray[np.float32]:
    """Pad or crop the last axis of ``y`` to exactly ``length`` samples.

    Parameters
    ----------
    y : ndarray
        Audio; the last axis is time.
    length : int
        Wanted number of samples.
    pad_mode : {"constant", "wrap", "reflect", "symmetric", "edge"}, default="constant"
        ``numpy.pad`` mode filling the missing samples: zeros (digital silence,
        as ESC-50 pads short recordings), the clip repeated, mirrored without or
        with its edge sample, or its edge sample held.
    align : {"start", "center", "end"}, default="start"
        Which part of a long clip is kept, and on which side a short clip is
        padded: "start" keeps the beginning and pads at the end, "end" the
        opposite, "center" crops or pads equally on both sides.

    Returns
    -------
    ndarray
        A new array; ``y`` is not modified.

    Examples
    --------
    >>> import numpy as np
    >>> fix_length(np.array([1., 2., 3.]), 5)
    array([1., 2., 3., 0., 0.])
    >>> fix_length(np.array([1., 2., 3., 4.]), 2, align="center")
    array([2., 3.])
    """
    if not isinstance(length, Integral) or length < 1:
        raise ValueError(f"length must be a positive integer number of samples, got {length!r}")
    if pad_mode not in _PAD_MODES:
        raise ValueError(f"pad_mode must be one of {_PAD_MODES}, got {pad_mode!r}")
    if align not in _ALIGNS:
        raise ValueError(f"align must be one of {_ALIGNS}, got {align!r}")
    y = np.asarray(y)
    n = y.shape[-1]
    if n == 0 and pad_mode != "constant":
        raise ValueError(f"cannot pad an empty clip with pad_mode={pad_mode!r}; use 'constant'")
    if n >= length:
        start = {"start": 0, "center": (n - length) // 2, "end": n - length}[align]
        return y[..., start : start + length].copy()
    missing = length - n
    before = {"start": 0, "center": missing // 2, "end": missing}[align]
    widths = [(0, 0)] * (y.ndim - 1) + [(before, missing - before)]
    return np.pad(y, widths, mode=pad_mode)


# libsndfile's log of a file whose header announces more data than the file holds
_TRUNCATED = re.compile(r"^data\s*:\s*(\d+)\s*\(should be (\d+)\)|ended unexpectedly", re.MULTILINE)


def _truncation(log):
    """Why libsndfile's log says the file is cut short, or None."""
    for match in _TRUNCATED.finditer(log):
        if match.group(1) is None:
            return "the stream ends unexpectedly"
        if int(match.group(1)) > int(match.group(2)):
            return f"its header announces {match.group(1)} data bytes, the file holds {match.group(2)}"
    return None


def _nonfinite_message(data):
    finite = np.isfinite(data)
    n_nan = int(np.isnan(data).sum())
    return (
        f"it holds {n_nan} NaN and {int(finite.size - finite.sum()) - n_nan} "
        "infinite sample(s); audio samples must be finite"
    )


#: soundfile subtypes that store integers (linear or companded PCM): they decode to
#: floats in [-1, 1], so neither the file's samples nor their resampled clip can be
#: NaN or infinite, and the check (a pass over every sample) is skipped for them.
_INTEGER_SUBTYPES = frozenset({"PCM_S8", "PCM_U8", "PCM_16", "PCM_24", "PCM_32", "ULAW", "ALAW"})


def _downmix_into(data, out):
    """Average the channels of ``data`` (frames, channels) into ``out`` (frames,); True if all finite.

    One pass (:func:`skaudio._kernels.waveform.downmix_into`), equal bit for bit to
    ``data.T.mean(axis=0)``, which read the frames-first array across its strides and
    cost as much as decoding the file.
    """
    from skaudio._kernels import waveform

    if data.shape[1] <= waveform.MAX_DOWNMIX_CHANNELS:
        finite = waveform.downmix_into(data, out)
    else:  # numpy sums 8 or more channels in blocks; its own mean keeps the same values
        with np.errstate(over="ignore", invalid="ignore"):
            np.mean(data.T, axis=0, out=out)
        finite = _all_finite(out)
    if not finite and np.isfinite(data).all():
        # float32 sums of samples near 3.4e38 overflow although their mean cannot: the
        # rare loud file is averaged in float64 instead (no extra pass in the common case)
        out[:] = data.T.mean(axis=0, dtype=np.float64)
        return True
    return finite


def _downmix(data):
    """The mean of the channels ``data`` (channels, frames), float32."""
    data = np.asarray(data, dtype=np.float32)
    if data.shape[0] == 1:
        return data[0].copy()
    out = np.empty(data.shape[1], np.float32)
    _downmix_into(data.T, out)
    return out


def _all_finite(y):
    """No NaN or inf in ``y``: one numba pass (13 us for 5 s at 44.1 kHz, 21-100 us for
    ``np.isfinite(y).all()``, rough runs on a loaded machine)."""
    from skaudio._kernels.waveform import all_finite

    return all_finite(np.ascontiguousarray(y).reshape(-1))


def _resample_finite(y, orig_sr, target_sr, *, check=True):
    """:func:`resample`, refusing (``ValueError``) a result float32 cannot hold.

    soxr filters in float32, so samples near float32's maximum overflow inside it
    even when the resampled signal fits; such input is resampled at a power-of-two
    scale (exact) and scaled back in float64. ``check=False`` skips looking at the
    result, for samples known to lie in [-1, 1] (integer PCM files).
    """
    # checked before soxr too: ratios below about 1e-12 make it hang designing its filter
    out = None if y.shape[-1] * target_sr / orig_sr < 0.5 else resample(y, orig_sr, target_sr)
    if out is None or out.shape[-1] == 0:
        raise ValueError(
            f"resampling its {y.shape[-1]} sample(s) ({y.shape[-1] / orig_sr:.3g} s) from {orig_sr:g} Hz "
            f"to sr={target_sr:g} Hz leaves no sample; sr is too low for so short a clip"
        )
    if not check or _all_finite(out) or not _all_finite(y):
        return out
    exponent = int(np.frexp(float(np.max(np.abs(y))))[1])
    scaled = resample(np.ldexp(y, -exponent), orig_sr, target_sr).astype(np.float64)
    out = np.ldexp(scaled, exponent)
    peak = float(np.max(np.abs(out)))
    limit = float(np.finfo(np.float32).max)
    if not peak <= limit:
        raise ValueError(
            f"resampling it from {orig_sr:g} Hz to sr={target_sr:g} Hz gives samples up to {peak:.3g}, "
            f"beyond float32's range ({limit:.3g}; the resampling filter rings above the input's "
            f"peak {float(np.max(np.abs(y))):.3g}); scale the samples down or read at the file's own rate"
        )
    return out.astype(np.float32)


def _samples(duration, rate):
    """``round(duration * rate)`` when it is a clip length load_audio can return, else a ValueError."""
    n = duration * rate
    if not n > 0.5:  # 0.5 itself rounds (half to even) to an empty clip
        raise ValueError(
            f"duration={duration!r} s is less than one sample at {rate:g} Hz; "
            f"give at least {1 / rate:.3g} s (or duration=None to read the whole file)"
        )
    if not n <= MAX_CLIP_SAMPLES:
        raise ValueError(
            f"duration={duration!r} s is {n:.3g} samples at {rate:g} Hz, more than the "
            f"{MAX_CLIP_SAMPLES:,} of the longest clip load_audio returns (is the unit right? seconds)"
        )
    return int(round(n))


class _Rows:
    """The ``(n_files, *shape)`` output of a many-file read, made when the first clip's shape is known.

    Each file is decoded (or resampled) straight into its row, so the batch is never
    copied again: the ``np.stack`` at the end of the former version cost a tenth of the
    read, and doubled its peak memory. A clip of another shape gets an array of its own
    (the result is then a list, or stacked if the shapes agree after all).
    """

    def __init__(self, n):
        self.n = n
        self.out = None
        self._given_up = False
        self._lock = threading.Lock()

    def row(self, index, shape):
        """Row ``index`` to write a clip of ``shape`` into, or None."""
        if self.out is None and not self._given_up:
            with self._lock:  # the reading threads race to the first clip
                if self.out is None and not self._given_up:
                    try:
                        self.out = np.empty((self.n, *shape), np.float32)
                    except (MemoryError, ValueError):  # ragged files that only look alike: clip by clip
                        self._given_up = True
        out = self.out
        if out is None or out.shape[1:] != shape:
            return None
        return out[index]


def _open(path):
    """``sf.SoundFile(path)``, or a ``ValueError`` saying why the file cannot be opened."""
    try:
        path = os.fspath(path)
    except TypeError:
        raise ValueError(f"could not read audio file {path!r}: not a path") from None
    try:
        return path, sf.SoundFile(path)
    except (sf.LibsndfileError, RuntimeError, TypeError, ValueError, OSError) as exc:
        # the file system is asked why only when opening failed (3 stat calls per file otherwise)
        if not os.path.exists(path):
            why = "no such file"
        elif os.path.isdir(path):
            why = "it is a directory"
        elif os.path.getsize(path) == 0:
            why = "it is empty (0 bytes)"
        else:
            why = str(exc)
        raise ValueError(f"could not read audio file {path!r}: {why}") from exc


def _read_one(path, sr, mono, offset, duration, rows=None, index=None):
    """Clip ``index`` as ``(clip, rate, written_in_row)``; ``rows`` (a :class:`_Rows`) or a new array."""
    path, f = _open(path)
    try:
        with f:
            y, in_row = _decode(f, sr, mono, offset, duration, rows, index)
            cut = _truncation(f.extra_info)
            n_frames, rate = f.frames, (sr if sr is not None else f.samplerate)
    except (sf.LibsndfileError, RuntimeError, TypeError, ValueError, OSError) as exc:
        raise ValueError(f"could not read audio file {path!r}: {exc}") from exc
    if cut:
        warnings.warn(
            f"audio file {path!r} looks truncated ({cut}); read the {n_frames} samples it holds",
            UserWarning,
            stacklevel=3,
        )
    return y, rate, in_row


def _output(rows, index, shape):
    row = None if rows is None else rows.row(index, shape)
    return (np.empty(shape, np.float32), False) if row is None else (row, True)


def _decode(f, sr, mono, offset, duration, rows, index):
    """The clip of the open file ``f`` as load_audio returns it, and whether it went into ``rows``.

    Every sample is touched once after decoding: read into the output (a mono file),
    or mixed/reordered into it with the finiteness check in the same pass (several
    channels), or resampled and copied into it. Files of integer samples are not
    checked for NaN/inf at all (:data:`_INTEGER_SUBTYPES`).
    """
    native_sr = f.samplerate
    if f.frames == 0:
        raise ValueError("it holds no audio samples (empty or truncated file)")
    rate = native_sr if sr is None else sr
    target = None if duration is None else _samples(duration, rate)
    if rate != native_sr:  # checked before reading: nothing is allocated
        problem = _upsampling_error(native_sr, rate, f.frames)
        if problem:
            raise ValueError(f"its header claims {native_sr} Hz and sr={rate:g}: {problem}")
    start = round(offset * native_sr) if offset * native_sr <= f.frames else f.frames + 1
    if start > f.frames or (start == f.frames and duration is None):  # nothing left to read
        raise ValueError(f"offset={offset} s is past the end ({f.frames / native_sr:.3f} s)")
    if start:
        f.seek(start)
    wanted = f.frames - start if duration is None else min(f.frames - start, int(round(duration * native_sr)))
    check = f.subtype not in _INTEGER_SUBTYPES
    if rate != native_sr:
        y = _resample_file(f, wanted, mono, native_sr, rate, check)
        length = y.shape[-1] if target is None else target
        out, in_row = _output(rows, index, (*y.shape[:-1], length))
        n = min(length, y.shape[-1])
        out[..., :n] = y[..., :n]
        out[..., n:] = 0
        return out, in_row
    length = wanted if target is None else target  # equal unless the file is shorter than duration
    out, in_row = _output(rows, index, (length,) if mono else (f.channels, length))
    if f.channels == 1:  # decoded straight into the output; no kernel (nor numba) for integer PCM
        buf = out if mono else out[0]
        n = len(f.read(wanted, out=buf[:wanted])) if wanted else 0
        if check and not _all_finite(buf[:n]):
            raise ValueError(_nonfinite_message(buf[:n]))
    else:
        from skaudio._kernels import waveform

        data = f.read(wanted, dtype="float32", always_2d=True)
        n = len(data)
        finite = _downmix_into(data, out[:n]) if mono else waveform.channels_first_into(data, out[:, :n])
        if not finite:
            raise ValueError(_nonfinite_message(data))
    if n < length:
        if target is None:  # the header announced more frames than the file held (a cut file)
            return out[..., :n].copy(), False
        out[..., n:] = 0  # duration past the end of the file: zero-padded
    return out, in_row


def _resample_file(f, wanted, mono, native_sr, rate, check):
    """``wanted`` frames of ``f``, mixed down if ``mono``, resampled to ``rate`` (checked when ``check``)."""
    data = f.read(wanted, dtype="float32", always_2d=True)  # (frames, channels)
    if not mono:
        y, finite = data.T, not check or _all_finite(data)
    elif data.shape[1] == 1:
        y = data[:, 0]
        finite = not check or _all_finite(y)
    else:
        y = np.empty(len(data), np.float32)
        finite = _downmix_into(data, y)
    # NaN/inf in the file are refused before resampling; a finite file whose resampled
    # samples overflow float32 is handled after it (_resample_finite)
    if not finite:
        raise ValueError(_nonfinite_message(data))
    return _resample_finite(y, native_sr, rate, check=check)


def _read_or_error(path, sr, mono, offset, duration, on_error, rows=None, index=None):
    """:func:`_read_one`, or with ``on_error="warn"`` the ``ValueError`` it raised."""
    try:
        return _read_one(path, sr, mono, offset, duration, rows, index)
    except ValueError as exc:
        if on_error == "raise":
            raise
        return exc


def _map_files(read, n, n_jobs):
    """``[read(i) for i in range(n)]`` on ``n_jobs`` threads of this process.

    The threads take the next file from a shared counter (files of unequal lengths
    balance themselves); soundfile, soxr and the numba kernels release the GIL. An
    exception stops the other threads taking files, and the one of the first file
    among those that raised is raised.
    """
    workers = min(resolve_n_jobs(local_threads(n_jobs)), n)
    if workers <= 1:
        return [read(i) for i in range(n)]
    results = [None] * n
    errors = {}
    next_index = itertools.count().__next__  # atomic under the GIL

    def work():
        while not errors:
            i = next_index()
            if i >= n:
                return
            try:
                results[i] = read(i)
            except BaseException as exc:  # re-raised below, in the caller's thread
                errors[i] = exc

    with ThreadPoolExecutor(workers, thread_name_prefix="skaudio-load") as pool:
        futures = [pool.submit(work) for _ in range(workers)]
    for future in futures:
        future.result()
    if errors:
        raise errors[min(errors)]
    return results


def _check_seconds(value, name, *, none=False, zero=True):
    """``value`` as a finite number of seconds (``ValueError``/``TypeError`` naming ``name``)."""
    if value is None and none:
        return
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a number of seconds{' or None' if none else ''}, got {value!r}")
    if not (math.isfinite(value) and (value >= 0 if zero else value > 0)):
        raise ValueError(
            f"{name} must be a finite number of seconds {'>= 0' if zero else '> 0'}"
            f"{' (None reads to the end)' if none else ''}, got {value!r}"
        )


def load_audio(
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    sr: float | None = None,
    *,
    mono: bool = True,
    offset: float = 0.0,
    duration: float | None = None,
    n_jobs: int | None = None,
    on_error: str = "raise",
    return_paths: bool = False,
) -> NDArray[np.float32] | list[NDArray[np.float32]] | tuple[Any, list[str]]:
    """Read one or many audio files as float32 arrays.

    Parameters
    ----------
    paths : str, path-like, or sequence of them
        File(s) to read (any format libsndfile decodes).
    sr : float, default=None
        Resample to this rate (soxr, high quality); None keeps each file's own rate.
    mono : bool, default=True
        Average the channels. With ``mono=False`` a file gives ``(channels, n_samples)``.
    offset : float, default=0.0
        Start reading this many seconds into the file.
    duration : float, default=None
        Read this many seconds; shorter files are zero-padded at the end so
        every clip has exactly ``round(duration * sr)`` samples.
    n_jobs : int, default=None
        Threads reading files in parallel, each writing its clips straight
        into the returned batch (decoding and resampling release the GIL):
        None is 1, -1 all cores (joblib's convention). Under a cluster joblib
        backend (``joblib.parallel_config(backend="dask")``) each file is a
        joblib task instead.
    on_error : {"raise", "warn"}, default="raise"
        What to do with an unreadable file (missing, a directory, empty,
        corrupt, not audio, NaN or infinite samples, or a sampling rate that
        would need more than :data:`MAX_UPSAMPLING`-fold upsampling to
        ``sr``): raise a ``ValueError`` naming it, or skip it with
        one warning listing every skipped file and why (``return_paths=True``
        tells which files were kept). A file whose header announces more data
        than it holds (a cut download) is read as far as it goes, with a
        warning naming it.
    return_paths : bool, default=False
        Also return the list of the paths that were read, in the order of the
        returned clips.

    Returns
    -------
    y : ndarray or list of ndarray
        For a single path: the clip. For a sequence: a 2-D array
        ``(n_clips, n_samples)`` when all clips have the same shape (always the
        case with ``duration``), otherwise a list of 1-D arrays.
    sr : float
        Sampling rate of the returned audio (the files' own when ``sr`` is None;
        a ``ValueError`` is raised if they differ).
    paths : list
        Only with ``return_paths=True``: the paths read, in the order of the clips.

    Examples
    --------
    >>> import numpy as np, soundfile as sf, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "tone.wav")
    >>> sf.write(path, np.sin(np.arange(8000) / 10).astype(np.float32), 8000)
    >>> y, sr = load_audio(path, sr=16000)
    >>> y.shape, sr
    ((16000,), 16000)
    """
    if on_error not in ("raise", "warn"):
        raise ValueError(f"on_error must be 'raise' or 'warn', got {on_error!r}")
    if sr is not None:
        if isinstance(sr, bool) or not isinstance(sr, Real):
            raise TypeError(f"sr must be a sampling rate in Hz or None, got {sr!r}")
        if not (math.isfinite(sr) and sr > 0):
            raise ValueError(f"sr must be a finite sampling rate > 0 Hz (or None), got {sr!r}")
    _check_seconds(offset, "offset")
    _check_seconds(duration, "duration", none=True, zero=False)
    if n_jobs is not None and (isinstance(n_jobs, bool) or not isinstance(n_jobs, Integral)):
        raise TypeError(f"n_jobs must be an integer or None (joblib's convention), got {n_jobs!r}")
    if n_jobs == 0:
        raise ValueError("n_jobs must not be 0: None or 1 reads on this thread, -1 on every core")
    if duration is not None and sr is not None:
        _samples(duration, sr)  # before any file is opened
    single = isinstance(paths, (str, bytes, os.PathLike))
    if single:
        y, rate, _ = _read_one(paths, sr, mono, offset, duration)
        return (y, rate, [paths]) if return_paths else (y, rate)
    paths = list(paths)
    if not paths:
        raise ValueError("paths is empty: give at least one audio file")

    args = (sr, mono, offset, duration, on_error)
    if cluster_backend() is not None:  # joblib tasks on a cluster: each clip comes back on its own
        rows = None
        results = Parallel(n_jobs=n_jobs)(delayed(_read_or_error)(p, *args) for p in paths)
    else:
        rows = _Rows(len(paths))
        results = _map_files(lambda i: _read_or_error(paths[i], *args, rows, i), len(paths), n_jobs)
    bad = [(p, r) for p, r in zip(paths, results) if isinstance(r, Exception)]
    if bad:
        warnings.warn(
            f"skipped {len(bad)} unreadable file(s): " + "; ".join(str(r) for _, r in bad),
            UserWarning,
            stacklevel=2,
        )
    good = [i for i, r in enumerate(results) if not isinstance(r, Exception)]
    if not good:
        raise ValueError(f"none of the {len(paths)} files could be read")
    kept = [paths[i] for i in good]
    rates = {results[i][1] for i in good}
    if len(rates) > 1:
        raise ValueError(f"files have different sampling rates {sorted(rates)}; pass sr= to resample them")
    if all(results[i][2] for i in good):  # every clip went into its row of one array
        clips = rows.out if len(good) == len(paths) else rows.out[good]
    else:
        clips = [results[i][0] for i in good]
        if len({c.shape for c in clips}) == 1:
            clips = np.stack(clips)
    return (clips, rates.pop(), kept) if return_paths else (clips, rates.pop())
