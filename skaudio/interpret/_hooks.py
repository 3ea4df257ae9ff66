"""Activation capture: forward hooks on named layers of a fitted network.

The functions here accept a fitted skaudio estimator, a ``Pipeline`` ending in one,
a skorch ``NeuralNet``, an estimator wrapped in :class:`sklearn.frozen.FrozenEstimator`
or a bare ``torch.nn.Module``, and find the torch module and the function that turns
the estimator's input ``X`` into the network's input batch. Hooks are registered only
for the duration of one pass and removed afterwards; the network runs in evaluation
mode (each submodule's own training flag is restored), so the model is left as it was.

Thread safety: one fitted model may be interpreted from several threads at once. A
hook records (or changes) only the forward passes of the thread that registered it, so
concurrent passes through the same module never mix; the switch to evaluation mode is
counted per submodule, so the first caller switches, the last one restores the flags, and
no caller's pass runs in training mode because another caller finished first. Forward
passes are not serialised: separate calls on one model, and on separate models, run in
parallel. What cannot be made safe from here is training the same network (``fit``,
``partial_fit``, ``module.train()``) while it is being interpreted, and a ``predict`` in
another thread while the network is in training mode (as skorch leaves it after ``fit``):
the last interpreting call restores training mode, perhaps in the middle of that
prediction's pass; ``module_.eval()`` beforehand avoids it.
"""

from __future__ import annotations

import contextlib
import difflib
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from numpy.typing import ArrayLike, NDArray
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from skaudio._batching import iter_batches, torch_threads

__all__ = ["ActivationCapture", "capture_activations", "layer_names", "resolve_network", "sequence_layout"]


class _Network:
    """What the interpretation tools need from an estimator.

    Attributes
    ----------
    module : torch.nn.Module
    prepare : callable
        ``X -> float32 ndarray`` batch the module takes (the pipeline's earlier steps
        and the estimator's own input checks).
    classes : ndarray or None
        Class labels in logit order (None for a bare module).
    pipeline : Pipeline or None
        The pipeline the network ends, if any.
    """

    def __init__(self, module, prepare, classes=None, pipeline=None):
        self.module = module
        self.prepare = prepare
        self.classes = classes
        self.pipeline = pipeline

    @property
    def device(self):
        for p in self.module.parameters():
            return p.device
        for b in self.module.buffers():
            return b.device
        return torch.device("cpu")


def _as_float32(X):
    X = np.asarray(X)
    if not np.issubdtype(X.dtype, np.floating):
        raise TypeError(f"X must hold floating-point values, got dtype {X.dtype}")
    return np.ascontiguousarray(X, dtype=np.float32)


def _unwrap(estimator):
    try:
        from sklearn.frozen import FrozenEstimator
    except ImportError:  # scikit-learn < 1.6
        FrozenEstimator = ()
    while FrozenEstimator and isinstance(estimator, FrozenEstimator):
        estimator = estimator.estimator
    return estimator


def resolve_network(estimator):
    """The torch module of a fitted estimator and how to feed it.

    Parameters
    ----------
    estimator : estimator, Pipeline or torch.nn.Module
        A fitted skaudio classifier (or any fitted skorch ``NeuralNet``), a fitted
        ``Pipeline`` whose last step is one, either wrapped in ``FrozenEstimator``, or
        a bare ``torch.nn.Module``.

    Returns
    -------
    network : _Network

    Raises
    ------
    sklearn.exceptions.NotFittedError
        When the estimator (or the pipeline's last step) is not fitted.
    TypeError
        When no torch module can be found.
    """
    estimator = _unwrap(estimator)
    if isinstance(estimator, torch.nn.Module):
        return _Network(estimator, _as_float32)
    if isinstance(estimator, Pipeline):
        final = _unwrap(estimator.steps[-1][1])
        net = resolve_network(final)
        if len(estimator.steps) == 1:
            return _Network(net.module, net.prepare, net.classes, estimator)
        head = estimator[:-1]

        def prepare(X):
            return net.prepare(head.transform(X))

        return _Network(net.module, prepare, net.classes, estimator)
    try:
        from skorch import NeuralNet
    except ImportError:  # pragma: no cover - skorch is a dependency
        NeuralNet = ()
    if NeuralNet and isinstance(estimator, NeuralNet):
        # A skaudio classifier brings its own input checks and layout; asked by duck typing,
        # so that interpret (a sibling of models, design notes) imports nothing from models.
        prepare = getattr(estimator, "_check_predict_input", None)
        if prepare is not None:
            check_is_fitted(estimator, "classes_inferred_")
        else:
            check_is_fitted(estimator, "module_")
            prepare = _as_float32
        classes = getattr(estimator, "classes_", None)
        return _Network(estimator.module_, prepare, None if classes is None else np.asarray(classes))
    raise TypeError(
        "estimator must be a fitted skaudio classifier (or skorch NeuralNet), a Pipeline ending "
        f"in one, or a torch.nn.Module; got {type(estimator).__name__}"
    )


def layer_names(estimator: Any) -> list[str]:
    """Names of the layers of a network, as ``named_modules()`` gives them.

    Parameters
    ----------
    estimator : estimator, Pipeline or torch.nn.Module
        A fitted skaudio classifier (or skorch ``NeuralNet``), a fitted ``Pipeline``
        ending in one, or a ``torch.nn.Module``.

    Returns
    -------
    names : list of str
        Every submodule's dotted name (``"features.3"``, ``"stages.0.body.2"``), the
        root excluded, in definition order.

    Examples
    --------
    >>> import torch
    >>> from skaudio.interpret import layer_names
    >>> layer_names(torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.ReLU()))
    ['0', '1']
    """
    module = resolve_network(estimator).module
    return [name for name, _ in module.named_modules() if name]


_SEQUENCE_TYPES = (
    torch.nn.TransformerEncoder,
    torch.nn.TransformerEncoderLayer,
    torch.nn.TransformerDecoder,
    torch.nn.TransformerDecoderLayer,
    torch.nn.Transformer,
    torch.nn.MultiheadAttention,
    torch.nn.RNNBase,
)


def _batch_first(module):
    flag = getattr(module, "batch_first", None)
    if flag is not None:
        return bool(flag)
    for sub in module.modules():
        if sub is not module and getattr(sub, "batch_first", None) is not None:
            return bool(sub.batch_first)
    return True


def sequence_layout(module, layer):
    """``"channels_last"`` for layers inside a batch-first Transformer / RNN, else ``"channels_first"``.

    Sequence modules with ``batch_first=True`` give ``(n, steps, features)``; every
    other layer of the skaudio networks gives ``(n, channels, ...)``.
    """
    for name, sub in module.named_modules():
        if isinstance(sub, _SEQUENCE_TYPES) and (layer == name or layer.startswith(name + ".")):
            if not _batch_first(sub):
                raise ValueError(
                    f"layer {layer!r} lies in a sequence module with batch_first=False, whose "
                    "outputs are (steps, n, features); only batch-first outputs are supported"
                )
            return "channels_last"
    return "channels_first"


def _check_layers(module, layers):
    modules = dict(module.named_modules())
    names = [n for n in modules if n]
    for layer in layers:
        if not isinstance(layer, str):
            raise TypeError(f"layer must be a str naming a submodule, got {type(layer).__name__}")
        if layer not in modules or not layer:
            close = difflib.get_close_matches(layer, names, n=3)
            hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
            raise ValueError(
                f"layer={layer!r} is not a layer of {type(module).__name__}.{hint} "
                f"Valid names: {', '.join(names)}"
            )
    return [modules[layer] for layer in layers]


def _first_tensor(output):
    """The tensor a layer returned (the first one of a tuple, as LSTM and attention give)."""
    if torch.is_tensor(output):
        return output
    if isinstance(output, (tuple, list)):
        for item in output:
            if torch.is_tensor(item):
                return item
    raise TypeError(f"the layer returned {type(output).__name__}, not a tensor")


# Modules in evaluation mode on behalf of running calls: module -> [number of calls, its own
# training flag before the first of them]. Plain save-and-restore per call is not safe when
# calls overlap: the second call would save the first one's eval flag and restore it at the
# end, or the first call would restore training mode under the second's running pass (batch
# norm then updates its statistics, dropout drops).
_EVAL_CALLS = {}
_EVAL_LOCK = threading.Lock()


@contextlib.contextmanager
def evaluation_mode(module):
    """Put ``module`` in eval mode and restore every submodule's training flag afterwards.

    Safe for overlapping calls from several threads, on the same module or on modules
    that share submodules: each submodule's flag is saved by the first call that
    reaches it and restored by the last one that leaves.
    """
    modules = list(module.modules())
    with _EVAL_LOCK:
        for m in modules:
            entry = _EVAL_CALLS.get(m)
            if entry is None:
                _EVAL_CALLS[m] = entry = [0, m.training]
            entry[0] += 1
        module.eval()
    try:
        yield module
    finally:
        with _EVAL_LOCK:
            for m in modules:
                entry = _EVAL_CALLS[m]
                entry[0] -= 1
                if entry[0] == 0:
                    m.training = entry[1]
                    del _EVAL_CALLS[m]


def own_thread_hook(hook):
    """``hook`` as a forward hook that runs only for passes of the thread calling this.

    A module shared between threads calls every registered hook on every pass; the others'
    hooks return None and leave the pass alone.
    """
    owner = threading.get_ident()

    def filtered(module, inputs, output):
        if threading.get_ident() == owner:
            return hook(module, inputs, output)
        return None

    return filtered


class ActivationCapture:
    """Context manager recording the outputs of named layers of a torch module.

    Inside the ``with`` block every forward pass of the thread that entered it appends,
    for each layer, a detached copy of its output (the first tensor of a tuple) to
    ``outputs``; on exit the hooks are removed. Copies are taken because later
    in-place operations (``ReLU`` with ``inplace=True``) would otherwise change what was
    recorded.

    Parameters
    ----------
    module : torch.nn.Module
    layers : str or list of str
        Names from ``module.named_modules()``.
    to_cpu : bool, default=True
        Move the copies to the CPU.
    all_threads : bool, default=False
        Record the passes of every thread, not only those of the thread that entered
        the block (for code that runs the module in worker threads of its own).

    Attributes
    ----------
    outputs : dict of str to list of torch.Tensor
        One tensor per forward pass for each layer.

    Notes
    -----
    Thread safety: several threads may capture from the same module at once, each with its
    own ``ActivationCapture``; each records only its own thread's passes (unless
    ``all_threads=True``). One ``ActivationCapture`` object must not be entered by two
    threads at once.

    Examples
    --------
    >>> import torch
    >>> from skaudio.interpret import ActivationCapture
    >>> net = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(inplace=True))
    >>> with ActivationCapture(net, "0") as cap:
    ...     _ = net(torch.randn(2, 4))
    >>> cap.outputs["0"][0].shape
    torch.Size([2, 3])
    >>> len(net[0]._forward_hooks)  # the hook is gone
    0
    """

    def __init__(
        self,
        module: torch.nn.Module,
        layers: str | Sequence[str],
        *,
        to_cpu: bool = True,
        all_threads: bool = False,
    ) -> None:
        self.module = module
        self.layers = [layers] if isinstance(layers, str) else list(layers)
        self.to_cpu = to_cpu
        self.all_threads = all_threads
        self.outputs = {}
        self._handles = []

    def __enter__(self):
        mods = _check_layers(self.module, self.layers)
        self.outputs = {name: [] for name in self.layers}
        for name, mod in zip(self.layers, mods):
            hook = self._hook(name) if self.all_threads else own_thread_hook(self._hook(name))
            self._handles.append(mod.register_forward_hook(hook))
        return self

    def _hook(self, name):
        def hook(mod, inputs, output):
            t = _first_tensor(output).detach()
            t = t.to("cpu", copy=True) if self.to_cpu else t.clone()
            self.outputs[name].append(t)

        return hook

    def __exit__(self, *exc):
        for h in self._handles:
            h.remove()
        self._handles = []
        return False


def capture_activations(
    estimator: Any,
    X: ArrayLike,
    layers: str | Sequence[str],
    *,
    batch_size: int = 32,
    n_jobs: int | None = None,
    verbose: bool = False,
) -> NDArray[np.float32] | dict[str, NDArray[np.float32]]:
    """Outputs of named layers of a fitted network for a batch of inputs.

    The network runs in evaluation mode under ``torch.inference_mode`` in batches of
    ``batch_size`` clips; hooks are removed and training flags restored afterwards.

    Parameters
    ----------
    estimator : estimator, Pipeline or torch.nn.Module
        A fitted skaudio classifier (or skorch ``NeuralNet``), a fitted ``Pipeline``
        ending in one, or a ``torch.nn.Module``.
    X : array-like
        What the estimator takes (waveforms for a pipeline starting with a front end,
        spectrogram batches for a bare SE-CNN or DEGramNet classifier).
    layers : str or list of str
        Layer names (see :func:`layer_names`).
    batch_size : int, default=32
    n_jobs : int or None, default=None
        torch threads: None keeps torch's own setting (``torch.set_num_threads``;
        see :doc:`/design`, "n_jobs"), -1 means all cores.
    verbose : bool, default=False
        Progress bar over batches.

    Returns
    -------
    activations : ndarray or dict of str to ndarray
        ``(n_clips, ...)`` float32 outputs, one array for a single layer name, a dict
        for a list. A layer that returns a tuple (LSTM, attention) gives its first
        tensor; a module run several times in one pass (an MLP shared by two
        poolings) gives its outputs side by side along axis 1, in call order.

    Raises
    ------
    ValueError
        For an unknown layer name (the message lists the valid ones), or a layer that
        did not run during the forward pass.

    Notes
    -----
    Thread safety: the same fitted model may be passed to this function (and to
    :func:`grad_cam` and :class:`NMFInterpreter`) from several threads at once; each call
    records only its own forward passes and the network stays in evaluation mode until
    the last of these calls ends, when the training flags are restored. Do not train the
    network meanwhile; to predict with it from other threads at the same time, put it in
    evaluation mode first (``clf.module_.eval()``).

    Examples
    --------
    >>> import numpy as np, torch
    >>> from skaudio.interpret import capture_activations
    >>> net = torch.nn.Sequential(torch.nn.Conv1d(1, 4, 3), torch.nn.ReLU())
    >>> X = np.zeros((5, 1, 10), dtype=np.float32)
    >>> capture_activations(net, X, "0", batch_size=2).shape
    (5, 4, 8)
    """
    net = resolve_network(estimator)
    single = isinstance(layers, str)
    names = [layers] if single else list(layers)
    _check_layers(net.module, names)
    result = _capture(net, net.prepare(X), names, batch_size, n_jobs, verbose)
    return result[names[0]] if single else result


def _capture(net, Xn, names, batch_size=32, n_jobs=None, verbose=False):
    """Layer outputs for the network input ``Xn`` (already prepared), as a dict."""
    device = net.device
    batches = {name: [] for name in names}
    with (
        torch_threads(n_jobs),
        evaluation_mode(net.module),
        torch.inference_mode(),
        ActivationCapture(net.module, names) as cap,
    ):
        for sl in iter_batches(len(Xn), batch_size, verbose, "activations"):
            net.module(torch.as_tensor(Xn[sl], device=device))
            for name in names:
                calls = cap.outputs[name]
                if not calls:
                    raise ValueError(
                        f"layer {name!r} did not run during the forward pass of "
                        f"{type(net.module).__name__}: containers such as ModuleList, and layers whose "
                        "weights the parent uses directly (e.g. MultiheadAttention.out_proj), produce "
                        "no output of their own; pick another layer"
                    )
                # a module shared within one pass (an MLP applied to two poolings) gives its
                # calls side by side along axis 1, in call order
                batches[name].append(calls[0] if len(calls) == 1 else _concat_calls(name, calls))
                cap.outputs[name] = []
    return {name: torch.cat(parts).float().numpy() for name, parts in batches.items()}


def _concat_calls(name, calls):
    shapes = {tuple(c.shape[:1]) + tuple(c.shape[2:]) for c in calls}
    if len(shapes) != 1 or calls[0].ndim < 2:
        raise ValueError(
            f"layer {name!r} runs {len(calls)} times per forward pass with outputs of "
            f"shapes {[tuple(c.shape) for c in calls]}, which cannot be put side by side"
        )
    return torch.cat(calls, dim=1)
