"""Fast CPU short-time spectra: one fused numba pass per block of frames.

Why this exists beside :mod:`skaudio.nn.frontends`: on a CPU, ``torch.stft``,
and any pipeline that writes the whole complex spectrum to memory and reads it
back, cost several times the bare FFT. Here each parallel task takes a block of
frames of one clip, windows them into a small buffer, runs the real FFT
(pocketfft, through rocket-fft's numba bindings), and reduces the spectrum to
power, projects it on the (sparse) filterbank and writes the frequency-first
output while everything is still in cache. Results match librosa's
definitions; ``tests/features/test_spectrogram.py`` checks it.
"""

import numpy as np
import rocket_fft  # noqa: F401  (registers numpy.fft for numba)
from numba import njit

from skaudio._kernels._fastmath import _vlog
from skaudio._kernels._parallel import run_jobs
from skaudio._validation import check_finite

__all__ = ["SparseFilterbank", "stft_power", "power_to_db_inplace", "check_power_range"]

_FRAME_BLOCK = 16  # frames handled by one parallel task


class SparseFilterbank:
    """Row-compressed form of a dense ``(n_bands, n_freqs)`` filterbank.

    Each band keeps the contiguous range of bins where it is non-zero, which
    for mel filters is a few bins: the product costs O(n_freqs), not
    O(n_bands * n_freqs).
    """

    def __init__(self, weights):
        weights = np.asarray(weights, dtype=np.float32)
        n_bands, _ = weights.shape
        start = np.zeros(n_bands, np.int64)
        offset = np.zeros(n_bands + 1, np.int64)
        chunks = []
        for m in range(n_bands):
            nz = np.flatnonzero(weights[m])
            lo, hi = (nz[0], nz[-1] + 1) if nz.size else (0, 0)
            start[m] = lo
            chunks.append(weights[m, lo:hi])
            offset[m + 1] = offset[m] + (hi - lo)
        self.shape = weights.shape
        self.start = start
        self.offset = offset
        self.values = np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, np.float32)


@njit(cache=True, nogil=True)
def _fused_stft(start, stop, x, pad, n_fft, hop, window, power, use_fb, fb_start, fb_offset, fb_values, out):
    # jobs start..stop of (clip, block of frames); x: (n, samples) float32, read as if
    # zero-padded by ``pad`` on the left (and as far as needed on the right);
    # out: (n, n_bands, n_frames) float32
    n, L = x.shape
    n_bands, T = out.shape[1], out.shape[2]
    F = n_fft // 2 + 1
    B = _FRAME_BLOCK
    n_blocks = (T + B - 1) // B
    for job in range(start, stop):
        i = job // n_blocks
        t0 = (job % n_blocks) * B
        nt = min(t0 + B, T) - t0
        block = np.empty((nt, n_fft), np.float32)
        for tt in range(nt):
            s = (t0 + tt) * hop - pad
            if s >= 0 and s + n_fft <= L:
                for j in range(n_fft):
                    block[tt, j] = x[i, s + j] * window[j]
            else:  # a frame over the padded edge: zeros outside the signal
                for j in range(n_fft):
                    k = s + j
                    block[tt, j] = x[i, k] * window[j] if 0 <= k < L else np.float32(0.0)
        spec = np.fft.rfft(block)
        # bins x frames: the band sums below then run over the block's frames in SIMD lanes
        pw = np.empty((F, B), np.float32)
        if nt < B:  # the band sums run over all B lanes; unused ones must be finite
            pw[:, nt:] = 0.0
        for tt in range(nt):
            row = spec[tt]
            for k in range(F):
                z = row[k]
                pw[k, tt] = z.real * z.real + z.imag * z.imag
        if power != 2.0:
            half = np.float32(0.5 * power)
            for k in range(F):
                for tt in range(nt):
                    pw[k, tt] = pw[k, tt] ** half
        if use_fb:
            acc = np.empty(B, np.float32)
            for m in range(n_bands):
                acc[:] = 0.0
                base = fb_offset[m]
                lo = fb_start[m]
                for j in range(fb_offset[m + 1] - base):
                    w = fb_values[base + j]
                    src = pw[lo + j]
                    for tt in range(B):
                        acc[tt] += w * src[tt]
                dst = out[i, m]
                for tt in range(nt):
                    dst[t0 + tt] = acc[tt]
        else:
            for k in range(F):
                dst = out[i, k]
                src = pw[k]
                for tt in range(nt):
                    dst[t0 + tt] = src[tt]


def stft_power(X, n_fft, hop_length, window, center=True, pad_mode="constant", power=2.0, filterbank=None):
    """Batched (filtered) power spectrogram of waveforms.

    Parameters
    ----------
    X : ndarray of shape (n_clips, n_samples), float32
        Validated waveforms.
    n_fft, hop_length : int
        FFT length and hop.
    window : ndarray of shape (n_fft,)
        Analysis window, already padded to ``n_fft``.
    center : bool
        Pad ``n_fft // 2`` on both sides (librosa's frame centring).
    pad_mode : str
        ``numpy.pad`` mode used for centring. "constant" (zeros) is read in
        place, without a padded copy.
    power : float
        Exponent of the magnitude.
    filterbank : SparseFilterbank, optional
        Bands to project the spectrum on (e.g. mel); ``None`` keeps all bins.

    Returns
    -------
    ndarray of shape (n_clips, n_bands or n_fft // 2 + 1, n_frames), float32

    Raises
    ------
    ValueError
        When ``X`` holds NaN or infinity, or samples so loud that the power
        overflows float32 (:func:`check_power_range`). The check reads the (smaller) output: a
        non-finite sample turns every bin of each frame holding it non-finite; samples
        after the last frame are checked directly.
    """
    n_freqs = n_fft // 2 + 1
    if filterbank is not None and not filterbank.values.size:
        check_finite(X, "X")  # bands without bins cannot carry a NaN to the output
    if filterbank is not None:
        n_bands, use_fb = filterbank.shape[0], True
        fb = (filterbank.start, filterbank.offset, filterbank.values)
    else:
        n_bands, use_fb = n_freqs, False
        fb = (np.zeros(1, np.int64), np.zeros(2, np.int64), np.zeros(1, np.float32))
    pad = n_fft // 2 if center else 0
    if pad and pad_mode != "constant":
        x, offset = np.pad(X, ((0, 0), (pad, pad)), mode=pad_mode), 0
    else:
        x, offset = np.ascontiguousarray(X), pad
    span = x.shape[1] + 2 * offset
    n_frames = 1 + (span - n_fft) // hop_length
    out = np.empty((X.shape[0], n_bands, n_frames), dtype=np.float32)
    n_blocks = -(-n_frames // _FRAME_BLOCK)
    run_jobs(
        _fused_stft,
        X.shape[0] * n_blocks,
        x,
        offset,
        n_fft,
        hop_length,
        np.ascontiguousarray(window, np.float32),
        float(power),
        use_fb,
        *fb,
        out,
    )
    covered = (n_frames - 1) * hop_length + n_fft - offset  # samples of x seen by some frame
    # the output is non-negative: a NaN or an infinity anywhere makes its maximum non-finite
    if not np.isfinite(out.max()) or not np.isfinite(x[:, covered:]).all():
        check_finite(X, "X")  # raises, with the counts of NaN and infinite values
        # finite samples and a non-finite spectrum: the power overflowed float32
        check_power_range(max(-X.min(), X.max()), window, power, filterbank, force=True)
    return out


def check_power_range(peak, window, power, filterbank=None, force=False):
    """Refuse waveforms loud enough for their (filtered) power spectrogram to overflow float32.

    ``peak * sum(|window|)`` bounds every STFT magnitude; the squared magnitude
    (computed first for every ``power``), its ``power`` and the filterbank's
    largest band sum must stay below the float32 maximum. Audio in [-1, 1] is
    many orders of magnitude away from the bound; only absurd amplitudes
    (about 1e15 and above) reach it. ``force`` raises without the bound (the
    caller saw the overflow).
    """
    gain = float(peak) * float(np.abs(window).sum())
    if not force:
        if not gain > 0:
            return
        band_gain = 1.0
        if filterbank is not None and filterbank.values.size:
            cumulative = np.concatenate([[0.0], np.cumsum(np.abs(filterbank.values.astype(np.float64)))])
            band_gain = max(
                float(np.max(cumulative[filterbank.offset[1:]] - cumulative[filterbank.offset[:-1]])), 1.0
            )
        limit = np.log(np.finfo(np.float32).max)
        log_gain = np.log(gain)
        if 2.0 * log_gain <= limit and power * log_gain + np.log(band_gain) <= limit:
            return
    raise ValueError(
        f"X has samples up to {float(peak):.4g} in magnitude: its power spectrogram would "
        "exceed the float32 range. Waveforms are expected in [-1, 1]; scale integer PCM "
        "by 1 / 2 ** (bits - 1)."
    )


_DB_CHUNK = 512  # values converted per vectorised log call


@njit(cache=True, nogil=True)
def _to_db(start, stop, S, multiplier, amin, ref_is_max, ref_value, top_db):
    for i in range(start, stop):
        flat = S[i].reshape(-1)
        peak = amin
        for v in flat:
            peak = max(peak, v)
        ref = peak if ref_is_max else max(amin, ref_value)
        shift = multiplier * np.log10(ref)
        top = multiplier * np.log10(peak) - shift
        floor = np.float32(top - top_db) if top_db >= 0 else np.float32(-np.inf)
        ceil = np.float32(top)  # the approximate log must not lift the peak above it (0 dB re max)
        # float32 logarithms of _fastmath: |error| < 1e-5 dB, and the loop vectorises
        scale = np.float32(multiplier / np.log(10.0))
        fshift = np.float32(shift)
        famin = np.float32(max(amin, 1.1754944e-38))  # _vlog needs normal floats
        buf = np.empty(_DB_CHUNK, np.float32)
        lg = np.empty(_DB_CHUNK, np.float32)
        ibuf = np.empty(_DB_CHUNK, np.int32)
        ebuf = np.empty(_DB_CHUNK, np.int32)
        for start in range(0, flat.size, _DB_CHUNK):
            L = min(_DB_CHUNK, flat.size - start)
            for j in range(L):
                buf[j] = max(flat[start + j], famin)
            _vlog(buf, lg, ibuf, ebuf, L)
            for j in range(L):
                flat[start + j] = min(max(scale * lg[j] - fshift, floor), ceil)


def power_to_db_inplace(S, ref="max", amin=1e-10, top_db=80.0, multiplier=10.0):
    """librosa's ``power_to_db`` applied to each clip of a C-contiguous float32 batch, in place."""
    ref_is_max = isinstance(ref, str)
    run_jobs(
        _to_db,
        S.shape[0],
        S,
        float(multiplier),
        float(amin),
        ref_is_max,
        0.0 if ref_is_max else float(ref),
        -1.0 if top_db is None else float(top_db),
    )
    return S
