"""The thread pool of the nogil kernels (skaudio._kernels._parallel)."""

import multiprocessing
import sys

import numba
import numpy as np
import pytest

from skaudio._kernels._parallel import run_jobs


def _fill(start, stop, out):
    out[start:stop] = np.arange(start, stop)


def _child(queue):
    out = np.zeros(64)
    run_jobs(_fill, 64, out)
    queue.put(float(out.sum()))


@pytest.mark.skipif(sys.platform == "win32", reason="fork is POSIX only")
def test_a_forked_child_runs_jobs_on_a_pool_of_its_own(monkeypatch):
    """Before: a child forked after the pool started (a DataLoader worker of a fit reading
    files through a front end) waited forever on jobs given to threads it did not have."""
    monkeypatch.setattr(numba, "get_num_threads", lambda: 2)  # the pool is used with 2 threads
    out = np.zeros(64)
    run_jobs(_fill, 64, out)  # starts the pool in this process
    assert out.sum() == 64 * 63 / 2
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_child, args=(queue,))
    child.start()
    child.join(timeout=30)
    hung = child.is_alive()
    if hung:
        child.kill()
    assert not hung, "run_jobs hung in a forked child"
    assert queue.get(timeout=5) == 64 * 63 / 2
