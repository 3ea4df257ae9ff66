"""Reshaping glue between spectrogram batches and scikit-learn's 2-D estimators."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from skaudio._sklearn_compat import check_feature_names_in, fit_context
from skaudio._validation import check_spectrograms
from skaudio.features._output import ArrayOutputMixin
from skaudio.features.image._common import validated_batch

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Flatten"]


def _checked(estimator, S, reset):
    S, was_2d = validated_batch(estimator, S, reset=reset)
    return S[:, 0, :] if was_2d else S


class Flatten(ArrayOutputMixin, BaseEstimator):
    """Flatten spectrogram batches to rows, and back.

    ``(n_clips, n_freqs, n_frames)`` becomes ``(n_clips, n_freqs * n_frames)``
    in C order (frame index fastest), so scikit-learn's PCA, FastICA, NMF or
    TSNE can follow a spectrogram step inside a ``Pipeline``;
    :meth:`inverse_transform` restores the spectrogram shape, so that
    reconstructions (``pipe.inverse_transform``) and components
    (``Flatten.inverse_transform(pca.components_)``) can be viewed as
    spectrograms. 2-D input passes through unchanged. Under
    ``set_output(transform="pandas")`` the rows come as a DataFrame whose
    columns are :meth:`get_feature_names_out`, also after 3-D steps that
    leave their own output an ndarray.

    NMF needs non-negative values: flatten a power spectrogram
    (``to_db=False``), not dB.

    Attributes
    ----------
    shape_ : tuple of int
        ``(n_freqs, n_frames)`` seen in ``fit`` (``(n_features,)`` for 2-D input).
    n_features_in_ : int
        Frequency rows (or features for 2-D input) seen in ``fit``.
    n_features_out_ : int
        Columns of the output.
    feature_names_in_ : ndarray of str
        Column names of a DataFrame seen in ``fit`` (2-D input only).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.decomposition import PCA
    >>> from sklearn.pipeline import make_pipeline
    >>> from skaudio.features.reshape import Flatten
    >>> S = np.random.default_rng(0).random((10, 8, 12)).astype(np.float32)
    >>> pipe = make_pipeline(Flatten(), PCA(n_components=3)).fit(S)
    >>> pipe.transform(S).shape
    (10, 3)
    >>> pipe.inverse_transform(pipe.transform(S)).shape
    (10, 8, 12)
    >>> Flatten().fit(S).get_feature_names_out()[:2].tolist()
    ['f0_t0', 'f0_t1']
    """

    _parameter_constraints = {}

    def __init__(self) -> None:
        pass

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, S: ArrayLike, y: ArrayLike | None = None) -> Flatten:
        """Record the spectrogram shape.

        Parameters
        ----------
        S : array-like of shape (n_clips, n_freqs, n_frames) or (n_clips, n_features)
        y : ignored

        Returns
        -------
        self : object
        """
        S = _checked(self, S, reset=True)
        self.shape_ = tuple(int(d) for d in S.shape[1:])
        self.n_features_out_ = int(np.prod(self.shape_))
        return self

    def _check_shape(self, S):
        if tuple(S.shape[1:]) != self.shape_:
            raise ValueError(
                f"S has clips of shape {tuple(S.shape[1:])}, but Flatten was fitted on "
                f"{self.shape_}; fix the length first (FixLength, MelSpectrogram with fixed-size input)"
            )

    def transform(self, S: ArrayLike) -> NDArray[np.float32] | pd.DataFrame:
        """Return ``S`` as rows of ``n_freqs * n_frames`` values (a view when possible).

        Parameters
        ----------
        S : array-like of shape (n_clips, n_freqs, n_frames)

        Returns
        -------
        X : ndarray of shape (n_clips, n_freqs * n_frames), float32
        """
        check_is_fitted(self, "shape_")
        S = _checked(self, S, reset=False)
        self._check_shape(S)
        return S.reshape(len(S), -1)

    def inverse_transform(self, X: ArrayLike) -> NDArray[np.float32]:
        """Reshape rows back to spectrograms of the fitted shape.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_freqs * n_frames)

        Returns
        -------
        S : ndarray of shape (n_clips, n_freqs, n_frames), float32
        """
        check_is_fitted(self, "shape_")
        X = check_spectrograms(X, name="X", ndim=2)
        if X.shape[1] != self.n_features_out_:
            raise ValueError(
                f"X has {X.shape[1]} columns, expected {self.n_features_out_} = prod{self.shape_}"
            )
        return X.reshape((len(X),) + self.shape_)

    def get_feature_names_out(self, input_features: ArrayLike | None = None) -> NDArray[np.object_]:
        """Column names ``f{bin}_t{frame}`` (or the input names for 2-D input).

        Parameters
        ----------
        input_features : array-like of str, default=None
            Names of the input features (the frequency rows of 3-D input),
            checked against the input seen in ``fit``. 2-D input passes
            through, so its names are ``input_features``, else
            ``feature_names_in_``, else ``x0, x1, ...``.

        Returns
        -------
        names : ndarray of str objects
        """
        check_is_fitted(self, "shape_")
        if len(self.shape_) == 1:
            return check_feature_names_in(self, input_features)
        check_feature_names_in(self, input_features, generate_names=False)
        nf, nt = self.shape_
        return np.asarray([f"f{i}_t{j}" for i in range(nf) for j in range(nt)], dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags
