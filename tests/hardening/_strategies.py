"""Shared hypothesis strategies and checks of the hardening suite."""

import functools

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

#: Largest magnitude drawn for spectrogram-domain values: extreme, yet with room
#: for the sums and squares every transformer takes in float32 or float64.
BIG = 1e30


def counted(test):
    """Count the examples hypothesis runs through ``test`` (reported at the end of the session)."""
    from tests.hardening.conftest import EXAMPLES

    @functools.wraps(test)
    def wrapper(*args, **kwargs):
        EXAMPLES[f"{test.__module__.rsplit('.', 1)[-1]}::{test.__name__}"] += 1
        return test(*args, **kwargs)

    return wrapper


def values(nonnegative=False, big=BIG):
    """float32 values from the subnormal range up to ``big`` in magnitude (zeros included)."""
    big = float(np.float32(big))  # a bound float32 can hold
    return st.floats(
        0.0 if nonnegative else -big,
        big,
        width=32,
        allow_nan=False,
        allow_infinity=False,
        allow_subnormal=True,
    )


@st.composite
def spectrograms(
    draw,
    *,
    nonnegative=False,
    min_clips=1,
    max_clips=3,
    min_freqs=1,
    max_freqs=8,
    min_frames=1,
    max_frames=10,
    dtype=None,
    big=BIG,
):
    """A batch ``(n_clips, n_freqs, n_frames)``: raw element draws, or a scaled smooth map.

    Half of the draws are arrays of independent elements (hypothesis' edge values:
    zeros, subnormals, the extremes); the other half are random maps scaled by
    a power of ten between 1e-30 and 1e30, so realistic structure is met at
    every magnitude too.
    """
    shape = (
        draw(st.integers(min_clips, max_clips)),
        draw(st.integers(min_freqs, max_freqs)),
        draw(st.integers(min_frames, max_frames)),
    )
    if draw(st.booleans()):
        S = draw(hnp.arrays(np.float32, shape, elements=values(nonnegative, big)))
    else:
        rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
        kind = draw(st.sampled_from(["noise", "constant", "zeros", "spikes"]))
        if kind == "noise":
            S = rng.random(shape) if nonnegative else rng.standard_normal(shape)
        elif kind == "constant":
            S = np.full(shape, rng.random() if nonnegative else rng.standard_normal())
        elif kind == "zeros":
            S = np.zeros(shape)
        else:
            S = np.zeros(shape)
            S.flat[rng.integers(0, S.size, size=max(1, S.size // 5))] = 1.0
        S = (S * 10.0 ** draw(st.integers(-30, int(np.log10(big)) - 1))).astype(np.float32)
    dtype = dtype or draw(st.sampled_from([np.float32, np.float64]))
    return S.astype(dtype)


@st.composite
def waveforms(draw, *, min_samples=1, max_samples=200, max_clips=3):
    """A batch ``(n_clips, n_samples)`` of float waveforms at a drawn amplitude."""
    shape = (draw(st.integers(1, max_clips)), draw(st.integers(min_samples, max_samples)))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    kind = draw(st.sampled_from(["noise", "tone", "silence", "click", "dc"]))
    n = shape[1]
    if kind == "noise":
        X = rng.uniform(-1, 1, shape)
    elif kind == "tone":
        X = np.sin(2 * np.pi * rng.uniform(0, 0.5) * np.arange(n))[None].repeat(shape[0], 0)
    elif kind == "silence":
        X = np.zeros(shape)
    elif kind == "click":
        X = np.zeros(shape)
        X[:, rng.integers(0, n)] = 1.0
    else:
        X = np.ones(shape)
    amplitude = 10.0 ** draw(st.integers(-30, 25))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    return (X * amplitude).astype(dtype)


def assert_float32_finite(out, what=""):
    assert isinstance(out, np.ndarray), f"{what}: {type(out)}"
    assert out.dtype == np.float32, f"{what}: dtype {out.dtype}"
    assert np.isfinite(out).all(), f"{what}: {np.isnan(out).sum()} NaN, {np.isinf(out).sum()} inf"


def power_of_two_scales():
    """Scales that multiply float32 values exactly (no rounding, far from over/underflow)."""
    return st.sampled_from([0.125, 0.25, 0.5, 2.0, 4.0, 8.0])
