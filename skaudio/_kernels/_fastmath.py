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


# numba types a call such as np.float32(0.5) inside a kernel anew at each use (about
# 10 ms each, seconds for the inlined pooling kernels); module constants cost nothing
_F0 = np.float32(-87.3)
_F1 = np.float32(88.0)
_F2 = np.float32(0.5)
_F3 = np.float32(1.0 / 5040.0)
_F4 = np.float32(1.0 / 720.0)
_F5 = np.float32(1.0 / 120.0)
_F6 = np.float32(1.0 / 24.0)
_F7 = np.float32(1.0 / 6.0)
_F8 = np.float32(1.0)
_I9 = np.int32(127)
_I10 = np.int32(23)
_I11 = np.int32(0x007FFFFF)
_I12 = np.int32(0x3F800000)
_F13 = np.float32(1.0 / 9.0)
_F14 = np.float32(1.0 / 7.0)
_F15 = np.float32(1.0 / 5.0)
_F16 = np.float32(1.0 / 3.0)
_F17 = np.float32(2.0)


@njit(cache=True, inline="always")
def _vexp(y, ibuf, L):
    """y[:L] <- exp(y[:L]) for y <= 88 (results below 2**-126 become ~1e-38)."""
    for i in range(L):
        t = y[i]
        t = min(max(t, _F0), _F1)
        k = np.floor(t * _LOG2E + _F2)
        f = t - k * _LN2_HI - k * _LN2_LO
        q = _F3
        q = q * f + _F4
        q = q * f + _F5
        q = q * f + _F6
        q = q * f + _F7
        q = q * f + _F2
        q = q * f + _F8
        q = q * f + _F8
        ibuf[i] = (np.int32(k) + _I9) << _I10
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
        ebuf[i] = (b >> _I10) - _I9
        ibuf[i] = (b & _I11) | _I12
    m = ibuf[:L].view(np.float32)
    for i in range(L):
        mi = m[i]
        e = np.float32(ebuf[i])
        if mi > _SQRT2:
            mi = mi * _F2
            e = e + _F8
        s = (mi - _F8) / (mi + _F8)
        s2 = s * s
        q = _F13
        q = q * s2 + _F14
        q = q * s2 + _F15
        q = q * s2 + _F16
        q = q * s2 + _F8
        out[i] = e * _LN2 + _F17 * s * q
