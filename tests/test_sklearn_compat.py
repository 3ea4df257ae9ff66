"""scikit-learn's private API is used in one module only: skaudio/_sklearn_compat.py."""

import ast
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import skaudio
from skaudio import _sklearn_compat

PACKAGE = Path(skaudio.__file__).resolve().parent
COMPAT = PACKAGE / "_sklearn_compat.py"


def _private_sklearn_uses(path):
    """``(line, text)`` of every import of a private scikit-learn module or name in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "sklearn":
            private_module = any(part.startswith("_") for part in node.module.split("."))
            private_names = [a.name for a in node.names if a.name.startswith("_")]
            if private_module or private_names:
                found.append((node.lineno, ast.unparse(node)))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "sklearn" and any(p.startswith("_") for p in parts):
                    found.append((node.lineno, ast.unparse(node)))
    return found


def test_detector_finds_private_imports(tmp_path):
    """The check below would catch each form of private import (it is not vacuous)."""
    src = tmp_path / "mod.py"
    src.write_text(
        "from sklearn.utils._param_validation import Interval\n"
        "from sklearn.base import _fit_context\n"
        "import sklearn.utils._set_output\n"
        "from sklearn.base import BaseEstimator\n"
        "import sklearn.utils\n"
    )
    assert [line for line, _ in _private_sklearn_uses(src)] == [1, 2, 3]


def test_no_private_sklearn_import_outside_compat():
    modules = sorted(PACKAGE.rglob("*.py"))
    assert len(modules) > 20  # the whole package is searched
    offenders = {
        str(path.relative_to(PACKAGE)): uses
        for path in modules
        if path != COMPAT and (uses := _private_sklearn_uses(path))
    }
    assert offenders == {}, f"import these through skaudio._sklearn_compat instead: {offenders}"
    # and the text, for uses that are not import statements (sklearn.utils._x.y in code)
    for path in modules:
        if path != COMPAT:
            text = path.read_text(encoding="utf-8")
            assert "sklearn.utils._" not in text and "sklearn.base._" not in text, path


def test_compat_documents_every_name_it_exports():
    doc = _sklearn_compat.__doc__
    for name in _sklearn_compat.__all__:
        assert f"``{name}``" in doc, name
    assert _private_sklearn_uses(COMPAT)  # the private imports do live here


def test_wrap_2d_output_follows_set_output():
    from skaudio.features import Flatten

    X = np.arange(12.0).reshape(3, 2, 2)
    est = Flatten().fit(X)
    out = est.transform(X)
    assert _sklearn_compat.wrap_2d_output(out, X, est) is out  # default output: unchanged
    est.set_output(transform="pandas")
    frame = _sklearn_compat.wrap_2d_output(out, X, est)
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == list(est.get_feature_names_out())
    np.testing.assert_array_equal(frame.to_numpy(), out)


def test_param_validation_objects_raise_sklearn_errors():
    from skaudio.features import MelSpectrogram

    with pytest.raises(ValueError, match="n_mels"):
        MelSpectrogram(n_mels=0).fit(np.zeros((2, 256)))
