"""Shapes and parameter counts of the networks, CPU defaults and paper sizes."""

import pytest
import torch

from skaudio.nn import PAPER_SIZES, SECNN, DEGramNet, DualBranchNet, SqueezeExcitation


def n_params(module):
    return sum(p.numel() for p in module.parameters())


def test_secnn_paper_size_matches_thesis():
    net = SECNN.paper(n_classes=50)
    total = n_params(net)
    # [NMF] Table 4.2 reports 21,569,906 parameters (21.57 M)
    assert total == pytest.approx(21_569_906, rel=0.005)
    convs = sum(n_params(m) for m in net.features if not isinstance(m, SqueezeExcitation))
    ses = sum(n_params(m) for m in net.features if isinstance(m, SqueezeExcitation))
    # conv blocks: 14,157,824 + 3,540,992 + 885,760 + 221,824 + 37,696; SE blocks: 524,544
    assert convs == pytest.approx(18_844_096, rel=0.001)
    assert ses == pytest.approx(524_544, rel=0.001)
    # SE after blocks 2-5 only, channels 128..1024, reduction 8
    se_channels = [m.fc[2].out_features for m in net.features if isinstance(m, SqueezeExcitation)]
    assert se_channels == [128, 256, 512, 1024]
    net.eval()
    with torch.no_grad():
        assert net(torch.randn(1, 128, 431)).shape == (1, 50)


def test_secnn_defaults_small_and_variable_input():
    net = SECNN(n_classes=7)
    assert n_params(net) < 2_000_000
    net.eval()
    with torch.no_grad():
        assert net(torch.randn(2, 64, 100)).shape == (2, 7)
        assert net(torch.randn(2, 1, 64, 37)).shape == (2, 7)
        assert net(torch.randn(2, 5, 3)).shape == (2, 7)  # padded up to the pooling depth


def test_degramnet_paper_size_shape():
    net = DEGramNet.paper(n_classes=309)
    # ECA-ResNet [3, 8, 36, 3] bottleneck blocks behind SincGram(257 -> 64) and TF-DELayer
    assert len(net.stages) == 3 + 8 + 36 + 3
    assert net.degram.sincgram.n_freqs == 257 and net.degram.sincgram.n_filters == 64
    assert net.degram.delayer.freq_mlp[0].out_features == 4
    # Table 1: the last stage has 256 planes (1024 channels out), as the third; no dropout
    assert [b.body[0].out_channels for b in net.stages[-3:]] == [256, 256, 256]
    assert net.fc.in_features == 1024 and net.dropout.p == 0.0
    assert 45_000_000 < n_params(net) < 50_000_000  # 47.9 M (the paper gives no count)
    net.eval()
    with torch.no_grad():
        assert net(torch.rand(1, 257, 40)).shape == (1, 309)


def test_dualbranch_paper_size_shapes():
    net = DualBranchNet.paper(n_classes=50)
    net.eval()
    x = torch.randn(1, 11025)  # 0.5 s at 22.05 kHz (the paper uses 4 s)
    with torch.no_grad():
        sem = net.semantic(net.stem(x.unsqueeze(1)))
        det = net.detail(x.unsqueeze(1))
        # both branches end with 256 channels at L / 32
        assert sem.shape[1] == 256 and det.shape[1] == 256
        assert sem.shape[-1] == det.shape[-1] == -(-11025 // 32)
        assert net(x).shape == (1, 50)


def test_dualbranch_defaults_and_errors():
    net = DualBranchNet(n_classes=4, width=4, detail_width=8, d_model=16, n_heads=2, stem_stride=4)
    net.eval()
    with torch.no_grad():
        assert net(torch.randn(3, 8000)).shape == (3, 4)
        assert net(torch.randn(3, 10)).shape == (3, 4)  # zero-padded to the minimum length
    with pytest.raises(ValueError, match="fd_variants"):
        DualBranchNet(n_classes=2, fd_variants=("A",))


def test_dualbranch_width_per_module():
    net = DualBranchNet(
        n_classes=2,
        width=(6, 6, 5, 8, 12),
        detail_width=4,
        d_model=8,
        n_heads=2,
        stem_stride=4,
        n_filters=6,
        n_fft=64,
    )
    assert [fd.down[0].out_channels for fd in net.semantic] == [6, 6, 5, 8, 12]
    assert net.reduce.in_channels == 12
    doubling = DualBranchNet(n_classes=2, width=3, detail_width=4, d_model=8, n_heads=2, stem_stride=4)
    assert [fd.down[0].out_channels for fd in doubling.semantic] == [3, 6, 12, 24, 48]
    with torch.no_grad():
        assert net.eval()(torch.randn(2, 2000)).shape == (2, 2)
    conv = DualBranchNet(
        n_classes=2, width=(5, 6, 6, 6, 6), detail_width=4, d_model=8, n_heads=2, stem="conv", stem_stride=4
    )
    assert conv.stem[0].out_channels == 5
    for bad in [(4, 4, 4), (4, 4, 0, 4, 4)]:
        with pytest.raises(ValueError, match="width must be"):
            DualBranchNet(n_classes=2, width=bad)


@pytest.mark.parametrize("cls,x", [(SECNN, torch.randn(2, 32, 40)), (DEGramNet, torch.rand(2, 257, 40))])
def test_pooling_mode_is_configurable(cls, x):
    for pool, global_pool in [("max", "avg"), ("avg", "max")]:
        net = cls(n_classes=3, pool=pool, global_pool=global_pool).eval()
        with torch.no_grad():
            assert net(x).shape == (2, 3)


def test_paper_sizes_are_named():
    assert set(PAPER_SIZES) == {"SECNN", "DEGramNet", "DualBranchNet"}
    assert PAPER_SIZES["DEGramNet"]["depth"] == (3, 8, 36, 3)


def test_dualbranch_sincgram_stem_is_log_band_energy_of_the_waveform():
    net = DualBranchNet(
        n_classes=3,
        width=4,
        detail_width=8,
        d_model=16,
        n_heads=2,
        stem="sincgram",
        stem_stride=8,
        n_filters=12,
        n_fft=256,
        sr=16000,
    )
    x = torch.randn(2, 4000)
    stem = net.stem.eval()
    with torch.no_grad():
        got = stem(x.unsqueeze(1))
        spec = torch.stft(
            x, 256, hop_length=8, window=torch.hann_window(256), pad_mode="constant", return_complex=True
        )
        bands = stem.sincgram.filters().t() @ spec.abs().square()
        # batch norm at its initial running statistics only divides by sqrt(1 + eps)
        want = torch.log(bands + 1e-6) / (1 + stem.norm.eps) ** 0.5
    assert got.shape == (2, 12, 4000 // 8 + 1)
    torch.testing.assert_close(got, want, rtol=1e-4, atol=1e-4)
    # the filterbank starts on the mel scale and its centres and widths are trained
    centres = stem.sincgram.center_freqs()
    assert centres[0] < 300 and 6000 < centres[-1] < 8000 and (centres[1:] > centres[:-1]).all()
    net.train()
    net(x).sum().backward()
    assert stem.sincgram.center.grad.abs().sum() > 0 and stem.sincgram.width.grad.abs().sum() > 0


def test_dualbranch_sincgram_stem_shapes_and_errors():
    net = DualBranchNet(
        n_classes=4,
        width=4,
        detail_width=8,
        d_model=16,
        n_heads=2,
        stem="sincgram",
        stem_stride=16,
        n_filters=8,
        n_fft=2048,
    ).eval()
    with torch.no_grad():
        x = torch.randn(1, 1, 22050)
        sem, det = net.semantic(net.front2d(net.stem(x))), net.detail(x)
        assert sem.shape[1:] == (32 * 2, 44) and det.shape[-1] == 44  # L / (32 * 16) steps
        for n_samples in (22050, 100):  # the short clip is zero-padded to n_fft
            assert net(torch.randn(2, n_samples)).shape == (2, 4)
    assert net.min_length == 2048
    with pytest.raises(ValueError, match="stem must be"):
        DualBranchNet(n_classes=2, stem="mel")


def test_dualbranch_masks_the_stem_output_in_training_only():
    torch.manual_seed(0)
    net = DualBranchNet(
        n_classes=2,
        width=4,
        detail_width=8,
        d_model=16,
        n_heads=2,
        stem="sincgram",
        stem_stride=8,
        n_filters=16,
        n_fft=256,
        freq_masks=2,
        max_freq_mask=0.5,
        standardize=False,
    )  # the stem then reads x itself, compared below
    seen = []
    net.front2d.register_forward_hook(lambda mod, inp, out: seen.append(inp[0].detach()))
    x = torch.randn(4, 8000)
    net.train()
    net.stem.eval()  # fixed batch-norm statistics, so the stem's output can be compared
    net(x)
    net.eval()(x)
    with torch.no_grad():
        clean = net.stem(x.unsqueeze(1))
    masked_rows = (seen[0] != clean).all(dim=-1)  # whole filter rows replaced in training
    assert masked_rows.any() and not masked_rows.all()
    torch.testing.assert_close(seen[1], clean)  # untouched in eval mode


def test_dualbranch_front2d_folds_halved_rows_into_channels():
    net = DualBranchNet(
        n_classes=3,
        width=4,
        detail_width=4,
        d_model=8,
        n_heads=2,
        stem="sincgram",
        stem_stride=8,
        n_filters=10,
        n_fft=128,
        front2d=(2, 3),
    ).eval()
    x = torch.randn(2, 1, 4000)
    with torch.no_grad():
        s = net.stem(x)
        h = net.front2d(s)
        # 10 rows -> 5 -> 3, three channels each, frames kept
        assert h.shape == (2, 3 * 3, s.shape[-1])
        assert net.semantic[0].down[0].in_channels == 9
        assert net(x[:, 0]).shape == (2, 3)
        # frequency locality: a change in the top filter rows cannot reach the lowest
        # output rows through two 3x3 layers with row stride 2
        s2 = s.clone()
        s2[:, -2:] += 5.0
        h2 = net.front2d(s2)
        low = h.unflatten(1, (3, 3))[:, :, 0]
        assert torch.equal(low, h2.unflatten(1, (3, 3))[:, :, 0])
        assert not torch.equal(h, h2)
    plain = DualBranchNet(
        n_classes=3,
        width=4,
        detail_width=4,
        d_model=8,
        n_heads=2,
        n_filters=10,
        n_fft=128,
        stem_stride=8,
        front2d=(),
    )
    assert plain.semantic[0].down[0].in_channels == 10 and len(plain.front2d.layers) == 0


@pytest.mark.parametrize("pool", ["lsp", "power", "entropy"])
def test_dualbranch_refuses_nonnegative_only_pooling_at_construction(pool):
    """The dual-branch net pools signed activations, so lsp/power/entropy cannot apply (issue 19, item 2)."""
    with pytest.raises(ValueError, match=f"pool='{pool}' is defined for non-negative values only"):
        DualBranchNet(n_classes=2, width=4, detail_width=8, d_model=16, n_heads=2, stem_stride=4, pool=pool)
    # a mode for any sign still builds and runs
    net = DualBranchNet(
        n_classes=2, width=4, detail_width=8, d_model=16, n_heads=2, stem_stride=4, pool="lse"
    )
    with torch.no_grad():
        assert net.eval()(torch.randn(2, 4000)).shape == (2, 2)
