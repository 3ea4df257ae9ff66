"""Export of the fitted classifiers to TorchScript and ONNX (skaudio.models.export).

Each exported file is loaded the way a user outside skaudio would load it
(``torch.jit.load``, an ``onnxruntime`` session) and must give the estimator's
``predict_proba`` within 1e-4, for batch sizes other than the traced one.
"""

import json
import sys

import numpy as np
import pytest
import torch
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import Pipeline

from skaudio.features import MelSpectrogram, PowerToDb, Spectrogram, SpectrogramStandardizer
from skaudio.models import AudioNetClassifier, DEGramNetClassifier, DualBranchClassifier, SECNNClassifier

SR = 8000
# tiny networks, 2 epochs: the export is under test, not the learning
FAST = dict(random_state=0, n_jobs=1, batch_size=8, max_epochs=2, mixup_alpha=0.0, noise=None)


def _mel():
    return MelSpectrogram(sr=SR, n_fft=256, hop_length=128, n_mels=32)


NETWORKS = {
    "secnn": (
        _mel,
        lambda: SECNNClassifier(module__width=4, module__n_blocks=3, module__head=(16,), **FAST),
    ),
    "degram": (
        lambda: Spectrogram(n_fft=128, hop_length=128),
        lambda: DEGramNetClassifier(
            module__n_filters=16, module__stem_width=4, module__width=2, module__sr=SR, **FAST
        ),
    ),
    "dual": (
        None,
        lambda: DualBranchClassifier(
            module__width=8,
            module__detail_width=8,
            module__d_model=16,
            module__n_heads=2,
            module__stem_stride=8,
            module__sr=SR,
            **FAST,
        ),
    ),
}


@pytest.fixture(scope="module")
def fitted(events):
    """name -> (fitted front end or None, fitted classifier, test waveforms, test input)."""
    Xtr, Xte, ytr, _ = events
    out = {}
    for name, (make_frontend, make_clf) in NETWORKS.items():
        frontend = make_frontend().fit(Xtr) if make_frontend else None
        prep = frontend.transform if frontend else (lambda X: X)
        clf = make_clf().fit(prep(Xtr), ytr)
        out[name] = (frontend, clf, Xte, prep(Xte))
    return out


def _run(fmt, path, x):
    x = np.ascontiguousarray(x, dtype=np.float32)
    if fmt == "torchscript":
        with torch.no_grad():
            return torch.jit.load(path)(torch.from_numpy(x)).numpy()
    import onnxruntime

    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: x})[0]


def _export(clf, fmt, path, **kw):
    return clf.to_torchscript(path, **kw) if fmt == "torchscript" else clf.to_onnx(path, **kw)


def _cases():
    for name in NETWORKS:
        for fmt in ("torchscript", "onnx"):
            for include_frontend, label in ((False, "network"), (True, "with_frontend")):
                # the dual-branch network takes waveforms either way, so with_frontend exports
                # the same graph again: kept out of the default run (27-32 s each, issue 27)
                marks = [pytest.mark.slow] if name == "dual" and include_frontend else []
                yield pytest.param(name, fmt, include_frontend, marks=marks, id=f"{name}-{fmt}-{label}")


@pytest.mark.parametrize("name, fmt, include_frontend", _cases())
def test_exported_graph_predicts_as_the_estimator(name, fmt, include_frontend, fitted, tmp_path):
    frontend, clf, waves, X = fitted[name]
    path = tmp_path / f"{name}.{'pt' if fmt == 'torchscript' else 'onnx'}"
    kw = {"include_frontend": True, "frontend": frontend} if include_frontend else {}
    assert _export(clf, fmt, path, **kw) == path and path.is_file()
    # the graph takes waveforms when the front end is in it (dual-branch: always)
    graph_input = waves if include_frontend or frontend is None else X
    expected = clf.predict_proba(X)
    # 24, 5 and 1 clips: none is the traced batch (2), so the batch axis must be dynamic
    for rows in (slice(None), slice(0, 5), slice(7, 8)):
        got = _run(fmt, str(path), graph_input[rows])
        assert got.shape == expected[rows].shape
        np.testing.assert_allclose(got, expected[rows], rtol=0, atol=1e-4)
    assert np.array_equal(clf.classes_[_run(fmt, str(path), graph_input).argmax(1)], clf.predict(X))


def test_export_leaves_the_estimator_unchanged(fitted, tmp_path):
    _, clf, _, X = fitted["secnn"]
    before = clf.predict_proba(X)
    state = {k: v.clone() for k, v in clf.module_.state_dict().items()}
    clf.to_torchscript(tmp_path / "m.pt")
    assert all(torch.equal(state[k], v) for k, v in clf.module_.state_dict().items())
    assert np.array_equal(clf.predict_proba(X), before)


def test_logits_output_and_metadata(fitted, tmp_path):
    frontend, clf, waves, X = fitted["secnn"]
    path = tmp_path / "logits.pt"
    clf.to_torchscript(path, output="logits", include_frontend=True, frontend=frontend)
    logits = _run("torchscript", str(path), waves)
    np.testing.assert_allclose(
        torch.softmax(torch.from_numpy(logits), -1).numpy(), clf.predict_proba(X), atol=1e-4
    )
    extra = {"skaudio.json": ""}
    torch.jit.load(str(path), _extra_files=extra)
    meta = json.loads(extra["skaudio.json"])
    assert meta["classes"] == clf.classes_.tolist()
    assert meta["input"] == "waveform" and meta["input_shape"] == ["batch", waves.shape[1]]
    assert meta["output"] == "logits" and meta["estimator"] == "SECNNClassifier"

    import onnx

    clf.to_onnx(tmp_path / "m.onnx")
    props = {p.key: p.value for p in onnx.load(str(tmp_path / "m.onnx")).metadata_props}
    meta = json.loads(props["skaudio"])
    assert meta["classes"] == clf.classes_.tolist()
    assert meta["input"] == "spectrogram" and meta["input_shape"] == ["batch", *X.shape[1:]]


def test_pipeline_front_end(events, fitted, tmp_path):
    """A Pipeline of front-end steps (power mel, then dB) is traced step by step."""
    Xtr, Xte, ytr, _ = events
    front = Pipeline([("mel", _mel().set_params(to_db=False)), ("db", PowerToDb())]).fit(Xtr)
    _, clf, _, _ = fitted["secnn"]  # trained on MelSpectrogram(to_db=True): the same input
    path = tmp_path / "pipe.pt"
    clf.to_torchscript(path, include_frontend=True, frontend=front)
    np.testing.assert_allclose(
        _run("torchscript", str(path), Xte), clf.predict_proba(front.transform(Xte)), atol=1e-4
    )


@pytest.mark.parametrize("fmt", ["torchscript", "onnx"])
def test_not_fitted(fmt, tmp_path):
    with pytest.raises(NotFittedError, match="not fitted yet"):
        _export(SECNNClassifier(), fmt, tmp_path / "m")
    assert not any(tmp_path.iterdir())


def test_initialized_without_fit_is_refused(tmp_path):
    clf = SECNNClassifier(classes=["a", "b"], module__width=4, module__n_blocks=2, module__head=(8,))
    clf.initialize()
    with pytest.raises(ValueError, match="without fit"):
        clf.to_torchscript(tmp_path / "m.pt")


def test_missing_optional_dependency(fitted, tmp_path, monkeypatch):
    _, clf, _, _ = fitted["secnn"]
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import onnxruntime -> ImportError
    with pytest.raises(ImportError, match=r"'onnxruntime'.*pip install 'skaudio\[export\]'"):
        clf.to_onnx(tmp_path / "m.onnx")
    assert not any(tmp_path.iterdir())


class _DataDependent(torch.nn.Module):
    """A network whose forward branches in Python on the values, which ONNX cannot express."""

    def __init__(self, n_classes):
        super().__init__()
        self.fc = torch.nn.Linear(1, n_classes)

    def forward(self, x):
        m = x.mean(dim=(1, 2)).unsqueeze(1)
        return self.fc(m) if bool(m.sum() > 0) else self.fc(-m)


def test_unsupported_operation(tmp_path):
    X = np.random.default_rng(0).standard_normal((8, 4, 6)).astype(np.float32)
    clf = AudioNetClassifier(_DataDependent, max_epochs=1, random_state=0, n_jobs=1).fit(X, np.arange(8) % 2)
    with pytest.raises(RuntimeError, match="could not export _DataDependent to ONNX"):
        clf.to_onnx(tmp_path / "m.onnx")
    assert not any(tmp_path.iterdir())  # no partial file left behind


def test_front_end_arguments(fitted, events, tmp_path):
    frontend, secnn, _, _ = fitted["secnn"]
    _, dual, _, _ = fitted["dual"]
    with pytest.raises(ValueError, match="needs the fitted front end"):
        secnn.to_torchscript(tmp_path / "m.pt", include_frontend=True)
    with pytest.raises(ValueError, match="only used with include_frontend=True"):
        secnn.to_torchscript(tmp_path / "m.pt", frontend=frontend)
    with pytest.raises(ValueError, match="takes waveforms"):
        dual.to_torchscript(tmp_path / "m.pt", include_frontend=True, frontend=frontend)
    with pytest.raises(TypeError, match="SpectrogramStandardizer has no torch twin"):
        secnn.to_torchscript(
            tmp_path / "m.pt",
            include_frontend=True,
            frontend=Pipeline(
                [("mel", frontend), ("std", SpectrogramStandardizer().fit(frontend.transform(events[0])))]
            ),
        )
    other = MelSpectrogram(sr=SR, n_fft=256, hop_length=128, n_mels=16).fit(events[0])
    with pytest.raises(ValueError, match=r"shape \(16, 63\).*fitted on \(32, 63\)"):
        secnn.to_torchscript(tmp_path / "m.pt", include_frontend=True, frontend=other)
    with pytest.raises(NotFittedError, match="MelSpectrogram is not fitted"):
        secnn.to_torchscript(tmp_path / "m.pt", include_frontend=True, frontend=_mel())
    with pytest.raises(ValueError, match="output must be 'proba' or 'logits'"):
        secnn.to_torchscript(tmp_path / "m.pt", output="labels")
    assert not any(tmp_path.iterdir())


def test_onnx_pooling_methods_with_value_checks_and_tiny_guards(tmp_path):
    """Two translations that went wrong: "power" pooling's check for negative input (a Python
    branch on the values, which stopped torch.export) and attention pooling's 1e-30 guards
    (dropped by onnxscript's optimizer: an all-zero channel then gave NaN)."""
    from skaudio.nn import SECNN

    rng = np.random.default_rng(0)
    X = rng.standard_normal((12, 16, 16)).astype(np.float32)
    y = np.arange(12) % 2
    clf = AudioNetClassifier(
        SECNN,
        module__width=4,
        module__n_blocks=2,
        module__head=(8,),
        module__pool="power",
        module__global_pool="attention",
        max_epochs=1,
        batch_size=4,
        random_state=0,
        n_jobs=1,
    ).fit(X, y)
    # one channel silenced (batch norm 0 * x - 1, then ReLU): its attention weights are 0 / 0
    # without the guards
    last_norm = [m for m in clf.module_.features if isinstance(m, torch.nn.BatchNorm2d)][-1]
    with torch.no_grad():
        last_norm.weight[0], last_norm.bias[0] = 0.0, -1.0
    path = tmp_path / "m.onnx"
    clf.to_onnx(path)
    got = _run("onnx", str(path), X)
    assert np.isfinite(got).all()
    np.testing.assert_allclose(got, clf.predict_proba(X), atol=1e-4)
