"""Audio classification networks: SE-CNN [NMF]_, DEGramNet [DEG]_, dual-branch net [E2E]_.

Every network is a plain ``torch.nn.Module`` returning class logits. The constructor
defaults are sized to train on a laptop CPU; :meth:`paper` builds the size of the
paper (``SECNN.paper(n_classes=50)``), and the same settings are listed by name in
:data:`~skaudio.nn.PAPER_SIZES` so an estimator can be switched to them with
``set_params(**{f"module__{k}": v for k, v in PAPER_SIZES["SECNN"].items()})``.

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

import numbers
from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

from skaudio.nn.blocks import (
    GARM,
    MACEM,
    BasicBlock,
    ECABottleneck,
    GuidedAggregation,
    SpecAugment,
    SqueezeExcitation,
    make_global_pool,
    make_pool2d,
)
from skaudio.nn.frontends import STFT
from skaudio.nn.sincgram import DEGram, SincGramModule

__all__ = ["SECNN", "DEGramNet", "DualBranchNet", "PAPER_SIZES"]

#: Constructor arguments giving the sizes of the papers (class count aside).
PAPER_SIZES = {
    # [NMF]: channels 64..1024, SE reduction 8, head 512 -> 256; head_grid see SECNN
    "SECNN": dict(width=64, n_blocks=5, head=(512, 256), dropout=0.5, se_reduction=8, head_grid=2),
    # [DEG] Table 1: 257 bins, 64 filters, order 4, c = 0.0625, ECA-ResNet [3, 8, 36, 3]
    # Table 1's last stage stays at 256 planes (not doubled) and it has no dropout
    "DEGramNet": dict(
        n_freqs=257,
        n_filters=64,
        order=4,
        reduction=0.0625,
        stem_width=64,
        width=(64, 128, 256, 256),
        depth=(3, 8, 36, 3),
        dropout=0.0,
    ),
    # [E2E]: 256 channels at L/32 in both branches
    "DualBranchNet": dict(
        stem="conv",
        stem_stride=1,
        width=16,
        detail_width=64,
        d_model=256,
        n_heads=8,
        n_layers=2,
        fd_variants=("A", "B", "B", "A", "R"),
        garm_kernel_size=(1, 15, 15),  # §3.2.1: sizes 1, 15, 15 at dilations 1, 3, 9
        block_norm=False,  # Eqs. 3 and 9 have no batch norm inside MACEM and GARM
    ),
}


def _as_image(x):
    """``(n, F, T)`` or ``(n, 1, F, T)`` -> ``(n, 1, F, T)``."""
    if x.ndim == 3:
        return x.unsqueeze(1)
    if x.ndim == 4 and x.shape[1] == 1:
        return x
    raise ValueError(f"expected spectrograms of shape (n, n_freqs, n_frames), got {tuple(x.shape)}")


def _pad_last(x, minimum, dim=-1):
    """Repeat the edge values of axis ``dim`` until it has at least ``minimum`` entries.

    Inputs shorter than what a network's downsampling needs are padded rather than
    refused (the networks pool globally, so extra edge frames barely change the output).
    """
    short = minimum - x.shape[dim]
    if short <= 0:
        return x
    edge = x.narrow(dim, x.shape[dim] - 1, 1)
    return torch.cat([x, edge.expand(*[short if d == dim % x.ndim else -1 for d in range(x.ndim)])], dim)


class _PaperMixin:
    @classmethod
    def paper(cls, n_classes, **overrides):
        """The network at the size of its paper (see :data:`~skaudio.nn.PAPER_SIZES`)."""
        return cls(n_classes=n_classes, **{**PAPER_SIZES[cls.__name__], **overrides})


class SECNN(_PaperMixin, nn.Module):
    """Five-block CNN with squeeze-and-excitation on log-mel spectrograms [NMF]_.

    Block ``i`` (0-based) is two 3x3 convolutions with batch norm and ReLU at
    ``width * 2**i`` channels followed by a 2x2 pooling layer; an SE block with average
    and max squeeze follows blocks 2 to 5. The feature maps are pooled (globally, or to a
    ``head_grid x head_grid`` grid) and a head ``-> head[0] -> dropout -> head[1] ->
    n_classes`` with ReLU gives the logits. Each input spectrogram is first standardised
    (``(S - mean) / (std + 1e-6)``) as in [NMF]_ when ``standardize`` is set.

    Parameters
    ----------
    n_classes : int
        Number of output logits.
    width : int, default=16
        Channels of the first block (64 in the paper).
    n_blocks : int, default=5
    head : tuple of int, default=(128, 64)
        Hidden widths of the classification head ((512, 256) in the paper).
    dropout : float, default=0.3
        Dropout after the first head layer (0.5 in the paper).
    se_reduction : int, default=8
    pool : str, default="max"
        Pooling method of the blocks (any of :func:`skaudio.nn.pool_methods`).
    global_pool : str, default="avg"
        Pooling method of the final reduction.
    head_grid : int, default=1
        1 pools the last feature maps globally. The head of the thesis (Table 4.2:
        2,201,650 parameters) needs about four times more inputs than a 1024-channel
        global pool gives, so the paper size keeps a 2x2 grid (adaptive pooling with
        ``global_pool``), which brings the total within 0.3 % of the reported
        21.57 M parameters; the convolution and SE blocks match the table's counts.
    standardize : bool, default=True

    Examples
    --------
    >>> import torch
    >>> net = SECNN(n_classes=10, width=4, head=(16, 8))
    >>> net(torch.randn(3, 64, 100)).shape
    torch.Size([3, 10])
    """

    def __init__(
        self,
        n_classes: int,
        width: int = 16,
        n_blocks: int = 5,
        head: Sequence[int] = (128, 64),
        dropout: float = 0.3,
        se_reduction: int = 8,
        pool: str = "max",
        global_pool: str = "avg",
        head_grid: int | tuple[int, int] = 1,
        standardize: bool = True,
    ) -> None:
        super().__init__()
        self.standardize = standardize
        self.n_blocks = int(n_blocks)
        layers, c_in = [], 1
        for i in range(int(n_blocks)):
            c_out = int(width) * 2**i
            layers += [
                nn.Conv2d(c_in, c_out, 3, padding=1, bias=False),
                nn.BatchNorm2d(c_out),
                nn.ReLU(inplace=True),
                nn.Conv2d(c_out, c_out, 3, padding=1, bias=False),
                nn.BatchNorm2d(c_out),
                nn.ReLU(inplace=True),
                make_pool2d(pool, 2),
            ]
            if i >= 1:
                layers.append(SqueezeExcitation(c_out, se_reduction))
            c_in = c_out
        self.features = nn.Sequential(*layers)
        self.head_grid = int(head_grid)
        if self.head_grid == 1:
            self.pool = make_global_pool(global_pool)
        else:
            self.pool = nn.Sequential(
                nn.AdaptiveMaxPool2d(head_grid) if global_pool == "max" else nn.AdaptiveAvgPool2d(head_grid),
                nn.Flatten(),
            )
        n_in = c_in * self.head_grid**2
        mlp = []
        for j, h in enumerate(head):
            mlp += [nn.Linear(n_in, h), nn.ReLU(inplace=True)]
            if j == 0:
                mlp.append(nn.Dropout(dropout))
            n_in = h
        mlp.append(nn.Linear(n_in, n_classes))
        self.classifier = nn.Sequential(*mlp)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Class scores (logits) ``(n, n_classes)`` of log-mel batches ``(n, n_mels, n_frames)``."""
        x = _as_image(x)
        x = _pad_last(_pad_last(x, 2**self.n_blocks, -1), 2**self.n_blocks, -2)
        if self.standardize:
            mean = x.mean(dim=(-2, -1), keepdim=True)
            std = x.std(dim=(-2, -1), keepdim=True)
            x = (x - mean) / (std + 1e-6)
        return self.classifier(self.pool(self.features(x)))


#: DEGramNet front ends ([DEG] Tables 6-7): (learnable SincGram bank, TF-DELayer)
_DEGRAM_FRONTENDS = {
    "spectrogram": (False, False),
    "sincgram": (True, False),
    "despectrogram": (False, True),
    "degram": (True, True),
}

#: DEGramNet backbones: residual block and default blocks per stage
_DEGRAM_BACKBONES = {
    "eca": ("eca", (1, 1, 1, 1)),
    "resnet18": ("basic", (2, 2, 2, 2)),
    "resnet34": ("basic", (3, 4, 6, 3)),
    "resnet50": ("bottleneck", (3, 4, 6, 3)),
}


def _doubling_widths(width, n):
    """Widths of ``n`` stages or modules: ``width * 2**i``, or ``width`` itself (``n`` ints)."""
    if isinstance(width, numbers.Integral):
        return [int(width) * 2**i for i in range(n)]
    widths = [int(w) for w in width]
    if len(widths) != n or min(widths) < 1:
        raise ValueError(f"width must be an int or {n} positive ints, got {width!r}")
    return widths


class DEGramNet(_PaperMixin, nn.Module):
    """DEGram front end followed by an ECA residual network [DEG]_.

    Input: linear-frequency *power* spectrograms ``(n, n_freqs, n_frames)``. The
    :class:`~skaudio.nn.sincgram.DEGram` output ``(n, n_filters, n_frames)`` is
    normalised (batch norm), optionally SpecAugmented (training only), and read as a
    one-channel image by a ResNet of :class:`~skaudio.nn.blocks.ECABottleneck` blocks:
    7x7 stride-2 stem, 3x3 stride-2 pooling, four stages of ``depth[i]`` blocks with
    ``width * 2**i`` planes (stride 2 from the second stage), global pooling, linear head.

    ``frontend`` and ``backbone`` make the paper's ablations configurations of this one
    class: its Tables 6-7 compare the four front ends on a ResNet-18, and its Fig. 6
    the Spectrogram, SincGram and DEGram front ends on ResNet-18, -34 and -50.

    Parameters
    ----------
    n_classes : int
    n_freqs : int, default=257
        Spectrogram bins (``n_fft // 2 + 1``).
    n_filters, order, sr, fmin, fmax, reduction, aggregation
        DEGram settings (see :class:`~skaudio.nn.sincgram.DEGram`).
    stem_width : int, default=16
        Channels of the stem (64 in the paper).
    width : int or tuple of 4 ints, default=8
        Planes of the first stage, doubling per stage (64 in the paper; bottleneck
        blocks output four times more), or the four stages' planes. The paper's Table 1
        keeps its last stage at 256 planes: ``(64, 128, 256, 256)``, the paper size.
    depth : tuple of int or None, default=None
        Blocks per stage; None is the backbone's own: ``(1, 1, 1, 1)`` for the CPU-sized
        ``"eca"`` network ((3, 8, 36, 3) in the paper), the standard depths for the
        ResNets.
    pool, global_pool : str
        Pooling methods of the stem and the final reduction.
    dropout : float, default=0.2
        Dropout before the linear head (the paper's Table 1 has none: 0 in the paper size).
    freq_masks, time_masks : int, default=0
        SpecAugment masks applied after DEGram during training.
    max_freq_mask, max_time_mask : float
        Largest mask width as a fraction of the bands / frames.
    frontend : {"degram", "sincgram", "despectrogram", "spectrogram"}, default="degram"
        The representation read by the backbone ([DEG]_ Table 6): ``"spectrogram"`` the
        log power spectrogram (``log(x + 1e-6)`` of the ``n_freqs`` bins, nothing
        learnable), ``"sincgram"`` the log band energies of the learnable Butterworth
        bank, ``"despectrogram"`` the spectrogram with the TF-DELayer, ``"degram"`` both.
        Without the bank the backbone reads ``n_freqs`` rows instead of ``n_filters``.
    backbone : {"eca", "resnet18", "resnet34", "resnet50"}, default="eca"
        ``"eca"``: bottleneck blocks with efficient channel attention (the paper's
        ECA-ResNet); the ResNets: BasicBlocks 2-2-2-2 and 3-4-6-3, plain bottleneck
        blocks 3-4-6-3, on the same stem, pooling and head. ``stem_width`` and ``width``
        size every backbone (64 and 64 give the standard ResNets).

    Examples
    --------
    >>> import torch
    >>> net = DEGramNet(n_classes=5, n_freqs=129, n_filters=16, stem_width=4, width=2)
    >>> net(torch.rand(2, 129, 64)).shape
    torch.Size([2, 5])
    >>> net = DEGramNet(n_classes=5, n_freqs=129, stem_width=4, width=2,
    ...                 frontend="spectrogram", backbone="resnet18")
    >>> net(torch.rand(2, 129, 64)).shape
    torch.Size([2, 5])
    """

    def __init__(
        self,
        n_classes: int,
        n_freqs: int = 257,
        n_filters: int = 64,
        order: int = 4,
        sr: float = 16000.0,
        fmin: float = 0.0,
        fmax: float | None = None,
        reduction: float = 0.0625,
        aggregation: str = "max",
        stem_width: int = 16,
        width: int | Sequence[int] = 8,
        depth: Sequence[int] | None = None,
        pool: str = "max",
        global_pool: str = "avg",
        dropout: float = 0.2,
        freq_masks: int = 0,
        time_masks: int = 0,
        max_freq_mask: float = 0.15,
        max_time_mask: float = 0.1,
        frontend: str = "degram",
        backbone: str = "eca",
    ) -> None:
        super().__init__()
        if frontend not in _DEGRAM_FRONTENDS:
            raise ValueError(f"frontend must be one of {sorted(_DEGRAM_FRONTENDS)}, got {frontend!r}")
        if backbone not in _DEGRAM_BACKBONES:
            raise ValueError(f"backbone must be one of {sorted(_DEGRAM_BACKBONES)}, got {backbone!r}")
        self.frontend, self.backbone = frontend, backbone
        block, default_depth = _DEGRAM_BACKBONES[backbone]
        depth = default_depth if depth is None else tuple(depth)
        if len(depth) != 4 or min(int(n) for n in depth) < 1:
            raise ValueError(f"depth must be four positive block counts, got {depth!r}")
        filterbank, denoise = _DEGRAM_FRONTENDS[frontend]
        self.degram = DEGram(
            n_freqs,
            n_filters,
            order,
            sr,
            fmin,
            fmax,
            reduction,
            aggregation=aggregation,
            filterbank=filterbank,
            denoise=denoise,
        )
        self.norm = nn.BatchNorm2d(1)
        self.spec_augment = SpecAugment(freq_masks, time_masks, max_freq_mask, max_time_mask)
        self.stem = nn.Sequential(
            nn.Conv2d(1, stem_width, 7, stride=2, padding=3, bias=False),
            nn.BatchNorm2d(stem_width),
            nn.ReLU(inplace=True),
            make_pool2d(pool, 3, 2),
        )
        stages, c_in = [], stem_width
        for i, (n, planes) in enumerate(zip(depth, _doubling_widths(width, 4))):
            for j in range(int(n)):
                stride = 2 if (i > 0 and j == 0) else 1
                if block == "basic":
                    stages.append(BasicBlock(c_in, planes, stride=stride))
                    c_in = planes
                else:
                    stages.append(ECABottleneck(c_in, planes, stride=stride, attention=block == "eca"))
                    c_in = planes * 4
        self.stages = nn.Sequential(*stages)
        self.pool = make_global_pool(global_pool)
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(c_in, n_classes)

    @classmethod
    def paper(cls, n_classes: int, **overrides: Any) -> DEGramNet:
        """The network at the size of its paper (see :data:`~skaudio.nn.PAPER_SIZES`).

        With ``backbone="resnet18"``, ``"resnet34"`` or ``"resnet50"`` the paper's
        ResNet baselines: its front end and stem with the standard ResNet of that name
        (64 stem channels, 64-128-256-512 planes, the standard depths).
        """
        sizes = dict(PAPER_SIZES["DEGramNet"])
        if overrides.get("backbone", "eca") != "eca":
            sizes.pop("depth")
            sizes["width"] = 64  # the standard ResNets double every stage
        return cls(n_classes=n_classes, **{**sizes, **overrides})

    def representation(self, x: torch.Tensor) -> torch.Tensor:
        """The front end's output ``(n, rows, n_frames)`` of power spectrograms ``x``.

        ``rows`` is ``n_filters`` with the SincGram bank, ``n_freqs`` without it.
        """
        return self.degram(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Class scores (logits) ``(n, n_classes)`` of power spectrograms ``(n, n_freqs, n_frames)``."""
        s = self.degram(_pad_last(x, 32))
        s = self.norm(_pad_last(s, 32, -2).unsqueeze(1))
        s = self.spec_augment(s)
        return self.fc(self.dropout(self.pool(self.stages(self.stem(s)))))


class _FD(nn.Module):
    """Fast-downsampling module: aggregate (k=3), stride-2 conv, then MACEM / GARM blocks.

    ``macem`` names the MACEM variants kept: a block of another variant is left out
    (the ablation of [E2E] Table 6); ``garm=False`` leaves out FD-C's GARM.
    """

    def __init__(self, c_in, c_out, variant, macem=("A", "B"), garm=True, garm_kernel_size=15, norm=True):
        super().__init__()
        self.down = nn.Sequential(
            nn.Conv1d(c_in, c_out, 3, padding=1, bias=False),
            nn.BatchNorm1d(c_out),
            nn.LeakyReLU(0.01),
            nn.Conv1d(c_out, c_out, 3, stride=2, padding=1, bias=False),
            nn.BatchNorm1d(c_out),
            nn.LeakyReLU(0.01),
        )
        blocks = {"A": ("A", "B"), "B": ("B", "B"), "R": ("A",), "C": ()}[variant]
        mods = [MACEM(c_out, v, norm=norm) for v in blocks if v in macem]
        if variant == "C":
            mods = [GARM(c_out, kernel_size=garm_kernel_size, norm=norm)] if garm else []
        self.blocks = nn.Sequential(*mods)

    def forward(self, x):
        return self.blocks(self.down(x))


class _Front2d(nn.Module):
    """2-D convolutions over a ``(n, rows, T)`` stem output, rows folded back into channels.

    Each layer is a 3x3 convolution, batch norm and LeakyReLU that halves the rows and
    keeps the frames; ``(n, rows, T)`` becomes ``(n, channels[-1] * rows / 2**k, T)``.
    With no channels it is the identity.
    """

    def __init__(self, rows, channels=()):
        super().__init__()
        layers, c_in = [], 1
        for c_out in channels:
            layers += [
                nn.Conv2d(c_in, int(c_out), 3, stride=(2, 1), padding=1, bias=False),
                nn.BatchNorm2d(int(c_out)),
                nn.LeakyReLU(0.01),
            ]
            c_in, rows = int(c_out), (rows + 1) // 2
        self.layers = nn.Sequential(*layers)
        self.out_channels = c_in * rows

    def forward(self, s):
        return self.layers(s.unsqueeze(1)).flatten(1, 2)  # (n, c * rows', T)


class _SincGramStem(nn.Module):
    """Waveform -> log band energies: power STFT, learnable Butterworth bank, log, batch norm."""

    def __init__(self, n_filters, hop_length, n_fft, sr):
        super().__init__()
        self.stft = STFT(n_fft=n_fft, hop_length=hop_length, power=2.0)
        self.sincgram = SincGramModule(self.stft.n_freqs, n_filters=n_filters, sr=sr)
        self.norm = nn.BatchNorm1d(n_filters)

    def forward(self, x):  # (n, 1, L)
        return self.norm(self.sincgram.log_energies(self.stft(x[:, 0])))  # (n, M, L / hop + 1)


class DualBranchNet(_PaperMixin, nn.Module):
    """Dual-branch CNN-Transformer on raw waveforms [E2E]_.

    *Semantic branch* (narrow, deep): a stem (the paper's strided Conv1d, or by default
    a learnable SincGram filterbank, see ``stem``), five fast-downsampling modules (FD-A:
    MACEM-A + MACEM-B, FD-B: two MACEM-B, FD-R: MACEM-A; each halves the length) with
    channels ``width * 2**i`` (or the five given in ``width``),
    a 1x1 channel reduction to ``d_model`` and a Transformer encoder. *Detail branch*
    (wide, shallow): three Conv1d + BN + LeakyReLU (the first with stride
    ``2 * stem_stride``, then stride 2, k=3) and two FD-C modules
    (with :class:`~skaudio.nn.blocks.GARM`), a BiLSTM and a Transformer encoder. Both end
    at ``L / (32 * stem_stride)`` steps and ``d_model`` channels; a
    :class:`~skaudio.nn.blocks.GuidedAggregation` fuses them, global pooling and a linear
    layer give the logits.

    Parameters
    ----------
    n_classes : int
    width : int or tuple of 5 ints, default=16
        Channels of the semantic FD modules: an int is the first module's, doubling per
        module (16 -> 256, as in the paper size); a tuple gives each module's.
    detail_width : int, default=16
        Channels of the first detail convolution (doubling; 64 -> 256 in the paper size).
    d_model : int, default=64
        Transformer width (256 in the paper size).
    n_heads : int, default=4
    n_layers : int, default=1
        Transformer layers per branch.
    stem_stride : int, default=64
        Hop of both branches' first layer, in samples. The paper uses 1 (22.05 kHz, 4 s,
        2756 tokens per branch); 64 gives 43 tokens for 4 s (54 for 5 s), the frame rate
        of a log-mel with hop 512, and keeps a CPU epoch on ESC-10 near 11 seconds.
    fd_variants : tuple of str, default=("A", "B", "B", "A", "R")
        Variant of each semantic FD module.
    dropout : float, default=0.1
    pool : str, default="max"
        Pooling method over time of the guided aggregation's gate and of the final global
        pooling (any of :func:`skaudio.nn.pool_methods`). The paper does not
        name it; on ESC-10, whose events are often short parts of a 5 s clip, ``"max"``
        scored higher than ``"avg"`` (see the models user guide). Both pooled tensors
        are signed (LeakyReLU and Transformer outputs), so the methods defined only for
        non-negative values (``"lsp"``, ``"power"``, ``"entropy"``) are refused here,
        at construction, with a ``ValueError``, rather than at the first batch.
    stem : {"sincgram", "conv"}, default="sincgram"
        First layer of the semantic branch. ``"conv"`` is the paper's strided Conv1d
        (``width`` channels, kernel ``2 * stem_stride + 1``). ``"sincgram"`` is a
        learnable filterbank on the waveform: a power STFT with hop ``stem_stride``, the
        :class:`~skaudio.nn.SincGramModule` Butterworth bank (mel-initialised, centres
        and widths trained), log compression and batch norm, giving the semantic branch
        ``n_filters`` frequency-selective channels. The detail branch always reads the
        raw waveform. The CPU default is ``"sincgram"``: at a coarse stride the conv stem
        learned too little from ESC-10's 320 training clips (see the models user guide).
    n_filters : int, default=64
    n_fft : int, default=512
    sr : float, default=22050
        Filters, FFT size and sampling rate of the ``"sincgram"`` stem (unused otherwise;
        ``sr`` only places the mel initialisation).
    freq_masks, time_masks : int, default=0
        SpecAugment masks applied to the stem's output during training (rows are the
        filters of the ``"sincgram"`` stem, or the channels of the conv stem).
    max_freq_mask, max_time_mask : float
        Largest mask width as a fraction of the rows / frames.
    front2d : tuple of int, default=()
        Channels of 2-D convolutions (3x3, batch norm, LeakyReLU, each halving the rows)
        run over the stem's output as an image of rows by frames, before the FD modules;
        the rows are then folded back into channels (64 filters and ``(8, 16)`` give
        ``16 * 16 = 256`` channels). They add shift-invariance across frequency, as in
        EnvNet's 1-D-then-2-D design (on ESC-10 no better than without, for twice the
        time: see the models user guide); ``()`` (the paper) feeds the stem's rows to the
        FD modules directly.
    standardize : bool, default=False
        Standardise each waveform, ``(x - mean) / (std + 1e-8)`` over its samples, before
        both branches, as :class:`SECNN` standardises each spectrogram: the output no
        longer depends on the clip's level. Without it the level enters the semantic
        branch as an offset of every log band energy and the detail branch as a
        factor, so evaluation-mode predictions change with the gain (a clip at 4x the
        amplitude: log energies up 2.8), and in training the stem's batch norm shares
        the batchmates' levels with each clip. Added after the ESC-10 measurements of
        the models user guide (which ran without it and were not re-run); on 3-class
        synthetic events (``make_sound_events``, random peak level 0.2-0.9, 48
        training clips, the tiny network of the tests with average pooling and width
        8, seeds 0-9) it raised the lowest training accuracy from 0.73 to 0.96 and the
        lowest test accuracy from 0.71 to 0.96. It is off by default because on ESC-10,
        where a clip's level tells something about its class, it cost about 5 points:
        folds 1 and 3 (seed 0) scored 81.2 and 80.0 % with it against 86.2 and 83.8 %
        without (both runs with the batch-norm re-estimation at the end of ``fit``).
    branches : {"both", "semantic", "detail"}, default="both"
        Which branches run ([E2E]_ Table 6, rows 1-2): with one branch there is no
        fusion, and its Transformer output is pooled straight into the classifier.
    macem : tuple of {"A", "B"}, default=("A", "B")
        MACEM variants kept in the semantic FD modules; a block of a variant not named
        is left out, so ``()`` gives FD modules of their two convolutions alone
        ([E2E]_ Table 6 "no modules"). The paper does not say whether an ablated
        MACEM is removed or replaced; removed is the reading that adds nothing untested.
    garm : bool, default=True
        Keep the GARM of the detail branch's FD-C modules (Table 6's "GARM" column).
    fusion : {"gam", "sum", "concat"}, default="gam"
        How the two branches meet ([E2E]_ Table 7): the guided aggregation module,
        ``S + D``, or the channels of both side by side (the head then reads
        ``2 * d_model`` features). Unused with one branch.
    garm_kernel_size : int or tuple of 3 ints, default=15
        Sizes of GARM's dilated convolutions (dilations 1, 3, 9). The paper gives 1, 15,
        15 (§3.2.1, the paper size); 15 for all three is skaudio's CPU default, with
        which every ESC-10 result of the models guide was measured. On the synthetic
        task of ``block_norm`` below the two were level (held-out accuracy 0.95 and
        0.98 over five seeds, on 24 clips: no difference measured).
    block_norm : bool, default=True
        Batch norm inside MACEM and GARM before their last LeakyReLU, which the paper's
        Eqs. 3 and 9 do not have (the paper size leaves it out). The CPU default keeps
        it because it trained more reliably: on the tests' synthetic task
        (``examples/dual_branch_block_choices.py``: ``make_sound_events(72, 3,
        sr=8000)``, 48 training clips, the tests' small network, 12 epochs, seeds 0-4)
        the lowest training accuracy of the five seeds was 0.92 with it and 0.60
        without (0.94 and 0.67 with the paper's GARM kernel sizes): without it one seed
        in five failed to fit.

    Examples
    --------
    >>> import torch
    >>> net = DualBranchNet(n_classes=3, width=4, detail_width=8, d_model=16, n_heads=2,
    ...                     stem_stride=4)
    >>> net(torch.randn(2, 4096)).shape
    torch.Size([2, 3])
    """

    # networks pickled before the ablation switches have neither attribute
    branches = "both"
    fusion = "gam"

    def __init__(
        self,
        n_classes: int,
        width: int = 16,
        detail_width: int = 16,
        d_model: int = 64,
        n_heads: int = 4,
        n_layers: int = 1,
        stem_stride: int = 64,
        fd_variants: Sequence[str] = ("A", "B", "B", "A", "R"),
        dropout: float = 0.1,
        pool: str = "max",
        stem: str = "sincgram",
        n_filters: int = 64,
        n_fft: int = 512,
        sr: float = 22050.0,
        freq_masks: int = 0,
        time_masks: int = 0,
        max_freq_mask: float = 0.15,
        max_time_mask: float = 0.1,
        front2d: Sequence[Any] = (),
        standardize: bool = False,
        branches: str = "both",
        macem: Sequence[str] = ("A", "B"),
        garm: bool = True,
        fusion: str = "gam",
        garm_kernel_size: int | Sequence[int] = 15,
        block_norm: bool = True,
    ) -> None:
        super().__init__()
        from skaudio._kernels.pooling_table import NONNEGATIVE_METHODS

        self.standardize = bool(standardize)
        if branches not in ("both", "semantic", "detail"):
            raise ValueError(f"branches must be 'both', 'semantic' or 'detail', got {branches!r}")
        if isinstance(macem, str) or set(macem) - {"A", "B"}:
            raise ValueError(f"macem must be a tuple of 'A' and/or 'B' (or ()), got {macem!r}")
        if fusion not in ("gam", "sum", "concat"):
            raise ValueError(f"fusion must be 'gam', 'sum' or 'concat', got {fusion!r}")
        self.branches, self.fusion = branches, fusion
        fd = dict(
            macem=tuple(macem), garm=bool(garm), garm_kernel_size=garm_kernel_size, norm=bool(block_norm)
        )

        if pool in NONNEGATIVE_METHODS:
            raise ValueError(
                f"pool={pool!r} is defined for non-negative values only, but DualBranchNet pools "
                f"signed activations (the guided aggregation's LeakyReLU gate and the fused Transformer "
                f"output); choose a method defined for any sign, e.g. 'max', 'avg', 'lse', 'auto' or "
                f"'attention'."
            )
        if len(fd_variants) != 5 or set(fd_variants) - {"A", "B", "R"}:
            raise ValueError(f"fd_variants must be five of 'A', 'B', 'R', got {fd_variants!r}")
        if stem not in ("conv", "sincgram"):
            raise ValueError(f"stem must be 'conv' or 'sincgram', got {stem!r}")
        self.min_length = max(64 * int(stem_stride), int(n_fft) if stem == "sincgram" else 0)
        widths = _doubling_widths(width, len(fd_variants))
        layer = dict(
            d_model=d_model,
            nhead=n_heads,
            dim_feedforward=2 * d_model,
            dropout=dropout,
            batch_first=True,
            norm_first=True,
        )
        if branches != "detail":  # the semantic branch
            if stem == "conv":
                k = 2 * int(stem_stride) + 1
                self.stem = nn.Sequential(
                    nn.Conv1d(1, widths[0], k, stride=stem_stride, padding=k // 2, bias=False),
                    nn.BatchNorm1d(widths[0]),
                    nn.LeakyReLU(0.01),
                )
                c_in = widths[0]
            else:
                self.stem = _SincGramStem(int(n_filters), int(stem_stride), int(n_fft), float(sr))
                c_in = int(n_filters)
            self.spec_augment = SpecAugment(freq_masks, time_masks, max_freq_mask, max_time_mask)
            self.front2d = _Front2d(c_in, front2d)
            c_in = self.front2d.out_channels
            fds = []
            for v, c_out in zip(fd_variants, widths):
                fds.append(_FD(c_in, c_out, v, **fd))
                c_in = c_out
            self.semantic = nn.Sequential(*fds)
            self.reduce = nn.Conv1d(c_in, d_model, 1)
            self.semantic_tf = nn.TransformerEncoder(
                nn.TransformerEncoderLayer(**layer), n_layers, enable_nested_tensor=False
            )
        if branches != "semantic":  # the detail branch
            dw = int(detail_width)
            det, c_in = [], 1
            for i in range(3):
                c_out = dw * 2**i
                stride = 2 * int(stem_stride) if i == 0 else 2
                det += [
                    nn.Conv1d(
                        c_in,
                        c_out,
                        2 * stride - 1 if i == 0 else 3,
                        stride=stride,
                        padding=(2 * stride - 1) // 2 if i == 0 else 1,
                        bias=False,
                    ),
                    nn.BatchNorm1d(c_out),
                    nn.LeakyReLU(0.01),
                ]
                c_in = c_out
            self.detail = nn.Sequential(*det, _FD(c_in, c_in, "C", **fd), _FD(c_in, c_in, "C", **fd))
            self.lstm = nn.LSTM(c_in, d_model // 2, batch_first=True, bidirectional=True)
            self.detail_tf = nn.TransformerEncoder(
                nn.TransformerEncoderLayer(**layer), n_layers, enable_nested_tensor=False
            )
        if branches == "both" and fusion == "gam":
            self.gam = GuidedAggregation(d_model, pool=pool)
        self.pool = make_global_pool(pool, dim=-1)
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(2 * d_model if branches == "both" and fusion == "concat" else d_model, n_classes)

    def _semantic_branch(self, x):
        s = self.front2d(self.spec_augment(self.stem(x)))  # (n, C, L / stride)
        s = self.reduce(self.semantic(s))  # (n, d, L')
        return self.semantic_tf(s.transpose(1, 2)).transpose(1, 2)

    def _detail_branch(self, x):
        d = self.detail(x).transpose(1, 2)  # (n, L'', c)
        d, _ = self.lstm(d)
        return self.detail_tf(d).transpose(1, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Class scores (logits) ``(n, n_classes)`` of waveforms ``(n, [1,] n_samples)``."""
        if x.ndim == 2:
            x = x.unsqueeze(1)
        if x.ndim != 3 or x.shape[1] != 1:
            raise ValueError(f"expected waveforms of shape (n, n_samples), got {tuple(x.shape)}")
        if self.standardize:  # level-free input (before the zero padding, which stays silence)
            mean = x.mean(dim=-1, keepdim=True)
            x = (x - mean) / (x.std(dim=-1, keepdim=True, correction=0) + 1e-8)
        if x.shape[-1] < self.min_length:  # zero-pad short clips, as the paper pads to 4 s
            x = nn.functional.pad(x, (0, self.min_length - x.shape[-1]))
        if self.branches == "semantic":
            o = self._semantic_branch(x)
        elif self.branches == "detail":
            o = self._detail_branch(x)
        else:
            s, d = self._semantic_branch(x), self._detail_branch(x)
            n = min(s.shape[-1], d.shape[-1])  # equal up to rounding
            s, d = s[..., :n], d[..., :n]
            if self.fusion == "gam":
                o = self.gam(s, d)
            elif self.fusion == "sum":
                o = s + d
            else:
                o = torch.cat([s, d], dim=1)
        return self.fc(self.dropout(self.pool(o)))
