"""Feature extraction for file lists larger than memory: chunked streaming and resumable memmaps.

:func:`iter_transform` reads and transforms a list of audio files one chunk
at a time, so only one chunk of audio is ever in memory;
:func:`extract_to_memmap` writes the chunks into a ``.npy`` file that is
memory-mapped on return, and resumes an interrupted run without recomputing
finished chunks.

Resuming is safe because of the order of the writes: a chunk's features are
written through a memory map and flushed to the file (``msync``) *before* the
chunk is marked as done in the small JSON sidecar ``<path>.progress.json``,
and the sidecar is replaced atomically (written to a temporary file, synced,
then renamed over the old one). A crash can therefore lose at most the chunks
that were not yet marked, which the next run computes again; it can never
leave a half-written chunk marked as done.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from numbers import Integral, Real
from pathlib import Path

import joblib
import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted
from tqdm.auto import tqdm

from skaudio._batching import batch_slices, map_batches
from skaudio.features.audio import AudioLoader

__all__ = ["iter_transform", "extract_to_memmap"]

_FORMAT = 1
#: Parameters that change how fast features are computed, not their values:
#: left out of the fingerprint that a resumed run must match.
_SPEED_PARAMS = ("n_jobs", "verbose")


def _check_files(files):
    if isinstance(files, (str, bytes, os.PathLike)) or not hasattr(files, "__len__"):
        raise TypeError(
            f"files must be a sequence of audio file paths, one per clip; got {type(files).__name__}"
        )
    files = list(files)
    if not files:
        raise ValueError("files is empty: give at least one audio file")
    bad = [f for f in files if not isinstance(f, (str, os.PathLike))]
    if bad:
        raise TypeError(f"files must be str or path-like, got e.g. {bad[0]!r}")
    return [os.fspath(f) for f in files]


def _check_chunk_size(chunk_size):
    if not isinstance(chunk_size, Integral) or isinstance(chunk_size, bool) or chunk_size < 1:
        raise ValueError(f"chunk_size must be a positive integer number of files, got {chunk_size!r}")
    return int(chunk_size)


def _loader(sr, duration, offset, n_jobs):
    """The AudioLoader reading each chunk, or None when the transformer takes the paths itself."""
    if sr is None:
        if duration is not None or offset:
            raise ValueError(
                "duration= and offset= describe how files are read, which needs sr=...; "
                "without sr the transformer receives the file paths (e.g. a pipeline "
                "that starts with AudioLoader)"
            )
        return None
    if not isinstance(sr, Real) or sr <= 0:
        raise ValueError(f"sr must be a positive sampling rate in Hz, got {sr!r}")
    loader = AudioLoader(sr=sr, duration=duration, offset=offset, n_jobs=n_jobs)
    loader._validate_params()
    return loader


def _needs_fit(transformer):
    try:
        check_is_fitted(transformer)
    except NotFittedError:
        return True
    return False


def _check_transformer(transformer):
    if not (hasattr(transformer, "transform") and hasattr(transformer, "get_params")):
        raise TypeError(
            "transformer must be a scikit-learn transformer (get_params, fit, transform), "
            f"got {type(transformer).__name__}"
        )


def _prepare(transformer, files, chunk_size, loader):
    """A fitted transformer: ``transformer`` itself, or a clone fitted on the first chunk."""
    if not _needs_fit(transformer):
        return transformer
    first = files[:chunk_size]
    return clone(transformer).fit(first if loader is None else loader.transform(first))


def _transform_chunk(transformer, loader, files, n_threads):
    # n_threads is unused: the transformer's own n_jobs (or one thread on a cluster worker) applies
    return transformer.transform(files if loader is None else loader.transform(files))


def _chunks(transformer, files, chunk_size, sr, duration, offset, n_jobs, todo=None):
    """``(index, slice, features)`` for the chunks ``todo`` (all when None), in order."""
    loader = _loader(sr, duration, offset, n_jobs)
    slices = batch_slices(len(files), chunk_size)
    todo = range(len(slices)) if todo is None else todo
    if not todo:
        return
    fitted = _prepare(transformer, files, chunk_size, loader)
    wanted = [slices[k] for k in todo]
    func = _ChunkTransform(fitted, loader)
    for k, (sl, features) in zip(todo, map_batches(func, files, wanted, n_jobs=n_jobs)):
        features = np.asarray(features)
        if features.ndim == 0 or len(features) != sl.stop - sl.start:
            raise ValueError(
                f"the transformer returned {features.shape[0] if features.ndim else 0} rows "
                f"for a chunk of {sl.stop - sl.start} files; it must return one row per file"
            )
        yield k, sl, features
        del features


class _ChunkTransform:
    """Picklable ``func(files, n_threads)`` for :func:`map_batches`: load a chunk, transform it."""

    def __init__(self, transformer, loader):
        self.transformer = transformer
        self.loader = loader

    def __call__(self, files, n_threads):
        return _transform_chunk(self.transformer, self.loader, files, n_threads)


def iter_transform(
    transformer: BaseEstimator,
    files: Sequence[str | os.PathLike[str]],
    *,
    chunk_size: int = 64,
    sr: float | None = None,
    duration: float | None = None,
    offset: float = 0.0,
    n_jobs: int | None = None,
    verbose: bool = False,
) -> Iterator[tuple[slice, np.ndarray]]:
    """Transform a list of audio files chunk by chunk, yielding the features of each chunk.

    Only one chunk of audio (``chunk_size`` files) is in memory at a time, so
    the list may be far larger than memory. Under a cluster joblib backend
    (``joblib.parallel_config(backend="dask")``) every chunk is a task: the
    files are read and transformed on the workers and only the features come
    back, in order.

    Parameters
    ----------
    transformer : estimator with ``transform``
        Applied to each chunk: to the waveforms ``(n, n_samples)`` read with
        ``sr`` (e.g. a :class:`MelSpectrogram`, or a pipeline of it and
        pooling), or, when ``sr`` is None, to the list of paths itself (a
        pipeline that starts with :class:`AudioLoader`). If it is not fitted, a
        clone is fitted on the first chunk: right for the feature extractors
        here, which learn nothing from the data but its shape; fit steps that
        learn statistics (scalers) yourself beforehand.
    files : sequence of str or path-like
        One audio file per clip.
    chunk_size : int, default=64
        Files read and transformed at once; bounds memory.
    sr : float, default=None
        Read each file at this rate (an :class:`AudioLoader`); None hands the
        paths to ``transformer``.
    duration : float, default=None
        Seconds per clip (padded or cut), with ``sr``; needed when files
        differ in length.
    offset : float, default=0.0
        Seconds skipped at the start of each file, with ``sr``.
    n_jobs : int, default=None
        joblib workers (threads) reading files: None is 1, -1 all cores
        (joblib's convention); the transformer's own ``n_jobs`` sets its
        threads. On a cluster backend, passed to ``joblib.Parallel``.
    verbose : bool, default=False
        Progress bar over the files.

    Yields
    ------
    rows : slice
        Which files the chunk holds (``files[rows]``).
    features : ndarray
        ``transformer.transform`` of the chunk.

    See Also
    --------
    extract_to_memmap : write the chunks to a resumable memory-mapped file.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np, soundfile as sf
    >>> from skaudio.features import MelSpectrogram, iter_transform
    >>> folder = tempfile.mkdtemp()
    >>> files = [os.path.join(folder, f"{i}.wav") for i in range(5)]
    >>> for i, f in enumerate(files):
    ...     sf.write(f, np.sin(np.arange(8000) * (i + 1) / 20).astype(np.float32), 8000)
    >>> mel = MelSpectrogram(sr=8000, n_fft=512, hop_length=256, n_mels=32)
    >>> for rows, S in iter_transform(mel, files, chunk_size=2, sr=8000):
    ...     print(rows, S.shape)
    slice(0, 2, None) (2, 32, 32)
    slice(2, 4, None) (2, 32, 32)
    slice(4, 5, None) (1, 32, 32)
    """
    files = _check_files(files)
    chunk_size = _check_chunk_size(chunk_size)
    _check_transformer(transformer)
    _loader(sr, duration, offset, n_jobs)  # argument errors now, not at the first next()
    return _iter_transform(transformer, files, chunk_size, sr, duration, offset, n_jobs, verbose)


def _iter_transform(transformer, files, chunk_size, sr, duration, offset, n_jobs, verbose):
    with tqdm(total=len(files), desc="iter_transform", unit="clip", disable=not verbose, leave=False) as bar:
        for _, sl, features in _chunks(transformer, files, chunk_size, sr, duration, offset, n_jobs):
            yield sl, features
            del features
            bar.update(sl.stop - sl.start)


def _fingerprint(transformer):
    """Hash of the transformer's class and parameters, speed-only parameters left out."""

    def plain(value):
        if hasattr(value, "get_params"):
            return type(value).__qualname__
        if isinstance(value, (list, tuple)):
            return type(value)(plain(v) for v in value)
        return value

    params = {
        key: plain(value)
        for key, value in transformer.get_params(deep=True).items()
        if key.rsplit("__", 1)[-1] not in _SPEED_PARAMS
    }
    return joblib.hash((type(transformer).__qualname__, params))


def _settings(transformer, files, chunk_size, sr, duration, offset):
    return {
        "format": _FORMAT,
        "n_files": len(files),
        "files": joblib.hash(files),
        "chunk_size": chunk_size,
        "transformer": _fingerprint(transformer),
        "sr": None if sr is None else float(sr),
        "duration": None if duration is None else float(duration),
        "offset": float(offset),
    }


def _progress_path(path):
    return path.with_name(path.name + ".progress.json")


def _write_atomic(path, state):
    """Replace ``path`` by ``state`` as JSON so that readers see the old or the new file, never a mix."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(state, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    try:  # make the rename itself durable (POSIX); not possible everywhere
        fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _read_state(progress, path, settings):
    """The saved progress when it matches ``settings``; a clear error otherwise."""
    try:
        state = json.loads(progress.read_text(encoding="utf-8"))
        saved = state["settings"]
        done = [int(k) for k in state["done"]]
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(
            f"cannot read the progress file {progress} ({exc}); delete it or pass resume=False to start again"
        ) from None
    differ = sorted(k for k in set(settings) | set(saved) if saved.get(k) != settings.get(k))
    if differ:
        raise ValueError(
            f"{path} holds an extraction with different settings ({', '.join(differ)} differ: "
            f"saved {[saved.get(k) for k in differ]}, now {[settings.get(k) for k in differ]}); "
            "pass resume=False to start again, or write to another path"
        )
    if state.get("shape") is not None:
        try:
            existing = np.load(path, mmap_mode="r")
        except (OSError, ValueError) as exc:
            raise ValueError(
                f"{progress} records finished chunks but the data file {path} cannot be "
                f"read ({exc}); pass resume=False to start again"
            ) from None
        if list(existing.shape) != state["shape"] or existing.dtype.str != state["dtype"]:
            raise ValueError(
                f"{path} has shape {existing.shape} and dtype {existing.dtype}, but "
                f"{progress} records {tuple(state['shape'])} and {state['dtype']}; "
                "pass resume=False to start again"
            )
        del existing
    state["done"] = sorted(set(done))
    return state


def _write_chunk(path, rows, features):
    """Write ``features`` into rows ``rows`` of the .npy file at ``path`` and flush them to disk.

    The map is opened for this chunk only and closed after the flush, so the
    written pages do not stay in this process's resident memory.
    """
    out = np.load(path, mmap_mode="r+")
    try:
        out[rows] = features
        out.flush()
    finally:
        del out


def extract_to_memmap(
    transformer: BaseEstimator,
    files: Sequence[str | os.PathLike[str]],
    path: str | os.PathLike[str],
    *,
    chunk_size: int = 64,
    sr: float | None = None,
    duration: float | None = None,
    offset: float = 0.0,
    resume: bool = True,
    n_jobs: int | None = None,
    verbose: bool = False,
) -> np.memmap:
    """Extract features of many audio files into a ``.npy`` file, chunk by chunk, resumably.

    Reads ``chunk_size`` files at a time, transforms them and writes the
    features into the rows of a ``.npy`` file (created on the first chunk,
    shape ``(len(files), *features.shape[1:])``), so memory stays bounded by
    one chunk whatever the number of files. Progress is kept in
    ``<path>.progress.json``: a chunk is marked as done only after its rows
    are flushed to the file, and the marker file is replaced atomically, so
    after an interruption (an exception, a killed process, a power cut)
    calling again with the same arguments computes only the chunks that were
    not finished, and the result equals an uninterrupted run.

    Under a cluster joblib backend (``joblib.parallel_config(backend="dask")``)
    the chunks are computed on the workers (which must see the files) and
    written here as they come back, in order.

    Parameters
    ----------
    transformer : estimator with ``transform``
        As in :func:`iter_transform` (fitted, or a clone is fitted on the
        first chunk).
    files : sequence of str or path-like
        One audio file per clip; row ``i`` of the output belongs to ``files[i]``.
    path : str or path-like
        The ``.npy`` file to write (conventionally ending in ``.npy``). An
        existing file without a progress sidecar is overwritten.
    chunk_size : int, default=64
        Files per chunk: the unit of memory, of work on a cluster, and of
        resuming.
    sr, duration, offset : float
        How files are read, as in :func:`iter_transform`.
    resume : bool, default=True
        Continue the extraction recorded at ``path`` if there is one. Its
        settings (files, ``chunk_size``, ``sr``, ``duration``, ``offset``,
        the transformer's class and parameters except ``n_jobs`` and
        ``verbose``) must match, otherwise a ``ValueError`` says which differ.
        Learned state of a fitted transformer is not compared. False starts
        afresh, overwriting.
    n_jobs : int, default=None
        joblib workers (threads) reading files: None is 1, -1 all cores
        (joblib's convention); the transformer's own ``n_jobs`` sets its
        threads. On a cluster backend, passed to ``joblib.Parallel``.
    verbose : bool, default=False
        tqdm progress over the files (finished chunks counted from the start).

    Returns
    -------
    features : numpy.memmap
        The whole array, opened read-only (``np.load(path, mmap_mode="r")``).

    See Also
    --------
    iter_transform : the same chunks as a generator.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np, soundfile as sf
    >>> from skaudio.features import MelSpectrogram, extract_to_memmap
    >>> folder = tempfile.mkdtemp()
    >>> files = [os.path.join(folder, f"{i}.wav") for i in range(5)]
    >>> for i, f in enumerate(files):
    ...     sf.write(f, np.sin(np.arange(8000) * (i + 1) / 20).astype(np.float32), 8000)
    >>> mel = MelSpectrogram(sr=8000, n_fft=512, hop_length=256, n_mels=32)
    >>> out = os.path.join(folder, "logmel.npy")
    >>> S = extract_to_memmap(mel, files, out, chunk_size=2, sr=8000)
    >>> S.shape, S.dtype
    ((5, 32, 32), dtype('float32'))
    >>> again = extract_to_memmap(mel, files, out, chunk_size=2, sr=8000)  # all done: nothing computed
    >>> bool(np.array_equal(again, S))
    True
    """
    files = _check_files(files)
    chunk_size = _check_chunk_size(chunk_size)
    path = Path(path)
    progress = _progress_path(path)
    _check_transformer(transformer)
    _loader(sr, duration, offset, n_jobs)  # argument errors before any file is touched
    settings = _settings(transformer, files, chunk_size, sr, duration, offset)

    state = None
    if resume and progress.exists():
        state = _read_state(progress, path, settings)
    if state is None:
        progress.unlink(missing_ok=True)  # first the marker, so no stale "done" survives a crash
        path.unlink(missing_ok=True)
        state = {"settings": settings, "shape": None, "dtype": None, "done": []}

    slices = batch_slices(len(files), chunk_size)
    done = set(state["done"])
    todo = [k for k in range(len(slices)) if k not in done]
    finished = sum(slices[k].stop - slices[k].start for k in done)
    with tqdm(
        total=len(files),
        initial=finished,
        desc="extract_to_memmap",
        unit="clip",
        disable=not verbose,
        leave=False,
    ) as bar:
        for k, sl, features in _chunks(transformer, files, chunk_size, sr, duration, offset, n_jobs, todo):
            if state["shape"] is None:
                shape = (len(files),) + features.shape[1:]
                np.lib.format.open_memmap(path, mode="w+", dtype=features.dtype, shape=shape).flush()
                state["shape"], state["dtype"] = list(shape), features.dtype.str
                _write_atomic(progress, state)
            dtype = np.dtype(state["dtype"])
            if list(features.shape[1:]) != state["shape"][1:]:
                raise ValueError(
                    f"chunk {k} (files {sl.start}..{sl.stop - 1}) has features of shape "
                    f"{features.shape[1:]}, "
                    f"the first chunk {tuple(state['shape'][1:])}; give clips one length (duration=)"
                )
            if not np.can_cast(features.dtype, dtype, casting="same_kind"):
                raise ValueError(f"chunk {k} has dtype {features.dtype}, the output file {dtype}")
            _write_chunk(path, sl, features)
            done.add(k)
            state["done"] = sorted(done)
            _write_atomic(progress, state)  # only now is the chunk marked as done
            del features
            bar.update(sl.stop - sl.start)
    return np.load(path, mmap_mode="r")
