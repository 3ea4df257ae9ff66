"""The hardening suite covers the whole public API: a new public name needs a test entry.

The public names come from ``skaudio._PUBLIC`` and the ``__all__`` of the
subpackages; each test module of this folder maps the names it exercises to
its tests. A public transformer, metric, scorer, estimator or loader that no
module claims fails here, so it cannot be left out silently.
"""

import importlib
import inspect

import pytest

import skaudio
from tests.hardening import (
    test_bad_inputs,
    test_corrupt_files,
    test_parameter_edges,
    test_persistence,
    test_properties_features,
    test_properties_metrics,
)

SUBPACKAGES = [
    "skaudio.features",
    "skaudio.features.image",
    "skaudio.metrics",
    "skaudio.models",
    "skaudio.datasets",
]

#: Public names that are not computations on user data, or are covered elsewhere, and why.
NOT_APPLICABLE = {
    "fetch_esc50": (
        "downloads the archive, then calls load_esc50 (covered); tests/datasets mocks the download"
    ),
    "fix_length": "the function behind FixLength (covered), also tests/test_io.py",
    "get_data_home": "names the download folder, reads no data; tests/datasets/test_esc50.py "
    "('$SKAUDIO_DATA' through load_esc50(None))",
    "protocol_cv": "builds a splitter from a loader's Bunch, reads no user files; "
    "tests/datasets/test_protocols.py (equal to LeaveOneGroupOut/GroupKFold, held-out rows, "
    "bad bunches and arguments)",
    "make_sound_events": "a generator of synthetic data, not a consumer of user input; tests/datasets",
    "pooling_report_main": "the CLI command over compare_pooling (covered); tests/test_cli.py",
    "capture_activations": "reads layers of a fitted network; tests/interpret/test_hooks.py (values, "
    "model left unchanged, unknown layers, unfitted estimators)",
    "layer_names": "lists a fitted network's submodules; tests/interpret/test_hooks.py",
    "grad_cam": "maps of a fitted network; tests/interpret/test_gradcam.py (known answers, errors)",
    "warm_up": "compiles the kernels on built-in tiny batches, no user data; tests/test_warmup.py "
    "(cache filled and loaded by a fresh process, unknown targets, unwritable cache, no orphan workers)",
    "profile": "measures a network, not the data; tests/models/test_profile.py (counts by hand, the "
    "module's mode and weights unchanged, bad arguments and inputs, unfitted estimators)",
    "AudioFileDataset": "a torch Dataset of files read on access; tests/models/test_data.py (bad sr, "
    "front end and file list; clips of two lengths and negative front-end output refused naming the file; "
    "fits equal to the in-memory array, with DataLoader workers)",
    "AudioAccelerateMixin": "a mixin of the classifiers (covered) with an Accelerator; "
    "tests/models/test_accelerate.py (same weights as the plain classifier, refused amp and device)",
    "BalancedUnderSampler": "draws indices from class labels; tests/models/test_sampling.py (counts per "
    "class, seeded draws, bad labels) and the estimators' balance parameter",
}


def _public_names():
    names = {n for n in skaudio._PUBLIC}
    for mod in SUBPACKAGES:
        names.update(importlib.import_module(mod).__all__)
    return names


def _is_constant(name):
    """Tuples, dicts and strings of settings (METRIC_NAMES, PAPER_PROTOCOL, ...) compute nothing."""
    for mod in ["skaudio", *SUBPACKAGES]:
        module = importlib.import_module(mod)
        if name in getattr(module, "__all__", ()) or name in getattr(module, "_PUBLIC", {}):
            return not callable(getattr(module, name))
    return False


def _claimed(table):
    return {name for name, tests in table.items() if tests}


def test_every_public_name_has_hardening_tests():
    properties = (
        _claimed(test_properties_features.PROPERTY_TESTS)
        | _claimed(test_properties_metrics.PROPERTY_TESTS)
        | _claimed(test_corrupt_files.PROPERTY_TESTS)
        | _claimed(test_bad_inputs.PROPERTY_TESTS)
        | _claimed(test_parameter_edges.PROPERTY_TESTS)
    )
    covered = properties | _claimed(test_persistence.PERSISTENCE_TESTS) | set(NOT_APPLICABLE)
    missing = sorted(n for n in _public_names() if not _is_constant(n) and n not in covered)
    assert not missing, f"public names without hardening tests: {missing}"


@pytest.mark.parametrize("module", ["skaudio.features", "skaudio.models"])
def test_every_public_estimator_round_trips(module):
    from sklearn.base import BaseEstimator

    mod = importlib.import_module(module)
    estimators = [
        n
        for n in mod.__all__
        if inspect.isclass(getattr(mod, n))
        and issubclass(getattr(mod, n), BaseEstimator)
        and not inspect.isabstract(getattr(mod, n))
    ]
    base_only = {"AudioNetClassifier"}  # the common base of the three classifiers
    missing = [
        n
        for n in estimators
        if n not in base_only and not any(key.split("[")[0] == n for key in test_persistence.FITTED)
    ]
    assert not missing, f"fitted estimators without a pickle/joblib round trip: {missing}"


def test_every_public_transformer_meets_flawed_input():
    from sklearn.base import TransformerMixin

    mod = importlib.import_module("skaudio.features")
    transformers = [
        n
        for n in mod.__all__
        if inspect.isclass(getattr(mod, n)) and issubclass(getattr(mod, n), TransformerMixin)
    ]
    missing = [n for n in transformers if n not in test_bad_inputs.PROPERTY_TESTS]
    assert not missing, f"transformers without the flawed-input test: {missing}"
    missing = [
        n
        for n in transformers
        if not test_properties_features.PROPERTY_TESTS.get(n) and not test_corrupt_files.PROPERTY_TESTS.get(n)
    ]
    assert not missing, f"transformers without a property test: {missing}"
