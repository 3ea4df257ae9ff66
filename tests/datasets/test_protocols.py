"""protocol_cv: each kind of protocol as a splitter, equal to scikit-learn's own given the groups."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, LeaveOneGroupOut, cross_validate
from sklearn.utils import Bunch

from skaudio.datasets import load_esc50, protocol_cv
from tests.datasets.test_esc50 import make_layout


def _same(splits_a, splits_b):
    a, b = list(splits_a), list(splits_b)
    assert len(a) == len(b)
    for (tr1, te1), (tr2, te2) in zip(a, b):
        np.testing.assert_array_equal(tr1, tr2)
        np.testing.assert_array_equal(te1, te2)


def test_esc50_folds(tmp_path):
    esc = load_esc50(make_layout(tmp_path / "esc"), sr=8000, duration=0.5)
    assert esc.protocol == {"kind": "folds", "column": "fold"}
    _same(protocol_cv(esc).split(esc.data), LeaveOneGroupOut().split(esc.data, groups=esc.fold))
    scores = cross_validate(LogisticRegression(), esc.data[:, :50], esc.target, cv=protocol_cv(esc))
    assert len(scores["test_score"]) == 2


def test_groups_equal_sklearn_splitters():
    rng = np.random.default_rng(0)
    actor = rng.integers(1, 9, 60)
    b = Bunch(actor=actor, protocol={"kind": "groups", "column": "actor"})
    X = np.zeros((60, 1))
    _same(protocol_cv(b).split(X), LeaveOneGroupOut().split(X, groups=actor))
    _same(protocol_cv(b, n_splits=3).split(X), GroupKFold(3).split(X, groups=actor))
    assert protocol_cv(b, n_splits=3).get_n_splits() == 3


def test_fixed_split_leaves_unused_rows_out():
    split = np.array(["train", "test", "validation", "train", "test"], dtype=object)
    b = Bunch(split=split, protocol={"kind": "split", "column": "split"})
    ((tr, te),) = protocol_cv(b).split(np.zeros(5))
    assert tr.tolist() == [0, 2, 3] and te.tolist() == [1, 4]
    cv = protocol_cv(b, test="validation")
    ((tr, te),) = cv.split(np.zeros(5))
    assert tr.tolist() == [0, 3] and te.tolist() == [2]  # the test rows are in neither
    assert cv.get_n_splits() == 1 and "n_train=2" in repr(cv)
    X, y = np.arange(10.0).reshape(5, 2), np.array([0, 1, 0, 1, 0])
    result = cross_validate(LogisticRegression(), X, y, cv=cv, return_indices=True)
    assert result["indices"]["test"][0].tolist() == [2]  # scikit-learn takes it as any splitter
    with pytest.raises(ValueError, match="made for 5 rows"):
        list(cv.split(np.zeros(4)))


def test_bad_arguments():
    b = Bunch(
        split=np.array(["train", "test"]),
        fold=np.array([1, 1]),
        protocol={"kind": "split", "column": "split"},
    )
    with pytest.raises(TypeError, match="skaudio.datasets loader"):
        protocol_cv({"a": 1})
    with pytest.raises(TypeError, match="skaudio.datasets loader"):
        protocol_cv(np.zeros(3))
    with pytest.raises(ValueError, match="test must be"):
        protocol_cv(b, test="dev")
    for bad in (1, 2.5, True):
        with pytest.raises(ValueError, match="n_splits"):
            protocol_cv(b, n_splits=bad)
    with pytest.raises(ValueError, match="n_splits applies to grouped protocols"):
        protocol_cv(b, n_splits=2)  # a fixed split is not re-cut silently
    with pytest.raises(ValueError, match="no entry 'speaker'"):
        protocol_cv(b, by="speaker")
    with pytest.raises(ValueError, match="single value"):
        protocol_cv(b, by="fold")
    with pytest.raises(ValueError, match="no validation rows"):
        protocol_cv(b, test="validation")
    with pytest.raises(ValueError, match="more than the 2 groups"):
        protocol_cv(Bunch(g=np.array([1, 2]), protocol={"kind": "groups", "column": "g"}), n_splits=3)
    with pytest.raises(ValueError, match="expected"):
        protocol_cv(Bunch(s=np.array(["train", "dev"]), protocol={"kind": "split", "column": "s"}))
