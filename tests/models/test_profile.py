"""skaudio.models.profile: counts checked by hand on tiny networks, modes and weights untouched."""

import math

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.exceptions import NotFittedError
from torch import nn

from skaudio.models import DualBranchClassifier, SECNNClassifier, profile

FAST = dict(batch_sizes=(1, 4), repeats=2, warmup=1)


def _counts(module, X, **kw):
    return profile(module, X, **{**FAST, **kw}).iloc[0]


def test_one_row_with_the_documented_columns():
    net = nn.Sequential(nn.Linear(10, 6), nn.ReLU(), nn.Linear(6, 3))
    table = profile(net, torch.randn(5, 10), **FAST)
    assert isinstance(table, pd.DataFrame) and len(table) == 1
    assert list(table.columns) == [
        "model",
        "device",
        "input_shape",
        "n_threads",
        "n_params",
        "n_trainable_params",
        "flops",
        "macs",
        "peak_activation_bytes",
        "latency_ms_batch1",
        "latency_ms_batch4",
    ]
    row = table.iloc[0]
    assert row["model"] == "Sequential" and row["device"] == "cpu" and row["input_shape"] == (10,)
    for b in (1, 4):
        assert math.isfinite(row[f"latency_ms_batch{b}"]) and row[f"latency_ms_batch{b}"] > 0


def test_parameter_counts():
    net = nn.Sequential(nn.Conv1d(2, 3, 5), nn.BatchNorm1d(3), nn.Flatten(), nn.Linear(48, 4))
    net[0].weight.requires_grad_(False)
    row = _counts(net, torch.randn(1, 2, 20))
    assert row["n_params"] == sum(p.numel() for p in net.parameters()) == 30 + 3 + 6 + 196
    assert row["n_trainable_params"] == row["n_params"] - 30


def test_flops_of_a_linear_layer_and_a_convolution_by_hand():
    row = _counts(nn.Linear(10, 4), torch.randn(3, 10))  # first clip only
    assert row["flops"] == 2 * 10 * 4 and row["macs"] == 10 * 4
    # 3 output channels x 16 positions, each 2 input channels x 5 taps
    row = _counts(nn.Conv1d(2, 3, 5), torch.randn(1, 2, 20))
    assert row["flops"] == 2 * (3 * 16) * (2 * 5) and row["macs"] == 3 * 16 * 2 * 5


def test_flops_of_attention_and_lstm_which_torchs_counter_misses_on_cpu():
    d, steps = 16, 5
    layer = nn.TransformerEncoderLayer(d, 2, 32, batch_first=True, norm_first=True)
    tf = nn.TransformerEncoder(layer, 1, enable_nested_tensor=False)
    projections = steps * d * (3 * d + d + 2 * 32)  # qkv, output, feed-forward in and out
    attention = 2 * steps * steps * d  # Q K^T and (weights) V
    assert _counts(tf, torch.randn(1, steps, d))["macs"] == projections + attention
    lstm = nn.LSTM(8, 4, batch_first=True, bidirectional=True)
    # per direction and step: 4 gates x 4 units from 8 inputs and 4 hidden states
    assert _counts(lstm, torch.randn(1, steps, 8))["macs"] == 2 * steps * 16 * (8 + 4)


def test_peak_activation_bytes_by_hand():
    # the Linear output (1000 float32) is still alive when ReLU writes its own
    net = nn.Sequential(nn.Linear(10, 1000), nn.ReLU())
    assert _counts(net, torch.randn(1, 10))["peak_activation_bytes"] == 2 * 1000 * 4
    # in place: the ReLU adds nothing; then the 5 outputs join the 1000 values
    net = nn.Sequential(nn.Linear(10, 1000), nn.ReLU(inplace=True), nn.Linear(1000, 5))
    assert _counts(net, torch.randn(1, 10))["peak_activation_bytes"] == (1000 + 5) * 4
    # a view of the input allocates nothing
    assert _counts(nn.Flatten(), torch.randn(1, 2, 3))["peak_activation_bytes"] == 0


def test_modes_and_weights_are_left_as_they_were():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(6, 8), nn.BatchNorm1d(8), nn.Dropout(0.5), nn.Linear(8, 2))
    net.train()
    net[2].eval()  # a mixed state is restored module by module
    before = {k: v.clone() for k, v in net.state_dict().items()}
    _counts(net, torch.randn(4, 6))
    assert [m.training for m in net.modules()] == [True, True, True, False, True]
    after = net.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)  # batch-norm statistics too


def test_n_jobs_sets_the_threads_and_restores_the_callers():
    before = torch.get_num_threads()
    assert _counts(nn.Linear(3, 2), torch.randn(1, 3), n_jobs=1)["n_threads"] == 1
    assert torch.get_num_threads() == before
    assert _counts(nn.Linear(3, 2), torch.randn(1, 3))["n_threads"] == before  # None keeps it


def test_a_fitted_estimator_is_profiled_through_its_module():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((8, 16, 20)).astype(np.float32)
    y = np.repeat([0, 1], 4)
    clf = SECNNClassifier(
        module__width=2, module__n_blocks=2, module__head=(4,), max_epochs=1, batch_size=4, random_state=0
    ).fit(X, y)
    batch = profile(clf, X, **FAST).iloc[0]
    clip = profile(clf, X[0], **FAST).iloc[0]  # one clip (n_freqs, n_frames)
    assert batch["model"] == clip["model"] == "SECNN"
    assert batch["input_shape"] == clip["input_shape"] == (16, 20)
    assert batch["n_params"] == sum(p.numel() for p in clf.module_.parameters())
    assert batch["flops"] == clip["flops"] == profile(clf.module_, X[:1], **FAST).iloc[0]["flops"]
    with pytest.raises(ValueError, match="features"):  # the estimator's own input rules
        profile(clf, X[:, :10], **FAST)


def test_an_initialized_waveform_estimator_takes_one_waveform():
    clf = DualBranchClassifier(
        classes=[0, 1], module__width=2, module__detail_width=2, module__d_model=8, module__n_heads=2
    ).initialize()
    row = _counts(clf, np.zeros(4096, dtype=np.float32))
    assert row["model"] == "DualBranchNet" and row["input_shape"] == (4096,)
    assert row["flops"] > 0


def test_an_unfitted_estimator_is_refused():
    with pytest.raises(NotFittedError, match="not fitted"):
        profile(SECNNClassifier(), np.zeros((1, 16, 20), dtype=np.float32))


@pytest.mark.parametrize(
    "kw, match",
    [
        (dict(batch_sizes=(0,)), "batch_sizes"),
        (dict(batch_sizes=()), "batch_sizes"),
        (dict(batch_sizes=(2, 2)), "distinct"),
        (dict(batch_sizes=1), "batch_sizes"),
        (dict(repeats=0), "repeats"),
        (dict(warmup=-1), "warmup"),
        (dict(n_jobs=0), "n_jobs"),
    ],
)
def test_bad_arguments(kw, match):
    with pytest.raises(ValueError, match=match):
        profile(nn.Linear(3, 2), torch.randn(1, 3), **kw)


def test_bad_inputs():
    with pytest.raises(ValueError, match="estimator_or_module"):
        profile("a network", torch.randn(1, 3))
    with pytest.raises(ValueError, match="batch of clips"):
        profile(nn.Linear(3, 2), torch.randn(3))  # one clip without its batch axis
    with pytest.raises(ValueError, match=r"could not run on one clip of shape \(5,\)"):
        profile(nn.Linear(3, 2), torch.randn(2, 5))
    with pytest.raises(ValueError, match="no clip"):
        profile(nn.Linear(3, 2), torch.randn(0, 3))
