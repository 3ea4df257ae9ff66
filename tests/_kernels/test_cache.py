"""A read-only install (no writable numba cache anywhere) still imports and runs."""

import os
import subprocess
import sys


def test_no_writable_numba_cache_imports_runs_and_warns_once(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")  # a file: nothing can be created below it
    env = {
        **os.environ,
        "NUMBA_CACHE_DIR": str(blocker / "numba"),
        # numba's other places (next to the sources, the home folder) are writable
        # here; an install where they are not behaves like numba told to use only
        # NUMBA_CACHE_DIR
        "NUMBA_CACHE_LOCATOR_CLASSES": "UserProvidedCacheLocator",
    }
    code = (
        "import warnings\n"
        "warnings.simplefilter('always')\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    import numpy as np\n"
        "    import skaudio.features, skaudio.metrics, skaudio.nn\n"
        "    from skaudio._kernels.pooling import pool2d\n"
        "    S = np.arange(32, dtype=np.float32).reshape(1, 2, 16)\n"
        "    P = pool2d(S, 'max', (2, 2))\n"
        "assert np.array_equal(P, S.reshape(1, 1, 2, 8, 2).max(axis=(2, 4))), P\n"
        "print(sum('no writable cache folder' in str(w.message) for w in caught))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "1"


def test_numba_refuses_to_cache_in_that_setting_without_the_fallback(tmp_path):
    # the situation the fallback exists for, shown with numba alone
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    env = {
        **os.environ,
        "NUMBA_CACHE_DIR": str(blocker / "numba"),
        "NUMBA_CACHE_LOCATOR_CLASSES": "UserProvidedCacheLocator",
    }
    code = "from numba import njit\nnjit(cache=True)(lambda x: x)\n"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode != 0 and "no locator available" in out.stderr


def test_each_pooling_kernel_variant_has_cache_files_of_its_own(tmp_path):
    """numba names a cache index after the function, and writes it without a lock between
    processes; the twelve methods' kernels are variants of one closure, so two processes
    compiling two methods at once (pytest -n 2, Dask workers) shared one index file and
    could save their machine code under the same number: a later process would load one
    method's code for the other. Each variant now has an index of its own."""
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "cache")}
    code = (
        "import numpy as np\n"
        "from skaudio.features import pool2d\n"
        "S = np.random.default_rng(0).random((2, 8, 16), dtype=np.float32)\n"
        "for method in ('max', 'lse', 'average'):\n"
        "    pool2d(S, method, (2, 2))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    indexes = [p.name for p in (tmp_path / "cache").rglob("*_pool_rows*.nbi")]
    assert len(indexes) == 3, indexes  # one per method (before: one shared by all three)
