"""skorch callbacks of the training recipes: exponential moving average, one-cycle schedule.

The classifiers build their callbacks from their parameters (``lr_schedule``,
``early_stopping``, ``ema_decay``) with skorch's own :class:`~skorch.callbacks.LRScheduler`
and :class:`~skorch.callbacks.EarlyStopping` and the two below; all are plain skorch
callbacks, so they also serve any skorch network (``callbacks=[EMA(0.999)]``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from skorch.callbacks import Callback, LRScheduler
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

__all__ = ["EMA", "OneCycle"]


class EMA(Callback):
    """Exponential moving average of the weights, swapped in at the end of training.

    torch's :class:`~torch.optim.swa_utils.AveragedModel` keeps the average: after every
    training batch ``average = decay * average + (1 - decay) * weights``, starting from
    the weights after the first batch (the initial weights take no share, and the
    shares sum to one however short the run). Buffers such as batch-norm statistics
    are averaged too. When training ends the network takes the averaged weights.

    Parameters
    ----------
    decay : float, default=0.995
        Weight of the running average at each step, in (0, 1).

    Examples
    --------
    >>> from skaudio.models import EMA, SECNNClassifier
    >>> clf = SECNNClassifier(callbacks=[("ema", EMA(0.99))])  # or ema_decay=0.99
    """

    def __init__(self, decay: float = 0.995) -> None:
        self.decay = decay

    def on_train_begin(self, net, **kwargs):
        if not 0 < self.decay < 1:
            raise ValueError(f"EMA decay must be in (0, 1), got {self.decay!r}")
        self.average_ = AveragedModel(
            net.module_, multi_avg_fn=get_ema_multi_avg_fn(self.decay), use_buffers=True
        )

    def on_batch_end(self, net, batch=None, training=None, **kwargs):
        if training:
            self.average_.update_parameters(net.module_)

    def on_train_end(self, net, **kwargs):
        self.n_steps_ = int(self.average_.n_averaged)
        if self.n_steps_:  # nothing trained: keep the weights
            net.module_.load_state_dict(self.average_.module.state_dict())
        del self.average_  # a second copy of the network is not worth keeping


class OneCycle(LRScheduler):
    """The one-cycle learning-rate policy, stepped every batch, one cycle per training call.

    skorch's :class:`~skorch.callbacks.LRScheduler` with
    :class:`torch.optim.lr_scheduler.OneCycleLR`, sized when training starts: the cycle
    spans the ``max_epochs`` epochs of this ``fit`` (or ``partial_fit``) call, so a
    ``partial_fit`` after ``fit`` runs a cycle of its own instead of stepping past the
    end of the first. Each parameter group peaks at ``max_lr`` times its ``lr_scale``
    (the classifiers' learnable filterbank trains at a scaled rate).

    Parameters
    ----------
    max_lr : float, default=1e-3
        Peak learning rate.
    **kwargs
        Other arguments of ``OneCycleLR`` (``pct_start``, ``div_factor``, ...).
    """

    def __init__(self, max_lr: float = 1e-3, **kwargs: Any) -> None:
        super().__init__(torch.optim.lr_scheduler.OneCycleLR, max_lr=max_lr, step_every="batch", **kwargs)

    @property
    def kwargs(self):
        kwargs = super().kwargs
        scales = getattr(self, "group_scales_", None)
        if scales is not None and np.isscalar(kwargs["max_lr"]):
            kwargs["max_lr"] = [kwargs["max_lr"] * s for s in scales]
        # a new cycle for every training call (skorch would resume at the history's
        # batch count, past the end of a cycle sized for this call alone)
        kwargs.setdefault("last_epoch", -1)
        return kwargs

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        self.group_scales_ = [g.get("lr_scale", 1.0) for g in net.optimizer_.param_groups]
        # the batches of an epoch as the net's own training iterator makes them (its
        # sampler, e.g. the classifiers' class-balanced one, and batch size included): an
        # upper bound of the batches to come (a validation split only shortens them)
        n_batches = len(net.get_iterator(net.get_dataset(X, y), training=True)) if X is not None else 1
        self.total_steps = max(1, net.max_epochs * n_batches) + 1
        super().on_train_begin(net, X=X, y=y, **kwargs)
