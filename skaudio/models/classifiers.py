"""scikit-learn classifiers wrapping the skaudio networks (built on skorch)."""

from __future__ import annotations

import inspect
from typing import Any

import torch

from skaudio.models._base import AudioNetClassifier
from skaudio.nn.networks import SECNN, DEGramNet, DualBranchNet

__all__ = ["SECNNClassifier", "DEGramNetClassifier", "DualBranchClassifier"]

_COMMON_DOC = """
    module : torch.nn.Module class or instance, default=None
        The network; None uses {net}. Its constructor arguments are parameters of the
        estimator with the prefix ``module__`` (``module__width=32``); ``n_classes``
        (and, where the network needs it, the input size) is filled in from the data.
    criterion, optimizer
        Loss and optimiser classes (cross-entropy and AdamW); their arguments take the
        prefixes ``criterion__`` and ``optimizer__``.
    lr : float, default={lr}
        Learning rate (the maximum of the one-cycle schedule).
    max_epochs : int, default={max_epochs}
    batch_size : int, default={batch_size}
    train_split : callable or None, default=None
        skorch's split; None uses a stratified ``validation_fraction`` hold-out when
        ``early_stopping`` is set and no hold-out otherwise.
    callbacks : list or None
        Extra skorch callbacks.
    device : str, default="cpu"
        torch device.
    verbose : int, default=0
        1 prints one line per epoch, 2 also shows a progress bar over batches.
    random_state : int, RandomState or None, default=None
        Seeds weight initialisation, shuffling, the validation split, dropout and the
        augmentation, so the same seed gives the same predictions. torch's global
        random state is restored after ``fit``.
    weight_decay : float, default={weight_decay}
        AdamW weight decay (``optimizer__weight_decay`` overrides it).
    early_stopping : bool, default={early_stopping}
        Stop when the validation loss has not improved for ``patience`` epochs and keep
        the best weights.
    validation_fraction : float, default=0.15
    patience : int, default={patience}
    lr_schedule : {{"plateau", "onecycle", None}}, default="{lr_schedule}"
        ``"plateau"`` divides the learning rate by ``1 / lr_factor`` when the monitored
        loss stalls for ``lr_patience`` epochs; ``"onecycle"`` is the one-cycle policy
        stepped every batch.
    lr_factor : float, default=0.1
    lr_patience : int, default={lr_patience}
    ema_decay : float or None, default={ema_decay}
        Keep an exponential moving average of the weights (bias-corrected, see
        :class:`skaudio.models.EMA`) and use it after training.
    noise : str, tuple of str or None, default={noise}
        Noise colours (``"white"``, ``"pink"``, ``"brown"``) added during training, one
        colour drawn per clip, at ``noise_snr`` dB to a ``noise_prob`` share of the clips.
        {noise_domain}
    noise_snr : float, default=15.0
    noise_prob : float, default=0.5
    noise_freqs : array-like or None, default=None
        Centre frequency of each input row in Hz (spectrogram estimators), used to
        colour the noise; None assumes {rows}.
    time_shift_prob : float, default={time_shift_prob}
        Probability of a circular time shift of a clip during training.
    time_shift_max : float, default=0.2
        Largest shift, as a fraction of the clip length.
    mixup_alpha : float, default={mixup_alpha}
        mixup with ``Beta(alpha, alpha)`` weights (0 disables it).
    random_crop : float, (float, float) or None, default={random_crop}
        Train on one random crop per batch keeping this share of the time axis (or a
        share drawn from the range); prediction uses the whole input.
    spec_augment : (int, int) or None, default={spec_augment}
        SpecAugment on training batches of spectrograms: the numbers of frequency bands
        (up to 15 % of the rows each) and frame ranges (up to 10 % of the frames each)
        replaced by the clip's mean. Spectrogram estimators only.
    filterbank_lr_scale : float, default={filterbank_lr_scale}
        Learning-rate multiplier of a learnable filterbank in the network (the SincGram
        centres and widths{bank}); these parameters also get no weight decay. 0 keeps the
        mel-initialised bank fixed. Why the bank needs a lower rate: see
        :class:`skaudio.nn.SincGramModule`.
    classes : array-like or None, default=None
        The class labels in the order of the network's outputs; None uses the sorted
        labels seen in ``fit``. Needed to predict after ``initialize()`` and
        ``load_params`` without fitting.
    n_jobs : int or None, default=None
        torch threads used by ``fit`` and prediction, restored afterwards (joblib's
        convention: None means 1, -1 all cores). One thread is the default because
        these networks are small for a CPU: the demo's tiny SE-CNN (3-fold CV, 2 cores)
        took 14 s with one thread against 45 s with two, and 133 s with torch's own
        default while another process was busy. Raise it for large inputs on an idle
        machine; for a grid search prefer ``GridSearchCV(n_jobs=...)`` with one thread
        per fit.
    **kwargs
        Every parameter is checked when ``fit``, ``partial_fit`` or ``initialize`` runs
        (scikit-learn's ``InvalidParameterError``, a ``ValueError``, names the parameter
        and what it accepts). Any other skorch parameter (``iterator_train__num_workers``, ...). Training
        batches are drawn in a new random order every epoch
        (``iterator_train__shuffle=True``; skorch's own default keeps the data order).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels seen in ``fit``.
    n_features_in_ : int
        Frequency rows (or samples) per clip seen in ``fit``.
    module_ : torch.nn.Module
        The trained network.
    history_ : skorch History
        Per-epoch losses (``history_[:, "train_loss"]``).
"""


def _doc(cls, **fmt):
    # the defaults in the text are read from the signatures (the subclass's over the base's)
    defaults = {}
    for klass in (AudioNetClassifier, cls):
        defaults.update(
            {
                k: str(v.default)
                for k, v in inspect.signature(klass.__init__).parameters.items()
                if v.default is not inspect.Parameter.empty
            }
        )
    cls.__doc__ = cls.__doc__.replace("    %(common)s\n", _COMMON_DOC.format(**defaults, **fmt).lstrip("\n"))
    return cls


class SECNNClassifier(AudioNetClassifier):
    """SE-CNN classifier [NMF]_ on log-mel spectrogram batches.

    Input: the ``(n_clips, n_mels, n_frames)`` dB spectrograms of
    :class:`skaudio.features.MelSpectrogram` (each is standardised inside the network).
    The network is :class:`skaudio.nn.SECNN` (CPU-sized by default;
    ``skaudio.nn.PAPER_SIZES["SECNN"]`` gives the paper's 21.6 M-parameter size).
    The default recipe is the one measured best on ESC-10 with a CPU budget (see the
    user guide): AdamW with a one-cycle schedule over 80 epochs on all training clips,
    mixup, circular time shifts, SpecAugment masks and random crops of 60-100 % of the
    frames (the ``"cpu"`` recipe). The thesis' recipe (learning rate reduced on
    plateau, early stopping on a hold-out, coloured noise) is
    ``SECNNClassifier.from_recipe("thesis")``; ``SECNNClassifier.recipes`` lists the
    recipes and their settings.

    Parameters
    ----------
    %(common)s

    References
    ----------
    .. [NMF] Dwivedi, "Interpretation of representations of audio signals in hidden
       layers of a neural network using NMF", 2024 (thesis).

    Examples
    --------
    >>> import numpy as np
    >>> from skaudio.models import SECNNClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((20, 32, 32)).astype(np.float32)
    >>> y = np.repeat(["a", "b"], 10)
    >>> X[y == "b", :8] += 3.0  # class b is louder in the low bands
    >>> clf = SECNNClassifier(module__width=4, module__n_blocks=3, module__head=(16,),
    ...                       lr=1e-2, batch_size=5, max_epochs=10, early_stopping=False,
    ...                       mixup_alpha=0.0, noise=None, random_state=0, n_jobs=1)
    >>> clf.fit(X, y).predict_proba(X).shape
    (20, 2)
    >>> clf.score(X, y) > 0.8
    True
    """

    _default_module = SECNN
    _input = "spectrogram"
    _noise_scale = "mel"

    recipes = {
        "cpu": {},
        # the thesis: plateau schedule, early stopping on a hold-out, coloured noise
        "thesis": dict(
            lr=1e-3,
            lr_schedule="plateau",
            early_stopping=True,
            noise=("white", "pink", "brown"),
            random_crop=None,
        ),
    }

    def __init__(
        self,
        module: type[torch.nn.Module] | torch.nn.Module | None = None,
        *,
        patience: int = 12,
        lr_patience: int = 4,
        time_shift_prob: float = 0.3,
        mixup_alpha: float = 0.3,
        random_crop: float | tuple[float, float] | None = (0.6, 1.0),
        spec_augment: tuple[int, int] | None = (2, 2),
        **kwargs: Any,
    ) -> None:
        super().__init__(
            module,
            patience=patience,
            lr_patience=lr_patience,
            time_shift_prob=time_shift_prob,
            mixup_alpha=mixup_alpha,
            random_crop=random_crop,
            spec_augment=spec_augment,
            **kwargs,
        )


class DEGramNetClassifier(AudioNetClassifier):
    """DEGramNet [DEG]_ on linear-frequency power spectrogram batches.

    Input: ``(n_clips, n_fft // 2 + 1, n_frames)`` *power* spectrograms, e.g.
    ``Spectrogram(n_fft=512)`` (257 bins, as in the paper). The network is
    :class:`skaudio.nn.DEGramNet`: learnable SincGram filterbank, TF-DELayer attention,
    SpecAugment after DEGram during training (``module__freq_masks``,
    ``module__time_masks``), ECA residual network. Set ``module__sr`` to the sampling
    rate so the filters start on the right mel positions. The paper's recipe (Adam
    3e-4, batch 64, learning rate divided by 10 after 7 stalled epochs, early
    stopping patience 10, random crops, one learning rate for all parameters) is
    ``DEGramNetClassifier.from_recipe("paper")``; the default ``"cpu"`` recipe,
    measured better on ESC-10 (see the user guide), trains 60 epochs with a one-cycle
    schedule and mixup on all training clips.

    Parameters
    ----------
    %(common)s

    References
    ----------
    .. [DEG] Foggia, Greco, Roberto, Saggese, Vento, "DEGramNet: effective audio analysis
       based on a fully learnable time-frequency representation", Neural Computing and
       Applications, 2023.

    Examples
    --------
    >>> import numpy as np
    >>> from skaudio.models import DEGramNetClassifier
    >>> X = np.random.default_rng(0).random((12, 65, 40)).astype(np.float32)
    >>> clf = DEGramNetClassifier(module__n_filters=8, module__stem_width=4, module__width=2,
    ...                           module__sr=8000, max_epochs=2, early_stopping=False,
    ...                           random_state=0, n_jobs=1)
    >>> clf.fit(X, np.arange(12) % 3).predict(X).shape
    (12,)
    """

    _default_module = DEGramNet
    _input = "spectrogram"
    _noise_scale = "linear"
    _nonnegative = True

    recipes = {
        "cpu": {},
        # the paper: Adam(W) 3e-4, batch 64, plateau schedule (patience 7), early stopping
        # (patience 10), 40-60 % random crops, one learning rate for all parameters
        "paper": dict(
            lr=3e-4,
            batch_size=64,
            lr_schedule="plateau",
            early_stopping=True,
            mixup_alpha=0.0,
            random_crop=(0.4, 0.6),
            filterbank_lr_scale=1.0,
        ),
    }

    def __init__(
        self,
        module: type[torch.nn.Module] | torch.nn.Module | None = None,
        *,
        max_epochs: int = 60,
        lr_patience: int = 7,
        time_shift_prob: float = 0.3,
        mixup_alpha: float = 0.3,
        filterbank_lr_scale: float = 0.05,
        module__freq_masks: int = 2,
        module__time_masks: int = 2,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            module,
            max_epochs=max_epochs,
            lr_patience=lr_patience,
            time_shift_prob=time_shift_prob,
            mixup_alpha=mixup_alpha,
            filterbank_lr_scale=filterbank_lr_scale,
            module__freq_masks=module__freq_masks,
            module__time_masks=module__time_masks,
            **kwargs,
        )

    def _data_module_params(self, X):
        if X.shape[1] < 2:
            raise ValueError(
                f"X has {X.shape[1]} feature(s) (frequency bins); the SincGram filterbank needs at least 2"
            )
        return {"n_freqs": X.shape[1]}


class DualBranchClassifier(AudioNetClassifier):
    """Dual-branch raw-waveform CNN-Transformer [E2E]_ on waveform batches.

    Input: ``(n_clips, n_samples)`` float waveforms (the paper uses 22.05 kHz, 4 s,
    zero-padded; see :class:`skaudio.features.FixLength`). The network is
    :class:`skaudio.nn.DualBranchNet`; its CPU default starts the semantic branch with a
    learnable SincGram filterbank (``module__stem="sincgram"``; set ``module__sr`` to the
    sampling rate so the filters start on the right mel positions); SpecAugment can mask
    its output during training (``module__freq_masks``, ``module__time_masks``).
    ``module__standardize=True`` standardises each waveform first, so the predictions do
    not depend on a clip's level; it is off by default because on ESC-10 the level helped
    (see :class:`skaudio.nn.DualBranchNet`).
    Training uses the paper's optimiser and schedule (AdamW, one-cycle) with the CPU
    settings measured best on ESC-10 (see the user guide): learning rate 3e-3, 80
    epochs on whole clips, no augmentation, and max pooling over time
    (``module__pool="max"``, the network's default; on small data whose events fill most
    of the clip ``"avg"`` trains far more reliably, see the models user guide). Each
    augmentation of the paper's recipe is a parameter (``noise``, ``mixup_alpha``,
    ``time_shift_prob``, ``random_crop``, the masks); on ESC-10 they cost this network
    more than they gave. The paper's training is
    ``DualBranchClassifier.from_recipe("paper")``, and its network size
    ``from_recipe("paper", **{f"module__{k}": v for k, v in
    skaudio.nn.PAPER_SIZES["DualBranchNet"].items()})``.

    Parameters
    ----------
    %(common)s

    References
    ----------
    .. [E2E] Sun et al., "End-to-end audio pattern recognition network", 2025.

    Examples
    --------
    >>> import numpy as np
    >>> from skaudio.models import DualBranchClassifier
    >>> X = np.random.default_rng(0).standard_normal((8, 2048)).astype(np.float32)
    >>> clf = DualBranchClassifier(module__width=4, module__detail_width=8, module__d_model=16,
    ...                            module__n_heads=2, max_epochs=1, random_state=0,
    ...                            n_jobs=1)
    >>> clf.fit(X, np.arange(8) % 2).predict_proba(X).shape
    (8, 2)
    """

    _default_module = DualBranchNet
    _input = "waveform"

    recipes = {
        "cpu": {},
        # the paper's training (its network size is skaudio.nn.PAPER_SIZES["DualBranchNet"])
        "paper": dict(
            lr=3e-4,
            batch_size=64,
            ema_decay=0.995,
            noise=("white", "pink", "brown"),
            mixup_alpha=0.3,
        ),
    }

    def __init__(
        self,
        module: type[torch.nn.Module] | torch.nn.Module | None = None,
        *,
        weight_decay: float = 1e-5,
        filterbank_lr_scale: float = 0.05,
        module__freq_masks: int = 0,
        module__time_masks: int = 0,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            module,
            weight_decay=weight_decay,
            filterbank_lr_scale=filterbank_lr_scale,
            module__freq_masks=module__freq_masks,
            module__time_masks=module__time_masks,
            **kwargs,
        )


_doc(
    SECNNClassifier,
    net="SECNN",
    rows="mel-spaced rows from 0 to 11025 Hz",
    bank="; SE-CNN has none and ignores it",
    noise_domain="Added in the power domain of the dB input.",
)
_doc(
    DEGramNetClassifier,
    net="DEGramNet",
    rows="linearly spaced rows from 0 to Nyquist",
    bank=" of DEGram",
    noise_domain="Added in the power domain of the power-spectrogram input.",
)
_doc(
    DualBranchClassifier,
    net="DualBranchNet",
    rows="(unused for waveforms)",
    bank=' of the ``"sincgram"`` stem',
    noise_domain="Added to the waveforms.",
)
