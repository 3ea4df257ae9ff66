"""Where numba keeps the compiled kernels, and what happens when nowhere is writable.

Every kernel is ``@njit(cache=True)``: numba writes the machine code next to the
source (``__pycache__``), in ``$NUMBA_CACHE_DIR`` or in the user's cache folder,
and a later process loads it instead of compiling again. On a read-only install
(site-packages, ``NUMBA_CACHE_DIR`` and the home folder all read-only, as in some
containers) numba refuses to even define such a function (``RuntimeError: cannot
cache function ...: no locator available``), and librosa's own cached functions
fail the same way. :func:`ensure_writable_cache` runs before the first kernel is
defined: when numba finds no writable place for skaudio's sources, it points
numba's cache at a private temporary folder, removed at exit, and warns once. The
package then imports and runs; each new process compiles what it uses again.
"""

import atexit
import os
import shutil
import tempfile
import warnings

__all__ = ["ensure_writable_cache", "NumbaCacheWarning"]

_checked = False


class NumbaCacheWarning(UserWarning):
    """numba found no writable cache folder; compiled kernels last one process only."""


def _probe():  # a function of this package's source tree, for numba's locators
    pass


def _has_cache_locator():
    from skaudio._kernels._numba_compat import FunctionCache

    try:
        FunctionCache(_probe)
    except RuntimeError:  # "cannot cache function ...: no locator available"
        return False
    return True


def ensure_writable_cache():
    """Make sure numba can cache skaudio's kernels, falling back to a temporary folder.

    Returns
    -------
    str or None
        The temporary folder now used as numba's cache, or None when numba's own
        locations work (nothing is changed then).
    """
    global _checked
    if _checked:
        return None
    _checked = True
    if _has_cache_locator():
        return None
    from skaudio._kernels._numba_compat import cache_locator_classes, set_cache_dir

    configured = os.environ.get("NUMBA_CACHE_DIR") or None
    folder = tempfile.mkdtemp(prefix="skaudio-numba-cache-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    set_cache_dir(folder)
    if not _has_cache_locator():  # e.g. numba told to use other locators only
        raise RuntimeError(
            "numba cannot cache compiled functions anywhere (NUMBA_CACHE_DIR="
            f"{configured!r}, NUMBA_CACHE_LOCATOR_CLASSES={cache_locator_classes()!r}); "
            "set NUMBA_CACHE_DIR to a writable folder"
        )
    warnings.warn(
        "numba has no writable cache folder (NUMBA_CACHE_DIR="
        f"{configured!r}, and the install and home folders are read-only): skaudio's compiled "
        "kernels are kept for this process only, so each new process compiles them again "
        "(a few seconds per kernel on first use). Set NUMBA_CACHE_DIR to a writable folder "
        "to keep them.",
        NumbaCacheWarning,
        stacklevel=2,
    )
    return folder
