"""Property-based tests of every public transformer of :mod:`skaudio.features`.

Each transformer meets random shapes (single frames, single bins, one clip),
float32 and float64 input, values from subnormal to 1e30 in magnitude
(waveforms up to 1e25), and must return a correct result -- float32, finite,
the documented shape, and the invariants of its formula checked against a
simple reference -- or raise the documented ``ValueError``. Inputs are never
modified. :data:`PROPERTY_TESTS` maps each public name to its test, and
``test_public_api_coverage.py`` fails when a public transformer has none.
"""

import warnings

import librosa
import numpy as np
import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st
from sklearn.base import clone

from skaudio._kernels.pooling_table import NONNEGATIVE_METHODS, POOLING_METHODS
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
    global_pool,
    pool2d,
    pool_output_size,
    template_match,
)
from skaudio.features.image import (
    gabor_batch,
    hu_moments_batch,
    hysteresis_batch,
    morphology_batch,
    prewitt_batch,
    sobel_batch,
    wavelet_batch,
    wiener_batch,
)
from tests._kernels.test_pooling_kernels import ref_pool
from tests.hardening._strategies import (
    assert_float32_finite,
    counted,
    power_of_two_scales,
    spectrograms,
    waveforms,
)

F32_MAX = float(np.finfo(np.float32).max)


def _flush_subnormals(S, floor=1e-30):
    """Zero values below ``floor`` so power-of-two scaling stays exact."""
    S = np.array(S, dtype=np.float32)
    S[np.abs(S) < floor] = 0
    return S


def _transform_unmodified(est, X, fit=True):
    """``fit_transform`` (or ``transform``) that also asserts ``X`` is left as it was."""
    before = np.array(X, copy=True)
    out = est.fit_transform(X) if fit else est.transform(X)
    np.testing.assert_array_equal(X, before, err_msg=f"{type(est).__name__} modified its input")
    return out


# -- waveforms to spectrograms -------------------------------------------------------------
@st.composite
def stft_setups(draw):
    n_fft = draw(st.sampled_from([2, 4, 8, 16, 32]))
    params = dict(
        n_fft=n_fft,
        hop_length=draw(st.integers(1, n_fft)),
        center=draw(st.booleans()),
        pad_mode=draw(st.sampled_from(["constant", "reflect", "edge"])),
        power=draw(st.sampled_from([1.0, 2.0, 0.5])),
        to_db=draw(st.booleans()),
        backend=draw(st.sampled_from(["numba", "numba", "torch"])),
    )
    X = draw(waveforms(min_samples=n_fft, max_samples=6 * n_fft))
    return params, X


def _librosa_reference(X, params):
    # centring pads the whole clip with numpy (librosa >= 0.10 pads only the edge segments,
    # which differs for reflect padding of clips barely longer than n_fft)
    n_fft = params["n_fft"]
    pad = n_fft // 2 if params["center"] else 0
    X = np.pad(X.astype(np.float64), ((0, 0), (pad, pad)), mode=params["pad_mode"])
    return np.stack(
        [
            np.abs(librosa.stft(x, n_fft=n_fft, hop_length=params["hop_length"], center=False))
            ** params["power"]
            for x in X
        ]
    )


@given(stft_setups())
@example(
    (
        {
            "n_fft": 16,
            "hop_length": 4,
            "center": True,
            "pad_mode": "constant",
            "power": 2.0,
            "to_db": False,
            "backend": "numba",
        },
        np.full((2, 64), 1e20, np.float32),
    )
)  # was silent inf
@example(
    (
        {
            "n_fft": 4,
            "hop_length": 1,
            "center": False,
            "pad_mode": "constant",
            "power": 1.0,
            "to_db": False,
            "backend": "numba",
        },
        np.full((1, 4), 1e300),
    )
)  # float64 beyond float32
@counted
def test_spectrogram(setup):
    params, X = setup
    est = Spectrogram(**params)
    try:
        S = _transform_unmodified(est, X)
    except ValueError as exc:  # the one documented refusal for finite audio: float32 overflow
        assert "float32 range" in str(exc), exc
        peak = np.abs(X.astype(np.float64)).max()
        assert peak * params["n_fft"] > 1e15, f"refused audio of peak {peak}"
        return
    assert_float32_finite(S, "Spectrogram")
    assert S.shape == (len(X), params["n_fft"] // 2 + 1, est.n_frames_)
    if params["to_db"]:
        assert (S <= 0).all() and (S.max(axis=(1, 2)) > -1e-4).all() and (S >= -80.0 - 1e-3).all()
        return
    assert (S >= 0).all()
    ref = _librosa_reference(X, params)
    # float32 computation vs float64 reference, where the squared magnitudes are normal floats
    if ref.max() < 1e30 and ref.max() ** (2 / params["power"]) > 1e-30:
        np.testing.assert_allclose(S, ref, rtol=0, atol=2e-4 * ref.max())


@given(stft_setups(), power_of_two_scales())
@counted
def test_spectrogram_scales_with_the_power_of_the_amplitude(setup, c):
    params, X = setup
    params = {**params, "to_db": False, "backend": "numba"}
    X = X.astype(np.float32)
    peak = float(np.abs(X).max())
    assume(peak == 0 or 1e-15 < peak < 1e12)  # no subnormal or overflowing spectra
    est = Spectrogram(**params).fit(X)
    expected = c ** params["power"] * est.transform(X)
    # bins that are 0 in exact arithmetic hold FFT rounding noise, relative to the largest bin
    np.testing.assert_allclose(
        est.transform(X * np.float32(c)), expected, rtol=1e-5, atol=1e-6 * max(expected.max(), 1e-30)
    )


@given(st.integers(1, 12), waveforms(min_samples=64, max_samples=200), st.booleans())
@counted
def test_mel_spectrogram(n_mels, X, to_db):
    est = MelSpectrogram(sr=8000, n_fft=64, hop_length=16, n_mels=n_mels, to_db=to_db)
    try:
        S = _transform_unmodified(est, X)
    except ValueError as exc:
        assert "float32 range" in str(exc), exc
        assert np.abs(X.astype(np.float64)).max() > 1e13
        return
    assert_float32_finite(S, "MelSpectrogram")
    assert S.shape == (len(X), n_mels, est.n_frames_)
    if to_db:
        # dB re each clip's peak: never above 0, the peak at 0 up to the fast log's 1e-5 dB
        assert (S <= 0).all() and (S.max(axis=(1, 2)) > -1e-4).all() and (S >= -80.0 - 1e-3).all()
    else:
        power = np.abs(librosa.stft(X.astype(np.float64), n_fft=64, hop_length=16)) ** 2
        ref = np.einsum("mf,nft->nmt", est.mel_basis_.astype(np.float64), power)
        if 1e-30 < ref.max() < 1e30:
            np.testing.assert_allclose(S, ref, rtol=0, atol=2e-4 * ref.max())


# -- spectrogram-domain transformers --------------------------------------------------------
@given(
    spectrograms(nonnegative=True, max_freqs=5),
    st.sampled_from([80.0, 20.0, None]),
    st.sampled_from([1e-10, 1e-3]),
)
@counted
def test_power_to_db(S, top_db, amin):
    out = _transform_unmodified(PowerToDb(top_db=top_db, amin=amin), S)
    assert_float32_finite(out, "PowerToDb")
    assert out.shape == S.shape
    ref = np.stack(
        [
            librosa.power_to_db(s.astype(np.float64), ref=np.max, amin=amin, top_db=top_db)
            for s in S.astype(np.float32)
        ]
    )
    np.testing.assert_allclose(out, ref, atol=1e-3)


@given(spectrograms(), st.sampled_from([1e-6, 0.0]))
@counted
def test_spectrogram_standardizer(S, eps):
    est = SpectrogramStandardizer(eps=eps)
    out = _transform_unmodified(est, S)
    assert out.shape == S.shape and out.dtype == np.float32
    x = S.astype(np.float32).astype(np.float64)
    mean = x.mean(axis=(1, 2), keepdims=True)
    std = x.std(axis=(1, 2), keepdims=True)
    if eps == 0.0 and (std == 0).any():
        return  # 0 / 0 is what eps=0 asks for on a constant clip
    assert_float32_finite(out, "SpectrogramStandardizer")
    np.testing.assert_allclose(out, (x - mean) / (std + eps), rtol=1e-5, atol=1e-5)
    wide = (std[:, 0, 0] > 1e3 * eps) & (std[:, 0, 0] > 1e-30)
    np.testing.assert_allclose(out[wide].std(axis=(1, 2), dtype=np.float64), 1.0, rtol=1e-3)


@given(
    st.lists(st.integers(1, 40), min_size=1, max_size=4),
    st.integers(1, 50),
    st.sampled_from(["constant", "wrap", "reflect", "symmetric", "edge"]),
    st.sampled_from(["start", "center", "end"]),
    st.integers(0, 2**32 - 1),
)
@counted
def test_fix_length(lengths, length, pad_mode, align, seed):
    rng = np.random.default_rng(seed)
    clips = [rng.standard_normal(n).astype(np.float32) for n in lengths]
    X = clips if len(set(lengths)) > 1 else np.stack(clips)
    before = [c.copy() for c in clips]
    est = FixLength(length=length, pad_mode=pad_mode, align=align)
    try:
        out = est.fit_transform(X)
    except ValueError as exc:  # numpy cannot reflect a one-sample clip
        assert pad_mode == "reflect" and min(lengths) == 1, exc
        assert "clip" in str(exc) or "pad" in str(exc)
        return
    for c, b in zip(clips, before):
        np.testing.assert_array_equal(c, b)
    assert_float32_finite(out, "FixLength")
    assert out.shape == (len(clips), length)
    for c, row in zip(clips, out):
        n = min(len(c), length)
        if align == "start":
            np.testing.assert_array_equal(row[:n], c[:n])
        elif align == "end":
            np.testing.assert_array_equal(row[length - n :], c[len(c) - n :])


_MODE_PARAMS = {
    "mixed": {"a": 0.3},
    "lnp": {"p": 3.0},
    "lse": {"r": 0.7},
    "auto": {"a": 1.5},
    "power": {"n": 2.0},
    "attention": {"v": 2.0},
}


@st.composite
def pooling_setups(draw):
    mode = draw(st.sampled_from(POOLING_METHODS))
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = (draw(st.integers(0, kernel[0] // 2)), draw(st.integers(0, kernel[1] // 2)))
    S = draw(spectrograms(nonnegative=mode in NONNEGATIVE_METHODS, max_freqs=7, max_frames=9))
    return mode, kernel, stride, padding, draw(st.booleans()), S


@given(pooling_setups())
@example(("lse", (2, 2), (2, 2), (0, 0), False, np.full((1, 2, 2), 3e30, np.float32)))
@counted
def test_pooling_transformer(setup):
    mode, kernel, stride, padding, ceil_mode, S = setup
    est = PoolingTransformer(mode, kernel, stride, padding, ceil_mode=ceil_mode, **_MODE_PARAMS.get(mode, {}))
    try:
        P = _transform_unmodified(est, S)
    except ValueError as exc:  # the kernel does not fit the map: the documented refusal
        assert "does not fit" in str(exc), exc
        assert S.shape[1] + 2 * padding[0] < kernel[0] or S.shape[2] + 2 * padding[1] < kernel[1]
        return
    assert_float32_finite(P, f"PoolingTransformer({mode})")
    assert P.shape == (len(S),) + tuple(est.output_shape_)
    x = S.astype(np.float32).astype(np.float64)
    if mode == "lnp":
        assert (P >= 0).all() and (P <= np.abs(x).max() * (1 + 1e-5)).all()
    else:  # every other mode is a weighted mean of its region (or 0 for an all-zero region)
        lo, hi = min(x.min(), 0.0), max(x.max(), 0.0)
        tol = 1e-5 * max(abs(lo), abs(hi))
        assert (P >= lo - tol).all() and (P <= hi + tol).all(), (P.min(), P.max(), lo, hi)
    peak = np.abs(x).max()
    # the float64 reference's exp/log lose precision outside this range (the kernel does not:
    # tests/_kernels covers tiny lse inputs); elsewhere it is exact enough for any magnitude
    exp_ok = mode not in ("lse", "esp", "auto", "attention") or 1e-6 < peak < 30 or peak == 0
    if peak < 1e15 and exp_ok:
        ref = ref_pool(x, mode, kernel, stride, padding, ceil_mode, **_MODE_PARAMS.get(mode, {}))
        np.testing.assert_allclose(P, ref, rtol=2e-4, atol=1e-6 * max(peak, 1e-30))


@given(pooling_setups())
@counted
def test_plain_array_pooling_equals_the_transformer(setup):
    """pool2d, global_pool and pool_output_size (the public plain-array functions) give what
    PoolingTransformer gives, and refuse a kernel that does not fit as it does."""
    mode, kernel, stride, padding, ceil_mode, S = setup
    params = _MODE_PARAMS.get(mode, {})
    size = pool_output_size(S.shape[1:], kernel, stride, padding, ceil_mode)
    if min(size) < 1:
        with pytest.raises(ValueError, match="does not fit"):
            pool2d(S, mode, kernel, stride, padding, ceil_mode=ceil_mode, **params)
        return
    P = pool2d(S, mode, kernel, stride, padding, ceil_mode=ceil_mode, **params)
    assert P.shape == (len(S),) + size
    est = PoolingTransformer(mode, kernel, stride, padding, ceil_mode=ceil_mode, **params)
    np.testing.assert_array_equal(P, _transform_unmodified(est, S))
    for axis in ("time", "freq", "both"):
        np.testing.assert_array_equal(
            global_pool(S, mode, axis, **params),
            PoolingTransformer(mode, axis=axis, **params).fit_transform(S),
        )


@given(
    st.sampled_from(POOLING_METHODS),
    st.floats(0, float(np.float32(1e30)), width=32),
    st.integers(1, 3),
    st.sampled_from([None, "time", "freq", "both"]),
)
@counted
def test_pooling_a_constant_gives_the_constant(mode, c, n_clips, axis):
    S = np.full((n_clips, 4, 6), c, np.float32)
    P = PoolingTransformer(mode, axis=axis, **_MODE_PARAMS.get(mode, {})).fit_transform(S)
    np.testing.assert_allclose(P, c, rtol=1e-5)


@given(
    spectrograms(nonnegative=True, min_freqs=2, max_freqs=9),
    st.integers(1, 6),
    st.integers(1, 6),
    power_of_two_scales(),
)
@counted
def test_sincgram_transformer(S, n_filters, order, c):
    est = SincGramTransformer(sr=8000, n_filters=n_filters, order=order)
    E = _transform_unmodified(est, S)
    assert_float32_finite(E, "SincGramTransformer")
    assert E.shape == (len(S), n_filters, S.shape[2]) and (E >= 0).all()
    x = S.astype(np.float32).astype(np.float64)
    ref = np.einsum("nft,fm->nmt", x, est.filters_.astype(np.float64))
    np.testing.assert_allclose(E, ref, rtol=1e-4, atol=1e-5 * max(x.max(), 1e-38))
    S2 = _flush_subnormals(S)
    np.testing.assert_allclose(est.transform(S2 * np.float32(c)), c * est.transform(S2), rtol=1e-5, atol=0)
    # a 2-D batch of spectra is the single-frame case
    np.testing.assert_allclose(
        est.transform(S[:, :, 0]), E[:, :, 0], rtol=1e-5, atol=1e-6 * max(x.max(), 1e-38)
    )


_FILTERS = ["gaussian", "median", "wiener", "bilateral", "wavelet"]


@given(
    st.sampled_from(_FILTERS),
    spectrograms(max_freqs=9, max_frames=9),
    st.sampled_from(["reflect", "nearest", "mirror", "wrap"]),
)
@counted
def test_spectrogram_filter(method, S, mode):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # PyWavelets: level too high for tiny maps
        out = _transform_unmodified(SpectrogramFilter(method, mode=mode), S)
    assert_float32_finite(out, f"SpectrogramFilter({method})")
    assert out.shape == S.shape
    x = S.astype(np.float32)
    if method in ("gaussian", "median", "bilateral"):  # local weighted means / order statistics
        tol = 1e-5 * max(np.abs(x).max(), 1e-30)
        assert (out >= x.min() - tol).all() and (out <= x.max() + tol).all()


@given(
    st.sampled_from(_FILTERS),
    spectrograms(min_freqs=2, max_freqs=9, min_frames=2, max_frames=9, big=1e6),
    power_of_two_scales(),
)
@counted
def test_spectrogram_filter_is_scale_equivariant(method, S, c):
    S = _flush_subnormals(S, floor=1e-6)
    spread = float(S.std()) if S.size else 0.0
    if method == "wavelet":  # skimage's BayesShrink guards with an absolute eps of 1e-7
        assume(spread == 0 or spread > 1e-2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        est = SpectrogramFilter(method).fit(S)
        a, b = est.transform(S * np.float32(c)), c * est.transform(S)
    np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5 * c * max(np.abs(S).max(), 1e-30))


@given(
    st.sampled_from(_FILTERS),
    st.floats(-float(np.float32(1e30)), float(np.float32(1e30)), width=32),
    st.integers(1, 6),
    st.integers(1, 6),
)
@counted
def test_spectrogram_filter_keeps_a_constant(method, c, n_freqs, n_frames):
    S = np.full((2, n_freqs, n_frames), c, np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        out = SpectrogramFilter(method, mode="nearest").fit_transform(S)
    if method == "wiener":  # zero padding at the border, as scipy.signal.wiener: only finite
        assert_float32_finite(out)
        return
    np.testing.assert_allclose(out, c, rtol=1e-5)


@given(
    st.sampled_from(["otsu", "kmeans", "region_growing", "graph"]),
    spectrograms(max_freqs=8, max_frames=9),
    st.sampled_from(["mask", "masked"]),
    st.sampled_from([None, "opening", ("closing", "dilation")]),
    st.sampled_from([None, "median"]),
)
@counted
def test_spectrogram_segmenter(method, S, output, morphology, background):
    est = SpectrogramSegmenter(
        method,
        output=output,
        morphology=morphology,
        footprint=(1, 2),
        background=background,
        min_size=2,
        random_state=0,
    )
    out = _transform_unmodified(est, S)
    assert_float32_finite(out, f"SpectrogramSegmenter({method})")
    assert out.shape == S.shape
    x = S.astype(np.float32)
    if output == "mask":
        assert set(np.unique(out)) <= {0.0, 1.0}
        table = est.regions(S)
        assert int(table["n_bins"].sum()) == int(out.sum())
    else:
        floor = x.min(axis=(1, 2), keepdims=True)
        assert ((out == x) | (out == floor)).all()


@given(
    spectrograms(min_freqs=2, max_freqs=8, min_frames=2, max_frames=9, big=1e6),
    st.sampled_from([1e-20, 1e20, 1e25]),
)
@example(np.arange(12, dtype=np.float32).reshape(1, 3, 4), 1e25)  # skimage's float32 squares overflowed
@counted
def test_otsu_and_bilateral_work_at_any_loudness(S, c):
    S = _flush_subnormals(S, floor=1e-6).astype(np.float64)
    loud = (S * c).astype(np.float32)
    S = S.astype(np.float32)
    seg = SpectrogramSegmenter("otsu").fit(S)
    np.testing.assert_array_equal(seg.transform(loud), seg.transform(S))
    bil = SpectrogramFilter("bilateral").fit(S)
    np.testing.assert_allclose(
        bil.transform(loud) / np.float32(c),
        bil.transform(S),
        rtol=1e-4,
        atol=1e-5 * max(np.abs(S).max(), 1e-30),
    )


@given(st.sampled_from(["glcm", "lbp", "gabor", "edges", "hu"]), spectrograms(max_freqs=8, max_frames=9))
@counted
def test_spectrogram_image_features(kind, S):
    est = SpectrogramImageFeatures(
        kind,
        levels=8,
        distances=(1,),
        frequencies=(0.25,),
        thetas=(0.0,),
        edge_filters=("sobel", "prewitt", "canny", "log"),
    )
    F = _transform_unmodified(est, S)
    assert_float32_finite(F, f"SpectrogramImageFeatures({kind})")
    assert F.shape == (len(S), len(est.get_feature_names_out()))
    if kind == "lbp":
        np.testing.assert_allclose(F.sum(axis=1), 1.0, rtol=1e-5)


@given(
    st.sampled_from(["glcm", "lbp"]), spectrograms(max_freqs=8, max_frames=9, big=1e20), power_of_two_scales()
)
@counted
def test_texture_features_ignore_loudness(kind, S, c):
    S = _flush_subnormals(S)
    est = SpectrogramImageFeatures(kind, levels=8, distances=(1,)).fit(S)
    np.testing.assert_allclose(est.transform(S * np.float32(c)), est.transform(S), rtol=1e-5, atol=1e-6)


@given(spectrograms(max_freqs=6, max_frames=7))
@counted
def test_flatten_round_trip(S):
    est = Flatten()
    X = _transform_unmodified(est, S)
    assert X.shape == (len(S), S.shape[1] * S.shape[2]) and X.dtype == np.float32
    np.testing.assert_array_equal(est.inverse_transform(X), S.astype(np.float32))
    assert len(est.get_feature_names_out()) == X.shape[1]


@given(
    spectrograms(min_freqs=2, max_freqs=8, min_frames=2, max_frames=10, big=1e20),
    st.integers(0, 10**6),
    st.booleans(),
)
# a quiet map: skimage's absolute epsilon scored every position 0
@example(np.array([[[1.2573e-4, -1.321e-4], [6.4042e-4, 1.049e-4]]], np.float32), 2, False)
@example(np.array([[[3e19, -1e19, 2e19], [1e19, 5e19, -4e19]]], np.float32), 1, False)  # squares overflowed
@counted
def test_template_match(S, where, pad_input):
    S = _flush_subnormals(S)
    n, F, T = S.shape
    tf, tt = 1 + where % F, 1 + (where // F) % T
    f0, t0 = (where // 7) % (F - tf + 1), (where // 11) % (T - tt + 1)
    template = S[0, f0 : f0 + tf, t0 : t0 + tt].copy()
    before = S.copy()
    if template.std() == 0:
        with pytest.raises(ValueError, match="constant"):
            template_match(S, template)
        return
    scores, peaks = template_match(S, template, pad_input=pad_input, return_peaks=True)
    np.testing.assert_array_equal(S, before)
    assert_float32_finite(scores, "template_match")
    assert scores.shape == ((n, F, T) if pad_input else (n, F - tf + 1, T - tt + 1))
    assert (np.abs(scores) <= 1 + 1e-3).all()
    if not pad_input and template.std() > 1e-4 * np.abs(S[0]).max():
        assert scores[0, f0, t0] > 0.99  # the template is found where it was cut


@given(spectrograms(min_freqs=2, max_freqs=8, min_frames=2, max_frames=9, big=1e20))
@example(np.zeros((1, 2, 2), np.float32))  # wiener_batch gave 0 / 0 = NaN on silence
@counted
def test_batch_image_functions(S):
    """The public batch helpers of skaudio.features.image: shapes, finiteness, no mutation."""
    x = S.astype(np.float32)
    before = x.copy()
    assert_float32_finite(wiener_batch(x), "wiener_batch")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        assert_float32_finite(wavelet_batch(x), "wavelet_batch")
    assert np.isfinite(gabor_batch(x, 0.25, 0.0)).all()
    h, v, mag = sobel_batch(x)
    assert np.isfinite(mag).all() and (mag >= 0).all()
    h, v, mag = prewitt_batch(x)
    assert np.isfinite(mag).all() and (mag >= 0).all()
    hu = hu_moments_batch(np.abs(x))
    assert hu.shape == (len(x), 7)
    total = np.abs(x).astype(np.float64).sum(axis=(1, 2))
    assert np.isfinite(hu[total > 0]).all()  # defined wherever a map has mass
    mask = hysteresis_batch(x, np.quantile(x, 0.5), np.quantile(x, 0.9))
    assert mask.dtype == bool and mask.shape == x.shape
    opened = morphology_batch(mask, ("opening", "closing"), (1, 2))
    assert opened.shape == x.shape
    np.testing.assert_array_equal(x, before)


def test_wavelet_keeps_large_maps_scale_equivariant():
    """Regression: squared float32 coefficients overflowed above 1e19, so thresholds were 0."""
    S = np.random.default_rng(0).standard_normal((2, 16, 20)).astype(np.float32)
    np.testing.assert_allclose(
        wavelet_batch(S * np.float32(1e20)), wavelet_batch(S) * np.float32(1e20), rtol=1e-5, atol=1e15
    )


# -- classic descriptors ---------------------------------------------------------------------
@given(waveforms(min_samples=64, max_samples=300), st.sampled_from([0, 22]), st.booleans())
@counted
def test_mfcc(X, lifter, log_mel_input):
    est = MFCC(sr=8000, n_fft=64, hop_length=16, n_mels=8, n_mfcc=5, lifter=lifter)
    try:
        M = _transform_unmodified(est, X)
    except ValueError as exc:  # the documented refusal: spectra beyond float32
        assert "float32 range" in str(exc), exc
        assert np.abs(X.astype(np.float64)).max() > 1e13
        return
    assert_float32_finite(M, "MFCC")
    assert M.shape == (len(X), 5, est.n_frames_)
    x = X.astype(np.float32).astype(np.float64)
    peak = np.abs(x).max()
    if 1e-3 < peak < 1e10:  # log-mel well above amin=1e-10, below float32 power overflow
        kw = dict(sr=8000, n_fft=64, hop_length=16, n_mels=8, n_mfcc=5, lifter=lifter)
        ref = np.stack([librosa.feature.mfcc(y=row, **kw) for row in x])
        np.testing.assert_allclose(M, ref, rtol=0, atol=1e-2 * max(1.0, np.abs(ref).max() / 100))
    if log_mel_input:
        S = MelSpectrogram(sr=8000, n_fft=64, hop_length=16, n_mels=8, ref=1.0).fit_transform(X)
        np.testing.assert_allclose(
            MFCC(n_mfcc=5, lifter=lifter).fit_transform(S),
            M,
            rtol=1e-5,
            atol=1e-3 * max(1.0, np.abs(M).max()),
        )


@given(waveforms(min_samples=256, max_samples=600), st.sampled_from([None, 0.0]))
@counted
def test_chroma(X, tuning):
    est = Chroma(sr=8000, n_fft=256, hop_length=64, tuning=tuning)
    try:
        C = _transform_unmodified(est, X)
    except ValueError as exc:
        assert "float32 range" in str(exc), exc
        assert np.abs(X.astype(np.float64)).max() > 1e13
        return
    assert_float32_finite(C, "Chroma")
    assert C.shape == (len(X), 12, est.n_frames_)
    assert (C >= 0).all() and (C <= 1 + 1e-6).all()  # max-normalised frames


@given(
    waveforms(min_samples=256, max_samples=600),
    st.sampled_from([("mean", "std"), None, ("median", "min", "max")]),
)
@counted
def test_spectral_descriptors(X, stats):
    est = SpectralDescriptors(sr=8000, n_fft=256, hop_length=64, n_bands=3, stats=stats)
    try:
        F = _transform_unmodified(est, X)
    except ValueError as exc:  # the documented refusal: spectra beyond float32
        assert "float32 range" in str(exc), exc
        assert np.abs(X.astype(np.float64)).max() * 256 * 129 > 1e37
        return
    assert_float32_finite(F, "SpectralDescriptors")
    rows = est.rows_
    if stats is None:
        assert F.shape == (len(X), len(rows), est.n_frames_)
        frames = F
    else:
        assert F.shape == (len(X), len(est.get_feature_names_out()))
        frames = clone(est).set_params(stats=None).fit_transform(X)
    r = {name: frames[:, i] for i, name in enumerate(rows)}
    assert (r["centroid"] >= 0).all() and (r["centroid"] <= 4000 * (1 + 1e-6)).all()
    assert (r["zcr"] >= 0).all() and (r["zcr"] <= 1).all()
    assert (r["flatness"] >= 0).all() and (r["flatness"] <= 1 + 1e-5).all()
    peak = np.abs(X.astype(np.float32).astype(np.float64)).max()
    assert (r["rms"] <= peak * (1 + 1e-5) + 1e-30).all()


@given(
    spectrograms(min_frames=3, max_frames=12),
    st.integers(1, 2),
    st.sampled_from(["interp", "nearest", "mirror", "wrap", "constant"]),
    st.booleans(),
)
@counted
def test_deltas(S, order, mode, stack):
    width = 3 if order == 1 else 5
    if mode == "interp" and S.shape[2] < width:
        mode = "nearest"
    est = Deltas(width=width, order=order, mode=mode, stack=stack)
    D = _transform_unmodified(est, S)
    assert_float32_finite(D, "Deltas")
    assert D.shape == (len(S), S.shape[1] * (order + 1 if stack else 1), S.shape[2])
    x = S.astype(np.float32).astype(np.float64)
    ref = librosa.feature.delta(x, width=width, order=order, mode=mode)
    got = D[:, -S.shape[1] :]
    np.testing.assert_allclose(got, ref, rtol=1e-4, atol=1e-5 * max(np.abs(x).max(), 1e-30))


@given(spectrograms(nonnegative=True, max_freqs=8, max_frames=9), st.sampled_from([1.0, 2.0, np.inf]))
@counted
def test_hpss(S, power):
    est = HPSS(kernel_size=(3, 5), power=power, output="both")
    out = _transform_unmodified(est, S)
    assert_float32_finite(out, "HPSS")
    n = S.shape[1]
    H, P = out[:, :n], out[:, n:]
    x = S.astype(np.float32)
    assert (H >= 0).all() and (P >= 0).all()
    if power != np.inf:  # margin 1: the soft masks add up to one, so the parts to the input
        np.testing.assert_allclose(H + P, x, rtol=1e-5, atol=1e-6 * max(float(x.max()), 1e-30))
    if x.max() < 1e30:
        for i, s in enumerate(x):
            h, p = librosa.decompose.hpss(s, kernel_size=(3, 5), power=power)
            np.testing.assert_allclose(H[i], h, rtol=1e-5, atol=1e-6 * max(float(s.max()), 1e-30))
            np.testing.assert_allclose(P[i], p, rtol=1e-5, atol=1e-6 * max(float(s.max()), 1e-30))


#: Public name -> the property tests that exercise it (checked by test_public_api_coverage.py).
PROPERTY_TESTS = {
    "Spectrogram": [test_spectrogram, test_spectrogram_scales_with_the_power_of_the_amplitude],
    "MelSpectrogram": [test_mel_spectrogram],
    "PowerToDb": [test_power_to_db],
    "SpectrogramStandardizer": [test_spectrogram_standardizer],
    "FixLength": [test_fix_length],
    "PoolingTransformer": [test_pooling_transformer, test_pooling_a_constant_gives_the_constant],
    "pool2d": [test_plain_array_pooling_equals_the_transformer],
    "global_pool": [test_plain_array_pooling_equals_the_transformer],
    "pool_output_size": [test_plain_array_pooling_equals_the_transformer],
    "SincGramTransformer": [test_sincgram_transformer],
    "SpectrogramFilter": [
        test_spectrogram_filter,
        test_spectrogram_filter_is_scale_equivariant,
        test_spectrogram_filter_keeps_a_constant,
    ],
    "SpectrogramSegmenter": [test_spectrogram_segmenter, test_otsu_and_bilateral_work_at_any_loudness],
    "SpectrogramImageFeatures": [test_spectrogram_image_features, test_texture_features_ignore_loudness],
    "Flatten": [test_flatten_round_trip],
    "MFCC": [test_mfcc],
    "Chroma": [test_chroma],
    "SpectralDescriptors": [test_spectral_descriptors],
    "Deltas": [test_deltas],
    "HPSS": [test_hpss],
    "template_match": [test_template_match],
    "wiener_batch": [test_batch_image_functions],
    "wavelet_batch": [test_batch_image_functions, test_wavelet_keeps_large_maps_scale_equivariant],
    "gabor_batch": [test_batch_image_functions],
    "sobel_batch": [test_batch_image_functions],
    "prewitt_batch": [test_batch_image_functions],
    "hu_moments_batch": [test_batch_image_functions],
    "hysteresis_batch": [test_batch_image_functions],
    "morphology_batch": [test_batch_image_functions],
    # file paths in, covered by test_corrupt_files.py (and a round trip below)
    "AudioLoader": [],
}
