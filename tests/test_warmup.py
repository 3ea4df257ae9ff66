"""The warm-up: kernels compiled in worker processes land in numba's cache for later processes."""

import io
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import skaudio
from skaudio import warmup as _warmup
from skaudio.cli import main

ROOT = str(Path(skaudio.__file__).resolve().parents[1])


def _python(code, cache_dir, **env):
    """Run ``code`` in a fresh interpreter importing this checkout, with its own numba cache."""
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache_dir), "PYTHONPATH": ROOT, **env}
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout


_FRESH_PROCESS_COMPILES = (
    "from skaudio import warm_up\n"
    "for t in warm_up({targets!r}, n_jobs=1):\n"
    "    print(t.name, t.compiled, t.ok)\n"
)


def test_worker_compiles_into_the_cache_and_a_fresh_process_loads_it(tmp_path):
    targets = ["pool2d:max", "metrics:lipschitz"]
    code = (
        "from skaudio.warmup import _WarmUp\n"
        f"with _WarmUp({targets!r}, n_workers=1) as work:\n"
        f"    work.need({targets!r}, here=False)\n"
        "    done = work.results()\n"
        "    pids = [p.pid for p in work.procs]\n"
        f"for name in {targets!r}:\n"
        "    t = done[name]\n"
        "    print(t.name, t.compiled, t.ok, t.where)\n"
        "print(all(p.poll() is not None for p in work.procs))\n"
    )
    lines = _python(code, tmp_path).split()
    # both compiled in the worker process, which has ended
    assert lines == [
        "pool2d:max",
        "1",
        "True",
        "worker",
        "1",
        "metrics:lipschitz",
        "1",
        "True",
        "worker",
        "1",
        "True",
    ]
    # a new process loads both from the cache: nothing compiled
    again = _python(_FRESH_PROCESS_COMPILES.format(targets=targets), tmp_path).split()
    assert again == ["pool2d:max", "0", "True", "metrics:lipschitz", "0", "True"]


@pytest.mark.slow
def test_warm_up_all_targets_in_parallel_then_nothing_compiles(tmp_path):
    code = (
        "from skaudio import warm_up\n"
        "done = warm_up(n_jobs=2)\n"
        "print(len(done), all(t.ok for t in done), all(t.compiled >= 1 for t in done))\n"
        "print(sorted({t.where for t in done}))\n"
    )
    first = _python(code, tmp_path).splitlines()
    assert first[0] == f"{len(_warmup.WARMUP_TARGETS)} True True"
    assert first[1] == "['main', 'worker 1']"
    again = _python(_FRESH_PROCESS_COMPILES.format(targets=None), tmp_path).split()
    assert again[1::3] == ["0"] * len(_warmup.WARMUP_TARGETS) and set(again[2::3]) == {"True"}


def _strip_times(text):
    return re.sub(r"\d+\.\d\d s$", "", text, flags=re.M)


@pytest.mark.slow
def test_cold_demo_output_is_the_same_with_and_without_the_background_warmup(tmp_path):
    argv = "'demo', '--n-clips', '40', '--n-classes', '4', '--duration', '0.5', '--no-models'"
    code = (
        "import io, skaudio.warmup as w\n"
        "from skaudio.cli import main\n"
        "started = []\n"
        "orig = w._WarmUp.__init__\n"
        "def spy(self, *a, **k):\n"
        "    orig(self, *a, **k)\n"
        "    started.append(self)\n"
        "w._WarmUp.__init__ = spy\n"
        "w._idle_cores = lambda: None  # start workers even while other work keeps the cores busy\n"
        "buf = io.StringIO()\n"
        f"main([{argv}, *EXTRA], out=buf)\n"
        "print(buf.getvalue())\n"
        "print('workers', sum(len(s.procs) for s in started), "
        "all(p.poll() is not None for s in started for p in s.procs))\n"
    )
    with_bg = _python(code.replace("EXTRA", "[]"), tmp_path / "a")
    assert re.search(r"^workers [1-9]\d* True$", with_bg, flags=re.M), with_bg  # started, and ended
    without = _python(code.replace("EXTRA", "['--no-warmup']"), tmp_path / "b")
    assert "workers 0 True" in without
    strip = lambda text: _strip_times(text.rsplit("workers", 1)[0])  # noqa: E731
    assert strip(with_bg) == strip(without)
    # every kernel of the demo's later steps is now in the cache: a new process compiles none
    names = [n for step in _warmup.DEMO_STEPS.values() for n in step]
    again = _python(_FRESH_PROCESS_COMPILES.format(targets=names), tmp_path / "a").split()
    assert again[1::3] == ["0"] * len(names)


def test_unwritable_cache_skips_the_warmup_with_the_single_warning(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    code = (
        "import warnings\n"
        "warnings.simplefilter('always')\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    from skaudio import warm_up\n"
        "    from skaudio.warmup import DemoWarmUp\n"
        "    done = warm_up(['pool2d:max'], n_jobs=2)\n"
        "    demo = DemoWarmUp(n_workers=1)\n"
        "print(done, demo._enabled, sum('no writable cache folder' in str(w.message) for w in caught))\n"
    )
    out = _python(
        code,
        blocker / "numba",
        NUMBA_CACHE_LOCATOR_CLASSES="UserProvidedCacheLocator",
    )
    assert out.split() == ["[]", "False", "1"]


class _Eager(_warmup.DemoWarmUp):
    """Starts its worker at once (the test process's cache may be warm)."""

    instances = []

    def __init__(self):
        super().__init__(n_workers=1)
        self.work = _warmup._WarmUp(["pool2d:entropy"], 1)
        _Eager.instances.append(self)


def test_interrupted_demo_leaves_no_worker_behind(monkeypatch):
    import skaudio.datasets

    def interrupt(*args, **kwargs):
        deadline = time.monotonic() + 30
        work = _Eager.instances[-1].work
        while not (work._running or work._results) and time.monotonic() < deadline:  # a target taken
            time.sleep(0.05)
        raise KeyboardInterrupt

    monkeypatch.setattr(_warmup, "DemoWarmUp", _Eager)
    monkeypatch.setattr(skaudio.datasets, "make_sound_events", interrupt)
    with pytest.raises(KeyboardInterrupt):
        main(["demo"], out=io.StringIO())
    (procs,) = [inst.work.procs for inst in _Eager.instances]
    assert len(procs) == 1 and procs[0].poll() is not None  # terminated and reaped
    assert not any(t.is_alive() for t in _Eager.instances[0].work._threads)


def test_index_lock_holds_off_a_numba_cache_save(tmp_path):
    import fcntl

    from numba.core.caching import IndexDataCacheFile

    assert _warmup.install_cache_lock()
    cache = IndexDataCacheFile(str(tmp_path), "f-1.py311", source_stamp=(0.0, 1))
    fd = os.open(_warmup._lock_path(), os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)  # as another process would while saving
    saver = threading.Thread(target=cache.save, args=("key", ("data",)))
    saver.start()
    time.sleep(0.3)
    assert saver.is_alive() and not list(tmp_path.iterdir())  # waiting for the lock
    os.close(fd)
    saver.join(10)
    assert not saver.is_alive() and cache.load("key") == ("data",)


def test_target_names_and_prefixes():
    assert _warmup._expand("metrics") == [f"metrics:{g}" for g in _warmup._METRIC_GROUPS]
    assert _warmup._expand(["pool2d:max", "pool2d"])[:2] == ["pool2d:max", "pool2d:average"]
    assert set(_warmup._expand(None)) == set(_warmup.WARMUP_TARGETS)
    with pytest.raises(ValueError, match="unknown warm-up target 'pool'"):
        _warmup._expand(["pool"])
    with pytest.raises(ValueError, match="n_jobs"):
        skaudio.warm_up("metrics:lipschitz", n_jobs=0)
    # every target the demo waits for exists
    assert {n for step in _warmup.DEMO_STEPS.values() for n in step} <= set(_warmup.WARMUP_TARGETS)


def test_cli_warmup():
    buf = io.StringIO()
    assert main(["warmup", "--list"], out=buf) == 0
    assert buf.getvalue().split() == list(_warmup.WARMUP_TARGETS)
    buf = io.StringIO()
    assert main(["warmup", "--targets", "metrics:lipschitz", "--n-jobs", "1"], out=buf) == 0
    assert re.search(r"metrics:lipschitz\s+\d+\.\d\d s\s+\d compiled\s+\(main\)", buf.getvalue())
    assert "1 targets" in buf.getvalue()
    with pytest.raises(SystemExit):
        main(["warmup", "--targets", "nonsense"], out=io.StringIO())


def test_demo_sees_a_cold_cache_without_compiling(tmp_path):
    code = (
        "from numba.core import event\n"
        "from skaudio.warmup import _demo_cache_is_cold, warm_up\n"
        "with event.install_recorder('numba:compile') as rec:\n"
        "    cold = _demo_cache_is_cold()\n"
        "print(cold, len(rec.buffer))\n"
        "warm_up('metrics:temporal', n_jobs=1)\n"
        "print(_demo_cache_is_cold())\n"
    )
    assert _python(code, tmp_path).split() == ["True", "0", "False"]


def test_demo_starts_workers_only_on_idle_cores(monkeypatch):
    started = []
    monkeypatch.setattr(_warmup, "_WarmUp", lambda names, n: started.append(n))
    monkeypatch.setattr(_warmup, "_demo_cache_is_cold", lambda: True)
    for idle, expected in ((0.2, []), (1.0, [1]), (5.0, [3]), (None, [3])):
        started.clear()
        monkeypatch.setattr(_warmup, "_idle_cores", lambda idle=idle: idle)
        demo = _warmup.DemoWarmUp(n_workers=3)
        demo._starter.join()  # the look at the machine's load, in a thread
        demo.close()
        assert started == expected, (idle, started)
    assert 0.0 <= _warmup._idle_cores(0.05) <= os.cpu_count() + 0.5
