"""The papers' ablations as constructor switches: DEGramNet front ends and backbones
([DEG] Tables 6-7, Fig. 6), the dual-branch net's branches, modules and fusion ([E2E]
Tables 6-7), and the paper-size corrections (GARM kernel sizes, block norms, DEGram's
last stage)."""

import pickle

import pytest
import torch

from skaudio.nn import GARM, MACEM, PAPER_SIZES, BasicBlock, DEGramNet, DualBranchNet, ECABottleneck
from skaudio.nn.sincgram import SincGramModule, TFDELayer

FREQS = 65


def small_degram(**kw):
    return DEGramNet(n_classes=3, n_freqs=FREQS, n_filters=16, stem_width=4, width=2, sr=8000, **kw)


def forward_backward(net, x):
    net.train()
    out = net(x)
    out.sum().backward()
    grads = [p.grad for p in net.parameters() if p.requires_grad]
    assert all(g is not None and torch.isfinite(g).all() for g in grads)
    return out


def n_params(net):
    return sum(p.numel() for p in net.parameters())


def count(net, kind):
    return sum(isinstance(m, kind) for m in net.modules())


@pytest.mark.parametrize(
    "frontend, bank, attention, rows",
    [
        ("spectrogram", False, False, FREQS),
        ("sincgram", True, False, 16),
        ("despectrogram", False, True, FREQS),
        ("degram", True, True, 16),
    ],
)
def test_degram_frontends_have_the_stages_they_name(frontend, bank, attention, rows):
    net = small_degram(frontend=frontend)
    assert count(net, SincGramModule) == int(bank)
    assert count(net, TFDELayer) == int(attention)
    names = [n for n, _ in net.named_parameters()]
    assert any("sincgram" in n for n in names) == bank  # no bank parameters without the bank
    assert any("delayer" in n for n in names) == attention
    x = torch.rand(2, FREQS, 40)
    assert net.representation(x).shape == (2, rows, 40)
    assert forward_backward(net, x).shape == (2, 3)


def test_spectrogram_frontend_is_the_log_power_spectrogram():
    net = small_degram(frontend="spectrogram")
    x = torch.rand(2, FREQS, 40)
    torch.testing.assert_close(net.representation(x), torch.log(x + 1e-6))


@pytest.mark.parametrize(
    "backbone, block, n_blocks",
    [
        ("eca", ECABottleneck, 4),
        ("resnet18", BasicBlock, 8),
        ("resnet34", BasicBlock, 16),
        ("resnet50", ECABottleneck, 16),
    ],
)
def test_degram_backbones(backbone, block, n_blocks):
    net = small_degram(backbone=backbone)
    assert len(net.stages) == n_blocks and all(isinstance(b, block) for b in net.stages)
    has_eca = any(type(m).__name__ == "ECA" for m in net.stages.modules())
    assert has_eca == (backbone == "eca")  # the ResNets are plain
    assert forward_backward(net, torch.rand(2, FREQS, 40)).shape == (2, 3)


def test_standard_resnet_sizes_and_paper_resnet18():
    # the standard ResNet-18 without its 1000-class head has 11,176,512 parameters; ours reads a
    # one-channel image (its stem has 64 * 49 weights instead of 64 * 3 * 49) and heads 309 classes
    net = DEGramNet.paper(n_classes=309, backbone="resnet18", frontend="spectrogram")
    body = n_params(net.stem) + n_params(net.stages)
    assert body == 11_176_512 - 64 * 49 * 2
    assert net.fc.in_features == 512
    assert DEGramNet.paper(n_classes=10, backbone="resnet50").fc.in_features == 2048
    assert len(DEGramNet.paper(n_classes=10, backbone="resnet34").stages) == 16


def test_degram_errors():
    with pytest.raises(ValueError, match="frontend must be one of"):
        small_degram(frontend="mel")
    with pytest.raises(ValueError, match="backbone must be one of"):
        small_degram(backbone="vgg")
    with pytest.raises(ValueError, match="depth must be four"):
        small_degram(depth=(1, 1))
    with pytest.raises(ValueError, match="width must be an int or 4"):
        DEGramNet(n_classes=3, n_freqs=FREQS, width=(2, 2))


def test_degram_paper_size_follows_table_1():
    net = DEGramNet.paper(n_classes=309)
    planes = [b.body[3].out_channels for b in net.stages]
    assert sorted(set(planes)) == [64, 128, 256]  # Conv5 keeps 256 planes (1024 out)
    assert net.fc.in_features == 1024 and net.dropout.p == 0.0


def small_dual(**kw):
    return DualBranchNet(n_classes=3, width=4, detail_width=8, d_model=16, n_heads=2, stem_stride=4, **kw)


@pytest.mark.parametrize(
    "kw, has_semantic, has_detail",
    [({}, True, True), ({"branches": "semantic"}, True, False), ({"branches": "detail"}, False, True)],
)
def test_dual_branches(kw, has_semantic, has_detail):
    net = small_dual(**kw)
    assert hasattr(net, "semantic") == has_semantic and hasattr(net, "stem") == has_semantic
    assert hasattr(net, "detail") == has_detail and hasattr(net, "lstm") == has_detail
    assert hasattr(net, "gam") == (has_semantic and has_detail)
    assert forward_backward(net, torch.randn(2, 4096)).shape == (2, 3)


@pytest.mark.parametrize(
    "macem, n_a, n_b",
    [(("A", "B"), 3, 6), (("A",), 3, 0), (("B",), 0, 6), ((), 0, 0)],
)
def test_dual_macem_variants_kept(macem, n_a, n_b):
    # FD variants A, B, B, A, R hold A+B, B+B, B+B, A+B, A: three MACEM-A and six MACEM-B
    net = small_dual(macem=macem)
    variants = [m.variant for m in net.semantic.modules() if isinstance(m, MACEM)]
    assert variants.count("A") == n_a and variants.count("B") == n_b
    assert forward_backward(net, torch.randn(2, 4096)).shape == (2, 3)


def test_dual_garm_switch_and_fusions():
    assert count(small_dual(), GARM) == 2
    net = small_dual(garm=False)
    assert count(net, GARM) == 0
    forward_backward(net, torch.randn(2, 4096))
    for fusion, head in [("gam", 16), ("sum", 16), ("concat", 32)]:
        net = small_dual(fusion=fusion)
        assert hasattr(net, "gam") == (fusion == "gam") and net.fc.in_features == head
        assert forward_backward(net, torch.randn(2, 4096)).shape == (2, 3)


def test_dual_fusion_rules():
    net = small_dual(fusion="sum").eval()
    x = torch.randn(2, 4096)
    seen = {}
    net.pool.register_forward_hook(lambda m, inp, out: seen.update(fused=inp[0]))
    with torch.no_grad():
        net(x)
        s, d = net._semantic_branch(x.unsqueeze(1)), net._detail_branch(x.unsqueeze(1))
    n = min(s.shape[-1], d.shape[-1])
    torch.testing.assert_close(seen["fused"], s[..., :n] + d[..., :n])


def test_dual_errors():
    with pytest.raises(ValueError, match="branches"):
        small_dual(branches="left")
    with pytest.raises(ValueError, match="macem"):
        small_dual(macem=("C",))
    with pytest.raises(ValueError, match="macem"):
        small_dual(macem="AB")
    with pytest.raises(ValueError, match="fusion"):
        small_dual(fusion="product")
    with pytest.raises(ValueError, match="kernel_size"):
        small_dual(garm_kernel_size=(1, 15))


def test_garm_kernel_sizes_and_block_norm():
    g = GARM(8, kernel_size=(1, 15, 15))
    assert [b.kernel_size[0] for b in g.branches] == [1, 15, 15]
    assert [b.dilation[0] for b in g.branches] == [1, 3, 9]
    assert g(torch.randn(2, 8, 30)).shape == (2, 8, 30)
    assert isinstance(GARM(8).bn, torch.nn.BatchNorm1d)
    assert isinstance(GARM(8, norm=False).bn, torch.nn.Identity)
    assert isinstance(MACEM(8, norm=False).bn, torch.nn.Identity)
    with pytest.raises(ValueError, match="kernel_size"):
        GARM(8, kernel_size=4)


def test_dual_paper_size_follows_the_text():
    assert PAPER_SIZES["DualBranchNet"]["garm_kernel_size"] == (1, 15, 15)
    net = DualBranchNet.paper(n_classes=10)
    garms = [m for m in net.modules() if isinstance(m, GARM)]
    assert [b.kernel_size[0] for b in garms[0].branches] == [1, 15, 15]
    assert count(net, torch.nn.BatchNorm1d) > 0  # the convolutions keep theirs
    assert all(isinstance(m.bn, torch.nn.Identity) for m in net.modules() if isinstance(m, (GARM, MACEM)))


def test_switched_networks_pickle():
    for net, x in [
        (small_degram(frontend="despectrogram", backbone="resnet18"), torch.rand(1, FREQS, 40)),
        (small_dual(branches="detail", garm=False), torch.randn(1, 4096)),
    ]:
        net.eval()
        again = pickle.loads(pickle.dumps(net))
        with torch.no_grad():
            assert torch.equal(again(x), net(x))


def test_network_pickled_before_the_switches_still_runs():
    net = small_dual().eval()
    state = net.__dict__
    del state["branches"], state["fusion"]  # as unpickled from an older skaudio
    with torch.no_grad():
        assert net(torch.randn(1, 4096)).shape == (1, 3)
