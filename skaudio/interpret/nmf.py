"""NMFInterpreter: the spectral patterns a hidden layer of a network stands for [NMF]_.

A hidden layer's activations ``H`` (channels x frames, one row per channel) are held
fixed, and a non-negative basis ``W`` (mel bands x channels) is learned so that the
clip's mel spectrogram ``V`` is approximately ``W H``. Column ``k`` of ``W`` is then
the spectral pattern that channel ``k``'s activity brings into the input.

References
----------
.. [NMF] Dwivedi, "Interpretation of representations of audio signals in hidden layers of a
   neural network using NMF", 2024 (thesis).
"""

from __future__ import annotations

import contextlib
import numbers
import threading
from numbers import Integral, Real
from typing import TYPE_CHECKING, Any

import librosa
import numpy as np
import torch
import torch.nn.functional as F
from numpy.typing import ArrayLike, NDArray
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, clone
from sklearn.decomposition import non_negative_factorization
from sklearn.metrics import r2_score
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from skaudio._batching import resolve_n_jobs, torch_threads
from skaudio._sklearn_compat import HasMethods, Interval, StrOptions, fit_context
from skaudio.features._output import ArrayOutputMixin
from skaudio.interpret import _bases
from skaudio.interpret._hooks import (
    _capture,
    _check_layers,
    _unwrap,
    resolve_network,
    sequence_layout,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["NMFInterpreter"]

# BLAS thread limits are process-wide: fits that overlap in several threads would each save
# and restore them (the last leaving the others' limit behind), and threadpoolctl lets only
# one thread at a time change them (silently ignoring the others). Fits that set n_jobs
# therefore run one at a time; fits with n_jobs=None touch no limit and run in parallel.
_BLAS_LOCK = threading.RLock()


@contextlib.contextmanager
def _blas_threads(n_jobs):
    """Limit BLAS to ``n_jobs`` threads (None: leave it), one such block at a time."""
    if n_jobs is None:
        yield
        return
    with _BLAS_LOCK, threadpool_limits(resolve_n_jobs(n_jobs), user_api="blas"):
        yield


def activations_to_h(
    A: ArrayLike,
    n_frames: int,
    *,
    layout: str = "channels_first",
    freq_pool: str = "mean",
    nonnegative: str = "relu",
) -> NDArray[np.float32]:
    """Turn a layer's outputs into non-negative activations ``(n, channels, n_frames)``.

    ``(n, C, F, T)`` outputs are made non-negative and pooled over their frequency
    axis, ``(n, C, T)`` outputs are made non-negative (``(n, T, C)`` for
    ``layout="channels_last"``), ``(n, C)`` outputs count as a single frame; the time
    axis is then resampled to ``n_frames`` by linear interpolation (a single frame is
    repeated).

    Parameters
    ----------
    A : ndarray
        Layer outputs, clips first.
    n_frames : int
    layout : {"channels_first", "channels_last"}
    freq_pool : {"mean", "max"}
    nonnegative : {"relu", "abs"}

    Returns
    -------
    H : ndarray of shape (n, channels, n_frames), float32
    """
    A = np.asarray(A, dtype=np.float32)
    if A.ndim < 2 or A.ndim > 4:
        raise ValueError(
            f"the layer's output has shape {A.shape}; expected (n, channels), "
            "(n, channels, time) or (n, channels, freq, time)"
        )
    if layout == "channels_last" and A.ndim > 2:
        A = np.moveaxis(A, -1, 1)
    A = np.maximum(A, 0.0) if nonnegative == "relu" else np.abs(A)
    if A.ndim == 4:
        A = A.mean(axis=2) if freq_pool == "mean" else A.max(axis=2)
    elif A.ndim == 2:
        A = A[:, :, None]
    t = torch.from_numpy(np.ascontiguousarray(A))
    if t.shape[-1] != n_frames:
        t = F.interpolate(t, size=int(n_frames), mode="linear", align_corners=False)
    return t.numpy()


class NMFInterpreter(ClassNamePrefixFeaturesOutMixin, ArrayOutputMixin, BaseEstimator):
    """Spectral patterns of a hidden layer: ``V ≈ W H`` with the layer's activations ``H`` fixed.

    For each clip, ``V`` is its mel spectrogram (mel bands x frames) and ``H`` the
    activations of ``layer`` of the fitted network (channels x frames: the layer's
    frequency axis pooled, its time axis resampled to the frames of ``V``, made
    non-negative). ``H`` is held fixed and only ``W >= 0`` (mel bands x channels) is
    learned, over all clips at once, so that ``V ≈ W H``. Column ``k`` of ``W``
    (``components_[:, k]``) is the spectral pattern that channel ``k`` contributes
    whenever it is active [NMF]_.

    Parameters
    ----------
    estimator : estimator, Pipeline or torch.nn.Module
        The fitted network to interpret: a skaudio classifier (or any fitted skorch
        ``NeuralNet``), a fitted ``Pipeline`` ending in one (the usual case: front end
        and network, taking waveforms), either wrapped in
        :class:`sklearn.frozen.FrozenEstimator`, or a ``torch.nn.Module``. It is used
        as it is, never refitted, and ``clone`` keeps it.
    layer : str
        Name of the layer, as ``estimator.module_.named_modules()`` (or
        :func:`skaudio.interpret.layer_names`) gives it, e.g. ``"features.13"``.
    basis : {"softplus", "mel_constrained", "mel_basis"}, default="softplus"
        How ``W`` is parametrised:

        - ``"softplus"``: a free non-negative matrix (``W = softplus(theta)`` when
          fitted in torch). Without ``smoothness`` it is solved by scikit-learn's
          :func:`~sklearn.decomposition.non_negative_factorization` with
          ``update_H=False``.
        - ``"mel_constrained"``: each column is a triangle on the mel scale with a
          learned centre, half-width and height.
        - ``"mel_basis"``: each column is a non-negative combination of a fixed bank of
          ``n_filters`` Gaussian filters evenly spaced on the mel scale; only the
          scalings are learned.
    spectrogram : {"auto", "input", "input_db"} or transformer, default="auto"
        Where ``V`` comes from. X is always what ``estimator`` takes.

        - ``"auto"``: ``estimator`` is a Pipeline with a
          :class:`~skaudio.features.MelSpectrogram` step; ``V`` is that step's mel
          spectrogram without the dB conversion (``to_db=False``), of the same clips
          on the same frames.
        - ``"input"``: ``V`` is the network's input itself, which must be a
          non-negative ``(n, bands, frames)`` batch.
        - ``"input_db"``: the network's input is in dB (a bare
          :class:`~skaudio.models.SECNNClassifier` on log-mels); ``V`` is converted
          back to power (``10 ** (dB / 10)``).
        - a transformer (``MelSpectrogram(sr=..., to_db=False)``): cloned, fitted on
          ``X`` and applied to it; its output must be non-negative.
    n_mels : int or None, default=None
        Mel bands of ``V`` (``"auto"`` or a transformer with an ``n_mels``
        parameter); None keeps the source's.
    power : float or None, default=None
        Exponent of the magnitude in ``V`` (1 magnitude, 2 power) for ``"auto"``,
        ``"input_db"`` and transformers with a ``power`` parameter; None keeps the
        source's (power for ``"input_db"``). Not used with ``"input"``.
    db_range : float or None, default=None
        None keeps ``V`` linear (power or magnitude, as ``power`` says). A number turns
        ``V`` into decibels relative to each clip's maximum, floored ``db_range`` dB
        below it and mapped to [0, 1] (``1 + dB / db_range``): the log-compressed
        picture a log-mel network sees, still non-negative.
    normalize : bool, default=True
        Divide each clip's ``V`` by its maximum, so loud and quiet clips weigh the same.
    freq_pool : {"mean", "max"}, default="mean"
        How a ``(channels, freq, time)`` layer output is reduced over frequency.
    nonnegative : {"relu", "abs"}, default="relu"
        How the activations are made non-negative before pooling (layers after a
        ReLU are already).
    layout : {"auto", "channels_first", "channels_last"}, default="auto"
        Axis order of a 3-D layer output: ``(n, channels, time)`` or
        ``(n, time, channels)``; ``"auto"`` takes ``channels_last`` inside
        batch-first Transformers and RNNs, ``channels_first`` elsewhere.
    n_filters : int or None, default=None
        Gaussian filters of ``basis="mel_basis"``; None uses ``n_mels // 2`` (at least 2).
    smoothness : float, default=0.0
        Weight of the spectral-smoothness penalty
        ``sum_k ||h_k||^2 * ||D w_k||^2`` (``D``: differences between adjacent mel
        bands, ``h_k``: channel ``k``'s activations), added to ``||V - W H||_F^2``;
        the penalty is weighted by each channel's activation energy so the value is
        comparable to the reconstruction error.
    solver : {"auto", "cd", "mu", "lbfgs"}, default="auto"
        ``"cd"`` / ``"mu"``: scikit-learn's coordinate descent or multiplicative
        updates (``basis="softplus"`` without smoothness only); ``"lbfgs"``: L-BFGS
        in torch on the parametrised basis. ``"auto"`` is ``"cd"`` where it applies
        and ``"lbfgs"`` elsewhere.
    max_iter : int, default=200
        Iterations of the solver.
    tol : float, default=1e-4
        Tolerance: scikit-learn's for ``"cd"``/``"mu"``; for ``"lbfgs"``, stop when
        the objective changes by less than ``tol`` times its value.
    random_state : int, RandomState or None, default=None
        Seeds the initialisation of the torch bases (scikit-learn's solvers start from
        a deterministic ``W``).
    batch_size : int, default=32
        Clips per forward pass when capturing activations.
    n_jobs : int or None, default=None
        torch threads for the network and BLAS threads during ``fit``; -1 means all
        cores, None keeps each library's own setting (``torch.set_num_threads``,
        threadpoolctl or ``OMP_NUM_THREADS``; see :doc:`/design`, "n_jobs"). BLAS
        limits are process-wide: while a fit runs they hold for other threads too,
        and fits that set ``n_jobs`` run one at a time.
    verbose : int, default=0
        Print the objective every ten iterations (torch solver) and show progress.

    Attributes
    ----------
    components_ : ndarray of shape (n_mels, n_components)
        ``W``: column ``k`` is channel ``k``'s spectral pattern.
    n_components_ : int
        Channels of the layer.
    contributions_ : ndarray of shape (n_components,)
        Share of the reconstruction ``W H`` (summed over bands, frames and the clips of
        ``fit``) that each component carries; sums to 1. Channels the fit leaves unused
        have (near) zero.
    reconstruction_err_ : float
        ``||V - W H||_F`` over the clips seen in ``fit`` (scikit-learn's definition).
    loss_curve_ : ndarray
        The objective ``(||V - W H||^2 + penalty) / ||V||^2`` at the start and after
        each iteration of the torch solver; scikit-learn's solvers report only their
        result, so for them it holds the start (``W = 0``) and the end.
    n_iter_ : int
        Iterations run.
    solver_ : str
        The solver used.
    h_scale_ : ndarray of shape (n_components,)
        Each channel's largest activation in ``fit``; ``H`` is divided by it, so every
        row of ``H`` peaks at 1 and columns of ``W`` are comparable.
    frequencies_ : ndarray of shape (n_mels,) or None
        Centre frequency of each row of ``V`` in Hz, where the source knows it.
    mel_positions_ : ndarray of shape (n_mels,)
        Each row's position on the mel scale, normalised to [0, 1] (evenly spaced
        when the frequencies are unknown).
    spectrogram_ : transformer or None
        The fitted transformer giving ``V`` (``"auto"`` and transformer sources).
    layer_shape_ : tuple
        Shape of one clip's raw layer output in ``fit``.
    centres_, bandwidths_ : ndarray of shape (n_components,)
        ``basis="mel_constrained"`` only: triangle centres and half-widths in
        normalised mel units.
    centre_frequencies_ : ndarray of shape (n_components,) or None
        ``basis="mel_constrained"`` only: the centres in Hz (None when unknown).
    filterbank_ : ndarray of shape (n_mels, n_filters)
        ``basis="mel_basis"`` only: the fixed Gaussian filters.
    scalings_ : ndarray of shape (n_filters, n_components)
        ``basis="mel_basis"`` only: the learned scalings (``W = filterbank_ @ scalings_``).

    See Also
    --------
    skaudio.interpret.capture_activations : the layer outputs themselves.
    skaudio.interpret.grad_cam : class-activation maps of the same networks.
    sklearn.decomposition.non_negative_factorization : the free-basis solver.

    Notes
    -----
    The objective depends on the clips only through ``V H^T``, ``H H^T`` and
    ``||V||^2``, so the torch solver's iterations cost the same for ten clips or ten
    thousand. ``transform`` returns ``H`` (scaled by ``h_scale_``) and
    ``inverse_transform`` the reconstruction ``W H``, both per clip.

    ``H`` is 3-D, so ``set_output(transform="pandas")`` leaves it an ndarray (a
    pipeline that ends in a 2-D step such as :class:`~skaudio.features.Flatten`
    still returns a DataFrame); ``get_feature_names_out`` names its components
    (axis 1): ``nmfinterpreter0``, ``nmfinterpreter1``, ...

    Thread safety: a fitted interpreter's ``transform``, ``score``, ``get_spectrogram``
    and ``discriminative_components`` may be called from several threads at once, and
    several interpreters (of different layers, say) may be fitted in threads of their own
    on the same network, also while other threads run :func:`~skaudio.interpret.grad_cam`
    or :func:`~skaudio.interpret.capture_activations` on it. Each call records only its
    own forward passes, the network stays in evaluation mode until the last such call
    ends, and the seed reaches the bases through a generator of their own, so results
    equal those of the same calls made one after the other. Fits that set ``n_jobs``
    limit BLAS threads, which is process-wide, so they run one at a time. As for any
    scikit-learn estimator, one interpreter must not be fitted from two threads at once,
    nor the network trained meanwhile.

    References
    ----------
    .. [NMF] Dwivedi, "Interpretation of representations of audio signals in hidden
       layers of a neural network using NMF", 2024 (thesis).

    Examples
    --------
    A one-layer network on 8-band spectrograms whose three channels each sum a
    different pair of bands; ``V`` is the input itself. The learned patterns are those
    pairs.

    >>> import numpy as np, torch
    >>> from skaudio.interpret import NMFInterpreter
    >>> net = torch.nn.Sequential(torch.nn.Conv1d(8, 3, 1, bias=False), torch.nn.ReLU())
    >>> with torch.no_grad():
    ...     _ = net[0].weight.copy_(torch.eye(8)[[0, 3, 6]][:, :, None] +
    ...                             torch.eye(8)[[1, 4, 7]][:, :, None])
    >>> H = np.random.default_rng(0).random((10, 3, 50)).astype(np.float32)
    >>> X = np.zeros((10, 8, 50), np.float32)
    >>> X[:, [0, 1]], X[:, [3, 4]], X[:, [6, 7]] = H[:, :1], H[:, 1:2], H[:, 2:]
    >>> nmf = NMFInterpreter(net, "1", spectrogram="input", normalize=False).fit(X)
    >>> nmf.components_.shape  # 8 input bands x 3 channels
    (8, 3)
    >>> (nmf.components_ > 0.1).astype(int).T
    array([[1, 1, 0, 0, 0, 0, 0, 0],
           [0, 0, 0, 1, 1, 0, 0, 0],
           [0, 0, 0, 0, 0, 0, 1, 1]])
    >>> nmf.transform(X).shape, nmf.inverse_transform(nmf.transform(X)).shape
    ((10, 3, 50), (10, 8, 50))
    >>> round(nmf.score(X), 3)
    1.0
    """

    _parameter_constraints = {
        "estimator": "no_validation",
        "layer": [str],
        "basis": [StrOptions({"softplus", "mel_constrained", "mel_basis"})],
        "spectrogram": [StrOptions({"auto", "input", "input_db"}), HasMethods(["fit", "transform"])],
        "n_mels": [Interval(Integral, 1, None, closed="left"), None],
        "power": [Interval(Real, 0, None, closed="neither"), None],
        "db_range": [Interval(Real, 0, None, closed="neither"), None],
        "normalize": ["boolean"],
        "freq_pool": [StrOptions({"mean", "max"})],
        "nonnegative": [StrOptions({"relu", "abs"})],
        "layout": [StrOptions({"auto", "channels_first", "channels_last"})],
        "n_filters": [Interval(Integral, 1, None, closed="left"), None],
        "smoothness": [Interval(Real, 0, None, closed="left")],
        "solver": [StrOptions({"auto", "cd", "mu", "lbfgs"})],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "random_state": ["random_state"],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        estimator: Any,
        layer: str,
        *,
        basis: str = "softplus",
        spectrogram: str | BaseEstimator = "auto",
        n_mels: int | None = None,
        power: float | None = None,
        db_range: float | None = None,
        normalize: bool = True,
        freq_pool: str = "mean",
        nonnegative: str = "relu",
        layout: str = "auto",
        n_filters: int | None = None,
        smoothness: float = 0.0,
        solver: str = "auto",
        max_iter: int = 200,
        tol: float = 1e-4,
        random_state: int | np.random.RandomState | None = None,
        batch_size: int = 32,
        n_jobs: int | None = None,
        verbose: int = 0,
    ) -> None:
        self.estimator = estimator
        self.layer = layer
        self.basis = basis
        self.spectrogram = spectrogram
        self.n_mels = n_mels
        self.power = power
        self.db_range = db_range
        self.normalize = normalize
        self.freq_pool = freq_pool
        self.nonnegative = nonnegative
        self.layout = layout
        self.n_filters = n_filters
        self.smoothness = smoothness
        self.solver = solver
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.verbose = verbose

    def __sklearn_clone__(self):
        # the network is fitted and interpreted as it is: clone the settings, keep it
        params = self.get_params(deep=False)
        estimator = params.pop("estimator")
        return type(self)(estimator, **{k: clone(v, safe=False) for k, v in params.items()})

    # -- the two matrices -----------------------------------------------------
    def _mel_step(self, net):
        from skaudio.features import MelSpectrogram

        pipe = net.pipeline
        if pipe is not None:
            for i in range(len(pipe.steps) - 2, -1, -1):
                if isinstance(_unwrap(pipe.steps[i][1]), MelSpectrogram):
                    return i, _unwrap(pipe.steps[i][1])
        raise ValueError(
            "spectrogram='auto' needs a Pipeline with a MelSpectrogram step before the network; "
            "pass spectrogram=MelSpectrogram(sr=..., to_db=False) (computed from X), 'input' "
            "(the network's input is a non-negative spectrogram) or 'input_db' (it is in dB)"
        )

    def _build_source(self, net, X, Xn):
        """Fit the source of V on X; return V (unnormalised)."""
        if isinstance(self.spectrogram, str) and self.spectrogram.startswith("input"):
            self.spectrogram_ = None
            self._v_power = 2.0 if self.power is None else float(self.power)
            return self._v_from_input(net, Xn)
        if self.spectrogram == "auto":
            idx, step = self._mel_step(net)
            src = clone(step).set_params(to_db=False)
            Xs = net.pipeline[:idx].transform(X) if idx > 0 else X
        else:
            src = clone(self.spectrogram)
            Xs = X
        params = src.get_params(deep=False)
        if self.n_mels is not None:
            if "n_mels" not in params:
                raise ValueError(
                    f"n_mels={self.n_mels} cannot be set: {type(src).__name__} has no n_mels parameter"
                )
            src.set_params(n_mels=self.n_mels)
        if self.power is not None and "power" in params:
            src.set_params(power=self.power)
        self._v_power = float(src.get_params(deep=False).get("power", 2.0))
        self.spectrogram_ = src.fit(Xs)
        return self._check_v(src.transform(Xs))

    def _v_from_input(self, net, Xn):
        V = np.asarray(Xn, dtype=np.float32)
        if V.ndim != 3:
            raise ValueError(
                f"spectrogram={self.spectrogram!r} needs a network input of shape "
                f"(n, bands, frames); the network's input has shape {V.shape}"
            )
        if self.spectrogram == "input_db":
            p = 2.0 if self.power is None else float(self.power)
            V = np.power(10.0, V * (p / 20.0), dtype=np.float32)
        if self.n_mels is not None and self.n_mels != V.shape[1]:
            raise ValueError(
                f"n_mels={self.n_mels} differs from the {V.shape[1]} bands of the "
                "network's input, which is V here; leave n_mels=None"
            )
        return self._check_v(V)

    def _check_v(self, V):
        V = np.asarray(V, dtype=np.float32)
        if V.ndim != 3:
            raise ValueError(
                f"the spectrogram source must give (n, bands, frames) arrays, got shape {V.shape}"
            )
        if not np.isfinite(V).all():
            raise ValueError("the spectrogram V contains NaN or infinity")
        if (V < 0).any():
            raise ValueError(
                "the spectrogram V has negative values (dB?): NMF needs a non-negative V; "
                "use a power or magnitude spectrogram (to_db=False) or spectrogram='input_db'"
            )
        return V

    def _v(self, net, X, Xn):
        """V of new clips with the fitted source (unnormalised)."""
        if self.spectrogram_ is None:
            return self._v_from_input(net, Xn)
        if self.spectrogram == "auto":
            idx, _ = self._mel_step(net)
            X = net.pipeline[:idx].transform(X) if idx > 0 else X
        return self._check_v(self.spectrogram_.transform(X))

    def _finish_v(self, V):
        """The optional dB mapping, then the per-clip normalisation."""
        if self.db_range is not None:
            peak = V.max(axis=(1, 2), keepdims=True)
            ratio = np.maximum(V, 1e-30) / np.where(peak > 0, peak, 1.0)
            db = (20.0 / self._v_power) * np.log10(ratio)
            V = np.clip(1.0 + db / self.db_range, 0.0, 1.0).astype(np.float32)
        if not self.normalize:
            return V
        peak = V.max(axis=(1, 2), keepdims=True)
        return V / np.where(peak > 0, peak, 1.0)

    def _row_frequencies(self, net):
        src = self.spectrogram_
        if src is None and net.pipeline is not None and len(net.pipeline.steps) > 1:
            src = _unwrap(net.pipeline.steps[-2][1])  # the front end right before the network
        freqs = getattr(src, "frequencies_", None)
        if freqs is None or len(freqs) != self._n_rows:
            return None, False
        return np.asarray(freqs, dtype=np.float64), bool(getattr(src, "htk", False))

    def _mel_positions(self, freqs, htk):
        n = self._n_rows
        if freqs is None or n < 2:
            return np.linspace(0.0, 1.0, n) if n > 1 else np.zeros(1)
        mel = librosa.hz_to_mel(freqs, htk=htk)
        span = mel[-1] - mel[0]
        if not span > 0:
            return np.linspace(0.0, 1.0, n)
        return (mel - mel[0]) / span

    def _layout(self, module):
        return sequence_layout(module, self.layer) if self.layout == "auto" else self.layout

    def _h(self, net, Xn, n_frames):
        A = _capture(net, Xn, [self.layer], self.batch_size, self.n_jobs, bool(self.verbose))[self.layer]
        return A, activations_to_h(
            A,
            n_frames,
            layout=self._layout(net.module),
            freq_pool=self.freq_pool,
            nonnegative=self.nonnegative,
        )

    def _prepare(self, X):
        net = resolve_network(self.estimator)
        _check_layers(net.module, [self.layer])
        return net, net.prepare(X)

    # -- fitting --------------------------------------------------------------
    def _solver(self):
        if self.solver == "auto":
            return "cd" if self.basis == "softplus" and self.smoothness == 0 else "lbfgs"
        if self.solver in ("cd", "mu") and (self.basis != "softplus" or self.smoothness > 0):
            raise ValueError(
                f"solver={self.solver!r} (scikit-learn) fits only basis='softplus' without "
                f"smoothness; got basis={self.basis!r}, smoothness={self.smoothness}. "
                "Use solver='lbfgs' or 'auto'"
            )
        return self.solver

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: ArrayLike, y: ArrayLike | None = None) -> NMFInterpreter:
        """Capture the layer's activations, build ``V`` and learn ``W``.

        Parameters
        ----------
        X : array-like
            What ``estimator`` takes: waveforms ``(n_clips, n_samples)`` for a pipeline
            starting with a front end, spectrogram batches for a bare spectrogram
            classifier.
        y : ignored

        Returns
        -------
        self : object
        """
        solver = self._solver()
        # n_jobs bounds BLAS threads in the whole fit (the spectrogram, scikit-learn's solver, the
        # Gram products), and the lock in _blas_threads keeps another fit from changing that
        # limit half-way through
        with _blas_threads(self.n_jobs):
            return self._fit(X, solver)

    def _fit(self, X, solver):
        net, Xn = self._prepare(X)
        V = self._finish_v(self._build_source(net, X, Xn))
        self._n_rows = V.shape[1]
        A, H = self._h(net, Xn, V.shape[-1])
        if len(H) != len(V):
            raise ValueError(f"the spectrogram source gave {len(V)} clips for {len(H)} network inputs")
        self.layer_shape_ = tuple(A.shape[1:])
        if not (H > 0).any():
            hint = " (try nonnegative='abs': its outputs are negative)" if self.nonnegative == "relu" else ""
            raise ValueError(
                f"the activations of layer {self.layer!r} are all zero after "
                f"nonnegative={self.nonnegative!r}{hint}; there is nothing to interpret"
            )
        scale = H.max(axis=(0, 2)).astype(np.float64)
        self.h_scale_ = np.where(scale > 0, scale, 1.0)
        H = H / self.h_scale_[None, :, None].astype(np.float32)
        self.n_components_ = H.shape[1]
        self.frequencies_, htk = self._row_frequencies(net)
        self._htk = htk
        self.mel_positions_ = self._mel_positions(self.frequencies_, htk)
        seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        # the torch bases work on small matrices (bands x channels), so they get one thread: extra
        # threads only add overhead there (on a loaded machine their spinning slowed steps
        # 100-fold). The seed reaches the bases through their own torch.Generator, never torch's
        # global one, so concurrent fits neither share nor disturb the caller's random state.
        with torch_threads(1):
            B, G, vv = _bases.gram_terms(V, H)
            if solver in ("cd", "mu"):
                W = self._fit_sklearn(V, H, solver, seed)
                losses = [
                    1.0,
                    float(
                        _bases.objective(
                            torch.as_tensor(W), torch.as_tensor(B), torch.as_tensor(G), max(vv, 1e-300)
                        )
                    ),
                ]
            else:
                W, losses = self._fit_torch(B, G, vv, seed)
        self.solver_ = solver
        self.components_ = W
        mass = np.abs(W).sum(axis=0) * H.sum(axis=(0, 2), dtype=np.float64)
        self.contributions_ = mass / max(mass.sum(), np.finfo(np.float64).tiny)
        self.loss_curve_ = np.asarray(losses)
        err2 = vv - 2.0 * np.sum(W * B) + np.sum((W @ G) * W)
        self.reconstruction_err_ = float(np.sqrt(max(err2, 0.0)))
        return self

    def _fit_sklearn(self, V, H, solver, seed):
        M, C = V.shape[1], H.shape[1]
        Vf = np.ascontiguousarray(V.transpose(1, 0, 2).reshape(M, -1), dtype=np.float64)
        Hf = np.ascontiguousarray(H.transpose(1, 0, 2).reshape(C, -1), dtype=np.float64)
        W, _, n_iter = non_negative_factorization(
            Vf,
            H=Hf,
            n_components=C,
            update_H=False,
            solver=solver,
            beta_loss="frobenius",
            tol=self.tol,
            max_iter=self.max_iter,
            random_state=seed,
            verbose=max(0, int(self.verbose) - 1),
        )
        self.n_iter_ = int(n_iter)
        return W

    def _fit_torch(self, B, G, vv, seed):
        M, C = B.shape
        gen = torch.Generator().manual_seed(seed)
        pos = self.mel_positions_
        if self.basis == "softplus":
            basis = _bases.SoftplusBasis(M, C, gen)
        elif self.basis == "mel_constrained":
            min_width = float(np.max(np.diff(pos))) if M > 1 else 1.0
            W0 = _bases.nnls_gram(B, G)
            basis = _bases.MelConstrainedBasis(pos, *_bases.triangle_init(W0, pos, min_width), min_width)
        else:
            k = self.n_filters if self.n_filters is not None else max(2, M // 2)
            basis = _bases.MelGaussianBasis(_bases.gaussian_filterbank(pos, k), C, gen)
        losses, n_iter = _bases.fit_basis(
            basis,
            B,
            G,
            vv,
            smoothness=float(self.smoothness),
            max_iter=self.max_iter,
            tol=self.tol,
            verbose=self.verbose,
        )
        self.n_iter_ = n_iter
        with torch.no_grad():
            W = basis().numpy().copy()
            if self.basis == "mel_constrained":
                self.centres_ = basis.centres().numpy().copy()
                self.bandwidths_ = basis.widths().numpy().copy()
                self.centre_frequencies_ = self._mel_to_hz(self.centres_)
            elif self.basis == "mel_basis":
                self.filterbank_ = basis.filterbank.numpy().copy()
                self.scalings_ = basis.scalings().numpy().copy()
        return W, losses

    def _mel_to_hz(self, positions):
        if self.frequencies_ is None:
            return None
        mel = librosa.hz_to_mel(self.frequencies_, htk=self._htk)
        return librosa.mel_to_hz(mel[0] + positions * (mel[-1] - mel[0]), htk=self._htk)

    # -- using the fit --------------------------------------------------------
    def get_spectrogram(self, X: ArrayLike) -> NDArray[np.float32]:
        """``V`` of new clips, as in ``fit`` (dB-mapped with ``db_range``, normalised with ``normalize``).

        Parameters
        ----------
        X : array-like
            What ``estimator`` takes.

        Returns
        -------
        V : ndarray of shape (n_clips, n_mels, n_frames), float32
        """
        check_is_fitted(self, "components_")
        net, Xn = self._prepare(X)
        return self._finish_v(self._v(net, X, Xn)).astype(np.float32, copy=False)

    def _n_frames(self, net, X, Xn):
        if self.spectrogram_ is None:
            return np.asarray(Xn).shape[-1]
        n = getattr(self.spectrogram_, "n_frames_", None)
        return int(n) if n is not None else self._v(net, X, Xn).shape[-1]

    def transform(self, X: ArrayLike) -> NDArray[np.float32]:
        """Activations ``H`` of the layer for ``X``, as ``fit`` builds them.

        Parameters
        ----------
        X : array-like
            What ``estimator`` takes.

        Returns
        -------
        H : ndarray of shape (n_clips, n_components, n_frames), float32
            Non-negative, frequency-pooled, resampled to the frames of ``V`` and
            divided by ``h_scale_``.
        """
        check_is_fitted(self, "components_")
        net, Xn = self._prepare(X)
        _, H = self._h(net, Xn, self._n_frames(net, X, Xn))
        return self._scaled(H)

    @property
    def _n_features_out(self):
        # the components (axis 1 of H), which get_feature_names_out names
        return self.n_components_

    def _scaled(self, H):
        if H.shape[1] != self.n_components_:
            raise ValueError(f"the layer now has {H.shape[1]} channels, {self.n_components_} in fit")
        return (H / self.h_scale_[None, :, None]).astype(np.float32)

    def inverse_transform(self, X: ArrayLike) -> NDArray[np.float32]:
        """Reconstruct spectrograms ``W H`` from activations.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_components, n_frames) or (n_components, n_frames)
            Activations as :meth:`transform` returns them.

        Returns
        -------
        V_hat : ndarray of shape (n_clips, n_mels, n_frames) or (n_mels, n_frames), float32
        """
        check_is_fitted(self, "components_")
        H = np.asarray(X, dtype=np.float64)
        if H.ndim not in (2, 3) or H.shape[-2] != self.n_components_:
            raise ValueError(
                f"X must have shape (n_clips, {self.n_components_}, n_frames) or "
                f"({self.n_components_}, n_frames), got {H.shape}"
            )
        return np.matmul(self.components_, H).astype(np.float32)

    def score(self, X: ArrayLike, y: ArrayLike | None = None) -> float:
        """Share of the variance of ``V`` that ``W H`` explains (R², one value for all clips).

        ``1 - ||V - W H||^2 / ||V - mean||^2`` with the mean of each mel band over all
        frames of ``X`` (scikit-learn's ``r2_score`` with
        ``multioutput="variance_weighted"``, bands as outputs).

        Parameters
        ----------
        X : array-like
            What ``estimator`` takes.
        y : ignored

        Returns
        -------
        score : float
        """
        check_is_fitted(self, "components_")
        net, Xn = self._prepare(X)
        V = self._finish_v(self._v(net, X, Xn))
        _, H = self._h(net, Xn, V.shape[-1])
        V_hat = self.inverse_transform(self._scaled(H))
        M = V.shape[1]
        return float(
            r2_score(
                V.transpose(1, 0, 2).reshape(M, -1).T,
                V_hat.transpose(1, 0, 2).reshape(M, -1).T,
                multioutput="variance_weighted",
            )
        )

    def discriminative_components(
        self, X: ArrayLike, y: ArrayLike, *, n_top: int | None = None
    ) -> pd.DataFrame:
        """Which spectral patterns each class relies on, ranked.

        Each clip's reconstruction ``W H`` is split into its components' shares
        (component ``k`` carries ``||w_k||_1 * sum_t h_k(t)`` of the reconstructed
        spectrogram's total). For each class, a component's score is the difference
        between its mean share in that class and in the other clips, divided by the
        pooled standard deviation (an effect size): positive for patterns the class
        uses more than the rest, negative for patterns it avoids.

        Parameters
        ----------
        X : array-like
            What ``estimator`` takes.
        y : array-like of shape (n_clips,)
            Class labels (at least two classes).
        n_top : int or None, default=None
            Rows kept per class (all components when None).

        Returns
        -------
        table : pandas.DataFrame
            Columns ``class``, ``rank`` (1 = most relied on), ``component``,
            ``score``, ``share_in_class`` and ``share_elsewhere``, sorted by class and
            rank.
        """
        import pandas as pd

        check_is_fitted(self, "components_")
        y = np.asarray(y)
        if y.ndim != 1:
            raise ValueError(f"y must be 1-D, got shape {y.shape}")
        if n_top is not None and (not isinstance(n_top, numbers.Integral) or n_top < 1):
            raise ValueError(f"n_top must be a positive int or None, got {n_top!r}")
        H = self.transform(X).astype(np.float64)
        if len(y) != len(H):
            raise ValueError(f"X and y have different numbers of clips: {len(H)} and {len(y)}")
        classes = np.unique(y)
        if len(classes) < 2:
            raise ValueError(f"y needs at least two classes, got {classes.tolist()}")
        mass = np.abs(self.components_).sum(axis=0)[None, :] * H.sum(axis=2)  # (n, C)
        total = mass.sum(axis=1, keepdims=True)
        share = mass / np.where(total > 0, total, 1.0)
        rows = []
        keep = self.n_components_ if n_top is None else min(int(n_top), self.n_components_)
        for c in classes:
            inside, outside = share[y == c], share[y != c]
            diff = inside.mean(0) - outside.mean(0)
            pooled = np.sqrt(0.5 * (inside.var(0) + outside.var(0)))
            score = diff / np.maximum(pooled, 1e-12)
            order = np.argsort(-score, kind="stable")[:keep]
            for rank, k in enumerate(order, 1):
                rows.append(
                    (c, rank, int(k), float(score[k]), float(inside.mean(0)[k]), float(outside.mean(0)[k]))
                )
        return pd.DataFrame(
            rows, columns=["class", "rank", "component", "score", "share_in_class", "share_elsewhere"]
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = True
        tags.non_deterministic = False
        return tags
