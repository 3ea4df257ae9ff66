"""Attention blocks and the pooling factory of skaudio.nn.blocks."""

import pytest
import torch

from skaudio.nn.blocks import (
    ECA,
    GARM,
    MACEM,
    ECABottleneck,
    GuidedAggregation,
    SpecAugment,
    SqueezeExcitation,
    eca_kernel_size,
    make_global_pool,
    make_pool2d,
    pool_methods,
)


def test_se_uses_avg_and_max_squeeze():
    torch.manual_seed(0)
    se = SqueezeExcitation(16, reduction=8)
    # the excitation input has 2C values: average and max squeeze, concatenated
    assert se.fc[0].in_features == 32 and se.fc[0].out_features == 2
    x = torch.randn(3, 16, 5, 7)
    out = se(x)
    gate = out / x
    # one gate value per (clip, channel), in (0, 1)
    assert torch.allclose(gate, gate[..., :1, :1].expand_as(gate), atol=1e-5)
    assert ((gate > 0) & (gate < 1)).all()
    # changing a single maximum changes the gate, which an average-only SE would barely see
    x2 = x.clone()
    x2[0, 0, 0, 0] = 100.0
    assert not torch.allclose(se(x2)[0, 1], out[0, 1])
    with pytest.raises(ValueError, match="squeeze"):
        SqueezeExcitation(16, squeeze=("median",))


def test_eca_kernel_rule_and_shape():
    # k = odd(ceil((log2 C + 1) / 2))
    assert [eca_kernel_size(c) for c in (16, 64, 128, 512, 2048)] == [3, 5, 5, 5, 7]
    eca = ECA(64)
    assert eca.conv.kernel_size == (5,)
    x = torch.randn(2, 64, 4, 4)
    assert eca(x).shape == x.shape
    block = ECABottleneck(8, 4, stride=2)
    assert block(torch.randn(2, 8, 8, 8)).shape == (2, 16, 4, 4)


@pytest.mark.parametrize("variant", ["A", "B"])
def test_macem_shapes_and_variants(variant):
    m = MACEM(6, variant)
    assert m(torch.randn(2, 6, 33)).shape == (2, 6, 33)
    # A fuses the concatenated branches with a k=7 convolution, B sums them
    assert (m.fuse is not None) == (variant == "A")
    with pytest.raises(ValueError, match="variant"):
        MACEM(6, "C")


def test_garm_and_guided_aggregation():
    g = GARM(4)
    assert [b.dilation[0] for b in g.branches] == [1, 3, 9]
    assert g(torch.randn(2, 4, 50)).shape == (2, 4, 50)
    gam = GuidedAggregation(4)
    s, d = torch.randn(2, 4, 10), torch.randn(2, 4, 10)
    out = gam(s, d)
    # O = S * D' + S with D' in (0, 1): each value lies between S and 2 S
    ratio = out / s
    assert ((ratio > 1) & (ratio < 2)).all()


def test_pool_factory_modes_and_errors():
    assert {"max", "avg"} <= set(pool_methods())
    x = torch.randn(2, 3, 8, 6)
    assert torch.equal(make_pool2d("max", 2)(x), torch.nn.functional.max_pool2d(x, 2))
    assert torch.allclose(make_global_pool("avg")(x), x.mean((-2, -1)))
    assert torch.equal(make_global_pool("max", dim=-1)(x), x.amax(-1))
    with pytest.raises(ValueError, match="must be one of"):
        make_pool2d("nonsense", 2)


@pytest.mark.parametrize("mode", [m for m in pool_methods() if m not in ("max", "avg")][:4])
def test_pool_factory_accepts_skaudio_modes(mode):
    x = torch.rand(2, 3, 8, 8) + 0.1
    assert make_pool2d(mode, 2)(x).shape == (2, 3, 4, 4)
    assert make_global_pool(mode)(x).shape == (2, 3)


def test_specaugment_masks_only_in_training():
    torch.manual_seed(0)
    aug = SpecAugment(freq_masks=2, time_masks=2, max_freq_mask=0.3, max_time_mask=0.3)
    x = torch.randn(4, 1, 20, 30)
    assert torch.equal(aug.eval()(x), x)
    y = aug.train()(x)
    changed = y != x
    assert changed.any() and not changed.all()
    # masked bins hold the clip mean
    means = x.mean((1, 2, 3))
    for i in range(4):
        assert torch.allclose(y[i][changed[i]], means[i].expand(int(changed[i].sum())))
