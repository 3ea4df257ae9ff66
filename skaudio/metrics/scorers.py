"""scikit-learn scorers that rate a pooling step by how much of its input it preserves.

A preservation scorer runs the fitted estimator's ``transform`` and compares
the output with the input using one of the metrics of
:mod:`skaudio.metrics.preservation`. For a :class:`~sklearn.pipeline.Pipeline`
the comparison is between the last step's input and output: in
``make_pipeline(MelSpectrogram(...), PoolingTransformer(...))`` the scorer
compares the pooled log-mel maps with the log-mel maps, not with the
waveforms. That lets :class:`~sklearn.model_selection.GridSearchCV` tune
pooling for feature preservation, with several metrics at once::

    GridSearchCV(pipe, {"poolingtransformer__method": ["average", "max", "lse"]},
                 scoring=preservation_scoring(["correlation", "variance"]),
                 refit="preservation_correlation")

Scores follow scikit-learn's rule that greater is better: metrics whose
ideal is a value (the ratios, best at 1.0) score ``-|value - 1|``; KL
divergence scores ``-value``; correlation, cosine similarity and compression
ratio score their value. ``score="raw"`` returns the metric itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator
from sklearn.metrics import get_scorer as _sklearn_get_scorer

from skaudio.metrics.preservation import METRIC_NAMES, MetricInfo, get_metric, preservation_metrics

__all__ = [
    "PreservationScorer",
    "make_preservation_scorer",
    "preservation_scoring",
    "get_scorer",
    "get_scorer_names",
    "SCORER_PREFIX",
]

#: Scorer names are the metric names with this prefix, e.g. ``"preservation_correlation"``.
SCORER_PREFIX = "preservation_"


def _split_last_step(estimator):
    """(estimator that prepares the input, estimator that is scored) of a Pipeline or ``(None, est)``."""
    steps = getattr(estimator, "steps", None)
    if steps is None or len(steps) < 2:
        return None, estimator
    return estimator[:-1], estimator[-1]


class PreservationScorer:
    """Callable ``scorer(estimator, X, y=None)`` for a preservation metric.

    Built by :func:`make_preservation_scorer`; see there for the parameters.
    """

    def __init__(
        self,
        metric: str,
        *,
        score: Literal["auto", "raw"] = "auto",
        compare: Literal["last_step", "input"] = "last_step",
        metric_params: dict[str, Any] | None = None,
    ) -> None:
        self.metric = metric
        self.score = score
        self.compare = compare
        self.metric_params = metric_params

    def _inputs(self, estimator, X):
        if self.compare == "last_step":
            head, last = _split_last_step(estimator)
        else:
            head, last = None, estimator
        S = X if head is None else head.transform(X)
        if not hasattr(last, "transform"):
            raise TypeError(
                f"a preservation scorer needs an estimator with transform; {type(last).__name__} has none"
            )
        return S, last.transform(S)

    def __call__(self, estimator: BaseEstimator, X: ArrayLike, y: object = None, **kwargs: Any) -> float:
        """Transform ``X`` with the fitted ``estimator`` and score how much is preserved.

        Parameters
        ----------
        estimator : fitted transformer or Pipeline ending in one
        X : array-like
            Input of ``estimator``.
        y : ignored
            Accepted for scikit-learn's scorer protocol.

        Returns
        -------
        float
            The mean over clips of the metric, mapped to "greater is better"
            unless ``score="raw"``.
        """
        info = get_metric(self.metric)
        S, P = self._inputs(estimator, X)
        values = preservation_metrics(S, P, [info.name], **(self.metric_params or {}))[info.name]
        value = float(np.mean(values))
        return value if self.score == "raw" else float(info.score(value))

    def __repr__(self) -> str:
        extra = "" if self.score == "auto" else f", score={self.score!r}"
        extra += "" if self.compare == "last_step" else f", compare={self.compare!r}"
        if self.metric_params:
            extra += f", metric_params={self.metric_params!r}"
        return f"make_preservation_scorer({self.metric!r}{extra})"


def make_preservation_scorer(
    metric: str | MetricInfo,
    *,
    score: Literal["auto", "raw"] = "auto",
    compare: Literal["last_step", "input"] = "last_step",
    **metric_params: Any,
) -> PreservationScorer:
    """Make a scikit-learn scorer from a preservation metric.

    Parameters
    ----------
    metric : str
        A name from :data:`skaudio.metrics.METRIC_NAMES` (``"correlation"``,
        ``"variance"``, ...).
    score : {"auto", "raw"}, default="auto"
        ``"auto"`` maps the metric to "greater is better" using its registered
        direction (``-|v - 1|`` for ratios, ``-v`` for KL divergence, ``v`` for
        similarities and compression ratio); ``"raw"`` returns the metric
        value unchanged (not suitable for ``GridSearchCV``'s maximisation
        unless higher is better).
    compare : {"last_step", "input"}, default="last_step"
        ``"last_step"``: for a Pipeline, compare the last step's output with
        its input (the earlier steps run first); other estimators compare
        their output with ``X``. ``"input"``: always compare with ``X``.
    **metric_params
        Options of :func:`skaudio.metrics.preservation_metrics` (``sr``,
        ``freqs``, ``n_bins``, ..., and ``n_jobs``: None keeps numba's thread setting).

    Returns
    -------
    scorer : PreservationScorer
        Callable ``scorer(estimator, X, y=None) -> float``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.preprocessing import FunctionTransformer
    >>> from skaudio.metrics import make_preservation_scorer
    >>> S = np.random.default_rng(0).random((4, 8, 10)).astype(np.float32)
    >>> avg = FunctionTransformer(lambda S: S.reshape(len(S), 4, 2, 5, 2).mean(axis=(2, 4)))
    >>> scorer = make_preservation_scorer("mean")
    >>> round(scorer(avg.fit(S), S), 6)  # the mean is kept exactly: -|1 - 1|
    -0.0
    >>> make_preservation_scorer("compression_ratio")(avg, S)
    4.0
    """
    info = get_metric(metric)
    if score not in ("auto", "raw"):
        raise ValueError(f"score must be 'auto' or 'raw', got {score!r}")
    if compare not in ("last_step", "input"):
        raise ValueError(f"compare must be 'last_step' or 'input', got {compare!r}")
    return PreservationScorer(
        info.name, score=score, compare=compare, metric_params=dict(metric_params) or None
    )


def preservation_scoring(
    metrics: str | Iterable[str | MetricInfo] = "all", **kwargs: Any
) -> dict[str, PreservationScorer]:
    """A ``scoring`` dict for ``GridSearchCV``/``cross_validate``: scorer name -> scorer.

    Parameters
    ----------
    metrics : "all", str or list of str
        Metric names; keys are ``"preservation_<metric>"``.
    **kwargs
        Passed to :func:`make_preservation_scorer` for every metric.

    Examples
    --------
    >>> from skaudio.metrics import preservation_scoring
    >>> sorted(preservation_scoring(["correlation", "variance"]))
    ['preservation_correlation', 'preservation_variance']
    """
    if isinstance(metrics, str):
        metrics = METRIC_NAMES if metrics == "all" else [metrics]
    return {SCORER_PREFIX + get_metric(m).name: make_preservation_scorer(m, **kwargs) for m in metrics}


def get_scorer_names() -> list[str]:
    """The scorer names skaudio registers: ``"preservation_<metric>"`` for each registry metric.

    Examples
    --------
    >>> from skaudio.metrics import get_scorer_names
    >>> get_scorer_names()[:2]
    ['preservation_variance', 'preservation_mean']
    """
    return [SCORER_PREFIX + name for name in METRIC_NAMES]


def get_scorer(scoring: str | Callable[..., float]) -> Callable[..., float]:
    """A scorer from a name: skaudio's ``"preservation_<metric>"`` or any scikit-learn name.

    Parameters
    ----------
    scoring : str or callable
        ``"preservation_correlation"`` and the like, a scikit-learn scorer
        name (``"accuracy"``), or a callable, returned as it is.

    Examples
    --------
    >>> from skaudio.metrics import get_scorer
    >>> get_scorer("preservation_kl_divergence")
    make_preservation_scorer('kl_divergence')
    >>> get_scorer("accuracy") is not None  # scikit-learn's own names pass through
    True
    """
    if callable(scoring):
        return scoring
    if isinstance(scoring, str) and scoring.startswith(SCORER_PREFIX):
        name = scoring[len(SCORER_PREFIX) :]
        if name in METRIC_NAMES:
            return make_preservation_scorer(name)
        raise ValueError(f"unknown preservation scorer {scoring!r}; valid: {', '.join(get_scorer_names())}")
    return _sklearn_get_scorer(scoring)
