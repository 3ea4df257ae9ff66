"""Delta features of frame-wise descriptors, as ``librosa.feature.delta``: :class:`Deltas`."""

from __future__ import annotations

from numbers import Integral
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from skaudio._sklearn_compat import Interval, StrOptions, check_feature_names_in, fit_context
from skaudio.features._descriptor_base import _check_stats, _FeaturesOut, _names, summarise
from skaudio.features._output import ArrayOutputMixin
from skaudio.features.image._common import validated_batch

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Deltas"]


class Deltas(_FeaturesOut, ArrayOutputMixin, BaseEstimator):
    """Time derivatives of frame-wise features (MFCC, spectrograms), as ``librosa.feature.delta``.

    The local estimate of the ``order``-th derivative along the frames is a
    Savitzky-Golay filter of length ``width`` (``scipy.signal.savgol_filter``
    with ``polyorder = deriv = order``), applied to the whole batch in one
    call; ``mode`` extends the edges.

    Parameters
    ----------
    width : int, default=9
        Odd number of frames (at least 3) of the filter.
    order : int, default=1
        Derivative order (1: delta, 2: delta-delta).
    mode : {"interp", "mirror", "constant", "nearest", "wrap"}, default="interp"
        Edge rule, as ``scipy.signal.savgol_filter``; ``"interp"`` fits a
        polynomial to the last ``width`` frames and needs at least ``width``
        frames.
    stack : bool, default=False
        False returns the ``order``-th derivative only (librosa's output);
        True stacks the input and every derivative up to ``order`` along
        axis 1 (``[x, delta, delta-delta]`` for ``order=2``), the usual
        MFCC + delta + delta-delta features.
    stats : sequence of str or None, default=None
        As in :class:`MFCC`: statistics over time give a 2-D table.

    Attributes
    ----------
    n_features_in_ : int
        Rows (axis 1) of 3-D input, columns (frames) of 2-D input.
    feature_names_out_ : ndarray of str
        ``delta1_<row>`` for each input row (``<row>`` from the input names,
        ``x0, x1, ...`` for arrays), with ``stack`` the input rows first,
        with ``stats`` the statistic appended.

    Notes
    -----
    2-D input ``(n_clips, n_frames)`` is one row of frames per clip; the output
    is 2-D then, unless ``stack`` adds rows.

    References
    ----------
    .. [1] Furui, "Speaker-independent isolated word recognition using dynamic
       features of speech spectrum", IEEE TASSP 34(1), 1986.
    .. [2] Savitzky & Golay, "Smoothing and differentiation of data by simplified
       least squares procedures", Analytical Chemistry 36(8), 1964.

    Examples
    --------
    >>> import numpy as np
    >>> import librosa
    >>> from skaudio.features import Deltas
    >>> M = np.random.default_rng(0).standard_normal((2, 13, 40)).astype(np.float32)
    >>> D = Deltas(order=2).fit_transform(M)
    >>> bool(np.allclose(D[1], librosa.feature.delta(M[1], order=2), atol=1e-6))
    True
    >>> Deltas(order=2, stack=True).fit_transform(M).shape  # x, delta, delta-delta
    (2, 39, 40)
    """

    _parameter_constraints = {
        "width": [Interval(Integral, 3, None, closed="left")],
        "order": [Interval(Integral, 1, None, closed="left")],
        "mode": [StrOptions({"interp", "mirror", "constant", "nearest", "wrap"})],
        "stack": ["boolean"],
        "stats": [tuple, list, None],
    }

    def __init__(
        self,
        *,
        width: int = 9,
        order: int = 1,
        mode: str = "interp",
        stack: bool = False,
        stats: tuple[str, ...] | None = None,
    ) -> None:
        self.width = width
        self.order = order
        self.mode = mode
        self.stack = stack
        self.stats = stats

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, S: ArrayLike, y: ArrayLike | None = None) -> Deltas:
        """Check parameters and input and fix the output names.

        Parameters
        ----------
        S : array-like of shape (n_clips, n_rows, n_frames) or (n_clips, n_frames)
            Float frame-wise features.
        y : ignored

        Returns
        -------
        self : object
        """
        if self.width % 2 != 1:
            raise ValueError(f"width must be odd (a centred window of frames), got width={self.width}")
        if self.order >= self.width:
            raise ValueError(f"order must be less than width, got order={self.order}, width={self.width}")
        self._stats = _check_stats(self.stats)
        S, was_2d = validated_batch(self, S, reset=True)
        self._check_frames(S)
        self._was_2d = was_2d
        self.feature_names_out_ = self._out_names(check_feature_names_in(self, None))
        return self

    def _out_names(self, inputs):
        inputs = list(inputs)  # x0, x1, ... or a DataFrame's columns, or the previous step's names
        if self._was_2d and self._stats is None and not self.stack:  # 2-D in, 2-D out: frames
            return np.asarray([f"delta{self.order}_{c}" for c in inputs], dtype=object)
        rows = ["x"] if self._was_2d else inputs
        names = [f"delta{self.order}_{r}" for r in rows]
        if self.stack:
            names = rows + [f"delta{k}_{r}" for k in range(1, self.order + 1) for r in rows]
        return _names(names, self._stats)

    def get_feature_names_out(self, input_features: ArrayLike | None = None) -> NDArray[np.object_]:
        """Names of the output columns (2-D output) or rows (axis 1 of 3-D output).

        Parameters
        ----------
        input_features : array-like of str, default=None
            Names of the input rows (of the columns of 2-D input), e.g. the
            previous step's names in a pipeline (``mfcc0, ...`` gives
            ``delta1_mfcc0, ...``); ``feature_names_in_`` or ``x0, x1, ...``
            when None.

        Returns
        -------
        names : ndarray of str objects
        """
        check_is_fitted(self, "feature_names_out_")
        return self._out_names(check_feature_names_in(self, input_features))

    def _check_frames(self, S):
        if self.mode == "interp" and S.shape[2] < self.width:
            raise ValueError(
                f"S has {S.shape[2]} frames, fewer than width={self.width}: mode='interp' fits the edges "
                "with a polynomial over width frames; use a smaller (odd) width or another mode, e.g. "
                "mode='nearest'"
            )

    def transform(self, S: ArrayLike) -> NDArray[np.float32] | pd.DataFrame:
        """Compute the derivatives.

        Parameters
        ----------
        S : array-like of shape (n_clips, n_rows, n_frames) or (n_clips, n_frames)
            Float frame-wise features.

        Returns
        -------
        D : ndarray, float32
            Same shape as ``S``; ``(order + 1) * n_rows`` rows with ``stack``;
            2-D ``(n_clips, n_columns)`` with ``stats``.
        """
        from scipy.signal import savgol_filter

        check_is_fitted(self, "feature_names_out_")
        S, was_2d = validated_batch(self, S, reset=False)
        self._check_frames(S)
        orders = range(1, self.order + 1) if self.stack else (self.order,)
        parts = [S] if self.stack else []
        for k in orders:
            # librosa.feature.delta(order=k) fits polynomials of degree k
            d = savgol_filter(S, self.width, polyorder=k, deriv=k, axis=-1, mode=self.mode)
            parts.append(d.astype(np.float32, copy=False))
        D = np.concatenate(parts, axis=1) if len(parts) > 1 else parts[0]
        if self._stats is not None:
            return summarise(D, self._stats)
        return D[:, 0, :] if was_2d and D.shape[1] == 1 else D
