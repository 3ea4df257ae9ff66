"""Pool2d / GlobalPool: agreement with the numba kernels, gradients, stability."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from skaudio.features import POOLING_METHODS, global_pool, pool2d
from skaudio.nn import GlobalPool, Pool2d
from skaudio.nn.pooling import pool_regions

NONNEG = {"lsp", "power", "entropy"}
PARAMS = {
    "mixed": {"a": 0.3},
    "lnp": {"p": 3.0},
    "lse": {"r": 0.7},
    "auto": {"a": 1.5},
    "power": {"n": 2.0},
    "attention": {"v": 2.0},
}
LEARNABLE = {
    "mixed": ["raw_a"],
    "auto": ["raw_a"],
    "lnp": ["raw_p"],
    "lse": ["raw_r"],
    "power": ["raw_n"],
    "attention": ["raw_v"],
}


def _data(mode, shape, seed=0):
    rng = np.random.default_rng(seed)
    if mode in NONNEG:
        return rng.gamma(1.0, 1.0, shape).astype(np.float32)
    return rng.normal(-20.0, 10.0, shape).astype(np.float32)  # dB-like


@pytest.mark.parametrize("mode", POOLING_METHODS)
@pytest.mark.parametrize(
    "geo", [dict(kernel_size=(2, 2)), dict(kernel_size=(3, 4), stride=(2, 3), padding=(1, 2), ceil_mode=True)]
)
@pytest.mark.parametrize("learnable", [True, False])
def test_pool2d_agrees_with_kernel(mode, geo, learnable):
    S = _data(mode, (2, 3, 10, 13))
    layer = Pool2d(mode, learnable=learnable, **geo, **PARAMS.get(mode, {}))
    got = layer(torch.from_numpy(S)).detach().numpy()
    want = pool2d(S.reshape(6, 10, 13), mode, **geo, **PARAMS.get(mode, {})).reshape(got.shape)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5 * np.abs(want).max())
    names = sorted(n for n, _ in layer.named_parameters())
    assert names == (LEARNABLE.get(mode, []) if learnable else [])


@pytest.mark.parametrize("mode", POOLING_METHODS)
def test_global_pool_agrees_with_kernel(mode):
    S = _data(mode, (4, 6, 50), seed=1)
    got = GlobalPool(mode, **PARAMS.get(mode, {}))(torch.from_numpy(S)).detach().numpy()
    want = global_pool(S, mode, "time", **PARAMS.get(mode, {}))
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5 * np.abs(want).max())
    over_freq = GlobalPool(mode, dim=1, keepdim=True, **PARAMS.get(mode, {}))(torch.from_numpy(S))
    assert over_freq.shape == (4, 1, 50)
    np.testing.assert_allclose(
        over_freq[:, 0].detach().numpy(),
        global_pool(S, mode, "freq", **PARAMS.get(mode, {})),
        rtol=1e-5,
        atol=1e-5 * np.abs(want).max(),
    )


def test_attention_scoring_vector_is_per_channel():
    S = _data("attention", (2, 3, 20), seed=2)
    layer = GlobalPool("attention", channels=3)
    with torch.no_grad():
        layer.raw_v.copy_(torch.tensor([0.0, 1.0, 5.0]))
    got = layer(torch.from_numpy(S)).detach().numpy()
    for c, v in enumerate([0.0, 1.0, 5.0]):
        np.testing.assert_allclose(
            got[:, c], global_pool(S[:, c : c + 1], "attention", "time", v=v)[:, 0], rtol=1e-5
        )
    pool = Pool2d("attention", channels=3)
    assert pool(torch.from_numpy(S).reshape(2, 3, 4, 5)).shape == (2, 3, 2, 2)


@pytest.mark.parametrize("mode", list(LEARNABLE))
def test_gradcheck_learnable_modes(mode):
    torch.manual_seed(0)
    x = torch.rand(1, 2, 4, 6, dtype=torch.float64) + 0.1
    layer = Pool2d(mode, kernel_size=(2, 3), channels=2, **PARAMS.get(mode, {})).double()
    names = [name for name, _ in layer.named_parameters()]
    assert names

    def f(x, *params):
        return torch.func.functional_call(layer, dict(zip(names, params)), (x,))

    inputs = (x.requires_grad_(),) + tuple(p.detach().clone().requires_grad_() for p in layer.parameters())
    assert torch.autograd.gradcheck(f, inputs, eps=1e-6, atol=1e-5)
    g = GlobalPool(mode, channels=2, **PARAMS.get(mode, {})).double()
    assert torch.autograd.gradcheck(g, (x.detach().reshape(1, 2, 24).requires_grad_(),), eps=1e-6, atol=1e-5)


def test_learning_moves_the_parameter_within_range():
    torch.manual_seed(0)
    x = torch.rand(8, 1, 8, 8)
    target = torch.nn.functional.max_pool2d(x, 2)
    layer = Pool2d("lnp", p=1.0)
    opt = torch.optim.Adam(layer.parameters(), lr=0.3)
    for _ in range(60):
        opt.zero_grad()
        loss = ((layer(x) - target) ** 2).mean()
        loss.backward()
        opt.step()
    assert float(layer.p.detach()) > 3.0  # towards max pooling, and never below 1
    mixed = Pool2d("mixed", a=1.0)
    assert 0.99 < float(mixed.a.detach()) <= 1.0


@pytest.mark.parametrize("mode", POOLING_METHODS)
def test_no_nan_on_zeros_and_extreme_values(mode):
    zeros = torch.zeros(2, 1, 4, 4, requires_grad=True)
    layer = Pool2d(mode)
    out = layer(zeros)
    assert torch.equal(out, torch.zeros_like(out))
    out.sum().backward()
    assert torch.isfinite(zeros.grad).all()
    for p in layer.parameters():
        assert p.grad is None or torch.isfinite(p.grad).all()
    rng = np.random.default_rng(3)
    big = (
        10.0 ** rng.uniform(-12, 12, (2, 1, 8, 8)) if mode in NONNEG else rng.uniform(-120, 40, (2, 1, 8, 8))
    ).astype(np.float32)
    xb = torch.from_numpy(big).requires_grad_()
    params = {"lse": {"r": 10.0}, "auto": {"a": 50.0}, "power": {"n": 3.0}, "lnp": {"p": 40.0}}
    layer = Pool2d(mode, **params.get(mode, {}))
    y = layer(xb)
    y.sum().backward()
    assert torch.isfinite(y).all() and torch.isfinite(xb.grad).all()


def test_errors_and_shapes():
    with pytest.raises(ValueError, match="method must be one of"):
        Pool2d("median")
    with pytest.raises(ValueError, match="p >= 1"):
        Pool2d("lnp", p=0.5)
    with pytest.raises(ValueError, match="padding"):
        Pool2d("max", padding=2)
    with pytest.raises(ValueError, match="batch, channels"):
        Pool2d("esp")(torch.zeros(2, 2))
    assert Pool2d("esp")(torch.zeros(2, 5, 6)).shape == (2, 2, 3)
    x = torch.randn(3, 4, 7)
    assert GlobalPool("lse")(x).shape == (3, 4)
    assert GlobalPool("lse", dim=1, keepdim=True)(x).shape == (3, 1, 7)


@pytest.mark.parametrize("mode", sorted(NONNEG))
def test_nonnegative_modes_refuse_negative_input(mode):
    """lsp, power and entropy refuse negative values, as the numba kernels do (issue 19, item 2).

    Before, ``GlobalPool("lsp")`` of ``[-1, -1, 3]`` returned 11, above the max.
    """
    x = torch.tensor([[-1.0, -1.0, 3.0]])
    with pytest.raises(ValueError, match=f"{mode} pooling is defined for non-negative"):
        GlobalPool(mode)(x)
    with pytest.raises(ValueError, match="non-negative"):
        Pool2d(mode)(torch.tensor([[[[1.0, 2.0], [-0.5, 4.0]]]]))
    with pytest.raises(ValueError, match="non-negative"):
        pool2d(np.array([[[-1.0, -1.0, 3.0]]], np.float32), mode, kernel_size=(1, 3))
    # zero is allowed, and so is padding around non-negative maps
    ok = torch.tensor([[0.0, 1.0, 3.0]])
    assert torch.isfinite(GlobalPool(mode)(ok)).all()
    assert Pool2d(mode, kernel_size=3, padding=1)(torch.rand(1, 1, 4, 4)).shape == (1, 1, 2, 2)


# -- the cell path (each region's cells as K maps aligned with the output, issue 26) -----
GEOMETRIES = {
    "tiled": dict(kernel_size=(2, 3)),
    "tiled, leftover cells": dict(kernel_size=(3, 2)),
    "overlapping": dict(kernel_size=(3, 3), stride=(1, 2)),
    "padded, ceil": dict(kernel_size=(3, 4), stride=(2, 3), padding=(1, 2), ceil_mode=True),
    "gaps": dict(kernel_size=(2, 1), stride=(3, 2)),
    "one cell": dict(kernel_size=1),
}


def _pool_unfolded(layer, x, Fo, To):
    """Every region of ``layer`` gathered with ``unfold`` and pooled by ``pool_regions``: the
    reference the cell path (``Pool2d._pool_cells``) is held to (slower, the same formulas)."""
    (kf, kt), (sf, st), (pf, pt) = layer.kernel_size, layer.stride, layer.padding
    right_f = max(pf, (Fo - 1) * sf + kf - x.shape[2] - pf)
    right_t = max(pt, (To - 1) * st + kt - x.shape[3] - pt)
    pads = (pt, right_t, pf, right_f)
    mask = None
    if any(pads):
        xp = F.pad(x, pads)
        ones = F.pad(torch.ones(1, 1, *x.shape[2:], dtype=torch.bool, device=x.device), pads)
        mask = ones.unfold(2, kf, sf).unfold(3, kt, st)[:, :, :Fo, :To].reshape(1, 1, Fo, To, kf * kt)
    else:
        xp = x
    regions = xp.unfold(2, kf, sf).unfold(3, kt, st)[:, :, :Fo, :To]
    regions = regions.reshape(*regions.shape[:4], kf * kt)
    return pool_regions(regions, layer.method, mask, **layer._params((1, -1, 1, 1)))


@pytest.mark.parametrize("geo", GEOMETRIES.values(), ids=list(GEOMETRIES))
@pytest.mark.parametrize("mode", sorted(set(POOLING_METHODS) - {"average", "max", "min"}))
def test_cell_path_equals_the_unfolded_regions(mode, geo):
    """Values and gradients of the cell path equal the region-by-region formula over ``unfold``."""
    S = torch.from_numpy(_data(mode, (2, 3, 11, 14), seed=4)).double()
    layer = Pool2d(mode, channels=3, **geo, **PARAMS.get(mode, {})).double()
    x1, x2 = S.clone().requires_grad_(), S.clone().requires_grad_()
    got = layer(x1)
    want = _pool_unfolded(layer, x2, *got.shape[2:])
    torch.testing.assert_close(got, want, rtol=1e-12, atol=1e-12 * float(want.detach().abs().max()))
    g = torch.from_numpy(np.random.default_rng(5).standard_normal(tuple(got.shape)))
    params = list(layer.parameters())
    got_grads = torch.autograd.grad(got, [x1, *params], g)
    want_grads = torch.autograd.grad(want, [x2, *params], g)
    for a, b in zip(got_grads, want_grads):
        torch.testing.assert_close(a, b, rtol=1e-9, atol=1e-9 * float(b.abs().max()))


@pytest.mark.parametrize("mode", ["mixed", "esp", "auto"])
@pytest.mark.parametrize(
    "geo", [GEOMETRIES["tiled"], GEOMETRIES["overlapping"]], ids=["tiled", "overlapping"]
)
def test_loud_maps_stay_finite_and_exact(mode, geo):
    """The region sums of mixed, esp and auto could overflow near float32's top; the cell path
    divides each cell by its count first and scales each region by its own max (issue 28)."""
    S = torch.from_numpy(_data(mode, (2, 1, 8, 8), seed=7) * np.float32(1e36))
    layer = Pool2d(mode, **geo, **PARAMS.get(mode, {}))
    want = pool2d(S[:, 0].numpy(), mode, **geo, **PARAMS.get(mode, {}))
    got = layer(S)[:, 0].detach().numpy()
    assert np.isfinite(got).all()
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6 * np.abs(want).max())


@pytest.mark.parametrize("r", [1e-20, 1e-3, 30.0])
@pytest.mark.parametrize(
    "geo", [GEOMETRIES["tiled"], GEOMETRIES["overlapping"]], ids=["tiled", "overlapping"]
)
def test_lse_layer_keeps_the_small_r_limit(r, geo):
    """exp/log of r (x - max) rounds to the max for tiny r; expm1/log1p keeps the mean."""
    S = torch.from_numpy(_data("lse", (2, 3, 8, 10), seed=8))
    layer = Pool2d("lse", learnable=False, r=r, **geo)
    got = layer(S).detach().numpy()
    want = pool2d(S.reshape(6, 8, 10).numpy(), "lse", r=r, **geo).reshape(got.shape)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5 * np.abs(want).max())


@pytest.mark.parametrize("mode", list(LEARNABLE))
def test_gradcheck_overlapping_padded_regions(mode):
    torch.manual_seed(1)
    x = torch.rand(1, 2, 5, 7, dtype=torch.float64) + 0.1
    layer = Pool2d(mode, channels=2, **GEOMETRIES["padded, ceil"], **PARAMS.get(mode, {})).double()
    names = [name for name, _ in layer.named_parameters()]

    def f(x, *params):
        return torch.func.functional_call(layer, dict(zip(names, params)), (x,))

    inputs = (x.requires_grad_(),) + tuple(p.detach().clone().requires_grad_() for p in layer.parameters())
    assert torch.autograd.gradcheck(f, inputs, eps=1e-6, atol=1e-5)


@pytest.mark.parametrize("mode", POOLING_METHODS)
@pytest.mark.parametrize("scale", [1e-25, 1e20, 1e38])
def test_layers_agree_with_the_kernels_across_the_float32_range(mode, scale):
    # issue 28: the same float32 squares, sums and variances overflowed (or underflowed)
    # in the torch formulas as in the numba row kernels
    X = np.abs(_data(mode, (2, 4, 16), seed=5)) + 1.0 if mode in NONNEG else _data(mode, (2, 4, 16), seed=5)
    X = (X / np.abs(X).max() * 3.0 * scale).astype(np.float32)
    params = PARAMS.get(mode, {})
    if mode == "average" and scale > 1e37:
        pytest.skip("Pool2d('average') is torch's avg_pool2d, whose float32 sum overflows above ~8.5e37")
    want = pool2d(X, mode, **params)
    got = Pool2d(mode, learnable=False, **params)(torch.from_numpy(X[:, None]))[:, 0].numpy()
    assert np.isfinite(got).all()
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6 * np.abs(want).max())


def test_lse_layer_with_small_r_is_the_mean():
    x = torch.from_numpy(_data("lse", (2, 3, 8), seed=6))
    np.testing.assert_allclose(
        GlobalPool("lse", learnable=False, r=1e-20)(x).numpy(), x.mean(-1).numpy(), rtol=1e-5
    )


def test_layer_parameters_outside_float32_are_refused():
    with pytest.raises(ValueError, match=r"r=1e\+39.*float32"):
        Pool2d("lse", r=1e39)
    with pytest.raises(ValueError, match=r"n=1e-46.*float32"):
        GlobalPool("power", n=1e-46)
