"""Common machinery of the skorch-based audio classifiers."""

import copy
import math
import numbers

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d
from skorch import NeuralNetClassifier
from skorch.callbacks import Callback, EarlyStopping, LRScheduler, ProgressBar
from skorch.dataset import ValidSplit
from skorch.utils import is_dataset, to_tensor

from skaudio._validation import _as_array, check_spectrograms, check_waveforms
from skaudio.features._base import torch_threads
from skaudio.models import augment
from skaudio.nn.blocks import SpecAugment
from skaudio.nn.sincgram import SincGramModule

__all__ = ["AudioNetClassifier", "EMA", "OneCycle"]


class EMA(Callback):
    """Exponential moving average of the weights, swapped in at the end of training.

    After every training batch ``shadow = decay * shadow + (1 - decay) * weights``,
    starting from zero, and training ends with the bias-corrected average
    ``shadow / (1 - decay ** n_steps)``: a weighted mean of the weights this run
    visited, whose weights sum to one however short the run (the initial weights take
    no share). Floating-point buffers such as batch-norm statistics are averaged the
    same way; integer ones (batch counts) keep their last value.
    """

    def __init__(self, decay=0.995):
        self.decay = decay

    def on_train_begin(self, net, **kwargs):
        self.shadow_ = {
            k: torch.zeros_like(v) if v.dtype.is_floating_point else v.detach().clone()
            for k, v in net.module_.state_dict().items()
        }
        self.n_steps_ = 0

    def on_batch_end(self, net, batch=None, training=None, **kwargs):
        if not training:
            return
        self.n_steps_ += 1
        with torch.no_grad():
            for k, v in net.module_.state_dict().items():
                if v.dtype.is_floating_point and k in self.shadow_:
                    self.shadow_[k].mul_(self.decay).add_(v.detach(), alpha=1 - self.decay)
                else:
                    self.shadow_[k] = v.detach().clone()

    def on_train_end(self, net, **kwargs):
        if self.n_steps_ == 0:  # nothing trained: keep the weights
            return
        correction = 1.0 - self.decay**self.n_steps_
        net.module_.load_state_dict(
            {k: v / correction if v.dtype.is_floating_point else v for k, v in self.shadow_.items()}
        )


class OneCycle(LRScheduler):
    """One-cycle learning-rate policy stepped every batch, sized to the data at train start."""

    def __init__(self, max_lr=1e-3, **kwargs):
        super().__init__(torch.optim.lr_scheduler.OneCycleLR, max_lr=max_lr, step_every="batch", **kwargs)

    @property
    def kwargs(self):
        # one peak per parameter group, so a group's learning-rate scale survives the policy
        kwargs = super().kwargs
        scales = getattr(self, "group_scales_", None)
        if scales is not None and np.isscalar(kwargs["max_lr"]):
            kwargs["max_lr"] = [kwargs["max_lr"] * s for s in scales]
        return kwargs

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        self.group_scales_ = [g.get("lr_scale", 1.0) for g in net.optimizer_.param_groups]
        n = len(X) if X is not None else 1
        # an upper bound of the batches to come (the validation split only shortens them)
        self.total_steps = max(1, net.max_epochs * math.ceil(n / net.batch_size)) + 1
        super().on_train_begin(net, X=X, y=y, **kwargs)


class AudioNetClassifier(NeuralNetClassifier):
    """skorch classifier with the audio training recipe of the skaudio networks.

    Subclasses fix the network (``_default_module``), the input kind (spectrogram or
    waveform) and the defaults; see :class:`skaudio.models.SECNNClassifier` for the
    parameters.
    """

    _default_module = None
    _input = "spectrogram"
    _noise_scale = "mel"
    _nonnegative = False

    def __init__(
        self,
        module=None,
        *,
        criterion=torch.nn.CrossEntropyLoss,
        optimizer=torch.optim.AdamW,
        lr=1e-3,
        max_epochs=30,
        batch_size=32,
        train_split=None,
        callbacks=None,
        device="cpu",
        verbose=0,
        random_state=None,
        weight_decay=1e-2,
        early_stopping=True,
        validation_fraction=0.15,
        patience=10,
        lr_schedule="plateau",
        lr_factor=0.1,
        lr_patience=5,
        ema_decay=None,
        noise=None,
        noise_snr=15.0,
        noise_prob=0.5,
        noise_freqs=None,
        time_shift_prob=0.0,
        time_shift_max=0.2,
        mixup_alpha=0.0,
        random_crop=None,
        spec_augment=None,
        filterbank_lr_scale=1.0,
        n_jobs=None,
        **kwargs,
    ):
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
        self.spec_augment = spec_augment
        self.filterbank_lr_scale = filterbank_lr_scale
        self.n_jobs = n_jobs

    # -- parameters -------------------------------------------------------------
    def _check_params(self):
        def positive(name, value, allow_zero=False):
            if not isinstance(value, numbers.Real) or (value < 0 if allow_zero else value <= 0):
                raise ValueError(
                    f"{name} must be a {'non-negative' if allow_zero else 'positive'} number, got {value!r}"
                )

        positive("lr", self.lr)
        positive("weight_decay", self.weight_decay, allow_zero=True)
        positive("mixup_alpha", self.mixup_alpha, allow_zero=True)
        positive("filterbank_lr_scale", self.filterbank_lr_scale, allow_zero=True)
        for name in ("time_shift_prob", "noise_prob"):
            v = getattr(self, name)
            if not isinstance(v, numbers.Real) or not 0 <= v <= 1:
                raise ValueError(f"{name} must be in [0, 1], got {v!r}")
        if not isinstance(self.time_shift_max, numbers.Real) or not 0 <= self.time_shift_max < 1:
            raise ValueError(f"time_shift_max must be in [0, 1), got {self.time_shift_max!r}")
        if self.lr_schedule not in ("plateau", "onecycle", None):
            raise ValueError(
                f"lr_schedule must be one of ['plateau', 'onecycle', None], got {self.lr_schedule!r}"
            )
        if self.early_stopping and not 0 < self.validation_fraction < 1:
            raise ValueError(f"validation_fraction must be in (0, 1), got {self.validation_fraction!r}")
        if self.ema_decay is not None and not 0 < self.ema_decay < 1:
            raise ValueError(f"ema_decay must be in (0, 1) or None, got {self.ema_decay!r}")
        if self.noise is not None:
            colors = (self.noise,) if isinstance(self.noise, str) else tuple(self.noise)
            for c in colors:
                augment.noise_exponent(c)
        if self.random_crop is not None:
            vals = self.random_crop if isinstance(self.random_crop, (tuple, list)) else (self.random_crop,)
            if not all(isinstance(v, numbers.Real) and 0 < v <= 1 for v in vals):
                raise ValueError(
                    f"random_crop must be a fraction in (0, 1] or a (low, high) pair, "
                    f"got {self.random_crop!r}"
                )
        if self.spec_augment is not None:
            sa = self.spec_augment
            if not (
                isinstance(sa, (tuple, list))
                and len(sa) == 2
                and all(isinstance(v, numbers.Integral) and v >= 0 for v in sa)
            ):
                raise ValueError(
                    f"spec_augment must be None or a pair (n_freq_masks, n_time_masks) of "
                    f"non-negative integers, got {sa!r}"
                )
            if self._input == "waveform" and any(sa):
                raise ValueError(
                    f"spec_augment masks spectrogram rows and frames; "
                    f"{type(self).__name__} takes waveforms: leave it None"
                )

    def _noise_colors(self):
        return (self.noise,) if isinstance(self.noise, str) else tuple(self.noise)

    # -- input ------------------------------------------------------------------
    def _validate_X(self, X):
        if sp.issparse(X):
            raise TypeError(f"{type(self).__name__} does not support sparse input: pass a dense array")
        waveform = self._input == "waveform"
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
        if self._input == "waveform":
            return check_waveforms(X, name="X")
        X = check_spectrograms(X, name="X", ndim=(2, 3), nonnegative=self._nonnegative)
        return X[:, :, None] if X.ndim == 2 else X  # 2-D: single-frame spectrograms

    def _module_defaults(self, X):
        return {}

    # -- skorch hooks -----------------------------------------------------------
    def initialize(self):
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
        kwargs = self.get_params_for("module")
        module = self.module if self.module is not None else self._default_module
        if isinstance(module, type):  # sizes read from X in fit; initialize() without fit has none
            kwargs = {"n_classes": len(self.classes_), **getattr(self, "_module_kwargs_", {}), **kwargs}
        self.module_ = self.initialized_instance(module, kwargs)
        return self

    def get_params_for_optimizer(self, prefix, named_parameters):
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
        cbs = list(super().get_default_callbacks())
        monitor = "valid_loss" if self.early_stopping else "train_loss"
        if self.lr_schedule == "plateau":
            cbs.append(
                (
                    "lr_scheduler",
                    LRScheduler(
                        torch.optim.lr_scheduler.ReduceLROnPlateau,
                        monitor=monitor,
                        factor=self.lr_factor,
                        patience=self.lr_patience,
                    ),
                )
            )
        elif self.lr_schedule == "onecycle":
            cbs.append(("lr_scheduler", OneCycle(max_lr=self.lr)))
        if self.early_stopping:
            cbs.append(
                (
                    "early_stopping",
                    EarlyStopping(monitor="valid_loss", patience=self.patience, load_best=True),
                )
            )
        if self.ema_decay is not None:
            cbs.append(("ema", EMA(self.ema_decay)))
        if self.verbose and self.verbose > 1:
            cbs.append(("progress_bar", ProgressBar()))
        return cbs

    def get_split_datasets(self, X, y=None, **fit_params):
        if self.train_split is not None or not self.early_stopping:
            return super().get_split_datasets(X, y, **fit_params)
        dataset = self.get_dataset(X, y)
        split = ValidSplit(self.validation_fraction, stratified=True, random_state=self._seed_)
        return split(dataset, y, **fit_params)

    def check_data(self, X, y):
        if y is None:
            raise ValueError("y is required: pass the class labels of the clips")

    def train_step_single(self, batch, **fit_params):
        self._set_training(True)
        Xi, yi = batch
        X_in = Xi = to_tensor(Xi, device=self.device)
        yi = to_tensor(yi, device=self.device)
        Xi = self._augment(Xi)
        if self.mixup_alpha and self.mixup_alpha > 0:
            Xi, perm, lam = augment.mixup(Xi, self.mixup_alpha)
            y_pred = self.infer(Xi, **fit_params)
            loss = lam * self.get_loss(y_pred, yi, X=Xi, training=True) + (1 - lam) * self.get_loss(
                y_pred, yi[perm], X=Xi, training=True
            )
        else:
            y_pred = self.infer(Xi, **fit_params)
            loss = self.get_loss(y_pred, yi, X=Xi, training=True)
        if not torch.isfinite(loss):  # stop at once rather than train on NaN
            raise ValueError(self._non_finite("training loss", X_in))
        loss.backward()
        return {"loss": loss, "y_pred": y_pred}

    def _augment(self, x):
        if self.noise is not None and self.noise_prob > 0:
            if self._input == "waveform":
                x = augment.add_noise_waveform(x, self._noise_colors(), self.noise_snr, self.noise_prob)
            else:
                x = augment.add_noise_spectrogram(
                    x,
                    self._noise_freqs_,
                    self._noise_colors(),
                    self.noise_snr,
                    self.noise_prob,
                    db=self._noise_scale == "mel",
                )
        if self.time_shift_prob > 0 and self.time_shift_max > 0:
            x = augment.time_shift(x, self.time_shift_prob, self.time_shift_max)
        if self.spec_augment is not None and any(self.spec_augment):
            x = SpecAugment(*self.spec_augment).train()(x)
        if self.random_crop is not None:
            x = augment.random_crop(x, self.random_crop)
        return x

    # -- public API -------------------------------------------------------------
    def fit(self, X, y, **fit_params):
        """Train the network on ``X`` and class labels ``y``.

        Parameters
        ----------
        X : array-like
            Spectrogram batch ``(n_clips, n_freqs, n_frames)`` (waveforms
            ``(n_clips, n_samples)`` for :class:`DualBranchClassifier`).
        y : array-like of shape (n_clips,)
            Class labels (any type :func:`numpy.unique` sorts).

        Returns
        -------
        self : object
        """
        self._check_params()
        X = self._validate_X(X)
        if y is None:
            raise ValueError(f"{type(self).__name__} requires y to be passed, but the target y is None")
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        if len(y) != len(X):
            raise ValueError(f"X and y have different numbers of clips: {len(X)} and {len(y)}")
        # the network's outputs follow classes= when given (skorch's classes_), else sorted labels
        self.classes_inferred_ = np.unique(y) if self.classes is None else self._class_order(self.classes)
        y_enc = self._encode(y, self.classes_inferred_)
        self.n_features_in_ = X.shape[1]
        self.input_shape_ = X.shape[1:]
        self._module_kwargs_ = self._module_defaults(X)
        self._seed_ = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        if self._input == "spectrogram" and self.noise is not None:
            self._noise_freqs_ = self._row_freqs(X.shape[1])
        self._fitting_ = True
        try:
            with torch.random.fork_rng(devices=[]), torch_threads(self._n_threads()):
                torch.manual_seed(self._seed_)
                super().fit(X, y_enc, **fit_params)
                self._refresh_batchnorm(X)
        finally:
            del self._fitting_
        return self

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
        try:
            with torch.no_grad():
                for i in range(0, len(X) - 1, self.batch_size):  # no batch of one clip
                    self.module_(to_tensor(X[i : i + self.batch_size], device=self.device))
        except Exception:
            for m, (_, state) in zip(bns, saved):
                m.load_state_dict(state)
            raise
        finally:
            for m, (momentum, _) in zip(bns, saved):
                m.momentum = momentum
            self.module_.eval()

    def partial_fit(self, X, y, classes=None, **fit_params):
        """Continue training a fitted estimator for ``max_epochs`` more epochs (``fit`` if unfitted)."""
        if getattr(self, "_fitting_", False):  # skorch's fit trains through partial_fit
            return super().partial_fit(X, y, classes=classes, **fit_params)
        if not hasattr(self, "classes_inferred_"):
            return self.fit(X, y, **fit_params)
        X = self._check_predict_input(X)
        y = column_or_1d(y, warn=True)
        y_enc = self._encode(y, self.classes_)
        with torch_threads(self._n_threads()):
            super().partial_fit(X, y_enc, **fit_params)
        return self

    def _n_threads(self):
        # joblib's convention, None = 1: these networks are small for a CPU, and torch's
        # default (a thread per core) made the demo's SE-CNN step 3-9x slower in wall time
        # on 2 cores, more when anything else ran (see the n_jobs parameter)
        return 1 if self.n_jobs is None else self.n_jobs

    def _row_freqs(self, n_rows):
        if self.noise_freqs is not None:
            freqs = np.asarray(self.noise_freqs, dtype=np.float64)
            if freqs.shape != (n_rows,):
                raise ValueError(
                    f"noise_freqs must give one frequency per row ({n_rows}), got shape {freqs.shape}"
                )
            return freqs
        return augment.row_frequencies(n_rows, self._noise_scale)

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

    def predict_proba(self, X):
        """Class probabilities ``(n_clips, n_classes)``, columns in the order of ``classes_``."""
        if is_dataset(X):  # skorch's own validation scoring during fit
            return super().predict_proba(X)
        X = self._check_predict_input(X)
        with torch.inference_mode(), torch_threads(self._n_threads()):
            proba = super().predict_proba(X).astype(np.float64)
        if not np.isfinite(proba).all():
            raise ValueError(self._non_finite("probabilities", X))
        return proba

    def _non_finite(self, what, X):
        """Why the network gave non-finite ``what`` on the (finite) input ``X``."""
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

    def predict(self, X):
        """Most probable class label of each clip."""
        if is_dataset(X):  # skorch's own validation scoring: encoded labels
            return super().predict_proba(X).argmax(axis=1)
        proba = self.predict_proba(X)
        return self.classes_[proba.argmax(axis=1)]

    def score(self, X, y, sample_weight=None):
        """Mean accuracy on ``X``, ``y``."""
        from sklearn.metrics import accuracy_score

        return accuracy_score(y, self.predict(X), sample_weight=sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = self._input == "spectrogram"
        tags.input_tags.positive_only = self._nonnegative
        tags.non_deterministic = False
        return tags


def _optimizer_args(optimizer):
    import inspect

    try:
        return inspect.signature(optimizer).parameters
    except (TypeError, ValueError):
        return {}
