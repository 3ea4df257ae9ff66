"""What the classic descriptors share: statistics over time, feature names, the waveform front end.

The transformers live in :mod:`~skaudio.features.mfcc`, :mod:`~skaudio.features.deltas`,
:mod:`~skaudio.features.chroma`, :mod:`~skaudio.features.spectral_descriptors` and
:mod:`~skaudio.features.hpss`; :mod:`skaudio.features.descriptors` re-exports them all.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from skaudio._batching import map_batches
from skaudio._sklearn_compat import Interval, StrOptions, check_feature_names_in
from skaudio._validation import check_length, check_waveforms
from skaudio.features._output import ArrayOutputMixin, validate_features

__all__ = ["STATISTICS", "summarise"]

#: Statistics over time that ``stats=`` accepts, in the order they are listed.
STATISTICS = ("mean", "std", "min", "max", "median")
_STAT_FUNCS = {"mean": np.mean, "std": np.std, "min": np.min, "max": np.max, "median": np.median}

# librosa.feature's defaults: hop_length=512 whatever n_fft is (not n_fft // 4 as librosa.stft)
_STFT_CONSTRAINTS = {
    "n_fft": [Interval(Integral, 2, None, closed="left")],
    "hop_length": [Interval(Integral, 1, None, closed="left")],
    "win_length": [Interval(Integral, 1, None, closed="left"), None],
    "window": [str, tuple, Real],
    "center": ["boolean"],
    "pad_mode": [StrOptions({"constant", "reflect", "edge", "wrap"})],
}
_RUN_CONSTRAINTS = {
    "stats": [tuple, list, None],
    "batch_size": [Interval(Integral, 1, None, closed="left")],
    "n_jobs": [Integral, None],
    "verbose": ["verbose"],
}


def _check_stats(stats):
    """``stats`` as a tuple of names from :data:`STATISTICS` (None: frame-wise output)."""
    if stats is None:
        return None
    stats = tuple(stats)
    bad = [s for s in stats if not isinstance(s, str) or s not in _STAT_FUNCS]
    if not stats or bad or len(set(stats)) != len(stats):
        raise ValueError(
            f"stats must be None or a non-empty sequence of distinct names among {list(STATISTICS)}, "
            f"got {stats!r}"
        )
    return stats


def summarise(F, stats):
    """``(n_clips, n_rows, n_frames)`` frames to ``(n_clips, n_rows * len(stats))`` statistics.

    Columns run row by row, each row's statistics in the order of ``stats``
    (``row0_mean, row0_std, row1_mean, ...``); computed in float64, returned
    as float32.
    """
    x = F.astype(np.float64, copy=False)
    out = np.stack([_STAT_FUNCS[s](x, axis=2) for s in stats], axis=2)
    return out.reshape(len(F), -1).astype(np.float32)


def _names(rows, stats):
    if stats is None:
        return np.asarray(rows, dtype=object)
    return np.asarray([f"{r}_{s}" for r in rows for s in stats], dtype=object)


class _FeaturesOut:
    """``get_feature_names_out`` from the ``feature_names_out_`` fixed in ``fit``."""

    def get_feature_names_out(self, input_features: ArrayLike | None = None) -> NDArray[np.object_]:
        """Names of the output columns (2-D output) or rows (axis 1 of 3-D output).

        Parameters
        ----------
        input_features : array-like of str, default=None
            Only checked against the input seen in ``fit`` (its length, and
            ``feature_names_in_`` when fitted on a DataFrame).

        Returns
        -------
        names : ndarray of str objects
        """
        check_is_fitted(self, "feature_names_out_")
        check_feature_names_in(self, input_features, generate_names=False)
        return self.feature_names_out_.copy()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags


class _WaveformDescriptor(_FeaturesOut, ArrayOutputMixin, BaseEstimator):
    """Shared machinery of the descriptors computed from waveforms through one STFT per batch."""

    #: where ``n_jobs`` parallelism lives (see ``map_batches``): inside the numba STFT
    _threads = "inner"

    _parameter_constraints = {
        "sr": [Interval(Real, 0, None, closed="neither"), None],
        **_STFT_CONSTRAINTS,
        **_RUN_CONSTRAINTS,
    }

    def _stft_params(self):
        return dict(
            n_fft=self.n_fft,
            hop_length=self.hop_length,
            win_length=self.win_length,
            window=self.window,
            center=self.center,
            pad_mode=self.pad_mode,
        )

    def _check_sr(self):
        if self.sr is None:
            raise ValueError(f"{type(self).__name__} needs the sampling rate: pass sr=... (in Hz)")

    def _validate_waveforms(self, X, reset):
        X_in, X = X, check_waveforms(X, sr=self.sr)
        validate_features(self, X_in, X, reset=reset)
        check_length(X, self.n_fft)
        return X

    def _fit_frontend(self, X, frontend):
        """Fit ``frontend`` (the inner spectrogram step) on ``X`` and record the frame count."""
        if self.win_length is not None and self.win_length > self.n_fft:
            raise ValueError(f"win_length={self.win_length} must not exceed n_fft={self.n_fft}")
        self._stats = _check_stats(self.stats)
        self.frontend_ = frontend.fit(X[:1])
        self.n_frames_ = self.frontend_.n_frames_

    def _run(self, X, n_rows):
        """Frames (or their statistics) of a validated batch, batch by batch."""
        stats = self._stats
        shape = (len(X), n_rows, self.n_frames_) if stats is None else (len(X), n_rows * len(stats))
        out = np.empty(shape, dtype=np.float32)
        name = type(self).__name__
        runs = map_batches(
            self._frames,
            X,
            self.batch_size,
            n_jobs=self.n_jobs,
            threads=self._threads,
            verbose=self.verbose,
            desc=name,
        )
        for sl, part in runs:
            out[sl] = part if stats is None else summarise(part, stats)
        return out
