"""Split a range of independent jobs over threads, each running a ``nogil`` numba kernel.

Why not numba's ``parallel=True`` everywhere: its parfor machinery costs about a
second of extra compile time per kernel, paid by every new process without a
warm cache (measured on the STFT front end: the fused STFT compiles in 0.8 s as
a plain loop against 2.0 s as a parfor, the dB conversion in 0.8 s against
1.7 s), so a first log-mel spectrogram took about 4 s instead of under 2. The
spectrogram kernels are therefore plain loops over ``range(start, stop)``
compiled with ``nogil=True``, and this module cuts the job range into contiguous
chunks that threads take one after another. The thread count is numba's
(``numba.get_num_threads()``), so ``numba.set_num_threads`` and skaudio's
``n_jobs`` keep their meaning.

The pooling kernels stay parfors: numba compiles a parfor body knowing that its
arrays do not alias, and without that several pooling modes ran 1.2-3.5x slower
(see :mod:`skaudio._kernels.pooling`); for the STFT the difference was within
10 %.
"""

import itertools
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numba

__all__ = ["run_jobs"]

_lock = threading.Lock()
_executor = None


def _forget_pool_after_fork():
    """A forked child (a DataLoader worker, a ``fork`` multiprocessing pool) inherits the
    pool object without its threads: jobs submitted to it would wait forever (it hung a
    SECNNClassifier fit reading files through a front end in two DataLoader workers).
    The child starts a pool of its own on first use instead."""
    global _executor, _lock
    _executor = None
    _lock = threading.Lock()  # it may have been held by a thread that does not exist here


os.register_at_fork(after_in_child=_forget_pool_after_fork)


def _pool():
    global _executor
    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(
                max_workers=max(numba.config.NUMBA_NUM_THREADS - 1, 1), thread_name_prefix="skaudio-kernel"
            )
        return _executor


def run_jobs(kernel, n_jobs, *args):
    """Call ``kernel(start, stop, *args)`` over disjoint ranges covering ``range(n_jobs)``.

    The range is cut into up to four chunks per thread; the calling thread and
    ``numba.get_num_threads() - 1`` threads of a shared pool take the next chunk
    until none is left, so a thread slowed down by other work on the machine
    holds up at most one chunk.
    """
    n_threads = min(numba.get_num_threads(), n_jobs)
    if n_threads <= 1:
        kernel(0, n_jobs, *args)
        return
    n_chunks = min(n_jobs, 4 * n_threads)
    bounds = [n_jobs * i // n_chunks for i in range(n_chunks + 1)]
    chunks = itertools.count()  # next() on it is atomic under the GIL

    def work():
        for c in iter(chunks.__next__, None):
            if c >= n_chunks:
                return
            kernel(bounds[c], bounds[c + 1], *args)

    futures = [_pool().submit(work) for _ in range(n_threads - 1)]
    try:
        work()
    finally:
        for future in futures:
            future.result()
