"""The separable Gaussian kernel against scipy.ndimage.gaussian_filter, map by map."""

import numpy as np
import pytest
import scipy.ndimage as ndi

from skaudio._kernels.image import BOUNDARY_MODES, gaussian_filter_batch, gaussian_weights


@pytest.mark.parametrize("mode", sorted(BOUNDARY_MODES))
@pytest.mark.parametrize("shape", [(3, 20, 30), (2, 3, 5), (2, 1, 7)])  # radius larger than the map too
@pytest.mark.parametrize("sigma", [(1.0, 2.0), (0.0, 1.5), (3.0, 0.0), (2.5, 4.0)])
def test_equals_ndimage(mode, shape, sigma):
    S = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    out = gaussian_filter_batch(S, sigma, truncate=4.0, mode=mode, cval=0.7)
    ref = np.stack([ndi.gaussian_filter(c, sigma, mode=mode, cval=0.7, truncate=4.0) for c in S])
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, ref, atol=1e-5)


def test_weights_match_gaussian_filter1d():
    impulse = np.zeros(41)
    impulse[20] = 1.0
    w = gaussian_weights(2.3, truncate=3.0)
    ref = ndi.gaussian_filter1d(impulse, 2.3, truncate=3.0, mode="constant")
    np.testing.assert_allclose(ref[20 - len(w) // 2 : 20 + len(w) // 2 + 1], w[::-1], atol=1e-12)
    assert gaussian_weights(0.0).tolist() == [1.0]
