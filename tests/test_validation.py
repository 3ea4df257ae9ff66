"""``_validation.freq_time_pair``: the one rule of every (freq, time) pair (issue 27)."""

import numpy as np
import pandas as pd
import pytest
from sklearn.utils._param_validation import InvalidParameterError

from skaudio._validation import freq_time_pair
from skaudio.features import global_pool, pool2d
from skaudio.features.descriptors import HPSS
from skaudio.features.image import SpectrogramFilter, wiener_batch
from skaudio.metrics import compare_pooling, preservation_metrics, summarize_pooling

S = np.random.default_rng(0).random((2, 8, 12)).astype(np.float32)
P = S.reshape(2, 4, 2, 6, 2).mean(axis=(2, 4))


@pytest.mark.parametrize("value", ["2", b"2", True, None, 2.0, (2, 1.5), [2, "x"], object()])
def test_a_wrong_kind_is_a_type_error_naming_the_parameter(value):
    with pytest.raises(TypeError, match=r"^kernel_size must be an int or a pair \(freq, time\)"):
        freq_time_pair(value, "kernel_size")


@pytest.mark.parametrize(
    "value, match",
    [
        ((2, 3, 4), "got 3 values"),
        ((2,), "got 1 values"),
        (0, ">= 1 on both axes"),
        ((2, -1), ">= 1 on both axes"),
        ((4, 3), "odd"),
    ],
)
def test_a_wrong_value_is_a_value_error_naming_the_parameter(value, match):
    with pytest.raises(ValueError, match=f"^mysize must .*{match}"):
        freq_time_pair(value, "mysize", odd=True)


def test_numbers_floats_and_options():
    assert freq_time_pair(np.int64(3), "k") == (3, 3)
    assert freq_time_pair(np.array(3), "k") == (3, 3)  # a 0-d array counts as its number
    assert freq_time_pair(np.array([2, 5]), "k") == (2, 5)
    assert freq_time_pair(None, "k", allow_none=True) is None
    assert freq_time_pair((0, 2), "padding", minimum=0) == (0, 2)
    assert freq_time_pair((0.5, 2), "sigma", integer=False, minimum=0) == (0.5, 2.0)
    # whole-number floats only where the caller keeps the old, looser rule
    got = freq_time_pair((2.0, np.float32(3)), "k", integral_floats=True)
    assert got == (2, 3) and all(type(v) is int for v in got)
    with pytest.raises(ValueError, match="whole numbers"):
        freq_time_pair(2.5, "k", integral_floats=True)
    for bad in (np.nan, np.inf, (1.0, -np.inf)):
        with pytest.raises(ValueError, match="k must be finite"):
            freq_time_pair(bad, "k", integer=False)
        with pytest.raises(ValueError, match="k must be finite"):
            freq_time_pair(bad, "k", integral_floats=True)
    with pytest.raises(ValueError, match=r"pair \(harmonic, percussive\)"):
        freq_time_pair((1, 2, 3), "margin", integer=False, axes=("harmonic", "percussive"))


CALLS = {
    "pool2d": lambda v: pool2d(S, "max", kernel_size=v),
    "preservation_metrics": lambda v: preservation_metrics(S, P, metrics=["variance"], kernel_size=v),
    "compare_pooling": lambda v: compare_pooling(-80 * S, ["max"], metrics=["variance"], kernel_size=v),
    "wiener_batch": lambda v: wiener_batch(S, mysize=v),
    "SpectrogramFilter": lambda v: SpectrogramFilter("median", size=v).fit(S),
    "HPSS": lambda v: HPSS(kernel_size=v).fit(S),
}


@pytest.mark.parametrize("where", list(CALLS))
def test_every_pair_of_the_package_follows_the_rule(where):
    # the same kinds of mistake give the same error type in each module that takes a pair
    # (the estimators' parameter constraints answer plain wrong kinds first: pairs reach the rule)
    call = CALLS[where]
    with pytest.raises(TypeError, match=r"(kernel_size|mysize|size) must be an int"):
        call(("3", 3))
    with pytest.raises(ValueError, match=r"(kernel_size|mysize|size) must be an int or a pair"):
        call((3, 3, 3))
    with pytest.raises(ValueError, match=r"^(kernel_size|mysize|size) must"):  # some give their bounds
        call((-1, 3))


@pytest.mark.parametrize(
    "call, where, name",
    [
        (lambda: pool2d(S, "max", kernel_size="2x2"), "pool2d", "kernel_size"),
        (lambda: pool2d(S, "max", ceil_mode="yes"), "pool2d", "ceil_mode"),
        (lambda: pool2d(S, "lse", r="x"), "pool2d", "r"),
        (lambda: global_pool(S, "max", axis="rows"), "global_pool", "axis"),
        (lambda: preservation_metrics(S, P, metrics=3), "preservation_metrics", "metrics"),
        (lambda: preservation_metrics(S, P, n_jobs="all"), "preservation_metrics", "n_jobs"),
        (lambda: compare_pooling(-80 * S, ["max"], spread="var"), "compare_pooling", "spread"),
        (lambda: compare_pooling(-80 * S, ["max"], levels="db"), "compare_pooling", "levels"),
        (lambda: compare_pooling(-80 * S, ["max"], method_params=[1]), "compare_pooling", "method_params"),
        (lambda: summarize_pooling(S), "summarize_pooling", "per_clip"),
        (lambda: summarize_pooling(pd.DataFrame(), spread="var"), "summarize_pooling", "spread"),
    ],
)
def test_public_functions_check_their_arguments_with_validate_params(call, where, name):
    # scikit-learn's validate_params: a ValueError and TypeError naming the function and argument
    with pytest.raises(InvalidParameterError, match=f"^The '{name}' parameter of {where} must be"):
        call()
