"""The papers' recipes hold the papers' values, build the matching callbacks and train (issue 24 item 4)."""

import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone
from skorch.callbacks import EarlyStopping, LRScheduler

from skaudio.models import DEGramNetClassifier, DualBranchClassifier, SECNNClassifier
from skaudio.models.callbacks import EMA, OneCycle

CLASSIFIERS = [SECNNClassifier, DEGramNetClassifier, DualBranchClassifier]
PAPER = {SECNNClassifier: "thesis", DEGramNetClassifier: "paper", DualBranchClassifier: "paper"}
TINY = {
    SECNNClassifier: dict(module__width=2, module__n_blocks=2, module__head=(4,)),
    DEGramNetClassifier: dict(module__n_filters=4, module__stem_width=2, module__width=2, module__sr=8000),
    DualBranchClassifier: dict(
        module__width=4, module__detail_width=4, module__d_model=8, module__n_heads=2, module__stem_stride=8
    ),
}


def _data(cls, n=24):
    rng = np.random.default_rng(0)
    y = np.arange(n) % 3
    if cls is DualBranchClassifier:
        return (0.1 * rng.standard_normal((n, 1024))).astype(np.float32), y
    if cls is SECNNClassifier:
        return (rng.standard_normal((n, 16, 20)) * 10 - 40).astype(np.float32), y
    return rng.random((n, 33, 20)).astype(np.float32), y


def _callback(clf, name):
    return dict(clf.callbacks_)[name]


def test_deg_paper_recipe_is_the_papers_text():
    p = DEGramNetClassifier.from_recipe("paper").get_params(deep=False)
    assert p["optimizer"] is torch.optim.Adam and p["weight_decay"] == 0.0  # l.231: Adam
    assert p["lr"] == 3e-4 and p["batch_size"] == 64
    assert p["lr_schedule"] == "plateau" and p["lr_factor"] == 0.1 and p["lr_patience"] == 7
    assert p["monitor"] == "valid_acc" and p["early_stopping"] and p["patience"] == 10
    assert p["balance"] == "undersample"
    assert p["crop_length"] == (400, 600) and p["random_crop"] is None  # l.235-237
    assert p["module__freq_masks"] > 0 and p["module__time_masks"] > 0  # SpecAugment after DEGram
    assert p["spec_augment"] is None
    # nothing the paper does not state
    assert p["time_shift_prob"] == 0.0 and p["mixup_alpha"] == 0.0 and p["noise"] is None
    assert p["ema_decay"] is None and p["filterbank_lr_scale"] == 1.0
    # the defaults the paper does not state stay
    default = DEGramNetClassifier().get_params(deep=False)
    assert p["validation_fraction"] == default["validation_fraction"]
    assert p["max_epochs"] == default["max_epochs"]


def test_secnn_thesis_recipe_is_the_theses_text():
    p = SECNNClassifier.from_recipe("thesis").get_params(deep=False)
    assert p["optimizer"] is torch.optim.Adam and p["weight_decay"] == 0.0 and p["lr"] == 1e-3
    assert p["batch_size"] == 32 and p["max_epochs"] == 300
    assert p["lr_schedule"] == "plateau" and p["monitor"] == "valid_loss" and p["early_stopping"]
    assert p["validation_fraction"] == 0.2
    assert p["mixup_alpha"] > 0
    assert set(p["noise"]) == {"white", "pink", "brown"} and p["noise_snr"] == 15.0
    assert p["noise_prob"] == 0.3  # l.510: "applied independently, with a 30% probability"
    assert p["time_shift_prob"] == 0.3 and p["time_shift_max"] == 0.2
    assert p["spec_augment"] is None and p["random_crop"] is None and p["crop_length"] is None
    assert p["balance"] is None and p["ema_decay"] is None


def test_e2e_paper_recipe_is_the_papers_text():
    p = DualBranchClassifier.from_recipe("paper").get_params(deep=False)
    assert p["optimizer"] is torch.optim.AdamW and p["lr_schedule"] == "onecycle" and p["lr"] == 3e-4
    assert p["batch_size"] == 64 and p["weight_decay"] == 1e-5 and p["ema_decay"] == 0.995
    assert p["noise"] is not None and p["mixup_alpha"] > 0
    assert not p["early_stopping"] and p["filterbank_lr_scale"] == 1.0
    assert p["time_shift_prob"] == 0.0 and p["random_crop"] is None and p["crop_length"] is None
    gaps = " ".join(DualBranchClassifier.recipe_gaps["paper"])
    assert "SKD" in gaps and "1500" in gaps


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_every_recipe_lists_its_gaps_with_the_papers_lines(cls):
    assert set(cls.recipe_gaps) == set(cls.recipes)
    assert cls.recipe_gaps["cpu"] == ()
    gaps = cls.recipe_gaps[PAPER[cls]]
    assert gaps and all(isinstance(g, str) for g in gaps)
    assert sum("l." in g for g in gaps) >= len(gaps) - 2  # nearly every line cites the paper
    assert "recipe_gaps" in cls.__doc__


def test_deg_recipe_builds_accuracy_watching_callbacks():
    clf = DEGramNetClassifier.from_recipe(
        "paper", **TINY[DEGramNetClassifier], classes=[0, 1, 2]
    ).initialize()
    plateau, stop = _callback(clf, "lr_scheduler"), _callback(clf, "early_stopping")
    assert isinstance(plateau, LRScheduler) and plateau.policy is torch.optim.lr_scheduler.ReduceLROnPlateau
    assert plateau.monitor == "valid_acc" and plateau.kwargs["mode"] == "max"
    assert plateau.kwargs["factor"] == 0.1 and plateau.kwargs["patience"] == 7
    assert isinstance(stop, EarlyStopping) and stop.monitor == "valid_acc" and not stop.lower_is_better
    assert stop.patience == 10
    assert isinstance(clf.optimizer_, torch.optim.Adam) and not isinstance(clf.optimizer_, torch.optim.AdamW)
    assert {g["lr"] for g in clf.optimizer_.param_groups} == {3e-4}  # one rate, the bank's too
    assert {g["weight_decay"] for g in clf.optimizer_.param_groups} == {0.0}


def test_monitor_without_hold_out_keeps_the_training_loss():
    kw = dict(TINY[SECNNClassifier], classes=[0, 1], lr_schedule="plateau", monitor="valid_acc")
    clf = SECNNClassifier(**kw).initialize()
    plateau = _callback(clf, "lr_scheduler")
    assert plateau.monitor == "train_loss" and "mode" not in plateau.kwargs
    stop = _callback(SECNNClassifier(**kw, early_stopping=True).initialize(), "early_stopping")
    assert stop.monitor == "valid_acc" and not stop.lower_is_better
    default = SECNNClassifier(**{**kw, "monitor": "valid_loss"}, early_stopping=True).initialize()
    assert _callback(default, "early_stopping").lower_is_better


def test_thesis_and_e2e_callbacks():
    thesis = SECNNClassifier.from_recipe("thesis", **TINY[SECNNClassifier], classes=[0, 1]).initialize()
    assert _callback(thesis, "lr_scheduler").monitor == "valid_loss"
    assert _callback(thesis, "early_stopping").monitor == "valid_loss"
    assert type(thesis.optimizer_) is torch.optim.Adam and thesis.optimizer_.param_groups[0]["lr"] == 1e-3
    e2e = DualBranchClassifier.from_recipe("paper", **TINY[DualBranchClassifier], classes=[0, 1]).initialize()
    assert isinstance(_callback(e2e, "lr_scheduler"), OneCycle) and _callback(e2e, "ema").decay == 0.995
    assert isinstance(_callback(e2e, "ema"), EMA)
    assert type(e2e.optimizer_) is torch.optim.AdamW
    assert {g["weight_decay"] for g in e2e.optimizer_.param_groups} <= {1e-5, 0.0}


class _Lengths(torch.nn.Module):
    """Records the time length of every training batch; predicts from the clip means."""

    def __init__(self, n_classes, **network_args):  # n_freqs, the masks: ignored
        super().__init__()
        self.lin = torch.nn.Linear(1, n_classes)
        self.lengths = []

    def forward(self, x):
        if self.training:
            self.lengths.append(x.shape[-1])
        return self.lin(x.mean(dim=tuple(range(1, x.ndim)))[:, None])


def test_deg_recipe_trains_on_tiled_400_to_600_frame_batches():
    X, y = _data(DEGramNetClassifier)  # 20 frames: every batch is tiled
    clf = DEGramNetClassifier.from_recipe(
        "paper", module=_Lengths, max_epochs=3, batch_size=4, random_state=0
    )
    clf.fit(X, y)
    lengths = clf.module_.lengths
    assert all(400 <= n <= 600 for n in lengths) and len(set(lengths)) > 1
    assert clf.predict(X).shape == (24,)  # prediction takes the whole input


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_paper_recipe_fits_clones_and_pickles(cls):
    X, y = _data(cls)
    overrides = dict(TINY[cls], max_epochs=2, random_state=0, n_jobs=1)
    clf = cls.from_recipe(PAPER[cls], **overrides)
    clf.fit(X, y)
    h = clf.history_
    assert len(h) >= 1
    if clf.early_stopping:
        assert "valid_acc" in h[-1]
    proba = clf.predict_proba(X)
    assert proba.shape == (24, 3)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(clf)).predict_proba(X), proba)
    again = clone(clf)
    assert again.get_params(deep=False).keys() == clf.get_params(deep=False).keys()
    for k, v in {**cls.recipes[PAPER[cls]], **overrides}.items():
        assert again.get_params(deep=False)[k] == v
    np.testing.assert_array_equal(again.fit(X, y).predict_proba(X), proba)  # seeded


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(crop_length=(5, 2)), "crop_length"),
        (dict(crop_length=(0, 3)), "crop_length"),
        (dict(crop_length=(2, 3.5)), "crop_length"),
        (dict(crop_length=0), "crop_length"),
        (dict(crop_length="long"), "crop_length"),
        (dict(crop_length=(4, 6), random_crop=0.5), "not both"),
        (dict(balance="x"), "balance"),
        (dict(balance=True), "balance"),
        (dict(monitor="x"), "monitor"),
        (dict(monitor="valid_f1"), "monitor"),
    ],
)
def test_new_parameters_are_validated_before_training(params, match):
    X, y = _data(DEGramNetClassifier, n=6)
    clf = DEGramNetClassifier(**TINY[DEGramNetClassifier], **params)
    with pytest.raises(ValueError, match=match):
        clf.fit(X, y)
    assert not hasattr(clf, "module_")
