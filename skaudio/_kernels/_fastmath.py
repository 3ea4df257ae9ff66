"""Vectorisable float32 exp and log for numba kernels.

LLVM vectorises loops of plain arithmetic but calls libm one element at a time for
exp and log. These float32 versions (Cody-Waite range reduction and a short series;
relative error below 3e-7) use only arithmetic and integer bit manipulation on int32
views, so loops over rows run on SIMD lanes. Shared by the pooling kernels and the
spectrogram dB conversion.
"""
import numpy as np
from numba import njit

_LOG2E = np.float32(1.4426950408889634)
_LN2_HI = np.float32(0.693359375)
_LN2_LO = np.float32(-2.12194440e-4)
_LN2 = np.float32(0.6931471805599453)
_SQRT2 = np.float32(1.4142135623730951)


@njit(cache=True, inline="always")
def _vexp(y, ibuf, L):
    """y[:L] <- exp(y[:L]) for y <= 88 (results below 2**-126 become ~1e-38)."""
    for i in range(L):
        t = y[i]
        t = min(max(t, np.float32(-87.3)), np.float32(88.0))
        k = np.floor(t * _LOG2E + np.float32(0.5))
        f = t - k * _LN2_HI - k * _LN2_LO
        q = np.float32(1.0 / 5040.0)
        q = q * f + np.float32(1.0 / 720.0)
        q = q * f + np.float32(1.0 / 120.0)
        q = q * f + np.float32(1.0 / 24.0)
        q = q * f + np.float32(1.0 / 6.0)
        q = q * f + np.float32(0.5)
        q = q * f + np.float32(1.0)
        q = q * f + np.float32(1.0)
        ibuf[i] = (np.int32(k) + np.int32(127)) << np.int32(23)
        y[i] = q
    pw = ibuf[:L].view(np.float32)
    for i in range(L):
        y[i] = y[i] * pw[i]


@njit(cache=True, inline="always")
def _vlog(x, out, ibuf, ebuf, L):
    """out[:L] <- log(x[:L]) for normal positive x (callers mask x <= 0)."""
    bits = x[:L].view(np.int32)
    for i in range(L):
        b = bits[i]
        ebuf[i] = (b >> np.int32(23)) - np.int32(127)
        ibuf[i] = (b & np.int32(0x007FFFFF)) | np.int32(0x3F800000)
    m = ibuf[:L].view(np.float32)
    for i in range(L):
        mi = m[i]
        e = np.float32(ebuf[i])
        if mi > _SQRT2:
            mi = mi * np.float32(0.5)
            e = e + np.float32(1.0)
        s = (mi - np.float32(1.0)) / (mi + np.float32(1.0))
        s2 = s * s
        q = np.float32(1.0 / 9.0)
        q = q * s2 + np.float32(1.0 / 7.0)
        q = q * s2 + np.float32(1.0 / 5.0)
        q = q * s2 + np.float32(1.0 / 3.0)
        q = q * s2 + np.float32(1.0)
        out[i] = e * _LN2 + np.float32(2.0) * s * q
