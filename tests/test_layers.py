"""Dependencies point one way (design notes): a module imports only from its own layer or below.

Read from the source with ``ast`` (imports inside functions included), so an upward
import cannot hide in a lazy ``import`` either.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "skaudio"

#: layer of each top-level unit of skaudio; imports may point to the same or a lower layer
LAYERS = {
    # the floor: no scikit-learn estimators, plain arrays and torch modules
    "_deprecation": 0,
    "_validation": 1,
    "_sklearn_compat": 1,
    "_batching": 1,  # thread control, batching, progress and joblib dispatch of every layer
    "_kernels": 2,
    "io": 2,
    "nn": 3,
    # the scikit-learn layers, each building on those before it
    "datasets": 4,
    "features": 5,
    "metrics": 6,
    "models": 7,
    "interpret": 7,
    # on top
    "plotting": 8,
    "warmup": 9,
    "cli": 10,
    "skaudio": 10,  # the package's own __init__ (the version string the command prints)
    "__main__": 11,
}
#: known exceptions, each with the reason it stays
ALLOWED_UPWARD = {
    # the pooling-report command's --plot option draws through plotting (lazily)
    ("skaudio.metrics.report", "skaudio.plotting"): "pooling_report_main's --plot",
    # the old home of plot_pooling_comparison, a deprecated alias until 0.3
    ("skaudio.metrics", "skaudio.plotting"): "deprecated alias",
}


def _unit(module):
    parts = module.split(".")
    return "skaudio" if len(parts) == 1 else parts[1]


def _imports(path):
    module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names if a.name.split(".")[0] == "skaudio")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] == "skaudio":
                yield target


def _sources():
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(PACKAGE.parent)))
def test_imports_point_down(path):
    module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    here = _unit(module.removesuffix(".__init__"))
    assert here in LAYERS, f"{here} has no layer in tests/test_layers.py: give it one"
    upward = [
        target
        for target in _imports(path)
        if LAYERS.get(_unit(target), -1) > LAYERS[here]
        and (module.removesuffix(".__init__"), target) not in ALLOWED_UPWARD
    ]
    assert not upward, f"{module} (layer {LAYERS[here]}) imports from a higher layer: {upward}"
