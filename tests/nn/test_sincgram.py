"""SincGram filterbank, TF-DELayer and DEGram."""

import librosa
import numpy as np
import pytest
import torch

from skaudio.nn.sincgram import DEGram, SincGramModule, TFDELayer, butterworth_filterbank


def test_butterworth_formula():
    f = torch.linspace(0, 1, 101, dtype=torch.float64)
    W = butterworth_filterbank(
        f,
        torch.tensor([0.3, 0.6], dtype=torch.float64),
        torch.tensor([0.05, 0.1], dtype=torch.float64),
        order=4,
    )
    a, b = np.array([0.3, 0.6]), np.array([0.05, 0.1])
    expected = 1 / np.sqrt(1 + ((f.numpy()[:, None] - a) / b) ** 8)
    np.testing.assert_allclose(W.numpy(), expected, rtol=1e-12)
    # half power (1/sqrt 2) at centre +- width, whatever the order
    for order in (2, 4, 8):
        g = butterworth_filterbank(torch.tensor([0.35]), torch.tensor([0.3]), torch.tensor([0.05]), order)
        assert float(g) == pytest.approx(2**-0.5, rel=1e-5)


def test_sincgram_mel_init_and_projection():
    sg = SincGramModule(257, n_filters=64, sr=16000, fmin=0.0)
    expected = librosa.mel_frequencies(66, fmin=0.0, fmax=8000.0)[1:-1]
    np.testing.assert_allclose(sg.center_freqs(), expected, rtol=1e-5)
    X = torch.rand(3, 257, 11)
    out = sg(X)
    np.testing.assert_allclose(
        out.detach().numpy(),
        np.einsum("fm,nft->nmt", sg.filters().detach().numpy(), X.numpy()),
        rtol=1e-4,
        atol=1e-5,
    )
    assert sum(p.numel() for p in sg.parameters()) == 128  # only centres and widths


def test_sincgram_is_trainable():
    torch.manual_seed(0)
    sg = SincGramModule(65, n_filters=4, sr=8000)
    X = torch.zeros(1, 65, 1)
    X[0, 40] = 1.0  # energy at one bin: filters move to catch it
    opt = torch.optim.Adam(sg.parameters(), lr=0.02)
    before = float(sg(X).sum().detach())
    for _ in range(50):
        opt.zero_grad()
        (-sg(X).sum()).backward()
        opt.step()
    assert float(sg(X).sum().detach()) > before + 0.5
    with pytest.raises(ValueError, match="frequency bins"):
        sg(torch.rand(1, 64, 3))


@pytest.mark.parametrize("aggregation", ["max", "mean"])
def test_tfdelayer(aggregation):
    layer = TFDELayer(64, reduction=0.0625, kernel_size=5, aggregation=aggregation)
    assert layer.freq_mlp[0].out_features == 4  # c = 0.0625 of 64 bands
    s = torch.rand(2, 64, 25)
    out = layer(s)
    assert out.shape == s.shape
    # both attentions are in (0, 1), so the aggregate never exceeds the (positive) input
    assert (out <= s + 1e-6).all() and (out > 0).all()
    with pytest.raises(ValueError, match="aggregation"):
        TFDELayer(8, aggregation="sum")
    with pytest.raises(ValueError, match="odd"):
        TFDELayer(8, kernel_size=4)


def test_degram_shape_any_length():
    d = DEGram(129, n_filters=16, sr=8000)
    for t in (7, 40):
        assert d(torch.rand(2, 129, t)).shape == (2, 16, t)


def test_old_name_sincgram_warns_and_is_the_same_class():
    """``SincGram`` (skaudio 0.1) still works for one release: same class, with a FutureWarning."""
    import pickle

    import skaudio.nn
    import skaudio.nn.sincgram

    assert "SincGram" not in skaudio.nn.__all__  # star imports do not warn
    with pytest.warns(
        FutureWarning,
        match="^SincGram was renamed to SincGramModule in skaudio 0.2 "
        "and will be removed in 0.3; use SincGramModule.$",
    ):
        from skaudio.nn import SincGram
    assert SincGram is SincGramModule
    with pytest.warns(FutureWarning, match="SincGramModule"):
        assert skaudio.nn.sincgram.SincGram is SincGramModule
    assert isinstance(SincGramModule(65, n_filters=4, sr=8000), SincGram)  # old isinstance checks

    # a pickle written under the old name loads (protocol 2 names the class as text)
    data = pickle.dumps(SincGramModule(65, n_filters=4, sr=8000), protocol=2)
    old = data.replace(b"\nSincGramModule\n", b"\nSincGram\n")
    assert old != data
    with pytest.warns(FutureWarning, match="SincGramModule"):
        module = pickle.loads(old)
    assert type(module) is SincGramModule and module.n_filters == 4

    with pytest.raises(AttributeError, match="NoSuchName"):
        skaudio.nn.NoSuchName  # noqa: B018
