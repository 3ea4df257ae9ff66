"""scikit-learn's estimator checks over the classifiers and SincGramTransformer (tiny sizes).

The three classifiers train a network in most of the ~60 checks each (about 25 s of
CPU in all), so their checks are marked slow; SincGramTransformer's run by default.
"""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from skaudio.features import SincGramTransformer
from skaudio.models import DEGramNetClassifier, DualBranchClassifier, SECNNClassifier

_SKORCH_INIT = (
    "skorch stores module__/optimizer__ arguments and its history_/initialized_ "
    "markers as attributes in __init__"
)
_SKORCH_SET = "skorch's set_params re-initialises callbacks and checks its internal attributes at once"
_INT = "integer input is refused on purpose: audio and spectrograms are floating-point data"
_TRAIN = (
    "the check's accuracy threshold needs far more epochs than a test can afford; learning is "
    "tested in tests/models/test_classifiers.py on a learnable task"
)

_ORDER = (
    "float32 rounding, not an order effect: torch's CPU sigmoid (here a MACEM channel gate) "
    "rounds a tensor's vectorised body and its scalar remainder 1 ulp apart, so a clip's "
    "probabilities move by ~3e-8 with its place in the batch, and by up to 3e-6 once the "
    "batch norms' 1/std (re-estimated on the training clips) scales it (the checks allow "
    "rtol=1e-7); test_dual_branch_sample_order_changes_probabilities_by_float32_rounding_only "
    "bounds it at 1e-5"
)

FAST = dict(max_epochs=1, random_state=0, n_jobs=1, batch_size=32)
CLASSIFIERS = [
    SECNNClassifier(module__width=2, module__n_blocks=2, module__head=(8,), early_stopping=False, **FAST),
    DEGramNetClassifier(
        module__n_filters=4,
        module__stem_width=2,
        module__width=1,
        module__depth=(1, 1),
        early_stopping=False,
        **FAST,
    ),
    DualBranchClassifier(
        module__width=2,
        module__detail_width=4,
        module__d_model=8,
        module__n_heads=2,
        module__stem_stride=1,
        **FAST,
    ),
]


def expected_failed_checks(est):
    if isinstance(est, SincGramTransformer):
        return {"check_estimators_dtypes": _INT}
    fails = {
        "check_no_attributes_set_in_init": _SKORCH_INIT,
        "check_do_not_raise_errors_in_init_or_set_params": _SKORCH_SET,
        "check_set_params": _SKORCH_SET,
        "check_estimators_dtypes": _INT,
        "check_classifier_data_not_an_array": _INT + " (the check feeds integers)",
        "check_classifiers_train": _TRAIN,
    }
    if isinstance(est, DualBranchClassifier):
        fails["check_methods_sample_order_invariance"] = _ORDER
        fails["check_methods_subset_invariance"] = _ORDER
    return fails


@parametrize_with_checks(
    [SincGramTransformer(sr=16000, n_filters=4)], expected_failed_checks=expected_failed_checks
)
def test_sincgram_transformer_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.slow
@parametrize_with_checks(CLASSIFIERS, expected_failed_checks=expected_failed_checks)
def test_classifiers_sklearn_compatible(estimator, check):
    check(estimator)
