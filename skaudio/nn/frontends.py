"""Batched time-frequency front ends in torch: STFT, mel filterbank, dB.

The modules reproduce librosa's definitions (``librosa.stft``,
``librosa.feature.melspectrogram``, ``librosa.power_to_db``) for a whole batch
at once, so they serve both the scikit-learn transformers and the networks.
Window and filterbank are librosa's definitions (computed with numpy, tested against
librosa); only the batched arithmetic is ours.
"""

from __future__ import annotations

import numpy as np
import torch
from numpy.typing import ArrayLike
from torch import nn

from skaudio._kernels.filterbank import analysis_window, mel_filterbank

__all__ = ["STFT", "Filterbank", "MelFilterbank", "MelSpectrogramModule", "PowerToDbModule", "power_to_db"]

# librosa's pad-mode names -> torch's
_PAD_MODES = {"constant": "constant", "reflect": "reflect", "edge": "replicate", "wrap": "circular"}


def _window_tensor(window, win_length, n_fft):
    return torch.as_tensor(analysis_window(window, win_length, n_fft), dtype=torch.float32)


class STFT(nn.Module):
    """Short-time Fourier transform of a batch of waveforms, librosa-compatible.

    Parameters
    ----------
    n_fft : int
        FFT length.
    hop_length : int, optional
        Hop between frames; ``n_fft // 4`` (at least 1) by default, as in librosa.
    win_length : int, optional
        Window length, at most ``n_fft``; the window is zero-padded to ``n_fft``.
    window : str, tuple or float
        Any window spec ``librosa.filters.get_window`` accepts.
    center : bool
        Pad ``n_fft // 2`` samples on both sides so frame ``t`` is centred at
        ``t * hop_length``.
    pad_mode : {"constant", "reflect", "edge", "wrap"}
        Padding used when ``center=True`` (librosa's names).
    power : float or None
        Exponent applied to the magnitude (2 = power, 1 = magnitude); ``None``
        returns the complex STFT.

    Examples
    --------
    >>> import torch
    >>> stft = STFT(n_fft=512, hop_length=128)
    >>> stft(torch.zeros(2, 16000)).shape
    torch.Size([2, 257, 126])
    """

    def __init__(
        self,
        n_fft: int = 2048,
        hop_length: int | None = None,
        win_length: int | None = None,
        window: str | tuple | float = "hann",
        center: bool = True,
        pad_mode: str = "constant",
        power: float | None = 2.0,
    ) -> None:
        super().__init__()
        if pad_mode not in _PAD_MODES:
            raise ValueError(f"pad_mode must be one of {sorted(_PAD_MODES)}, got {pad_mode!r}")
        self.n_fft = int(n_fft)
        self.hop_length = int(hop_length) if hop_length is not None else max(1, self.n_fft // 4)
        self.win_length = int(win_length) if win_length is not None else self.n_fft
        if not 0 < self.win_length <= self.n_fft:
            raise ValueError(f"win_length must be in [1, n_fft={self.n_fft}], got {self.win_length}")
        self.center = bool(center)
        self.pad_mode = pad_mode
        self.power = power
        self.register_buffer("window", _window_tensor(window, self.win_length, self.n_fft), persistent=False)

    @property
    def n_freqs(self) -> int:
        return self.n_fft // 2 + 1

    def n_frames(self, n_samples: int) -> int:
        """Number of frames produced for ``n_samples`` input samples."""
        if self.center:
            return 1 + n_samples // self.hop_length
        return 1 + (n_samples - self.n_fft) // self.hop_length

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Map ``(..., n_samples)`` waveforms to ``(..., n_freqs, n_frames)``."""
        lead = x.shape[:-1]
        x = x.reshape(-1, x.shape[-1])
        spec = torch.stft(
            x,
            self.n_fft,
            hop_length=self.hop_length,
            win_length=self.n_fft,
            window=self.window.to(x.dtype),
            center=self.center,
            pad_mode=_PAD_MODES[self.pad_mode],
            return_complex=True,
        )
        if self.power is not None:
            if self.power == 2.0:
                # real^2 + imag^2 on the strided views: about twice as fast as
                # view_as_real(...).pow(2).sum(-1) on torch.stft's frame-major layout
                spec = spec.real.square() + spec.imag.square()
            elif self.power == 1.0:
                spec = spec.abs()
            else:
                spec = spec.abs().pow(self.power)
        return spec.reshape(*lead, *spec.shape[-2:])


class Filterbank(nn.Module):
    """Project ``(..., n_freqs, n_frames)`` spectra on fixed ``(n_bands, n_freqs)`` weights."""

    def __init__(self, weights: ArrayLike) -> None:
        super().__init__()
        self.register_buffer("basis", torch.as_tensor(np.asarray(weights, np.float32)), persistent=False)

    def forward(self, spec: torch.Tensor) -> torch.Tensor:
        return torch.matmul(self.basis.to(spec.dtype), spec)


class MelFilterbank(Filterbank):
    """Apply librosa's mel filterbank to ``(..., n_freqs, n_frames)`` spectra.

    Parameters
    ----------
    sr : float
        Sampling rate of the audio.
    n_fft : int
        FFT length the spectra were computed with.
    n_mels, fmin, fmax, htk, norm
        As in ``librosa.filters.mel`` (Slaney mel scale by default, HTK when
        ``htk=True``).
    """

    def __init__(
        self,
        sr: float,
        n_fft: int,
        n_mels: int = 128,
        fmin: float = 0.0,
        fmax: float | None = None,
        htk: bool = False,
        norm: str | float | None = "slaney",
    ) -> None:
        super().__init__(
            mel_filterbank(
                sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax, htk=htk, norm=norm, dtype=np.float32
            )
        )


def power_to_db(
    S: torch.Tensor,
    ref: float | str = "max",
    amin: float = 1e-10,
    top_db: float | None = 80.0,
    multiplier: float = 10.0,
) -> torch.Tensor:
    """Convert a batch of power spectrograms to decibels, per clip.

    Same definition as ``librosa.power_to_db`` applied to each clip (first axis)
    separately: ``10 log10(max(amin, S)) - 10 log10(max(amin, ref))``, then
    values below the clip's peak minus ``top_db`` are raised to that floor.

    Parameters
    ----------
    S : torch.Tensor of shape (n_clips, ...)
        Non-negative power values.
    ref : "max" or float
        Reference power: each clip's maximum, or a fixed value.
    amin : float
        Floor applied before the logarithm.
    top_db : float or None
        Dynamic range kept below each clip's peak; ``None`` keeps everything.
    multiplier : float
        10 for power, 20 for magnitude input (the amin and ref are then taken
        in the magnitude domain, as ``librosa.amplitude_to_db`` does).

    Returns
    -------
    torch.Tensor
        Same shape as ``S``.
    """
    dims = tuple(range(1, S.ndim))
    log_spec = multiplier * torch.log10(torch.clamp(S, min=amin))
    if isinstance(ref, str):
        ref_val = torch.clamp(S.amax(dim=dims, keepdim=True), min=amin)
        log_spec = log_spec - multiplier * torch.log10(ref_val)
    else:
        log_spec = log_spec - multiplier * float(np.log10(max(amin, float(ref))))
    if top_db is not None:
        floor = log_spec.amax(dim=dims, keepdim=True) - top_db
        log_spec = torch.maximum(log_spec, floor)
    return log_spec


class PowerToDbModule(nn.Module):
    """Module form of :func:`power_to_db`."""

    def __init__(
        self,
        ref: float | str = "max",
        amin: float = 1e-10,
        top_db: float | None = 80.0,
        multiplier: float = 10.0,
    ) -> None:
        super().__init__()
        self.ref, self.amin, self.top_db, self.multiplier = ref, amin, top_db, multiplier

    def forward(self, S: torch.Tensor) -> torch.Tensor:
        return power_to_db(S, self.ref, self.amin, self.top_db, self.multiplier)


class MelSpectrogramModule(nn.Module):
    """Waveforms ``(n, n_samples)`` to (log-)mel spectrograms ``(n, n_mels, n_frames)``.

    Parameters
    ----------
    sr : float
        Sampling rate.
    n_fft, hop_length, win_length, window, center, pad_mode, power
        As in :class:`STFT`.
    n_mels, fmin, fmax, htk, norm
        As in :class:`MelFilterbank`.
    to_db : bool
        Convert to decibels with :func:`power_to_db`.
    ref, amin, top_db
        As in :func:`power_to_db`.

    Examples
    --------
    >>> import torch
    >>> mel = MelSpectrogramModule(sr=16000, n_fft=512, hop_length=256, n_mels=40)
    >>> mel(torch.randn(3, 16000)).shape
    torch.Size([3, 40, 63])
    """

    def __init__(
        self,
        sr: float,
        n_fft: int = 2048,
        hop_length: int | None = None,
        win_length: int | None = None,
        window: str | tuple | float = "hann",
        center: bool = True,
        pad_mode: str = "constant",
        power: float = 2.0,
        n_mels: int = 128,
        fmin: float = 0.0,
        fmax: float | None = None,
        htk: bool = False,
        norm: str | float | None = "slaney",
        to_db: bool = True,
        ref: float | str = "max",
        amin: float = 1e-10,
        top_db: float | None = 80.0,
    ) -> None:
        super().__init__()
        self.stft = STFT(n_fft, hop_length, win_length, window, center, pad_mode, power)
        self.mel = MelFilterbank(sr, n_fft, n_mels, fmin, fmax, htk, norm)
        self.to_db = PowerToDbModule(ref, amin, top_db, 20.0 / power) if to_db else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Map ``(..., n_samples)`` waveforms to ``(..., n_mels, n_frames)`` (dB if ``to_db``)."""
        S = self.mel(self.stft(x))
        return self.to_db(S) if self.to_db is not None else S
