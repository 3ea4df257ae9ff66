"""Deprecated spellings of renamed public names (kept one release, with a ``FutureWarning``).

Depends on nothing else in skaudio, so every layer (``_kernels`` and ``nn`` included) may use
it. Every deprecation of skaudio goes through :func:`warn_renamed`, so all of them read the
same way::

    <old> was renamed to <new> in skaudio 0.2 and will be removed in 0.3; use <use>.

The helpers cover the kinds of rename the package has: module-level aliases
(:func:`deprecated_alias`), renamed keywords (:func:`renamed_keyword`) and renamed
attributes (:func:`renamed_attribute`); a command-line option calls :func:`warn_renamed`
directly.
"""

from __future__ import annotations

import warnings
from typing import Any

__all__ = ["deprecated_alias", "renamed_attribute", "renamed_keyword", "warn_renamed"]

SINCE = "0.2"
REMOVED_IN = "0.3"


def warn_renamed(
    old: str, new: str, *, use: str | None = None, removed_in: str = REMOVED_IN, stacklevel: int = 2
) -> None:
    """Issue the ``FutureWarning`` of a rename, in skaudio's one message format.

    ``use`` is what to write instead (defaults to ``new``). ``stacklevel`` counts as for
    :func:`warnings.warn` called where this function is called (2: the caller's caller).

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_renamed("f(mode=...)", "f(method=...)", use="f(method='max')")
    >>> print(caught[0].category.__name__, caught[0].message)  # doctest: +NORMALIZE_WHITESPACE
    FutureWarning f(mode=...) was renamed to f(method=...) in skaudio 0.2 and will be removed
    in 0.3; use f(method='max').
    """
    warnings.warn(
        f"{old} was renamed to {new} in skaudio {SINCE} and will be removed in {removed_in}; "
        f"use {new if use is None else use}.",
        FutureWarning,
        stacklevel=stacklevel + 1,
    )


def deprecated_alias(old: str, new: str, obj: Any, *, removed_in: str = REMOVED_IN) -> Any:
    """Warn that ``old`` is now ``new`` and return ``obj`` (the object ``new`` names).

    Meant for a module-level ``__getattr__``: the old name resolves to the very
    same object, so ``isinstance`` checks, subclasses and pickles made under the
    old name keep working.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     deprecated_alias("OldName", "NewName", int) is int
    True
    >>> print(caught[0].category.__name__, caught[0].message)
    FutureWarning OldName was renamed to NewName in skaudio 0.2 and will be removed in 0.3; use NewName.
    """
    warn_renamed(old, new, removed_in=removed_in, stacklevel=3)  # the code that read the old name
    return obj


def renamed_keyword(new_value, old_value, *, new, old, where, default=None, stacklevel=3):
    """The value of a keyword renamed from ``old`` to ``new``, warning when ``old`` was used.

    ``old_value`` is None when the caller did not pass the old keyword. Passing both
    with different values is an error. Used for the ``mode`` -> ``method`` rename of the
    pooling API (kept for one release). ``stacklevel`` counts from this function's frame.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     renamed_keyword(None, "max", new="method", old="mode", where="pool2d")
    'max'
    >>> print(caught[0].message)  # doctest: +NORMALIZE_WHITESPACE
    pool2d(mode=...) was renamed to pool2d(method=...) in skaudio 0.2 and will be removed in 0.3;
    use pool2d(method='max').
    """
    if old_value is None:
        return new_value
    if new_value is not None and new_value != default and new_value != old_value:
        raise TypeError(
            f"{where} got both {new}={new_value!r} and the old {old}={old_value!r}; pass only {new}"
        )
    warn_renamed(
        f"{where}({old}=...)",
        f"{where}({new}=...)",
        use=f"{where}({new}={old_value!r})",
        stacklevel=stacklevel,
    )
    return old_value


def renamed_attribute(old: str, new: str) -> property:
    """A read-only property ``old`` that warns and returns the attribute ``new``.

    For a renamed attribute of a class (``Pool2d.mode`` -> ``Pool2d.method``): define
    ``mode = renamed_attribute("mode", "method")`` in the class body.

    Examples
    --------
    >>> import warnings
    >>> class Layer:
    ...     method = "max"
    ...     mode = renamed_attribute("mode", "method")
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     Layer().mode
    'max'
    >>> print(caught[0].message)
    Layer.mode was renamed to Layer.method in skaudio 0.2 and will be removed in 0.3; use Layer.method.
    """

    def getter(self):
        name = type(self).__name__
        warn_renamed(f"{name}.{old}", f"{name}.{new}")  # points at the code that read it
        return getattr(self, new)

    getter.__name__ = old
    getter.__doc__ = f"Deprecated old name of :attr:`{new}` (a ``FutureWarning``; kept for one release)."
    return property(getter)
