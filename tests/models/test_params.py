"""Classifier parameters: scikit-learn's validation for every one, recipes, defaults declared once."""

import inspect

import numpy as np
import pytest
from sklearn.utils._param_validation import InvalidParameterError

from skaudio.models import AudioNetClassifier, DEGramNetClassifier, DualBranchClassifier, SECNNClassifier

CLASSIFIERS = [SECNNClassifier, DEGramNetClassifier, DualBranchClassifier]

# the names users grid-search: every one of them stays a parameter (issue 20)
PUBLIC_NAMES = {
    "module", "criterion", "optimizer", "lr", "max_epochs", "batch_size", "train_split", "callbacks",
    "device", "verbose", "random_state", "weight_decay", "early_stopping", "validation_fraction",
    "patience", "lr_schedule", "lr_factor", "lr_patience", "ema_decay", "noise", "noise_snr",
    "noise_prob", "noise_freqs", "time_shift_prob", "time_shift_max", "mixup_alpha", "random_crop",
    "spec_augment", "filterbank_lr_scale", "n_jobs", "classes", "monitor", "balance", "crop_length",
}  # fmt: skip

BAD = [
    ("max_epochs", -1),
    ("max_epochs", 0),
    ("max_epochs", 2.5),
    ("noise_snr", "loud"),
    ("lr", 0.0),
    ("lr", "fast"),
    ("batch_size", 0),
    ("weight_decay", -1e-3),
    ("early_stopping", "yes"),
    ("validation_fraction", 1.0),
    ("patience", 0),
    ("monitor", "valid_f1"),
    ("balance", "oversample"),
    ("crop_length", 0),
    ("crop_length", "long"),
    ("lr_schedule", "cosine"),
    ("lr_factor", 1.5),
    ("lr_patience", -1),
    ("ema_decay", 1.0),
    ("noise", "purple"),
    ("noise", 3),
    ("noise_prob", 1.5),
    ("time_shift_prob", -0.1),
    ("time_shift_max", 1.0),
    ("mixup_alpha", -0.3),
    ("random_crop", 1.5),
    ("random_crop", "half"),
    ("spec_augment", 2),
    ("filterbank_lr_scale", -1.0),
    ("n_jobs", 0),
    ("n_jobs", "all"),
    ("random_state", "seed"),
    ("verbose", -1),
    ("device", 3),
    ("warm_start", "no"),
]


def _data(cls):
    rng = np.random.default_rng(0)
    if cls is DualBranchClassifier:
        return rng.standard_normal((6, 1024)).astype(np.float32), np.arange(6) % 2
    return rng.random((6, 33, 12)).astype(np.float32), np.arange(6) % 2


@pytest.mark.parametrize("cls", CLASSIFIERS)
@pytest.mark.parametrize("name,value", BAD, ids=[f"{n}={v!r}" for n, v in BAD])
def test_bad_parameter_is_refused_before_training(cls, name, value):
    # before: max_epochs=-1 returned a "fitted" model after 0 epochs; noise_snr="loud" raised a
    # TypeError deep inside the augmentation
    X, y = _data(cls)
    clf = cls(**{name: value})
    with pytest.raises(InvalidParameterError, match=f"The '{name}' parameter of {cls.__name__} must be"):
        clf.fit(X, y)
    assert not hasattr(clf, "module_")  # refused before any training
    with pytest.raises(InvalidParameterError, match=f"'{name}'"):
        cls(**{name: value}).initialize()


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_every_parameter_has_a_constraint(cls):
    params = cls().get_params(deep=False)
    # module__*, iterator_train__* and the like are passed on to torch and validated there
    own = {k for k in params if "__" not in k and not k.startswith("_")}
    assert PUBLIC_NAMES <= own
    assert own <= set(cls._parameter_constraints), own - set(cls._parameter_constraints)


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_subclasses_declare_only_the_defaults_that_differ(cls):
    base = inspect.signature(AudioNetClassifier.__init__).parameters
    mine = inspect.signature(cls.__init__).parameters
    for name, p in mine.items():
        if name in ("self", "module", "kwargs") or name.startswith("module__"):
            continue
        assert p.default != base[name].default, f"{cls.__name__} repeats the default of {name}"
    # and the rest still reach get_params with the base's defaults
    params = cls().get_params(deep=False)
    for name, p in base.items():
        if name not in ("self", "module", "kwargs") and name not in mine:
            assert params[name] == p.default


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_recipes_are_valid_named_presets(cls):
    assert cls.recipes["cpu"] == {}  # the defaults
    for name, settings in cls.recipes.items():
        clf = cls.from_recipe(name, random_state=3)
        params = clf.get_params(deep=False)
        assert all(params[k] == v for k, v in settings.items())
        assert params["random_state"] == 3
        clf._validate_params()
        if name != "cpu":
            assert f'from_recipe("{name}")' in cls.__doc__
    with pytest.raises(ValueError, match="no recipe 'nope'"):
        cls.from_recipe("nope")


# -- issue 28: the networks' own parameters and the device ------------------------------------------

BAD_MODULE = {
    SECNNClassifier: [
        ("width", 0),
        ("width", -3),
        ("n_blocks", 0),
        ("dropout", 1.5),
        ("dropout", np.nan),
        ("se_reduction", 0),
        ("head_grid", 0),
    ],
    DEGramNetClassifier: [
        ("n_filters", 0),
        ("stem_width", 0),
        ("width", 0),
        ("order", 0),
        ("sr", np.inf),
        ("sr", 0.0),
        ("fmin", np.nan),
        ("dropout", -0.1),
        ("max_freq_mask", 2.0),
    ],
    DualBranchClassifier: [
        ("width", 0),
        ("detail_width", 0),
        ("d_model", 0),
        ("n_heads", 0),
        ("n_layers", 0),
        ("stem_stride", 0),
        ("n_filters", 0),
        ("n_fft", 0),
        ("sr", np.nan),
        ("dropout", 1.0),
    ],
}


@pytest.mark.parametrize(
    "cls,name,value",
    [(cls, n, v) for cls, bad in BAD_MODULE.items() for n, v in bad],
    ids=[f"{cls.__name__}-{n}={v!r}" for cls, bad in BAD_MODULE.items() for n, v in bad],
)
def test_bad_module_parameter_is_named(cls, name, value):
    # SECNNClassifier(module__width=0) was a raw torch RuntimeError from inside the network
    X, y = _data(cls)
    clf = cls(max_epochs=1, **{f"module__{name}": value})
    with pytest.raises(ValueError, match=f"'module__{name}' parameter of {cls.__name__}"):
        clf.fit(X, y)


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_an_absent_device_is_a_clear_value_error(cls, monkeypatch):
    # device="cuda" without CUDA was torch's AssertionError "Torch not compiled with CUDA enabled"
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    X, y = _data(cls)
    for device in ("cuda", "cuda:1", "gpu", "meta"):
        with pytest.raises(ValueError, match=rf"device={device!r}"):
            cls(device=device, max_epochs=1).fit(X, y)
