"""The timing rule of every ``track_*_ratio`` benchmark: skaudio and its peer interleaved.

Imported as ``benchmarks._timing`` under asv and as ``_timing`` when a benchmark file
runs as a script (its folder is then first on ``sys.path``).
"""

import time

import numpy as np

#: timed calls of each side (after one warm-up call each); the ratio is of their medians
N_REPEAT = 7


def interleaved_ratio(ours, peer, repeat=N_REPEAT):
    """Median time of ``ours()`` over that of ``peer()``, the calls alternating (below 1:
    skaudio is faster); one warm-up call of each first (page cache, numba, lazy imports)."""
    ours(), peer()
    a, b = [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        ours()
        a.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        peer()
        b.append(time.perf_counter() - t0)
    return float(np.median(a) / np.median(b))
