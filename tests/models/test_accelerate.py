"""AudioAccelerateMixin: skorch's AccelerateMixin with the classifiers' recipe, on Accelerate's CPU mode."""

import numpy as np
import pytest
import torch

accelerate = pytest.importorskip("accelerate")

from skaudio.models import AudioAccelerateMixin, DualBranchClassifier, SECNNClassifier  # noqa: E402


class AcceleratedSECNN(AudioAccelerateMixin, SECNNClassifier):
    """SE-CNN through Accelerate (module level: pickling needs the class by name)."""


class AcceleratedDualBranch(AudioAccelerateMixin, DualBranchClassifier):
    """The end-to-end network through Accelerate."""


@pytest.fixture(autouse=True)
def fresh_accelerator_state():
    # Accelerate keeps one state per process; each test builds its own Accelerator
    yield
    accelerate.state.AcceleratorState._reset_state(reset_partial_state=True)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 16, 12)).astype(np.float32)
    y = np.repeat(["a", "b", "c"], 10)
    X[y == "b", :4] += 2.0
    return X, y


def test_cpu_accelerator_trains_the_recipe_like_the_plain_classifier(data, capsys):
    X, y = data
    # the default recipe: mixup, crops, SpecAugment, shifts, one-cycle; all must survive the mixin
    kw = dict(module__width=4, max_epochs=2, batch_size=8, random_state=0)
    plain = SECNNClassifier(**kw).fit(X, y)
    acc = AcceleratedSECNN(accelerator=accelerate.Accelerator(cpu=True), **kw).fit(X, y)
    assert acc.device is None
    assert isinstance(acc.module_, type(plain.module_))  # unwrapped after training
    a, b = plain.module_.state_dict(), acc.module_.state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)
    np.testing.assert_array_equal(plain.predict_proba(X), acc.predict_proba(X))
    assert capsys.readouterr().out == ""  # verbose=0 is silent through the accelerator too


def test_accelerator_mixed_precision_and_refusals(data):
    X, y = data
    wave = np.random.default_rng(1).uniform(-0.5, 0.5, (30, 2000)).astype(np.float32)
    clf = AcceleratedDualBranch(
        accelerator=accelerate.Accelerator(cpu=True, mixed_precision="bf16"),
        module__width=4,
        max_epochs=1,
        batch_size=8,
        random_state=0,
    ).fit(wave, y)
    assert np.isfinite(clf.predict_proba(wave)).all()
    with pytest.raises(ValueError, match="mixed precision is the accelerator's"):
        AcceleratedSECNN(accelerator=accelerate.Accelerator(cpu=True), amp="bf16", max_epochs=1).fit(X, y)
    with pytest.raises(ValueError, match="set device=None"):
        AcceleratedSECNN(accelerator=accelerate.Accelerator(cpu=True), device="cpu", max_epochs=1).fit(X, y)


def test_checkpoint_dir_in_one_process_and_refused_in_several(data, tmp_path, monkeypatch):
    X, y = data
    kw = dict(module__width=4, max_epochs=2, batch_size=8, random_state=0, checkpoint_dir=tmp_path)
    clf = AcceleratedSECNN(accelerator=accelerate.Accelerator(cpu=True), **kw).fit(X, y)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["epoch-000002", "latest.json"]
    again = AcceleratedSECNN(accelerator=accelerate.Accelerator(cpu=True), **kw).fit(X, y)  # resumes: done
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))
    monkeypatch.setattr(accelerate.Accelerator, "num_processes", property(lambda self: 2))
    with pytest.raises(ValueError, match="checkpoint_dir resumes single-process training"):
        AcceleratedSECNN(accelerator=accelerate.Accelerator(cpu=True), **kw).fit(X, y)
