"""Classification scores of the audio-tagging literature: top-k, mAP, macro AUC, d-prime.

The scores wrap scikit-learn's metrics (``top_k_accuracy_score``,
``average_precision_score``, ``roc_auc_score``); d-prime is the AUC mapped through
the inverse normal CDF, ``d' = sqrt(2) * Phi^-1(AUC)``, as reported for DEGramNet
[DEG]_ and the AudioSet/VGGSound models it is compared with.

Every ``*_score`` function takes true labels (1-D: a label-indicator matrix of
multilabel targets is refused with a pointer to scikit-learn's multilabel
averages) and a score matrix ``(n, n_classes)`` (``predict_proba`` output) whose
columns follow ``labels``. The scorers
(:func:`~skaudio.metrics.make_classification_scorer`,
:data:`~skaudio.metrics.CLASSIFICATION_SCORERS`) are callables
``scorer(estimator, X, y)`` for ``cross_validate``/``GridSearchCV``; they read the
column order from ``estimator.classes_``, so folds missing a class still score.

References
----------
.. [DEG] Foggia, Greco, Roberto, Saggese, Vento, "DEGramNet: effective audio analysis based
   on a fully learnable time-frequency representation", Neural Computing and
   Applications, 2023.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.stats import norm
from sklearn.metrics import average_precision_score, roc_auc_score, top_k_accuracy_score
from sklearn.preprocessing import label_binarize
from sklearn.utils.validation import column_or_1d

__all__ = [
    "top_k_accuracy",
    "mean_average_precision",
    "macro_roc_auc",
    "d_prime",
    "d_prime_score",
    "make_classification_scorer",
    "CLASSIFICATION_SCORERS",
]


def _check_y_true(y_true):
    """1-D class labels; a clear error for a label-indicator matrix (multilabel targets)."""
    y = np.asarray(y_true)
    if y.ndim == 2 and y.shape[1] != 1:
        raise ValueError(
            f"y_true must be 1-D class labels (n_samples,), got a 2-D array of shape {y.shape}; "
            "these scores are for single-label classification. For multilabel indicator targets "
            "use sklearn.metrics.average_precision_score(Y, y_score, average='macro') or "
            "roc_auc_score(Y, y_score, average='macro')."
        )
    return column_or_1d(y, warn=True)


def _prepare(y_true, y_score, labels):
    y_true = _check_y_true(y_true)
    y_score = np.asarray(y_score, dtype=np.float64)
    if y_score.ndim != 2:
        raise ValueError(f"y_score must be 2-D (n_samples, n_classes), got shape {y_score.shape}")
    if not np.isfinite(y_score).all():
        raise ValueError("y_score contains NaN or infinite values")
    labels = np.unique(y_true) if labels is None else np.asarray(labels)
    if len(labels) != y_score.shape[1]:
        raise ValueError(f"labels has {len(labels)} classes but y_score has {y_score.shape[1]} columns")
    unknown = np.setdiff1d(np.unique(y_true), labels)
    if unknown.size:
        raise ValueError(f"y_true has labels not in labels: {unknown.tolist()}")
    if len(labels) < 2:
        raise ValueError(f"these scores need at least two classes, got labels={labels.tolist()}")
    Y = label_binarize(y_true, classes=labels)
    if len(labels) == 2:  # label_binarize gives one column for two classes
        Y = np.column_stack([1 - Y[:, 0], Y[:, 0]])
    return Y, y_score, labels


def top_k_accuracy(
    y_true: ArrayLike, y_score: ArrayLike, *, k: int = 5, labels: ArrayLike | None = None
) -> float:
    """Share of samples whose true class is among the ``k`` highest scores.

    Examples
    --------
    >>> import numpy as np
    >>> s = np.array([[0.5, 0.3, 0.2], [0.1, 0.2, 0.7], [0.3, 0.4, 0.3]])
    >>> labels = [0, 1, 2]
    >>> top_k_accuracy([0, 0, 2], s, k=1, labels=labels), top_k_accuracy([0, 0, 2], s, k=2, labels=labels)
    (0.3333333333333333, 0.6666666666666666)
    """
    y_true = _check_y_true(y_true)
    labels = np.unique(y_true) if labels is None else labels
    y_score = np.asarray(y_score, dtype=np.float64)
    if y_score.ndim == 2 and y_score.shape[1] == 2:
        # scikit-learn reads two classes as one column of positive scores thresholded at 0.5
        # or 0, which misjudges scores that are not probabilities: compare the columns instead
        Y, y_score, _ = _prepare(y_true, y_score, labels)
        if k >= 2:
            return 1.0
        predicted = (y_score[:, 1] >= y_score[:, 0]).astype(np.int64)  # ties: the later class
        return float(Y[np.arange(len(Y)), predicted].mean())
    return float(top_k_accuracy_score(y_true, y_score, k=k, labels=labels))


def mean_average_precision(
    y_true: ArrayLike, y_score: ArrayLike, *, labels: ArrayLike | None = None
) -> float:
    """Mean over classes of the average precision (one-vs-rest), classes absent from
    ``y_true`` left out.

    Examples
    --------
    >>> import numpy as np
    >>> mean_average_precision([0, 1, 1], np.array([[0.9, 0.1], [0.2, 0.8], [0.3, 0.7]]))
    1.0
    """
    Y, y_score, _ = _prepare(y_true, y_score, labels)
    present = Y.sum(0) > 0
    return float(average_precision_score(Y[:, present], y_score[:, present], average="macro"))


def macro_roc_auc(y_true: ArrayLike, y_score: ArrayLike, *, labels: ArrayLike | None = None) -> float:
    """Unweighted mean over classes of the one-vs-rest ROC AUC (classes absent from
    ``y_true`` left out).

    Examples
    --------
    >>> import numpy as np
    >>> macro_roc_auc([0, 1, 2], np.eye(3))
    1.0
    """
    Y, y_score, _ = _prepare(y_true, y_score, labels)
    present = (Y.sum(0) > 0) & (Y.sum(0) < len(Y))
    if not present.any():
        raise ValueError("ROC AUC needs at least one class with both positive and negative samples")
    return float(roc_auc_score(Y[:, present], y_score[:, present], average="macro"))


def d_prime(auc: ArrayLike) -> float | NDArray[np.float64]:
    """Sensitivity index ``d' = sqrt(2) * Phi^-1(auc)`` of an ROC AUC.

    An AUC of exactly 1 (perfect separation) gives ``inf``, as the formula says.

    Examples
    --------
    >>> round(d_prime(0.977), 3)  # DEGramNet's VGGSound AUC 0.977 (reported d' 2.818)
    2.822
    >>> d_prime(0.5)
    0.0
    """
    auc = np.asarray(auc, dtype=np.float64)
    if not ((auc >= 0) & (auc <= 1)).all():  # NaN fails too
        raise ValueError(f"auc must be in [0, 1], got {auc}")
    out = np.sqrt(2.0) * norm.ppf(auc)
    return float(out) if out.ndim == 0 else out


def d_prime_score(y_true: ArrayLike, y_score: ArrayLike, *, labels: ArrayLike | None = None) -> float:
    """d-prime of the macro ROC AUC (:func:`macro_roc_auc` then :func:`d_prime`)."""
    return d_prime(macro_roc_auc(y_true, y_score, labels=labels))


_FUNCS = {
    "map": mean_average_precision,
    "roc_auc_macro": macro_roc_auc,
    "d_prime": d_prime_score,
}


class _ProbaScorer:
    def __init__(self, name: str, func: Callable[..., float], kwargs: dict[str, Any]) -> None:
        self.name, self.func, self.kwargs = name, func, kwargs

    def __call__(self, estimator: Any, X: ArrayLike, y: ArrayLike) -> float:
        return self.func(y, estimator.predict_proba(X), labels=estimator.classes_, **self.kwargs)

    def __repr__(self) -> str:
        kwargs = "".join(f", {k}={v!r}" for k, v in self.kwargs.items())
        return f"make_classification_scorer({self.name!r}{kwargs})"


def make_classification_scorer(
    name: Literal["top_k", "map", "roc_auc_macro", "d_prime"], *, k: int = 5
) -> _ProbaScorer:
    """Scorer ``(estimator, X, y) -> float`` for ``cross_validate`` and ``GridSearchCV``.

    Parameters
    ----------
    name : {"top_k", "map", "roc_auc_macro", "d_prime"}
    k : int, default=5
        For ``"top_k"``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]]); y = [0, 0, 1, 1]
    >>> clf = LogisticRegression().fit(X, y)
    >>> make_classification_scorer("roc_auc_macro")(clf, X, y)
    1.0
    """
    if name == "top_k":
        return _ProbaScorer(name, top_k_accuracy, {"k": int(k)})
    if name not in _FUNCS:
        raise ValueError(f"name must be one of {['top_k', *_FUNCS]}, got {name!r}")
    return _ProbaScorer(name, _FUNCS[name], {})


#: Ready-made scorers: ``cross_validate(clf, X, y, scoring=CLASSIFICATION_SCORERS)``.
CLASSIFICATION_SCORERS = {
    "top1": make_classification_scorer("top_k", k=1),
    "top5": make_classification_scorer("top_k", k=5),
    "map": make_classification_scorer("map"),
    "roc_auc_macro": make_classification_scorer("roc_auc_macro"),
    "d_prime": make_classification_scorer("d_prime"),
}
