"""Thread safety: one fitted model used from four threads at once gives, call by call, exactly
the single-threaded results, and is left as it was (training flags, weights, hooks).

Calls pass ``n_jobs=1`` so that each thread's torch work runs on one thread, as in the
single-threaded reference: the comparison is exact, and a different thread count could change
the rounding of a convolution without anything being wrong."""

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import torch
from threadpoolctl import threadpool_info

from skaudio.interpret import ActivationCapture, NMFInterpreter, capture_activations, grad_cam
from tests.interpret.conftest import make_pipelines

N_THREADS, N_CALLS = 4, 6


@pytest.fixture(scope="module")
def secnn(events):
    """A tiny SE-CNN pipeline fitted for one epoch (skorch leaves its module in training mode)."""
    X, y = events
    return make_pipelines()["secnn"].fit(X, y)


def train_mode_net():
    """Batch norm and dropout in training mode: a pass that ran in training mode would change
    both the output and the running statistics."""
    torch.manual_seed(0)
    net = torch.nn.Sequential(
        torch.nn.Conv1d(2, 4, 3, padding=1),
        torch.nn.BatchNorm1d(4),
        torch.nn.ReLU(inplace=True),
        torch.nn.Dropout(0.5),
        torch.nn.Conv1d(4, 4, 3, padding=1),
        torch.nn.ReLU(),
        torch.nn.AdaptiveAvgPool1d(1),
        torch.nn.Flatten(),
        torch.nn.Linear(4, 3),
    )
    with torch.no_grad():
        net[1].running_mean.uniform_(-0.5, 0.5)
        net[1].running_var.uniform_(0.5, 2.0)
    return net.train()


def inputs(X, n_inputs=N_THREADS):
    """A different subset of the clips for each thread (different sizes too), so that a result
    built from another thread's forward pass cannot pass for the right one."""
    rng = np.random.default_rng(0)
    return [X[np.sort(rng.choice(len(X), len(X) - i, replace=False))] for i in range(n_inputs)]


def run_in_threads(call, n_threads=N_THREADS, n_calls=N_CALLS):
    """``call(i)`` ``n_calls`` times in each of ``n_threads`` threads started together; the
    results (or the exceptions raised), ``[thread][call]``."""
    barrier = threading.Barrier(n_threads)

    def work(i):
        barrier.wait()
        out = []
        for _ in range(n_calls):
            try:
                out.append(call(i))
            except Exception as exc:  # noqa: BLE001 - counted as a failure below
                out.append(exc)
        return out

    with ThreadPoolExecutor(n_threads) as pool:
        return list(pool.map(work, range(n_threads)))


def _equal(a, b):
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, tuple):
        return isinstance(b, tuple) and len(a) == len(b) and all(map(_equal, a, b))
    return isinstance(b, np.ndarray) and a.shape == b.shape and np.array_equal(a, b)


def assert_all_equal(results, expected):
    wrong = [
        (i, j, r)
        for i, calls in enumerate(results)
        for j, r in enumerate(calls)
        if not _equal(expected[i], r)
    ]
    total = sum(map(len, results))
    errors = sorted({f"{type(r).__name__}: {r}"[:200] for _, _, r in wrong if isinstance(r, Exception)})
    assert not wrong, (
        f"{len(wrong)} of {total} concurrent calls differ from the single-threaded result; errors: {errors}"
    )


def snapshot(module):
    """Training flags, weights and buffers, and the parameters' ``.grad`` (skorch leaves the
    last training step's)."""
    return (
        [m.training for m in module.modules()],
        {k: v.clone() for k, v in module.state_dict().items()},
        [None if p.grad is None else p.grad.clone() for p in module.parameters()],
    )


def assert_unchanged(module, before):
    flags, state, grads = before
    assert [m.training for m in module.modules()] == flags
    for k, v in module.state_dict().items():
        assert torch.equal(v, state[k]), f"{k} changed"
    assert all(not m._forward_hooks for m in module.modules())
    for p, g in zip(module.parameters(), grads):
        assert (p.grad is None) if g is None else torch.equal(p.grad, g)


def test_capture_activations_on_a_module_in_training_mode():
    net = train_mode_net()
    before = snapshot(net)
    Xs = inputs(np.random.default_rng(1).standard_normal((12, 2, 40)).astype(np.float32))
    layers = ["1", "4"]

    def call(i):
        return capture_activations(net, Xs[i], layers, batch_size=3, n_jobs=1)

    torch_threads = torch.get_num_threads()
    expected = [call(i) for i in range(N_THREADS)]
    assert_unchanged(net, before)
    assert_all_equal(run_in_threads(call), expected)
    assert_unchanged(net, before)
    assert torch.get_num_threads() == torch_threads


def test_capture_activations_on_a_fitted_pipeline(secnn, events):
    X, _ = events
    module = secnn[-1].module_
    before = snapshot(module)
    Xs = inputs(X)

    def call(i):
        return capture_activations(secnn, Xs[i], "features.4", batch_size=2, n_jobs=1)

    expected = [call(i) for i in range(N_THREADS)]
    assert_all_equal(run_in_threads(call), expected)
    assert_unchanged(module, before)


def test_grad_cam(secnn, events):
    X, _ = events
    module = secnn[-1].module_
    before = snapshot(module)
    Xs = inputs(X)

    def call(i):
        return grad_cam(secnn, Xs[i], "features.13", batch_size=2, return_target=True, n_jobs=1)

    expected = [call(i) for i in range(N_THREADS)]
    assert_all_equal(run_in_threads(call), expected)
    assert_unchanged(module, before)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_nmf_transform(secnn, events):
    X, _ = events
    module = secnn[-1].module_
    nmf = NMFInterpreter(secnn, "features.13", batch_size=2, max_iter=50, n_jobs=1).fit(X)
    before = snapshot(module)
    Xs = inputs(X)

    def call(i):
        return nmf.transform(Xs[i])

    expected = [call(i) for i in range(N_THREADS)]
    assert_all_equal(run_in_threads(call), expected)
    assert_unchanged(module, before)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_nmf_fits_of_several_layers(secnn, events):
    """Interpreters of different layers and bases fitted in threads of their own on one
    network: the same bases as fitted one after the other; torch's global random state and
    the BLAS thread limits are left as they were."""
    X, _ = events
    module = secnn[-1].module_
    settings = [
        dict(layer="features.4", basis="mel_basis"),
        dict(layer="features.13"),
        dict(layer="features.13", basis="softplus", smoothness=0.1),
        dict(layer="features.9", basis="mel_constrained"),
    ]

    def call(i):
        nmf = NMFInterpreter(secnn, **settings[i], batch_size=4, max_iter=20, random_state=i, n_jobs=1)
        nmf.fit(X)
        return nmf.components_, nmf.loss_curve_

    def blas_threads():
        return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]

    expected = [call(i) for i in range(N_THREADS)]
    before = snapshot(module)
    blas = blas_threads()
    rng_state = torch.get_rng_state()
    assert_all_equal(run_in_threads(call, n_calls=2), expected)
    assert_unchanged(module, before)
    assert torch.equal(torch.get_rng_state(), rng_state)
    assert blas_threads() == blas


def test_gradients_and_inference_side_by_side():
    """grad_cam (gradients through the model) in two threads while two others capture
    activations under ``torch.inference_mode``, on a module in training mode."""
    net = train_mode_net()
    before = snapshot(net)
    Xs = inputs(np.random.default_rng(2).standard_normal((10, 2, 30)).astype(np.float32))

    def call(i):
        if i % 2:
            return grad_cam(net, Xs[i], "4", target=i % 3, batch_size=3, n_jobs=1)
        return capture_activations(net, Xs[i], "4", batch_size=3, n_jobs=1)

    expected = [call(i) for i in range(N_THREADS)]
    assert_all_equal(run_in_threads(call), expected)
    assert_unchanged(net, before)


@pytest.mark.parametrize("all_threads", [False, True])
def test_activation_capture_records_only_its_own_thread(all_threads):
    net = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU())
    with torch.no_grad(), ActivationCapture(net, "0", all_threads=all_threads) as cap:
        other = threading.Thread(target=net, args=(torch.randn(5, 4),))
        other.start()
        other.join()
        net(torch.randn(2, 4))
    shapes = [tuple(t.shape) for t in cap.outputs["0"]]
    assert shapes == ([(5, 3), (2, 3)] if all_threads else [(2, 3)])
