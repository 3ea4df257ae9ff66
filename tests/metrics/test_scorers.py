"""Preservation scorers inside scikit-learn model selection."""

import pickle

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV, KFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from skaudio.features import MelSpectrogram, PoolingTransformer
from skaudio.metrics import (
    METRIC_NAMES,
    get_metric,
    get_scorer,
    get_scorer_names,
    make_preservation_scorer,
    preservation_metrics,
    preservation_scoring,
)


@pytest.fixture(scope="module")
def maps():
    rng = np.random.default_rng(0)
    # dB-like maps with sparse loud events over a noise floor
    S = -60 + 10 * rng.standard_normal((12, 16, 24))
    S[:, :, ::5] += 40
    return np.minimum(S, 0).astype(np.float32)


def test_scorer_compares_transform_output_with_input(maps):
    pool = PoolingTransformer(method="max").fit(maps)
    P = pool.transform(maps)
    for name in ("variance", "kl_divergence", "correlation"):
        raw = make_preservation_scorer(name, score="raw")(pool, maps)
        want = preservation_metrics(maps, P, [name])[name].mean()
        assert raw == pytest.approx(want)
        auto = make_preservation_scorer(name)(pool, maps)
        assert auto == pytest.approx(float(get_metric(name).score(want)))


def test_pipeline_scores_the_last_step():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((6, 4000)).astype(np.float32)
    mel = MelSpectrogram(sr=8000, n_fft=256, hop_length=128, n_mels=16)
    pipe = make_pipeline(mel, PoolingTransformer(method="average")).fit(X)
    S = mel.fit_transform(X)
    P = PoolingTransformer(method="average").fit_transform(S)
    want = preservation_metrics(S, P, ["cosine_similarity"])["cosine_similarity"].mean()
    assert make_preservation_scorer("cosine_similarity")(pipe, X) == pytest.approx(want)
    # compare="input" compares with X itself, which a spectrogram cannot be compared to
    with pytest.raises(ValueError):
        make_preservation_scorer("cosine_similarity", compare="input")(pipe, X)


def test_grid_search_tunes_pooling_for_preservation(maps):
    pipe = make_pipeline(FunctionTransformer(), PoolingTransformer())
    grid = {"poolingtransformer__method": ["average", "max", "min"]}
    search = GridSearchCV(
        pipe,
        grid,
        cv=KFold(3),
        scoring=preservation_scoring(["correlation", "variance", "kl_divergence"]),
        refit="preservation_correlation",
    )
    search.fit(maps)
    res = search.cv_results_
    assert set(res) >= {
        "mean_test_preservation_correlation",
        "mean_test_preservation_variance",
        "mean_test_preservation_kl_divergence",
    }
    # the scores are the metrics on held-out clips, so the choice is checkable by hand
    corr = {
        m: preservation_metrics(maps, PoolingTransformer(method=m).fit_transform(maps), ["correlation"])[
            "correlation"
        ].mean()
        for m in grid["poolingtransformer__method"]
    }
    assert search.best_params_["poolingtransformer__method"] == max(corr, key=corr.get)
    assert np.all(res["mean_test_preservation_variance"] <= 0)  # -|ratio - 1|


def test_cross_validate_with_registered_names(maps):
    pool = PoolingTransformer(method="lse", r=0.5)
    scoring = {name: get_scorer(name) for name in ["preservation_mean", "preservation_compression_ratio"]}
    res = cross_validate(pool, maps, scoring=scoring, cv=KFold(2))
    np.testing.assert_allclose(res["test_preservation_compression_ratio"], 4.0)


def test_names_and_lookup():
    names = get_scorer_names()
    assert len(names) == 16 and all(n.startswith("preservation_") for n in names)
    assert set(preservation_scoring()) == set(names)
    assert get_scorer("preservation_lipschitz").metric == "lipschitz"
    assert callable(get_scorer("accuracy"))
    with pytest.raises(ValueError, match="unknown preservation scorer"):
        get_scorer("preservation_nope")
    with pytest.raises(ValueError, match="valid names"):
        make_preservation_scorer("nope")
    with pytest.raises(ValueError, match="score must be"):
        make_preservation_scorer("mean", score="best")
    assert sorted(METRIC_NAMES) == sorted(n[len("preservation_") :] for n in names)


def test_scorer_pickles_and_takes_metric_options(maps):
    scorer = make_preservation_scorer("entropy", n_bins=8)
    again = pickle.loads(pickle.dumps(scorer))
    pool = PoolingTransformer(method="max").fit(maps)
    assert again(pool, maps) == scorer(pool, maps)
    assert scorer(pool, maps) != make_preservation_scorer("entropy", n_bins=64)(pool, maps)
    assert "n_bins" in repr(scorer)


def test_scorer_needs_a_transformer(maps):
    from sklearn.dummy import DummyClassifier

    clf = DummyClassifier().fit(maps.reshape(len(maps), -1), np.arange(len(maps)) % 2)
    with pytest.raises(TypeError, match="needs an estimator with transform"):
        make_preservation_scorer("mean")(clf, maps)
