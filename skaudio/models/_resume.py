"""Resumable training for the classifiers' ``checkpoint_dir``: skorch's ``Checkpoint`` and
``LoadInitState`` with the state they leave out.

skorch's checkpoint keeps the network, the optimiser, the criterion and the history.
A run that resumes from those alone diverges from an uninterrupted one: the
random generators (batch order, dropout, augmentation), the learning-rate schedule's
position, the class-balanced sampler's generator, the weight average (``ema_decay``),
early stopping's counters and best weights and the AMP grad scaler all carry state
from one epoch to the next. They go into ``state.pt`` beside skorch's files.

Every epoch is written into a folder of its own, ``epoch-000007/``; only then is the
small ``latest.json`` replaced (written to a temporary file, synced, renamed over the
old one) to point at it, and the previous folder is removed. A kill at any moment
leaves ``latest.json`` naming a complete checkpoint: the one before, if the kill came
while the new one was being written.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil

import numpy as np
import torch
from skorch.callbacks import Checkpoint, EarlyStopping, LoadInitState, LRScheduler

from skaudio.models.callbacks import EMA

_POINTER = "latest.json"
_FILES = {"f_params": "params.pt", "f_optimizer": "optimizer.pt", "f_criterion": "criterion.pt"}
#: estimator parameters that change neither the numbers nor the number of steps: a run may
#: resume with other values of these
_FREE = ("checkpoint_dir", "verbose", "n_jobs", "device", "callbacks", "warm_start")
_FREE_PREFIXES = tuple(
    f"{it}__{p}"
    for it in ("iterator_train", "iterator_valid")
    for p in ("num_workers", "pin_memory", "persistent_workers", "prefetch_factor", "multiprocessing_context")
)
_EARLY_STOPPING_STATE = ("misses_", "dynamic_threshold_", "best_epoch_", "best_model_weights_")


def fingerprint(net, X, y_enc):
    """What a resumed run must share with the checkpoint's: parameters (plain values;
    objects by type), data shape and a digest of the labels."""

    def plain(value):
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        if isinstance(value, (tuple, list)):
            return [plain(v) for v in value]
        if isinstance(value, type):
            return f"{value.__module__}.{value.__qualname__}"
        if isinstance(value, np.ndarray):
            return value.tolist()
        return type(value).__name__

    params = {
        k: plain(v)
        for k, v in sorted(net.get_params(deep=False).items())
        if k not in _FREE and not k.startswith(_FREE_PREFIXES)
    }
    return {
        "estimator": type(net).__name__,
        "params": json.loads(json.dumps(params, default=str)),
        "data_shape": [int(s) for s in X.shape],
        "labels_sha1": hashlib.sha1(np.ascontiguousarray(y_enc).tobytes()).hexdigest(),
    }


def _write_atomic(path, text):
    tmp = f"{path}.tmp"
    with open(tmp, "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _sync_folder(folder):
    for name in os.listdir(folder):
        with open(os.path.join(folder, name), "rb") as f:
            os.fsync(f.fileno())


def training_state(net):
    """The state skorch's checkpoint leaves out (see the module's docstring)."""
    state = {
        "torch": torch.get_rng_state(),
        "cuda": torch.cuda.get_rng_state_all()
        if torch.cuda.is_available() and torch.cuda.is_initialized()
        else None,
        "numpy": np.random.get_state(),
        "python": random.getstate(),
        "sampler": None,
        "scaler": None,
        "callbacks": {},
    }
    sampler = getattr(net, "_train_sampler_", None)
    if sampler is not None:
        state["sampler"] = sampler.generator.get_state()
    scaler = getattr(net, "scaler_", None)
    if scaler is not None:
        state["scaler"] = scaler.state_dict()
    for name, cb in net.callbacks_:
        if isinstance(cb, LRScheduler) and getattr(cb, "lr_scheduler_", None) is not None:
            state["callbacks"][name] = {
                "scheduler": cb.lr_scheduler_.state_dict(),
                "batch_idx_": cb.batch_idx_,
            }
        elif isinstance(cb, EMA) and hasattr(cb, "average_"):
            state["callbacks"][name] = {"average": cb.average_.state_dict()}
        elif isinstance(cb, EarlyStopping):
            state["callbacks"][name] = {k: getattr(cb, k) for k in _EARLY_STOPPING_STATE if hasattr(cb, k)}
    return state


def restore_training_state(net, state):
    torch.set_rng_state(state["torch"])
    if state["cuda"] is not None and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])
    np.random.set_state(state["numpy"])
    random.setstate(state["python"])
    # the sampler is built after training begins (skorch's fit_loop): it picks this up
    net._sampler_state_ = state["sampler"]
    if state["scaler"] is not None and getattr(net, "scaler_", None) is not None:
        net.scaler_.load_state_dict(state["scaler"])
    callbacks = dict(net.callbacks_)
    for name, saved in state["callbacks"].items():
        cb = callbacks.get(name)
        if isinstance(cb, LRScheduler):
            cb.lr_scheduler_.load_state_dict(saved["scheduler"])
            cb.batch_idx_ = saved["batch_idx_"]
        elif isinstance(cb, EMA):
            cb.average_.load_state_dict(saved["average"])
        elif isinstance(cb, EarlyStopping):
            vars(cb).update(saved)


class ResumeCheckpoint(Checkpoint):
    """skorch's ``Checkpoint`` every epoch, with the training state, committed atomically."""

    def __init__(self, dirname, fingerprint=None):
        super().__init__(monitor=None, dirname=dirname, f_history="history.json", event_name=None, **_FILES)
        self.fingerprint = fingerprint

    def _save_params(self, f, net, f_name, log_name):
        net.save_params(**{f_name: f})  # skorch's own logs a failure and goes on: a bad checkpoint

    def on_epoch_end(self, net, **kwargs):
        if getattr(net, "_fingerprint_", None) is not None:  # fit's epochs only, not partial_fit's
            super().on_epoch_end(net, **kwargs)

    def save_model(self, net):
        root = self.dirname
        epoch = len(net.history)
        name = f"epoch-{epoch:06d}"
        tmp = os.path.join(root, name + ".partial")
        shutil.rmtree(tmp, ignore_errors=True)
        os.makedirs(tmp)
        self.dirname = tmp
        try:
            super().save_model(net)
        finally:
            self.dirname = root
        torch.save(training_state(net), os.path.join(tmp, "state.pt"))
        _sync_folder(tmp)
        final = os.path.join(root, name)
        shutil.rmtree(final, ignore_errors=True)
        os.replace(tmp, final)
        previous = read_pointer(root)
        _write_atomic(
            os.path.join(root, _POINTER),
            json.dumps({"epoch": epoch, "folder": name, "fingerprint": self.fingerprint}, indent=1),
        )
        if previous is not None and previous["folder"] != name:
            shutil.rmtree(os.path.join(root, previous["folder"]), ignore_errors=True)


def read_pointer(root):
    try:
        with open(os.path.join(root, _POINTER)) as f:
            return json.load(f)
    except FileNotFoundError:
        return None


class ResumeLoad(LoadInitState):
    """skorch's ``LoadInitState`` for :class:`ResumeCheckpoint`: loads the latest committed
    checkpoint (if any) when training begins, and the training state with it.

    Listed after every other default callback, so the schedule, the weight average and
    early stopping have built their state (in their own ``on_train_begin``) before it is
    overwritten with the saved one.
    """

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        if self.did_load_:
            return
        self.did_load_ = True
        root = self.checkpoint.dirname
        pointer = read_pointer(root)
        if pointer is None:
            return
        saved, now = pointer.get("fingerprint") or {}, self.checkpoint.fingerprint or {}
        if saved != now:
            diff = sorted(
                k
                for k in set(saved.get("params", {})) | set(now.get("params", {}))
                if saved.get("params", {}).get(k) != now.get("params", {}).get(k)
            )
            diff += [k for k in ("estimator", "data_shape", "labels_sha1") if saved.get(k) != now.get(k)]
            raise ValueError(
                f"checkpoint_dir={root!r} holds a run with other settings (differing: {', '.join(diff)}); "
                "resume with the same estimator, parameters and data, or use an empty folder"
            )
        folder = os.path.join(root, pointer["folder"])
        net.load_params(
            **{k: os.path.join(folder, v) for k, v in _FILES.items()},
            f_history=os.path.join(folder, "history.json"),
        )
        restore_training_state(net, torch.load(os.path.join(folder, "state.pt"), weights_only=False))
        net._resumed_epochs_ = len(net.history)
