"""``_validation.freq_time_pair``: the one rule of every (freq, time) pair (issue 27)."""

import numpy as np
import pandas as pd
import pytest
from sklearn.utils._param_validation import InvalidParameterError

from skaudio._validation import freq_time_pair
from skaudio.features import global_pool, pool2d
from skaudio.features.descriptors import HPSS
from skaudio.features.image import (
    SpectrogramFilter,
    gabor_batch,
    hu_moments_batch,
    hysteresis_batch,
    morphology_batch,
    prewitt_batch,
    sobel_batch,
    template_match,
    wavelet_batch,
    wiener_batch,
)
from skaudio.metrics import compare_pooling, pooling_report_main, preservation_metrics, summarize_pooling

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
        # the command and the image functions (issue 27): types and ranges by validate_params
        (lambda: pooling_report_main(sr=-16000), "pooling_report_main", "sr"),
        (lambda: pooling_report_main(kernel=2.5), "pooling_report_main", "kernel"),
        (lambda: pooling_report_main(n_clips=0), "pooling_report_main", "n_clips"),
        (lambda: pooling_report_main(duration=0.0), "pooling_report_main", "duration"),
        (lambda: pooling_report_main(spread="var"), "pooling_report_main", "spread"),
        (lambda: pooling_report_main(stream="out.txt"), "pooling_report_main", "stream"),
        (lambda: pooling_report_main(n_jobs="all"), "pooling_report_main", "n_jobs"),
        (lambda: pooling_report_main(data=3), "pooling_report_main", "data"),
        (lambda: pooling_report_main(out=3), "pooling_report_main", "out"),
        (lambda: wiener_batch(None), "wiener_batch", "S"),
        (lambda: wiener_batch(S, noise=-1.0), "wiener_batch", "noise"),
        (lambda: wiener_batch(S, mysize="3"), "wiener_batch", "mysize"),
        (lambda: wavelet_batch(S, sigma=-1.0), "wavelet_batch", "sigma"),
        (lambda: wavelet_batch(S, mode="garrote"), "wavelet_batch", "mode"),  # was soft, silently
        (lambda: wavelet_batch(S, wavelet_levels=0), "wavelet_batch", "wavelet_levels"),
        (lambda: wavelet_batch(S, method="SureShrink"), "wavelet_batch", "method"),  # was VisuShrink
        (lambda: hysteresis_batch(S, "low", 1.0), "hysteresis_batch", "low"),
        (lambda: hysteresis_batch(S, 0.2, 0.5, connectivity=3), "hysteresis_batch", "connectivity"),
        (lambda: morphology_batch(S > 0.5, 3), "morphology_batch", "operations"),
        (lambda: morphology_batch(S > 0.5, "opening", footprint=0), "morphology_batch", "footprint"),
        (lambda: gabor_batch(S, 0.0), "gabor_batch", "frequency"),
        (lambda: gabor_batch(S, 0.2, bandwidth=-1.0), "gabor_batch", "bandwidth"),
        (lambda: gabor_batch(S, 0.2, n_stds=0), "gabor_batch", "n_stds"),
        (lambda: gabor_batch(S, 0.2, mode="edge"), "gabor_batch", "mode"),  # was a KeyError
        (lambda: gabor_batch(S, 0.2, cval=np.inf), "gabor_batch", "cval"),
        (lambda: sobel_batch(None), "sobel_batch", "S"),
        (lambda: prewitt_batch("S"), "prewitt_batch", "S"),
        (lambda: hu_moments_batch(None), "hu_moments_batch", "S"),
        (lambda: template_match(S, S[0, :3, :3], n_jobs=1.5), "template_match", "n_jobs"),
        (lambda: template_match(S, S[0, :3, :3], pad_input="yes"), "template_match", "pad_input"),
        (lambda: template_match(S, S[0, :3, :3], pad_input=True, mode="empty"), "template_match", "mode"),
        (lambda: template_match(S, None), "template_match", "template"),
    ],
)
def test_public_functions_check_their_arguments_with_validate_params(call, where, name):
    # scikit-learn's validate_params: a ValueError and TypeError naming the function and argument
    with pytest.raises(InvalidParameterError, match=f"^The '{name}' parameter of {where} must be"):
        call()


def test_checks_that_depend_on_other_arguments_stay_in_the_body():
    # what validate_params cannot say (a form, a size relative to another argument) is still
    # said by the function, naming the parameter
    with pytest.raises(ValueError, match="kernel must look like"):
        pooling_report_main(kernel="two")
    with pytest.raises(ValueError, match="data must be"):
        pooling_report_main("esc:somewhere")
    with pytest.raises(ValueError, match=r"^mysize must .*odd"):
        wiener_batch(S, mysize=4)
    with pytest.raises(ValueError, match=r"^operations must name operations among"):
        morphology_batch(S > 0.5, ["opening", "thinning"])
    with pytest.raises(ValueError, match="footprint must be a positive int"):
        morphology_batch(S > 0.5, "opening", footprint=(2, 0))
    with pytest.raises(ValueError, match="larger than the spectrograms"):
        template_match(S, np.eye(20, dtype=np.float32))
    # a frequency so low that the Gabor kernel could not be computed (it asked for GiBs)
    with pytest.raises(ValueError, match=r"frequency=1e-07 with bandwidth=1.0 and n_stds=3 gives a kernel"):
        gabor_batch(S, 1e-7)


def test_the_estimators_keep_their_own_messages():
    # the estimators validated their parameters at fit and call the unchecked bodies: their
    # messages name the estimator's parameters, not the batch functions'
    from skaudio.features.image import SpectrogramSegmenter

    with pytest.raises(ValueError, match=r"^morphology must name operations among"):
        SpectrogramSegmenter(morphology="thinning").fit(S)
    with pytest.raises(ValueError, match="footprint must be a positive int"):
        SpectrogramSegmenter(morphology="opening", footprint=(2, 0)).fit(S)
    out = SpectrogramFilter("wiener", mysize=3).fit_transform(S)
    np.testing.assert_array_equal(out, wiener_batch(S, 3))
