"""The one table of pooling methods: every other list derives from it or is checked against it."""

import re
from pathlib import Path

import numpy as np
import pytest

import skaudio.features as features
from skaudio._kernels import pooling as kernels
from skaudio._kernels import pooling_table
from skaudio.features import POOLING_METHODS, POOLING_TABLE, PoolingTransformer
from skaudio.features.pooling import PoolingMethod

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_records_and_the_lists_derived_from_them():
    assert all(isinstance(m, PoolingMethod) for m in POOLING_TABLE)
    assert POOLING_METHODS == tuple(m.name for m in POOLING_TABLE)
    assert len(set(POOLING_METHODS)) == len(POOLING_METHODS) == 12
    assert kernels.NONNEGATIVE_METHODS == tuple(m.name for m in POOLING_TABLE if m.nonnegative)
    assert set(kernels.NONNEGATIVE_METHODS) == {"lsp", "power", "entropy"}
    for m in POOLING_TABLE:
        for key, default in m.params.items():
            assert kernels.DEFAULT_PARAMS[key] == default
    assert set(kernels.DEFAULT_PARAMS) == {"a", "p", "r", "n", "v"}
    # every formula and description is filled in, and the records cannot be changed in place
    assert all(m.formula and m.description for m in POOLING_TABLE)
    with pytest.raises(AttributeError):
        POOLING_TABLE[0].name = "median"
    with pytest.raises(TypeError):
        POOLING_TABLE[3].params["a"] = 0.9


def test_defaults_of_the_table_are_the_defaults_of_every_home():
    """PoolingTransformer's and the torch layers' defaults are the table's."""
    pytest.importorskip("torch")
    from skaudio.nn import Pool2d, pool_methods
    from skaudio.nn.pooling import POOLING_METHODS as torch_methods

    est = PoolingTransformer()
    for key, value in kernels.DEFAULT_PARAMS.items():
        assert getattr(est, key) == value
    assert torch_methods == tuple(m.name for m in POOLING_TABLE if m.torch)
    assert set(torch_methods) <= set(pool_methods())
    for m in POOLING_TABLE:
        layer = Pool2d(m.name, learnable=False)
        for key, value in m.params.items():
            assert float(getattr(layer, key).reshape(-1)[0]) == pytest.approx(value)


def test_parameter_ranges_of_the_table_are_enforced():
    """Each record's constraint is the one check_method_params applies."""
    bad = {"mixed": {"a": 1.5}, "lnp": {"p": 0.5}, "lse": {"r": 0.0}, "power": {"n": -1.0}}
    for name, params in bad.items():
        (key,) = params
        assert key in pooling_table.BY_NAME[name].constraint
        with pytest.raises(ValueError, match=f"{key}"):
            kernels.check_method_params(name, **params)
    for m in POOLING_TABLE:
        kernels.check_method_params(m.name, **m.params)  # the defaults are valid


def test_nonnegative_field_decides_what_refuses_negative_input():
    S = -np.ones((1, 4, 4), np.float32)
    for m in POOLING_TABLE:
        if m.nonnegative:
            with pytest.raises(ValueError, match="non-negative"):
                features.pool2d(S, m.name)
        else:
            assert np.isfinite(features.pool2d(S, m.name)).all()


def test_transformer_docstring_table_is_generated_from_the_table():
    doc = PoolingTransformer.__doc__
    assert "{POOLING_TABLE}" not in doc
    for m in POOLING_TABLE:
        row = next(line for line in doc.splitlines() if line.strip().startswith(m.name + " "))
        assert f":math:`{m.formula}`" in row
        for key, value in m.params.items():
            assert f"``{key}`` = {value:g}" in row
    # three rules, the header and one row per method
    assert len(pooling_table.methods_table_rst().splitlines()) == len(POOLING_TABLE) + 4


def _guide_entries():
    """``name -> heading line`` of the definition list in the pooling user guide."""
    text = (DOCS / "user_guide" / "pooling.rst").read_text()
    section = text.split("The twelve methods\n")[1].split("\nNon-negative input\n")[0]
    # a definition-list term: a line starting with ``name``, followed by an indented line
    return {m.group(1): m.group(0) for m in re.finditer(r"^``(\w+)``[^\n]*(?=\n    \S)", section, re.M)}


def test_user_guide_describes_every_method_as_the_table_does():
    entries = _guide_entries()
    assert list(entries) == list(POOLING_METHODS)  # same methods, same order
    for m in POOLING_TABLE:
        heading = entries[m.name]
        assert ("needs :math:`x \\ge 0`" in heading) == m.nonnegative, heading
        for key, value in m.params.items():
            assert f"``{key}" in heading, heading
            # "default 0.5", "default 2", ...
            assert f"default {value:g}" in heading, heading


def test_api_docs_document_the_public_table():
    text = (DOCS / "api" / "pooling.rst").read_text()
    for name in ["pool2d", "global_pool", "pool_output_size", "POOLING_METHODS", "POOLING_TABLE"]:
        assert f"skaudio.features.{name}" in text
