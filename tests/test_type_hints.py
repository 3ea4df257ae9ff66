"""The public API carries type hints, and every hint evaluates (no typo hides in a string)."""

import importlib
import inspect
import typing

import pytest

MODULES = [
    "skaudio.features",
    "skaudio.features.image",
    "skaudio.nn",
    "skaudio.interpret",
    "skaudio.datasets",
    "skaudio.io",
    "skaudio.plotting",
    "skaudio.models",
    "skaudio.metrics",
    "skaudio.warmup",
]
#: Not annotated on purpose, with the reason.
EXEMPT: dict[str, str] = {}  # public callables allowed to lack hints: none
METHODS = (
    "__init__", "fit", "partial_fit", "transform", "fit_transform", "inverse_transform", "forward", "score",
    "predict", "predict_proba", "from_recipe",
)  # fmt: skip


def _namespace():
    """Names that the modules import for type checking only."""
    import sys
    from typing import TextIO

    import matplotlib.axes
    import matplotlib.figure
    import pandas as pd

    from skaudio.interpret import NMFInterpreter

    return {
        "pd": pd,
        "Axes": matplotlib.axes.Axes,
        "Figure": matplotlib.figure.Figure,
        "NMFInterpreter": NMFInterpreter,
        "TextIO": TextIO,
        "sys": sys,
    }


def _public_callables():
    for modname in MODULES:
        module = importlib.import_module(modname)
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            qual = f"{modname}.{name}"
            if qual in EXEMPT or not callable(obj):
                continue
            if inspect.isclass(obj):
                for meth in METHODS:
                    if meth in vars(obj):
                        yield f"{qual}.{meth}", vars(obj)[meth]
            elif inspect.isfunction(obj) and obj.__module__.startswith("skaudio"):
                yield qual, obj


CALLABLES = dict(_public_callables())


def test_the_public_api_was_found():
    assert len(CALLABLES) > 80
    assert "skaudio.features.MelSpectrogram.fit" in CALLABLES
    assert "skaudio.io.load_audio" in CALLABLES


@pytest.mark.parametrize("name", sorted(CALLABLES))
def test_public_callable_is_annotated(name):
    func = inspect.unwrap(CALLABLES[name])
    sig = inspect.signature(func)
    missing = [
        p.name for p in sig.parameters.values() if p.name not in ("self", "cls") and p.annotation is p.empty
    ]
    assert not missing, f"{name}: parameters without a type hint: {missing}"
    assert sig.return_annotation is not sig.empty, f"{name}: no return type"
    module = inspect.getmodule(func)
    hints = typing.get_type_hints(func, globalns=vars(module), localns=_namespace())
    assert "return" in hints
