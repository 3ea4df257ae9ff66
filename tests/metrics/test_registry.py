"""The metric registry: one table, one explicit function per metric, everything else derived."""

import dataclasses
import importlib.util
import inspect
import re
from pathlib import Path

import numpy as np
import pytest

import skaudio
import skaudio.metrics
from skaudio.metrics import (
    METRIC_ENTRIES,
    METRIC_NAMES,
    PRESERVATION_METRICS,
    MetricInfo,
    classification,
    get_metric,
    get_scorer,
    get_scorer_names,
    preservation,
    preservation_metrics,
    preservation_scoring,
    report,
    scorers,
)

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


def _random_pair(seed, n_clips=3, shape=(9, 11), pooled=(5, 6)):
    """Unrelated random maps ``S`` and ``P`` (nothing special to keep ratios at their ideals)."""
    rng = np.random.default_rng(seed)
    S = (rng.standard_normal((n_clips, *shape)) * 10 - 40).astype(np.float32)
    P = (rng.standard_normal((n_clips, *pooled)) * 8 - 35).astype(np.float32)
    return S, P


# -- one explicit function per metric -------------------------------------------------
@pytest.mark.parametrize("name", METRIC_NAMES)
def test_every_entry_has_its_own_documented_function(name):
    info = PRESERVATION_METRICS[name]
    fn = info.function
    fname = fn.__name__
    # a plain module-level def of that name, not a generated or renamed closure; under
    # validate_params' wrapper, which checks its arguments in its own name (issue 27)
    assert getattr(preservation, fname) is fn
    assert fn.__module__ == "skaudio.metrics.preservation"
    assert fn.__qualname__ == fname
    plain = inspect.unwrap(fn)
    assert plain is not fn and plain.__code__.co_name == fname
    assert inspect.getsource(plain).startswith(
        f"@validate_params(_ONE_METRIC_PARAMS, prefer_skip_nested_validation=True)\ndef {fname}("
    )
    # exported everywhere the package lists its public names
    assert fname in preservation.__all__
    assert getattr(skaudio.metrics, fname) is fn and fname in skaudio.metrics.__all__
    assert skaudio._PUBLIC[fname] == "skaudio.metrics" and getattr(skaudio, fname) is fn
    # its own numpydoc docstring citing the table's equation, with a runnable example of itself
    doc = inspect.getdoc(fn)
    assert info.citation in doc
    if info.equation:
        assert f"Eq. ({info.equation})" in doc or f"Eqs. ({info.equation})" in doc
    for section in ("Parameters\n----------", "Returns\n-------", "Examples\n--------"):
        assert section in doc, (fname, section)
    assert re.search(rf">>> .*\b{fname}\(", doc), fname
    # type hints on the public signature
    hints = inspect.signature(fn)
    assert hints.return_annotation is not inspect.Signature.empty
    assert all(p.annotation is not inspect.Parameter.empty for p in hints.parameters.values())
    assert hints.parameters["n_jobs"].default is None


def test_docstrings_are_not_generated():
    """No docstring or name is assigned at run time in the module (the old _single mechanism)."""
    source = inspect.getsource(preservation)
    assert "__doc__ =" not in source and "__name__ =" not in source and "__qualname__ =" not in source
    docs = [inspect.getdoc(info.function) for info in PRESERVATION_METRICS.values()]
    assert len({d.splitlines()[0] for d in docs}) == len(docs)  # each summary written for its metric


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_functions_equal_preservation_metrics(seed):
    S, P = _random_pair(seed)
    options = dict(sr=16000, fmin=300.0, n_bands=3)
    batch = preservation_metrics(S, P, **options)
    singles = [
        preservation_metrics(S[i], P[i], [n for n in METRIC_NAMES if n != "lipschitz"], **options)
        for i in range(len(S))
    ]
    assert list(batch) == list(METRIC_NAMES)
    for name in METRIC_NAMES:
        fn = PRESERVATION_METRICS[name].function
        got = fn(S, P, **options)
        assert isinstance(got, np.ndarray) and got.shape == (len(S),)
        np.testing.assert_array_equal(got, batch[name], err_msg=name)
        for i in range(len(S)):
            if name == "lipschitz":
                with pytest.raises(ValueError, match="at least two clips"):
                    fn(S[i], P[i], **options)
                continue
            one = fn(S[i], P[i], **options)
            assert isinstance(one, float), name
            assert one == singles[i][name] or (np.isnan(one) and np.isnan(singles[i][name]))


# -- everything derives from the one table --------------------------------------------
def test_names_entries_and_scorers_derive_from_the_table():
    assert METRIC_NAMES == tuple(PRESERVATION_METRICS)
    assert all(
        isinstance(info, MetricInfo) and info.name == key for key, info in PRESERVATION_METRICS.items()
    )
    assert [(c, m) for c, m in METRIC_ENTRIES] == [
        (c, info.name)
        for c in ("information_retention", "global_structure", "local_detail", "compression")
        for info in PRESERVATION_METRICS.values()
        if c in info.categories
    ]
    assert get_scorer_names() == [scorers.SCORER_PREFIX + n for n in METRIC_NAMES]
    assert list(preservation_scoring()) == get_scorer_names()
    assert get_scorer("preservation_gini").metric == "gini"
    assert len({info.compute for info in PRESERVATION_METRICS.values()}) == len(METRIC_NAMES)
    assert len({info.function for info in PRESERVATION_METRICS.values()}) == len(METRIC_NAMES)


def test_dispatch_reads_the_table(monkeypatch):
    """preservation_metrics and the single functions run the compute step the table names."""
    calls = []

    def fake(batch):
        calls.append(batch.S.shape)
        return np.full(batch.S.shape[0], 7.0)

    patched = dict(PRESERVATION_METRICS)
    patched["gini"] = dataclasses.replace(patched["gini"], compute=fake)
    monkeypatch.setattr(preservation, "PRESERVATION_METRICS", patched)
    S, P = _random_pair(3)
    assert preservation_metrics(S, P, ["gini"])["gini"].tolist() == [7.0, 7.0, 7.0]
    assert preservation.gini_ratio(S[0], P[0]) == 7.0
    assert calls == [S.shape, (1, *S.shape[1:])]


def test_citation_and_score():
    assert get_metric("variance").citation == "[POOL] Eq. (12)"
    assert get_metric("sparsity").citation == "[POOL] Eqs. (17-18)"
    assert get_metric("correlation").citation == "[POOL] Fig. 3"
    assert get_metric("compression_ratio").score(4.0) == 4.0
    with pytest.raises(ValueError, match="valid names"):
        get_metric("variance_ratio")  # a function name is not a metric name


# -- n_jobs -------------------------------------------------------------------------
@pytest.mark.parametrize("n_jobs, expected", [(None, None), (1, 1), (2, 2), (-1, -1)])
def test_n_jobs_reaches_the_numba_thread_setting(monkeypatch, n_jobs, expected):
    # None keeps numba's own setting, as every thread count in skaudio (design notes)
    import contextlib

    import skaudio._batching as base

    seen = []

    @contextlib.contextmanager
    def recording(value):
        seen.append(value)
        yield

    monkeypatch.setattr(base, "numba_threads", recording)
    S, P = _random_pair(4)
    preservation_metrics(S, P, ["variance"], n_jobs=n_jobs)
    preservation.kl_divergence(S, P, n_jobs=n_jobs)
    assert seen == [expected, expected]


def test_n_jobs_does_not_change_results():
    S, P = _random_pair(5)
    np.testing.assert_array_equal(
        preservation.lipschitz_constant(S, P), preservation.lipschitz_constant(S, P, n_jobs=-1)
    )


# -- the package namespace ----------------------------------------------------------
def test_package_all_is_the_union_of_its_modules():
    names = skaudio.metrics.__all__
    assert len(names) == len(set(names))
    expected = set(preservation.__all__) | set(scorers.__all__) | set(classification.__all__)
    expected |= {"compare_pooling", "summarize_pooling", "pooling_report_main"}
    expected |= {"PAPER_PROTOCOL"}
    assert set(names) == expected
    for name in names:
        assert hasattr(skaudio.metrics, name), name
    assert {n for n in dir(report) if not n.startswith("_")} >= {"compare_pooling", "PAPER_PROTOCOL"}


def test_type_hints_on_the_public_api():
    for module in (preservation, scorers, classification):
        for name in module.__all__:
            obj = getattr(module, name)
            funcs = [obj] if inspect.isfunction(obj) else []
            if inspect.isclass(obj):
                funcs = [f for n, f in vars(obj).items() if inspect.isfunction(f) and not n.startswith("_")]
                funcs += [vars(obj)["__init__"]] if "__init__" in vars(obj) else []
            for fn in funcs:
                sig = inspect.signature(fn)
                params = [p for p in sig.parameters.values() if p.name != "self"]
                assert all(p.annotation is not inspect.Parameter.empty for p in params), (module, name, fn)
                assert sig.return_annotation is not inspect.Signature.empty, (module, name, fn)


# -- documentation ------------------------------------------------------------------
def _metric_table_extension():
    spec = importlib.util.spec_from_file_location("metric_table", DOCS / "_ext" / "metric_table.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def docs_tree():
    if not (DOCS / "_ext" / "metric_table.py").is_file():
        pytest.skip("not a source checkout (no docs/)")
    return DOCS


def test_docs_metric_table_is_built_from_the_registry(docs_tree):
    ext = _metric_table_extension()
    rows = ext.metric_table_rows()
    assert len(rows) == len(METRIC_ENTRIES) == 17
    for (category, name), row in zip(METRIC_ENTRIES, rows):
        info = get_metric(name)
        assert row[0].startswith(category.replace("_", " "))
        assert f"``{name}``" in row[1] and info.label in row[1]
        assert row[2] == f":func:`~skaudio.metrics.{info.function.__name__}`"
        assert info.citation.endswith(row[4])
    lines = ext.metric_table_rst()
    assert lines[0] == ".. list-table::" and sum(line.startswith("   * - ") for line in lines) == 18
    guide = (docs_tree / "user_guide" / "metrics.rst").read_text()
    assert guide.count(".. preservation-metric-table::") == 1
    assert "metric_table" in (docs_tree / "conf.py").read_text()


def test_api_page_documents_every_metric_function_in_registry_order(docs_tree):
    page = (docs_tree / "api" / "metrics.rst").read_text()
    listed = re.findall(r"^\.\. autofunction:: skaudio\.metrics\.(\w+)$", page, flags=re.M)
    functions = [info.function.__name__ for info in PRESERVATION_METRICS.values()]
    assert [n for n in listed if n in functions] == functions


def test_registry_binds_the_public_functions_lazily():
    """Issue 27 split: _registry names each function; the first access finds it in preservation."""
    import ast

    from skaudio.metrics import _registry

    # preservation imports the registry, so the registry must not import preservation
    tree = ast.parse(Path(_registry.__file__).read_text())
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert "skaudio.metrics.preservation" not in imported and "skaudio.metrics" not in imported
    assert {type(info.__dict__["_function"]) for info in _registry.PRESERVATION_METRICS.values()} <= {
        str,
        type(preservation.variance_ratio),
    }
    info = get_metric("variance")
    assert info.function is preservation.variance_ratio
    assert "function" not in repr(info) and "compute" not in repr(info)
    # a row built with a callable keeps it; replace() and equality see the bound function
    other = dataclasses.replace(info, function=len)
    assert other.function is len and other != info
    assert dataclasses.replace(info) == info and hash(dataclasses.replace(info)) == hash(info)
