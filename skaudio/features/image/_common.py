"""Shared machinery of the image-processing transformers: input checks and clip-parallel maps."""

from functools import partial

import numpy as np

from skaudio._batching import map_batches, resolve_n_jobs
from skaudio._validation import check_spectrograms
from skaudio.features._output import validate_features

__all__ = [
    "as_batch",
    "validated_batch",
    "map_clips",
    "NDIMAGE_MODES",
    "to_skimage_mode",
    "quantize",
    "MAX_KERNEL_RADIUS",
    "check_kernel_radius",
]

#: Widest kernel radius, in bins, that the smoothing, edge and Gabor filters accept. The
#: kernels are applied tap by tap (or padded by their radius before an FFT): 2**16 is
#: 131,073 multiply-adds per cell and axis, already some 15 s for one 128 x 431 map on
#: one core, and wider than a 25-minute spectrogram at 23 ms hops. Beyond it the cost,
#: then the memory, is out of reach: sigma=1e9 asked numpy for a 60 GiB kernel.
MAX_KERNEL_RADIUS = 2**16


def check_kernel_radius(radius, what):
    """Refuse (``ValueError``) a radius beyond :data:`MAX_KERNEL_RADIUS`; ``what`` names its parameters."""
    if not radius <= MAX_KERNEL_RADIUS:  # also NaN
        raise ValueError(
            f"{what} gives a kernel radius of {radius:.4g} bins; at most {MAX_KERNEL_RADIUS:,} can be "
            "computed (each cell costs two multiply-adds per bin of radius): use a smaller value"
        )


#: Boundary modes accepted by ``scipy.ndimage`` filters.
NDIMAGE_MODES = {"reflect", "constant", "nearest", "mirror", "wrap"}

# scipy.ndimage names -> numpy.pad / scikit-image names of the same boundary rule
_SKIMAGE_MODE = {
    "reflect": "symmetric",
    "mirror": "reflect",
    "nearest": "edge",
    "wrap": "wrap",
    "constant": "constant",
}


def to_skimage_mode(mode):
    """Translate a ``scipy.ndimage`` boundary mode to the ``numpy.pad`` name of the same rule."""
    return _SKIMAGE_MODE[mode]


def as_batch(S, name="S"):
    """Validate ``S`` and return ``(batch, was_2d)``.

    A 3-D input ``(n_clips, n_freqs, n_frames)`` is the normal case; a 2-D
    input ``(n_clips, n_frames)`` is read as a batch of one-band spectrograms
    ``(n_clips, 1, n_frames)``, so the transformers also accept frame-level
    feature rows (and scikit-learn's 2-D estimator checks).
    """
    try:
        arr = np.asarray(S)
    except Exception:  # ragged or sparse input: check_spectrograms explains
        arr = None
    if arr is not None and arr.dtype.kind not in "OUSV":
        S = arr
    shape = arr.shape if arr is not None else ()
    if len(shape) == 1:
        raise ValueError(
            f"{name} must be 2-D or 3-D (n_clips, n_freqs, n_frames), got a 1-D array of shape "
            f"{shape}. Reshape your data, e.g. S[np.newaxis] for a single clip."
        )
    if len(shape) == 2 and shape[1] == 0:
        raise ValueError(f"{name} has 0 feature(s) (shape={shape}) while a minimum of 1 is required.")
    S = check_spectrograms(S, name=name, ndim=(2, 3))
    if S.ndim == 2:
        return S[:, np.newaxis, :], True
    return S, False


def validated_batch(estimator, S, *, reset, name="S"):
    """:func:`as_batch` of ``S``, recording (``reset``) or comparing the input features of ``estimator``.

    ``n_features_in_`` counts the frequency rows of 3-D input (the features of
    2-D input); a DataFrame's column names become ``feature_names_in_``, so
    ``get_feature_names_out`` and ``set_output`` see them.
    """
    S_in = S
    S, was_2d = as_batch(S, name=name)
    validate_features(estimator, S_in, S[:, 0, :] if was_2d else S, reset=reset)
    return S, was_2d


def _run_chunk(func, chunk, n_threads):
    return [func(clip) for clip in chunk]


def _run_block(func, block, n_threads):
    return func(block)


def map_clips(func, S, *, n_jobs=None, verbose=False, desc=None):
    """Apply ``func`` to every clip ``S[i]`` and return the list of results, in order.

    With more than one worker the clips are cut into a few contiguous chunks
    per worker and run through joblib (threads preferred: the wrapped
    scikit-image, PyWavelets and scipy routines release the GIL in their
    compiled loops); under a cluster joblib backend (Dask, Ray) the chunks are
    tasks on the cluster (:func:`skaudio._batching.map_batches` decides).
    """
    n = S.shape[0]
    workers = min(resolve_n_jobs(n_jobs), n)
    chunk = -(-n // (4 * workers)) if workers > 1 else CHUNK_CLIPS
    out = []
    for _, part in map_batches(
        partial(_run_chunk, func), S, chunk, n_jobs=n_jobs, threads="outer", verbose=verbose, desc=desc
    ):
        out.extend(part)
    return out


#: Clips per call of a batched function: small enough for the work arrays to
#: stay in cache (measured: 4-16 clips of 128 x 431 are 1.5-2.5x faster than
#: one call over 400 clips), large enough to amortise the call.
CHUNK_CLIPS = 8


def map_chunks(func, S, *, n_jobs=None, verbose=False, desc=None, chunk=CHUNK_CLIPS):
    """Apply a batched ``func`` (batch in, batch out) to blocks of ``chunk`` clips.

    Used where one vectorised library call over a block is exact (a kernel of
    length 1 along the clip axis); blocks run one after the other, or over
    ``n_jobs`` joblib workers (threads preferred), or as tasks on a cluster
    joblib backend, and their results are written into one output batch.
    """
    out = None
    for sl, part in map_batches(
        partial(_run_block, func), S, chunk, n_jobs=n_jobs, threads="outer", verbose=verbose, desc=desc
    ):
        if out is None:
            out = np.empty((S.shape[0],) + part.shape[1:], dtype=part.dtype)
        out[sl] = part
    return out


def quantize(clip, levels):
    """Map one clip linearly from its own [min, max] onto integers ``0 .. levels - 1`` (uint8/uint16).

    Texture descriptors (GLCM, LBP) work on grey levels; scaling each clip by
    its own range makes them independent of the clip's loudness. A constant
    clip maps to zeros.
    """
    lo = float(clip.min())
    span = float(clip.max()) - lo
    dtype = np.uint8 if levels <= 256 else np.uint16
    if span <= 0:
        return np.zeros(clip.shape, dtype=dtype)
    q = np.floor((clip.astype(np.float64) - lo) * (levels / span))
    return np.minimum(q, levels - 1).astype(dtype)
