"""Transformers at the start of a pipeline: file paths to waveforms, fixed length."""

from __future__ import annotations

from collections.abc import Mapping
from numbers import Integral, Real
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin
from sklearn.utils.validation import check_is_fitted

from skaudio._sklearn_compat import Interval, StrOptions, fit_context
from skaudio._validation import (
    _clip,
    _from_tensor,
    _is_audio_dict,
    _is_path,
    audio_dict_clips,
    check_waveforms,
)
from skaudio.features._output import ArrayOutputMixin, validate_features
from skaudio.io import (
    MAX_CLIP_SAMPLES,
    _downmix,
    _resample_finite,
    _samples,
    check_memory,
    fix_length,
    load_audio,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["AudioLoader", "FixLength"]


class AudioLoader(ClassNamePrefixFeaturesOutMixin, ArrayOutputMixin, BaseEstimator):
    """Read audio files so that a pipeline can start from file paths.

    ``transform(paths)`` returns a float32 batch ``(n_clips, n_samples)`` of
    mono audio at ``sr``, via :func:`skaudio.io.load_audio`. Nothing is
    learned, so ``transform`` also works without ``fit``. For file lists
    larger than memory, stream them chunk by chunk with
    :func:`skaudio.features.iter_transform` or
    :func:`skaudio.features.extract_to_memmap`.

    A Hugging Face ``datasets`` audio column (``dataset["audio"]``: dicts with
    ``array``, ``sampling_rate`` and ``path``) is accepted as well: decoded
    clips are resampled to ``sr`` from their ``sampling_rate`` and cut by
    ``offset`` and ``duration`` like files; undecoded ones (no ``array``) are
    read from their ``path``.

    Parameters
    ----------
    sr : float
        Sampling rate to resample every file to (soxr, high quality).
    duration : float, default=None
        Seconds per clip: longer files are cut, shorter ones zero-padded. When
        None every file must have the same length, otherwise ``transform``
        says so (add ``duration=`` or read with :func:`~skaudio.io.load_audio` and use
        :class:`FixLength`).
    offset : float, default=0.0
        Seconds skipped at the start of each file.
    n_jobs : int, default=None
        joblib workers (threads) reading files: None is 1, -1 all cores
        (joblib's convention). Under a cluster joblib backend the reads are
        joblib tasks instead (see :doc:`/user_guide/scaling`).

    Attributes
    ----------
    n_samples_out_ : int
        Samples per output clip: ``round(duration * sr)``, or, when
        ``duration`` is None, the length of the first clip (read in ``fit``).
        ``get_feature_names_out`` names the output columns ``audioloader0``,
        ``audioloader1``, ... from it, and ``set_output(transform="pandas")``
        gives a DataFrame with these columns.

    Examples
    --------
    >>> import numpy as np, soundfile as sf, tempfile, os
    >>> d = tempfile.mkdtemp()
    >>> paths = [os.path.join(d, f"{i}.wav") for i in range(2)]
    >>> for p in paths:
    ...     sf.write(p, np.zeros(4000, np.float32), 8000)
    >>> AudioLoader(sr=16000, duration=1.0).fit_transform(paths).shape
    (2, 16000)
    >>> column = [{"array": np.zeros(8000), "sampling_rate": 8000, "path": None}]
    >>> AudioLoader(sr=16000).fit_transform(column).shape  # a datasets audio column
    (1, 16000)
    """

    _parameter_constraints = {
        "sr": [Interval(Real, 0, None, closed="neither"), None],
        "duration": [Interval(Real, 0, None, closed="neither"), None],
        "offset": [Interval(Real, 0, None, closed="left")],
        "n_jobs": [Integral, None],
    }

    def __init__(
        self,
        *,
        sr: float | None = None,
        duration: float | None = None,
        offset: float = 0.0,
        n_jobs: int | None = None,
    ) -> None:
        self.sr = sr
        self.duration = duration
        self.offset = offset
        self.n_jobs = n_jobs

    @staticmethod
    def _check_paths(paths):
        """A list of paths or of audio dicts; a one-line error for anything else."""
        if _is_path(paths) or isinstance(paths, Mapping) or not hasattr(paths, "__len__"):
            raise TypeError(
                "AudioLoader expects a sequence of file paths (or a datasets audio "
                f"column), one per clip; got a single {type(paths).__name__}"
            )
        paths = _from_tensor(paths)
        if isinstance(paths, np.ndarray) and paths.dtype.kind in "fiucb":
            raise TypeError(
                f"AudioLoader expects file paths or audio dicts, got a numeric array of shape "
                f"{paths.shape}; waveforms need no loading: pass them to the next step directly"
            )
        items = list(paths.ravel()) if isinstance(paths, np.ndarray) else list(paths)
        if not items:
            raise ValueError("no file paths given")
        for i, item in enumerate(items):
            if not (_is_path(item) or _is_audio_dict(item)):
                raise TypeError(
                    f"AudioLoader expects file paths or audio dicts; item {i} is a "
                    f"{type(item).__name__} ({_clip(repr(item))})"
                )
        return items

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, paths: ArrayLike, y: ArrayLike | None = None) -> AudioLoader:
        """Check parameters and input, and fix the output length.

        Parameters
        ----------
        paths : sequence of str or path-like, or of audio dicts
        y : ignored

        Returns
        -------
        self : object
        """
        self._check_sr()
        items = self._check_paths(paths)
        if self.duration is not None:
            self.n_samples_out_ = _samples(self.duration, self.sr)  # a ValueError naming duration
        else:  # every clip must have this length, so the first one tells it
            self.n_samples_out_ = int(self._load(items[:1]).shape[1])
        self.fitted_ = True
        return self

    def _check_sr(self):
        if self.sr is None:
            raise ValueError("AudioLoader needs the sampling rate to load at: pass sr=... (in Hz)")

    @property
    def _n_features_out(self):
        if not hasattr(self, "n_samples_out_") and self.duration is not None and self.sr is not None:
            return int(round(self.duration * self.sr))  # transform without fit names its output too
        return self.n_samples_out_

    def _from_dict(self, item, i):
        """One decoded datasets clip at ``sr``, cut like a file."""
        (y,), rate = audio_dict_clips([item], name=f"paths[{i}]")
        if rate is None:
            raise ValueError(
                f"paths[{i}] is an audio dict without 'sampling_rate'; AudioLoader needs it to resample to sr"
            )
        y = check_waveforms(np.atleast_2d(y), name=f"paths[{i}]['array']", dtype=np.float32)
        y = _downmix(y) if len(y) > 1 else y[0]  # (channels, samples) -> mono, as load_audio
        start = int(round(self.offset * rate))
        if start > len(y):
            raise ValueError(f"offset={self.offset} s is past the end of paths[{i}] ({len(y) / rate:.3f} s)")
        y = y[start:] if self.duration is None else y[start : start + int(round(self.duration * rate))]
        if float(rate) != float(self.sr):
            try:  # refuses a result float32 cannot hold and a rate that leaves no sample
                y = _resample_finite(y, rate, self.sr)
            except ValueError as exc:
                raise ValueError(f"paths[{i}]: {exc}") from None
        if self.duration is not None:
            y = fix_length(y, _samples(self.duration, self.sr))
        return np.ascontiguousarray(y, dtype=np.float32)

    def _load(self, items):
        """Read a validated list of paths and audio dicts; a 2-D batch or a list of clips."""
        if not any(_is_audio_dict(item) for item in items):
            X, _ = load_audio(
                items, sr=self.sr, offset=self.offset, duration=self.duration, n_jobs=self.n_jobs
            )
            return X
        clips = []
        for i, item in enumerate(items):
            if _is_audio_dict(item) and item.get("array") is not None:
                clips.append(self._from_dict(item, i))
            else:  # a path, or an undecoded datasets entry that has one
                path = item.get("path") if _is_audio_dict(item) else item
                if path is None:
                    raise ValueError(f"paths[{i}] is an audio dict with neither 'array' nor 'path'")
                clips.append(load_audio(path, sr=self.sr, offset=self.offset, duration=self.duration)[0])
        if len({len(c) for c in clips}) == 1:
            return np.stack(clips)
        return clips

    def transform(self, paths: ArrayLike) -> NDArray[np.float32] | pd.DataFrame:
        """Load the files (or decoded datasets clips).

        Parameters
        ----------
        paths : sequence of str or path-like, or of audio dicts

        Returns
        -------
        X : ndarray of shape (n_clips, n_samples), float32
        """
        if not hasattr(self, "fitted_"):  # nothing is learned, so no fit is needed (requires_fit=False)
            self._validate_params()
            self._check_sr()
        X = self._load(self._check_paths(paths))
        if isinstance(X, list):
            lengths = [len(x) for x in X]
            raise ValueError(
                f"the files have different lengths ({min(lengths)} to {max(lengths)} samples at "
                f"sr={self.sr}); set duration= to pad or cut them to one length"
            )
        return X

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.requires_fit = False
        return tags


class FixLength(ClassNamePrefixFeaturesOutMixin, ArrayOutputMixin, BaseEstimator):
    """Pad or crop clips to one length, so variable-length audio becomes a batch.

    Accepts a 2-D batch or a list of 1-D clips of different lengths (as
    :func:`skaudio.io.load_audio` returns them, as torch tensors, or a Hugging
    Face ``datasets`` audio column of dicts with ``array`` and one
    ``sampling_rate``) and returns ``(n_clips, length)`` float32 via
    :func:`skaudio.io.fix_length`. ``get_feature_names_out`` names the output
    columns ``fixlength0``, ``fixlength1``, ...

    Parameters
    ----------
    length : int, default=None
        Samples per output clip. When None, the length of the longest clip
        seen in ``fit`` is used (``length_``).
    pad_mode : {"constant", "wrap", "reflect", "symmetric", "edge"}, default="constant"
        How short clips are filled (see :func:`skaudio.io.fix_length`).
    align : {"start", "center", "end"}, default="start"
        Which part of a long clip is kept / where padding goes.

    Attributes
    ----------
    length_ : int
        The output length.

    Examples
    --------
    >>> import numpy as np
    >>> clips = [np.ones(3, np.float32), np.ones(6, np.float32)]
    >>> FixLength(length=4).fit_transform(clips)
    array([[1., 1., 1., 0.],
           [1., 1., 1., 1.]], dtype=float32)
    """

    _parameter_constraints = {
        "length": [Interval(Integral, 1, MAX_CLIP_SAMPLES, closed="both"), None],
        "pad_mode": [StrOptions({"constant", "wrap", "reflect", "symmetric", "edge"})],
        "align": [StrOptions({"start", "center", "end"})],
    }

    def __init__(
        self, *, length: int | None = None, pad_mode: str = "constant", align: str = "start"
    ) -> None:
        self.length = length
        self.pad_mode = pad_mode
        self.align = align

    def _clips(self, X, reset):
        """A validated 2-D batch, or a list of validated 1-D clips of different lengths."""
        if isinstance(X, (list, tuple)) and X and _is_audio_dict(X[0]):
            X, _ = audio_dict_clips(X)
        if (
            isinstance(X, (list, tuple))
            and X
            and all(hasattr(x, "__len__") for x in X)
            and len({len(x) for x in X}) > 1
        ):
            clips = [np.asarray(_from_tensor(x)) for x in X]
            for i, x in enumerate(clips):
                if x.ndim != 1:
                    raise ValueError(f"clip {i} must be 1-D mono audio, got shape {x.shape}")
                check_waveforms(x[np.newaxis], name=f"clip {i}")
            return clips
        X_in, X = X, check_waveforms(X)
        if reset:  # any length is welcome in transform: fixing it is the point
            validate_features(self, X_in, X, reset=True)
        return X

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: ArrayLike, y: ArrayLike | None = None) -> FixLength:
        """Fix the output length.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_samples) or list of 1-D arrays
        y : ignored

        Returns
        -------
        self : object
        """
        clips = self._clips(X, reset=True)
        self.length_ = self.length if self.length is not None else max(len(c) for c in clips)
        return self

    def transform(self, X: ArrayLike) -> NDArray[np.float32] | pd.DataFrame:
        """Pad or crop every clip to ``length_`` samples (new array)."""
        check_is_fitted(self, "length_")
        clips = self._clips(X, reset=False)
        check_memory(4 * len(clips) * self.length_, f"length={self.length_} on {len(clips)} clip(s)")
        out = np.empty((len(clips), self.length_), dtype=np.float32)
        for i, c in enumerate(clips):  # per-clip copy; not a numeric hot path
            out[i] = fix_length(c, self.length_, pad_mode=self.pad_mode, align=self.align)
        return out

    @property
    def _n_features_out(self):
        return self.length_
