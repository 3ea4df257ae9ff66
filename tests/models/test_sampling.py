"""Class-balanced under-sampling every epoch (``balance="undersample"``, issue 24 item 4)."""

import numpy as np
import pytest
import torch
from skorch.callbacks import Callback

from skaudio.models import BalancedUnderSampler, SECNNClassifier
from skaudio.models._base import _dataset_labels

LABELS = np.array([0] * 10 + [1] * 4 + [2] * 6)


def _epochs(sampler, n):
    return [list(sampler) for _ in range(n)]


def test_each_epoch_keeps_the_smallest_class_count_of_every_class_without_replacement():
    s = BalancedUnderSampler(LABELS, seed=0)
    assert len(s) == 12 and s.n_per_class == 4 and list(s.classes_) == [0, 1, 2]
    for epoch in _epochs(s, 5):
        assert len(epoch) == len(s) == len(set(epoch))  # no clip twice
        assert np.bincount(LABELS[epoch]).tolist() == [4, 4, 4]
        assert sorted(i for i in epoch if LABELS[i] == 1) == list(range(10, 14))  # minority: all
        assert epoch != sorted(epoch)  # shuffled across classes


def test_a_new_draw_every_epoch_and_seeded():
    s = BalancedUnderSampler(LABELS, seed=0)
    epochs = _epochs(s, 6)
    majority = [frozenset(i for i in e if LABELS[i] == 0) for e in epochs]
    assert len(set(majority)) > 1  # different clips of the majority class across epochs
    assert len({tuple(e) for e in epochs}) == 6
    assert _epochs(BalancedUnderSampler(LABELS, seed=0), 6) == epochs  # same seed, same epochs
    assert _epochs(BalancedUnderSampler(LABELS, seed=1), 6) != epochs
    state = torch.random.get_rng_state()
    list(BalancedUnderSampler(LABELS, seed=3))
    assert torch.equal(torch.random.get_rng_state(), state)  # torch's global generator untouched


def test_bad_labels():
    with pytest.raises(ValueError, match="non-empty 1-D"):
        BalancedUnderSampler([])


class _EpochLabels(Callback):
    def on_train_begin(self, net, **kwargs):
        self.epochs_ = []

    def on_epoch_begin(self, net, **kwargs):
        self.epochs_.append([])

    def on_batch_begin(self, net, batch=None, training=None, **kwargs):
        if training:
            self.epochs_[-1].extend(batch[1].tolist())


def _fit(balance, **kw):
    rng = np.random.default_rng(0)
    X = rng.random((40, 8, 10)).astype(np.float32)
    y = np.array(["a"] * 24 + ["b"] * 10 + ["c"] * 6)
    rec = _EpochLabels()
    clf = SECNNClassifier(
        module__width=2,
        module__n_blocks=2,
        module__head=(4,),
        max_epochs=3,
        batch_size=8,
        balance=balance,
        mixup_alpha=0.0,
        time_shift_prob=0.0,
        random_crop=None,
        spec_augment=None,
        random_state=0,
        n_jobs=1,
        callbacks=[("rec", rec)],
        **kw,
    ).fit(X, y)
    return clf, rec.epochs_, X, y


def test_estimator_balances_the_training_split_every_epoch():
    # after the validation split skorch trains on a Subset: the labels must be the subset's
    clf, epochs, X, y = _fit("undersample", early_stopping=True, validation_fraction=0.25)
    train, _ = clf.get_split_datasets(X, clf._encode(y, clf.classes_))
    assert isinstance(train, torch.utils.data.Subset)
    labels = _dataset_labels(train)
    np.testing.assert_array_equal(labels, clf._encode(y, clf.classes_)[train.indices])
    smallest = np.bincount(labels).min()
    assert smallest < np.bincount(labels).max()
    for epoch in epochs:
        assert np.bincount(epoch).tolist() == [smallest] * 3
    # seeded: the same random_state draws the same epochs
    assert _fit("undersample", early_stopping=True, validation_fraction=0.25)[1] == epochs


def test_estimator_without_hold_out_and_default_off():
    _, epochs, _, _ = _fit("undersample")
    assert all(np.bincount(e).tolist() == [6, 6, 6] for e in epochs)
    _, plain, _, _ = _fit(None)
    assert all(np.bincount(e).tolist() == [24, 10, 6] for e in plain)  # every clip, once an epoch


def test_one_cycle_is_sized_for_the_balanced_epochs():
    # sized for all 40 clips, the cycle would stop before its anneal on 18-clip epochs
    clf, _, _, _ = _fit("undersample", lr_schedule="onecycle")
    lrs = np.concatenate([[b["event_lr"] for b in batches] for batches in clf.history_[:, "batches"]])
    assert len(lrs) == 3 * 3  # 18 clips an epoch, batches of 8
    assert lrs.max() == pytest.approx(clf.lr, rel=0.05) and lrs[-1] < 0.05 * clf.lr
