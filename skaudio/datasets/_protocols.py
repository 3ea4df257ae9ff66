"""Each data set's evaluation protocol as a scikit-learn splitter."""

from __future__ import annotations

from numbers import Integral

import numpy as np
from sklearn.model_selection import BaseCrossValidator, GroupKFold, PredefinedSplit
from sklearn.utils import Bunch

__all__ = ["protocol_cv"]

_SPLIT_NAMES = ("train", "validation", "test")


class _HeldOutSplit(BaseCrossValidator):
    """One split whose training and test rows are given; rows in neither are left out.

    ``PredefinedSplit`` trains on every row outside the test fold, so with a
    train/validation/test split, validating on ``validation`` would train on ``test``.
    """

    def __init__(self, train, test):
        self.train = np.flatnonzero(train)
        self.test = np.flatnonzero(test)
        self._n = len(train)

    def split(self, X=None, y=None, groups=None):
        if X is not None and len(X) != self._n:
            raise ValueError(f"the split was made for {self._n} rows, got X with {len(X)}")
        yield self.train, self.test

    def get_n_splits(self, X=None, y=None, groups=None):
        return 1

    def __repr__(self):
        return f"HeldOutSplit(n_train={len(self.train)}, n_test={len(self.test)})"


def protocol_cv(
    bunch: Bunch, *, test: str = "test", by: str | None = None, n_splits: int | None = None
) -> BaseCrossValidator:
    """The data set's evaluation protocol as a splitter for ``cv=`` (no ``groups`` needed).

    ======================  =============================  ==================================
    loader                  official protocol              splitter
    ======================  =============================  ==================================
    load_esc50              5 predefined folds             ``PredefinedSplit`` on ``fold``
    load_urbansound8k       10 predefined folds            ``PredefinedSplit`` on ``fold``
    load_speech_commands    train / validation / test      one fixed split
    load_voxceleb1          train / validation / test      one fixed split
    load_vggsound           train / test                   one fixed split
    load_gtzan              given split lists (filtered)   one fixed split (needs the lists)
    load_fsdd               train / test by file index     one fixed split
    load_ravdess            none: speaker-independent      one fold per actor
    load_cremad             none: speaker-independent      one fold per actor
    ======================  =============================  ==================================

    Parameters
    ----------
    bunch : Bunch
        What a skaudio loader returned (its ``protocol`` entry says which protocol).
    test : {"test", "validation"}, default="test"
        For fixed splits: ``"test"`` trains on train and validation rows together and
        tests on the test rows; ``"validation"`` trains on the train rows and tests on
        the validation rows, the test rows left out (model selection).
    by : str, default=None
        Group the rows by this Bunch entry instead (``"speaker"``, ``"actor"``,
        ``"fold"``), so that no group is in both training and test rows: one fold per
        group, or ``n_splits`` folds of whole groups (``GroupKFold``).
    n_splits : int, default=None
        With a grouped protocol: the number of folds of whole groups; None keeps
        one fold per group (leave one group out).

    Returns
    -------
    splitter
        ``PredefinedSplit`` for folds and groups (equivalent to ``LeaveOneGroupOut``
        / ``GroupKFold`` given the groups), a one-split splitter for fixed splits.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.utils import Bunch
    >>> b = Bunch(split=np.array(["train", "validation", "test", "train"], dtype=object),
    ...           protocol={"kind": "split", "column": "split"})
    >>> [(tr.tolist(), te.tolist()) for tr, te in protocol_cv(b).split()]
    [([0, 1, 3], [2])]
    >>> [(tr.tolist(), te.tolist()) for tr, te in protocol_cv(b, test="validation").split()]
    [([0, 3], [1])]
    """
    protocol = bunch.get("protocol") if hasattr(bunch, "get") else None
    if not isinstance(protocol, dict) or "kind" not in protocol:
        raise TypeError("bunch must be what a skaudio.datasets loader returned (it has a 'protocol' entry)")
    if test not in ("test", "validation"):
        raise ValueError(f"test must be 'test' or 'validation', got {test!r}")
    if n_splits is not None and (
        not isinstance(n_splits, Integral) or isinstance(n_splits, bool) or n_splits < 2
    ):
        raise ValueError(f"n_splits must be None or an integer >= 2, got {n_splits!r}")
    kind, column = protocol["kind"], protocol["column"]
    if by is not None:
        kind, column = "groups", by
    elif kind == "none":  # GTZAN without split lists: no leak-free split is known
        raise ValueError(protocol["reason"])
    if column not in bunch:
        raise ValueError(f"the bunch has no entry {column!r} to split on; it has {sorted(bunch)}")
    values = np.asarray(bunch[column])
    if n_splits is not None and kind != "groups":
        raise ValueError(
            f"n_splits applies to grouped protocols (RAVDESS, CREMA-D, or by=...); this data set's "
            f"protocol is fixed ({kind} on {column!r})"
        )
    if kind == "split":
        unknown = sorted(set(values.tolist()) - set(_SPLIT_NAMES), key=str)
        if unknown:
            raise ValueError(f"the {column!r} entry holds {unknown}; expected {list(_SPLIT_NAMES)}")
        held = values == test
        train = (values == "train") | ((values == "validation") & (test == "test"))
        if not held.any() or not train.any():
            raise ValueError(f"no {test if not held.any() else 'training'} rows to split on")
        return _HeldOutSplit(train, held)
    # folds and groups: each fold is the test set once, everything else trains
    _, codes = np.unique(values, return_inverse=True)
    n_groups = codes.max() + 1
    if n_groups < 2:
        raise ValueError(f"the {column!r} entry has a single value; a grouped split needs at least 2")
    if n_splits is None:
        return PredefinedSplit(codes)
    if n_splits > n_groups:
        raise ValueError(f"n_splits={n_splits} is more than the {n_groups} groups in {column!r}")
    test_fold = np.empty(len(codes), dtype=np.int64)
    for i, (_, held_out) in enumerate(GroupKFold(n_splits).split(codes, groups=codes)):
        test_fold[held_out] = i
    return PredefinedSplit(test_fold)
