"""Classification scores: agreement with scikit-learn and with the d-prime formula."""

import numpy as np
import pytest
from scipy.stats import norm
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, roc_auc_score, top_k_accuracy_score
from sklearn.model_selection import cross_validate

from skaudio.metrics import (
    CLASSIFICATION_SCORERS,
    d_prime,
    d_prime_score,
    macro_roc_auc,
    make_classification_scorer,
    mean_average_precision,
    top_k_accuracy,
)


@pytest.fixture
def scores():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 4, 200)
    s = rng.random((200, 4))
    s[np.arange(200), y] += 0.5
    return y, s / s.sum(1, keepdims=True)


def test_agree_with_sklearn(scores):
    y, s = scores
    assert top_k_accuracy(y, s, k=2) == pytest.approx(top_k_accuracy_score(y, s, k=2))
    Y = np.eye(4)[y]
    assert mean_average_precision(y, s) == pytest.approx(average_precision_score(Y, s, average="macro"))
    assert macro_roc_auc(y, s) == pytest.approx(roc_auc_score(Y, s, average="macro"))
    assert d_prime_score(y, s) == pytest.approx(np.sqrt(2) * norm.ppf(roc_auc_score(Y, s, average="macro")))


def test_d_prime_values():
    assert d_prime(0.5) == 0.0
    # sqrt(2) * Phi^-1(Phi(1 / sqrt 2)) = 1
    assert d_prime(norm.cdf(1 / np.sqrt(2))) == pytest.approx(1.0)
    assert d_prime(0.9) > d_prime(0.8) > 0 > d_prime(0.3)
    with pytest.raises(ValueError, match="auc"):
        d_prime(1.5)


def test_missing_class_in_fold_and_errors(scores):
    y, s = scores
    keep = y != 3  # class 3 absent from this fold, its column still present
    labels = [0, 1, 2, 3]
    assert 0 < mean_average_precision(y[keep], s[keep], labels=labels) <= 1
    assert 0 < macro_roc_auc(y[keep], s[keep], labels=labels) <= 1
    with pytest.raises(ValueError, match="columns"):
        mean_average_precision(y, s[:, :3], labels=labels)
    with pytest.raises(ValueError, match="2-D"):
        macro_roc_auc(y, s[:, 0], labels=labels)
    bad = s.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        macro_roc_auc(y, bad, labels=labels)
    with pytest.raises(ValueError, match="name"):
        make_classification_scorer("f1")


def test_scorers_in_cross_validate():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((120, 3))
    y = np.array(["dog", "rain", "sea"])[(X[:, 0] > 0).astype(int) + (X[:, 1] > 1).astype(int)]
    res = cross_validate(LogisticRegression(), X, y, cv=3, scoring=CLASSIFICATION_SCORERS)
    for name in CLASSIFICATION_SCORERS:
        vals = res[f"test_{name}"]
        assert np.isfinite(vals).all()
    assert (res["test_top5"] == 1.0).all()  # 3 classes: always within the top 5
    assert (res["test_roc_auc_macro"] > 0.8).all() and (res["test_d_prime"] > 1).all()


@pytest.mark.parametrize(
    "func",
    [
        mean_average_precision,
        macro_roc_auc,
        d_prime_score,
        lambda y, s, **kw: top_k_accuracy(y, s, k=1, **kw),
    ],
    ids=["map", "roc_auc", "d_prime", "top1"],
)
def test_label_indicator_y_is_refused_clearly(func):
    # a multilabel indicator matrix was read as the labels {0, 1}: "labels has 2 classes but
    # y_score has 3 columns", or, with labels given, a score of the wrong task
    Y = np.array([[1, 0, 1], [0, 1, 0], [1, 1, 0], [0, 0, 1]])
    S = np.random.default_rng(0).random((4, 3))
    for labels in (None, [0, 1, 2]):
        with pytest.raises(
            ValueError,
            match=r"y_true must be 1-D class labels .* shape \(4, 3\).*"
            "average_precision_score",
        ):
            func(Y, S, labels=labels)


def test_map_scorer_on_multilabel_y_is_refused_clearly():
    from sklearn.neighbors import KNeighborsClassifier

    rng = np.random.default_rng(0)
    X = rng.random((12, 4))
    Y = (rng.random((12, 3)) > 0.5).astype(int)
    clf = KNeighborsClassifier(n_neighbors=3).fit(X, np.arange(12) % 3)
    with pytest.raises(ValueError, match="y_true must be 1-D class labels"):
        CLASSIFICATION_SCORERS["map"](clf, X, Y)
