"""A synthetic sound-event generator: the built-in data set for demos, docs and tests."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.signal import butter, sosfilt
from sklearn.utils import Bunch, check_random_state

__all__ = ["make_sound_events", "SOUND_EVENT_KINDS"]

#: The five event families; class ``c`` belongs to family ``c % 5``.
SOUND_EVENT_KINDS = ("harmonic", "chirp", "noise_burst", "impulse_train", "modulated")

_FADE_S = 0.01


def _class_recipe(c, sr):
    """Fixed parameters of class ``c`` (independent of ``random_state``).

    Classes ``c`` and ``c + 5`` share a family; families overlap in frequency
    (every recipe draws its band from the same range), so the average spectrum
    alone does not separate all classes: timing and modulation matter.
    """
    rng = np.random.default_rng(10_007 + c)
    kind = SOUND_EVENT_KINDS[c % len(SOUND_EVENT_KINDS)]
    nyq = sr / 2
    f_lo, f_hi = 150.0, min(4000.0, 0.4 * nyq)
    centre = float(np.exp(rng.uniform(np.log(f_lo * 1.5), np.log(f_hi / 1.5))))
    recipe = {"kind": kind, "centre": centre}
    if kind == "harmonic":
        recipe.update(n_harmonics=int(rng.integers(3, 8)), tilt=float(rng.uniform(0.5, 2.0)))
    elif kind == "chirp":
        ratio = float(rng.uniform(1.5, 3.0))
        up = bool(rng.integers(0, 2))
        recipe.update(
            f0=centre / ratio**0.5 if up else centre * ratio**0.5,
            f1=centre * ratio**0.5 if up else centre / ratio**0.5,
        )
    elif kind == "noise_burst":
        recipe.update(bandwidth=float(rng.uniform(0.3, 1.0)), n_bursts=int(rng.integers(1, 4)))
    elif kind == "impulse_train":
        recipe.update(rate=float(rng.uniform(4.0, 20.0)), bandwidth=float(rng.uniform(0.3, 1.0)))
    else:  # modulated
        recipe.update(
            am_rate=float(rng.uniform(3.0, 15.0)),
            fm_depth=float(rng.uniform(0.0, 0.05)),
            fm_rate=float(rng.uniform(0.5, 4.0)),
        )
    return recipe


def _bandpass(x, centre, rel_bw, sr):
    lo = max(20.0, centre * (1 - rel_bw / 2))
    hi = min(0.95 * sr / 2, centre * (1 + rel_bw / 2))
    sos = butter(4, [lo, hi], btype="bandpass", fs=sr, output="sos")
    return sosfilt(sos, x)


def _render(recipe, n, sr, rng):
    """One event of ``n`` samples, with per-clip jitter of the class parameters."""
    t = np.arange(n) / sr
    jitter = float(np.exp(rng.normal(0.0, 0.06)))  # about +-6 % pitch variation
    centre = recipe["centre"] * jitter
    kind = recipe["kind"]
    if kind == "harmonic":
        ks = np.arange(1, recipe["n_harmonics"] + 1)
        ks = ks[ks * centre < 0.45 * sr]
        phases = rng.uniform(0, 2 * np.pi, size=len(ks))
        y = (
            np.sin(2 * np.pi * centre * np.outer(ks, t) + phases[:, None]) / ks[:, None] ** recipe["tilt"]
        ).sum(0)
    elif kind == "chirp":
        f0, f1 = recipe["f0"] * jitter, recipe["f1"] * jitter
        dur = max(t[-1], 1.0 / sr)
        # exponential sweep from f0 to f1 over the event
        k = np.log(f1 / f0) / dur
        y = np.sin(2 * np.pi * f0 * (np.exp(k * t) - 1) / k)
    elif kind == "noise_burst":
        y = _bandpass(rng.standard_normal(n), centre, recipe["bandwidth"], sr)
        gate = np.zeros(n)
        for _ in range(recipe["n_bursts"]):
            length = int(n * rng.uniform(0.15, 0.4))
            start = int(rng.integers(0, max(1, n - length)))
            gate[start : start + length] = 1.0
        y = y * gate
    elif kind == "impulse_train":
        clicks = np.zeros(n)
        period = max(1, int(sr / (recipe["rate"] * jitter)))
        clicks[int(rng.integers(0, period)) :: period] = 1.0
        decay = np.exp(-np.arange(int(0.01 * sr)) / (0.002 * sr))
        y = _bandpass(np.convolve(clicks, decay)[:n], centre, recipe["bandwidth"], sr)
    else:
        inst = centre * (1 + recipe["fm_depth"] * np.sin(2 * np.pi * recipe["fm_rate"] * t))
        phase = 2 * np.pi * np.cumsum(inst) / sr
        y = np.sin(phase) * (0.5 + 0.5 * np.sin(2 * np.pi * recipe["am_rate"] * t))
    fade = min(int(_FADE_S * sr), n // 2)
    if fade:
        ramp = 0.5 - 0.5 * np.cos(np.linspace(0, np.pi, fade))
        y[:fade] *= ramp
        y[-fade:] *= ramp[::-1]
    return y


def _pink_noise(n, rng):
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.arange(len(spec))
    f[0] = 1
    return np.fft.irfft(spec / np.sqrt(f), n)


def make_sound_events(
    n_clips: int = 100,
    n_classes: int = 5,
    *,
    sr: int = 16000,
    duration: float = 2.0,
    snr_db: float = 10.0,
    event_duration: tuple[float, float] = (0.3, 0.8),
    random_state: int | np.random.RandomState | None = None,
    return_bunch: bool = False,
) -> tuple[NDArray[np.float32], NDArray[np.int64]] | Bunch:
    """Generate labelled clips of synthetic sound events in background noise.

    Each class has a fixed recipe from one of five families, class ``c``
    taking family ``c % 5`` (see ``SOUND_EVENT_KINDS``): harmonic tones,
    exponential chirps, band-limited noise bursts, band-limited impulse trains,
    and amplitude/frequency-modulated tones. Every clip draws one event of its
    class with a random onset, a random duration (a fraction of the clip
    given by ``event_duration``), about 6 % pitch jitter and a random level,
    and adds pink background noise at ``snr_db`` measured over the event.
    Class recipes do not depend on ``random_state``, so separate calls produce
    train and test sets of the same classes.

    Parameters
    ----------
    n_clips : int, default=100
        Number of clips; classes are balanced (as far as divisibility allows)
        and shuffled.
    n_classes : int, default=5
        Number of classes.
    sr : int, default=16000
        Sampling rate in Hz.
    duration : float, default=2.0
        Seconds per clip.
    snr_db : float, default=10.0
        Event-to-background ratio in dB (lower is harder).
    event_duration : (float, float), default=(0.3, 0.8)
        Range of the event length as a fraction of ``duration``.
    random_state : int, RandomState instance or None
        Seed for the per-clip randomness.
    return_bunch : bool, default=False
        Return a ``Bunch`` with ``data``, ``target``, ``target_names``,
        ``onsets`` and ``offsets`` (seconds), ``sr`` instead of ``(X, y)``.

    Returns
    -------
    X : ndarray of shape (n_clips, round(sr * duration)), float32
        Waveforms with peak amplitude below 1.
    y : ndarray of shape (n_clips,), int
        Class labels.

    Examples
    --------
    >>> from skaudio.datasets import make_sound_events
    >>> X, y = make_sound_events(n_clips=10, n_classes=5, duration=0.5, random_state=0)
    >>> X.shape, X.dtype, sorted(set(y.tolist()))
    ((10, 8000), dtype('float32'), [0, 1, 2, 3, 4])
    """
    if int(n_clips) < 1 or int(n_classes) < 1:
        raise ValueError(f"n_clips and n_classes must be >= 1, got {n_clips} and {n_classes}")
    if sr <= 0 or duration <= 0:
        raise ValueError(f"sr and duration must be > 0, got sr={sr}, duration={duration}")
    lo, hi = event_duration
    if not 0 < lo <= hi <= 1:
        raise ValueError(f"event_duration must satisfy 0 < low <= high <= 1, got {event_duration}")
    rng = check_random_state(random_state)
    gen = np.random.default_rng(rng.randint(0, 2**31 - 1))
    n = int(round(sr * duration))
    recipes = [_class_recipe(c, sr) for c in range(n_classes)]
    y = np.resize(np.arange(n_classes), n_clips)
    gen.shuffle(y)
    X = np.empty((n_clips, n), dtype=np.float32)
    onsets = np.empty(n_clips)
    offsets = np.empty(n_clips)
    for i, c in enumerate(y):  # generation, not a hot path: one event per clip
        length = max(2, int(n * gen.uniform(lo, hi)))
        start = int(gen.integers(0, n - length + 1))
        event = _render(recipes[c], length, sr, gen)
        event /= np.sqrt(np.mean(event**2)) + 1e-12
        noise = _pink_noise(n, gen)
        noise *= 10 ** (-snr_db / 20) / (np.sqrt(np.mean(noise**2)) + 1e-12)
        clip = noise
        clip[start : start + length] += event
        clip *= gen.uniform(0.2, 0.9) / (np.abs(clip).max() + 1e-12)
        X[i] = clip
        onsets[i] = start / sr
        offsets[i] = (start + length) / sr
    if not return_bunch:
        return X, y
    names = [f"{r['kind']}_{c}" for c, r in enumerate(recipes)]
    return Bunch(data=X, target=y, target_names=np.array(names), onsets=onsets, offsets=offsets, sr=sr)
