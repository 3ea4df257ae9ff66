"""Grad-CAM: where in time and frequency a network looks for a class [GCAM]_.

For a convolutional layer with feature maps ``A_c`` and a class logit ``y``, the
weight of channel ``c`` is the average over the map of ``dy / dA_c``; the map is
``ReLU(sum_c w_c A_c)``, upsampled (bilinearly) to the grid of the network's input.

References
----------
.. [GCAM] Selvaraju, Cogswell, Das, Vedantam, Parikh, Batra, "Grad-CAM: visual
   explanations from deep networks via gradient-based localization", ICCV 2017.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from numpy.typing import ArrayLike, NDArray

from skaudio._batching import iter_batches, torch_threads
from skaudio.interpret._hooks import (
    _check_layers,
    _first_tensor,
    evaluation_mode,
    own_thread_hook,
    resolve_network,
    sequence_layout,
)

__all__ = ["grad_cam"]


def _target_indices(target, classes, n_clips):
    """Logit column of each clip, or None for the predicted class."""
    if target is None:
        return None
    t = np.asarray(target)
    if t.ndim == 0:
        t = np.full(n_clips, t.item() if t.dtype != object else target, dtype=t.dtype)
    if t.shape != (n_clips,):
        raise ValueError(
            f"target must be a class label or one label per clip ({n_clips}), got shape {t.shape}"
        )
    if classes is None:
        if not np.issubdtype(t.dtype, np.integer):
            raise ValueError("target must hold integer logit indices for a bare torch module")
        return t.astype(np.int64)
    classes = np.asarray(classes)
    idx = np.searchsorted(classes, t)
    ok = (idx < len(classes)) & (classes[np.minimum(idx, len(classes) - 1)] == t)
    if not ok.all():
        raise ValueError(
            f"target has labels not among the classes {classes.tolist()}: {np.unique(t[~ok]).tolist()}"
        )
    return idx.astype(np.int64)


def grad_cam(
    estimator: Any,
    X: ArrayLike,
    layer: str,
    *,
    target: int | str | ArrayLike | None = None,
    normalize: bool = True,
    layout: str = "auto",
    batch_size: int = 32,
    n_jobs: int | None = None,
    return_target: bool = False,
) -> NDArray[np.float32] | tuple[NDArray[np.float32], np.ndarray]:
    """Grad-CAM maps of a fitted network over the grid of its input.

    Parameters
    ----------
    estimator : estimator, Pipeline or torch.nn.Module
        A fitted skaudio classifier, a fitted ``Pipeline`` ending in one, or a module
        returning logits ``(n, n_classes)``.
    X : array-like
        What ``estimator`` takes.
    layer : str
        A layer with feature maps ``(n, channels, freq, time)`` (2-D maps) or
        ``(n, channels, time)`` (maps over time), e.g. ``"features.20"`` of SE-CNN.
    target : label, array-like of labels or None, default=None
        The class explained for each clip: None for the predicted class, one label for
        all clips, or one per clip (labels from ``classes_``; logit indices for a bare
        module).
    normalize : bool, default=True
        Divide each map by its maximum (maps are in [0, 1]).
    layout : {"auto", "channels_first", "channels_last"}, default="auto"
        Axis order of a 3-D layer output (see :class:`NMFInterpreter`).
    batch_size : int, default=32
    n_jobs : int or None, default=None
        torch threads: None keeps torch's own setting (``torch.set_num_threads``;
        see :doc:`/design`, "n_jobs"), -1 means all cores.
    return_target : bool, default=False
        Also return the class explained for each clip.

    Returns
    -------
    cams : ndarray of shape (n_clips, n_freqs, n_frames) or (n_clips, n_steps), float32
        One map per clip over the last two (2-D maps) or the last (time maps) axes of
        the network's input, e.g. the log-mel bands and frames of SE-CNN.
    target : ndarray of shape (n_clips,)
        Only with ``return_target``: the labels (logit indices for a bare module).

    Notes
    -----
    The network runs in evaluation mode; the gradient is taken with respect to the
    layer's output only, so no parameter's ``.grad`` is touched, and the forward
    hook is removed afterwards.

    Thread safety: the same fitted model may be explained from several threads at
    once, also while other threads capture activations from it or run
    :class:`NMFInterpreter` on it. The hook sees only this call's own forward passes,
    gradients are enabled for this thread alone (``requires_grad`` of the parameters
    is never changed), and evaluation mode lasts until the last of these calls ends,
    when the training flags are restored. Do not train the network meanwhile; to
    predict with it from other threads at the same time, put it in evaluation mode
    first (``clf.module_.eval()``), since a network left in training mode (as skorch
    leaves it after ``fit``) returns to it when the last call ends.

    References
    ----------
    .. [GCAM] Selvaraju et al., "Grad-CAM: visual explanations from deep networks via
       gradient-based localization", ICCV 2017.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from skaudio.interpret import grad_cam
    >>> net = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.ReLU(),
    ...                           torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(),
    ...                           torch.nn.Linear(4, 2))
    >>> X = np.random.default_rng(0).random((3, 1, 16, 20)).astype(np.float32)
    >>> cams = grad_cam(net, X, "1", target=0)
    >>> cams.shape, bool(cams.min() >= 0), bool(cams.max() <= 1)
    ((3, 16, 20), True, True)
    """
    if layout not in ("auto", "channels_first", "channels_last"):
        raise ValueError(f"layout must be 'auto', 'channels_first' or 'channels_last', got {layout!r}")
    net = resolve_network(estimator)
    (mod,) = _check_layers(net.module, [layer])
    if layout == "auto":
        layout = sequence_layout(net.module, layer)
    Xn = net.prepare(X)
    targets = _target_indices(target, net.classes, len(Xn))
    device = net.device
    store = []

    def hook(module, inputs, output):
        act = _first_tensor(output)
        store.append(act)
        # downstream layers get a copy, so an in-place ReLU cannot overwrite ``act``
        copy = act.clone()
        if torch.is_tensor(output):
            return copy
        items = list(output)
        items[[i for i, o in enumerate(items) if o is act][0]] = copy
        return type(output)(items)

    cams, used = [], []
    with torch_threads(n_jobs), evaluation_mode(net.module), torch.enable_grad():
        # only this thread's passes: other threads may run the same module meanwhile
        handle = mod.register_forward_hook(own_thread_hook(hook))
        try:
            for sl in iter_batches(len(Xn), batch_size):
                store.clear()
                x = torch.as_tensor(Xn[sl], device=device).requires_grad_(True)
                logits = net.module(x)
                if not torch.is_tensor(logits) or logits.ndim != 2:
                    raise ValueError("grad_cam needs a network returning logits of shape (n, n_classes)")
                if not store:
                    raise ValueError(f"layer {layer!r} did not run during the forward pass")
                if len(store) > 1:
                    raise ValueError(
                        f"layer {layer!r} runs {len(store)} times per forward pass; "
                        "pick a layer that runs once"
                    )
                act = store[0]
                if targets is None:
                    idx = logits.detach().argmax(1)
                else:
                    idx = torch.as_tensor(targets[sl], device=logits.device)
                    if int(idx.max()) >= logits.shape[1]:
                        raise ValueError(
                            f"target index {int(idx.max())} is out of range for {logits.shape[1]} logits"
                        )
                score = logits.gather(1, idx[:, None]).sum()
                (grad,) = torch.autograd.grad(score, act)
                cams.append(_cam(act.detach(), grad, layout, Xn.shape, layer))
                used.append(idx.cpu().numpy())
        finally:
            handle.remove()
    cam = np.concatenate(cams).astype(np.float32)
    if normalize:
        peak = cam.reshape(len(cam), -1).max(axis=1).reshape((-1,) + (1,) * (cam.ndim - 1))
        cam = cam / np.where(peak > 0, peak, 1.0)
    if not return_target:
        return cam
    idx = np.concatenate(used)
    return cam, (net.classes[idx] if net.classes is not None else idx)


def _cam(act, grad, layout, input_shape, layer):
    if act.ndim == 3 and layout == "channels_last":
        act, grad = act.transpose(1, 2), grad.transpose(1, 2)
    if act.ndim not in (3, 4):
        raise ValueError(
            f"layer {layer!r} gives outputs of shape {tuple(act.shape)}; Grad-CAM needs "
            "feature maps (n, channels, freq, time) or (n, channels, time)"
        )
    spatial = tuple(range(2, act.ndim))
    weights = grad.mean(dim=spatial, keepdim=True)
    cam = F.relu((weights * act).sum(dim=1, keepdim=True))
    if len(input_shape) - 1 < act.ndim - 2:
        raise ValueError(f"the network's input {tuple(input_shape)} has no grid for 2-D maps")
    grid = tuple(input_shape[-(act.ndim - 2) :])
    mode = "bilinear" if act.ndim == 4 else "linear"
    cam = F.interpolate(cam, size=grid, mode=mode, align_corners=False)
    return cam[:, 0].cpu().numpy()
