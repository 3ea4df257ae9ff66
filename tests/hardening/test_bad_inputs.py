"""Every public transformer refuses malformed input with a clear error naming the argument.

Hypothesis picks the flaw and where it sits: NaN or infinity anywhere, a
wrong number of dimensions, no clips, no frames, integer, boolean, complex,
sparse or ragged data, a string. The answer must be a ``ValueError`` or
``TypeError`` that names the argument and says what is wrong -- never another
exception, a hang, or a NaN-filled result -- and the input is left unmodified.
"""

import numpy as np
import pytest
import scipy.sparse
from hypothesis import given
from hypothesis import strategies as st

from skaudio.features import (
    HPSS,
    MFCC,
    Chroma,
    Deltas,
    FixLength,
    Flatten,
    MelSpectrogram,
    PoolingTransformer,
    PowerToDb,
    SincGramTransformer,
    SpectralDescriptors,
    Spectrogram,
    SpectrogramFilter,
    SpectrogramImageFeatures,
    SpectrogramSegmenter,
    SpectrogramStandardizer,
)
from tests.hardening._strategies import counted

RNG = np.random.default_rng(0)
WAVES = (0.1 * RNG.standard_normal((3, 256))).astype(np.float32)
MAPS = RNG.random((3, 8, 10)).astype(np.float32)

#: name -> (estimator factory, valid input, the argument name errors use)
TRANSFORMERS = {
    "Spectrogram": (lambda: Spectrogram(n_fft=32), WAVES, "X"),
    "MelSpectrogram": (lambda: MelSpectrogram(sr=8000, n_fft=32, n_mels=4), WAVES, "X"),
    "FixLength": (lambda: FixLength(length=100), WAVES, "X"),
    "PowerToDb": (lambda: PowerToDb(), MAPS, "PowerToDb"),
    "SpectrogramStandardizer": (lambda: SpectrogramStandardizer(), MAPS, "S"),
    "PoolingTransformer": (lambda: PoolingTransformer("max"), MAPS, "S"),
    "SincGramTransformer": (lambda: SincGramTransformer(sr=8000, n_filters=3), MAPS, "X"),
    "SpectrogramFilter": (lambda: SpectrogramFilter("median"), MAPS, "S"),
    "SpectrogramSegmenter": (lambda: SpectrogramSegmenter("otsu"), MAPS, "S"),
    "SpectrogramImageFeatures": (lambda: SpectrogramImageFeatures("lbp"), MAPS, "S"),
    "Flatten": (lambda: Flatten(), MAPS, "S"),
    "MFCC": (lambda: MFCC(sr=8000, n_fft=32, hop_length=16, n_mels=4, n_mfcc=3), WAVES, "X"),
    "Chroma": (lambda: Chroma(sr=8000, n_fft=32, hop_length=16, tuning=0.0), WAVES, "X"),
    "SpectralDescriptors": (
        lambda: SpectralDescriptors(sr=8000, n_fft=256, hop_length=64, n_bands=3),
        WAVES,
        "X",
    ),
    "Deltas": (lambda: Deltas(width=3), MAPS, "S"),
    "HPSS": (lambda: HPSS(kernel_size=3), MAPS, "S"),
}

FLAWS = [
    "nan",
    "inf",
    "-inf",
    "ndim_low",
    "ndim_high",
    "no_clips",
    "no_frames",
    "int",
    "bool",
    "complex",
    "sparse",
    "string",
    "ragged",
]


def _flawed(X, flaw, where):
    if flaw in ("nan", "inf", "-inf"):
        X = X.copy()
        X.flat[where % X.size] = {"nan": np.nan, "inf": np.inf, "-inf": -np.inf}[flaw]
        return X
    if flaw == "ndim_low":
        return X[0] if X.ndim == 2 else X[0, 0]
    if flaw == "ndim_high":
        return X[None, None] if X.ndim == 2 else X[None]
    if flaw == "no_clips":
        return X[:0]
    if flaw == "no_frames":
        return X[..., :0]
    if flaw == "int":
        return (X * 1000).astype(np.int32)
    if flaw == "bool":
        return X > 0.5
    if flaw == "complex":
        return X.astype(np.complex64)
    if flaw == "sparse":
        return scipy.sparse.csr_matrix(X.reshape(len(X), -1))
    if flaw == "string":
        return "clip.wav"
    return [X[0].ravel(), X[1].ravel()[:-1]]  # ragged


@given(st.sampled_from(sorted(TRANSFORMERS)), st.sampled_from(FLAWS), st.integers(0, 10**6), st.booleans())
@counted
def test_flawed_input_is_refused(name, flaw, where, in_fit):
    make, X, argname = TRANSFORMERS[name]
    if name == "FixLength" and flaw == "ragged":
        return  # ragged clips are what FixLength is for (tests/test_io.py)
    bad = _flawed(X, flaw, where)
    before = bad.copy() if isinstance(bad, np.ndarray) else None
    est = make()
    if not in_fit:
        est.fit(X)
    with pytest.raises((ValueError, TypeError)) as info:
        est.fit_transform(bad) if in_fit else est.transform(bad)
    message = str(info.value)
    assert argname in message or "clip" in message, f"{name}/{flaw}: {message}"
    expected = {
        "nan": "NaN",
        "inf": "infinite",
        "-inf": "infinite",
        "no_clips": "0 sample",
        "int": "dtype",
        "bool": "dtype",
        "complex": "omplex",
        "sparse": "parse",
    }.get(flaw)
    if expected:
        assert expected in message, f"{name}/{flaw}: {message}"
    if before is not None:
        np.testing.assert_array_equal(bad, before)


def test_audio_loader_refuses_non_paths():
    from skaudio.features import AudioLoader

    with pytest.raises(TypeError, match="sequence of file paths"):
        AudioLoader(sr=8000).fit("a.wav")
    with pytest.raises(ValueError, match="no file paths"):
        AudioLoader(sr=8000).fit([])


PROPERTY_TESTS = {name: [test_flawed_input_is_refused] for name in TRANSFORMERS}
PROPERTY_TESTS["AudioLoader"] = [test_audio_loader_refuses_non_paths]
