"""The default networks and fits do not change when new switches are added.

Recorded on main at fccb40e, before the ablation switches of issue 24: the seeded
initial weights of each default network (a digest of its ``state_dict``, exact because
torch's CPU generator is the same on every machine), its evaluation-mode logits on a
fixed input, and the probabilities of a seeded two-epoch default fit. A new option that
defaults off must leave all three untouched.
"""

import hashlib

import numpy as np
import pytest
import torch

from skaudio.models import DEGramNetClassifier, DualBranchClassifier, SECNNClassifier
from skaudio.nn import SECNN, DEGramNet, DualBranchNet


def _digest(net):
    h = hashlib.sha256()
    for name, value in net.state_dict().items():
        h.update(name.encode())
        h.update(value.detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()


NETWORKS = {
    "SECNN": (
        lambda: SECNN(n_classes=10),
        lambda g: torch.randn(2, 64, 100, generator=g),
        "24ffb23e202481c7fd5d750359a7d7730a631f360b03037ce0d1c6fda1d25164",
        [
            -0.093887,
            -0.011271,
            0.002899,
            -0.056416,
            0.125555,
            -0.04476,
            0.138021,
            -0.025681,
            0.022686,
            -0.030258,
        ],
    ),
    "DEGramNet": (
        lambda: DEGramNet(n_classes=10, sr=22050.0),
        lambda g: torch.rand(2, 257, 100, generator=g),
        "3d3d94d234f1a237ac0aa2605591058eeac84720f3ac22bf1b44ab17f8b50e6b",
        [
            -0.002697,
            0.061968,
            -0.023594,
            0.021878,
            0.058812,
            0.064073,
            -0.002239,
            0.043942,
            0.008946,
            -0.010029,
        ],
    ),
    "DualBranchNet": (
        lambda: DualBranchNet(n_classes=10),
        lambda g: torch.randn(2, 22050, generator=g),
        "2bb7e865ff7c52aa483123adbf98c43b1828318dad7c07a6c3e2809c34ede915",
        [0.207012, 0.225626, -0.084323, 0.37927, 0.060513, 0.024705, 0.327207, 0.275916, 0.226818, -0.114881],
    ),
}


@pytest.mark.parametrize("name", list(NETWORKS))
def test_default_network_weights_and_logits_unchanged(name):
    make, data, digest, logits = NETWORKS[name]
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        net = make().eval()
    assert _digest(net) == digest
    with torch.no_grad():
        out = net(data(torch.Generator().manual_seed(1)))
    np.testing.assert_allclose(out[0].numpy(), logits, rtol=1e-4, atol=2e-6)


def _secnn(rng):
    return SECNNClassifier(random_state=0, max_epochs=2), rng.standard_normal((12, 64, 48)).astype(
        np.float32
    ) * 10 - 40


def _degram(rng):
    return DEGramNetClassifier(random_state=0, max_epochs=2, module__sr=22050), rng.random(
        (12, 257, 48)
    ).astype(np.float32)


def _dual(rng):
    return DualBranchClassifier(random_state=0, max_epochs=2, module__sr=22050), rng.standard_normal(
        (12, 8192)
    ).astype(np.float32) * 0.1


FITS = [
    (_secnn, [0.3472085, 0.3089901, 0.3438014, 0.3409387, 0.3089163, 0.350145]),
    (_degram, [0.4267067, 0.2719117, 0.3013817, 0.3645802, 0.3235002, 0.3119196]),
    (_dual, [0.428001, 0.5527276, 0.0192714, 0.3993195, 0.4310747, 0.1696057]),
]


@pytest.mark.parametrize("make, expected", FITS, ids=["secnn", "degram", "dual"])
def test_default_fit_unchanged(make, expected):
    y = np.arange(12) % 3
    rng = np.random.default_rng(0)  # the three inputs come from one generator, in this order
    inputs = {f: f(rng) for f in (_secnn, _degram, _dual)}
    clf, X = inputs[make]
    proba = clf.fit(X, y).predict_proba(X)
    np.testing.assert_allclose(proba[:2].ravel(), expected, rtol=1e-4, atol=1e-6)
