"""SpectrogramImageFeatures: equal to scikit-image per clip, names, and sensible responses."""

import re

import numpy as np
import pytest
import scipy.ndimage as ndi
from skimage.feature import canny, graycomatrix, graycoprops, local_binary_pattern
from skimage.filters import gabor, prewitt, prewitt_h, prewitt_v, sobel, sobel_h, sobel_v
from skimage.measure import moments_central, moments_hu, moments_normalized

from skaudio.features.image import (
    SpectrogramImageFeatures,
    SpectrogramSegmenter,
    gabor_batch,
    hu_moments_batch,
    prewitt_batch,
    sobel_batch,
)
from skaudio.features.image._common import quantize


@pytest.fixture(scope="module")
def S():
    rng = np.random.default_rng(0)
    return (-40 + 10 * rng.standard_normal((4, 24, 50))).astype(np.float32)


def test_glcm_matches_skimage(S):
    est = SpectrogramImageFeatures(
        "glcm",
        levels=16,
        distances=(1, 2),
        angles=(0, np.pi / 2),
        properties=("contrast", "energy", "correlation"),
    ).fit(S)
    F = est.transform(S)
    names = est.get_feature_names_out()
    assert F.shape == (4, 12) and len(names) == 12 and names[0] == "glcm_contrast_d1_a0"
    for i, c in enumerate(S):
        q = quantize(c, 16)
        assert q.max() == 15 and q.min() == 0
        g = graycomatrix(q, [1, 2], [0, np.pi / 2], levels=16, symmetric=True, normed=True)
        ref = np.concatenate([graycoprops(g, p).ravel() for p in ("contrast", "energy", "correlation")])
        np.testing.assert_allclose(F[i], ref, rtol=1e-5)
    assert names[list(names).index("glcm_energy_d2_a90")] == "glcm_energy_d2_a90"


@pytest.mark.parametrize("method, n_bins", [("uniform", 10), ("nri_uniform", 59), ("default", 256)])
def test_lbp_matches_skimage(S, method, n_bins):
    F = SpectrogramImageFeatures("lbp", P=8, R=1.5, lbp_method=method, levels=64, n_jobs=2).fit_transform(S)
    assert F.shape == (4, n_bins)
    for i, c in enumerate(S):
        codes = local_binary_pattern(quantize(c, 64), 8, 1.5, method=method).astype(int)
        np.testing.assert_allclose(F[i], np.bincount(codes.ravel(), minlength=n_bins) / codes.size, rtol=1e-6)


@pytest.mark.parametrize("mode", ["reflect", "constant", "nearest", "mirror", "wrap"])
def test_gabor_batch_matches_skimage(S, mode):
    out = gabor_batch(S, 0.15, np.pi / 3, mode=mode)
    for i in (0, 3):
        real, imag = gabor(S[i], 0.15, theta=np.pi / 3, mode=mode)
        np.testing.assert_allclose(out[i].real, real, atol=2e-3, rtol=1e-4)
        np.testing.assert_allclose(out[i].imag, imag, atol=2e-3, rtol=1e-4)


def test_gabor_batch_low_frequency_kernel_larger_than_the_image():
    x = np.random.default_rng(1).random((2, 8, 12)).astype(np.float32)
    out = gabor_batch(x, 0.05)  # kernel of about 69 x 69 bins, far wider than the map
    real, imag = gabor(x[1], 0.05)
    np.testing.assert_allclose(out[1].real, real, atol=1e-4)
    np.testing.assert_allclose(out[1].imag, imag, atol=1e-4)


def test_gabor_features(S):
    est = SpectrogramImageFeatures("gabor", frequencies=(0.1,), thetas=(0, np.pi / 2)).fit(S)
    F = est.transform(S)
    assert est.get_feature_names_out().tolist() == [
        "gabor_f0.1_t0_mean",
        "gabor_f0.1_t0_std",
        "gabor_f0.1_t90_mean",
        "gabor_f0.1_t90_std",
    ]
    real, imag = gabor(S[2], 0.1, theta=np.pi / 2)
    mag = np.hypot(real, imag)
    np.testing.assert_allclose(F[2, 2:], [mag.mean(), mag.std()], rtol=1e-3)


def test_gabor_orientation_responds_to_stripes():
    t = np.arange(64)
    vertical = np.tile(np.sin(2 * np.pi * 0.1 * t), (32, 1))[None].astype(np.float32)  # varies along time
    F = SpectrogramImageFeatures("gabor", frequencies=(0.1,), thetas=(0, np.pi / 2)).fit_transform(vertical)
    assert F[0, 0] > 5 * F[0, 2]  # theta=0 (along time) responds, theta=90 degrees barely does


def test_sobel_batch_matches_skimage(S):
    h, v, mag = sobel_batch(S)
    for i, c in enumerate(S):
        np.testing.assert_allclose(h[i], sobel_h(c), atol=1e-4)
        np.testing.assert_allclose(v[i], sobel_v(c), atol=1e-4)
        np.testing.assert_allclose(mag[i], sobel(c), atol=1e-4)


def test_edges_match_the_library_calls(S):
    est = SpectrogramImageFeatures("edges", sigma=1.5).fit(S)
    F = est.transform(S)
    assert est.get_feature_names_out()[0] == "edges_sobel_mean" and F.shape == (4, 7)
    for i, c in enumerate(S):
        x = c.astype(np.float64)
        mag = sobel(x)
        log = ndi.gaussian_laplace(x, 1.5)
        edges = canny(x, sigma=1.5, low_threshold=0.8, high_threshold=0.9, use_quantiles=True)
        ref = [
            mag.mean(),
            mag.std(),
            np.abs(sobel_h(x)).mean(),
            np.abs(sobel_v(x)).mean(),
            edges.mean(),
            np.abs(log).mean(),
            log.std(),
        ]
        np.testing.assert_allclose(F[i], ref, rtol=1e-4)


def test_edges_see_onsets_along_time():
    S = np.full((1, 32, 64), -60.0, dtype=np.float32)
    S[0, :, 20:] = 0.0  # a broadband onset: a vertical edge
    F = SpectrogramImageFeatures("edges").fit_transform(S)[0]
    assert F[3] > 10 * F[2]  # vertical (temporal) edge energy dominates horizontal


def test_parallel_equals_serial(S):
    for method in ("glcm", "lbp", "gabor", "edges"):
        a = SpectrogramImageFeatures(method).fit_transform(S)
        b = SpectrogramImageFeatures(method, n_jobs=2).fit_transform(S)
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(method="hog"), "method"),
        (dict(kind="hog"), "kind"),
        (dict(method="glcm", properties=("entropy",)), "properties"),
        (dict(method="glcm", distances=(0,)), "distances"),
        (dict(method="gabor", frequencies=()), "frequencies"),
        (dict(method="lbp", lbp_method="var"), "lbp_method"),
        (dict(method="edges", low_threshold=0.9, high_threshold=0.5), "low_threshold"),
        (dict(method="edges", edge_filters=("sobel", "roberts")), "edge_filters"),
        (dict(method="edges", edge_filters=()), "edge_filters"),
    ],
)
def test_bad_parameters(S, params, match):
    with pytest.raises(ValueError, match=match):
        SpectrogramImageFeatures(**params).fit(S)


def test_not_fitted(S):
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        SpectrogramImageFeatures().transform(S)


def test_kind_is_the_deprecated_name_of_method(S):
    """``kind`` (skaudio 0.1) works until 0.3: same features, a FutureWarning naming ``method``."""
    from sklearn.base import clone
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import LinearSVC

    new = SpectrogramImageFeatures(method="lbp").fit_transform(S)
    old_est = SpectrogramImageFeatures(kind="lbp")
    with pytest.warns(
        FutureWarning,
        match=re.escape(
            "SpectrogramImageFeatures(kind=...) was renamed to SpectrogramImageFeatures(method=...) in "
            "skaudio 0.2 and will be removed in 0.3; use SpectrogramImageFeatures(method='lbp')."
        ),
    ):
        old = old_est.fit_transform(S)
    np.testing.assert_array_equal(old, new)
    assert old_est.get_feature_names_out()[0] == "lbp_0"

    # get_params / clone keep the old spelling, so a cloned estimator still computes LBP
    assert old_est.get_params()["kind"] == "lbp" and old_est.get_params()["method"] == "glcm"
    cloned = clone(old_est)
    assert cloned.kind == "lbp"
    with pytest.warns(FutureWarning):
        np.testing.assert_array_equal(cloned.fit_transform(S), new)

    # the default does not warn, and method alone never does
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        SpectrogramImageFeatures().fit(S)
        SpectrogramImageFeatures(method="edges").fit(S)

    # a grid search over the old name runs (and warns), one over the new name does not warn
    y = np.array([0, 1, 0, 1])
    pipe = make_pipeline(SpectrogramImageFeatures(levels=8), LinearSVC())
    with pytest.warns(FutureWarning, match="kind"):
        GridSearchCV(pipe, {"spectrogramimagefeatures__kind": ["lbp", "edges"]}, cv=2).fit(S, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        search = GridSearchCV(pipe, {"spectrogramimagefeatures__method": ["lbp", "edges"]}, cv=2)
        search.fit(S, y)
    assert search.best_params_["spectrogramimagefeatures__method"] in ("lbp", "edges")

    # the two names may not disagree
    with pytest.raises(ValueError, match="disagree"):
        SpectrogramImageFeatures(method="gabor", kind="lbp").fit(S)
    with pytest.warns(FutureWarning):  # agreeing is allowed
        SpectrogramImageFeatures(method="lbp", kind="lbp").fit(S)


# -- Prewitt edges and Hu moments -------------------------------------------------------------
def test_prewitt_batch_matches_skimage(S):
    before = S.copy()
    h, v, mag = prewitt_batch(S)
    np.testing.assert_array_equal(S, before)
    for i, c in enumerate(S):
        x = c.astype(np.float64)
        np.testing.assert_allclose(h[i], prewitt_h(x), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(v[i], prewitt_v(x), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(mag[i], prewitt(x), rtol=1e-12, atol=1e-12)


def test_edges_with_prewitt_match_skimage_and_keep_the_default_columns(S):
    default = SpectrogramImageFeatures("edges").fit(S)
    est = SpectrogramImageFeatures("edges", edge_filters=("log", "prewitt", "sobel", "canny")).fit(S)
    names = est.get_feature_names_out().tolist()
    assert names[4:8] == [
        "edges_prewitt_mean",
        "edges_prewitt_std",
        "edges_prewitt_h_mean",
        "edges_prewitt_v_mean",
    ]
    assert [n for n in names if "prewitt" not in n] == default.get_feature_names_out().tolist()
    F = est.transform(S)
    np.testing.assert_array_equal(np.delete(F, range(4, 8), axis=1), default.transform(S))
    for i, c in enumerate(S):
        x = c.astype(np.float64)
        mag = prewitt(x)
        ref = [mag.mean(), mag.std(), np.abs(prewitt_h(x)).mean(), np.abs(prewitt_v(x)).mean()]
        np.testing.assert_allclose(F[i, 4:8], ref, rtol=1e-5)
    only = SpectrogramImageFeatures("edges", edge_filters=["prewitt"]).fit(S)
    np.testing.assert_array_equal(only.transform(S), F[:, 4:8])


def _skimage_hu(x):
    return moments_hu(moments_normalized(moments_central(x.astype(np.float64), order=3), order=3))


def test_hu_moments_batch_matches_skimage(S):
    masks = (S > -35).astype(np.float32)
    energy = 10.0 ** (S / 10.0)
    for maps in (masks, energy):
        before = maps.copy()
        hu = hu_moments_batch(maps)
        np.testing.assert_array_equal(maps, before)
        ref = np.stack([_skimage_hu(m) for m in maps])
        assert hu.shape == (4, 7)
        # invariants 5 and 7 are sums of cancelling products: relative to each invariant's scale
        np.testing.assert_allclose(hu, ref, rtol=1e-6, atol=1e-9 * np.abs(ref).max(axis=0).max())


def test_hu_moments_do_not_change_when_the_shape_moves_or_is_transposed():
    masks = np.zeros((3, 40, 40), np.float32)
    masks[0, 5:10, 3:20] = 1  # a horizontal bar (a tone)
    masks[1, 22:27, 15:32] = 1  # the same bar elsewhere
    masks[2] = masks[0].T  # rotated by 90 degrees (a transpose: reflection of hu_6's sign)
    hu = hu_moments_batch(masks)
    np.testing.assert_allclose(hu[1], hu[0], rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(hu[2, :6], hu[0, :6], rtol=1e-9, atol=1e-15)


def test_hu_features_of_segmented_masks(S):
    masks = SpectrogramSegmenter("otsu").fit_transform(S)
    est = SpectrogramImageFeatures("hu").fit(masks)
    F = est.transform(masks)
    assert F.shape == (4, 7) and F.dtype == np.float32
    assert est.get_feature_names_out().tolist() == [f"hu_{k}" for k in range(7)]
    np.testing.assert_allclose(F, np.stack([_skimage_hu(m) for m in masks]), rtol=1e-5, atol=1e-12)
    empty = SpectrogramImageFeatures("hu").fit_transform(np.zeros((1, 4, 5), np.float32))
    np.testing.assert_array_equal(empty, 0.0)  # no foreground: no shape, zeros rather than NaN


# -- issue 28: parameters whose cost is beyond computing -------------------------------------------


def test_glcm_levels_beyond_memory_are_refused():
    # levels=65536 asked numpy for a 128 GiB co-occurrence array (MemoryError)
    S = np.random.default_rng(0).random((2, 8, 10)).astype(np.float32)
    with pytest.raises(ValueError, match="levels=65536"):
        SpectrogramImageFeatures("glcm", levels=65536).fit_transform(S)
    assert SpectrogramImageFeatures("glcm", levels=1024).fit_transform(S).shape == (2, 48)


@pytest.mark.parametrize(
    "method, params, name",
    [
        ("edges", dict(sigma=1e9), "sigma"),
        ("edges", dict(sigma=np.inf), "sigma"),
        ("gabor", dict(bandwidth=1e-300), "bandwidth"),
        ("gabor", dict(frequencies=(1e-300,)), "frequencies"),
        ("lbp", dict(R=np.inf), "R"),
    ],
)
def test_kernels_too_wide_to_compute_are_refused(method, params, name):
    S = np.random.default_rng(0).random((2, 8, 10)).astype(np.float32)
    with pytest.raises(ValueError, match=rf"\b{name}\b"):
        SpectrogramImageFeatures(method, **params).fit_transform(S)
