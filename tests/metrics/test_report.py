"""compare_pooling, its heatmap and the pooling-report command."""

import io

import numpy as np
import pandas as pd
import pytest

from skaudio.cli import main
from skaudio.features import POOLING_METHODS, pool2d
from skaudio.metrics import METRIC_NAMES, compare_pooling, preservation_metrics
from skaudio.metrics.report import pooling_report_main, summarize_pooling
from skaudio.plotting import plot_pooling_comparison


@pytest.fixture(scope="module")
def db_maps():
    rng = np.random.default_rng(0)
    S = -50 + 12 * rng.standard_normal((5, 16, 22))
    S[:, 3:6, 4:9] += 45  # an event
    S = np.clip(S, -80, None)
    return (S - S.max(axis=(1, 2), keepdims=True)).astype(np.float32)


def test_table_has_all_modes_and_metrics(db_maps):
    table = compare_pooling(db_maps)
    assert list(table.index) == list(POOLING_METHODS)
    assert list(table.columns) == list(METRIC_NAMES)
    assert table.index.name == "method"
    assert np.isfinite(table.to_numpy()).all()
    np.testing.assert_allclose(table["compression_ratio"], 16 * 22 / (8 * 11))


def test_table_is_the_mean_of_the_metrics_per_clip(db_maps):
    table = compare_pooling(db_maps, ["average", "max"], metrics=["variance", "correlation"])
    for mode in ("average", "max"):
        P = pool2d(db_maps, mode)
        want = preservation_metrics(db_maps, P, ["variance", "correlation"])
        assert table.loc[mode, "variance"] == pytest.approx(want["variance"].mean())
        assert table.loc[mode, "correlation"] == pytest.approx(want["correlation"].mean())


def test_levels_floor_leaves_shift_commuting_modes_alone(db_maps):
    modes = ["average", "max", "min", "mixed", "lse", "auto"]
    a = compare_pooling(db_maps, modes, levels="floor", metrics=["mean", "variance"])
    b = compare_pooling(db_maps, modes, levels="raw", metrics=["mean", "variance"])
    np.testing.assert_allclose(a.to_numpy(), b.to_numpy(), rtol=1e-4)


def test_nonnegative_modes_on_db_input(db_maps):
    # "auto" pools levels above the floor; "raw" refuses dB values for lsp
    table = compare_pooling(db_maps, ["lsp", "power", "entropy"], metrics=["mean"])
    assert np.isfinite(table["mean"]).all()
    with pytest.raises(ValueError, match="non-negative"):
        compare_pooling(db_maps, ["lsp"], levels="raw")


def test_spread_per_clip_and_params(db_maps):
    table = compare_pooling(
        db_maps, ["lse"], metrics=["variance"], spread="std", method_params={"lse": {"r": 5.0}}
    )
    assert list(table.columns) == ["variance", "variance_std"]
    long = compare_pooling(
        db_maps, ["lse"], metrics=["variance"], per_clip=True, method_params={"lse": {"r": 5.0}}
    )
    assert long.shape == (5, 1)
    assert long["variance"].std() == pytest.approx(table.loc["lse", "variance_std"])
    both = summarize_pooling(pd.concat([long, long]))
    assert both.loc["lse", "variance"] == pytest.approx(table.loc["lse", "variance"])
    sharper = compare_pooling(db_maps, ["lse"], metrics=["variance"])
    assert sharper.loc["lse", "variance"] != table.loc["lse", "variance"]


def test_kernel_size_is_passed_to_pooling_and_metrics(db_maps):
    table = compare_pooling(
        db_maps, ["average"], kernel_size=(4, 2), metrics=["compression_ratio", "correlation"]
    )
    assert table.loc["average", "compression_ratio"] == pytest.approx(8.0)
    P = pool2d(db_maps, "average", (4, 2))
    want = preservation_metrics(db_maps, P, ["correlation"], stride=(4, 2))["correlation"].mean()
    assert table.loc["average", "correlation"] == pytest.approx(want)


def test_errors_and_single_clip(db_maps):
    with pytest.raises(ValueError, match="unknown pooling method"):
        compare_pooling(db_maps, ["avg"])
    with pytest.raises(ValueError, match="method_params"):
        compare_pooling(db_maps, ["max"], method_params={"lse": {"r": 2.0}})
    with pytest.raises(ValueError, match="spread"):
        compare_pooling(db_maps, ["max"], spread="var")
    with pytest.warns(UserWarning, match="lipschitz"):
        one = compare_pooling(db_maps[:1], ["max"])
    assert "lipschitz" not in one.columns
    with pytest.raises(ValueError, match="two clips"):
        compare_pooling(db_maps[:1], ["max"], metrics=["lipschitz"])


def test_heatmap(db_maps):
    pytest.importorskip("matplotlib")
    table = compare_pooling(db_maps, ["average", "max", "min"], spread="std")
    ax = plot_pooling_comparison(table, title="t")
    assert len(ax.get_xticklabels()) == 16  # spread columns are not drawn
    assert len(ax.texts) == 16 * 3
    ax = plot_pooling_comparison(table, metrics=["variance", "kl_divergence"], annotate=False)
    assert len(ax.texts) == 0


def test_report_command_on_synthetic_data(tmp_path):
    pytest.importorskip("matplotlib")
    out, png = tmp_path / "t.csv", tmp_path / "t.png"
    stream = io.StringIO()
    assert (
        main(
            [
                "pooling-report",
                "--data",
                "synthetic",
                "--n-clips",
                "4",
                "--kernel",
                "2x2",
                "--methods",
                "average,max",
                "--out",
                str(out),
                "--plot",
                str(png),
            ],
            out=stream,
        )
        == 0
    )
    text = stream.getvalue()
    assert "average" in text and "compression_ratio" in text
    table = pd.read_csv(out, index_col="method")
    assert list(table.index) == ["average", "max"]
    assert "variance_std" in table.columns
    assert png.stat().st_size > 0


def test_report_data_errors():
    with pytest.raises(ValueError, match="data must be"):
        pooling_report_main("esc:somewhere")
    with pytest.raises(ValueError, match="kernel must look like"):
        pooling_report_main("synthetic", kernel="two")


@pytest.mark.parametrize("levels", ["auto", "floor"])
def test_compare_pooling_describes_the_pooling_transformer_output(db_maps, levels):
    """Every row is computed from exactly ``PoolingTransformer(mode, levels=levels)`` (issue 19, item 3).

    LNP differed before: the report pooled the levels above each clip's floor
    while the transformer pooled ``|x|`` of the dB values.
    """
    from skaudio.features import PoolingTransformer

    names = ["mean", "variance", "correlation"]
    long = compare_pooling(db_maps, metrics=names, per_clip=True, levels=levels)
    for mode in POOLING_METHODS:
        P = PoolingTransformer(mode, levels=levels).fit_transform(db_maps)
        want = preservation_metrics(db_maps, P, names)
        for name in names:
            np.testing.assert_allclose(
                long.loc[mode, name].to_numpy(), want[name], rtol=1e-6, err_msg=f"{mode} {name}"
            )
    # LNP of a dB map: the levels above the floor, pooled, with the floor put back
    low = db_maps.min(axis=(1, 2), keepdims=True)
    lnp = PoolingTransformer("lnp", levels=levels).fit_transform(db_maps)
    np.testing.assert_allclose(lnp, pool2d(db_maps - low, "lnp") + low, rtol=1e-5, atol=1e-4)
    assert (lnp <= 0).all()  # still dB below the peak, not a distance from 0 dB


def test_n_jobs_reaches_pooling_and_metrics(db_maps, monkeypatch):
    """compare_pooling passes n_jobs to pooling and metrics alike; None keeps numba's setting."""
    import skaudio.metrics.report as report

    seen = []
    real_pool, real_metrics = report._pool, report.preservation_metrics

    def pool(*args):
        seen.append(("pool", args[-1]))
        return real_pool(*args)

    def metrics(*args, n_jobs=None, **kw):
        seen.append(("metrics", n_jobs))
        return real_metrics(*args, n_jobs=n_jobs, **kw)

    monkeypatch.setattr(report, "_pool", pool)
    monkeypatch.setattr(report, "preservation_metrics", metrics)
    compare_pooling(db_maps, ["max"], metrics=["variance"])
    compare_pooling(db_maps, ["max"], metrics=["variance"], n_jobs=2)
    assert seen == [("pool", None), ("metrics", None), ("pool", 2), ("metrics", 2)]


def test_loud_maps_that_a_method_cannot_pool_blame_the_method_and_s():
    # the pooled map's inf was blamed on ``P``, which the caller of compare_pooling never passed
    S = np.full((2, 16, 16), 3e38, np.float32)
    S[:, ::2] = 1.0
    try:
        table = compare_pooling(S, ["lsp", "max"], metrics=["mean"])
    except ValueError as exc:  # the pooling kernels may refuse, naming what to change
        message = str(exc)
        assert "'lsp'" in message and "S" in message and "P contains" not in message, message
    else:  # or compute it (once the kernels scale loud regions)
        assert np.isfinite(table.to_numpy()).all()
