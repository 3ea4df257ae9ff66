"""Signals shared by the descriptor tests, one test file per module of skaudio.features.

test_mfcc, test_deltas, test_chroma, test_spectral_descriptors and test_hpss (split from
test_descriptors.py in issue 27) use them; the real clips come from the ``esc10_clips``
fixture of ``tests/conftest.py``.
"""

import numpy as np

#: sampling rate of the ESC-10 clips of the ``esc10_clips`` fixture
SR = 44100
#: sampling rate of :func:`tones`
TONE_SR = 22050


def tones():
    """Synthetic clips: two tones, a chirp, noise, silence with a click, all at 22.05 kHz."""
    rng = np.random.default_rng(0)
    t = np.arange(TONE_SR) / TONE_SR
    chirp = np.sin(2 * np.pi * (200 * t + 1500 * t**2))
    click = np.zeros_like(t)
    click[5000] = 1.0
    X = np.stack(
        [
            np.sin(2 * np.pi * 440 * t),
            0.5 * np.sin(2 * np.pi * 262 * t) + 0.3 * np.sin(2 * np.pi * 392 * t),
            chirp,
            0.1 * rng.standard_normal(t.size),
            click,
        ]
    )
    return X.astype(np.float32)


def per_clip(func, X, **kw):
    """``func`` called on each clip of ``X`` on its own, stacked: librosa's per-clip reference."""
    return np.stack([func(x, **kw) for x in X])
