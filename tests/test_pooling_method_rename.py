"""``mode`` -> ``method`` across the pooling API: the new name works, the old one warns for a release."""

import io
import pickle
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from skaudio.features import PoolingTransformer, global_pool, pool2d
from skaudio.metrics import compare_pooling, summarize_pooling

S = np.random.default_rng(0).random((4, 6, 8), dtype=np.float32)
FORMAT = " was renamed to {} in skaudio 0.2 and will be removed in 0.3; use "  # skaudio._deprecation's format


def renamed(where, old="mode", new="method"):
    """The start of the warning for ``where(old=...)`` renamed ``where(new=...)``."""
    return re.escape(f"{where}({old}=...)" + FORMAT.format(f"{where}({new}=...)"))


# -- PoolingTransformer (scikit-learn's deprecation idiom) ------------------------------------
def test_transformer_takes_method_first_and_by_keyword():
    a = PoolingTransformer("lse", r=0.5).fit_transform(S)
    b = PoolingTransformer(method="lse", r=0.5).fit_transform(S)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, pool2d(S, "lse", r=0.5))
    params = PoolingTransformer("lse").get_params()
    assert params["method"] == "lse" and params["mode"] == "deprecated"


def test_transformer_old_mode_warns_and_is_used():
    est = PoolingTransformer(mode="max")
    with pytest.warns(FutureWarning, match=renamed("PoolingTransformer")) as record:
        out = est.fit(S).transform(S)
    assert "method='max'" in str(record[0].message)
    assert record[0].filename == __file__  # points at the caller of fit
    np.testing.assert_array_equal(out, pool2d(S, "max"))
    with pytest.warns(FutureWarning, match=renamed("PoolingTransformer")):
        assert list(est.set_params(axis="both").fit(S).get_feature_names_out()) == ["max"]
    # get_params / clone keep the old value, so a clone behaves (and warns) the same
    cloned = clone(est)
    assert cloned.get_params()["mode"] == "max"
    with pytest.warns(FutureWarning, match=renamed("PoolingTransformer")):
        cloned.fit(S)


def test_transformer_without_mode_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        clone(PoolingTransformer("auto", a=2.0)).fit_transform(S)


def test_transformer_old_mode_is_validated():
    with pytest.raises(ValueError, match="mode"):
        PoolingTransformer(mode="median").fit(S)


def test_grid_search_over_method_without_warnings():
    y = np.array([0, 1, 0, 1, 0, 1])
    X = np.random.default_rng(1).random((6, 4, 8), dtype=np.float32)
    from sklearn.linear_model import LogisticRegression

    pipe = make_pipeline(PoolingTransformer(axis="time"), LogisticRegression())
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        search = GridSearchCV(pipe, {"poolingtransformer__method": ["average", "max", "lse"]}, cv=2).fit(X, y)
    assert search.best_params_["poolingtransformer__method"] in ("average", "max", "lse")


def test_transformer_pickled_before_the_rename_loads():
    est = PoolingTransformer("max").fit(S)
    state = est.__getstate__()
    state["mode"] = state.pop("method")  # what an estimator from the old release holds
    old = PoolingTransformer.__new__(PoolingTransformer)
    old.__setstate__(state)
    assert old.get_params()["method"] == "max" and old.get_params()["mode"] == "deprecated"
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(old)).transform(S), est.transform(S))


# -- plain-array functions ----------------------------------------------------------------------
def test_pool2d_and_global_pool_old_keyword():
    with pytest.warns(FutureWarning, match=renamed("pool2d")) as record:
        out = pool2d(S, mode="max")
    assert record[0].filename == __file__
    np.testing.assert_array_equal(out, pool2d(S, method="max"))
    with pytest.warns(FutureWarning, match=renamed("global_pool")):
        out = global_pool(S, mode="lse", r=2.0)
    np.testing.assert_array_equal(out, global_pool(S, method="lse", r=2.0))
    with pytest.raises(TypeError, match="both"):
        pool2d(S, "lse", mode="max")


# -- torch layers and the factory -------------------------------------------------------------
def test_torch_layers_old_keyword_attribute_and_constant():
    torch = pytest.importorskip("torch")
    import skaudio.nn.pooling as nn_pooling
    from skaudio.nn import GlobalPool, Pool2d, make_global_pool, make_pool2d, pool_methods, pool_modes

    x = torch.rand(2, 3, 8, 8)
    with pytest.warns(FutureWarning, match=renamed("Pool2d")) as record:
        old = Pool2d(mode="lse", r=2.0, learnable=False)
    assert record[0].filename == __file__
    torch.testing.assert_close(old(x), Pool2d("lse", r=2.0, learnable=False)(x))
    assert old.method == "lse" and "method='lse'" in repr(old)
    with pytest.warns(FutureWarning, match=re.escape("Pool2d.mode" + FORMAT.format("Pool2d.method"))):
        assert old.mode == "lse"
    with pytest.warns(FutureWarning, match=renamed("GlobalPool")):
        assert GlobalPool(mode="max").method == "max"
    with pytest.raises(TypeError, match="method"):
        Pool2d()
    with pytest.warns(FutureWarning, match=renamed("make_pool2d")):
        assert make_pool2d(mode="lse", kernel_size=2).method == "lse"
    with pytest.warns(FutureWarning, match=renamed("make_global_pool")):
        make_global_pool(mode="avg")
    pool_modes_renamed = "skaudio.nn.pool_modes" + FORMAT.format("skaudio.nn.pool_methods")
    with pytest.warns(FutureWarning, match=re.escape(pool_modes_renamed)):
        assert pool_modes() == pool_methods()
    with pytest.warns(FutureWarning, match=re.escape("POOLING_MODES" + FORMAT.format("POOLING_METHODS"))):
        assert nn_pooling.POOLING_MODES == nn_pooling.POOLING_METHODS
    with pytest.warns(FutureWarning, match=renamed("pool_regions")):
        nn_pooling.pool_regions(torch.ones(2, 4), mode="max")


def test_torch_layer_pickled_before_the_rename_loads():
    torch = pytest.importorskip("torch")
    from skaudio.nn import Pool2d

    layer = Pool2d("lnp", p=3.0)
    state = layer.__getstate__() if hasattr(layer, "__getstate__") else dict(layer.__dict__)
    state = dict(state)
    state["mode"] = state.pop("method")
    old = Pool2d.__new__(Pool2d)
    old.__setstate__(state)
    x = torch.rand(1, 1, 4, 4)
    torch.testing.assert_close(old(x), layer(x))


# -- the pooling report -----------------------------------------------------------------------
def test_compare_pooling_new_names_and_old_keywords():
    db = -80 * S
    table = compare_pooling(db, ["lse", "max"], metrics=["variance"], method_params={"lse": {"r": 3.0}})
    assert table.index.name == "method" and list(table.index) == ["lse", "max"]
    with pytest.warns(FutureWarning, match=renamed("compare_pooling", "modes", "methods")):
        old = compare_pooling(
            db, modes=["lse", "max"], metrics=["variance"], method_params={"lse": {"r": 3.0}}
        )
    pd.testing.assert_frame_equal(old, table)
    with pytest.warns(FutureWarning, match=renamed("compare_pooling", "mode_params", "method_params")):
        old = compare_pooling(db, ["lse", "max"], metrics=["variance"], mode_params={"lse": {"r": 3.0}})
    pd.testing.assert_frame_equal(old, table)
    long = compare_pooling(db, ["lse", "max"], metrics=["variance"], per_clip=True)
    assert long.index.names == ["method", "clip"]
    with pytest.warns(FutureWarning, match=renamed("summarize_pooling", "modes", "methods")):
        summarize_pooling(long, modes=["max", "lse"])
    # a per-clip table written before the rename (column "mode") still summarises
    legacy = long.reset_index().rename(columns={"method": "mode"})
    pd.testing.assert_frame_equal(summarize_pooling(legacy), summarize_pooling(long))


def test_pooling_report_old_keyword_and_cli_option():
    from skaudio.cli import main
    from skaudio.metrics.report import pooling_report_main

    kw = dict(data="synthetic", n_clips=2, duration=0.5, stream=io.StringIO())
    with pytest.warns(FutureWarning, match=renamed("pooling_report_main", "modes", "methods")):
        old = pooling_report_main(modes=["max"], **kw)
    assert list(old.index) == ["max"] and old.index.name == "method"
    argv = ["pooling-report", "--n-clips", "2", "--duration", "0.5", "--n-jobs", "1"]
    option_renamed = "--modes" + FORMAT.format("--methods") + "--methods max."
    with pytest.warns(FutureWarning, match=re.escape(option_renamed)):
        assert main([*argv, "--modes", "max"], out=io.StringIO()) == 0
    buf = io.StringIO()
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        assert main([*argv, "--methods", "max"], out=buf) == 0
    assert "max" in buf.getvalue()
