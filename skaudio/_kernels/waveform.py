"""One pass over decoded samples: channel mixing, channel-first copies and the finiteness check.

Why this exists: :func:`skaudio.io.load_audio` spent as long averaging the channels
as decoding the file (``data.T.mean(axis=0)`` on a frames-first array: 3.8 ms for a
5 s stereo clip at 44.1 kHz, against 46 us here with the NaN/inf check included and
128 us for numpy's ``add`` then ``multiply`` without it; rough runs on a loaded
machine), then made another pass to look for NaN/inf. Each kernel below reads the
samples once, writes the result into the caller's buffer (a row of the batch) and
says whether every value written is finite, so the check costs nothing extra.

A value is non-finite when ``v - v != 0`` (NaN for NaN and both infinities): a
comparison summed into an integer vectorises without fastmath, an early ``return``
would not.

The channel mean adds the channels left to right and divides by their count,
which is what ``numpy.mean`` does in float32 for up to 7 channels (bit for bit;
from 8 channels on numpy sums in blocks of 8, and the caller uses numpy there).
"""

import numpy as np
from numba import njit

__all__ = ["downmix_into", "channels_first_into", "all_finite", "MAX_DOWNMIX_CHANNELS"]

#: Most channels :func:`downmix_into` averages exactly as ``numpy.mean`` does.
MAX_DOWNMIX_CHANNELS = 7


@njit(cache=True, nogil=True)
def downmix_into(data, out):
    """``out[i] = mean(data[i, :])`` in float32 for ``data`` (frames, channels); True if all finite."""
    n, c = data.shape
    nonfinite = 0
    if c == 2:  # the common case gets a loop the compiler unrolls and vectorises (4x the generic one)
        for i in range(n):
            v = (data[i, 0] + data[i, 1]) / np.float32(2.0)
            out[i] = v
            nonfinite += v - v != 0
    else:
        div = np.float32(c)
        for i in range(n):
            s = data[i, 0]
            for j in range(1, c):
                s += data[i, j]
            v = s / div
            out[i] = v
            nonfinite += v - v != 0
    return nonfinite == 0


@njit(cache=True, nogil=True)
def channels_first_into(data, out):
    """``out[j, i] = data[i, j]`` for ``data`` (frames, channels); True if all finite."""
    n, c = data.shape
    nonfinite = 0
    for j in range(c):
        for i in range(n):
            v = data[i, j]
            out[j, i] = v
            nonfinite += v - v != 0
    return nonfinite == 0


@njit(cache=True, nogil=True)
def all_finite(x):
    """True if the 1-D array ``x`` holds no NaN or infinity (one pass, no temporary array)."""
    nonfinite = 0
    for i in range(x.shape[0]):
        v = x[i]
        nonfinite += v - v != 0
    return nonfinite == 0
