"""Cost profile of a network: parameters, FLOPs, peak activation memory, latency.

:func:`profile` measures one model on one clip and returns a one-row table, so that
several models compare with ``pandas.concat``. The counts follow torch's own FLOP
counter (:class:`torch.utils.flop_counter.FlopCounterMode`) with three additions this
module makes: the CPU kernels of attention and of the recurrent layers, which the
counter does not know, are counted as the matrix products they are.
"""

from __future__ import annotations

import math
import statistics
import time
import weakref
from collections.abc import Sequence
from numbers import Integral
from typing import Any

import numpy as np
import pandas as pd
import torch
from numpy.typing import ArrayLike
from sklearn.utils.validation import check_is_fitted
from skorch import NeuralNet
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils.flop_counter import FlopCounterMode

from skaudio._batching import torch_threads
from skaudio._sklearn_compat import Interval, validate_params

__all__ = ["profile"]

_aten = torch.ops.aten


def _sdpa_flops(query, key, value, *args, out_shape=None, **kwargs):
    """``softmax(Q K^T) V``: products ``(..., L, E) x (..., E, S)`` and ``(..., L, S) x (..., S, Ev)``."""
    return 2 * math.prod(query[:-1]) * key[-2] * (query[-1] + value[-1])


def _rnn_layer_flops(input, weight_ih, weight_hh, *args, out_shape=None, **kwargs):
    """One direction of one layer (``mkldnn_rnn_layer``): both weight matrices meet every step."""
    steps = math.prod(input[:-1])  # time steps x batch
    return 2 * steps * (math.prod(weight_ih) + math.prod(weight_hh))


def _cudnn_rnn_flops(input, weights, *args, out_shape=None, **kwargs):
    """Every layer and direction of a cuDNN RNN: each 2-D weight meets every step (biases skipped)."""
    steps = math.prod(input[:-1])
    return 2 * steps * sum(math.prod(w) for w in weights if len(w) == 2)


#: FLOP formulas for kernels torch's counter has none for: attention and RNNs on CPU,
#: RNNs on CUDA (elsewhere these ops decompose into products the counter knows)
_EXTRA_FLOPS = {
    _aten._scaled_dot_product_flash_attention_for_cpu: _sdpa_flops,
    _aten.mkldnn_rnn_layer: _rnn_layer_flops,
    _aten._cudnn_rnn: _cudnn_rnn_flops,
}


class _LiveBytes(TorchDispatchMode):
    """Bytes of the storages that operators create while the mode is active: live now and at most.

    A storage counts from the operator call that creates it until it is freed (a
    weak reference tells); views and in-place results add nothing; storages given
    in ``exclude`` (the input, the parameters and buffers) are never counted.
    """

    def __init__(self, exclude):
        super().__init__()
        self.exclude = set(exclude)
        self.live = 0
        self.peak = 0
        self._refs = {}

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        for t in _tensors(out):
            self._add(t.untyped_storage())
        return out

    def _add(self, storage):
        key = storage._cdata
        if key in self.exclude or key in self._refs:
            return
        n = storage.nbytes()
        self._refs[key] = weakref.ref(storage, lambda _, key=key, n=n: self._free(key, n))
        self.live += n
        self.peak = max(self.peak, self.live)

    def _free(self, key, n):
        if self._refs.pop(key, None) is not None:
            self.live -= n


def _tensors(out):
    """The tensors of an operator's result (a tensor, or tuples and lists of them)."""
    if isinstance(out, torch.Tensor):
        yield out
    elif isinstance(out, (tuple, list)):
        for item in out:
            yield from _tensors(item)


def _storage_keys(tensors):
    return {t.untyped_storage()._cdata for t in tensors}


def _sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _count_flops(module, x):
    """Forward FLOPs of ``module(x)`` (torch's counter plus :data:`_EXTRA_FLOPS`)."""
    fastpath = torch.backends.mha.get_fastpath_enabled()
    # the Transformer's fused inference kernel is one opaque operator to the counter
    torch.backends.mha.set_fastpath_enabled(False)
    try:
        counter = FlopCounterMode(display=False, custom_mapping=_EXTRA_FLOPS)
        with counter:
            module(x)
    finally:
        torch.backends.mha.set_fastpath_enabled(fastpath)
    return int(counter.get_total_flops())


def _peak_activation_bytes(module, x):
    """Peak bytes that ``module(x)`` allocates beyond its input, parameters and buffers."""
    if x.device.type == "cuda":
        _sync(x.device)
        torch.cuda.reset_peak_memory_stats(x.device)
        before = torch.cuda.memory_allocated(x.device)
        out = module(x)
        _sync(x.device)
        peak = torch.cuda.max_memory_allocated(x.device) - before
        del out
        return int(peak)
    held = [x, *module.parameters(), *module.buffers()]
    tracker = _LiveBytes(_storage_keys(held))
    with tracker:
        out = module(x)
    del out
    return int(tracker.peak)


def _latency_ms(module, x, repeats, warmup):
    """Median wall time of ``repeats`` passes of ``module(x)`` after ``warmup`` passes, in ms."""
    for _ in range(warmup):
        module(x)
    times = []
    for _ in range(repeats):
        _sync(x.device)
        start = time.perf_counter()
        module(x)
        _sync(x.device)
        times.append(time.perf_counter() - start)
    return 1e3 * statistics.median(times)


def _module_and_clip(model, X):
    """The network, and the first clip of ``X`` as a batch of one on the network's device."""
    if isinstance(model, torch.nn.Module):
        module = model
        X = X if isinstance(X, torch.Tensor) else torch.as_tensor(np.asarray(X))
        if X.ndim < 2:
            raise ValueError(
                f"X must be a batch of clips (n_clips, ...) for a torch module, got shape "
                f"{tuple(X.shape)}; pass X[None] for a single clip"
            )
    else:
        check_is_fitted(model, "module_")
        module = model.module_
        if hasattr(model, "_validate_X"):  # skaudio's estimators: their own input rules
            clip_ndim = 1 if model._input == "waveform" else 2
            X = X.detach().cpu().numpy() if isinstance(X, torch.Tensor) else np.asarray(X)
            if X.ndim == clip_ndim:
                X = X[None]
            X = model._check_predict_input(X) if hasattr(model, "n_features_in_") else model._validate_X(X)
        X = X if isinstance(X, torch.Tensor) else torch.as_tensor(np.asarray(X))
    if len(X) == 0:
        raise ValueError("X holds no clip")
    tensors = [*module.parameters(), *module.buffers()]
    device = tensors[0].device if tensors else torch.device(getattr(model, "device", None) or "cpu")
    dtype = next((p.dtype for p in module.parameters() if p.is_floating_point()), torch.float32)
    return module, X[:1].to(device=device, dtype=dtype if X.is_floating_point() else X.dtype)


@validate_params(
    {
        "estimator_or_module": [torch.nn.Module, NeuralNet],
        "X": ["array-like", torch.Tensor],
        "batch_sizes": [tuple, list],
        "repeats": [Interval(Integral, 1, None, closed="left")],
        "warmup": [Interval(Integral, 0, None, closed="left")],
        "n_jobs": [
            Interval(Integral, 1, None, closed="left"),
            Interval(Integral, None, -1, closed="right"),
            None,
        ],
    },
    prefer_skip_nested_validation=True,
)
def profile(
    estimator_or_module: torch.nn.Module | NeuralNet,
    X: ArrayLike | torch.Tensor,
    *,
    batch_sizes: Sequence[int] = (1, 64),
    repeats: int = 10,
    warmup: int = 2,
    n_jobs: int | None = None,
) -> pd.DataFrame:
    """Cost of a network: parameters, FLOPs, peak activation memory and latency per clip.

    Everything is measured on the first clip of ``X``: the counts on a batch of one
    clip, the latency on that clip tiled to each of ``batch_sizes``. The network runs
    in evaluation mode under :func:`torch.inference_mode`; the mode of every submodule
    is restored afterwards and no weight or running statistic changes.

    Parameters
    ----------
    estimator_or_module : torch.nn.Module or fitted skorch estimator
        A network, or an estimator whose trained network is ``module_`` (the skaudio
        classifiers; also after :meth:`~skaudio.models.AudioNetClassifier.initialize`).
        An estimator without ``module_`` raises scikit-learn's ``NotFittedError``:
        the network's sizes come from the training data (classes, input rows), so
        an unfitted estimator has no network to profile.
    X : array-like or torch.Tensor
        For an estimator, what its ``predict`` accepts (checked by the same rules),
        or one clip: ``(n_freqs, n_frames)`` for the spectrogram classifiers,
        ``(n_samples,)`` for :class:`~skaudio.models.DualBranchClassifier`. For a
        torch module, a batch whose first axis counts the clips (``X[None]`` for one
        clip). Only the first clip is used. It is moved to the network's device and
        floating dtype.
    batch_sizes : tuple of int, default=(1, 64)
        Batch sizes of the latency measurement (positive, distinct).
    repeats : int, default=10
        Timed forward passes per batch size.
    warmup : int, default=2
        Untimed forward passes before them, per batch size.
    n_jobs : int, default=None
        Torch threads during the measurements (-1: all cores). ``None`` keeps
        torch's current setting (``torch.set_num_threads``), the rule of skaudio's
        torch steps; note that the classifiers predict with one thread when their own
        ``n_jobs`` is None, so ``n_jobs=1`` times what their ``predict`` does.

    Returns
    -------
    table : pandas.DataFrame
        One row, with the columns:

        ``model``
            Class name of the network.
        ``device``
            Where it ran (``"cpu"``, ``"cuda:0"``).
        ``input_shape``
            Shape of one clip, a tuple.
        ``n_threads``
            ``torch.get_num_threads()`` during the measurements.
        ``n_params``, ``n_trainable_params``
            Parameters (each shared tensor once), and those with ``requires_grad``.
        ``flops``
            Forward floating-point operations on one clip, as
            :class:`torch.utils.flop_counter.FlopCounterMode` counts them: two per
            multiply-add of the matrix products, convolutions and attention, and
            nothing else (bias additions, element-wise operations, activations,
            normalisation, pooling and FFTs, e.g. an STFT front end, count zero).
            To its formulas this function adds the CPU kernels of attention
            (``scaled_dot_product_attention``) and of the recurrent layers (CPU and
            cuDNN), counted as the products they compute; the Transformer's fused
            inference path is switched off while counting, so its products are seen.
        ``macs``
            Multiply-adds, ``flops / 2`` (exact, since every counted FLOP is half of
            a multiply-add).
        ``peak_activation_bytes``
            Peak memory of one forward pass on one clip, beyond the input, the
            parameters and the buffers. On CPU: the largest total size of the tensors
            that the pass's operators create and that are alive at the same moment
            (the output included; views and in-place results add nothing). Memory an
            operator allocates and frees inside itself (a convolution's workspace, a
            fused kernel's scratch) is not seen. On CUDA: ``max_memory_allocated``
            during the pass minus ``memory_allocated`` before it, which does include
            workspaces and the caching allocator's rounding.
        ``latency_ms_batch{b}``, one per batch size ``b``
            Median wall time of ``repeats`` passes on ``b`` copies of the clip
            (after ``warmup`` passes), divided by ``b``, in milliseconds; CUDA is
            synchronised around each pass.

    Examples
    --------
    >>> import torch
    >>> from skaudio.models import profile
    >>> net = torch.nn.Sequential(torch.nn.Linear(10, 1000), torch.nn.ReLU())
    >>> table = profile(net, torch.randn(1, 10), batch_sizes=(1, 8), repeats=3)
    >>> table[["model", "n_params", "flops", "macs", "peak_activation_bytes"]]
            model  n_params  flops   macs  peak_activation_bytes
    0  Sequential     11000  20000  10000                   8000
    >>> [c for c in table.columns if c.startswith("latency")]
    ['latency_ms_batch1', 'latency_ms_batch8']

    The Linear layer does 10 x 1000 multiply-adds (its bias is not counted); its output
    (1000 float32 values, 4000 bytes) is still alive when the ReLU writes its own.
    """
    sizes = list(batch_sizes)
    if not sizes or not all(isinstance(b, Integral) and not isinstance(b, bool) and b >= 1 for b in sizes):
        raise ValueError(f"batch_sizes must be a non-empty sequence of positive ints, got {batch_sizes!r}")
    if len(set(sizes)) != len(sizes):
        raise ValueError(f"batch_sizes must be distinct, got {batch_sizes!r}")
    module, x = _module_and_clip(estimator_or_module, X)
    modes = [(m, m.training) for m in module.modules()]
    module.eval()
    try:
        with torch_threads(n_jobs), torch.inference_mode():
            try:
                module(x)
            except (RuntimeError, ValueError, TypeError, IndexError) as exc:
                raise ValueError(
                    f"{type(module).__name__} could not run on one clip of shape {tuple(x.shape[1:])}: {exc}"
                ) from exc
            row: dict[str, Any] = {
                "model": type(module).__name__,
                "device": str(x.device),
                "input_shape": tuple(x.shape[1:]),
                "n_threads": torch.get_num_threads(),
                "n_params": sum(p.numel() for p in module.parameters()),
                "n_trainable_params": sum(p.numel() for p in module.parameters() if p.requires_grad),
            }
            row["flops"] = _count_flops(module, x)
            row["macs"] = row["flops"] // 2
            row["peak_activation_bytes"] = _peak_activation_bytes(module, x)
            for b in sizes:
                xb = x.expand(b, *x.shape[1:]).contiguous()
                row[f"latency_ms_batch{b}"] = _latency_ms(module, xb, int(repeats), int(warmup)) / b
    finally:
        for m, training in modes:
            m.train(training)
    return pd.DataFrame([row])
