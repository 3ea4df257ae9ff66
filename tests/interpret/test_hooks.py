"""Activation capture: right values, any layer, model left unchanged, clear errors."""

import numpy as np
import pytest
import torch
from sklearn.exceptions import NotFittedError
from sklearn.frozen import FrozenEstimator

from skaudio.interpret import ActivationCapture, capture_activations, layer_names
from tests.interpret.conftest import make_pipelines


def small_net():
    torch.manual_seed(0)
    return torch.nn.Sequential(
        torch.nn.Conv1d(2, 3, 3, padding=1),
        torch.nn.BatchNorm1d(3),
        torch.nn.ReLU(inplace=True),
        torch.nn.AdaptiveAvgPool1d(1),
        torch.nn.Flatten(),
        torch.nn.Linear(3, 2),
    )


def test_values_match_a_manual_forward_pass():
    net = small_net()
    net[1].running_mean.fill_(0.3)  # eval-mode batch norm uses these
    X = np.random.default_rng(0).standard_normal((5, 2, 11)).astype(np.float32)
    got = capture_activations(net, X, ["0", "1", "2"], batch_size=2, n_jobs=1)
    with torch.no_grad():
        net.eval()
        x = torch.from_numpy(X)
        conv = net[0](x)
        bn = net[1](conv)
    np.testing.assert_allclose(got["0"], conv.numpy(), rtol=1e-6, atol=1e-6)
    # the batch-norm output is recorded before the in-place ReLU overwrites it
    np.testing.assert_allclose(got["1"], bn.numpy(), rtol=1e-6, atol=1e-6)
    assert (got["1"] < 0).any()
    np.testing.assert_allclose(got["2"], np.maximum(bn.numpy(), 0), rtol=1e-6, atol=1e-6)


def test_batches_do_not_change_the_result():
    net = small_net()
    X = np.random.default_rng(1).standard_normal((7, 2, 9)).astype(np.float32)
    a = capture_activations(net, X, "1", batch_size=2, n_jobs=1)
    b = capture_activations(net, X, "1", batch_size=100, n_jobs=1)
    np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)


def test_model_is_left_as_it_was():
    net = small_net()
    net.train()
    net[1].eval()  # a submodule with its own flag
    state = {k: v.clone() for k, v in net.state_dict().items()}
    X = np.random.default_rng(2).standard_normal((4, 2, 9)).astype(np.float32)
    capture_activations(net, X, ["0", "2"], n_jobs=1)
    assert net.training and not net[1].training and net[0].training
    for k, v in net.state_dict().items():  # batch-norm statistics untouched (eval mode)
        assert torch.equal(v, state[k]), k
    assert all(len(m._forward_hooks) == 0 for m in net.modules())
    assert all(p.grad is None for p in net.parameters())


def test_hooks_are_removed_after_an_error():
    net = small_net()
    with pytest.raises(RuntimeError):
        capture_activations(net, np.zeros((2, 5, 9), np.float32), "0")  # wrong channel count
    assert all(len(m._forward_hooks) == 0 for m in net.modules())


def test_context_manager_copies_outputs():
    net = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(inplace=True))
    with torch.no_grad(), ActivationCapture(net, ["0", "1"]) as cap:
        x = torch.randn(6, 4)
        net(x)
        net(x)
    assert len(cap.outputs["0"]) == 2
    np.testing.assert_allclose(cap.outputs["0"][0], net[0](x).detach().numpy(), rtol=1e-6)
    assert (cap.outputs["0"][0] < 0).any() and (cap.outputs["1"][0] >= 0).all()
    assert len(net[0]._forward_hooks) == 0


def test_pipeline_equals_the_network_on_its_input(fitted, events):
    X, _ = events
    pipe = fitted["secnn"]
    S = pipe[:-1].transform(X)
    a = capture_activations(pipe, X, "features.4", n_jobs=1)
    b = capture_activations(pipe[-1], S, "features.4", n_jobs=1)
    c = capture_activations(pipe[-1].module_, S, "features.4", n_jobs=1)
    d = capture_activations(FrozenEstimator(pipe), X, "features.4", n_jobs=1)
    assert a.shape[:2] == (len(X), 4)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(a, c, rtol=1e-6, atol=1e-6)
    np.testing.assert_array_equal(a, d)
    # predictions are unchanged by the capture
    np.testing.assert_array_equal(pipe.predict_proba(X), pipe.predict_proba(X))


@pytest.mark.parametrize("name", ["secnn", "degram", "dual"])
def test_all_layers_in_one_pass(fitted, events, name):
    X, _ = events
    pipe = fitted[name]
    module = pipe[-1].module_
    names = layer_names(pipe)
    assert names == [n for n, _ in module.named_modules() if n]
    runs = [n for n in names if not n.endswith(("branches", "layers", "out_proj"))]
    acts = capture_activations(pipe, X, runs, batch_size=4, n_jobs=1)
    assert set(acts) == set(runs)
    assert all(a.shape[0] == len(X) and np.isfinite(a).all() for a in acts.values())


def test_shared_module_calls_side_by_side(fitted, events):
    X, _ = events
    pipe = fitted["dual"]  # the channel gate's MLP runs on the average and on the max squeeze
    a = capture_activations(pipe, X, "semantic.1.blocks.0.gate.mlp", n_jobs=1)
    c = pipe[-1].module_.semantic[1].blocks[0].gate.mlp[2].out_channels
    assert a.shape == (len(X), 2 * c, 1)


def test_unknown_layer_lists_valid_names(fitted, events):
    X, _ = events
    with pytest.raises(
        ValueError,
        match=r"'features\.99' is not a layer of SECNN.*Valid names: "
        r"features, features\.0, features\.1",
    ):
        capture_activations(fitted["secnn"], X, "features.99", n_jobs=1)
    with pytest.raises(ValueError, match="Did you mean 'features.1'"):
        capture_activations(fitted["secnn"], X, "feature.1", n_jobs=1)
    with pytest.raises(TypeError, match="layer must be a str"):
        capture_activations(fitted["secnn"], X, [3], n_jobs=1)


def test_layers_that_never_run(fitted, events):
    X, _ = events
    with pytest.raises(ValueError, match="did not run during the forward pass"):
        capture_activations(fitted["dual"], X, "semantic_tf.layers", n_jobs=1)
    with pytest.raises(ValueError, match="did not run during the forward pass"):
        capture_activations(fitted["dual"], X, "semantic_tf.layers.0.self_attn.out_proj", n_jobs=1)


def test_unfitted_and_unsupported_estimators(events):
    X, _ = events
    pipes = make_pipelines()
    with pytest.raises(NotFittedError, match="not fitted"):
        capture_activations(pipes["secnn"], X, "features.0", n_jobs=1)
    with pytest.raises(NotFittedError, match="SECNNClassifier instance is not fitted"):
        layer_names(pipes["secnn"][-1])
    with pytest.raises(TypeError, match="torch.nn.Module; got str"):
        layer_names("not a model")
