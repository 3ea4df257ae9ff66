"""The numba internals skaudio relies on, in one place.

numba's public API (``njit``, ``prange``, ``overload``, ``numba.types``, the thread
functions and ``numba.config.NUMBA_NUM_THREADS``) covers the kernels. Five things
skaudio needs live in ``numba.core``, which numba may change in any release; they are
reached through this module only, and ``tests/_kernels/test_numba_compat.py`` checks
each one (names, signatures, behaviour), so a numba that changes them fails that test
by name instead of breaking a user's run. ``pyproject.toml`` bounds numba below the
next minor release after the one checked (:data:`NUMBA_CHECKED`); raise the bound after
that test and the suite pass on a new release.

1. :class:`FunctionCache`: constructing it for a function of skaudio's source tree
   raises ``RuntimeError`` ("no locator available") when numba finds nowhere writable
   to cache it (:mod:`skaudio._kernels._cache` falls back to a temporary folder then).
2. ``numba.core.config.CACHE_DIR`` and ``CACHE_LOCATOR_CLASSES``: read and set at run
   time (:func:`cache_dir`, :func:`set_cache_dir`, :func:`cache_locator_classes`).
3. :class:`IndexDataCacheFile` ``save(self, key, data)`` and ``load(self, key)``:
   :func:`skaudio.warmup.install_cache_lock` wraps both in an inter-process file lock.
4. The ``"numba:compile"`` event (:class:`Listener`, :func:`register_compile_listener`):
   the warm-up counts the kernels numba compiles.
   The event's data names the dispatcher being compiled (:func:`compiled_function`).
5. numba names a function's cache files after its ``__qualname__``
   (:func:`cache_file_base`): the pooling kernels rename each closure variant so that
   each gets files of its own.
6. A dispatcher's disk-cache index (:func:`in_disk_cache`): the demo's warm-up looks
   whether a kernel is cached without compiling or loading it.
"""

from numba.core import caching as _caching
from numba.core import config as _config
from numba.core import event as _event

__all__ = [
    "NUMBA_CHECKED",
    "FunctionCache",
    "IndexDataCacheFile",
    "Listener",
    "COMPILE_EVENT",
    "register_compile_listener",
    "unregister_compile_listener",
    "cache_dir",
    "set_cache_dir",
    "cache_locator_classes",
    "cache_file_base",
    "compiled_function",
    "in_disk_cache",
]

#: the numba release these internals were checked on (pyproject.toml allows up to the next minor)
NUMBA_CHECKED = "0.68.1"

FunctionCache = _caching.FunctionCache
IndexDataCacheFile = _caching.IndexDataCacheFile
Listener = _event.Listener
COMPILE_EVENT = "numba:compile"


def register_compile_listener(listener):
    """Call ``listener.on_start`` / ``on_end`` around every compilation numba runs."""
    _event.register(COMPILE_EVENT, listener)


def unregister_compile_listener(listener):
    _event.unregister(COMPILE_EVENT, listener)


def compiled_function(event):
    """The Python function behind a ``"numba:compile"`` event."""
    return event.data["dispatcher"].py_func


def cache_dir():
    """numba's cache folder setting (``NUMBA_CACHE_DIR`` or what was set since; "" when unset)."""
    return _config.CACHE_DIR


def set_cache_dir(folder):
    """Point numba's cache at ``folder`` for the functions defined from now on."""
    _config.CACHE_DIR = folder


def cache_locator_classes():
    """numba's ``NUMBA_CACHE_LOCATOR_CLASSES`` setting ("" when unset)."""
    return _config.CACHE_LOCATOR_CLASSES


def cache_file_base(func):
    """The base name of ``func``'s cache files (index ``<base>.nbi``, data ``<base>.<n>.nbc``)."""
    return FunctionCache(func)._impl.filename_base


def in_disk_cache(dispatcher, args):
    """Whether numba's disk cache holds ``dispatcher`` compiled for the types of ``args``
    (its index is read; nothing is compiled or loaded)."""
    from numba import typeof

    cache = dispatcher._cache
    key = cache._index_key(tuple(typeof(a) for a in args), dispatcher.targetctx.codegen())
    return key in cache._cache_file._load_index()
