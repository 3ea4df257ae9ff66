"""The ablation switches of the networks are estimator parameters: ``module__frontend``,
``module__backbone`` (DEGramNet) and ``module__branches``, ``module__macem``,
``module__garm``, ``module__fusion`` (dual-branch net) clone, pickle and grid-search."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from skaudio.nn.sincgram import SincGramModule
from tests.models.test_classifiers import spec, tiny_degram, tiny_dual


def _pipe(name, **kw):
    if name == "degram":
        return Pipeline([("spec", spec()), ("clf", tiny_degram(max_epochs=1, **kw))])
    return Pipeline([("clf", tiny_dual(max_epochs=1, **kw))])


@pytest.mark.parametrize(
    "name, grid",
    [
        ("degram", {"clf__module__frontend": ["spectrogram", "despectrogram"]}),
        ("degram", {"clf__module__backbone": ["eca", "resnet18"]}),
        ("dual", {"clf__module__fusion": ["sum", "concat"]}),
        ("dual", {"clf__module__branches": ["semantic", "detail"], "clf__module__garm": [False]}),
        ("dual", {"clf__module__macem": [(), ("B",)]}),
    ],
)
def test_switches_are_grid_searchable(name, grid, events):
    Xtr, _, ytr, _ = events
    gs = GridSearchCV(_pipe(name), grid, cv=2).fit(Xtr, ytr)
    assert len(gs.cv_results_["params"]) == np.prod([len(v) for v in grid.values()])
    net = gs.best_estimator_[-1].module_
    for key, value in gs.best_params_.items():
        assert getattr(gs.best_estimator_[-1], key.removeprefix("clf__")) == value
        attr = key.removeprefix("clf__module__")
        if attr in ("frontend", "backbone", "fusion", "branches"):
            assert getattr(net, attr) == value


@pytest.mark.parametrize(
    "name, params",
    [
        ("degram", dict(module__frontend="spectrogram", module__backbone="resnet18")),
        ("dual", dict(module__branches="detail", module__garm=False)),
        ("dual", dict(module__fusion="concat", module__macem=("A",))),
    ],
)
def test_switched_estimators_clone_and_pickle(name, params, events):
    Xtr, Xte, ytr, _ = events
    pipe = _pipe(name, **params).fit(Xtr, ytr)
    p1 = pipe.predict_proba(Xte)
    assert np.array_equal(pickle.loads(pickle.dumps(pipe)).predict_proba(Xte), p1)
    again = clone(pipe)
    assert again[-1].get_params()["module__" + next(iter(params)).removeprefix("module__")] == next(
        iter(params.values())
    )
    assert np.array_equal(again.fit(Xtr, ytr).predict_proba(Xte), p1)


def test_spectrogram_frontend_trains_without_a_bank(events):
    Xtr, _, ytr, _ = events
    clf = _pipe("degram", module__frontend="spectrogram").fit(Xtr, ytr)[-1]
    assert not any(isinstance(m, SincGramModule) for m in clf.module_.modules())
    # no filterbank: one optimiser group only (filterbank_lr_scale has nothing to act on)
    assert len(clf.optimizer_.param_groups) == 1
