"""Deprecated spellings of renamed public names (kept one release, with a ``FutureWarning``).

Depends on nothing else in skaudio, so every layer (``_kernels`` and ``nn`` included) may use
it: module-level aliases (:func:`deprecated_alias`) and renamed keywords
(:func:`renamed_keyword`) both live here.
"""

from __future__ import annotations

import warnings
from typing import Any

__all__ = ["deprecated_alias", "renamed_keyword"]


def deprecated_alias(old: str, new: str, obj: Any, *, removed_in: str = "0.3") -> Any:
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
    FutureWarning OldName was renamed NewName in skaudio 0.2; the old name will be removed in 0.3.
    """
    warnings.warn(
        f"{old} was renamed {new} in skaudio 0.2; the old name will be removed in {removed_in}.",
        FutureWarning,
        stacklevel=3,
    )
    return obj


def renamed_keyword(new_value, old_value, *, new, old, where, default=None, stacklevel=3):
    """The value of a keyword renamed from ``old`` to ``new``, warning when ``old`` was used.

    ``old_value`` is None when the caller did not pass the old keyword. Passing both
    with different values is an error. Used for the ``mode`` -> ``method`` rename of the
    pooling API (kept for one release).
    """
    if old_value is None:
        return new_value
    if new_value is not None and new_value != default and new_value != old_value:
        raise TypeError(
            f"{where} got both {new}={new_value!r} and the old {old}={old_value!r}; pass only {new}"
        )
    warnings.warn(
        f"{where}: '{old}' was renamed to '{new}' in 0.2 and will be removed in 0.3; "
        f"pass {new}={old_value!r}",
        FutureWarning,
        stacklevel=stacklevel,
    )
    return old_value
