"""Training data that stays on disk: memory-mapped arrays and audio files read one clip at a time.

The classifiers accept two kinds of input larger than memory besides in-memory arrays:

* a :class:`numpy.memmap` (as :func:`skaudio.features.extract_to_memmap` writes it):
  the clips are read from the file row by row with ordinary reads, so the process
  holds only the current batch, and the training iterator (with DataLoader workers
  too) receives the file's path, offset and layout instead of the data;
* an :class:`AudioFileDataset`: a list of audio files, each read with
  :func:`skaudio.io.load_audio` and passed through a front end (a fitted skaudio
  transformer such as :class:`~skaudio.features.MelSpectrogram`) when the training
  iterator asks for it.

Why reads and not the memory map itself: pages of a mapped file count in the
process's resident memory once touched, so one epoch over a memory-mapped 600 MB
array shows 600 MB resident (the kernel can drop them, but ``ru_maxrss`` and
batch schedulers count them); a read copies one clip into a buffer of its own.
"""

from __future__ import annotations

import mmap
import os
from collections.abc import Sequence
from numbers import Real

import numpy as np
import torch
from sklearn.base import BaseEstimator, clone

from skaudio._validation import _cast, _check_float_dtype, check_finite

__all__ = ["AudioFileDataset"]

#: bytes read at a time by the up-front checks of a memory-mapped array: 16 MiB, a few
#: batches of spectrograms, so the checks add less to the peak memory than training does
_CHECK_BYTES = 16 * 2**20


class _MemmapRows:
    """The rows of a memory-mapped array, read from its file one row (or chunk) at a time.

    Pickles as the file's path and layout, so DataLoader workers started with
    ``spawn`` or ``forkserver`` open the file themselves instead of receiving a copy
    of the data (pickling a ``numpy.memmap`` copies all of it). Arrays this cannot
    read from the file (a copy-on-write map, rows that are not contiguous, a map
    of an unnamed file) are indexed directly.
    """

    def __init__(self, X: np.memmap) -> None:
        self.shape = X.shape
        self.dtype = X.dtype
        layout = _file_layout(X)
        if layout is None:
            self.filename, self.offset, self.stride, self._array = None, 0, 0, X
        else:
            self.filename, self.offset, self.stride = layout
            self._array = None
        self.row_bytes = int(np.prod(self.shape[1:], dtype=np.int64)) * self.dtype.itemsize
        self._fd = self._pid = None

    def __len__(self) -> int:
        return self.shape[0]

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_fd"] = state["_pid"] = None
        return state

    def __del__(self):
        if getattr(self, "_fd", None) is not None and self._pid == os.getpid():
            os.close(self._fd)

    def _read(self, pos: int, nbytes: int) -> bytearray:
        if self._pid != os.getpid():  # a worker forked from the main process opens its own
            self._fd, self._pid = (
                os.open(self.filename, os.O_RDONLY | getattr(os, "O_BINARY", 0)),
                os.getpid(),
            )
        buf = bytearray(nbytes)
        view, done = memoryview(buf), 0
        while done < nbytes:
            if hasattr(os, "preadv"):
                n = os.preadv(self._fd, [view[done:]], pos + done)
            else:  # Windows: no pread; the descriptor is this process's own
                os.lseek(self._fd, pos + done, os.SEEK_SET)
                n = os.readv(self._fd, [view[done:]])
            if n == 0:
                raise ValueError(
                    f"{self.filename} ended at byte {pos + done}, but the memory-mapped array "
                    f"of shape {self.shape} needs {nbytes - done} more: was the file truncated?"
                )
            done += n
        return buf

    def rows(self, start: int, stop: int) -> np.ndarray:
        """Rows ``start:stop`` as a new array of the file's dtype."""
        n = stop - start
        if self._array is not None:
            return np.array(self._array[start:stop])
        if self.stride == self.row_bytes:
            buf = self._read(self.offset + start * self.stride, n * self.row_bytes)
        else:  # rows apart in the file (a view of every k-th row): one read each
            buf = bytearray().join(
                self._read(self.offset + i * self.stride, self.row_bytes) for i in range(start, stop)
            )
        return np.frombuffer(buf, dtype=self.dtype).reshape((n,) + self.shape[1:])

    def __getitem__(self, i: int) -> np.ndarray:
        return self.rows(i, i + 1)[0]


def _file_layout(X):
    """``(path, byte offset of row 0, row stride)`` of a memmap whose rows can be read from
    its file, or None."""
    root = X
    while isinstance(root.base, np.ndarray):
        root = root.base
    if (
        not isinstance(root, np.memmap)
        or not isinstance(root.base, mmap.mmap)
        or root.filename is None
        or root.mode == "c"  # copy-on-write: changes live in memory only, the file has the old data
        or X.ndim < 1
        or X.strides[0] <= 0
    ):
        return None
    item = X.shape[1:]
    c_strides = tuple(
        int(np.prod(item[k + 1 :], dtype=np.int64)) * X.dtype.itemsize for k in range(len(item))
    )
    if X.strides[1:] != c_strides and np.prod(item, dtype=np.int64) > 1:
        return None
    start = X.__array_interface__["data"][0] - root.__array_interface__["data"][0]
    return os.fspath(root.filename), int(root.offset) + int(start), int(X.strides[0])


def check_memmap(X, *, name, ndim, nonnegative=False, fix=None):
    """Validate a memory-mapped batch chunk by chunk, without holding it in memory.

    The same rules as the in-memory checks (floating point, ``ndim``, not empty,
    within float32's range, finite, non-negative where asked); returns the row reader.
    """
    _check_float_dtype(X, name, "spectrogram values" if ndim != (2,) else "waveforms")
    allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
    if X.ndim not in allowed:
        want = " or ".join(f"{d}-D" for d in allowed)
        raise ValueError(f"{name} must be {want}, got a {X.ndim}-D memory-mapped array of shape {X.shape}")
    if X.shape[0] == 0 or X.size == 0:
        raise ValueError(f"{name} is empty: found a memory-mapped array of shape {X.shape}")
    reader = _MemmapRows(X)
    step = max(1, _CHECK_BYTES // max(1, reader.row_bytes))
    for start in range(0, len(reader), step):
        stop = min(len(reader), start + step)
        chunk = _cast(reader.rows(start, stop), np.float32, name)
        if not np.isfinite(chunk).all():
            bad = start + int(np.flatnonzero(~np.isfinite(chunk).reshape(len(chunk), -1).all(axis=1))[0])
            check_finite(chunk, f"{name} (rows {start}-{stop - 1}, first at row {bad})")
        if nonnegative and (chunk < 0).any():
            bad = start + int(np.flatnonzero((chunk < 0).reshape(len(chunk), -1).any(axis=1))[0])
            raise ValueError(
                f"Negative values in data passed to {name} (row {bad}, min {float(chunk.min()):.4g}): this "
                "step needs non-negative input. "
                + (fix or "Pass a power or magnitude spectrogram (to_db=False), then convert to dB.")
            )
    return reader


class AudioFileDataset(torch.utils.data.Dataset):
    """Audio files read one clip at a time, through an optional front end: training data
    for the classifiers that never sits in memory whole.

    Item ``i`` is file ``i`` read with :func:`skaudio.io.load_audio` (mono,
    resampled to ``sr``, cut or zero-padded to ``duration``) and, when ``frontend``
    is given, transformed by it: a float32 array of shape ``(n_samples,)`` without
    a front end (input of :class:`~skaudio.models.DualBranchClassifier`) or the front
    end's output for one clip, e.g. ``(n_mels, n_frames)`` (input of the spectrogram
    classifiers). Pass it as ``X`` to ``fit``, ``predict`` or ``score`` of a
    classifier; the DataLoader reads the clips of each batch when it needs them, in
    its workers with ``iterator_train__num_workers=...`` (the dataset pickles as the
    paths and the front end). It is also an ordinary torch ``Dataset`` of arrays.

    Parameters
    ----------
    files : sequence of str or path-like
        One audio file per clip.
    sr : float
        Sampling rate the clips are resampled to, in Hz.
    duration : float or None, default=None
        Seconds read from each file; shorter files are zero-padded. None reads whole
        files, which must then all have one length (a batch stacks its clips).
    offset : float, default=0.0
        Seconds skipped at the start of each file.
    frontend : transformer or None, default=None
        A scikit-learn transformer of waveform batches ``(n_clips, n_samples)``, e.g.
        ``MelSpectrogram(sr=sr, ...)``. One that is not fitted is cloned and fitted on
        the first clip (skaudio's front ends learn only shapes), as
        :func:`~skaudio.features.extract_to_memmap` does.

    Attributes
    ----------
    frontend_ : transformer or None
        The fitted front end.
    shape : tuple of int
        ``(n_files,)`` followed by the shape of one item (read from the first file).

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np, soundfile as sf
    >>> from skaudio.features import MelSpectrogram
    >>> folder = tempfile.mkdtemp()
    >>> files = [os.path.join(folder, f"{i}.wav") for i in range(3)]
    >>> for f in files:
    ...     sf.write(f, np.zeros(4000, dtype=np.float32), 8000)
    >>> ds = AudioFileDataset(files, sr=8000, duration=0.5,
    ...                       frontend=MelSpectrogram(sr=8000, n_fft=256, hop_length=128, n_mels=16))
    >>> len(ds), ds.shape, ds[0].dtype
    (3, (3, 16, 32), dtype('float32'))
    """

    def __init__(
        self,
        files: Sequence[str | os.PathLike],
        sr: float,
        *,
        duration: float | None = None,
        offset: float = 0.0,
        frontend: BaseEstimator | None = None,
    ) -> None:
        from skaudio.features.streaming import _check_files, _needs_fit

        self.files = _check_files(files)
        if isinstance(sr, bool) or not isinstance(sr, Real) or not sr > 0:
            raise ValueError(f"sr must be a positive sampling rate in Hz, got {sr!r}")
        if duration is not None and (
            isinstance(duration, bool) or not isinstance(duration, Real) or not duration > 0
        ):
            raise ValueError(f"duration must be a positive number of seconds or None, got {duration!r}")
        if isinstance(offset, bool) or not isinstance(offset, Real) or not offset >= 0:
            raise ValueError(f"offset must be a non-negative number of seconds, got {offset!r}")
        if frontend is not None and not hasattr(frontend, "transform"):
            raise TypeError(
                f"frontend must be a transformer with a transform method (e.g. MelSpectrogram) or None, "
                f"got {type(frontend).__name__}"
            )
        self.sr, self.duration, self.offset, self.frontend = float(sr), duration, float(offset), frontend
        self.frontend_ = None
        if frontend is not None:
            self.frontend_ = clone(frontend).fit(self._load(0)[None]) if _needs_fit(frontend) else frontend
        self.shape = None
        self.shape = (len(self.files),) + self[0].shape

    def __len__(self) -> int:
        return len(self.files)

    def _load(self, i):
        from skaudio.io import load_audio

        return load_audio(self.files[i], sr=self.sr, duration=self.duration, offset=self.offset)[0]

    def __getitem__(self, i: int) -> np.ndarray:
        clip = self._load(i)
        if self.frontend_ is not None:
            clip = np.asarray(self.frontend_.transform(clip[None]))[0]
        clip = np.ascontiguousarray(clip, dtype=np.float32)
        expected = self.shape
        if expected is not None and clip.shape != expected[1:]:
            raise ValueError(
                f"{self.files[i]} gives an item of shape {clip.shape}, the first file {expected[1:]}: "
                "clips of one batch must have one length; set duration= (seconds read from each file)"
            )
        return clip

    def __repr__(self) -> str:
        return (
            f"AudioFileDataset({len(self.files)} files, sr={self.sr:g}, duration={self.duration!r}, "
            f"frontend={self.frontend!r})"
        )


class _ClipDataset(torch.utils.data.Dataset):
    """Items ``(clip, label)`` of a classifier's input that stays on disk.

    ``source``: a :class:`_MemmapRows` (checked up front) or an
    :class:`AudioFileDataset` (each clip checked when read: finite, non-negative where
    the network needs it). ``y``: the encoded labels, None for prediction. ``add_axis``:
    a 2-D spectrogram memmap, whose rows become single-frame spectrograms.
    """

    def __init__(self, source, y=None, *, checked=True, nonnegative=False, add_axis=False, name="X"):
        self.source, self.y = source, y
        self.checked, self.nonnegative, self.add_axis, self.name = checked, nonnegative, add_axis, name
        shape = tuple(source.shape)
        self.shape = shape + (1,) if add_axis else shape

    def with_targets(self, y):
        return _ClipDataset(
            self.source,
            y,
            checked=self.checked,
            nonnegative=self.nonnegative,
            add_axis=self.add_axis,
            name=self.name,
        )

    def __len__(self) -> int:
        return self.shape[0]

    def clip(self, i):
        x = self.source[i]
        if x.dtype != np.float32:
            x = _cast(x, np.float32, self.name)
        if not self.checked:
            where = f"{self.name} ({self.source.files[i]})" if hasattr(self.source, "files") else self.name
            check_finite(x, where)
            if self.nonnegative and (x < 0).any():
                raise ValueError(
                    f"Negative values in {where} (min {float(x.min()):.4g}): the network needs non-negative "
                    "input; give the front end power or magnitude output (to_db=False)"
                )
        return x[:, None] if self.add_axis else x

    def rows(self, start, stop):
        """Clips ``start:stop`` stacked (float32)."""
        if isinstance(self.source, _MemmapRows):
            x = _cast(self.source.rows(start, stop), np.float32, self.name)
            return x[:, :, None] if self.add_axis else x
        return np.stack([self.clip(i) for i in range(start, stop)])

    def __getitem__(self, i):
        # labels as skorch's own Dataset gives them, so both collate to the same batches
        return self.clip(i), (torch.Tensor([0]) if self.y is None else self.y[i])

    def peak(self):
        """Largest magnitude in the data (error messages)."""
        step = max(1, _CHECK_BYTES // (4 * int(np.prod(self.shape[1:]))))
        return max(
            float(np.abs(self.rows(i, min(len(self), i + step))).max()) for i in range(0, len(self), step)
        )
