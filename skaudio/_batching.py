"""Thread control, batching, progress and joblib dispatch, shared by every layer (features, metrics,
models, interpret): the bottom floor, importing nothing from skaudio.

How batch work runs (:func:`map_batches`, the one place that decides):

* **Here, threads inside** (the default): batches run one after another in this
  process and each uses ``n_jobs`` threads inside numba or torch. On one
  machine this beats shipping batches to worker processes.
* **On a cluster**: when the active joblib backend is a cluster backend
  (``joblib.parallel_config(backend="dask")``, Ray, or any other backend
  registered with joblib that is not one of joblib's own ``loky``,
  ``threading``, ``multiprocessing`` or ``sequential``), every batch becomes one
  joblib task and runs on a worker with one thread; results come back in order.
* **Inside a task that already runs on a Dask worker** (a grid-search fit
  dispatched by scikit-learn, or a batch task): the work stays on that worker,
  with one thread unless ``n_jobs`` says otherwise, because the outer tasks
  already fill the cluster.
"""

import contextlib
import os
import sys

from joblib import Parallel, delayed, parallel_config
from tqdm.auto import tqdm

__all__ = [
    "torch_threads",
    "numba_threads",
    "resolve_n_jobs",
    "iter_batches",
    "batch_slices",
    "cluster_backend",
    "in_cluster_task",
    "local_threads",
    "map_batches",
]

#: joblib's own backends: they run on this machine, where the threads inside
#: numba/torch already use the cores.
_LOCAL_BACKENDS = ("loky", "threading", "multiprocessing", "sequential")


def resolve_n_jobs(n_jobs):
    """A count of joblib workers, by joblib's convention: None -> 1, -1 -> all cores, -2 -> all but one.

    Examples
    --------
    >>> import os
    >>> resolve_n_jobs(None), resolve_n_jobs(3)
    (1, 3)
    >>> resolve_n_jobs(-1) == (os.cpu_count() or 1)
    True
    """
    if n_jobs is None:
        return 1
    n_cpu = os.cpu_count() or 1
    if n_jobs < 0:
        return max(1, n_cpu + 1 + n_jobs)
    return max(1, int(n_jobs))


@contextlib.contextmanager
def torch_threads(n_jobs):
    """Run torch work with ``n_jobs`` threads (-1: all cores), restoring the caller's setting.

    ``n_jobs=None`` leaves torch's current thread count alone, so a user's own
    ``torch.set_num_threads`` (or ``OMP_NUM_THREADS``, which joblib lowers in
    its worker processes) is respected. This is the one deliberate exception
    to joblib's "None means 1", shared with :func:`numba_threads`: ``n_jobs``
    here is a thread count inside a library that already has a process-wide
    setting, as with scikit-learn's own OpenMP code (docs/design.rst, "n_jobs").
    """
    import torch

    if n_jobs is None:
        yield
        return
    previous = torch.get_num_threads()
    torch.set_num_threads(resolve_n_jobs(n_jobs))
    try:
        yield
    finally:
        torch.set_num_threads(previous)


@contextlib.contextmanager
def numba_threads(n_jobs):
    """Run numba kernels with ``n_jobs`` threads (-1: all cores), restoring the previous count.

    ``n_jobs=None`` keeps numba's current setting (all cores unless the user,
    ``NUMBA_NUM_THREADS`` or joblib inside its worker processes said
    otherwise); see :func:`torch_threads` for why None is not 1 here.
    """
    import numba

    previous = numba.get_num_threads()
    if n_jobs is not None:
        numba.set_num_threads(min(resolve_n_jobs(n_jobs), numba.config.NUMBA_NUM_THREADS))
    try:
        yield
    finally:
        numba.set_num_threads(previous)


def batch_slices(n_items, batch_size):
    """``slice`` objects covering ``range(n_items)`` in consecutive batches (one batch when None)."""
    batch_size = n_items if batch_size is None else max(1, int(batch_size))
    return [slice(start, min(start + batch_size, n_items)) for start in range(0, n_items, batch_size)]


def iter_batches(n_items, batch_size, verbose=False, desc=None):
    """Yield ``slice`` objects covering ``range(n_items)`` in batches, with optional tqdm progress."""
    bar = tqdm(total=n_items, desc=desc, unit="clip", disable=not verbose, leave=False)
    try:
        for sl in batch_slices(n_items, batch_size):
            yield sl
            bar.update(sl.stop - sl.start)
    finally:
        bar.close()


def in_cluster_task():
    """True inside a task running on a Dask worker.

    Only looks when ``distributed`` is already imported, so it costs nothing
    to users without Dask.
    """
    distributed = sys.modules.get("distributed")
    if distributed is None:
        return False
    try:
        distributed.get_worker()
    except ValueError:
        return False
    return True


def cluster_backend():
    """The active joblib backend when batches should become joblib tasks, else None.

    That is the case when the user selected a backend other than joblib's own
    local ones (typically ``joblib.parallel_config(backend="dask")``) and this
    code is not itself running inside a task on a Dask worker.

    Examples
    --------
    >>> import joblib
    >>> cluster_backend() is None
    True
    >>> with joblib.parallel_config(backend="loky"):
    ...     cluster_backend() is None
    True
    """
    from joblib.parallel import BACKENDS, get_active_backend

    backend, _ = get_active_backend()
    local = tuple(BACKENDS[name] for name in _LOCAL_BACKENDS if name in BACKENDS)
    if isinstance(backend, local) or in_cluster_task():
        return None
    return backend


def local_threads(n_jobs):
    """Threads for work that runs in this process: ``n_jobs``, or 1 inside a cluster task when None.

    On a Dask worker the worker's own threads are the unit of parallelism, so
    numba's and torch's default of one thread per core would oversubscribe it.
    """
    if n_jobs is None and in_cluster_task():
        return 1
    return n_jobs


def _cluster_task(func, batch):
    # nested joblib calls (e.g. AudioLoader's file reads) stay on this worker
    with parallel_config(backend="threading"):
        return func(batch, 1)


def map_batches(func, X, batches, *, n_jobs=None, threads="inner", verbose=False, desc=None, unit="clip"):
    """Yield ``(slice, func(X[slice], n_threads))`` for every batch of ``X``, in order.

    The one place where skaudio decides how batch work runs (see the module
    docstring): here, or as joblib tasks on the active cluster backend.

    Parameters
    ----------
    func : callable
        ``func(batch, n_threads)``, with ``batch = X[slice]``. Must be picklable
        by cloudpickle (a bound method of an estimator is) to run on a cluster.
    X : array-like or list
        Anything sliceable along its first axis (a waveform batch, a list of
        file paths).
    batches : int, None or list of slice
        Batch size (one batch when None), or the slices to run.
    n_jobs : int, default=None
        ``threads="inner"``: the threads ``func`` gets when it runs here.
        ``threads="outer"``: joblib workers (threads preferred) running
        batches side by side here, each ``func`` getting one thread. Passed to
        ``joblib.Parallel`` on a cluster backend (Dask uses all its workers).
    threads : {"inner", "outer"}, default="inner"
        Where local parallelism lives: inside ``func`` (numba, torch) or across
        batches (single-threaded library calls that release the GIL).
    verbose : bool, default=False
        tqdm progress over the items.
    desc, unit : str
        Progress bar labels.

    Yields
    ------
    sl : slice
    result : object
        What ``func`` returned for ``X[sl]``.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.arange(5)
    >>> [(sl.start, int(r)) for sl, r in map_batches(lambda b, t: b.sum(), X, 2)]
    [(0, 1), (2, 5), (4, 4)]
    """
    if threads not in ("inner", "outer"):
        raise ValueError(f"threads must be 'inner' or 'outer', got {threads!r}")
    slices = batches if isinstance(batches, list) else batch_slices(len(X), batches)
    if cluster_backend() is not None:
        parallel = Parallel(n_jobs=n_jobs, return_as="generator")
        results = parallel(delayed(_cluster_task)(func, X[sl]) for sl in slices)
    elif threads == "inner":
        n_threads = local_threads(n_jobs)
        results = (func(X[sl], n_threads) for sl in slices)
    else:
        workers = min(resolve_n_jobs(n_jobs), len(slices))
        if workers <= 1:
            results = (func(X[sl], 1) for sl in slices)
        else:
            parallel = Parallel(n_jobs=workers, prefer="threads", return_as="generator")
            results = parallel(delayed(func)(X[sl], 1) for sl in slices)
    total = sum(sl.stop - sl.start for sl in slices)
    with tqdm(total=total, desc=desc, unit=unit, disable=not verbose, leave=False) as bar:
        for sl, result in zip(slices, results):
            yield sl, result
            del result  # the caller has it; do not hold it while the next batch is computed
            bar.update(sl.stop - sl.start)
