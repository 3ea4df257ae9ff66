"""NMFInterpreter: recovery of planted patterns, agreement with scikit-learn, every network and
layer, the transformer API and its errors."""

import pickle
import warnings

import librosa
import numpy as np
import pytest
import torch
from scipy.optimize import linear_sum_assignment
from sklearn.base import clone
from sklearn.decomposition import non_negative_factorization
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from skaudio.interpret import NMFInterpreter, layer_names
from skaudio.interpret.nmf import activations_to_h
from tests.interpret.conftest import KnownActivations, make_pipelines, mel, planted

BASES = ["softplus", "mel_constrained", "mel_basis"]


def _v_rows(X, k):
    return X[:, k:]


def known_problem(n_clips=30, noise=1e-3, seed=0):
    """A network whose layer ``act`` outputs the planted activations H; V = W H (+ noise)."""
    W, H = planted(n_clips, seed=seed)
    rng = np.random.default_rng(seed)
    V = np.einsum("mk,nkt->nmt", W, H) + noise * rng.random((n_clips, W.shape[0], H.shape[-1]))
    X = np.concatenate([H, V.astype(np.float32)], axis=1)
    source = FunctionTransformer(_v_rows, kw_args={"k": W.shape[1]})
    return KnownActivations(W.shape[1]), X, W, H, source


def match(W_found, W_true):
    """Cosine similarities of the best one-to-one matching, and the matching."""
    a = W_found / np.maximum(np.linalg.norm(W_found, axis=0), 1e-12)
    b = W_true / np.linalg.norm(W_true, axis=0)
    cos = a.T @ b
    rows, cols = linear_sum_assignment(-cos)
    return cos[rows, cols], cols


@pytest.mark.parametrize("basis", BASES)
def test_recovers_planted_patterns(basis):
    net, X, W, _, source = known_problem()
    nmf = NMFInterpreter(
        net,
        "act",
        basis=basis,
        spectrogram=source,
        normalize=False,
        max_iter=500,
        tol=1e-10,
        random_state=0,
        n_jobs=1,
    ).fit(X)
    assert nmf.components_.shape == W.shape and (nmf.components_ >= 0).all()
    cos, cols = match(nmf.components_, W)
    assert np.array_equal(cols, np.arange(W.shape[1]))  # channel k explains pattern k
    assert cos.min() >= (0.95 if basis == "softplus" else 0.98), cos
    assert nmf.score(X) > 0.99


def test_time_resampling_and_frequency_pooling():
    """A layer at half the time resolution with a frequency axis: V was made from its upsampled output."""
    W, H = planted(20, n_frames=40, seed=1)

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.act = torch.nn.AvgPool2d((1, 2))
            self.head = torch.nn.Linear(5, 2)

        def forward(self, x):
            h = self.act(x[:, :5, None, :].expand(-1, -1, 3, -1))  # (n, 5, 3 freq, T / 2)
            return self.head(h.mean((-2, -1)))

    Hs = torch.nn.functional.interpolate(
        torch.nn.functional.avg_pool1d(torch.from_numpy(H), 2), size=40, mode="linear", align_corners=False
    ).numpy()
    V = np.einsum("mk,nkt->nmt", W, Hs).astype(np.float32)
    X = np.concatenate([H, V], axis=1)
    nmf = NMFInterpreter(
        Net(),
        "act",
        spectrogram=FunctionTransformer(_v_rows, kw_args={"k": 5}),
        normalize=False,
        max_iter=1000,
        tol=1e-10,
        n_jobs=1,
    ).fit(X)
    assert nmf.layer_shape_ == (5, 3, 20)
    np.testing.assert_allclose(nmf.transform(X) * nmf.h_scale_[None, :, None], Hs, rtol=1e-5, atol=1e-6)
    cos, cols = match(nmf.components_, W)
    assert np.array_equal(cols, np.arange(5)) and cos.min() > 0.999


def test_free_basis_is_scikit_learns_solution():
    net, X, _, _, source = known_problem(noise=0.05)
    nmf = NMFInterpreter(net, "act", spectrogram=source, max_iter=400, tol=1e-6, n_jobs=1).fit(X)
    V, H = nmf.get_spectrogram(X), nmf.transform(X)
    M, C = V.shape[1], H.shape[1]
    Vf = V.transpose(1, 0, 2).reshape(M, -1).astype(np.float64)
    Hf = H.transpose(1, 0, 2).reshape(C, -1).astype(np.float64)
    W, _, _ = non_negative_factorization(
        Vf, H=Hf, n_components=C, update_H=False, solver="cd", max_iter=400, tol=1e-6
    )
    assert nmf.solver_ == "cd"
    np.testing.assert_allclose(nmf.components_, W, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(nmf.reconstruction_err_, np.linalg.norm(Vf - W @ Hf), rtol=1e-6)
    assert nmf.loss_curve_[0] == 1.0 and nmf.loss_curve_[-1] < 1.0
    # the torch solver on W = softplus(theta) reaches the same minimum
    torch_fit = clone(nmf).set_params(solver="lbfgs", max_iter=2000, tol=1e-12, random_state=0).fit(X)
    assert torch_fit.solver_ == "lbfgs"
    assert abs(torch_fit.reconstruction_err_ - nmf.reconstruction_err_) <= 1e-3 * nmf.reconstruction_err_
    np.testing.assert_allclose(torch_fit.components_, nmf.components_, atol=2e-2 * nmf.components_.max())
    assert np.all(np.diff(torch_fit.loss_curve_) <= 1e-12)  # L-BFGS with a line search never goes up
    # scikit-learn's multiplicative updates converge to the same basis too
    mu = clone(nmf).set_params(solver="mu", max_iter=3000, tol=1e-10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mu.fit(X)
    assert abs(mu.reconstruction_err_ - nmf.reconstruction_err_) <= 1e-2 * nmf.reconstruction_err_


def test_smoothness_trades_error_for_smooth_patterns():
    net, X, _, _, source = known_problem(noise=0.3)
    rough, err = [], []
    for s in (0.0, 0.01, 1.0):
        nmf = NMFInterpreter(
            net,
            "act",
            spectrogram=source,
            smoothness=s,
            solver="lbfgs",
            max_iter=500,
            tol=1e-10,
            random_state=0,
            n_jobs=1,
        ).fit(X)
        rough.append(np.sum(np.diff(nmf.components_, axis=0) ** 2))
        err.append(nmf.reconstruction_err_)
    assert rough[0] > rough[1] > rough[2]
    assert err[0] < err[1] < err[2]


def test_constrained_bases_attributes():
    net, X, _, _, source = known_problem()
    tri = NMFInterpreter(
        net, "act", basis="mel_constrained", spectrogram=source, max_iter=300, random_state=0, n_jobs=1
    ).fit(X)
    assert ((tri.centres_ > 0) & (tri.centres_ < 1)).all() and (tri.bandwidths_ > 0).all()
    np.testing.assert_allclose(np.sort(tri.centres_), [0.1, 0.3, 0.5, 0.7, 0.9], atol=0.03)
    assert tri.centre_frequencies_ is None  # the rows' frequencies are unknown here
    gauss = NMFInterpreter(
        net,
        "act",
        basis="mel_basis",
        n_filters=10,
        spectrogram=source,
        max_iter=300,
        random_state=0,
        n_jobs=1,
    ).fit(X)
    assert gauss.filterbank_.shape == (40, 10) and gauss.scalings_.shape == (10, 5)
    np.testing.assert_allclose(gauss.components_, gauss.filterbank_ @ gauss.scalings_)
    for est in (tri, gauss):
        assert est.loss_curve_[-1] < est.loss_curve_[0]
        assert len(est.loss_curve_) == est.n_iter_ + 1


def test_same_seed_same_basis_and_clone_pickle():
    net, X, _, _, source = known_problem(n_clips=10)
    nmf = NMFInterpreter(
        net, "act", basis="mel_basis", spectrogram=source, max_iter=50, random_state=3, n_jobs=1
    )
    a = nmf.fit(X).components_.copy()
    twin = clone(nmf)
    assert twin.estimator is net and twin.get_params()["layer"] == "act"
    np.testing.assert_array_equal(twin.fit(X).components_, a)
    back = pickle.loads(pickle.dumps(nmf))
    np.testing.assert_array_equal(back.transform(X), nmf.transform(X))
    np.testing.assert_array_equal(back.components_, a)


def test_transform_inverse_transform_score(fitted, events):
    X, _ = events
    pipe = fitted["secnn"]
    nmf = NMFInterpreter(pipe, "features.13", max_iter=400, tol=1e-6, n_jobs=1).fit(X)
    V = nmf.get_spectrogram(X)
    H = nmf.transform(X)
    n_frames = pipe[0].n_frames_
    assert V.shape == (len(X), 32, n_frames) and H.shape == (len(X), 8, n_frames)
    np.testing.assert_allclose(V.max(axis=(1, 2)), 1.0)  # normalize=True
    np.testing.assert_allclose(H.max(axis=(0, 2))[H.max(axis=(0, 2)) > 0], 1.0, rtol=1e-6)
    V_hat = nmf.inverse_transform(H)
    assert V_hat.shape == V.shape
    share = np.abs(nmf.components_).sum(0) * H.sum(axis=(0, 2))
    np.testing.assert_allclose(nmf.contributions_, share / share.sum(), rtol=1e-4)
    np.testing.assert_allclose(nmf.inverse_transform(H[0]), V_hat[0], rtol=1e-6)
    resid = np.sum((V.astype(np.float64) - V_hat) ** 2)
    np.testing.assert_allclose(np.sqrt(resid), nmf.reconstruction_err_, rtol=1e-4)
    centred = V - V.mean(axis=(0, 2), keepdims=True)
    np.testing.assert_allclose(nmf.score(X), 1 - resid / np.sum(centred.astype(np.float64) ** 2), rtol=1e-5)
    # V is the pipeline's mel step without the dB conversion
    np.testing.assert_allclose(nmf.spectrogram_.transform(X), mel(to_db=False).fit_transform(X), rtol=1e-6)
    assert nmf.frequencies_ is not None and len(nmf.mel_positions_) == 32
    with pytest.raises(ValueError, match=r"shape \(n_clips, 8, n_frames\)"):
        nmf.inverse_transform(H[:, :3])


def test_spectrogram_sources(fitted, events):
    X, _ = events
    pipe = fitted["secnn"]
    base = dict(max_iter=50, n_jobs=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        auto = NMFInterpreter(pipe, "features.6", n_mels=20, power=1.0, **base).fit(X)
        assert auto.components_.shape == (20, 4)
        np.testing.assert_allclose(
            auto.spectrogram_.transform(X), mel(n_mels=20, power=1.0, to_db=False).fit_transform(X), rtol=1e-6
        )
        # a bare SE-CNN on log-mels: V back from dB
        S = pipe[:-1].transform(X)
        db = NMFInterpreter(pipe[-1], "features.6", spectrogram="input_db", normalize=False, **base).fit(S)
        np.testing.assert_allclose(db.get_spectrogram(S), librosa.db_to_power(S), rtol=1e-5)
        # the network's own view: its log-mel, floored 80 dB below the peak, mapped to [0, 1]
        scaled = NMFInterpreter(pipe[-1], "features.6", spectrogram="input_db", db_range=80.0, **base).fit(S)
        np.testing.assert_allclose(scaled.get_spectrogram(S), 1.0 + S / 80.0, atol=1e-5)
        auto_db = NMFInterpreter(pipe, "features.6", db_range=80.0, **base).fit(X)
        np.testing.assert_allclose(auto_db.get_spectrogram(X), 1.0 + S / 80.0, atol=1e-4)
        own = NMFInterpreter(pipe, "features.6", spectrogram=mel(n_mels=16, to_db=False), **base).fit(X)
        assert own.components_.shape == (16, 4) and own.frequencies_ is not None
        # DEGramNet's input is a non-negative power spectrogram: usable as V directly
        deg = NMFInterpreter(fitted["degram"], "stem.2", spectrogram="input", **base).fit(X)
        assert deg.components_.shape == (65, 4)
    with pytest.raises(ValueError, match="negative values"):
        NMFInterpreter(pipe[-1], "features.6", spectrogram="input", **base).fit(S)
    with pytest.raises(ValueError, match="needs a Pipeline with a MelSpectrogram step"):
        NMFInterpreter(fitted["dual"], "stem", **base).fit(X)
    with pytest.raises(ValueError, match="n_mels=12 differs"):
        NMFInterpreter(pipe[-1], "features.6", spectrogram="input_db", n_mels=12, **base).fit(S)


def test_discriminative_components():
    """Class a uses channels 0 and 1, class b channels 3 and 4; channel 2 is shared."""
    W, H = planted(20, seed=2)
    y = np.repeat(["a", "b"], 10)
    H[y == "a", 3:] *= 0.05
    H[y == "b", :2] *= 0.05
    V = np.einsum("mk,nkt->nmt", W, H).astype(np.float32)
    X = np.concatenate([H, V], axis=1)
    source = FunctionTransformer(_v_rows, kw_args={"k": 5})
    nmf = NMFInterpreter(KnownActivations(5), "act", spectrogram=source, max_iter=300, n_jobs=1).fit(X)
    table = nmf.discriminative_components(X, y)
    assert list(table.columns) == ["class", "rank", "component", "score", "share_in_class", "share_elsewhere"]
    assert len(table) == 10
    top_a = table[table["class"] == "a"].sort_values("rank")
    top_b = table[table["class"] == "b"].sort_values("rank")
    assert set(top_a["component"][:2]) == {0, 1} and set(top_a["component"][-2:]) == {3, 4}
    assert set(top_b["component"][:2]) == {3, 4}
    assert (top_a["score"][:2] > 1).all() and (top_a["score"][-2:] < -1).all()
    assert len(nmf.discriminative_components(X, y, n_top=2)) == 4
    with pytest.raises(ValueError, match="at least two classes"):
        nmf.discriminative_components(X, np.repeat("a", 20))
    with pytest.raises(ValueError, match="different numbers of clips"):
        nmf.discriminative_components(X, y[:5])


def _check_layers(pipe, layers, X, spec):
    """Each layer either gives a basis or one of two clear errors (never ran / all zero)."""
    n_fitted = 0
    for layer in layers:
        nmf = NMFInterpreter(pipe, layer, spectrogram=spec, max_iter=20, tol=1e-3, batch_size=9, n_jobs=1)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                nmf.fit(X)
        except ValueError as exc:
            assert "did not run" in str(exc) or "all zero" in str(exc), (layer, exc)
            continue
        n_fitted += 1
        assert nmf.components_.shape == (32, nmf.n_components_), layer
        assert np.isfinite(nmf.components_).all() and (nmf.components_ >= 0).all(), layer
        assert np.isfinite(nmf.reconstruction_err_)
    return n_fitted


# layers of each kind: convolutions, batch norms, SE/ECA/MACEM/GARM blocks and their MLPs,
# pooling, DEGram, the Transformer and LSTM, the head
SAMPLE = {
    "secnn": [
        "features.0",
        "features.1",
        "features.6",
        "features.14",
        "features.14.fc.0",
        "features.22",
        "pool",
        "classifier.0",
        "classifier.3",
    ],
    "degram": [
        "degram",
        "degram.sincgram",
        "degram.delayer.time_conv",
        "degram.delayer.pool_freq",
        "norm",
        "stem.0",
        "stages.1.body.8",
        "stages.2.act",
        "fc",
    ],
    "dual": [
        "stem",
        "semantic.1.blocks.0.gate.mlp",
        "semantic.2.blocks.1",
        "reduce",
        "semantic_tf",
        "semantic_tf.layers.0.self_attn",
        "semantic_tf.layers.0.self_attn.out_proj",
        "lstm",
        "detail.9.blocks.0.time_gate",
        "gam",
        "fc",
    ],
}


@pytest.mark.parametrize("name", ["secnn", "degram", "dual"])
def test_layers_of_every_kind(fitted, events, name):
    X, _ = events
    spec = "auto" if name == "secnn" else mel(to_db=False, n_jobs=1)
    assert _check_layers(fitted[name], SAMPLE[name], X, spec) >= len(SAMPLE[name]) - 2


@pytest.mark.slow
@pytest.mark.parametrize("name", ["secnn", "degram", "dual"])
def test_every_layer_of_every_network(fitted, events, name):
    X, _ = events
    spec = "auto" if name == "secnn" else mel(to_db=False, n_jobs=1)
    names = layer_names(fitted[name])
    assert _check_layers(fitted[name], names, X, spec) >= 0.9 * len(names) - 12


def test_sequence_layers_are_read_channels_last(fitted, events):
    X, _ = events
    pipe = fitted["dual"]
    spec = mel(to_db=False)
    for layer in ("semantic_tf", "lstm", "detail_tf.layers.0.linear1"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            nmf = NMFInterpreter(pipe, layer, spectrogram=spec, max_iter=20, n_jobs=1).fit(X)
        features = nmf.layer_shape_[-1]  # (steps, features) per clip
        assert nmf.n_components_ == features, layer
    A = np.arange(24, dtype=np.float32).reshape(1, 4, 6)  # (n, steps, features)
    H = activations_to_h(A, 4, layout="channels_last")
    np.testing.assert_allclose(H[0], A[0].T)


def test_errors(fitted, events):
    X, _ = events
    pipe = fitted["secnn"]
    with pytest.raises(ValueError, match=r"'conv9' is not a layer of SECNN.*Valid names: features, "):
        NMFInterpreter(pipe, "conv9").fit(X)
    with pytest.raises(NotFittedError):
        NMFInterpreter(make_pipelines()["secnn"], "features.0").fit(X)
    with pytest.raises(ValueError, match="basis"):
        NMFInterpreter(pipe, "features.0", basis="nmf").fit(X)
    with pytest.raises(ValueError, match="solver='cd' .* fits only basis='softplus'"):
        NMFInterpreter(pipe, "features.0", basis="mel_basis", solver="cd").fit(X)
    with pytest.raises(ValueError, match="solver='mu' .* without smoothness"):
        NMFInterpreter(pipe, "features.0", solver="mu", smoothness=1.0).fit(X)
    with pytest.raises(ValueError, match="all zero after nonnegative='relu'.*try nonnegative='abs'"):
        NMFInterpreter(
            fitted["dual"], "detail.10.blocks.0.time_gate", spectrogram=mel(to_db=False), n_jobs=1
        ).fit(X)
    with pytest.raises(NotFittedError):
        NMFInterpreter(pipe, "features.0").transform(X)
    fitted_nmf = NMFInterpreter(pipe, "features.0", max_iter=5, tol=0.5, n_jobs=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fitted_nmf.fit(X)
    with pytest.raises(ValueError, match="n_top"):
        fitted_nmf.discriminative_components(X, np.arange(len(X)) % 2, n_top=0)
    with pytest.raises(ValueError, match="n_mels=8 cannot be set"):
        NMFInterpreter(pipe, "features.0", n_mels=8, spectrogram=FunctionTransformer()).fit(X)


def test_pipeline_use_and_frozen_estimator(fitted, events):
    from sklearn.frozen import FrozenEstimator

    X, _ = events
    pipe = fitted["secnn"]
    nmf = NMFInterpreter(FrozenEstimator(pipe), "features.13", max_iter=300, n_jobs=1)
    chain = Pipeline([("interpret", nmf)])
    H = chain.fit_transform(X)
    assert H.shape[:2] == (len(X), 8)
    np.testing.assert_array_equal(
        H, NMFInterpreter(pipe, "features.13", max_iter=300, n_jobs=1).fit(X).transform(X)
    )


def test_pandas_output_through_flatten():
    # before: set_output raised "Unable to configure output" (no get_feature_names_out)
    import pandas as pd

    from skaudio.features import Flatten

    net, X, W, H, source = known_problem(n_clips=6)
    nmf = NMFInterpreter(net, "act", spectrogram=source, max_iter=50, n_jobs=1)
    with pytest.raises(NotFittedError):
        nmf.get_feature_names_out()
    chain = Pipeline([("interpret", nmf), ("flat", Flatten())]).set_output(transform="pandas")
    df = chain.fit_transform(X)
    n_frames = H.shape[-1]
    assert isinstance(df, pd.DataFrame) and df.shape == (6, W.shape[1] * n_frames)
    assert list(df.columns) == list(chain.get_feature_names_out())
    assert chain[0].get_feature_names_out().tolist() == [f"nmfinterpreter{k}" for k in range(W.shape[1])]
    H_out = chain[0].transform(X)  # 3-D, so it stays an ndarray
    assert isinstance(H_out, np.ndarray)
    np.testing.assert_array_equal(df.to_numpy(), H_out.reshape(6, -1))


@pytest.mark.parametrize(
    "check",
    [
        "check_no_attributes_set_in_init",
        "check_get_params_invariance",
        "check_set_params",
        "check_estimator_repr",
        "check_do_not_raise_errors_in_init_or_set_params",
    ],
)
def test_sklearn_api_checks(check):
    # the data checks feed 2-D random arrays, which no audio network takes; these need no data
    from sklearn.utils import estimator_checks

    getattr(estimator_checks, check)("NMFInterpreter", NMFInterpreter(KnownActivations(2), "act"))
