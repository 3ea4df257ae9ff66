"""Export a fitted audio classifier to TorchScript or ONNX, for use outside Python.

The exported graph is the trained network in evaluation mode followed by the
estimator's prediction nonlinearity, so it returns what ``predict_proba`` returns
(softmax probabilities, columns in the order of ``classes_``) or, with
``output="logits"``, the network's raw scores. With ``include_frontend=True`` the
torch twin of the front end (:class:`skaudio.nn.STFT`, :class:`skaudio.nn.MelFilterbank`,
:func:`skaudio.nn.power_to_db`) is traced with the network, so the graph takes
waveforms. The batch axis is dynamic; the other axes keep the sizes seen in ``fit``.

Every export is checked before the file is written: the saved graph is loaded back
(``torch.jit.load``, or an ``onnxruntime`` session) and run on a batch of another
size than the traced one, and its output must equal the network's within 1e-4. The
estimator's methods :meth:`AudioNetClassifier.to_torchscript` and
:meth:`AudioNetClassifier.to_onnx` are the public entry points.
"""

from __future__ import annotations

import contextlib
import copy
import importlib
import inspect
import io
import json
import os
import tempfile
import warnings
from pathlib import Path

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted

__all__: list[str] = []

_INSTALL = "pip install 'skaudio[export]'"
#: traced with this many clips, checked with another count (the batch axis must be dynamic)
_TRACE_BATCH, _CHECK_BATCH = 2, 3
#: largest difference between the exported graph's output and the network's that the
#: check accepts; the tests' networks measured within 3e-6 (dual-branch ONNX), 2.4e-7 the others
_ATOL = 1e-4


class _ExportedClassifier(torch.nn.Module):
    """The graph that is exported: optional front end, the network, the nonlinearity."""

    def __init__(self, frontend, network, nonlinearity):
        super().__init__()
        self.frontend = frontend
        self.network = network
        self.nonlinearity = nonlinearity

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.frontend is not None:
            x = self.frontend(x)
        y = self.network(x)
        return y if self.nonlinearity is None else self.nonlinearity(y)


def _require(module, purpose):
    """Import an optional dependency of export, or say how to install it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(
            f"{purpose} needs the optional package {module!r}, which is not installed: "
            f"install the export extra with `{_INSTALL}`"
        ) from exc


def _frontend_twin(frontend):
    """The torch module computing what the fitted transformer (or pipeline) ``frontend`` does."""
    from sklearn.pipeline import Pipeline

    from skaudio.features import PowerToDb, Spectrogram
    from skaudio.nn.frontends import PowerToDbModule

    steps = (
        [s for _, s in frontend.steps if s not in (None, "passthrough")]
        if isinstance(frontend, Pipeline)
        else [frontend]
    )
    if not steps:
        raise ValueError("frontend is a pipeline without steps; pass the fitted front-end transformer")
    modules = []
    for step in steps:
        name = type(step).__name__
        if isinstance(step, Spectrogram):  # MelSpectrogram too
            check_is_fitted(step, "window_", msg=f"frontend step {name} is not fitted: fit it first")
            modules.append(step._build_module().to("cpu"))
            if step.to_db:
                modules.append(PowerToDbModule(step.ref, step.amin, step.top_db, 20.0 / step.power))
        elif isinstance(step, PowerToDb):
            check_is_fitted(step, "n_features_in_", msg=f"frontend step {name} is not fitted: fit it first")
            modules.append(PowerToDbModule(step.ref, step.amin, step.top_db, 10.0))
        else:
            raise TypeError(
                f"frontend step {name} has no torch twin to export; supported front ends are "
                "Spectrogram, MelSpectrogram and PowerToDb, or a Pipeline of them (export the "
                "classifier alone with include_frontend=False and run other steps before the graph)"
            )
    return modules[0] if len(modules) == 1 else torch.nn.Sequential(*modules)


def _build(estimator, include_frontend, frontend, output):
    """The module to export, an example input of ``_TRACE_BATCH`` clips, and metadata."""
    check_is_fitted(
        estimator,
        "classes_inferred_",
        msg=f"This {type(estimator).__name__} instance is not fitted yet: call 'fit' before exporting it.",
    )
    if not hasattr(estimator, "input_shape_"):
        raise ValueError(
            f"{type(estimator).__name__} was initialised without fit (initialize() and load_params), so "
            "the clip size the graph takes is unknown: export an estimator trained with fit"
        )
    if output not in ("proba", "logits"):
        raise ValueError(f"output must be 'proba' or 'logits', got {output!r}")
    if not isinstance(include_frontend, bool):
        raise TypeError(f"include_frontend must be True or False, got {include_frontend!r}")
    waveform = estimator._input == "waveform"
    if frontend is not None and not include_frontend:
        raise ValueError("frontend is only used with include_frontend=True; pass both or neither")
    twin = None
    if include_frontend and waveform:
        if frontend is not None:
            raise ValueError(
                f"{type(estimator).__name__} takes waveforms: its front end is part of the network, so "
                "the exported graph takes waveforms already; leave frontend=None"
            )
    elif include_frontend:
        if frontend is None:
            raise ValueError(
                f"include_frontend=True needs the fitted front end that made {type(estimator).__name__}'s "
                "training input: pass frontend=MelSpectrogram(...) (or the pipeline's front steps, "
                "pipe[:-1])"
            )
        twin = _frontend_twin(frontend).eval()

    network = copy.deepcopy(estimator.module_).to("cpu").eval()  # the estimator stays as it is
    nonlinearity = estimator._get_predict_nonlinearity() if output == "proba" else None
    model = _ExportedClassifier(twin, network, nonlinearity).eval()

    takes_waveforms = waveform or twin is not None
    if twin is not None:
        shape = (int(getattr(frontend, "n_features_in_", 0)),)
        if not shape[0]:
            raise ValueError("frontend must be fitted (n_features_in_ is missing)")
    else:
        shape = tuple(int(s) for s in estimator.input_shape_)
    examples = [
        _example(n, shape, takes_waveforms, estimator._nonnegative) for n in (_TRACE_BATCH, _CHECK_BATCH)
    ]
    if twin is not None:
        with torch.no_grad():
            made = tuple(twin(examples[0]).shape[1:])
        if made != tuple(estimator.input_shape_):
            raise ValueError(
                f"frontend makes inputs of shape {made} per clip, but {type(estimator).__name__} was "
                f"fitted on {tuple(estimator.input_shape_)}: pass the front end its training input came from"
            )
    meta = {
        "classes": [c.item() if hasattr(c, "item") else c for c in estimator.classes_],
        "input": "waveform" if takes_waveforms else "spectrogram",
        "input_shape": ["batch", *shape],
        "output": output,
        "estimator": type(estimator).__name__,
    }
    return model, examples, meta


def _example(n, shape, waveform, nonnegative):
    """Seeded float32 clips to trace with and to check the export on."""
    rng = np.random.default_rng(0)
    if waveform:
        x = 0.1 * rng.standard_normal((n, *shape))
    elif nonnegative:  # power spectrograms
        x = rng.random((n, *shape))
    else:  # dB spectrograms
        x = -40.0 + 10.0 * rng.standard_normal((n, *shape))
    return torch.from_numpy(x.astype(np.float32))


def _json_meta(meta):
    # labels that JSON cannot hold (dates, objects) are written as their str()
    return json.dumps(meta, default=str)


def _check(what, got, model, x):
    with torch.no_grad():
        expected = model(x).numpy()
    if got.shape != expected.shape or not np.allclose(got, expected, rtol=0, atol=_ATOL):
        diff = np.abs(got - expected).max() if got.shape == expected.shape else f"shape {got.shape}"
        raise RuntimeError(
            f"the exported {what} graph does not reproduce the network on a batch of {len(x)} clips "
            f"(largest difference {diff}, expected shape {expected.shape}); nothing was written. "
            "An operation of the network is likely translated differently; please report it"
        )


@contextlib.contextmanager
def _atomic(path, suffix):
    """A temporary file beside ``path``, moved onto it only when the block succeeds."""
    path = Path(os.fspath(path))
    if path.is_dir():
        raise ValueError(f"path must be a file name, got the directory {str(path)!r}")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"the folder of path does not exist: {str(path.parent)!r}")
    fd, tmp = tempfile.mkstemp(suffix=suffix, dir=path.parent)
    os.close(fd)
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def to_torchscript(estimator, path, *, include_frontend=False, frontend=None, output="proba"):
    """See :meth:`skaudio.models.AudioNetClassifier.to_torchscript`."""
    model, (x_trace, x_check), meta = _build(estimator, include_frontend, frontend, output)
    # tracing, not torch.jit.script: the networks' Python control flow (input checks, padding to
    # a minimum length) depends only on the shapes, which are fixed apart from the batch axis
    with torch.no_grad(), _quiet():
        try:
            traced = torch.jit.trace(model, x_trace, check_trace=False)
        except Exception as exc:  # an op the tracer cannot record
            raise RuntimeError(
                f"could not trace {type(estimator.module_).__name__} for TorchScript: {_first_line(exc)}"
            ) from exc
    with _atomic(path, ".pt") as tmp, warnings.catch_warnings():
        # torch 2.13 deprecates TorchScript in favour of torch.export; its files still load
        warnings.filterwarnings("ignore", r"`torch\.jit\.(save|load)` is deprecated", DeprecationWarning)
        torch.jit.save(traced, tmp, _extra_files={"skaudio.json": _json_meta(meta)})
        loaded = torch.jit.load(tmp)
        with torch.no_grad():
            _check("TorchScript", loaded(x_check).numpy(), model, x_check)
    return Path(path)


def to_onnx(estimator, path, *, include_frontend=False, frontend=None, output="proba", opset_version=None):
    """See :meth:`skaudio.models.AudioNetClassifier.to_onnx`."""
    onnx = _require("onnx", "ONNX export")
    _require("onnxscript", "ONNX export")  # torch.onnx's exporter translates through it
    ort = _require("onnxruntime", "ONNX export (the check of the exported graph)")
    if "optimize" not in inspect.signature(torch.onnx.export).parameters:
        raise RuntimeError(
            f"ONNX export needs torch's torch.export-based exporter with its optimize option, which "
            f"torch {torch.__version__} lacks: upgrade torch (tested with 2.13)"
        )
    model, (x_trace, x_check), meta = _build(estimator, include_frontend, frontend, output)
    name = "waveform" if meta["input"] == "waveform" else "spectrogram"
    # The torch.export-based exporter (dynamo=True), not the TorchScript one: with torch 2.13
    # dynamo=False refuses torch.stft's complex output ("STFT does not currently support complex
    # types"), which every front end and DualBranchNet's SincGram stem compute; dynamo=True
    # exported all three networks, with and without front end, within 3e-6 of torch.
    # optimize=False: onnxscript's graph optimizer dropped the `+ 1e-30` guards of attention
    # pooling (GlobalPool("attention")), and a channel of zeros then gave NaN; onnxruntime
    # optimises the graph itself when it loads it.
    with _atomic(path, ".onnx") as tmp:
        with _quiet():
            try:
                torch.onnx.export(
                    model,
                    (x_trace,),
                    tmp,
                    dynamo=True,
                    optimize=False,
                    external_data=False,  # one file (ONNX's protobuf limit is 2 GB)
                    input_names=[name],
                    output_names=[output],
                    dynamic_shapes=({0: torch.export.Dim("batch")},),
                    opset_version=opset_version,
                    verbose=False,
                )
            except Exception as exc:
                raise RuntimeError(
                    f"could not export {type(estimator.module_).__name__} to ONNX: an operation has no ONNX "
                    f"translation or depends on the data in Python ({_first_line(exc)}). "
                    "TorchScript export (to_torchscript) records such networks as traced"
                ) from exc
        proto = onnx.load(tmp)
        onnx.helper.set_model_props(proto, {"skaudio": _json_meta(meta)})
        onnx.save(proto, tmp)
        options = ort.SessionOptions()
        options.log_severity_level = 3  # errors only: not its notes on nodes it cannot fold
        session = ort.InferenceSession(tmp, options, providers=["CPUExecutionProvider"])
        _check("ONNX", session.run(None, {name: x_check.numpy()})[0], model, x_check)
    return Path(path)


def _first_line(exc):
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"


@contextlib.contextmanager
def _quiet():
    """Silence the exporters' progress lines and tracer warnings; errors still raise."""
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        yield
