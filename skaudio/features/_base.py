"""Helpers shared by the transformers: thread control, batching and progress."""
import contextlib
import os

from tqdm.auto import tqdm

__all__ = ["torch_threads", "numba_threads", "resolve_n_jobs", "iter_batches"]


def resolve_n_jobs(n_jobs):
    """joblib's convention: None -> 1, -1 -> all cores, -2 -> all but one."""
    if n_jobs is None:
        return 1
    n_cpu = os.cpu_count() or 1
    if n_jobs < 0:
        return max(1, n_cpu + 1 + n_jobs)
    return max(1, int(n_jobs))


@contextlib.contextmanager
def torch_threads(n_jobs):
    """Run torch work with ``n_jobs`` threads, restoring the caller's setting.

    ``n_jobs=None`` leaves torch's current thread count alone, so a user's own
    ``torch.set_num_threads`` is respected.
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
    """Run numba kernels with ``n_jobs`` threads, restoring the previous count.

    ``n_jobs=None`` keeps numba's current setting (all cores unless the user
    or ``NUMBA_NUM_THREADS`` said otherwise).
    """
    import numba

    previous = numba.get_num_threads()
    if n_jobs is not None:
        numba.set_num_threads(min(resolve_n_jobs(n_jobs), numba.config.NUMBA_NUM_THREADS))
    try:
        yield
    finally:
        numba.set_num_threads(previous)


def iter_batches(n_items, batch_size, verbose=False, desc=None):
    """Yield ``slice`` objects covering ``range(n_items)`` in batches, with optional tqdm progress."""
    batch_size = n_items if batch_size is None else max(1, int(batch_size))
    starts = range(0, n_items, batch_size)
    bar = tqdm(total=n_items, desc=desc, unit="clip", disable=not verbose, leave=False)
    try:
        for start in starts:
            stop = min(start + batch_size, n_items)
            yield slice(start, stop)
            bar.update(stop - start)
    finally:
        bar.close()

