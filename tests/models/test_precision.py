"""Devices and mixed precision of the classifiers: amp, device='cuda'."""

import numpy as np
import pytest
import torch
from skorch.callbacks import Callback

from skaudio.models import DEGramNetClassifier, DualBranchClassifier, SECNNClassifier

CUDA = torch.cuda.is_available()


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((24, 16, 12)).astype(np.float32)
    y = np.repeat(["a", "b", "c"], 8)
    X[y == "b", :4] += 2.0
    return X, y


def _inputs(cls, X):
    if cls is DEGramNetClassifier:
        return np.abs(X) ** 2
    if cls is DualBranchClassifier:
        return np.random.default_rng(1).uniform(-0.5, 0.5, (len(X), 2000)).astype(np.float32)
    return X


SMALL = {
    SECNNClassifier: dict(module__width=4),
    DEGramNetClassifier: dict(module__width=4, module__n_filters=8),
    DualBranchClassifier: dict(module__width=4),
}


@pytest.mark.skipif(CUDA, reason="checks the refusal on a machine without a GPU")
def test_float16_amp_is_refused_off_cuda(data):
    X, y = data
    for device in ("cpu", None):
        with pytest.raises(ValueError, match=r"amp=True .* needs a CUDA device.*amp='bf16'"):
            SECNNClassifier(amp=True, device=device, max_epochs=1).fit(X, y)
    with pytest.raises(ValueError, match="amp"):
        SECNNClassifier(amp="fp8", max_epochs=1).fit(X, y)


@pytest.mark.parametrize("cls", list(SMALL))
def test_bf16_autocast_on_cpu(cls, data):
    X, y = data
    X = _inputs(cls, X)
    kw = dict(SMALL[cls], max_epochs=2, batch_size=8, random_state=0)
    seen = []

    class Watch(Callback):  # the dtype of the last convolution's output during training
        def on_train_begin(self, net, **kwargs):
            convs = [m for m in net.module_.modules() if isinstance(m, (torch.nn.Conv1d, torch.nn.Conv2d))]
            convs[-1].register_forward_hook(lambda m, i, o: seen.append(o.dtype))

    clf = cls(**kw, amp="bf16", callbacks=[Watch()]).fit(X, y)
    assert seen and set(seen) == {torch.bfloat16}  # the forward passes ran under bfloat16 autocast
    proba = clf.predict_proba(X)
    assert proba.dtype == np.float64 and np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    fp32 = cls(**kw).fit(X, y)
    assert not np.array_equal(proba, fp32.predict_proba(X))  # another precision, other numbers


@pytest.mark.skipif(not CUDA, reason="needs a CUDA GPU")
@pytest.mark.parametrize("amp", [False, True, "bf16"])
def test_cuda_fit_and_predict(amp, data):
    X, y = data
    clf = SECNNClassifier(module__width=4, max_epochs=2, batch_size=8, random_state=0, device="cuda", amp=amp)
    clf.fit(X, y)
    assert next(clf.module_.parameters()).is_cuda
    assert np.isfinite(clf.predict_proba(X)).all()
    it = clf.get_iterator(clf.get_dataset(X, np.zeros(len(X), dtype=np.int64)), training=True)
    assert it.pin_memory
