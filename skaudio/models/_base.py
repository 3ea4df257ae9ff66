"""The scikit-learn estimator layer over skorch shared by the audio classifiers.

One class, :class:`AudioNetClassifier`, holds the training recipe (parameters, their
validation, callbacks, augmentation, seeding, threads); the classifiers in
:mod:`skaudio.models.classifiers` only choose a network, an input kind and the
defaults that differ.
"""

from __future__ import annotations

import contextlib
import copy
import inspect
import os
from collections.abc import Callable, Sequence
from numbers import Integral, Real
from pathlib import Path
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp
import torch
from numpy.typing import ArrayLike, NDArray
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d
from skorch import NeuralNetClassifier
from skorch.callbacks import EarlyStopping, LRScheduler, ProgressBar
from skorch.dataset import ValidSplit
from skorch.utils import TeeGenerator, is_dataset, to_numpy, to_tensor

from skaudio._batching import resolve_n_jobs, torch_threads
from skaudio._sklearn_compat import Interval, StrOptions, validate_parameter_constraints
from skaudio._validation import _as_array, check_device, check_spectrograms, check_waveforms
from skaudio.models import _resume, augment
from skaudio.models.callbacks import EMA, OneCycle
from skaudio.models.data import AudioFileDataset, _ClipDataset, check_memmap
from skaudio.models.sampling import BalancedUnderSampler
from skaudio.nn.sincgram import SincGramModule

__all__ = ["AudioNetClassifier"]

_PROBABILITY = [Interval(Real, 0, 1, closed="both")]


#: Most parameters of a network the classifiers train: 2**28 (268 M) float32 weights are
#: 1 GiB, 4 GiB with their gradients and Adam's two moments; the largest paper size
#: (SECNN at 21.6 M) is 12 times smaller. module__width=2**31 asked torch for 72 GiB.
MAX_NETWORK_PARAMETERS = 2**28


class AudioNetClassifier(NeuralNetClassifier):
    """skorch classifier with the audio training recipe of the skaudio networks.

    The base of :class:`SECNNClassifier`, :class:`DEGramNetClassifier` and
    :class:`DualBranchClassifier`, whose documentation lists the parameters. Used on
    its own it trains any torch module given as ``module`` (whose constructor takes
    ``n_classes``) on spectrogram batches with skaudio's CPU recipe: AdamW, one
    one-cycle schedule over 80 epochs, no augmentation.

    Subclasses set the network (``_default_module``), the input kind (``_input``:
    ``"spectrogram"`` or ``"waveform"``), the row scale that colours spectrogram noise
    (``_noise_scale``), whether inputs must be non-negative (``_nonnegative``), the
    module arguments read from the data (``_data_module_params``), the defaults
    that differ in their ``__init__`` and their named training recipes
    (``recipes``, see :meth:`~skaudio.models.AudioNetClassifier.from_recipe`).
    """

    _default_module = None
    _input = "spectrogram"
    _noise_scale = "mel"
    _nonnegative = False

    #: named training recipes: parameter values that
    #: :meth:`~skaudio.models.AudioNetClassifier.from_recipe` sets
    recipes: dict[str, dict] = {"cpu": {}}
    #: what each paper's recipe does not reproduce: steps skaudio lacks and values the paper
    #: does not state (the recipe keeps a default there); one line each, with the paper's line
    recipe_gaps: dict[str, tuple[str, ...]] = {"cpu": ()}

    #: constraints of the default network's numeric ``module__`` parameters (per subclass)
    _module_constraints: dict = {}

    _parameter_constraints: dict = {
        "module": [None, callable],
        "criterion": [callable],
        "optimizer": [callable],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "train_split": [None, callable],
        "callbacks": [None, list, StrOptions({"disable"})],
        "device": [str, torch.device, None],
        "verbose": ["verbose"],
        "random_state": ["random_state"],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "patience": [Interval(Integral, 1, None, closed="left")],
        "monitor": [StrOptions({"valid_loss", "valid_acc"})],
        "balance": [StrOptions({"undersample"}), None],
        "lr_schedule": [StrOptions({"plateau", "onecycle"}), None],
        "lr_factor": [Interval(Real, 0, 1, closed="neither")],
        "lr_patience": [Interval(Integral, 0, None, closed="left")],
        "ema_decay": [Interval(Real, 0, 1, closed="neither"), None],
        "noise": [StrOptions(set(augment.NOISE_COLORS)), tuple, list, None],
        "noise_snr": [Interval(Real, None, None, closed="neither")],
        "noise_prob": _PROBABILITY,
        "noise_freqs": ["array-like", None],
        "time_shift_prob": _PROBABILITY,
        "time_shift_max": [Interval(Real, 0, 1, closed="left")],
        "mixup_alpha": [Interval(Real, 0, None, closed="left")],
        "random_crop": [Interval(Real, 0, 1, closed="right"), tuple, list, None],
        "crop_length": [Interval(Integral, 1, None, closed="left"), tuple, list, None],
        "spec_augment": [tuple, list, None],
        "filterbank_lr_scale": [Interval(Real, 0, None, closed="left")],
        "n_jobs": [
            Interval(Integral, 1, None, closed="left"),
            Interval(Integral, None, -1, closed="right"),
            None,
        ],
        "classes": ["array-like", None],
        "amp": ["boolean", StrOptions({"bf16"})],
        "checkpoint_dir": [str, os.PathLike, None],
        # skorch's own parameters
        "warm_start": ["boolean"],
        "compile": ["boolean"],
        "use_caching": [StrOptions({"auto"}), "boolean"],
        "predict_nonlinearity": [StrOptions({"auto"}), callable, None],
        "iterator_train": [callable],
        "iterator_valid": [callable],
        "dataset": [callable],
        "torch_load_kwargs": [dict, None],
    }

    def __init__(
        self,
        module: type[torch.nn.Module] | torch.nn.Module | None = None,
        *,
        criterion: type[torch.nn.Module] = torch.nn.CrossEntropyLoss,
        optimizer: type[torch.optim.Optimizer] = torch.optim.AdamW,
        lr: float = 3e-3,
        max_epochs: int = 80,
        batch_size: int = 32,
        train_split: Callable | None = None,
        callbacks: list | str | None = None,
        device: str | torch.device | None = "cpu",
        verbose: int = 0,
        random_state: int | np.random.RandomState | None = None,
        weight_decay: float = 1e-2,
        early_stopping: bool = False,
        validation_fraction: float = 0.15,
        patience: int = 10,
        monitor: Literal["valid_loss", "valid_acc"] = "valid_loss",
        balance: Literal["undersample"] | None = None,
        lr_schedule: Literal["plateau", "onecycle"] | None = "onecycle",
        lr_factor: float = 0.1,
        lr_patience: int = 5,
        ema_decay: float | None = None,
        noise: str | Sequence[str] | None = None,
        noise_snr: float = 15.0,
        noise_prob: float = 0.5,
        noise_freqs: ArrayLike | None = None,
        time_shift_prob: float = 0.0,
        time_shift_max: float = 0.2,
        mixup_alpha: float = 0.0,
        random_crop: float | tuple[float, float] | None = None,
        crop_length: int | tuple[int, int] | None = None,
        spec_augment: tuple[int, int] | None = None,
        filterbank_lr_scale: float = 1.0,
        n_jobs: int | None = None,
        amp: bool | Literal["bf16"] = False,
        checkpoint_dir: str | os.PathLike | None = None,
        **kwargs: Any,
    ) -> None:
        # skorch's DataLoader keeps the data order, so every epoch would repeat the same
        # batches: with batch norm the network then fits each fixed batch's statistics
        kwargs.setdefault("iterator_train__shuffle", True)
        super().__init__(
            module,
            criterion=criterion,
            optimizer=optimizer,
            lr=lr,
            max_epochs=max_epochs,
            batch_size=batch_size,
            train_split=train_split,
            callbacks=callbacks,
            device=device,
            verbose=verbose,
            **kwargs,
        )
        self.random_state = random_state
        self.weight_decay = weight_decay
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.monitor = monitor
        self.balance = balance
        self.lr_schedule = lr_schedule
        self.lr_factor = lr_factor
        self.lr_patience = lr_patience
        self.ema_decay = ema_decay
        self.noise = noise
        self.noise_snr = noise_snr
        self.noise_prob = noise_prob
        self.noise_freqs = noise_freqs
        self.time_shift_prob = time_shift_prob
        self.time_shift_max = time_shift_max
        self.mixup_alpha = mixup_alpha
        self.random_crop = random_crop
        self.crop_length = crop_length
        self.spec_augment = spec_augment
        self.filterbank_lr_scale = filterbank_lr_scale
        self.n_jobs = n_jobs
        self.amp = amp
        self.checkpoint_dir = checkpoint_dir

    @classmethod
    def from_recipe(cls, name: str, **params: Any) -> AudioNetClassifier:
        """An estimator configured with the named training recipe, then ``params``.

        ``cls.recipes`` lists the recipes of each classifier: ``"cpu"`` is the
        default (the settings measured best on ESC-10 with a CPU budget, see the
        models user guide) and the papers' own recipes have the papers' names. A
        paper's recipe sets what the paper's text states and nothing else; where the
        paper is silent on a value that must exist (a validation fraction, mask
        counts) the estimator's default stays. ``cls.recipe_gaps[name]`` lists, one
        line each with the paper's line, every step the recipe cannot reproduce and
        every value the paper does not state; the models user guide tabulates them
        ("Recipes and their papers"). The recipe sets training only: the input (sampling
        rate, clip length, front end) is the user's, and the paper's network size is
        ``skaudio.nn.PAPER_SIZES``.

        Parameters
        ----------
        name : str
            A key of ``cls.recipes``.
        **params
            Further parameters, applied over the recipe (``random_state=0``, ...).

        Returns
        -------
        estimator : AudioNetClassifier
            A new, unfitted estimator.
        """
        if name not in cls.recipes:
            raise ValueError(f"{cls.__name__} has no recipe {name!r}; choose one of {sorted(cls.recipes)}")
        return cls(**{**cls.recipes[name], **params})

    # -- parameters -------------------------------------------------------------
    def _validate_params(self):
        """Check every parameter against ``_parameter_constraints`` (scikit-learn's rules)."""
        validate_parameter_constraints(
            self._parameter_constraints, self.get_params(deep=False), caller_name=type(self).__name__
        )
        if self.device is not None:
            check_device(self.device)  # torch's own words are an AssertionError deep in fit
        if self.module is None or self.module is self._default_module:
            # the network's sizes: a width of 0 was a raw torch RuntimeError from inside fit
            given = {f"module__{k}": v for k, v in self.get_params_for("module").items()}
            table = {f"module__{k}": v for k, v in self._module_constraints.items()}
            validate_parameter_constraints(
                {k: v for k, v in table.items() if k in given},
                {k: v for k, v in given.items() if k in table},
                caller_name=type(self).__name__,
            )
        if self.spec_augment is not None and self._input == "waveform" and any(self.spec_augment):
            raise ValueError(
                "spec_augment masks spectrogram rows and frames; "
                f"{type(self).__name__} takes waveforms: leave it None"
            )
        if self.amp is True and (self.device is None or torch.device(self.device).type != "cuda"):
            # float16 needs grad scaling, which torch implements for GPUs; bfloat16 has
            # float32's exponent range and needs none, and torch autocasts it on CPUs too
            raise ValueError(
                f"amp=True (float16 autocast with grad scaling) needs a CUDA device, got device="
                f"{self.device!r}; use device='cuda', or amp='bf16' (bfloat16 autocast, also on CPU)"
            )
        if self.crop_length is not None:
            augment.crop_bounds(self.crop_length)  # a ValueError naming crop_length
            if self.random_crop is not None:
                raise ValueError(
                    "random_crop (a share of the clip) and crop_length (an absolute length) both "
                    "crop the training batches: set one of them, not both"
                )

    def _build_augmentation(self, n_rows):
        """The :class:`~skaudio.models.augment.AudioAugment` of this estimator's parameters."""
        freqs = None
        if self._input == "spectrogram" and self.noise is not None:
            freqs = self._row_freqs(n_rows)
        return augment.AudioAugment(
            noise=self.noise,
            noise_snr=self.noise_snr,
            noise_prob=self.noise_prob,
            noise_freqs=freqs,
            noise_db=self._noise_scale == "mel",
            time_shift_prob=self.time_shift_prob,
            time_shift_max=self.time_shift_max,
            spec_augment=self.spec_augment,
            random_crop=self.random_crop,
            crop_length=self.crop_length,
            mixup_alpha=self.mixup_alpha,
        )

    def _row_freqs(self, n_rows):
        if self.noise_freqs is not None:
            freqs = np.asarray(self.noise_freqs, dtype=np.float64)
            if freqs.shape != (n_rows,):
                raise ValueError(
                    f"noise_freqs must give one frequency per row ({n_rows}), got shape {freqs.shape}"
                )
            return freqs
        return augment.row_frequencies(n_rows, self._noise_scale)

    # -- input ------------------------------------------------------------------
    def _validate_X(self, X):
        if sp.issparse(X):
            raise TypeError(f"{type(self).__name__} does not support sparse input: pass a dense array")
        waveform = self._input == "waveform"
        if isinstance(X, (np.memmap, AudioFileDataset)):  # stays on disk: read a batch at a time
            return self._disk_dataset(X)
        # torch tensors, datasets audio columns: converted (or refused in one line) in one place
        X = (
            X
            if isinstance(X, np.ndarray)
            else _as_array(
                X, "X", sr=self.get_params_for("module").get("sr") if waveform else None, audio=waveform
            )
        )
        if X.ndim == 1:
            raise ValueError(
                "X must be 2-D or 3-D, got a 1-D array. Reshape your data with "
                "X.reshape(1, -1) for a single clip."
            )
        if waveform:
            return check_waveforms(X, name="X")
        X = check_spectrograms(X, name="X", ndim=(2, 3), nonnegative=self._nonnegative)
        return X[:, :, None] if X.ndim == 2 else X  # 2-D: single-frame spectrograms

    def _disk_dataset(self, X):
        """The dataset reading ``X`` (a memmap or an :class:`AudioFileDataset`) clip by clip."""
        waveform = self._input == "waveform"
        ndim = (2,) if waveform else (2, 3)
        if isinstance(X, np.memmap):
            reader = check_memmap(X, name="X", ndim=ndim, nonnegative=self._nonnegative and not waveform)
            return _ClipDataset(reader, add_axis=not waveform and X.ndim == 2)
        if len(X.shape) != (2 if waveform else 3):
            what = (
                "waveforms (frontend=None)"
                if waveform
                else "spectrograms (a frontend such as MelSpectrogram)"
            )
            raise ValueError(
                f"{type(self).__name__} takes {what}; the AudioFileDataset gives items of shape {X.shape[1:]}"
            )
        if waveform and self.get_params_for("module").get("sr") not in (None, X.sr):
            raise ValueError(
                f"the AudioFileDataset reads at sr={X.sr:g}, the network expects module__sr="
                f"{self.get_params_for('module')['sr']:g}"
            )
        return _ClipDataset(X, checked=False, nonnegative=self._nonnegative and not waveform)

    def _data_module_params(self, X):
        """Module arguments read from the training data, besides ``n_classes``."""
        return {}

    def _validate_y(self, X, y):
        if y is None:
            raise ValueError(f"{type(self).__name__} requires y to be passed, but the target y is None")
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        if len(y) != len(X):
            raise ValueError(f"X and y have different numbers of clips: {len(X)} and {len(y)}")
        return y

    # -- skorch hooks -----------------------------------------------------------
    def initialize(self) -> AudioNetClassifier:
        """Build the network, optimiser and callbacks (skorch), also without ``fit``.

        skorch's way to load saved weights into a fresh estimator works:
        ``clf = SECNNClassifier(classes=labels, ...); clf.initialize();
        clf.load_params(f_params=...)``, after which ``predict`` returns the
        saved model's labels. ``classes`` must be the labels in the order of the
        network's outputs (``np.unique`` of the training labels unless
        ``classes=`` was given to ``fit`` too); sizes that ``fit`` reads from ``X``
        come from the ``module__`` parameters (e.g. ``module__n_freqs`` for
        :class:`DEGramNetClassifier`).

        Returns
        -------
        self : object
        """
        if not getattr(self, "_fitting_", False):  # fit has validated them already
            self._validate_params()
        super().initialize()
        if not hasattr(self, "classes_inferred_") and self.classes is not None:
            self.classes_inferred_ = self._class_order(self.classes)  # predict needs no fit now
        return self

    @staticmethod
    def _class_order(classes):
        classes = np.asarray(classes)
        if classes.ndim != 1 or len(np.unique(classes)) != len(classes):
            raise ValueError(f"classes must be a list of distinct labels, got {classes.tolist()!r}")
        return classes

    def _encode(self, y, classes):
        """Positions of the labels ``y`` in ``classes`` (the network's output order)."""
        order = np.argsort(classes, kind="stable")
        pos = np.clip(np.searchsorted(classes[order], y), 0, len(classes) - 1)
        unknown = np.unique(y[classes[order][pos] != y])
        if unknown.size:
            raise ValueError(f"y has labels not in classes_ {classes.tolist()!r}: {unknown.tolist()!r}")
        return order[pos].astype(np.int64)

    def initialize_module(self):
        # the one place where module arguments meet: data-derived sizes, then the user's
        # module__ parameters, which win
        kwargs = self.get_params_for("module")
        module = self.module if self.module is not None else self._default_module
        if isinstance(module, type):  # sizes read from X in fit; initialize() without fit has none
            kwargs = {"n_classes": len(self.classes_), **getattr(self, "_module_kwargs_", {}), **kwargs}
            self._check_network(module, kwargs)
        self.module_ = self.initialized_instance(module, kwargs)
        return self

    def _check_network(self, module, kwargs):
        """Build ``module(**kwargs)`` on torch's meta device (no memory) to refuse, naming the
        ``module__`` parameters, a network that cannot be built or is too large to train."""
        given = ", ".join(f"module__{k}={v!r}" for k, v in self.get_params_for("module").items())
        try:
            with torch.device("meta"):
                net = module(**kwargs)
        except Exception as exc:  # torch's RuntimeError/AssertionError, a ZeroDivisionError, ...
            raise ValueError(
                f"{type(self).__name__} cannot build {module.__name__} from {given or 'its defaults'}: "
                f"{type(exc).__name__}: {exc}"
            ) from None
        n = sum(p.numel() for p in net.parameters())
        if n > MAX_NETWORK_PARAMETERS:
            raise ValueError(
                f"{module.__name__} built from {given or 'its defaults'} holds {n:,} parameters; at most "
                f"{MAX_NETWORK_PARAMETERS:,} are trained here: use smaller widths"
            )

    def get_params_for_optimizer(self, prefix, named_parameters):
        """skorch's optimizer arguments, with ``weight_decay`` and the filter-bank learning rate.

        ``weight_decay`` (unless ``optimizer__weight_decay`` is given) and the parameter
        groups of ``filterbank_lr_scale`` are added to what skorch's
        ``NeuralNet.get_params_for_optimizer`` returns.
        """
        # weight_decay is a first-class parameter; optimizer__weight_decay still wins
        args, kwargs = super().get_params_for_optimizer(prefix, named_parameters)
        if (
            prefix == "optimizer"
            and "weight_decay" not in kwargs
            and "weight_decay" in _optimizer_args(self.optimizer)
        ):
            kwargs["weight_decay"] = self.weight_decay
        if prefix == "optimizer":
            args = (self._filterbank_groups(args[0], kwargs),) + args[1:]
        return args, kwargs

    def _filterbank_groups(self, groups, kwargs):
        """Move the SincGram centres and widths to groups of their own: learning rate
        ``lr * filterbank_lr_scale`` (kept as ``lr_scale`` for the one-cycle policy) and
        no weight decay. Why: see ``filterbank_lr_scale`` in the estimators' docs."""
        bank = {
            id(p) for m in self.module_.modules() if isinstance(m, SincGramModule) for p in m.parameters()
        }
        if not bank:
            return groups
        no_decay = {"weight_decay": 0.0} if "weight_decay" in _optimizer_args(self.optimizer) else {}
        out = []
        for g in groups:
            rest = [p for p in g["params"] if id(p) not in bank]
            mine = [p for p in g["params"] if id(p) in bank]
            if rest:
                out.append({**g, "params": rest})
            if mine:
                out.append(
                    {
                        **g,
                        "params": mine,
                        **no_decay,
                        "lr": g.get("lr", kwargs["lr"]) * self.filterbank_lr_scale,
                        "lr_scale": g.get("lr_scale", 1.0) * self.filterbank_lr_scale,
                    }
                )
        return out

    def get_default_callbacks(self):
        """skorch's defaults plus the recipe's: schedule, early stopping, EMA, progress bar."""
        cbs = list(super().get_default_callbacks())
        # the hold-out exists with early stopping only (get_split_datasets); without it the
        # plateau schedule watches the training loss, whatever ``monitor`` says
        monitor = self.monitor if self.early_stopping else "train_loss"
        higher_is_better = monitor == "valid_acc"
        if self.lr_schedule == "plateau":
            plateau = LRScheduler(
                torch.optim.lr_scheduler.ReduceLROnPlateau,
                monitor=monitor,
                factor=self.lr_factor,
                patience=self.lr_patience,
                **({"mode": "max"} if higher_is_better else {}),
            )
            cbs.append(("lr_scheduler", plateau))
        elif self.lr_schedule == "onecycle":
            cbs.append(("lr_scheduler", OneCycle(max_lr=self.lr)))
        if self.early_stopping:
            stop = EarlyStopping(
                monitor=monitor, patience=self.patience, load_best=True, lower_is_better=not higher_is_better
            )
            cbs.append(("early_stopping", stop))
        if self.ema_decay is not None:
            cbs.append(("ema", EMA(self.ema_decay)))
        if self.verbose and self.verbose > 1:
            cbs.append(("progress_bar", ProgressBar()))
        if self.checkpoint_dir is not None and getattr(self, "_fingerprint_", None) is not None:
            # last: saves after, and restores over, what the callbacks above keep (fit only)
            checkpoint = _resume.ResumeCheckpoint(os.fspath(self.checkpoint_dir), self._fingerprint_)
            cbs += [("checkpoint", checkpoint), ("load_checkpoint", _resume.ResumeLoad(checkpoint))]
        return cbs

    def get_split_datasets(self, X, y=None, **fit_params):
        # early stopping's hold-out: stratified and seeded from random_state
        if self.train_split is not None or not self.early_stopping:
            return super().get_split_datasets(X, y, **fit_params)
        dataset = self.get_dataset(X, y)
        split = ValidSplit(self.validation_fraction, stratified=True, random_state=self._seed_)
        return split(dataset, y, **fit_params)

    def get_iterator(self, dataset, training=False):
        # balance="undersample": the training batches come from a class-balanced sampler
        # (a sampler and shuffle=True are exclusive in torch's DataLoader). skorch builds
        # the training iterator once per fit call; the sampler draws anew every epoch.
        kwargs = self.get_params_for("iterator_train" if training else "iterator_valid")
        if self._on_cuda():  # page-locked batches copy to the GPU asynchronously (non_blocking)
            kwargs.setdefault("pin_memory", True)
        kwargs.setdefault("batch_size", self.batch_size)
        if kwargs["batch_size"] == -1:
            kwargs["batch_size"] = len(dataset)
        if training and self.balance == "undersample":
            kwargs.pop("shuffle", None)
            sampler = BalancedUnderSampler(
                _dataset_labels(dataset), seed=getattr(self, "_call_seed_", self._seed_)
            )
            state = getattr(self, "_sampler_state_", None)
            if state is not None:  # a resumed fit: the generator where the checkpoint left it
                sampler.generator.set_state(state)
                self._sampler_state_ = None
            kwargs["sampler"] = self._train_sampler_ = sampler
        return (self.iterator_train if training else self.iterator_valid)(dataset, **kwargs)

    def _on_cuda(self):
        return self.device is not None and torch.device(self.device).type == "cuda"

    def _to_device(self, x):
        """A batch on the compute device: asynchronously from pinned memory on a GPU; with
        ``device=None`` (Accelerate places the batches) the network's own device."""
        if self._on_cuda():
            x = to_tensor(x, device=None) if isinstance(x, torch.Tensor) else to_tensor(x, device="cpu")
            return x.to(self.device, non_blocking=x.is_pinned())
        return to_tensor(x, device=self.device)

    def _autocast(self):
        """Mixed precision of the forward pass (``amp``): float16 on a GPU, or bfloat16."""
        if not self.amp:
            return contextlib.nullcontext()
        device_type = torch.device(self.device).type if self.device is not None else "cpu"
        return torch.autocast(device_type, dtype=torch.float16 if self.amp is True else torch.bfloat16)

    def infer(self, x, **fit_params):
        if not self.amp and not self._on_cuda():
            return super().infer(x, **fit_params)
        with self._autocast():
            y = self.module_(self._to_device(x), **fit_params)
        return y.float()  # the loss and the probabilities in float32

    def train_step(self, batch, **fit_params):
        # amp=True: skorch steps the optimiser with a closure, which the grad scaler does not take
        scaler = getattr(self, "scaler_", None)
        if scaler is None:
            return super().train_step(batch, **fit_params)
        accumulator = self.get_train_step_accumulator()
        self._zero_grad_optimizer()
        accumulator.store_step(self.train_step_single(batch, **fit_params))
        optimizers = [getattr(self, name + "_") for name in self._optimizers]
        for optimizer in optimizers:
            scaler.unscale_(optimizer)  # callbacks (gradient clipping) see the true gradients
        self.notify(
            "on_grad_computed",
            named_parameters=TeeGenerator(self.get_all_learnable_params()),
            batch=batch,
            training=True,
        )
        for optimizer in optimizers:
            scaler.step(optimizer)  # skipped when a gradient overflowed
        scaler.update()
        return accumulator.get_step()

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        # a fit resumed from checkpoint_dir trains the epochs the checkpoint had left
        done = getattr(self, "_resumed_epochs_", None)
        if epochs is None and done is not None:
            epochs = max(0, self.max_epochs - done)
        return super().fit_loop(X, y, epochs=epochs, **fit_params)

    def check_data(self, X, y):
        # fit has checked X and y already; skorch's own check would also reset
        # classes_inferred_ to the encoded labels (0..n-1) that the network trains on
        pass

    def train_step_single(self, batch, **fit_params):
        self._set_training(True)
        Xi, yi = batch
        X_in = Xi = self._to_device(Xi)
        yi = self._to_device(yi)
        Xi, perm, lam = self.augmentation_.mix(self.augmentation_(Xi))
        y_pred = self.infer(Xi, **fit_params)
        loss = self.get_loss(y_pred, yi, X=Xi, training=True)
        if perm is not None:  # mixup: the loss mixes the two label sets as the inputs were
            loss = lam * loss + (1 - lam) * self.get_loss(y_pred, yi[perm], X=Xi, training=True)
        if not torch.isfinite(loss):  # stop at once rather than train on NaN
            raise ValueError(self._non_finite("training loss", X_in))
        self._backward(loss)
        return {"loss": loss, "y_pred": y_pred}

    def _backward(self, loss):
        scaler = getattr(self, "scaler_", None)
        (loss if scaler is None else scaler.scale(loss)).backward()

    # -- public API -------------------------------------------------------------
    def fit(self, X: ArrayLike, y: ArrayLike, **fit_params: Any) -> AudioNetClassifier:
        """Train the network on ``X`` and class labels ``y``.

        Parameters
        ----------
        X : array-like, numpy.memmap or AudioFileDataset
            Spectrogram batch ``(n_clips, n_freqs, n_frames)`` (waveforms
            ``(n_clips, n_samples)`` for :class:`DualBranchClassifier`). A memmap
            (e.g. from :func:`~skaudio.features.extract_to_memmap`) or an
            :class:`~skaudio.models.AudioFileDataset` stays on disk: the batches are
            read as training needs them.
        y : array-like of shape (n_clips,)
            Class labels (any type :func:`numpy.unique` sorts).
        **fit_params
            Passed on to skorch's ``fit``.

        Returns
        -------
        self : object
        """
        self._validate_params()
        X = self._validate_X(X)
        y = self._validate_y(X, y)
        # the network's outputs follow classes= when given (skorch's classes_), else sorted labels
        self.classes_inferred_ = np.unique(y) if self.classes is None else self._class_order(self.classes)
        y_enc = self._encode(y, self.classes_inferred_)
        self.n_features_in_ = X.shape[1]
        self.input_shape_ = X.shape[1:]
        self._module_kwargs_ = self._data_module_params(X)
        for key, value in self._module_kwargs_.items():  # X says it; a module__ value must agree
            given = self.get_params_for("module").get(key, value)
            if given != value:
                raise ValueError(f"module__{key}={given!r}, but X gives {key}={value} (shape {X.shape})")
        self._seed_ = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        self.augmentation_ = self._build_augmentation(X.shape[1])
        if self.checkpoint_dir is not None:  # read by get_default_callbacks when fit initializes
            self._fingerprint_ = _resume.fingerprint(self, X, y_enc)
        self._fitting_ = True
        try:
            with self._seeded(self._seed_), self._grad_scaler():
                super().fit(self._with_targets(X, y_enc), y_enc, **fit_params)
                self._refresh_batchnorm(X)
        finally:
            del self._fitting_
            for name in ("_fingerprint_", "_resumed_epochs_", "_sampler_state_", "_train_sampler_"):
                self.__dict__.pop(name, None)
        return self

    @staticmethod
    def _with_targets(X, y_enc):
        # skorch takes a dataset as it is: ours carries the labels itself
        return X.with_targets(y_enc) if isinstance(X, _ClipDataset) else X

    @contextlib.contextmanager
    def _grad_scaler(self):
        """amp=True: a grad scaler for this training call (its scale adapts within a few steps)."""
        if self.amp is True:
            self.scaler_ = torch.amp.GradScaler("cuda")
        try:
            yield
        finally:
            self.__dict__.pop("scaler_", None)

    def partial_fit(
        self, X: ArrayLike, y: ArrayLike, classes: ArrayLike | None = None, **fit_params: Any
    ) -> AudioNetClassifier:
        """Train ``max_epochs`` more epochs (``fit`` if unfitted).

        A one-cycle schedule runs a new cycle over these epochs. Seeded: the same
        estimator state, data and ``random_state`` give the same result.

        Returns
        -------
        self : object
        """
        if getattr(self, "_fitting_", False):  # skorch's fit trains through partial_fit
            return super().partial_fit(X, y, classes=classes, **fit_params)
        if not hasattr(self, "classes_inferred_"):
            return self.fit(X, y, **fit_params)
        self._validate_params()
        X = self._check_predict_input(X)
        y = self._validate_y(X, y)
        y_enc = self._encode(y, self.classes_)
        if not hasattr(self, "_seed_"):  # initialize() without fit
            self._seed_ = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        self.augmentation_ = self._build_augmentation(X.shape[1])  # set_params since fit counts
        self._fitting_ = True
        try:
            # a seed of its own per call: the history's length tells the calls apart
            with (
                self._seeded((self._seed_ + len(self.history_)) % np.iinfo(np.int32).max),
                self._grad_scaler(),
            ):
                super().partial_fit(self._with_targets(X, y_enc), y_enc, **fit_params)
                self._refresh_batchnorm(X)
        finally:
            del self._fitting_
        return self

    @contextlib.contextmanager
    def _seeded(self, seed):
        """One training call: torch's global generator seeded with ``seed`` and restored
        afterwards, and this estimator's thread count."""
        with torch.random.fork_rng(devices=[]), torch_threads(self._n_threads()):
            torch.manual_seed(seed)
            self._call_seed_ = seed  # the balanced sampler's seed (get_iterator)
            try:
                yield
            finally:
                del self._call_seed_

    def _refresh_batchnorm(self, X):
        """Re-estimate the batch norms' running statistics on the training clips.

        Why: the running statistics are a moving average (momentum 0.1, from 0 and 1)
        over the training steps while the weights move, so after a short training they
        lag the final weights. The demo's tiny SE-CNN (24 steps a fold) ranked the
        classes perfectly (macro ROC AUC 1) but scored 0.35-0.70 accuracy; refreshed,
        1.0 in all nine folds of seeds 0, 2, 4. One forward pass, no gradient, dropout
        and augmentation off (clean clips, as at prediction); cumulative averages of
        the batches' statistics, as batch norm's ``momentum=None``. Not
        ``torch.optim.swa_utils.update_bn``: it puts the whole network in training
        mode, so dropout would perturb the statistics.
        """
        bns = [
            m
            for m in self.module_.modules()
            if isinstance(m, torch.nn.modules.batchnorm._BatchNorm) and m.track_running_stats
        ]
        if not bns or len(X) < 2:
            return
        saved = [(m.momentum, copy.deepcopy(m.state_dict())) for m in bns]
        self.module_.eval()
        for m in bns:
            m.reset_running_stats()
            m.momentum = None
            m.train()
        device = self.device if self.device is not None else next(self.module_.parameters()).device
        try:
            with torch.no_grad(), self._autocast():
                for i in range(0, len(X) - 1, self.batch_size):  # no batch of one clip
                    rows = (
                        X.rows(i, min(len(X), i + self.batch_size))
                        if isinstance(X, _ClipDataset)
                        else X[i : i + self.batch_size]
                    )
                    self.module_(
                        self._to_device(rows) if self.device is not None else to_tensor(rows, device=device)
                    )
        except Exception:
            for m, (_, state) in zip(bns, saved):
                m.load_state_dict(state)
            raise
        finally:
            for m, (momentum, _) in zip(bns, saved):
                m.momentum = momentum
            self.module_.eval()

    def _n_threads(self):
        # joblib's convention, None = 1: these networks are small for a CPU, and torch's
        # default (a thread per core) made the demo's SE-CNN step 3-9x slower in wall time
        # on 2 cores, more when anything else ran (see the n_jobs parameter)
        return resolve_n_jobs(self.n_jobs)

    def _check_predict_input(self, X):
        check_is_fitted(self, "classes_inferred_")
        X = self._validate_X(X)
        if X.shape[1] != getattr(self, "n_features_in_", X.shape[1]):  # unknown after initialize()
            raise ValueError(
                f"X has {X.shape[1]} features, but {type(self).__name__} is expecting "
                f"{self.n_features_in_} features as input ("
                f"{'samples' if self._input == 'waveform' else 'frequency rows'} per clip)"
            )
        return X

    def predict_proba(self, X: ArrayLike) -> NDArray[np.float64]:
        """Class probabilities ``(n_clips, n_classes)``, columns in the order of ``classes_``."""
        if is_dataset(X) and not isinstance(X, AudioFileDataset):  # skorch's validation scoring in fit
            return super().predict_proba(X)
        X = self._check_predict_input(X)
        with torch.inference_mode(), torch_threads(self._n_threads()):
            proba = super().predict_proba(X).astype(np.float64)
        if not np.isfinite(proba).all():
            raise ValueError(self._non_finite("probabilities", X))
        return proba

    def _non_finite(self, what, X):
        """Why the network gave non-finite ``what`` on the (finite) input ``X``."""
        if isinstance(X, _ClipDataset):
            peak = X.peak()
        else:
            peak = float(np.abs(X).max()) if isinstance(X, np.ndarray) else float(X.abs().max())
        if peak > 1e18:  # squares (batch norm, standardisation) overflow float32 beyond ~1.8e19
            return (
                f"{type(self).__name__} gave non-finite {what}: X holds values up to {peak:.3g} in "
                "magnitude, where the network's float32 arithmetic overflows; rescale X first "
                "(e.g. dB spectrograms, or X / np.abs(X).max())"
            )
        return (
            f"{type(self).__name__} gave non-finite {what} on finite X (values up to {peak:.3g}); "
            "check the network's weights: did training diverge (history[:, 'train_loss'])?"
        )

    def predict(self, X: ArrayLike) -> np.ndarray:
        """Most probable class label of each clip."""
        if is_dataset(X) and not isinstance(X, AudioFileDataset):  # skorch's scoring: encoded labels
            return super().predict_proba(X).argmax(axis=1)
        proba = self.predict_proba(X)
        return self.classes_[proba.argmax(axis=1)]

    # -- export -----------------------------------------------------------------
    def to_torchscript(
        self,
        path: str | os.PathLike,
        *,
        include_frontend: bool = False,
        frontend: Any = None,
        output: Literal["proba", "logits"] = "proba",
    ) -> Path:
        """Save the trained network as a TorchScript file that runs without skaudio.

        The saved graph is the network in evaluation mode followed by the softmax of
        :meth:`predict_proba`: ``torch.jit.load(path)(x)`` returns the probabilities
        ``(n_clips, n_classes)``, columns in the order of ``classes_``, for a float32
        tensor ``x`` of clips of the size seen in ``fit`` (any number of clips). The
        file carries ``skaudio.json`` (the class labels, the input kind and shape), read
        with ``torch.jit.load(path, _extra_files={"skaudio.json": ""})``. Before the file
        is written, the saved graph is loaded back and checked against the network on
        another batch size than the traced one (within 1e-4).

        Parameters
        ----------
        path : str or path-like
            The file to write (conventionally ``.pt``); an existing file is replaced.
        include_frontend : bool, default=False
            Trace the torch twin of ``frontend`` with the network, so the graph takes
            waveforms ``(n_clips, n_samples)``. Classifiers that take waveforms already
            (:class:`DualBranchClassifier`, whose front end is part of its network) export
            the same waveform graph either way.
        frontend : transformer or Pipeline, default=None
            With ``include_frontend=True``: the fitted front end that made the training
            input, a :class:`~skaudio.features.Spectrogram`,
            :class:`~skaudio.features.MelSpectrogram` or
            :class:`~skaudio.features.PowerToDb`, or a ``Pipeline`` of them (``pipe[:-1]``).
        output : {"proba", "logits"}, default="proba"
            Probabilities as :meth:`predict_proba` gives them, or the network's raw scores.

        Returns
        -------
        path : pathlib.Path

        Raises
        ------
        sklearn.exceptions.NotFittedError
            The estimator is not fitted.
        RuntimeError
            The network cannot be traced, or the traced graph does not reproduce it.

        Examples
        --------
        >>> import tempfile
        >>> from pathlib import Path
        >>> import numpy as np
        >>> import torch
        >>> from skaudio.models import SECNNClassifier
        >>> X = np.random.default_rng(0).standard_normal((8, 16, 20)).astype(np.float32)
        >>> clf = SECNNClassifier(module__width=4, module__n_blocks=2, module__head=(8,),
        ...                       max_epochs=1, random_state=0, n_jobs=1).fit(X, np.arange(8) % 2)
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     net = torch.jit.load(clf.to_torchscript(Path(tmp) / "secnn.pt"))
        ...     proba = net(torch.from_numpy(X[:3])).detach().numpy()
        >>> bool(np.allclose(proba, clf.predict_proba(X[:3]), atol=1e-4))
        True
        """
        from skaudio.models import export

        with torch_threads(self._n_threads()):
            return export.to_torchscript(
                self, path, include_frontend=include_frontend, frontend=frontend, output=output
            )

    def to_onnx(
        self,
        path: str | os.PathLike,
        *,
        include_frontend: bool = False,
        frontend: Any = None,
        output: Literal["proba", "logits"] = "proba",
        opset_version: int | None = None,
    ) -> Path:
        """Save the trained network as an ONNX model (for onnxruntime and other runtimes).

        Needs the optional packages of ``pip install 'skaudio[export]'`` (onnx,
        onnxscript and onnxruntime). The graph has one input, ``"spectrogram"`` or
        ``"waveform"`` (float32, a dynamic batch axis, the other axes of the size seen in
        ``fit``), and one output, ``"proba"`` (as :meth:`predict_proba`) or ``"logits"``.
        The model's metadata ``"skaudio"`` holds the class labels and the input kind and
        shape as JSON. Before the file is written, onnxruntime runs the graph on another
        batch size than the traced one and its output must equal the network's within 1e-4.

        Parameters
        ----------
        path : str or path-like
            The file to write (conventionally ``.onnx``); an existing file is replaced.
        include_frontend, frontend, output
            As in :meth:`to_torchscript`.
        opset_version : int or None, default=None
            ONNX opset; None uses the exporter's default.

        Returns
        -------
        path : pathlib.Path

        Raises
        ------
        sklearn.exceptions.NotFittedError
            The estimator is not fitted.
        ImportError
            onnx, onnxscript or onnxruntime is missing (``pip install 'skaudio[export]'``).
        RuntimeError
            An operation of the network has no ONNX translation, or the exported graph does
            not reproduce the network.
        """
        from skaudio.models import export

        with torch_threads(self._n_threads()):
            return export.to_onnx(
                self,
                path,
                include_frontend=include_frontend,
                frontend=frontend,
                output=output,
                opset_version=opset_version,
            )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = self._input == "spectrogram"
        tags.input_tags.positive_only = self._nonnegative
        tags.non_deterministic = False
        return tags


def _dataset_labels(dataset):
    """The (encoded) label of every item of a training dataset: skorch's ``Dataset``,
    the ``Subset`` its validation split makes of one, or any dataset of ``(X, y)`` items."""
    if isinstance(dataset, torch.utils.data.Subset):
        return _dataset_labels(dataset.dataset)[np.asarray(dataset.indices, dtype=np.int64)]
    y = getattr(dataset, "y", None)
    if y is not None:
        return np.asarray(to_numpy(y) if isinstance(y, torch.Tensor) else y)
    return np.asarray([int(dataset[i][1]) for i in range(len(dataset))])


def _optimizer_args(optimizer):
    try:
        return inspect.signature(optimizer).parameters
    except (TypeError, ValueError):
        return {}
