"""SincGramTransformer: mel initialisation, transform, learning the bands from labels."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from skaudio.features import SincGramTransformer
from skaudio.nn import SincGramModule


def _two_tone_task(n=60, n_freqs=129, seed=0):
    """Class 0 has energy around bin 20, class 1 around bin 23; noise everywhere else."""
    rng = np.random.default_rng(seed)
    X = rng.random((n, n_freqs, 8)).astype(np.float32)
    y = np.arange(n) % 2
    X[y == 0, 20] += 3.0
    X[y == 1, 23] += 3.0
    return X, y


def test_transform_matches_the_nn_module():
    X = np.random.default_rng(0).random((3, 257, 12)).astype(np.float32)
    sg = SincGramTransformer(sr=16000, n_filters=32).fit(X)
    ref = SincGramModule(257, 32, 4, 16000.0)
    np.testing.assert_allclose(sg.filters_, ref.filters().detach().numpy(), rtol=1e-6)
    np.testing.assert_allclose(sg.center_freqs_, ref.center_freqs(), rtol=1e-6)
    E = sg.transform(X)
    assert E.shape == (3, 32, 12) and E.dtype == np.float32
    np.testing.assert_allclose(E, np.einsum("fm,nft->nmt", sg.filters_, X), rtol=1e-4, atol=1e-5)
    # one spectrum per clip (2-D) gives one energy per band
    np.testing.assert_allclose(sg.transform(X[:, :, 0]), E[:, :, 0], rtol=1e-4, atol=1e-5)
    assert sg.loss_curve_ == []


def test_learning_moves_bands_and_helps():
    X, y = _two_tone_task()
    fixed = SincGramTransformer(sr=8000, n_filters=6, fmin=0, fmax=4000).fit(X)
    learned = SincGramTransformer(
        sr=8000, n_filters=6, fmin=0, fmax=4000, learn=True, max_epochs=60, lr=0.05, random_state=0, n_jobs=1
    ).fit(X, y)
    assert learned.loss_curve_[-1] < 0.5 * learned.loss_curve_[0]
    assert not np.allclose(learned.center_freqs_, fixed.center_freqs_)
    assert np.array_equal(learned.classes_, [0, 1])
    logmean = FunctionTransformer(lambda E: np.log(E + 1e-6).mean(-1))
    score = make_pipeline(clone(learned), logmean, LogisticRegression()).fit(X, y).score(X, y)
    assert score >= 0.95
    # reproducible and picklable
    again = clone(learned).fit(X, y)
    np.testing.assert_array_equal(again.filters_, learned.filters_)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(learned)).transform(X), learned.transform(X))


def test_filterbank_lr_scale_sets_how_far_the_bands_move():
    X, y = _two_tone_task()
    fixed = SincGramTransformer(sr=8000, n_filters=6, fmin=0, fmax=4000).fit(X)

    def learned(scale):
        return SincGramTransformer(
            sr=8000,
            n_filters=6,
            fmin=0,
            fmax=4000,
            learn=True,
            max_epochs=30,
            lr=0.05,
            filterbank_lr_scale=scale,
            random_state=0,
            n_jobs=1,
        ).fit(X, y)

    frozen = learned(0.0)
    np.testing.assert_array_equal(frozen.filters_, fixed.filters_)
    assert frozen.loss_curve_[-1] < frozen.loss_curve_[0]  # the head still trains
    moved = {s: np.abs(learned(s).center_freqs_ - fixed.center_freqs_).max() for s in (0.02, 1.0)}
    assert 0 < moved[0.02] < 0.2 * moved[1.0]


def test_errors():
    X = np.random.default_rng(0).random((4, 65, 5)).astype(np.float32)
    with pytest.raises(ValueError, match="labels"):
        SincGramTransformer(sr=8000, learn=True).fit(X)
    with pytest.raises(ValueError, match="negative"):
        SincGramTransformer(sr=8000).fit(-X)
    with pytest.raises(ValueError, match="fmax"):
        SincGramTransformer(sr=8000, fmax=6000).fit(X)
    sg = SincGramTransformer(sr=8000, n_filters=4).fit(X)
    with pytest.raises(ValueError, match="features"):
        sg.transform(X[:, :30])


@pytest.mark.skipif(__import__("torch").cuda.is_available(), reason="checks the error where CUDA is absent")
@pytest.mark.parametrize(
    "device, match",
    [("cuda", "CUDA is not available"), ("meta", "holds no data"), ("gpu", "not a torch device")],
)
def test_absent_device_is_refused(device, match):
    S = np.random.default_rng(0).random((2, 33, 4)).astype(np.float32)
    with pytest.raises(ValueError, match=match):
        SincGramTransformer(sr=8000, n_filters=4, device=device).fit(S)


def test_extreme_input_gives_finite_energies_or_a_clear_error():
    rng = np.random.default_rng(0)
    S = rng.random((4, 129, 6)).astype(np.float32)
    sg = SincGramTransformer(sr=8000, n_filters=8).fit(S)
    # energies are linear in the input: finite and proportional as long as float32 holds them
    np.testing.assert_allclose(sg.transform(S * np.float32(1e36)), sg.transform(S) * 1e36, rtol=1e-5)
    huge = S * np.float32(3e38)  # the energies (sums over ~60 bins) were inf
    for X in (huge, huge[:, :, 0]):
        with pytest.raises(
            ValueError, match=r"X holds values up to 2.99\d?e\+38: .* exceed the float32 range"
        ):
            sg.transform(X)
    with pytest.raises(ValueError, match="exceed the float32 range"):  # learning gave NaN filters
        SincGramTransformer(sr=8000, n_filters=8, learn=True, max_epochs=1).fit(huge, [0, 1, 0, 1])
