"""Every fitted public estimator round-trips through pickle and joblib with identical outputs;
torch weights save with ``torch.save`` and load with ``torch.load(..., weights_only=True)``.

:data:`FITTED` builds one small fitted instance per public estimator (the
classifiers at toy sizes, one epoch); ``test_public_api_coverage.py`` fails
when a public estimator is missing from it.
"""

import io
import pickle
import warnings

import joblib
import numpy as np
import pytest
import soundfile as sf
import torch
from sklearn.base import clone

from skaudio.features import (
    HPSS,
    MFCC,
    AudioLoader,
    Chroma,
    Deltas,
    FixLength,
    Flatten,
    MelSpectrogram,
    PoolingTransformer,
    PowerToDb,
    SincGramTransformer,
    SpectralDescriptors,
    Spectrogram,
    SpectrogramFilter,
    SpectrogramImageFeatures,
    SpectrogramSegmenter,
    SpectrogramStandardizer,
)
from skaudio.interpret import NMFInterpreter
from skaudio.models import DEGramNetClassifier, DualBranchClassifier, SECNNClassifier
from skaudio.nn import GlobalPool, Pool2d

RNG = np.random.default_rng(0)
WAVES = (0.1 * RNG.standard_normal((6, 512))).astype(np.float32)
POWER = RNG.random((6, 17, 12)).astype(np.float32)
DB = (-80 * RNG.random((6, 16, 12))).astype(np.float32)
LABELS = np.array(["a", "b", "c"] * 2)
TINY = dict(max_epochs=1, batch_size=3, random_state=0, n_jobs=1, early_stopping=False, verbose=0)


def _tiny_net():
    """A fixed (seeded) network on the 17-band POWER batches for NMFInterpreter."""
    torch.manual_seed(0)
    return torch.nn.Sequential(
        torch.nn.Conv1d(17, 4, 1),
        torch.nn.ReLU(),
        torch.nn.AdaptiveAvgPool1d(1),
        torch.nn.Flatten(),
        torch.nn.Linear(4, 2),
    )


def _wav_paths(tmp_path):
    paths = []
    for i, x in enumerate(WAVES[:3]):
        paths.append(str(tmp_path / f"{i}.wav"))
        sf.write(paths[-1], x, 8000, subtype="FLOAT")
    return paths


#: name -> (unfitted estimator, data for fit and output, y or None, output method)
FITTED = {
    "AudioLoader": (lambda: AudioLoader(sr=8000, duration=0.064), _wav_paths, None, "transform"),
    "FixLength": (lambda: FixLength(length=300, align="center"), WAVES, None, "transform"),
    "Spectrogram": (lambda: Spectrogram(n_fft=64, hop_length=16, to_db=True), WAVES, None, "transform"),
    "Spectrogram[torch]": (
        lambda: Spectrogram(n_fft=64, hop_length=16, backend="torch"),
        WAVES,
        None,
        "transform",
    ),
    "MelSpectrogram": (
        lambda: MelSpectrogram(sr=8000, n_fft=64, hop_length=16, n_mels=8),
        WAVES,
        None,
        "transform",
    ),
    "PowerToDb": (lambda: PowerToDb(), POWER, None, "transform"),
    "SpectrogramStandardizer": (lambda: SpectrogramStandardizer(), DB, None, "transform"),
    "PoolingTransformer": (lambda: PoolingTransformer("attention", (2, 3), v=2.0), DB, None, "transform"),
    "SincGramTransformer": (lambda: SincGramTransformer(sr=8000, n_filters=5), POWER, None, "transform"),
    "SincGramTransformer[learned]": (
        lambda: SincGramTransformer(sr=8000, n_filters=5, learn=True, max_epochs=2, random_state=0),
        POWER,
        LABELS,
        "transform",
    ),
    "SpectrogramFilter": (lambda: SpectrogramFilter("wavelet"), DB, None, "transform"),
    "SpectrogramSegmenter": (lambda: SpectrogramSegmenter("kmeans", random_state=0), DB, None, "transform"),
    "SpectrogramImageFeatures": (lambda: SpectrogramImageFeatures("glcm"), DB, None, "transform"),
    "Flatten": (lambda: Flatten(), DB, None, "transform"),
    "MFCC": (lambda: MFCC(sr=8000, n_fft=64, hop_length=16, n_mels=8, n_mfcc=5), WAVES, None, "transform"),
    "Chroma": (lambda: Chroma(sr=8000, n_fft=256, hop_length=64), WAVES, None, "transform"),
    "SpectralDescriptors": (
        lambda: SpectralDescriptors(sr=8000, n_fft=256, hop_length=64, n_bands=3),
        WAVES,
        None,
        "transform",
    ),
    "Deltas": (lambda: Deltas(width=3, order=2, stack=True), DB, None, "transform"),
    "HPSS": (lambda: HPSS(kernel_size=3, output="both"), POWER, None, "transform"),
    # NMFInterpreter keeps its (already fitted) network through clone and pickle
    "NMFInterpreter": (
        lambda: NMFInterpreter(_tiny_net(), "1", spectrogram="input"),
        POWER,
        None,
        "transform",
    ),
    "NMFInterpreter[mel_basis]": (
        lambda: NMFInterpreter(
            _tiny_net(), "1", basis="mel_basis", spectrogram="input", max_iter=20, random_state=0
        ),
        POWER,
        None,
        "score",
    ),  # through W
    "SECNNClassifier": (
        lambda: SECNNClassifier(
            module__width=2, module__n_blocks=2, module__head=(4,), ema_decay=0.9, **TINY
        ),
        DB,
        LABELS,
        "predict_proba",
    ),
    "DEGramNetClassifier": (
        lambda: DEGramNetClassifier(
            module__n_filters=4, module__stem_width=2, module__width=2, module__sr=8000, **TINY
        ),
        POWER,
        LABELS,
        "predict_proba",
    ),
    "DualBranchClassifier": (
        lambda: DualBranchClassifier(
            module__width=2,
            module__detail_width=4,
            module__d_model=8,
            module__n_heads=2,
            module__stem_stride=8,
            **TINY,
        ),
        WAVES,
        LABELS,
        "predict_proba",
    ),
}


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    """Each estimator fitted once, with its input and its output."""
    out = {}
    for name, (make, data, y, method) in FITTED.items():
        X = data(tmp_path_factory.mktemp(name.replace("[", "_").replace("]", ""))) if callable(data) else data
        est = make().fit(X, y)
        out[name] = (est, X, getattr(est, method)(X), method)
    return out


@pytest.mark.parametrize("name", list(FITTED))
def test_pickle_and_joblib_round_trips(fitted, name, tmp_path):
    est, X, expected, method = fitted[name]
    with warnings.catch_warnings():
        # an unpickling path that fell back to torch.load(weights_only=False) would warn
        warnings.simplefilter("error", FutureWarning)
        again = pickle.loads(pickle.dumps(est))
        joblib.dump(est, tmp_path / "est.joblib")
        from_disk = joblib.load(tmp_path / "est.joblib")
    for other in (again, from_disk):
        np.testing.assert_array_equal(getattr(other, method)(X), expected)
    # a clone fitted the same way gives the same output (no hidden state, seeds honoured)
    refit = clone(est).fit(X, FITTED[name][2])
    np.testing.assert_array_equal(getattr(refit, method)(X), expected)


@pytest.mark.parametrize("name", ["SECNNClassifier", "DEGramNetClassifier", "DualBranchClassifier"])
def test_classifier_weights_load_with_weights_only(fitted, name, tmp_path):
    est, X, expected, _ = fitted[name]
    # 1. the bare state dict, as torch users save it
    buffer = io.BytesIO()
    torch.save(est.module_.state_dict(), buffer)
    buffer.seek(0)
    state = torch.load(buffer, weights_only=True)
    other = clone(est).set_params(random_state=1).fit(X, FITTED[name][2])
    assert not np.array_equal(other.predict_proba(X), expected)
    other.module_.load_state_dict(state)
    np.testing.assert_array_equal(other.predict_proba(X), expected)
    # 2. skorch's own save_params / load_params (which use torch.load(weights_only=True))
    files = {k: tmp_path / f"{k}.pt" for k in ("f_params", "f_optimizer", "f_criterion")}
    est.save_params(**files, f_history=tmp_path / "history.json")
    for f in files.values():  # each file is plain tensors and containers: weights_only loads it
        torch.load(f, weights_only=True)
    third = clone(est).set_params(random_state=2).fit(X, FITTED[name][2])
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        third.load_params(**files, f_history=tmp_path / "history.json")
    np.testing.assert_array_equal(third.predict_proba(X), expected)
    assert len(third.history_) == len(est.history_)


@pytest.mark.parametrize("name", ["SincGramTransformer", "SincGramTransformer[learned]"])
def test_sincgram_weights_load_with_weights_only(fitted, name):
    from skaudio.nn.sincgram import SincGramModule

    est, X, expected, _ = fitted[name]
    buffer = io.BytesIO()
    torch.save(est._state, buffer)
    buffer.seek(0)
    state = torch.load(buffer, weights_only=True)
    module = SincGramModule(est.n_features_in_, est.n_filters, est.order, est.sr, est.fmin, est.fmax)
    module.load_state_dict(state)
    with torch.no_grad():
        np.testing.assert_array_equal(module.filters().numpy().astype(np.float32), est.filters_)


@pytest.mark.parametrize(
    "layer",
    [lambda: Pool2d("lse", (2, 2)), lambda: Pool2d("attention", (2, 3)), lambda: GlobalPool("auto", dim=-1)],
)
def test_pooling_layers_round_trip_with_weights_only(layer):
    torch.manual_seed(0)
    a, b = layer(), layer()
    with torch.no_grad():
        for p in a.parameters():
            p.add_(0.3)  # learned values, not the initial ones
    x = torch.rand(2, 1, 6, 9)
    buffer = io.BytesIO()
    torch.save(a.state_dict(), buffer)
    buffer.seek(0)
    b.load_state_dict(torch.load(buffer, weights_only=True))
    torch.testing.assert_close(b(x), a(x), rtol=0, atol=0)
    again = pickle.loads(pickle.dumps(a))
    torch.testing.assert_close(again(x), a(x), rtol=0, atol=0)


#: Public name -> the tests that exercise it (checked by test_public_api_coverage.py).
PERSISTENCE_TESTS = {name.split("[")[0]: [test_pickle_and_joblib_round_trips] for name in FITTED}
PERSISTENCE_TESTS.update(
    {
        "Pool2d": [test_pooling_layers_round_trip_with_weights_only],
        "GlobalPool": [test_pooling_layers_round_trip_with_weights_only],
        "EMA": [test_pickle_and_joblib_round_trips],  # SECNNClassifier(ema_decay=0.9)
        "OneCycle": [test_pickle_and_joblib_round_trips],  # DualBranchClassifier's default schedule
        "AudioAugment": [test_pickle_and_joblib_round_trips],  # every fitted classifier's augmentation_
        "AudioNetClassifier": [test_classifier_weights_load_with_weights_only],
    }
)
