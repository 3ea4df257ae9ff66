"""SincGram, TF-DELayer and DEGram: the learnable time-frequency front end of DEGramNet.

The Butterworth filterbank math lives only here (:func:`butterworth_filterbank`);
:class:`skaudio.features.SincGramTransformer` and :class:`skaudio.nn.DEGramNet` both use
:class:`SincGramModule` (``SincGram`` before skaudio 0.2; the old name still works, with a
``FutureWarning``, until 0.3).

References
----------
.. [DEG] Foggia, Greco, Roberto, Saggese, Vento, "DEGramNet: effective audio analysis based
   on a fully learnable time-frequency representation", Neural Computing and
   Applications, 2023.
"""

from __future__ import annotations

import numpy as np
import torch
from numpy.typing import NDArray
from torch import nn

from skaudio._deprecation import deprecated_alias
from skaudio._kernels.filterbank import mel_frequencies
from skaudio.nn.blocks import make_global_pool

__all__ = ["butterworth_filterbank", "SincGramModule", "TFDELayer", "DEGram"]

_MIN_WIDTH = 1e-4  # half-width floor (fraction of Nyquist) keeps the filters finite


def butterworth_filterbank(
    freqs: torch.Tensor, centers: torch.Tensor, widths: torch.Tensor, order: int = 4
) -> torch.Tensor:
    """Butterworth band-pass magnitudes ``g(f) = 1 / sqrt(1 + ((f - a) / b) ** (2 n))``.

    Parameters
    ----------
    freqs : torch.Tensor of shape (F,)
        Frequencies of the spectrogram bins.
    centers, widths : torch.Tensor of shape (M,)
        Centre ``a`` and half-width ``b`` (> 0) of each filter, in the units of ``freqs``.
    order : int
        Filter order ``n``; larger is closer to a rectangle.

    Returns
    -------
    W : torch.Tensor of shape (F, M)
        One filter per column, peak value 1 at its centre.

    Examples
    --------
    >>> import torch
    >>> W = butterworth_filterbank(torch.linspace(0, 1, 5), torch.tensor([0.5]), torch.tensor([0.25]))
    >>> [round(float(v), 3) for v in W[:, 0]]
    [0.062, 0.707, 1.0, 0.707, 0.062]
    """
    ratio = (freqs[:, None] - centers[None, :]) / widths[None, :]
    # 1/sqrt(1 + r^(2n)) computed through exp/log1p stays finite for large |r|
    return torch.exp(-0.5 * torch.log1p(ratio.pow(2 * int(order))))


class SincGramModule(nn.Module):
    """Learnable Butterworth band-pass filterbank applied to a spectrogram [DEG]_.

    ``(n, F, T)`` spectrograms become ``(n, M, T)`` band energies ``W(a, b)^T X``. Centres
    ``a`` and half-widths ``b`` are trainable and expressed as fractions of the Nyquist
    frequency (so the module does not depend on the sampling rate); the filters start on
    the mel scale: the ``M`` centres are the inner points of ``M + 2`` mel-spaced
    frequencies over ``[fmin, fmax]`` and each half-width is half the distance between
    its two neighbours (the band of the corresponding triangular mel filter).

    Adam-type optimisers step every parameter by about the learning rate, and the
    lowest filters lie about ``0.005`` apart, so give ``center`` and ``width`` a learning
    rate well below the network's (a parameter group; the skaudio estimators'
    ``filterbank_lr_scale`` does this) or the bank loses its mel order within a few
    epochs.

    Parameters
    ----------
    n_freqs : int
        Number of spectrogram bins ``F`` (``n_fft // 2 + 1``; 257 in the paper).
    n_filters : int, default=64
        Number of filters ``M``.
    order : int, default=4
        Butterworth order ``n``.
    sr : float, default=16000
        Sampling rate, used only to place the mel initialisation and report Hz.
    fmin, fmax : float
        Band of the initialisation in Hz; ``fmax=None`` means ``sr / 2``.
    learnable : bool, default=True
        Train centres and widths (False freezes the mel-initialised bank).

    Examples
    --------
    >>> import torch
    >>> sg = SincGramModule(257, n_filters=64, sr=16000)
    >>> sg(torch.rand(2, 257, 100)).shape
    torch.Size([2, 64, 100])
    >>> sg.filters().shape
    torch.Size([257, 64])
    """

    def __init__(
        self,
        n_freqs: int,
        n_filters: int = 64,
        order: int = 4,
        sr: float = 16000.0,
        fmin: float = 0.0,
        fmax: float | None = None,
        learnable: bool = True,
    ) -> None:
        super().__init__()
        if int(n_freqs) < 2:
            raise ValueError(f"n_freqs must be at least 2, got {n_freqs}")
        if int(n_filters) < 1:
            raise ValueError(f"n_filters must be positive, got {n_filters}")
        if int(order) < 1:
            raise ValueError(f"order must be a positive integer, got {order}")
        self.n_freqs, self.n_filters, self.order = int(n_freqs), int(n_filters), int(order)
        self.sr = float(sr)
        nyq = self.sr / 2
        fmax = nyq if fmax is None else float(fmax)
        if not 0 <= fmin < fmax <= nyq:
            raise ValueError(f"need 0 <= fmin < fmax <= sr/2, got fmin={fmin}, fmax={fmax}, sr={sr}")
        edges = mel_frequencies(self.n_filters + 2, fmin=fmin, fmax=fmax) / nyq
        centers = edges[1:-1]
        widths = np.maximum((edges[2:] - edges[:-2]) / 2, 1.0 / (self.n_freqs - 1))
        self.center = nn.Parameter(torch.as_tensor(centers, dtype=torch.float32), requires_grad=learnable)
        self.width = nn.Parameter(torch.as_tensor(widths, dtype=torch.float32), requires_grad=learnable)
        self.register_buffer("freqs", torch.linspace(0.0, 1.0, self.n_freqs), persistent=False)

    def filters(self) -> torch.Tensor:
        """The ``(F, M)`` filter matrix ``W(a, b)``."""
        return butterworth_filterbank(
            self.freqs, self.center, self.width.abs().clamp_min(_MIN_WIDTH), self.order
        )

    def center_freqs(self) -> NDArray[np.float64]:
        """Filter centres in Hz (a numpy array)."""
        return self.center.detach().cpu().numpy().astype(np.float64) * self.sr / 2

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Filter-bank outputs ``(..., n_filters, n_frames)`` of spectrograms ``(..., n_freqs, n_frames)``."""
        if x.shape[-2] != self.n_freqs:
            raise ValueError(
                f"SincGramModule expects {self.n_freqs} frequency bins, got input of shape {tuple(x.shape)}"
            )
        return torch.matmul(self.filters().t().to(x.dtype), x)

    def log_energies(self, x: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
        """``log(max(W^T x, 0) + eps)``: the log-compressed band energies of ``x``."""
        return torch.log(self(x).clamp_min(0) + eps)


class TFDELayer(nn.Module):
    """Time-frequency denoising attention (TF-DELayer) over ``(n, M, T)`` representations.

    Frequency attention: the time average of each band goes through a bottleneck MLP
    (``M -> max(1, round(c M)) -> M``, ReLU) and a sigmoid rescales the bands. Time
    attention: the frequency average of each frame goes through a same-length 1-D
    convolution and a sigmoid rescales the frames. The two rescaled copies are
    combined element-wise by ``aggregation`` (``"max"`` or ``"mean"``).

    Parameters
    ----------
    n_bands : int
        Number of bands ``M``.
    reduction : float, default=0.0625
        Bottleneck coefficient ``c`` of the frequency MLP.
    kernel_size : int, default=7
        Size of the time-attention convolution (odd).
    aggregation : {"max", "mean"}, default="max"
    pool : str, default="avg"
        Pooling method of the two squeezes (any of :func:`skaudio.nn.pool_methods`).

    Examples
    --------
    >>> import torch
    >>> TFDELayer(64)(torch.randn(2, 64, 30)).shape
    torch.Size([2, 64, 30])
    """

    def __init__(
        self,
        n_bands: int,
        reduction: float = 0.0625,
        kernel_size: int = 7,
        aggregation: str = "max",
        pool: str = "avg",
    ) -> None:
        super().__init__()
        if aggregation not in ("max", "mean"):
            raise ValueError(f"aggregation must be 'max' or 'mean', got {aggregation!r}")
        if int(kernel_size) % 2 != 1:
            raise ValueError(f"kernel_size must be odd (same-length padding), got {kernel_size}")
        self.aggregation = aggregation
        hidden = max(1, int(round(reduction * n_bands)))
        self.freq_mlp = nn.Sequential(
            nn.Linear(n_bands, hidden), nn.ReLU(inplace=True), nn.Linear(hidden, n_bands)
        )
        self.time_conv = nn.Conv1d(1, 1, kernel_size, padding=kernel_size // 2)
        self.pool_time = make_global_pool(pool, dim=-1)
        self.pool_freq = make_global_pool(pool, dim=-2)

    def forward(self, s: torch.Tensor) -> torch.Tensor:
        freq = s * torch.sigmoid(self.freq_mlp(self.pool_time(s))).unsqueeze(-1)
        time = s * torch.sigmoid(self.time_conv(self.pool_freq(s).unsqueeze(1)))
        if self.aggregation == "max":
            return torch.maximum(freq, time)
        return 0.5 * (freq + time)


class DEGram(nn.Module):
    """SincGram, log compression and TF-DELayer: ``(n, F, T)`` power spectrogram to ``(n, M, T)``.

    The paper does not state where the logarithm enters; here the SincGram band
    energies are compressed with ``log(x + eps)`` before the attention, so the
    attention works on the same dB-like scale as a log-mel front end.

    ``filterbank`` and ``denoise`` switch the two learnable stages off, which gives the
    four representations of the paper's ablation ([DEG]_ Tables 6-7): ``Spectrogram``
    (neither: the log power spectrogram itself, ``M = F``), ``SincGram`` (the bank
    alone), ``DESpectrogram`` (the TF-DELayer over the ``F`` spectrogram bins) and
    ``DEGram`` (both, the default).

    Parameters
    ----------
    n_freqs, n_filters, order, sr, fmin, fmax
        As in :class:`SincGramModule`.
    reduction, kernel_size, aggregation, pool
        As in :class:`TFDELayer`.
    log_eps : float or None, default=1e-6
        ``None`` skips the compression (for already-logarithmic input).
    filterbank : bool, default=True
        Apply the learnable SincGram bank; ``False`` keeps the ``F`` bins (no bank
        parameters exist then, and ``n_filters``, ``order``, ``fmin``, ``fmax`` are unused).
    denoise : bool, default=True
        Apply the TF-DELayer; ``False`` returns the (log) band energies.

    Examples
    --------
    >>> import torch
    >>> DEGram(129, n_filters=32, sr=8000)(torch.rand(2, 129, 40)).shape
    torch.Size([2, 32, 40])
    >>> DEGram(129, filterbank=False)(torch.rand(2, 129, 40)).shape  # DESpectrogram
    torch.Size([2, 129, 40])
    """

    def __init__(
        self,
        n_freqs: int,
        n_filters: int = 64,
        order: int = 4,
        sr: float = 16000.0,
        fmin: float = 0.0,
        fmax: float | None = None,
        reduction: float = 0.0625,
        kernel_size: int = 7,
        aggregation: str = "max",
        pool: str = "avg",
        log_eps: float | None = 1e-6,
        filterbank: bool = True,
        denoise: bool = True,
    ) -> None:
        super().__init__()
        if int(n_freqs) < 2:
            raise ValueError(f"n_freqs must be at least 2, got {n_freqs}")
        self.sincgram = SincGramModule(n_freqs, n_filters, order, sr, fmin, fmax) if filterbank else None
        self.n_bands = int(n_filters) if filterbank else int(n_freqs)
        self.delayer = TFDELayer(self.n_bands, reduction, kernel_size, aggregation, pool) if denoise else None
        self.log_eps = log_eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s = x if self.sincgram is None else self.sincgram(x)
        if self.log_eps is not None:
            s = torch.log(s.clamp_min(0) + self.log_eps)
        return s if self.delayer is None else self.delayer(s)


def __getattr__(name):
    # the deprecated spelling of SincGramModule (same class: isinstance and old pickles keep working)
    if name == "SincGram":
        return deprecated_alias("SincGram", "SincGramModule", SincGramModule)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
