"""Training-time augmentation of audio batches (torch tensors, torch's random generator).

Every function takes a batch whose last axis is time -- waveforms ``(n, n_samples)`` or
spectrograms ``(n, n_freqs, n_frames)`` -- and returns a new tensor; inputs are never
modified. Randomness comes from torch's generator, so the estimators make it
reproducible by seeding it from ``random_state``. The recipe follows the SE-CNN thesis
[NMF]_ (coloured noise, time shift) and mixup [MIX]_.

References
----------
.. [NMF] Dwivedi, "Interpretation of representations of audio signals in hidden layers of a
   neural network using NMF", 2024 (thesis): white/pink/brown noise at 15 dB SNR, time
   shift up to 20 % with probability 0.3, mixup.
.. [MIX] Zhang, Cisse, Dauphin, Lopez-Paz, "mixup: Beyond empirical risk minimization",
   ICLR 2018.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np
import torch
from numpy.typing import ArrayLike

from skaudio._kernels.filterbank import mel_frequencies

__all__ = [
    "AudioAugment",
    "NOISE_COLORS",
    "noise_exponent",
    "add_noise_waveform",
    "add_noise_spectrogram",
    "time_shift",
    "random_crop",
    "crop_length",
    "mixup",
]

#: power spectral density ``~ f ** -exponent`` of each noise colour
NOISE_COLORS = {"white": 0.0, "pink": 1.0, "brown": 2.0}


def noise_exponent(color: str) -> float:
    """PSD exponent of a noise colour name (``"white"``, ``"pink"``, ``"brown"``)."""
    if color not in NOISE_COLORS:
        raise ValueError(f"noise colour must be one of {sorted(NOISE_COLORS)}, got {color!r}")
    return NOISE_COLORS[color]


def _colors_per_clip(n, colors, device):
    exps = torch.tensor([noise_exponent(c) for c in colors], dtype=torch.float32, device=device)
    return exps[torch.randint(len(colors), (n,), device=device)]


def add_noise_waveform(
    x: torch.Tensor,
    colors: Sequence[str] = ("white", "pink", "brown"),
    snr_db: float = 15.0,
    prob: float = 1.0,
) -> torch.Tensor:
    """Add coloured Gaussian noise at ``snr_db`` to a random ``prob`` share of the clips.

    Noise is white Gaussian noise shaped in the frequency domain so its power falls
    as ``f ** -exponent`` (0 white, 1 pink, 2 brown), then scaled so that
    ``10 log10(P_signal / P_noise) = snr_db`` per clip.

    Examples
    --------
    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> x = torch.randn(4, 8000)
    >>> y = add_noise_waveform(x, ("pink",), snr_db=10.0)
    >>> snr = 10 * torch.log10(x.pow(2).mean(1) / (y - x).pow(2).mean(1))
    >>> bool(torch.allclose(snr, torch.full((4,), 10.0), atol=1e-3))
    True
    """
    n, length = x.shape[0], x.shape[-1]
    spec = torch.fft.rfft(torch.randn(x.shape, device=x.device), dim=-1)
    f = torch.arange(spec.shape[-1], device=x.device, dtype=torch.float32).clamp_min(1.0)
    exps = _colors_per_clip(n, colors, x.device).reshape(n, *([1] * (x.ndim - 1)))
    noise = torch.fft.irfft(spec * f.pow(-exps / 2), n=length, dim=-1)
    dims = tuple(range(1, x.ndim))
    p_sig = x.pow(2).mean(dims, keepdim=True)
    p_noise = noise.pow(2).mean(dims, keepdim=True).clamp_min(1e-20)
    noise = noise * torch.sqrt(p_sig / p_noise / 10 ** (snr_db / 10))
    keep = (torch.rand(n, device=x.device) < prob).to(x.dtype).reshape(n, *([1] * (x.ndim - 1)))
    return x + keep * noise


def row_frequencies(
    n_rows: int, scale: str = "linear", sr: float = 22050.0, fmin: float = 0.0, fmax: float | None = None
) -> np.ndarray:
    """Centre frequency (Hz) of each spectrogram row for ``scale`` ``"linear"`` or ``"mel"``."""
    fmax = sr / 2 if fmax is None else fmax
    if scale == "mel":
        return mel_frequencies(n_rows + 2, fmin=fmin, fmax=fmax)[1:-1]
    if scale == "linear":
        return np.linspace(fmin, fmax, n_rows)
    raise ValueError(f"scale must be 'linear' or 'mel', got {scale!r}")


def add_noise_spectrogram(
    S: torch.Tensor,
    freqs: ArrayLike | torch.Tensor,
    colors: Sequence[str] = ("white", "pink", "brown"),
    snr_db: float = 15.0,
    prob: float = 1.0,
    db: bool = False,
    top_db: float | None = 80.0,
) -> torch.Tensor:
    """Add coloured noise to power (or dB) spectrograms, in the power domain.

    Independent additive noise adds its power spectrum to the signal's. The noise
    power of row ``i`` follows ``freqs[i] ** -exponent`` (each row's centre frequency,
    DC clamped to the first non-zero row), times an exponential random factor per
    time-frequency bin (the distribution of a Gaussian noise periodogram), and its
    total is set to ``P_signal / 10 ** (snr_db / 10)`` per clip. With ``db=True`` the
    input is read as dB, converted to power, noised and converted back (relative to the
    clip maximum, floored at ``top_db`` below it).

    Examples
    --------
    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> S = torch.rand(2, 64, 50)
    >>> out = add_noise_spectrogram(S, torch.linspace(0, 8000, 64), ("white",), snr_db=0.0)
    >>> bool(torch.allclose((out - S).sum((1, 2)), S.sum((1, 2)), rtol=0.2))
    True
    """
    n = S.shape[0]
    P = torch.pow(10.0, S / 10.0) if db else S
    freqs = torch.as_tensor(freqs, dtype=torch.float32, device=S.device)
    positive = freqs[freqs > 0]
    floor = positive.min() if positive.numel() else torch.tensor(1.0, device=S.device)
    f = freqs.clamp_min(float(floor))
    exps = _colors_per_clip(n, colors, S.device)
    shape = f[None, :].pow(-exps[:, None])  # (n, F)
    noise = shape[:, :, None] * -torch.log(torch.rand(P.shape, device=S.device).clamp_min(1e-12))
    dims = tuple(range(1, P.ndim))
    scale = P.sum(dims, keepdim=True) / noise.sum(dims, keepdim=True).clamp_min(1e-30) / 10 ** (snr_db / 10)
    keep = (torch.rand(n, device=S.device) < prob).to(P.dtype).reshape(n, *([1] * (P.ndim - 1)))
    P = P + keep * scale * noise
    if not db:
        return P
    out = 10.0 * torch.log10(P.clamp_min(1e-10))
    out = out - out.amax(dims, keepdim=True)
    return out.clamp_min(-top_db) if top_db is not None else out


def time_shift(x: torch.Tensor, prob: float = 0.3, max_fraction: float = 0.2) -> torch.Tensor:
    """Circularly shift a random ``prob`` share of the clips by up to ``max_fraction`` of their length.

    Examples
    --------
    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> x = torch.arange(10.0).repeat(3, 1)
    >>> y = time_shift(x, prob=1.0, max_fraction=0.3)
    >>> bool((y.sort(-1).values == x).all())
    True
    """
    n, length = x.shape[0], x.shape[-1]
    max_shift = int(max_fraction * length)
    if max_shift == 0 or prob <= 0:
        return x
    shifts = torch.randint(-max_shift, max_shift + 1, (n,), device=x.device)
    shifts = shifts * (torch.rand(n, device=x.device) < prob)
    idx = (torch.arange(length, device=x.device)[None, :] - shifts[:, None]) % length
    idx = idx.reshape(n, *([1] * (x.ndim - 2)), length).expand_as(x)
    return torch.gather(x, -1, idx)


def random_crop(x: torch.Tensor, fraction: float | tuple[float, float]) -> torch.Tensor:
    """Crop one random window, the same for the whole batch, along the time axis.

    ``fraction`` is the share of the length kept: a float, or a ``(low, high)`` range
    drawn uniformly per batch. For crops of an absolute length that tile short clips
    (DEGramNet's 4-6 s) see :func:`~skaudio.models.augment.crop_length`.

    Examples
    --------
    >>> import torch
    >>> random_crop(torch.zeros(2, 64, 100), 0.5).shape
    torch.Size([2, 64, 50])
    """
    length = x.shape[-1]
    if isinstance(fraction, (tuple, list)):
        lo, hi = float(fraction[0]), float(fraction[1])
        frac = lo + (hi - lo) * float(torch.rand(()))
    else:
        frac = float(fraction)
    keep = max(1, min(length, int(round(frac * length))))
    start = int(torch.randint(0, length - keep + 1, ()))
    return x[..., start : start + keep]


def crop_bounds(length: int | tuple[int, int]) -> tuple[int, int]:
    """``(low, high)`` of a ``crop_length`` setting (an int is ``(n, n)``); a ValueError if invalid."""
    bounds = tuple(length) if isinstance(length, (tuple, list)) else (length,)
    ok = (
        len(bounds) in (1, 2)
        and all(isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= 1 for v in bounds)
        and bounds[0] <= bounds[-1]
    )
    if not ok:
        raise ValueError(
            "crop_length must be a length >= 1 (frames, or samples for waveforms) or a (low, high) "
            f"pair of them with low <= high, got {length!r}"
        )
    return int(bounds[0]), int(bounds[-1])


def crop_length(x: torch.Tensor, length: int | tuple[int, int]) -> torch.Tensor:
    """Cut or tile a batch to an absolute length drawn per batch, each clip at its own offset.

    The batch's length ``L`` is ``length`` or drawn uniformly from the integers of
    ``[low, high]``. Clips longer than ``L`` are cut at a random offset drawn per clip;
    clips shorter than ``L`` are replicated (tiled from their first frame:
    ``out[..., j] = x[..., j % n_time]``) until they fill it; clips of length ``L``
    are kept. This is DEGramNet's training crop ("a batch with time length randomly
    chosen in the range [4, 6] seconds ... we replicated the samples shorter than the
    selected window and cut the longer ones", Foggia et al. 2023, Sect. 3.3), with
    ``length`` in frames: ``(400, 600)`` at 100 frames per second. All clips of a batch
    have one length here, so a clip is "shorter" when the array is: a clip zero-padded to
    the batch length is not detected as short.

    Examples
    --------
    >>> import torch
    >>> x = torch.arange(3.0).repeat(2, 1)
    >>> crop_length(x, 7)
    tensor([[0., 1., 2., 0., 1., 2., 0.],
            [0., 1., 2., 0., 1., 2., 0.]])
    >>> _ = torch.manual_seed(0)
    >>> crop_length(torch.zeros(4, 64, 700), (400, 600)).shape[-1] in range(400, 601)
    True
    """
    low, high = crop_bounds(length)
    n, n_time = x.shape[0], x.shape[-1]
    keep = low if low == high else int(torch.randint(low, high + 1, ()))
    if n_time < keep:
        reps = -(-keep // n_time)
        return x.repeat(*([1] * (x.ndim - 1)), reps)[..., :keep]
    starts = torch.randint(0, n_time - keep + 1, (n,), device=x.device)
    idx = starts[:, None] + torch.arange(keep, device=x.device)[None, :]
    idx = idx.reshape(n, *([1] * (x.ndim - 2)), keep).expand(*x.shape[:-1], keep)
    return torch.gather(x, -1, idx)


def mixup(x: torch.Tensor, alpha: float) -> tuple[torch.Tensor, torch.Tensor, float]:
    """Mix each clip with a random partner: ``lam x + (1 - lam) x[perm]``, ``lam ~ Beta(a, a)``.

    mixup as in Zhang et al. (ICLR 2018).

    Returns the mixed batch, the permutation and ``lam`` (so the loss can be mixed
    the same way).
    """
    lam = float(torch.distributions.Beta(alpha, alpha).sample())
    perm = torch.randperm(x.shape[0], device=x.device)
    return lam * x + (1.0 - lam) * x[perm], perm, lam


class AudioAugment:
    """The training-time augmentation of a batch, as one object.

    The classifiers build one from their augmentation parameters at the start of
    ``fit`` (their ``augmentation_`` attribute) and apply it to every training batch;
    it can also be used on its own. A batch ``(n, ..., n_time)`` goes through, in this
    order: coloured noise (:func:`~skaudio.models.augment.add_noise_waveform` or
    :func:`~skaudio.models.augment.add_noise_spectrogram`), circular time shifts
    (:func:`~skaudio.models.augment.time_shift`), SpecAugment masks
    (:class:`skaudio.nn.SpecAugment`) and one random crop
    (:func:`~skaudio.models.augment.random_crop`, a share of the clip, or
    :func:`~skaudio.models.augment.crop_length`, an absolute length with tiling);
    :meth:`mix` then applies mixup (:func:`~skaudio.models.augment.mixup`). Steps whose settings switch them
    off draw no random numbers, so switching one off leaves the others' draws alone.

    Parameters
    ----------
    noise : str, sequence of str or None, default=None
        Noise colours (``"white"``, ``"pink"``, ``"brown"``), one drawn per clip.
    noise_snr : float, default=15.0
        Signal-to-noise ratio of the added noise in dB.
    noise_prob : float, default=0.5
        Share of the clips that get noise.
    noise_freqs : array-like or None, default=None
        Centre frequency (Hz) of each spectrogram row; None means the batches are
        waveforms.
    noise_db : bool, default=False
        Spectrogram batches are in dB (the noise is added in the power domain).
    time_shift_prob, time_shift_max : float, default=0.0, 0.2
        Probability and largest size (share of the length) of a circular shift.
    spec_augment : (int, int) or None, default=None
        Numbers of frequency and time masks.
    random_crop : float, (float, float) or None, default=None
        Share of the time axis kept by the batch's crop.
    crop_length : int, (int, int) or None, default=None
        Absolute length (frames or samples) of the batch's crop, drawn from the range;
        shorter clips are tiled (:func:`~skaudio.models.augment.crop_length`). Exclusive with ``random_crop``.
    mixup_alpha : float, default=0.0
        ``Beta(alpha, alpha)`` parameter of mixup; 0 switches it off.

    Examples
    --------
    >>> import torch
    >>> from skaudio.models.augment import AudioAugment
    >>> aug = AudioAugment(time_shift_prob=1.0, random_crop=0.5)
    >>> _ = torch.manual_seed(0)
    >>> aug(torch.randn(4, 64, 100)).shape
    torch.Size([4, 64, 50])
    >>> aug.active
    True
    """

    def __init__(
        self,
        noise: str | Sequence[str] | None = None,
        noise_snr: float = 15.0,
        noise_prob: float = 0.5,
        noise_freqs: ArrayLike | None = None,
        noise_db: bool = False,
        time_shift_prob: float = 0.0,
        time_shift_max: float = 0.2,
        spec_augment: tuple[int, int] | None = None,
        random_crop: float | tuple[float, float] | None = None,
        crop_length: int | tuple[int, int] | None = None,
        mixup_alpha: float = 0.0,
    ) -> None:
        self.noise = None if noise is None else ((noise,) if isinstance(noise, str) else tuple(noise))
        for color in self.noise or ():
            noise_exponent(color)  # a clear error for an unknown colour
        if self.noise == ():
            raise ValueError("noise must name at least one colour, or be None")
        self.noise_snr = float(noise_snr)
        self.noise_prob = float(noise_prob)
        self.noise_freqs = None if noise_freqs is None else np.asarray(noise_freqs, dtype=np.float64)
        self.noise_db = noise_db
        self.time_shift_prob = float(time_shift_prob)
        self.time_shift_max = float(time_shift_max)
        if spec_augment is not None and not (
            len(spec_augment) == 2 and all(isinstance(v, numbers.Integral) and v >= 0 for v in spec_augment)
        ):
            raise ValueError(
                "spec_augment must be None or a pair (n_freq_masks, n_time_masks) of non-negative "
                f"integers, got {spec_augment!r}"
            )
        self.spec_augment = None if spec_augment is None or not any(spec_augment) else tuple(spec_augment)
        if random_crop is not None:
            bounds = tuple(random_crop) if isinstance(random_crop, (tuple, list)) else (random_crop,)
            if (
                len(bounds) not in (1, 2)
                or not all(isinstance(v, numbers.Real) and 0 < v <= 1 for v in bounds)
                or (len(bounds) == 2 and bounds[0] > bounds[1])
            ):
                raise ValueError(
                    "random_crop must be a fraction in (0, 1] or a (low, high) pair of them with "
                    f"low <= high, got {random_crop!r}"
                )
        self.random_crop = random_crop
        if crop_length is not None:
            crop_bounds(crop_length)
            if random_crop is not None:
                raise ValueError("random_crop and crop_length both crop the batch: set one, not both")
        self.crop_length = crop_length
        self.mixup_alpha = float(mixup_alpha)

    @property
    def active(self) -> bool:
        """Whether any step changes a batch."""
        return bool(
            (self.noise and self.noise_prob > 0)
            or (self.time_shift_prob > 0 and self.time_shift_max > 0)
            or self.spec_augment
            or self.random_crop is not None
            or self.crop_length is not None
            or self.mixup_alpha > 0
        )

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        """Noise, time shift, masks and crop of a batch (a new tensor; ``x`` is kept)."""
        if self.noise and self.noise_prob > 0:
            if self.noise_freqs is None:
                x = add_noise_waveform(x, self.noise, self.noise_snr, self.noise_prob)
            else:
                x = add_noise_spectrogram(
                    x, self.noise_freqs, self.noise, self.noise_snr, self.noise_prob, db=self.noise_db
                )
        if self.time_shift_prob > 0 and self.time_shift_max > 0:
            x = time_shift(x, self.time_shift_prob, self.time_shift_max)
        if self.spec_augment:
            from skaudio.nn.blocks import SpecAugment

            x = SpecAugment(*self.spec_augment).train()(x)
        if self.random_crop is not None:
            x = random_crop(x, self.random_crop)
        if self.crop_length is not None:
            x = crop_length(x, self.crop_length)
        return x

    def mix(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None, float]:
        """mixup of a batch: ``(mixed, perm, lam)``, or ``(x, None, 1.0)`` when switched off."""
        if self.mixup_alpha > 0:
            return mixup(x, self.mixup_alpha)
        return x, None, 1.0

    def __repr__(self) -> str:
        fields = ", ".join(
            f"{k}={v!r}" for k, v in vars(self).items() if k != "noise_freqs" and v not in (None, 0.0, False)
        )
        return f"AudioAugment({fields})"
