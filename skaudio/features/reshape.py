"""Reshaping glue between spectrogram batches and scikit-learn's 2-D estimators."""
import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils.validation import check_is_fitted, validate_data

from skaudio._validation import check_spectrograms
from skaudio.features.image._common import as_batch

__all__ = ["Flatten"]


def _checked(S):
    S, was_2d = as_batch(S)
    return S[:, 0, :] if was_2d else S


class Flatten(TransformerMixin, BaseEstimator):
    """Flatten spectrogram batches to rows, and back.

    ``(n_clips, n_freqs, n_frames)`` becomes ``(n_clips, n_freqs * n_frames)``
    in C order (frame index fastest), so scikit-learn's PCA, FastICA, NMF or
    TSNE can follow a spectrogram step inside a ``Pipeline``;
    :meth:`inverse_transform` restores the spectrogram shape, so that
    reconstructions (``pipe.inverse_transform``) and components
    (``Flatten.inverse_transform(pca.components_)``) can be viewed as
    spectrograms. 2-D input passes through unchanged.

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

    def __init__(self):
        pass

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, S, y=None):
        """Record the spectrogram shape.

        Parameters
        ----------
        S : array-like of shape (n_clips, n_freqs, n_frames) or (n_clips, n_features)
        y : ignored

        Returns
        -------
        self : object
        """
        S = _checked(S)
        validate_data(self, S, reset=True, skip_check_array=True)
        self.shape_ = tuple(int(d) for d in S.shape[1:])
        self.n_features_out_ = int(np.prod(self.shape_))
        return self

    def _check_shape(self, S):
        if tuple(S.shape[1:]) != self.shape_:
            raise ValueError(f"S has clips of shape {tuple(S.shape[1:])}, but Flatten was fitted on "
                             f"{self.shape_}; fix the length first (FixLength, MelSpectrogram with fixed-size input)")

    def transform(self, S):
        """Return ``S`` as rows of ``n_freqs * n_frames`` values (a view when possible).

        Parameters
        ----------
        S : array-like of shape (n_clips, n_freqs, n_frames)

        Returns
        -------
        X : ndarray of shape (n_clips, n_freqs * n_frames), float32
        """
        check_is_fitted(self, "shape_")
        S = _checked(S)
        validate_data(self, S, reset=False, skip_check_array=True)
        self._check_shape(S)
        return S.reshape(len(S), -1)

    def inverse_transform(self, X):
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
            raise ValueError(f"X has {X.shape[1]} columns, expected {self.n_features_out_} = prod{self.shape_}")
        return X.reshape((len(X),) + self.shape_)

    def get_feature_names_out(self, input_features=None):
        """Column names ``f{bin}_t{frame}`` (or the input names for 2-D input).

        Parameters
        ----------
        input_features : ignored

        Returns
        -------
        names : ndarray of str objects
        """
        check_is_fitted(self, "shape_")
        if len(self.shape_) == 1:
            return np.asarray([f"x{i}" for i in range(self.shape_[0])], dtype=object)
        nf, nt = self.shape_
        return np.asarray([f"f{i}_t{j}" for i in range(nf) for j in range(nt)], dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags
