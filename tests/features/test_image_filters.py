"""SpectrogramFilter: equal to the wrapped library clip by clip, and it denoises real spectrograms."""

import numpy as np
import pytest
import scipy.ndimage as ndi
from scipy.signal import wiener
from skimage.restoration import denoise_bilateral, denoise_wavelet

from skaudio.features import MelSpectrogram
from skaudio.features.image import SpectrogramFilter, wiener_batch

METHODS = ("gaussian", "median", "wiener", "bilateral", "wavelet")


@pytest.fixture(scope="module")
def S():
    rng = np.random.default_rng(0)
    base = np.linspace(-60, 0, 40, dtype=np.float32)[None, :, None]
    return (base + 6 * rng.standard_normal((5, 40, 70))).astype(np.float32)


def _reference(method, clip):
    """The library call the transformer wraps, on one clip."""
    if method == "gaussian":
        return ndi.gaussian_filter(clip, sigma=(1.5, 2.0), mode="nearest", truncate=3.0)
    if method == "median":
        return ndi.median_filter(clip, size=(3, 5), mode="mirror")
    if method == "wiener":
        return wiener(clip.astype(np.float64), (3, 5))
    if method == "bilateral":  # skimage on the map made non-negative (its value table assumes so)
        low = clip.min()
        return denoise_bilateral(clip - low, sigma_color=4.0, sigma_spatial=1.5, mode="symmetric") + low
    return denoise_wavelet(clip, wavelet="db2", mode="soft", method="BayesShrink")


_PARAMS = {
    "gaussian": dict(sigma=(1.5, 2.0), mode="nearest", truncate=3.0),
    "median": dict(size=(3, 5), mode="mirror"),
    "wiener": dict(mysize=(3, 5)),
    "bilateral": dict(sigma_color=4.0, sigma_spatial=1.5, mode="reflect"),
    "wavelet": dict(wavelet="db2"),
}


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("n_jobs", [None, 2])
def test_matches_library_clip_by_clip(S, method, n_jobs):
    before = S.copy()
    out = SpectrogramFilter(method, n_jobs=n_jobs, **_PARAMS[method]).fit_transform(S)
    assert out.shape == S.shape and out.dtype == np.float32
    np.testing.assert_array_equal(S, before)  # input untouched
    ref = np.stack([_reference(method, c) for c in S])
    # bilateral: skimage looks its value weights up in a table of ``bins`` steps over the map's
    # range (about 0.01 dB here), and float32 rounding of the shift can move a distance one step
    atol = 2e-3 if method == "bilateral" else 2e-4
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=atol)


def test_wiener_batch_with_given_noise(S):
    out = wiener_batch(S, 5, noise=10.0)
    ref = np.stack([wiener(c.astype(np.float64), 5, noise=10.0) for c in S])
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize(
    "kw",
    [dict(mode="hard"), dict(method="VisuShrink"), dict(sigma=3.0), dict(wavelet="sym4", wavelet_levels=2)],
)
def test_wavelet_batch_options(S, kw):
    est = SpectrogramFilter(
        "wavelet",
        sigma=kw.get("sigma"),
        wavelet=kw.get("wavelet", "db1"),
        wavelet_levels=kw.get("wavelet_levels"),
        wavelet_threshold=kw.get("mode", "soft"),
        wavelet_method=kw.get("method", "BayesShrink"),
    )
    ref = np.stack([denoise_wavelet(c, **kw) for c in S])
    np.testing.assert_allclose(est.fit_transform(S), ref, atol=2e-4)


def test_constant_maps_stay_finite():
    S = np.full((2, 16, 20), -30.0, dtype=np.float32)
    for method in METHODS:
        out = SpectrogramFilter(method).fit_transform(S)
        assert np.isfinite(out).all(), method
        if method != "wiener":  # scipy.signal.wiener zero-pads, so its edges move
            np.testing.assert_allclose(out, S, atol=1e-4, err_msg=method)
        else:
            np.testing.assert_allclose(out[:, 1:-1, 1:-1], S[:, 1:-1, 1:-1], atol=1e-4)


def test_two_d_input_is_one_band(S):
    rows = S[:, 3, :]
    out = SpectrogramFilter("median", size=(1, 5)).fit_transform(rows)
    np.testing.assert_allclose(out, ndi.median_filter(rows, size=(1, 5)))


def _snr(est, ref):
    ref_c = ref - ref.mean(axis=(1, 2), keepdims=True)
    return 10 * np.log10((ref_c**2).sum(axis=(1, 2)) / ((est - ref) ** 2).sum(axis=(1, 2)))


@pytest.mark.parametrize(
    "params", [{}, dict(sigma_color=4.0, sigma_spatial=1.5), dict(mode="constant", cval=-30.0)]
)
def test_bilateral_is_shift_invariant_on_db_maps(S, params):
    """A dB map shifted by 100 dB filters to the same map shifted by 100 dB (issue 19, item 1).

    skimage's value-weight table assumes a non-negative image; fed a dB map
    directly the output moved by tens of dB under a constant shift.
    """
    est = SpectrogramFilter("bilateral", **params).fit(S)
    shifted_params = dict(params, cval=params["cval"] + 100.0) if "cval" in params else params
    shifted = SpectrogramFilter("bilateral", **shifted_params).fit(S + 100)
    change = np.abs((shifted.transform(S + np.float32(100)) - 100) - est.transform(S)).max()
    assert change < 0.01, change


@pytest.fixture(scope="module")
def esc10_16k(esc10_dir):
    from skaudio.datasets import load_esc50

    bunch = load_esc50(esc10_dir, subset="esc10", sr=16000, folds=1)
    return bunch.data[::16][:5].astype(np.float64)  # five clips of different classes


@pytest.mark.parametrize("snr_db", [0.0, 5.0])
def test_wiener_and_wavelet_raise_snr_on_esc10_mixed_with_noise(esc10_16k, snr_db):
    """White noise is added to ESC-10 waveforms at a known SNR.

    The target is the log-mel of the *expected* noisy power (clean power plus
    the mean power of many noise draws): additive noise raises the floor,
    which no smoothing filter can or should remove, and the random
    fluctuation around that expectation is what image denoising reduces.
    """
    rng = np.random.default_rng(1)
    X = esc10_16k
    mel = MelSpectrogram(sr=16000, n_fft=1024, hop_length=256, n_mels=64, to_db=False).fit(
        X.astype(np.float32)
    )
    scale = np.sqrt(np.mean(X**2, axis=1) / 10 ** (snr_db / 10))[:, None]
    noise_power = np.mean(
        [mel.transform((rng.standard_normal(X.shape) * scale).astype(np.float32)) for _ in range(8)], axis=0
    )
    target = 10 * np.log10(mel.transform(X.astype(np.float32)) + noise_power + 1e-10)
    noisy_power = mel.transform((X + rng.standard_normal(X.shape) * scale).astype(np.float32))
    noisy = (10 * np.log10(noisy_power + 1e-10)).astype(np.float32)
    before = _snr(noisy, target)
    for method in ("wiener", "wavelet"):
        after = _snr(SpectrogramFilter(method).fit_transform(noisy), target)
        assert np.all(after > before), (method, before, after)
        assert np.mean(after - before) > 0.5, (method, before, after)


def test_every_filter_raises_snr_of_image_noise_on_esc10(esc10_16k):
    """Gaussian noise added to ESC-10 log-mel images at 5 dB image SNR."""
    rng = np.random.default_rng(2)
    mel = MelSpectrogram(sr=16000, n_fft=1024, hop_length=256, n_mels=64).fit(esc10_16k.astype(np.float32))
    clean = mel.transform(esc10_16k.astype(np.float32))
    sigma = clean.std(axis=(1, 2), keepdims=True) / np.sqrt(10**0.5)
    noisy = (clean + sigma * rng.standard_normal(clean.shape)).astype(np.float32)
    before = _snr(noisy, clean)
    for method in METHODS:
        after = _snr(SpectrogramFilter(method).fit_transform(noisy), clean)
        assert np.mean(after - before) > 1.0, (method, before, after)


def test_bilateral_denoises_real_log_mels(esc10_16k):
    """Gaussian image noise on ESC-10 log-mels (dB, peak 0): the bilateral filter removes most of it.

    Before the shift fix the filter only blurred (value weights read at the
    wrong distances): MSE 82.3 -> 25.3; it now reaches 17.9, the same as on
    the maps shifted positive first.
    """
    rng = np.random.default_rng(2)
    mel = MelSpectrogram(sr=16000, n_fft=1024, hop_length=256, n_mels=64).fit(esc10_16k.astype(np.float32))
    clean = mel.transform(esc10_16k.astype(np.float32))
    assert clean.max() <= 0
    sigma = clean.std(axis=(1, 2), keepdims=True) / np.sqrt(10**0.5)
    noisy = (clean + sigma * rng.standard_normal(clean.shape)).astype(np.float32)
    before = np.mean((noisy - clean) ** 2)
    after = np.mean((SpectrogramFilter("bilateral").fit_transform(noisy) - clean) ** 2)
    assert after < 0.25 * before, (before, after)


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(method="sharpen"), "method"),
        (dict(method="wiener", mysize=4), "odd"),
        (dict(method="median", size=(3, 0)), "size"),
        (dict(method="gaussian", sigma=(1, 2, 3)), "sigma"),
        (dict(method="wavelet", wavelet="nope"), "wavelet"),
        (dict(method="gaussian", mode="bounce"), "mode"),
    ],
)
def test_bad_parameters(S, params, match):
    with pytest.raises(ValueError, match=match):
        SpectrogramFilter(**params).fit(S)


def test_bad_input(S):
    bad = S.copy()
    bad[0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        SpectrogramFilter().fit(bad)
    with pytest.raises(ValueError, match="Reshape"):
        SpectrogramFilter().fit(S[0, 0])
    with pytest.raises(TypeError, match="floating-point"):
        SpectrogramFilter().fit(S.astype(np.int16))
    with pytest.raises(ValueError, match="4-D|2-D or 3-D"):
        SpectrogramFilter().fit(S[None])
    est = SpectrogramFilter().fit(S)
    with pytest.raises(ValueError, match="features"):
        est.transform(S[:, :10])


def test_gaussian_n_jobs_none_keeps_numbas_thread_setting(S, monkeypatch):
    """``"gaussian"`` runs numba threads: None leaves numba's setting, like Spectrogram (not 1)."""
    import contextlib

    import skaudio.features.image.filters as filters

    seen = []

    @contextlib.contextmanager
    def record(n_jobs):
        seen.append(n_jobs)
        yield

    monkeypatch.setattr(filters, "numba_threads", record)
    ref = SpectrogramFilter("gaussian").fit_transform(S)
    assert seen and set(seen) == {None}
    seen.clear()
    np.testing.assert_array_equal(SpectrogramFilter("gaussian", n_jobs=1).fit_transform(S), ref)
    assert set(seen) == {1}


# -- issue 28: parameters and values at their edges -----------------------------------------------


def test_cval_must_be_finite():
    # cval=nan filled the padding with NaN and every border cell came back NaN
    S = np.random.default_rng(0).random((2, 8, 10)).astype(np.float32)
    for cval in (np.nan, np.inf, -np.inf):
        with pytest.raises(ValueError, match="cval"):
            SpectrogramFilter("gaussian", mode="constant", cval=cval).fit(S)


@pytest.mark.parametrize("method", ["BayesShrink", "VisuShrink"])
@pytest.mark.parametrize("scale", [3e38, 1e-38])
def test_wavelet_denoising_is_scale_equivariant_up_to_float32_max(method, scale):
    # the wavelet coefficients of 3e38 maps overflowed float32: all 2560 cells were NaN
    S = np.random.default_rng(0).random((2, 32, 40)).astype(np.float32)
    ref = SpectrogramFilter("wavelet", wavelet_method=method).fit_transform(S)
    out = SpectrogramFilter("wavelet", wavelet_method=method).fit_transform((S * scale).astype(np.float32))
    assert np.isfinite(out).all()
    np.testing.assert_allclose(out / scale, ref, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("sigma, truncate", [(1e9, 4.0), (1.0, 1e300), (3.4e38, 4.0), (np.inf, 4.0)])
def test_gaussian_kernels_too_wide_to_compute_are_refused(sigma, truncate):
    # sigma=1e9 asked numpy for a 60 GiB kernel (MemoryError)
    S = np.random.default_rng(0).random((2, 8, 10)).astype(np.float32)
    with pytest.raises(ValueError, match="sigma"):
        SpectrogramFilter("gaussian", sigma=sigma, truncate=truncate).fit_transform(S)
