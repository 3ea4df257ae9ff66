"""Attention and convolution blocks shared by the networks of :mod:`skaudio.nn.networks`.

* :class:`SqueezeExcitation` -- channel attention with average *and* max squeeze [NMF]_.
* :class:`ECA` and :class:`ECABottleneck` -- efficient channel attention and the residual
  bottleneck block of the ECA-ResNet used by DEGramNet [DEG]_.
* :class:`ChannelGate1d`, :class:`MACEM`, :class:`GARM`, :class:`GuidedAggregation` --
  the one-dimensional modules of the dual-branch raw-waveform network [E2E]_.
* :func:`make_pool2d` and :func:`make_global_pool` -- the pooling factory: every network
  builds its pooling layers through it, so any pooling method of :mod:`skaudio.nn` can be
  chosen by name.

References
----------
.. [NMF] Dwivedi, "Interpretation of representations of audio signals in hidden layers of a
   neural network using NMF", 2024 (thesis).
.. [DEG] Foggia, Greco, Roberto, Saggese, Vento, "DEGramNet: effective audio analysis based
   on a fully learnable time-frequency representation", Neural Computing and
   Applications, 2023.
.. [E2E] Sun et al., "End-to-end audio pattern recognition network", 2025.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

__all__ = [
    "make_pool2d",
    "make_global_pool",
    "pool_methods",
    "pool_modes",
    "SqueezeExcitation",
    "ECA",
    "eca_kernel_size",
    "ECABottleneck",
    "BasicBlock",
    "ChannelGate1d",
    "MACEM",
    "GARM",
    "GuidedAggregation",
    "SpecAugment",
]

_TORCH_METHODS = ("max", "avg")  # torch's own layers, chosen by these names


def _skaudio_pooling():
    """The pooling module of skaudio.nn, or None when it is not available."""
    try:
        from skaudio.nn import pooling
    except ImportError:
        return None
    return pooling


def pool_methods() -> tuple[str, ...]:
    """Names accepted by :func:`make_pool2d` and :func:`make_global_pool`.

    torch's ``"max"`` and ``"avg"`` and the pooling methods of
    :class:`skaudio.nn.Pool2d` (those of :data:`skaudio.features.POOLING_TABLE`
    that the torch layers have), sorted.

    Examples
    --------
    >>> from skaudio.nn import pool_methods
    >>> pool_methods()[:4]
    ('attention', 'auto', 'average', 'avg')
    """
    pooling = _skaudio_pooling()
    methods = set(_TORCH_METHODS)
    if pooling is not None:
        methods.update(pooling.POOLING_METHODS)
    return tuple(sorted(methods))


def pool_modes() -> tuple[str, ...]:
    """Deprecated old name of :func:`pool_methods` (a ``FutureWarning``; kept for one release)."""
    from skaudio._deprecation import warn_renamed

    warn_renamed("skaudio.nn.pool_modes", "skaudio.nn.pool_methods")
    return pool_methods()


def _check_method(method, name="pool"):
    valid = pool_methods()
    if method not in valid:
        raise ValueError(f"{name} must be one of {list(valid)}, got {method!r}")


def _method_arg(method, params, where):
    """``method``, or the deprecated ``mode=`` keyword taken out of ``params``."""
    from skaudio._deprecation import renamed_keyword

    method = renamed_keyword(
        method, params.pop("mode", None), new="method", old="mode", where=where, stacklevel=4
    )
    if method is None:
        raise TypeError(f"{where}() missing required argument: 'method'")
    return method


def make_pool2d(
    method: str | None = None,
    kernel_size: int | tuple[int, int] | None = None,
    stride: int | tuple[int, int] | None = None,
    **params: Any,
) -> nn.Module:
    """Build a 2-D pooling layer by method name.

    ``"max"`` and ``"avg"`` are torch's own layers (fastest); every other method
    (``"average"``, ``"lse"``, ``"lnp"``, ``"attention"``, ...) is one of the twelve
    pooling methods of :class:`skaudio.nn.Pool2d`, with ``params`` passed on (e.g.
    ``r`` for log-sum-exp pooling, ``learnable=False`` to freeze it).

    Parameters
    ----------
    method : str
        Pooling method, one of :func:`pool_methods`. Its old name ``mode=`` still
        works for one release, with a ``FutureWarning``.
    kernel_size, stride : int or tuple
        As in ``torch.nn.MaxPool2d``; ``stride`` defaults to ``kernel_size``.
    **params
        Extra parameters of the skaudio pooling method.

    Returns
    -------
    torch.nn.Module

    Examples
    --------
    >>> import torch
    >>> make_pool2d("max", 2)(torch.ones(1, 3, 8, 8)).shape
    torch.Size([1, 3, 4, 4])
    """
    method = _method_arg(method, params, "make_pool2d")
    if kernel_size is None:
        raise TypeError("make_pool2d() missing required argument: 'kernel_size'")
    _check_method(method)
    stride = kernel_size if stride is None else stride
    if method == "max" and not params:
        return nn.MaxPool2d(kernel_size, stride)
    if method == "avg" and not params:
        return nn.AvgPool2d(kernel_size, stride)
    return _skaudio_pooling().Pool2d(method, kernel_size=kernel_size, stride=stride, **params)


class _TorchGlobalPool(nn.Module):
    def __init__(self, method, dim):
        super().__init__()
        self.method = method
        self.dim = tuple(dim) if isinstance(dim, (tuple, list)) else (dim,)

    def __setstate__(self, state):  # pickled before the rename of ``mode``
        if "method" not in state and "mode" in state:
            state = dict(state)
            state["method"] = state.pop("mode")
        super().__setstate__(state)

    def forward(self, x):
        if self.method == "max":
            return x.amax(dim=self.dim)
        return x.mean(dim=self.dim)


def make_global_pool(
    method: str | None = None, dim: int | tuple[int, ...] = (-2, -1), **params: Any
) -> nn.Module:
    """Build a layer that pools away the axes ``dim`` (global pooling) by method name.

    Parameters
    ----------
    method : str
        Pooling method, one of :func:`pool_methods`. Its old name ``mode=`` still
        works for one release, with a ``FutureWarning``.
    dim : int or tuple of int
        Axes reduced (removed from the output).
    **params
        Extra parameters of the skaudio pooling method.

    Returns
    -------
    torch.nn.Module

    Examples
    --------
    >>> import torch
    >>> make_global_pool("avg")(torch.ones(2, 5, 4, 3)).shape
    torch.Size([2, 5])
    """
    method = _method_arg(method, params, "make_global_pool")
    _check_method(method)
    if method in _TORCH_METHODS and not params:
        return _TorchGlobalPool(method, dim)
    return _FlatGlobalPool(method, dim, **params)


class _FlatGlobalPool(nn.Module):
    """skaudio ``GlobalPool`` over several axes: they are flattened into one first."""

    def __init__(self, method, dim, **params):
        super().__init__()
        self.dim = tuple(dim) if isinstance(dim, (tuple, list)) else (dim,)
        self.pool = _skaudio_pooling().GlobalPool(method, dim=-1, **params)

    def forward(self, x):
        dims = sorted(d % x.ndim for d in self.dim)
        keep = [d for d in range(x.ndim) if d not in dims]
        x = x.permute(*keep, *dims)
        return self.pool(x.reshape(*x.shape[: len(keep)], -1))


class SqueezeExcitation(nn.Module):
    """Squeeze-and-excitation over the channels of ``(n, C, ...)`` feature maps.

    Each channel is summarised by its global average and, as in the SE-CNN of
    [NMF]_, also its global maximum; the two summaries are concatenated (``2C``
    values), passed through a bottleneck ``2C -> C / reduction -> C`` with ReLU, and
    a sigmoid gives the weight that rescales the channel.

    Parameters
    ----------
    channels : int
        Number of channels ``C``.
    reduction : int, default=8
        Bottleneck reduction ratio.
    squeeze : tuple of {"avg", "max"}, default=("avg", "max")
        Summaries used; ``("avg",)`` is the original SE block.

    Examples
    --------
    >>> import torch
    >>> se = SqueezeExcitation(64)
    >>> se(torch.randn(2, 64, 5, 7)).shape
    torch.Size([2, 64, 5, 7])
    >>> sum(p.numel() for p in se.parameters())  # 2C*C/8 + C/8 + C/8*C + C
    1608
    """

    def __init__(
        self, channels: int, reduction: int = 8, squeeze: str | Sequence[str] = ("avg", "max")
    ) -> None:
        super().__init__()
        bad = set(squeeze) - {"avg", "max"}
        if not squeeze or bad:
            raise ValueError(f"squeeze must be a non-empty subset of ('avg', 'max'), got {squeeze!r}")
        self.squeeze = tuple(squeeze)
        hidden = max(1, channels // reduction)
        self.fc = nn.Sequential(
            nn.Linear(len(self.squeeze) * channels, hidden),
            nn.ReLU(inplace=True),
            nn.Linear(hidden, channels),
            nn.Sigmoid(),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        dims = tuple(range(2, x.ndim))
        parts = [x.mean(dims) if s == "avg" else x.amax(dims) for s in self.squeeze]
        w = self.fc(torch.cat(parts, dim=1))
        return x * w.reshape(*w.shape, *([1] * len(dims)))


def eca_kernel_size(channels: int, gamma: float = 2, b: float = 1) -> int:
    """ECA kernel size ``k = odd(ceil((log2 C + b) / gamma))`` [DEG]_ (Eq. 6).

    Examples
    --------
    >>> [eca_kernel_size(c) for c in (64, 256, 1024, 2048)]
    [5, 5, 7, 7]
    """
    k = int(math.ceil((math.log2(channels) + b) / gamma))
    return k if k % 2 else k + 1


class ECA(nn.Module):
    """Efficient channel attention: a 1-D convolution across pooled channels.

    Global average pooling gives one value per channel; a convolution of odd size
    :func:`~skaudio.nn.blocks.eca_kernel_size` over the channel axis (no bottleneck) and a sigmoid
    give the channel weights.

    Examples
    --------
    >>> import torch
    >>> ECA(64)(torch.randn(2, 64, 6, 6)).shape
    torch.Size([2, 64, 6, 6])
    """

    def __init__(self, channels: int, kernel_size: int | None = None) -> None:
        super().__init__()
        k = eca_kernel_size(channels) if kernel_size is None else int(kernel_size)
        self.conv = nn.Conv1d(1, 1, k, padding=k // 2, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        dims = tuple(range(2, x.ndim))
        y = self.conv(x.mean(dims).unsqueeze(1)).squeeze(1)
        return x * torch.sigmoid(y).reshape(*y.shape, *([1] * len(dims)))


class ECABottleneck(nn.Module):
    """Residual bottleneck block (1x1, 3x3, 1x1 convolutions) with ECA before the sum.

    Parameters
    ----------
    in_channels : int
    planes : int
        Width of the 3x3 convolution; the block outputs ``planes * expansion`` channels.
    stride : int
        Stride of the 3x3 convolution.
    expansion : int, default=4
    attention : bool, default=True
        ``False`` leaves out the ECA module: the plain bottleneck block of ResNet-50.
    """

    def __init__(
        self, in_channels: int, planes: int, stride: int = 1, expansion: int = 4, attention: bool = True
    ) -> None:
        super().__init__()
        out = planes * expansion
        self.body = nn.Sequential(
            nn.Conv2d(in_channels, planes, 1, bias=False),
            nn.BatchNorm2d(planes),
            nn.ReLU(inplace=True),
            nn.Conv2d(planes, planes, 3, stride=stride, padding=1, bias=False),
            nn.BatchNorm2d(planes),
            nn.ReLU(inplace=True),
            nn.Conv2d(planes, out, 1, bias=False),
            nn.BatchNorm2d(out),
            *([ECA(out)] if attention else []),
        )
        self.shortcut = nn.Identity()
        if stride != 1 or in_channels != out:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_channels, out, 1, stride=stride, bias=False), nn.BatchNorm2d(out)
            )
        self.act = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act(self.body(x) + self.shortcut(x))


class BasicBlock(nn.Module):
    """Residual block of two 3x3 convolutions (ResNet-18 and -34), ``planes`` channels out.

    Parameters
    ----------
    in_channels : int
    planes : int
        Channels of both convolutions and of the output.
    stride : int
        Stride of the first convolution.

    Examples
    --------
    >>> import torch
    >>> BasicBlock(8, 16, stride=2)(torch.randn(2, 8, 10, 10)).shape
    torch.Size([2, 16, 5, 5])
    """

    expansion = 1

    def __init__(self, in_channels: int, planes: int, stride: int = 1) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(in_channels, planes, 3, stride=stride, padding=1, bias=False),
            nn.BatchNorm2d(planes),
            nn.ReLU(inplace=True),
            nn.Conv2d(planes, planes, 3, padding=1, bias=False),
            nn.BatchNorm2d(planes),
        )
        self.shortcut = nn.Identity()
        if stride != 1 or in_channels != planes:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_channels, planes, 1, stride=stride, bias=False), nn.BatchNorm2d(planes)
            )
        self.act = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act(self.body(x) + self.shortcut(x))


class ChannelGate1d(nn.Module):
    """Channel gate ``sigmoid(f(ReLU(f(avg))) + f(ReLU(f(max))))`` over ``(n, C, L)``.

    ``f`` are 1x1 convolutions shared by the two summaries (bottleneck ``C / reduction``);
    returns the gate of shape ``(n, C, 1)``, not the gated input.
    """

    def __init__(self, channels: int, reduction: int = 4) -> None:
        super().__init__()
        hidden = max(1, channels // reduction)
        self.mlp = nn.Sequential(
            nn.Conv1d(channels, hidden, 1), nn.ReLU(inplace=True), nn.Conv1d(hidden, channels, 1)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        avg = self.mlp(x.mean(-1, keepdim=True))
        mx = self.mlp(x.amax(-1, keepdim=True))
        return torch.sigmoid(avg + mx)


class MACEM(nn.Module):
    """Multi-scale audio context embedding module (1-D, ``(n, C, L)`` in and out) [E2E]_.

    Three parallel convolutions of sizes 1, 7 and 15 (LeakyReLU) are fused into ``M``:
    variant ``"A"`` concatenates them and reduces ``3C -> C`` with a size-7 convolution,
    variant ``"B"`` sums them; ``M`` then passes a ReLU. A :class:`ChannelGate1d` re-weights
    ``M``, and a size-7 convolution of the input is added before a final LeakyReLU:
    ``LeakyReLU(M * gate(M) + conv7(H))``.

    Parameters
    ----------
    channels : int
    variant : {"A", "B"}, default="A"
    reduction : int, default=4
        Bottleneck of the channel gate.
    norm : bool, default=True
        Batch-normalise the sum before the last LeakyReLU. The paper's equation (its
        Eq. 3) has no normalisation there; skaudio adds it by default because the small
        dual-branch network trained more reliably with it (see ``block_norm`` of
        :class:`~skaudio.nn.DualBranchNet` for the measurement), and ``norm=False`` is
        the paper's module.

    Examples
    --------
    >>> import torch
    >>> MACEM(16, "A")(torch.randn(2, 16, 50)).shape
    torch.Size([2, 16, 50])
    """

    def __init__(self, channels: int, variant: str = "A", reduction: int = 4, norm: bool = True) -> None:
        super().__init__()
        if variant not in ("A", "B"):
            raise ValueError(f"variant must be 'A' or 'B', got {variant!r}")
        self.variant = variant
        self.branches = nn.ModuleList([nn.Conv1d(channels, channels, k, padding=k // 2) for k in (1, 7, 15)])
        self.fuse = nn.Conv1d(3 * channels, channels, 7, padding=3) if variant == "A" else None
        self.gate = ChannelGate1d(channels, reduction)
        self.skip = nn.Conv1d(channels, channels, 7, padding=3)
        self.bn = nn.BatchNorm1d(channels) if norm else nn.Identity()

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        parts = [nn.functional.leaky_relu(b(h), 0.01) for b in self.branches]
        if self.fuse is not None:
            m = torch.relu(self.fuse(torch.cat(parts, dim=1)))
        else:
            m = torch.relu(parts[0] + parts[1] + parts[2])
        return nn.functional.leaky_relu(self.bn(m * self.gate(m) + self.skip(h)), 0.01)


class GARM(nn.Module):
    """Global audio refinement module (1-D) [E2E]_.

    Dilated convolutions (dilations 1, 3, 9; LeakyReLU) are summed and mixed by a 1x1
    convolution with ReLU into ``K``; a :class:`ChannelGate1d` gives
    ``N = K * gate(K)``. A temporal gate follows: the channel-wise mean and maximum
    of ``N`` (two rows of length ``L``) are concatenated and a size-7 convolution with
    sigmoid gives ``N'`` (the paper's second pooled-and-concatenated gate, read as the
    time attention it describes). Output ``LeakyReLU(N * N' + conv7(H))``.

    Parameters
    ----------
    channels : int
    reduction : int, default=4
        Bottleneck of the channel gate.
    dilations : tuple of int, default=(1, 3, 9)
    kernel_size : int or tuple of int, default=15
        Size of the dilated convolutions: one for all, or one per dilation. The paper
        gives sizes 1, 15 and 15 ([E2E]_ §3.2.1), which makes its dilation-1 branch a
        1x1 convolution; ``15`` (all three of size 15) is skaudio's CPU default, kept
        because the ESC-10 results of the models guide were measured with it and a
        synthetic comparison measured no difference (see ``garm_kernel_size`` of
        :class:`~skaudio.nn.DualBranchNet`); :data:`~skaudio.nn.PAPER_SIZES` uses
        ``(1, 15, 15)``.
    norm : bool, default=True
        Batch-normalise the sum before the last LeakyReLU (not in the paper's Eq. 9;
        ``False`` is the paper's module, see :class:`MACEM`).

    Examples
    --------
    >>> import torch
    >>> GARM(8)(torch.randn(2, 8, 40)).shape
    torch.Size([2, 8, 40])
    >>> GARM(8, kernel_size=(1, 15, 15))(torch.randn(2, 8, 40)).shape  # the paper's sizes
    torch.Size([2, 8, 40])
    """

    def __init__(
        self,
        channels: int,
        reduction: int = 4,
        dilations: Sequence[int] = (1, 3, 9),
        kernel_size: int | Sequence[int] = 15,
        norm: bool = True,
    ) -> None:
        super().__init__()
        sizes = [int(kernel_size)] * len(dilations) if isinstance(kernel_size, int) else list(kernel_size)
        if len(sizes) != len(dilations) or any(k < 1 or k % 2 == 0 for k in sizes):
            raise ValueError(
                f"kernel_size must be an odd int or one odd int per dilation {tuple(dilations)}, "
                f"got {kernel_size!r}"
            )
        self.branches = nn.ModuleList(
            [
                nn.Conv1d(channels, channels, k, dilation=d, padding=d * (k // 2))
                for k, d in zip(sizes, dilations)
            ]
        )
        self.mix = nn.Conv1d(channels, channels, 1)
        self.gate = ChannelGate1d(channels, reduction)
        self.time_gate = nn.Conv1d(2, 1, 7, padding=3)
        self.skip = nn.Conv1d(channels, channels, 7, padding=3)
        self.bn = nn.BatchNorm1d(channels) if norm else nn.Identity()

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        k = sum(nn.functional.leaky_relu(b(h), 0.01) for b in self.branches)
        k = torch.relu(self.mix(k))
        n = k * self.gate(k)
        t = torch.sigmoid(self.time_gate(torch.cat([n.mean(1, keepdim=True), n.amax(1, keepdim=True)], 1)))
        return nn.functional.leaky_relu(self.bn(n * t + self.skip(h)), 0.01)


class GuidedAggregation(nn.Module):
    """Guided aggregation of a semantic ``S`` and a detail ``D`` sequence ``(n, C, L)`` [E2E]_.

    The detail branch guides the semantic one: ``D' = sigmoid(LReLU(f(LReLU(f(D)))))``
    with 1x1 convolutions ``f``, pooled over time to one weight per channel, and
    ``O = S * D' + S``.

    Examples
    --------
    >>> import torch
    >>> GuidedAggregation(8)(torch.randn(2, 8, 10), torch.randn(2, 8, 10)).shape
    torch.Size([2, 8, 10])
    """

    def __init__(self, channels: int, pool: str = "avg") -> None:
        super().__init__()
        self.f1 = nn.Conv1d(channels, channels, 1)
        self.f2 = nn.Conv1d(channels, channels, 1)
        self.pool = make_global_pool(pool, dim=-1)

    def forward(self, s: torch.Tensor, d: torch.Tensor) -> torch.Tensor:
        g = nn.functional.leaky_relu(self.f2(nn.functional.leaky_relu(self.f1(d), 0.01)), 0.01)
        g = torch.sigmoid(self.pool(g)).unsqueeze(-1)
        return s * g + s


class SpecAugment(nn.Module):
    """SpecAugment masking of ``(n, ..., F, T)`` representations, active in training only.

    Each example gets ``freq_masks`` bands and ``time_masks`` frame ranges replaced by
    its mean value; mask widths are drawn uniformly up to ``max_freq_mask`` (fraction of
    the ``F`` rows) and ``max_time_mask`` (fraction of the ``T`` frames). Randomness comes
    from torch's generator, so ``torch.manual_seed`` makes it reproducible. In eval mode,
    or with no masks, the input is returned unchanged.

    Examples
    --------
    >>> import torch
    >>> aug = SpecAugment(freq_masks=1, time_masks=1).train()
    >>> aug(torch.ones(2, 1, 16, 20)).shape
    torch.Size([2, 1, 16, 20])
    """

    def __init__(
        self,
        freq_masks: int = 2,
        time_masks: int = 2,
        max_freq_mask: float = 0.15,
        max_time_mask: float = 0.1,
    ) -> None:
        super().__init__()
        self.freq_masks, self.time_masks = int(freq_masks), int(time_masks)
        self.max_freq_mask, self.max_time_mask = float(max_freq_mask), float(max_time_mask)

    @staticmethod
    def _masks(n, size, count, max_frac, device):
        width = (torch.rand(n, count, device=device) * max_frac * size).long()
        start = (torch.rand(n, count, device=device) * (size - width + 1)).long()
        idx = torch.arange(size, device=device)
        inside = (idx >= start[..., None]) & (idx < (start + width)[..., None])
        return inside.any(dim=1)  # (n, size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or (self.freq_masks == 0 and self.time_masks == 0):
            return x
        n, f, t = x.shape[0], x.shape[-2], x.shape[-1]
        mask = torch.zeros(n, f, t, dtype=torch.bool, device=x.device)
        if self.freq_masks:
            mask |= self._masks(n, f, self.freq_masks, self.max_freq_mask, x.device)[:, :, None]
        if self.time_masks:
            mask |= self._masks(n, t, self.time_masks, self.max_time_mask, x.device)[:, None, :]
        mask = mask.reshape(n, *([1] * (x.ndim - 3)), f, t)
        fill = x.mean(dim=tuple(range(1, x.ndim)), keepdim=True)
        return torch.where(mask, fill, x)
