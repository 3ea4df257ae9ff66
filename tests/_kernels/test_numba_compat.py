"""The numba internals skaudio relies on are still there and behave as skaudio expects.

Each test checks one item of skaudio._kernels._numba_compat's list. A numba release that
renames, moves or changes one of them fails here, by name, before a user meets a broken
warm-up, cache fallback or cache lock. After a numba upgrade: fix the compat module,
then raise the bound in pyproject.toml and NUMBA_CHECKED.
"""

import inspect
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numba
import pytest
import tomllib
from packaging.requirements import Requirement
from packaging.version import Version

from skaudio._kernels import _numba_compat as nc

ROOT = Path(__file__).resolve().parents[2]


def _params(func):
    return list(inspect.signature(func).parameters)


def test_numba_version_is_within_the_checked_range():
    """The installed numba is the checked release's minor series, and pyproject.toml's
    bound stops below the next minor (numba 0.x minors may change numba.core)."""
    checked = Version(nc.NUMBA_CHECKED)
    installed = Version(numba.__version__.split("+")[0])
    assert installed.release[:2] == checked.release[:2], (
        f"numba {numba.__version__} is installed, the internals were checked on {nc.NUMBA_CHECKED}: "
        "run this file, fix skaudio/_kernels/_numba_compat.py, then update NUMBA_CHECKED and the bound"
    )
    pyproject = ROOT / "pyproject.toml"
    if not pyproject.is_file():
        pytest.skip("not a source checkout")
    deps = tomllib.loads(pyproject.read_text())["project"]["dependencies"]
    (numba_req,) = [Requirement(d) for d in deps if Requirement(d).name == "numba"]
    upper = Version(f"{checked.major}.{checked.minor + 1}")
    assert checked in numba_req.specifier and upper not in numba_req.specifier, numba_req


def test_function_cache_refuses_without_a_locator(tmp_path):
    """Item 1: FunctionCache(func) raises RuntimeError 'no locator available' when nothing is
    writable; skaudio's fallback catches exactly that."""
    assert _params(nc.FunctionCache.__init__) == ["self", "py_func"]
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    env = {
        **os.environ,
        "NUMBA_CACHE_DIR": str(blocker / "numba"),
        "NUMBA_CACHE_LOCATOR_CLASSES": "UserProvidedCacheLocator",
    }
    code = textwrap.dedent(
        """
        from numba.core.caching import FunctionCache
        def f():
            pass
        try:
            FunctionCache(f)
        except RuntimeError as e:
            print(e)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "no locator available" in out.stdout


def test_cache_settings_are_read_and_set_in_config(monkeypatch, tmp_path):
    """Item 2: numba.core.config holds CACHE_DIR and CACHE_LOCATOR_CLASSES, and a new
    CACHE_DIR is where the next function's cache goes."""
    from numba.core import config

    assert isinstance(nc.cache_dir(), str) and isinstance(nc.cache_locator_classes(), str)
    monkeypatch.setattr(config, "CACHE_DIR", config.CACHE_DIR)  # restored afterwards
    nc.set_cache_dir(str(tmp_path))
    assert nc.cache_dir() == str(tmp_path)

    def f():
        pass

    assert nc.FunctionCache(f).cache_path.startswith(str(tmp_path))


def test_index_data_cache_file_save_and_load(tmp_path):
    """Item 3: the two methods the inter-process lock wraps, with their signatures."""
    assert _params(nc.IndexDataCacheFile.__init__) == ["self", "cache_path", "filename_base", "source_stamp"]
    assert _params(nc.IndexDataCacheFile.save) == ["self", "key", "data"]
    assert _params(nc.IndexDataCacheFile.load) == ["self", "key"]
    cache = nc.IndexDataCacheFile(str(tmp_path), "f-1.py311", source_stamp=(0.0, 1))
    cache.save("key", ("data",))
    assert cache.load("key") == ("data",)
    assert {p.suffix for p in tmp_path.iterdir()} == {".nbi", ".nbc"}


def test_compile_event_names_the_function(tmp_path, monkeypatch):
    """Item 4: a registered Listener sees on_start / on_end of each compilation, and the
    event's data names the function being compiled."""
    seen = []

    class Listener(nc.Listener):
        def on_start(self, ev):
            seen.append(("start", nc.compiled_function(ev).__name__))

        def on_end(self, ev):
            seen.append(("end", nc.compiled_function(ev).__name__))

    listener = Listener()
    nc.register_compile_listener(listener)
    try:
        numba.njit(lambda x: x + 1)(1)

        @numba.njit
        def plus_two(x):
            return x + 2

        plus_two(1)
    finally:
        nc.unregister_compile_listener(listener)
    assert ("start", "plus_two") in seen and ("end", "plus_two") in seen
    before = len(seen)
    numba.njit(lambda x: x)(1)  # unregistered: not seen
    assert len(seen) == before


def test_cache_files_are_named_after_the_qualified_name():
    """Item 5: renaming __qualname__ gives a function cache files of its own (what the
    pooling kernels' _cache_file_of_its_own relies on)."""

    def kernel():
        pass

    base = nc.cache_file_base(kernel)
    kernel.__qualname__ = f"{kernel.__qualname__}_3_1"
    renamed = nc.cache_file_base(kernel)
    assert renamed != base and "kernel_3_1" in renamed


def test_in_disk_cache_sees_a_kernel_once_it_is_compiled(tmp_path):
    """Item 6: the index look-up is False before the first call and True after it (in a
    fresh process with an empty cache folder)."""
    module = tmp_path / "kernel_mod.py"
    module.write_text("from numba import njit\n\n@njit(cache=True)\ndef add(a, b):\n    return a + b\n")
    code = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(tmp_path)!r})
        sys.path.insert(0, {str(ROOT)!r})
        from skaudio._kernels._numba_compat import in_disk_cache
        from kernel_mod import add
        print(in_disk_cache(add, (1, 2)))
        add(1, 2)
        print(in_disk_cache(add, (1, 2)), in_disk_cache(add, (1.0, 2.0)))
        """
    )
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "cache")}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["False", "True", "False"]


def test_skaudio_reaches_numba_core_only_through_the_compat_module():
    """One place to fix: no other skaudio module imports numba.core."""
    package = ROOT / "skaudio"
    offenders = [
        str(p.relative_to(ROOT))
        for p in package.rglob("*.py")
        if p.name != "_numba_compat.py" and "numba.core" in p.read_text(encoding="utf-8")
    ]
    assert not offenders, offenders
