"""Grad-CAM: known answers on hand-built networks, the skaudio networks, errors."""

import numpy as np
import pytest
import torch

from skaudio.interpret import grad_cam


class SignSplit(torch.nn.Module):
    """Channel 0 = ReLU(x), channel 1 = ReLU(-x); logit k = global average of channel k."""

    def __init__(self, stride=1):
        super().__init__()
        self.conv = torch.nn.Conv2d(1, 2, 1, stride=stride, bias=False)
        with torch.no_grad():
            self.conv.weight.copy_(torch.tensor([1.0, -1.0]).view(2, 1, 1, 1))
        self.act = torch.nn.ReLU(inplace=True)

    def forward(self, x):
        return self.act(self.conv(x[:, None])).mean(dim=(-2, -1))


def two_regions(n=3, shape=(16, 24)):
    """Positive values in a low-frequency early region, negative in a high late one."""
    X = np.zeros((n,) + shape, dtype=np.float32)
    X[:, 2:6, 4:10] = 1.0
    X[:, 10:14, 14:22] = -2.0
    return X


def test_known_regions():
    X = two_regions()
    pos = (X > 0).astype(np.float32)
    neg = (X < 0).astype(np.float32)
    net = SignSplit()
    np.testing.assert_allclose(grad_cam(net, X, "act", target=0), pos, atol=1e-6)
    np.testing.assert_allclose(grad_cam(net, X, "act", target=1), neg, atol=1e-6)
    cams, target = grad_cam(net, X, "act", return_target=True)  # the predicted class: channel 1 wins
    np.testing.assert_array_equal(target, [1, 1, 1])
    np.testing.assert_allclose(cams, neg, atol=1e-6)
    # unnormalised: the channel weight (1 / map size) times the activation
    raw = grad_cam(net, X, "act", target=1, normalize=False)
    np.testing.assert_allclose(raw, 2.0 * neg / X[0].size, rtol=1e-5)
    # a per-clip target
    both = grad_cam(net, X, "act", target=np.array([0, 1, 0]))
    np.testing.assert_allclose(both, np.stack([pos[0], neg[1], pos[2]]), atol=1e-6)


def test_downsampled_maps_are_upsampled_onto_the_input_grid():
    X = two_regions()
    cam = grad_cam(SignSplit(stride=2), X, "act", target=0)
    assert cam.shape == X.shape
    inside = cam[:, 2:6, 4:10].mean()
    outside = cam[:, 9:, 12:].mean()
    assert inside > 0.5 and outside < 0.05


def test_equals_class_activation_mapping_for_a_global_average_head():
    """With global average pooling and a linear head, Grad-CAM is CAM (Zhou et al. 2016)."""
    torch.manual_seed(0)
    net = torch.nn.Sequential(
        torch.nn.Conv2d(1, 6, 3, padding=1),
        torch.nn.ReLU(),
        torch.nn.AdaptiveAvgPool2d(1),
        torch.nn.Flatten(),
        torch.nn.Linear(6, 4),
    )
    X = np.random.default_rng(0).random((5, 1, 12, 18)).astype(np.float32)
    cams = grad_cam(net, X, "1", target=2, normalize=False)
    with torch.no_grad():
        A = net[1](net[0](torch.from_numpy(X)))
        cam = torch.relu(torch.einsum("c,ncft->nft", net[4].weight[2], A)) / (12 * 18)
    np.testing.assert_allclose(cams, cam.numpy(), rtol=1e-5, atol=1e-7)


def test_model_is_left_as_it_was():
    net = SignSplit()
    net.train()
    state = {k: v.clone() for k, v in net.state_dict().items()}
    grad_cam(net, two_regions(), "conv")
    assert net.training
    assert all(p.grad is None for p in net.parameters())
    assert all(len(m._forward_hooks) == 0 for m in net.modules())
    assert all(torch.equal(v, state[k]) for k, v in net.state_dict().items())


def test_skaudio_networks(fitted, events):
    X, y = events
    secnn = fitted["secnn"]
    S = secnn[:-1].transform(X)
    cams, target = grad_cam(secnn, X, "features.20", return_target=True, n_jobs=1)
    assert cams.shape == S.shape and cams.dtype == np.float32
    peaks = cams.reshape(len(X), -1).max(1)
    assert cams.min() >= 0 and np.allclose(peaks[peaks > 0], 1)
    np.testing.assert_array_equal(target, secnn.predict(X))
    same = grad_cam(secnn[-1], S, "features.20", n_jobs=1)  # the bare classifier on its log-mels
    np.testing.assert_allclose(same, cams, atol=1e-5)
    labelled = grad_cam(secnn, X, "features.20", target=y[0], n_jobs=1, batch_size=4)
    assert labelled.shape == S.shape
    degram = fitted["degram"]
    assert grad_cam(degram, X, "stem.2", n_jobs=1).shape == degram[:-1].transform(X).shape
    assert grad_cam(degram, X, "degram", n_jobs=1).shape == (len(X), degram[:-1].transform(X).shape[-1])
    dual = fitted["dual"]
    assert grad_cam(dual, X, "semantic.2", n_jobs=1).shape == X.shape  # maps over the samples
    assert grad_cam(dual, X, "semantic_tf", n_jobs=1).shape == X.shape  # (n, steps, features) layer


def test_errors(fitted, events):
    X, _ = events
    secnn = fitted["secnn"]
    with pytest.raises(ValueError, match="Grad-CAM needs feature maps"):
        grad_cam(secnn, X, "classifier.0", n_jobs=1)
    with pytest.raises(ValueError, match="not among the classes"):
        grad_cam(secnn, X, "features.20", target="no such class", n_jobs=1)
    with pytest.raises(ValueError, match="one label per clip"):
        grad_cam(secnn, X, "features.20", target=[0, 1], n_jobs=1)
    with pytest.raises(ValueError, match="is not a layer of SECNN"):
        grad_cam(secnn, X, "features.99", n_jobs=1)
    with pytest.raises(ValueError, match="integer logit indices"):
        grad_cam(SignSplit(), two_regions(), "act", target="a")
    with pytest.raises(ValueError, match="out of range"):
        grad_cam(SignSplit(), two_regions(), "act", target=5)
    with pytest.raises(ValueError, match="runs 2 times"):
        grad_cam(fitted["dual"], X, "semantic.1.blocks.0.gate.mlp", n_jobs=1)
