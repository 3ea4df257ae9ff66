"""SincGram filterbank as a scikit-learn transformer (fixed, or learned from labels)."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d

from skaudio._batching import map_batches, torch_threads
from skaudio._sklearn_compat import Interval, fit_context
from skaudio._validation import check_device, check_spectrograms
from skaudio.features._output import ArrayOutputMixin, validate_features

__all__ = ["SincGramTransformer"]


class SincGramTransformer(ClassNamePrefixFeaturesOutMixin, ArrayOutputMixin, BaseEstimator):
    """Learnable Butterworth band-pass filterbank (SincGram) over linear spectrograms.

    Maps power (or magnitude) spectrograms ``(n_clips, n_freqs, n_frames)`` to band
    energies ``(n_clips, n_filters, n_frames)`` with the filters ``g(f) = 1 / sqrt(1 +
    ((f - a) / b) ** (2 order))`` of :class:`skaudio.nn.SincGramModule` [DEG]_. ``fit``
    places the centres ``a`` on the mel scale over ``[fmin, fmax]``; with labels and
    ``learn=True`` the centres and half-widths are then trained, jointly with a linear
    classifier on the time-averaged log band energies (the "small head"), by Adam with
    cross-entropy, so the bands move to the frequencies that separate the classes.
    A 2-D input ``(n_clips, n_freqs)`` (one spectrum per clip) gives ``(n_clips,
    n_filters)``. ``get_feature_names_out`` names the filters
    (``sincgramtransformer0``, ...): the columns of a 2-D output, which
    ``set_output(transform="pandas")`` turns into a DataFrame, or axis 1 of a
    3-D one, which stays an ndarray.

    Parameters
    ----------
    sr : float
        Sampling rate of the audio the spectrograms come from (places the mel
        initialisation and labels ``center_freqs_`` in Hz).
    n_filters : int, default=64
        Number of filters (64 in the paper).
    order : int, default=4
        Butterworth order.
    fmin : float, default=0.0
        Lowest initial band edge in Hz.
    fmax : float, default=None
        Highest initial band edge in Hz; ``sr / 2`` when None.
    learn : bool, default=False
        Train centres and widths on ``(X, y)`` in ``fit``.
    max_epochs : int, default=100
        Training epochs when learning.
    lr : float, default=0.01
        Adam learning rate of the head when learning.
    filterbank_lr_scale : float, default=0.02
        The centres' and half-widths' learning rate is ``lr * filterbank_lr_scale``
        (why: see :class:`skaudio.nn.SincGramModule`). At the head's rate, 30 epochs on ESC-10
        moved the centres by 1000 Hz on average, some below 0 Hz.
    batch_size : int, default=64
        Clips per training step and per transform batch.
    random_state : int, RandomState or None, default=None
        Seeds the head's initialisation and the batch order.
    device : str, default="cpu"
        torch device; ``fit`` refuses one that is absent here (``"cuda"`` without a GPU).
    n_jobs : int, default=None
        torch threads; None keeps torch's own setting (``torch.set_num_threads``,
        see :doc:`/design`, "n_jobs"), -1 means all cores. Under a cluster joblib
        backend (``joblib.parallel_config(backend="dask")``) every batch of
        ``transform`` is a joblib task instead (see :doc:`/user_guide/scaling`).
    verbose : bool, default=False
        Progress bars over epochs and batches.

    Attributes
    ----------
    filters_ : ndarray of shape (n_freqs, n_filters)
        The filter matrix ``W`` (one filter per column).
    center_freqs_ : ndarray of shape (n_filters,)
        Filter centres in Hz.
    bandwidths_ : ndarray of shape (n_filters,)
        Filter half-widths in Hz.
    loss_curve_ : list of float
        Mean training loss per epoch (empty unless ``learn``).
    classes_ : ndarray
        Labels seen when learning.
    n_features_in_ : int
        Frequency bins per input spectrum.

    References
    ----------
    .. [DEG] Foggia, Greco, Roberto, Saggese, Vento, "DEGramNet: effective audio analysis
       based on a fully learnable time-frequency representation", Neural Computing and
       Applications, 2023.

    Examples
    --------
    >>> import numpy as np
    >>> from skaudio.features import SincGramTransformer
    >>> S = np.random.default_rng(0).random((4, 257, 30)).astype(np.float32)
    >>> sg = SincGramTransformer(sr=16000, n_filters=40).fit(S)
    >>> sg.transform(S).shape
    (4, 40, 30)
    >>> bool(np.all(np.diff(sg.center_freqs_) > 0))  # mel-spaced, increasing
    True
    """

    _parameter_constraints = {
        "sr": [Interval(Real, 0, None, closed="neither")],
        # 2**16 filters: more than the rows of any spectrogram up to n_fft=2**17
        "n_filters": [Interval(Integral, 1, 2**16, closed="both")],
        "order": [Interval(Integral, 1, 64, closed="both")],  # a Gammatone-like filter's order
        "fmin": [Interval(Real, 0, None, closed="left")],
        "fmax": [Interval(Real, 0, None, closed="neither"), None],
        "learn": ["boolean"],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "filterbank_lr_scale": [Interval(Real, 0, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "device": [str],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        sr: float = 16000.0,
        *,
        n_filters: int = 64,
        order: int = 4,
        fmin: float = 0.0,
        fmax: float | None = None,
        learn: bool = False,
        max_epochs: int = 100,
        lr: float = 0.01,
        filterbank_lr_scale: float = 0.02,
        batch_size: int = 64,
        random_state: int | np.random.RandomState | None = None,
        device: str = "cpu",
        n_jobs: int | None = None,
        verbose: bool = False,
    ) -> None:
        self.sr = sr
        self.n_filters = n_filters
        self.order = order
        self.fmin = fmin
        self.fmax = fmax
        self.learn = learn
        self.max_epochs = max_epochs
        self.lr = lr
        self.filterbank_lr_scale = filterbank_lr_scale
        self.batch_size = batch_size
        self.random_state = random_state
        self.device = device
        self.n_jobs = n_jobs
        self.verbose = verbose

    def _validate(self, X, reset):
        X_in, X = X, check_spectrograms(X, name="X", ndim=(2, 3), nonnegative=True)
        validate_features(self, X_in, X, reset=reset)
        return X

    def _module(self):
        from skaudio.nn.sincgram import SincGramModule

        return SincGramModule(self.n_features_in_, self.n_filters, self.order, self.sr, self.fmin, self.fmax)

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: ArrayLike, y: ArrayLike | None = None) -> SincGramTransformer:
        """Initialise the filters on the mel scale and, with ``learn=True``, train them on ``y``.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_freqs, n_frames) or (n_clips, n_freqs)
            Non-negative linear-frequency spectrograms.
        y : array-like of shape (n_clips,), optional
            Class labels; required when ``learn=True``.

        Returns
        -------
        self : object
        """
        import torch

        check_device(self.device)
        X = self._validate(X, reset=True)
        if X.shape[1] < 2:
            raise ValueError(
                f"X has {X.shape[1]} feature(s) (frequency bins); the SincGram filterbank needs at least 2"
            )
        fmax = self.sr / 2 if self.fmax is None else self.fmax
        if not self.fmin < fmax <= self.sr / 2:
            raise ValueError(f"need fmin < fmax <= sr/2, got fmin={self.fmin}, fmax={fmax}, sr={self.sr}")
        module = self._module()
        self.loss_curve_ = []
        if self.learn:
            if y is None:
                raise ValueError("learn=True needs the class labels y to train the filters")
            y = column_or_1d(y, warn=True)
            check_classification_targets(y)
            if len(y) != len(X):
                raise ValueError(f"X and y have different numbers of clips: {len(X)} and {len(y)}")
            self.classes_, y_enc = np.unique(y, return_inverse=True)
            rng = check_random_state(self.random_state)
            with torch.random.fork_rng(devices=[]), torch_threads(self.n_jobs):
                torch.manual_seed(int(rng.randint(np.iinfo(np.int32).max)))
                self._train(module, X, y_enc, rng)
        self._set_state(module)
        return self

    def _train(self, module, X, y_enc, rng):
        import torch
        from tqdm.auto import trange

        module = module.to(self.device)
        head = torch.nn.Linear(self.n_filters, len(self.classes_)).to(self.device)
        norm = torch.nn.BatchNorm1d(self.n_filters, affine=False).to(self.device)
        opt = torch.optim.Adam(
            [
                {"params": module.parameters(), "lr": self.lr * self.filterbank_lr_scale},
                {"params": head.parameters()},
            ],
            lr=self.lr,
        )
        Xt = torch.from_numpy(X if X.ndim == 3 else X[:, :, None])
        yt = torch.from_numpy(np.asarray(y_enc, dtype=np.int64))
        for _ in trange(self.max_epochs, disable=not self.verbose, desc="SincGram epochs", leave=False):
            order = rng.permutation(len(X))
            total = 0.0
            for start in range(0, len(X), self.batch_size):
                idx = torch.from_numpy(order[start : start + self.batch_size])
                xb, yb = Xt[idx].to(self.device), yt[idx].to(self.device)
                feats = module.log_energies(xb).mean(-1)
                loss = torch.nn.functional.cross_entropy(head(norm(feats) if len(idx) > 1 else feats), yb)
                if not torch.isfinite(loss):  # stop rather than learn NaN filters
                    with torch.no_grad():
                        self._check_overflow(
                            X, module.log_energies(xb).cpu().numpy(), module.filters().cpu().numpy()
                        )
                    raise ValueError(
                        f"training diverged (non-finite loss at epoch {len(self.loss_curve_) + 1}); lower lr"
                    )
                opt.zero_grad()
                loss.backward()
                opt.step()
                total += float(loss.detach()) * len(idx)
            self.loss_curve_.append(total / len(X))

    def _set_state(self, module):
        import torch

        with torch.no_grad():
            self.filters_ = module.filters().cpu().numpy().astype(np.float32)
            self.center_freqs_ = module.center_freqs()
            self.bandwidths_ = module.width.detach().abs().cpu().numpy().astype(np.float64) * self.sr / 2
        self._state = {k: v.detach().cpu().clone() for k, v in module.state_dict().items()}

    def transform(self, X: ArrayLike) -> NDArray[np.float32]:
        """Band energies of the fitted filterbank.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_freqs, n_frames) or (n_clips, n_freqs)

        Returns
        -------
        E : ndarray of shape (n_clips, n_filters, n_frames) or (n_clips, n_filters), float32

        Raises
        ------
        ValueError
            When an energy exceeds the float32 range (inputs near 3e38); the
            energies are linear in ``X``, so rescaling ``X`` rescales them.
        """
        check_is_fitted(self, "filters_")
        X = self._validate(X, reset=False)
        if X.ndim == 2:
            with np.errstate(over="ignore"):  # reported below, naming the cause
                out = X @ self.filters_
        else:
            out = np.empty((X.shape[0], self.n_filters, X.shape[2]), dtype=np.float32)
            for sl, part in map_batches(
                self._transform_batch,
                X,
                self.batch_size,
                n_jobs=self.n_jobs,
                verbose=self.verbose,
                desc=type(self).__name__,
            ):
                out[sl] = part
        self._check_overflow(X, out, self.filters_)
        return out

    @staticmethod
    def _check_overflow(X, E, filters):
        """Refuse band energies beyond float32 (finite non-negative input: overflow is the only cause)."""
        if np.isfinite(E).all():
            return
        widest = float(filters.sum(axis=0).max())
        raise ValueError(
            f"X holds values up to {float(X.max()):.4g}: the band energies, weighted sums of up to "
            f"{widest:.4g} times that, exceed the float32 range (+-{float(np.finfo(np.float32).max):.4g}); "
            "rescale X first (e.g. X / X.max(); the energies scale with it)"
        )

    def _transform_batch(self, X, n_threads):
        """Band energies of a validated 3-D batch with ``n_threads`` torch threads."""
        import torch

        module = self._module()
        module.load_state_dict(self._state)
        module = module.to(self.device).eval()
        with torch.inference_mode(), torch_threads(n_threads):
            return module(torch.from_numpy(X).to(self.device)).cpu().numpy()

    @property
    def _n_features_out(self):
        return self.filters_.shape[1]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = True
        tags.input_tags.three_d_array = True
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags
