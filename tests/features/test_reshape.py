"""Flatten: scikit-learn's decompositions and embeddings on spectrogram batches inside a Pipeline."""

import numpy as np
import pytest
from sklearn.decomposition import NMF, PCA, FastICA
from sklearn.manifold import TSNE
from sklearn.pipeline import make_pipeline

from skaudio.features import Flatten, MelSpectrogram, SpectrogramFilter


@pytest.fixture(scope="module")
def power():
    rng = np.random.default_rng(0)
    return rng.random((24, 16, 20)).astype(np.float32) ** 2


def test_round_trip(power):
    flat = Flatten().fit(power)
    X = flat.transform(power)
    assert X.shape == (24, 320) and X.dtype == np.float32
    np.testing.assert_array_equal(X[3], power[3].ravel())
    np.testing.assert_array_equal(flat.inverse_transform(X), power)
    assert flat.get_feature_names_out()[21] == "f1_t1"


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize(
    "reducer",
    [
        PCA(n_components=5),
        FastICA(n_components=4, random_state=0, max_iter=500),
        NMF(n_components=4, init="nndsvda", random_state=0, max_iter=500),
    ],
)
def test_decompositions_in_a_pipeline(power, reducer):
    pipe = make_pipeline(SpectrogramFilter("gaussian", sigma=0.5), Flatten(), reducer).fit(power)
    Z = pipe.transform(power)
    assert Z.shape == (24, reducer.n_components)
    # components seen as spectrograms, and reconstructions back in spectrogram shape
    comps = pipe.named_steps["flatten"].inverse_transform(pipe[-1].components_.astype(np.float32))
    assert comps.shape == (reducer.n_components, 16, 20)
    rec = pipe[1:].inverse_transform(Z)
    assert rec.shape == power.shape


def test_pca_equals_pca_on_reshaped_batch(power):
    a = make_pipeline(Flatten(), PCA(n_components=3, random_state=0)).fit_transform(power)
    b = PCA(n_components=3, random_state=0).fit_transform(power.reshape(24, -1))
    np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_tsne_on_real_spectrograms(esc10_clips):
    S = MelSpectrogram(sr=44100, n_fft=2048, hop_length=1024, n_mels=32).fit_transform(esc10_clips)
    emb = make_pipeline(
        Flatten(),
        PCA(n_components=5),
        TSNE(n_components=2, perplexity=3, method="exact", init="random", max_iter=250, random_state=0),
    )
    Y = emb.fit_transform(S)
    assert Y.shape == (len(S), 2) and np.isfinite(Y).all()


def test_shape_errors(power):
    flat = Flatten().fit(power)
    with pytest.raises(ValueError, match="fitted on"):
        flat.transform(power[:, :, :10])
    with pytest.raises(ValueError, match="columns"):
        flat.inverse_transform(np.zeros((2, 7), np.float32))
    with pytest.raises(ValueError, match="NaN"):
        Flatten().fit(np.full((2, 3, 4), np.nan, np.float32))
