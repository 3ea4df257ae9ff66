"""Deprecated spellings of renamed public names (kept one release, with a ``FutureWarning``).

Depends on nothing else in skaudio, so every layer (``nn`` included) may use it.
"""

from __future__ import annotations

import warnings
from typing import Any

__all__ = ["deprecated_alias"]


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
