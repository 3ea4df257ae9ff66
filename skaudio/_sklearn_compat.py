"""The one home of skaudio's uses of scikit-learn's private API.

scikit-learn keeps no promise about names that start with an underscore, so
every such name skaudio relies on is imported or touched here and nowhere
else (``tests/test_sklearn_compat.py`` greps the source to keep it so), and
``pyproject.toml`` bounds scikit-learn from above. When a new scikit-learn
release breaks one of them, only this module changes; raise the upper bound
once the test suite passes against the new release.

What is used, and why
---------------------
``Interval``, ``StrOptions``, ``HasMethods``, ``Hidden`` (``sklearn.utils._param_validation``)
    The constraint objects of scikit-learn's ``_parameter_constraints``
    dictionaries, which ``BaseEstimator._validate_params`` checks at the start
    of ``fit``. They give skaudio's estimators scikit-learn's own error
    messages (``InvalidParameterError``, a ``ValueError`` and ``TypeError``
    subclass) for bad parameters. The module has been stable since
    scikit-learn 1.2. *If it moves or changes:* import the classes from their
    new place here; if they disappear, define small classes here with the same
    constructor arguments and an ``is_satisfied_by(value)`` check, and a
    ``_validate_params`` on a skaudio base class that raises ``ValueError`` /
    ``TypeError`` from them.

``validate_parameter_constraints`` (``sklearn.utils._param_validation``)
    The function behind ``BaseEstimator._validate_params``. skorch's networks are
    not ``BaseEstimator`` subclasses, so skaudio's classifiers call it directly
    with their ``_parameter_constraints``. *If it changes:* check each parameter's
    constraints here and raise ``InvalidParameterError`` with the same message.

``validate_params`` (``sklearn.utils._param_validation``)
    The decorator scikit-learn puts on its public functions: it checks the
    arguments of a call against a dictionary of the same constraints and raises
    ``InvalidParameterError`` naming the function and the argument. skaudio's
    functions (:func:`skaudio.models.profile`) use it for the same messages.
    *If it changes:* write a decorator here that binds the call's arguments with
    ``inspect.signature`` and passes them to ``validate_parameter_constraints``.

``fit_context`` (``sklearn.base._fit_context``)
    The decorator scikit-learn puts on its own ``fit`` methods: it validates
    the parameters against ``_parameter_constraints`` (once, not again in
    nested estimators) and runs ``fit`` inside the right ``config_context``.
    *If it changes:* replace it here by a decorator that calls
    ``estimator._validate_params()`` (or the replacement above) before ``fit``.

``check_feature_names_in`` (``sklearn.utils.validation._check_feature_names_in``)
    The check behind every ``get_feature_names_out(input_features)``:
    ``input_features`` must match ``feature_names_in_`` when the estimator saw
    a DataFrame, and defaults to ``x0, x1, ...`` otherwise. *If it changes:*
    reimplement those two rules here.

``wrap_2d_output`` (``sklearn.utils._set_output._wrap_data_with_container``)
    skaudio's transformers return 3-D spectrogram batches as well as 2-D
    feature tables. ``set_output(transform="pandas")`` may only wrap the 2-D
    ones (a DataFrame cannot hold a batch; see :mod:`skaudio.features._output`).
    scikit-learn's public set_output machinery wraps *every* output of
    ``transform`` (``auto_wrap_output_keys``) or none; no public function wraps
    one given array according to an estimator's configuration, and the
    configuration itself lives in the private attribute
    ``_sklearn_output_config``. So the private function that does exactly that
    is called. *If it changes:* reimplement it here from the public pieces
    (``sklearn.get_config()["transform_output"]`` when the estimator has no
    setting of its own, ``pandas.DataFrame(out, columns=
    estimator.get_feature_names_out(), index=X.index)``).

``enable_set_output`` (class attribute ``_sklearn_auto_wrap_output_keys``)
    skaudio opts out of scikit-learn's automatic wrapping (which would fail on
    3-D output) but keeps ``set_output`` available, which scikit-learn only
    exposes when this attribute names ``"transform"``.

``UNWRAPPED_FIT_TRANSFORM`` (``TransformerMixin.fit_transform.__wrapped__``)
    ``TransformerMixin.fit_transform`` without scikit-learn's output wrapper
    around it (``functools.wraps`` keeps the original there), so that skaudio's
    2-D-only wrapper can go around it instead. *If it changes:* define
    ``fit_transform`` as ``self.fit(X, y, **fit_params).transform(X)``.
"""

from __future__ import annotations

from typing import Any

from sklearn.base import TransformerMixin
from sklearn.base import _fit_context as fit_context
from sklearn.utils._param_validation import (
    HasMethods,
    Hidden,
    Interval,
    StrOptions,
    validate_parameter_constraints,
    validate_params,
)
from sklearn.utils._set_output import _wrap_data_with_container
from sklearn.utils.validation import _check_feature_names_in as check_feature_names_in

__all__ = [
    "HasMethods",
    "Hidden",
    "Interval",
    "StrOptions",
    "validate_parameter_constraints",
    "validate_params",
    "fit_context",
    "check_feature_names_in",
    "wrap_2d_output",
    "enable_set_output",
    "UNWRAPPED_FIT_TRANSFORM",
]

#: ``TransformerMixin.fit_transform`` as written, without scikit-learn's set_output wrapper.
UNWRAPPED_FIT_TRANSFORM = TransformerMixin.fit_transform.__wrapped__


def wrap_2d_output(out: Any, X: Any, estimator: Any) -> Any:
    """``out`` (2-D) in the container that ``estimator.set_output`` (or the global config) asks for.

    Columns come from ``estimator.get_feature_names_out()``, the index from a
    DataFrame ``X``.
    """
    return _wrap_data_with_container("transform", out, X, estimator)


def enable_set_output(cls: type) -> type:
    """Make ``cls.set_output`` available although scikit-learn's auto-wrapping is switched off."""
    cls._sklearn_auto_wrap_output_keys = {"transform"}
    return cls
