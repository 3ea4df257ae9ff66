"""Compile skaudio's numba kernels ahead of time, in parallel worker processes.

Every kernel is compiled on its first call in a process and then cached on disk
by numba (see :mod:`skaudio._kernels._cache`), so only the first process on a
machine (a fresh container, CI job or cluster worker) pays the compile time.
:func:`warm_up` pays it up front: it runs each *target* (one public call on a
tiny batch, such as ``PoolingTransformer("lse")``) in one of ``n_jobs``
processes, which all write the same on-disk cache; later processes load the
kernels from there. ``skaudio warmup`` is the same from the command line, e.g.
as a step of a container image build.

``skaudio demo`` uses the same machinery in the background: when its first
kernel has to be compiled (the cache is cold), it starts worker processes on
the cores its own steps leave idle; they compile the kernels of the demo's
later steps while the demo computes the earlier ones. Before a step, the demo
runs the targets it needs that no worker has taken yet itself and waits for the
ones a worker is compiling, then loads them from the cache.

Concurrent writes. numba saves a cache entry by reading the function's index
file, picking the first unused data file number, writing the index and then the
data file, with no lock between processes. Two processes that save different
signatures, or different variants of one closure kernel (all the pooling
methods share one index file), at the same moment could both pick the same
number, and a later process could then load one variant's machine code for
another. While a warm-up runs, its processes therefore hold a file lock
(``fcntl.flock``) around numba's index reads and writes; where that lock is not
available (not POSIX), :func:`warm_up` compiles in its own process only and the
demo does not start workers.
"""

from __future__ import annotations

import collections
import contextlib
import functools
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence

from skaudio._kernels.pooling_table import POOLING_METHODS

__all__ = ["warm_up", "WARMUP_TARGETS", "WarmedTarget"]

WarmedTarget = collections.namedtuple("WarmedTarget", "name seconds compiled ok where")
WarmedTarget.__doc__ = """One warm-up target: seconds it took, kernels it compiled (0: all loaded from
the cache), whether it ran without error and where it ran (``"worker <k>"`` or ``"main"``)."""

# preservation metrics grouped by the numba kernel they share (skaudio._kernels.metrics)
_METRIC_GROUPS = {
    "moments": ("variance", "mean", "skewness", "kurtosis"),
    "histograms": ("entropy", "kl_divergence"),
    "sparsity": ("sparsity", "gini"),
    "similarity": ("cosine_similarity", "correlation"),
    "lipschitz": ("lipschitz",),
    "temporal": ("temporal_variance",),
    "spectral": ("spectral_centroid", "spectral_contrast", "spectral_bandwidth"),
}


def _batch():
    """Three 16 x 20 maps in dB (<= 0) as float32: what the pooling and metric steps get."""
    import numpy as np

    return (-80.0 * np.random.default_rng(0).random((3, 16, 20))).astype(np.float32)


def _run_melspectrogram():
    import numpy as np

    from skaudio.features import MelSpectrogram

    X = (0.1 * np.random.default_rng(0).standard_normal((2, 2048))).astype(np.float32)
    MelSpectrogram(sr=8000, n_fft=256, hop_length=64, n_mels=16).fit_transform(X)


def _run_pool2d(method):
    from skaudio.features import PoolingTransformer

    PoolingTransformer(method, levels="auto").fit_transform(_batch())


def _run_pool_time(method):
    from skaudio.features import PoolingTransformer

    PoolingTransformer(method, axis="time", levels="auto").fit_transform(_batch())


def _run_metrics(group):
    import numpy as np

    from skaudio.metrics import preservation_metrics

    S = _batch()
    P = S.reshape(3, 8, 2, 10, 2).mean(axis=(2, 4))
    freqs = np.linspace(0.0, 8000.0, S.shape[1])
    preservation_metrics(
        S, P, list(_METRIC_GROUPS[group]), kernel_size=(2, 2), stride=(2, 2), sr=16000, freqs=freqs
    )


def _targets():
    targets = {"melspectrogram": _run_melspectrogram}
    for m in POOLING_METHODS:
        targets[f"pool2d:{m}"] = functools.partial(_run_pool2d, m)
    for m in POOLING_METHODS:
        targets[f"pool_time:{m}"] = functools.partial(_run_pool_time, m)
    for group in _METRIC_GROUPS:
        targets[f"metrics:{group}"] = functools.partial(_run_metrics, group)
    return targets


_TARGETS = _targets()

#: Names of the warm-up targets: ``melspectrogram``; ``pool2d:<method>`` (2 x 2 regions)
#: and ``pool_time:<method>`` (over time) for the twelve pooling methods; ``metrics:<group>``
#: for the preservation metrics, grouped by the kernel they share.
WARMUP_TARGETS = tuple(_TARGETS)

# What ``skaudio demo`` needs after its log-mel step, the slowest to compile first
# (measured compile seconds in the comments), so that a worker is not still busy with
# a long one when the demo has caught up with it.
DEMO_STEPS = {
    "lse": ["pool2d:lse"],  # 3.9 (the first parfor of a process)
    "report": [
        "pool2d:entropy",  # 2.5
        "pool2d:attention",  # 2.5
        "metrics:spectral",  # 2.0
        "metrics:histograms",  # 1.8
        "pool2d:auto",  # 1.8
        "pool2d:esp",  # 1.8
        "pool2d:average",  # 1.3
        "pool2d:lnp",  # 1.2
        "pool2d:mixed",  # 1.1
        "metrics:similarity",  # 1.0
        "pool2d:lsp",  # 1.0
        "pool2d:max",  # 0.9
        "pool2d:min",  # 0.9
        "pool2d:power",  # 0.9
        "metrics:temporal",  # 0.9
        "metrics:moments",  # 0.7
        "metrics:sparsity",  # 0.6
        "metrics:lipschitz",  # 0.3
    ],
    "cv": ["pool_time:average", "pool_time:max"],  # 0.7 each
}


def _expand(targets):
    if targets is None:
        return list(WARMUP_TARGETS)
    if isinstance(targets, str):
        targets = [targets]
    names = []
    for t in targets:
        match = [n for n in WARMUP_TARGETS if n == t or n.startswith(t + ":")]
        if not match:
            raise ValueError(
                f"unknown warm-up target {t!r}; valid: {', '.join(WARMUP_TARGETS)} "
                "(or a prefix such as 'pool2d' or 'metrics')"
            )
        names.extend(n for n in match if n not in names)
    return names


# -- numba cache: is it shared, and a lock around its index -------------------------------
def _cache_is_private():
    """True when skaudio fell back to a per-process temporary numba cache (nothing to share)."""
    import skaudio._kernels  # noqa: F401  (runs the writability check, warns once if it fails)
    from skaudio._kernels._numba_compat import cache_dir

    folder = cache_dir() or ""
    return os.path.basename(folder).startswith("skaudio-numba-cache-") and os.path.dirname(
        os.path.abspath(folder)
    ) == os.path.abspath(tempfile.gettempdir())


_lock_state = {"installed": None}
_thread_lock = threading.Lock()


def _lock_path():
    return os.path.join(tempfile.gettempdir(), f"skaudio-numba-index-{os.getuid()}.lock")


@contextlib.contextmanager
def _index_lock(fcntl, exclusive):
    with _thread_lock:
        try:
            fd = os.open(_lock_path(), os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:  # no lock file possible: the warm-up then runs in one process
            yield
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
            yield
        finally:
            os.close(fd)  # releases the lock


def install_cache_lock():
    """Hold an inter-process file lock around numba's cache index reads and writes.

    Returns True when the lock is in place (now or before), False where it cannot be
    (no ``fcntl``, numba's cache class changed, or no lock file can be created).
    """
    if _lock_state["installed"] is not None:
        return _lock_state["installed"]
    try:
        import fcntl

        from skaudio._kernels._numba_compat import IndexDataCacheFile

        os.close(os.open(_lock_path(), os.O_RDWR | os.O_CREAT, 0o600))
        save, load = IndexDataCacheFile.save, IndexDataCacheFile.load
    except (ImportError, AttributeError, OSError):
        _lock_state["installed"] = False
        return False

    def locked(method, exclusive):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            with _index_lock(fcntl, exclusive):
                return method(self, *args, **kwargs)

        return wrapper

    # save: read the index, pick a data file number, write index and data, as one step;
    # load: read the index and the data file it names without a save in between
    IndexDataCacheFile.save = locked(save, True)
    IndexDataCacheFile.load = locked(load, False)
    _lock_state["installed"] = True
    return True


class _CompileCounter:
    """Counts the kernels numba compiles (cache misses) while installed."""

    def __init__(self):
        from skaudio._kernels import _numba_compat as nc

        self.count = 0
        self._depth = 0
        counter = self

        class Listener(nc.Listener):
            def on_start(self, ev):
                if counter._depth == 0:
                    counter.count += 1
                counter._depth += 1

            def on_end(self, ev):
                counter._depth -= 1

        self._listener = Listener()
        nc.register_compile_listener(self._listener)

    def close(self):
        from skaudio._kernels._numba_compat import unregister_compile_listener

        unregister_compile_listener(self._listener)


def _run_here(name):
    counter = _CompileCounter()
    t0 = time.perf_counter()
    try:
        _TARGETS[name]()
        ok = True
    except Exception:  # the real call compiles it then, and raises where it should
        ok = False
    finally:
        counter.close()
    return time.perf_counter() - t0, counter.count, ok


# -- worker processes ---------------------------------------------------------------------
_WORKER_CODE = "import sys; sys.path.insert(0, {root!r}); from skaudio.warmup import _worker; _worker()"


def _worker():
    """Worker loop: run the target named on each line of stdin, answer on stdout."""
    install_cache_lock()
    reply = sys.stdout
    sys.stdout = sys.stderr  # anything a target prints stays out of the replies
    import skaudio.features  # noqa: F401  (the imports before "ready": a target is taken only then)
    import skaudio.metrics  # noqa: F401

    reply.write("ready\n")
    reply.flush()
    for line in sys.stdin:
        name = line.strip()
        if not name:
            continue
        seconds, compiled, ok = _run_here(name)
        reply.write(f"{'ok' if ok else 'error'} {name} {seconds:.4f} {compiled}\n")
        reply.flush()


def _available_cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


class _WarmUp:
    """Targets shared between worker processes and the calling process.

    Workers take targets from the front of the queue; :meth:`need` runs the given
    targets that no worker has taken yet here and waits for the others.
    :meth:`close` ends the workers (also on error or KeyboardInterrupt).
    """

    def __init__(self, names, n_workers):
        self._pending = collections.deque(names)
        self._results = {}
        self._running = set()
        self._cond = threading.Condition()
        self._closed = False
        self.procs = []
        self._threads = []
        if n_workers > 0 and not install_cache_lock():
            n_workers = 0
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        env = {**os.environ, "NUMBA_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
        from skaudio._kernels._numba_compat import cache_dir

        if cache_dir():  # set in code rather than in the environment
            env["NUMBA_CACHE_DIR"] = cache_dir()
        try:
            for k in range(min(n_workers, len(names))):
                proc = subprocess.Popen(
                    [sys.executable, "-c", _WORKER_CODE.format(root=root)],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL,
                    env=env,
                    text=True,
                )
                self.procs.append(proc)
                thread = threading.Thread(target=self._serve, args=(proc, f"worker {k + 1}"), daemon=True)
                thread.start()
                self._threads.append(thread)
        except BaseException:  # e.g. no process can be started: end those that were
            self.close()
            raise

    def _take(self, names=None):
        with self._cond:
            if self._closed:
                return None
            for name in self._pending:
                if names is None or name in names:
                    self._pending.remove(name)
                    self._running.add(name)
                    return name
            return None

    def _finish(self, name, result):
        with self._cond:
            self._running.discard(name)
            self._results[name] = result
            self._cond.notify_all()

    def _serve(self, proc, where):
        try:
            with contextlib.suppress(OSError, ValueError):
                if proc.stdout.readline().strip() != "ready":
                    return
            while True:
                name = self._take()
                if name is None:
                    break
                try:
                    proc.stdin.write(name + "\n")
                    proc.stdin.flush()
                    reply = proc.stdout.readline().split()
                except (OSError, ValueError):  # the worker died or was closed
                    reply = []
                if len(reply) != 4 or reply[1] != name:
                    self._finish(name, WarmedTarget(name, 0.0, 0, False, where))
                    break
                self._finish(
                    name, WarmedTarget(name, float(reply[2]), int(reply[3]), reply[0] == "ok", where)
                )
        finally:
            with contextlib.suppress(OSError, ValueError):
                proc.stdin.close()
            with self._cond:  # a waiter may be waiting for this thread to end
                self._cond.notify_all()

    def need(self, names, here=True):
        """Make sure ``names`` are compiled: run the untaken ones here (unless ``here`` is
        False), wait for the rest."""
        names = set(names)
        while here:
            name = self._take(names)
            if name is None:
                break
            self._finish(name, WarmedTarget(name, *_run_here(name), "main"))
        with self._cond:
            self._cond.wait_for(lambda: self._closed or names <= set(self._results) or not self._alive())

    def _alive(self):  # a worker thread still serving (else nothing pending will be taken)
        return any(thread.is_alive() for thread in self._threads)

    def results(self):
        with self._cond:
            return dict(self._results)

    def close(self, grace=2.0):
        """Stop handing out targets and end the workers: those still compiling are terminated."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        for proc in self.procs:
            with contextlib.suppress(OSError, ValueError):
                proc.stdin.close()
        deadline = time.monotonic() + grace
        for proc in self.procs:
            try:
                proc.wait(max(deadline - time.monotonic(), 0.0))
            except subprocess.TimeoutExpired:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(5.0)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            with contextlib.suppress(OSError, ValueError):
                proc.stdout.close()
        for thread in self._threads:
            thread.join(5.0)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def warm_up(targets: str | Sequence[str] | None = None, *, n_jobs: int | None = None) -> list[WarmedTarget]:
    """Compile skaudio's numba kernels now, in parallel, into numba's on-disk cache.

    Later processes that use the same cache (the same install, or the same
    ``NUMBA_CACHE_DIR``) then load the kernels instead of compiling them, so a
    first call takes about as long as any other. Use it where the first-run
    cost should be paid ahead of time: a container image build
    (``RUN skaudio warmup``), a CI cache step, the start-up of a cluster worker.

    Parameters
    ----------
    targets : str or list of str, default=None
        Names from :data:`~skaudio.warmup.WARMUP_TARGETS`, or prefixes of them (``"pool2d"``:
        all twelve 2-D pooling methods, ``"metrics"``: every preservation
        metric); all targets when None.
    n_jobs : int, default=None
        Processes that compile side by side (this one included): the available
        cores, at most 8 (each worker process holds its own numba and LLVM), when
        None; all available cores when -1; 1 compiles in this process only.

    Returns
    -------
    list of WarmedTarget
        Per target, in the order given: ``name``, ``seconds``, ``compiled``
        (kernels compiled; 0 when all came from the cache), ``ok`` and
        ``where`` it ran. Empty when numba has no writable cache folder:
        nothing can be kept for later processes then (skaudio has warned
        about it once, on import).

    Notes
    -----
    The worker processes import skaudio from the same folder as the caller and
    inherit its environment; each runs numba single-threaded. While they run,
    every process of the warm-up holds a file lock around numba's cache index
    (see the module notes); without ``fcntl`` (Windows) all targets compile in
    the calling process.

    Examples
    --------
    >>> from skaudio import warm_up
    >>> [(t.name, t.ok) for t in warm_up(["pool2d:max", "metrics:moments"], n_jobs=1)]
    [('pool2d:max', True), ('metrics:moments', True)]
    """
    names = _expand(targets)
    if _cache_is_private():
        return []
    cores = _available_cores()
    n_jobs = min(cores, 8) if n_jobs is None else cores if n_jobs == -1 else int(n_jobs)
    if n_jobs < 1:
        raise ValueError(f"n_jobs must be a positive number of processes or -1, got {n_jobs}")
    with _WarmUp(names, n_jobs - 1) as work:
        work.need(names)
        done = work.results()
    return [done[n] for n in names]


def _cached(kernel, *args):
    """Whether numba's disk cache holds ``kernel`` for ``args``' types: True, False, or None
    when numba's cache objects are not what this expects (they are internal to numba)."""
    from skaudio._kernels._numba_compat import in_disk_cache

    try:
        return in_disk_cache(kernel, args)
    except Exception:
        return None


def _demo_cache_is_cold():
    """Whether a metric kernel of the demo's report is missing from the cache (a cheap look
    at numba's index, nothing is compiled or loaded); None when that cannot be told."""
    import numpy as np

    from skaudio._kernels import metrics

    return _cached(metrics._frame_mean_variance, 0, 0, np.zeros((1, 1, 1), np.float32), np.zeros(1)) is False


def _idle_cores(interval=0.25):
    """How many cores were idle over the next ``interval`` seconds (from Linux's
    ``/proc/stat``); None where that cannot be read."""

    def sample():
        with open("/proc/stat") as f:
            ticks = [int(x) for x in f.readline().split()[1:8]]
        return ticks[3] + ticks[4], sum(ticks)  # idle + iowait, all

    try:
        idle0, total0 = sample()
        time.sleep(interval)
        idle1, total1 = sample()
    except (OSError, ValueError, IndexError):
        return None
    if total1 <= total0:
        return None
    return (idle1 - idle0) / (total1 - total0) * (os.cpu_count() or 1)


class DemoWarmUp:
    """The demo's background warm-up.

    It starts at once when a kernel of the demo's report is missing from numba's
    cache, else on the first kernel the demo has to compile (a cache filled for
    other uses may lack some). With a warm cache nothing is compiled, no worker
    is started, and the demo runs as it would without this. Workers go only on
    cores found idle (a quarter-second look at the machine's load, in a thread):
    on cores other work keeps busy they would only slow the demo down.
    ``need(step)`` before each step; ``close()`` at the end.
    """

    def __init__(self, n_workers=None):
        from skaudio._kernels import _numba_compat as nc

        self.work = None
        self._lock = threading.Lock()
        self._closed = False
        self._starter = None
        # the cores the demo's own process leaves idle (none on one core), at most three:
        # the targets' longest chain does not shorten much beyond that
        self.n_workers = min(_available_cores() - 1, 3) if n_workers is None else n_workers
        self._enabled = self.n_workers > 0 and not _cache_is_private() and install_cache_lock()
        outer = self

        class Listener(nc.Listener):
            def on_start(self, ev):
                module = getattr(nc.compiled_function(ev), "__module__", "") or ""
                if module.startswith("skaudio."):
                    outer._start()

            def on_end(self, ev):
                pass

        self._listener = Listener()
        if self._enabled:
            nc.register_compile_listener(self._listener)
            if _demo_cache_is_cold():
                self._start()

    def _start(self):  # from the demo's thread or from inside a numba compile: no waiting here
        with self._lock:
            if self._starter is not None or not self._enabled or self._closed:
                return
            self._starter = threading.Thread(target=self._start_on_idle_cores, daemon=True)
            self._starter.start()

    def _start_on_idle_cores(self):
        idle = _idle_cores()
        n = self.n_workers if idle is None else min(self.n_workers, int(idle + 0.5))
        if n < 1:
            return
        names = [n for step in DEMO_STEPS.values() for n in step]
        with self._lock:
            if self._closed:
                return
            with contextlib.suppress(OSError):  # no process could be started: compile here
                self.work = _WarmUp(names, n)

    def need(self, step):
        if self.work is not None:
            self.work.need(DEMO_STEPS[step])

    def close(self):
        with self._lock:
            self._closed = True
        if self._starter is not None:
            self._starter.join()
        if self._enabled:
            from skaudio._kernels._numba_compat import unregister_compile_listener

            with contextlib.suppress(ValueError):
                unregister_compile_listener(self._listener)
        if self.work is not None:
            self.work.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
