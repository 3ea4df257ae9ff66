"""scikit-learn's estimator checks for the image-processing transformers and Flatten."""

import numpy as np
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from skaudio.features import Flatten, SpectrogramFilter, SpectrogramImageFeatures, SpectrogramSegmenter

# sklearn's tiny maps are shorter than one wavelet level; pywt says so, the result is still defined
pytestmark = pytest.mark.filterwarnings("ignore:Level value of:UserWarning")

_POLICY = {
    "check_estimators_dtypes": "integer input is refused on purpose: spectrogram values must be "
    "floating point (skaudio._validation.check_spectrograms)",
}

# one configuration of each class in the default run (about 300 checks) ...
FAST = [
    SpectrogramFilter("wiener"),
    SpectrogramFilter("wavelet"),
    SpectrogramSegmenter(
        "region_growing", output="masked", morphology=("opening", "closing"), background="median"
    ),
    SpectrogramImageFeatures("glcm"),
    SpectrogramImageFeatures("gabor"),
    Flatten(),
]
# ... and every other method under -m slow
SLOW = [
    *(SpectrogramFilter(m) for m in ("gaussian", "median", "bilateral")),
    *(SpectrogramSegmenter(m, random_state=0) for m in ("otsu", "kmeans", "graph")),
    *(SpectrogramImageFeatures(k) for k in ("lbp", "edges")),
]
ESTIMATORS = FAST + SLOW


@parametrize_with_checks(FAST, expected_failed_checks=lambda est: _POLICY)
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.slow
@parametrize_with_checks(SLOW, expected_failed_checks=lambda est: _POLICY)
def test_sklearn_compatible_all_methods(estimator, check):
    check(estimator)


def test_policy_errors_are_clear():
    S = np.zeros((2, 4, 5), dtype=np.int64)
    for est in ESTIMATORS:
        try:
            est.fit(S)
        except TypeError as exc:
            assert "floating-point" in str(exc)
        else:  # pragma: no cover - the policy above would be wrong
            raise AssertionError(f"{est} accepted integer spectrograms")
