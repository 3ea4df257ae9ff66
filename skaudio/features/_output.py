"""``set_output`` for transformers whose output is not always a table.

scikit-learn's ``set_output(transform="pandas")`` wraps every ``transform``
output in a DataFrame, which cannot hold a spectrogram batch ``(n_clips,
n_freqs, n_frames)``. A ``Pipeline`` sets the output of every step, so one 3-D
step in the middle would break pandas output of the 2-D step at the end. The
transformers here wrap 2-D output like any scikit-learn transformer and hand
every other output back unchanged, as an ndarray.
"""

from functools import wraps

from sklearn.base import TransformerMixin
from sklearn.utils.validation import validate_data

from skaudio._sklearn_compat import UNWRAPPED_FIT_TRANSFORM, enable_set_output, wrap_2d_output

__all__ = ["ArrayOutputMixin", "validate_features"]


def _wrap_2d_output(method):
    """``method`` whose 2-D output follows ``set_output``; other outputs stay as they are."""

    @wraps(method)
    def wrapped(self, X, *args, **kwargs):
        out = method(self, X, *args, **kwargs)
        if getattr(out, "ndim", None) != 2:
            return out
        return wrap_2d_output(out, X, self)

    wrapped._skaudio_2d_output = True
    return wrapped


class ArrayOutputMixin(TransformerMixin, auto_wrap_output_keys=None):
    """TransformerMixin whose ``set_output`` applies to 2-D output only.

    Subclasses define ``get_feature_names_out`` (naming the columns of a 2-D
    output, or axis 1 of a 3-D one, e.g. the frequency rows of a spectrogram);
    their ``transform`` and ``fit_transform`` return a DataFrame under
    ``set_output(transform="pandas")`` when the output is 2-D, and the
    ndarray itself when it is 3-D.
    """

    def __init_subclass__(cls, **kwargs):
        # scikit-learn's own wrapping would put 3-D output into a DataFrame and fail
        super().__init_subclass__(auto_wrap_output_keys=None, **kwargs)
        enable_set_output(cls)  # keeps set_output available
        for name in ("transform", "fit_transform"):
            method = cls.__dict__.get(name)
            if method is not None and not getattr(method, "_skaudio_2d_output", False):
                setattr(cls, name, _wrap_2d_output(method))

    # TransformerMixin.fit_transform without scikit-learn's wrapper around it
    fit_transform = _wrap_2d_output(UNWRAPPED_FIT_TRANSFORM)


def validate_features(estimator, X_in, X, *, reset):
    """``validate_data`` on the checked array ``X``, keeping the column names of a DataFrame ``X_in``.

    The arrays are checked by :mod:`skaudio._validation`; this records (``reset``)
    or compares ``n_features_in_`` and, for DataFrame input, ``feature_names_in_``.
    """
    validate_data(estimator, X_in if hasattr(X_in, "columns") else X, reset=reset, skip_check_array=True)
