"""Transformers at the start of a pipeline: file paths to waveforms, fixed length."""
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from skaudio._validation import check_waveforms
from skaudio.io import fix_length, load_audio

__all__ = ["AudioLoader", "FixLength"]


class AudioLoader(TransformerMixin, BaseEstimator):
    """Read audio files so that a pipeline can start from file paths.

    ``transform(paths)`` returns a float32 batch ``(n_clips, n_samples)`` of
    mono audio at ``sr``, via :func:`skaudio.io.load_audio`. Nothing is
    learned, so ``transform`` also works without ``fit``. For file lists
    larger than memory, stream them chunk by chunk with
    :func:`skaudio.features.iter_transform` or
    :func:`skaudio.features.extract_to_memmap`.

    Parameters
    ----------
    sr : float
        Sampling rate to resample every file to (soxr, high quality).
    duration : float, default=None
        Seconds per clip: longer files are cut, shorter ones zero-padded. When
        None every file must have the same length, otherwise ``transform``
        says so (add ``duration=`` or read with :func:`load_audio` and use
        :class:`FixLength`).
    offset : float, default=0.0
        Seconds skipped at the start of each file.
    n_jobs : int, default=None
        Threads reading files.

    Examples
    --------
    >>> import numpy as np, soundfile as sf, tempfile, os
    >>> d = tempfile.mkdtemp()
    >>> paths = [os.path.join(d, f"{i}.wav") for i in range(2)]
    >>> for p in paths:
    ...     sf.write(p, np.zeros(4000, np.float32), 8000)
    >>> AudioLoader(sr=16000, duration=1.0).fit_transform(paths).shape
    (2, 16000)
    """

    _parameter_constraints = {
        "sr": [Interval(Real, 0, None, closed="neither"), None],
        "duration": [Interval(Real, 0, None, closed="neither"), None],
        "offset": [Interval(Real, 0, None, closed="left")],
        "n_jobs": [Integral, None],
    }

    def __init__(self, *, sr=None, duration=None, offset=0.0, n_jobs=None):
        self.sr = sr
        self.duration = duration
        self.offset = offset
        self.n_jobs = n_jobs

    @staticmethod
    def _check_paths(paths):
        if isinstance(paths, str) or not hasattr(paths, "__len__"):
            raise TypeError("AudioLoader expects a sequence of file paths, one per clip; "
                            f"got {type(paths).__name__}")
        paths = list(np.asarray(paths, dtype=object).ravel())
        if not paths:
            raise ValueError("no file paths given")
        return paths

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, paths, y=None):
        """Check parameters (nothing is learned).

        Parameters
        ----------
        paths : sequence of str or path-like
        y : ignored

        Returns
        -------
        self : object
        """
        self._check_sr()
        self._check_paths(paths)
        self.fitted_ = True
        return self

    def _check_sr(self):
        if self.sr is None:
            raise ValueError("AudioLoader needs the sampling rate to load at: pass sr=... (in Hz)")

    def transform(self, paths):
        """Load the files.

        Parameters
        ----------
        paths : sequence of str or path-like

        Returns
        -------
        X : ndarray of shape (n_clips, n_samples), float32
        """
        if not hasattr(self, "fitted_"):  # nothing is learned, so no fit is needed (requires_fit=False)
            self._validate_params()
            self._check_sr()
        paths = self._check_paths(paths)
        X, _ = load_audio(paths, sr=self.sr, offset=self.offset, duration=self.duration,
                          n_jobs=self.n_jobs)
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


class FixLength(TransformerMixin, BaseEstimator):
    """Pad or crop clips to one length, so variable-length audio becomes a batch.

    Accepts a 2-D batch or a list of 1-D clips of different lengths (as
    :func:`skaudio.io.load_audio` returns them) and returns
    ``(n_clips, length)`` float32 via :func:`skaudio.io.fix_length`.

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
        "length": [Interval(Integral, 1, None, closed="left"), None],
        "pad_mode": [StrOptions({"constant", "wrap", "reflect", "symmetric", "edge"})],
        "align": [StrOptions({"start", "center", "end"})],
    }

    def __init__(self, *, length=None, pad_mode="constant", align="start"):
        self.length = length
        self.pad_mode = pad_mode
        self.align = align

    def _clips(self, X, reset):
        """A validated 2-D batch, or a list of validated 1-D clips of different lengths."""
        if isinstance(X, (list, tuple)) and X and all(hasattr(x, "__len__") for x in X) \
                and len({len(x) for x in X}) > 1:
            clips = [np.asarray(x) for x in X]
            for i, x in enumerate(clips):
                if x.ndim != 1:
                    raise ValueError(f"clip {i} must be 1-D mono audio, got shape {x.shape}")
                check_waveforms(x[np.newaxis], name=f"clip {i}")
            return clips
        X = check_waveforms(X)
        if reset:  # any length is welcome in transform: fixing it is the point
            validate_data(self, X, reset=True, skip_check_array=True)
        return X

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
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

    def transform(self, X):
        """Pad or crop every clip to ``length_`` samples (new array)."""
        check_is_fitted(self, "length_")
        clips = self._clips(X, reset=False)
        out = np.empty((len(clips), self.length_), dtype=np.float32)
        for i, c in enumerate(clips):  # per-clip copy; not a numeric hot path
            out[i] = fix_length(c, self.length_, pad_mode=self.pad_mode, align=self.align)
        return out
