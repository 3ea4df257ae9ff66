"""Cold start: what a new process pays before its first result, with an empty numba cache.

Each measurement runs a fresh Python process whose ``NUMBA_CACHE_DIR`` is a new
empty folder, as on a fresh container, CI job or Dask worker, and times one call
inside it (the imports are timed apart). The warm figure is the same call in a
second process that finds the cache the first one wrote. Targets (issue 18):

* first ``MelSpectrogram.fit_transform``: at most 3 s (``track_first_melspectrogram``);
* first call of any one pooling mode: at most 3 s (``track_first_pool2d``);
* the whole ``skaudio demo``: cold at most twice its warm time
  (``track_demo_cold_over_warm``; the demo compiles its later steps' kernels
  in a background process while it computes the earlier steps,
  ``track_demo_cold_over_warm_no_warmup`` measures it without).

``track_warm_up_all`` times ``skaudio warmup`` (every kernel, compiled by as
many processes as there are cores) with an empty cache.

Run without asv for a table: ``python asv_bench/benchmarks/bench_cold_start.py``.
"""

import json
import os
import subprocess
import sys
import tempfile
import time

from skaudio.features import POOLING_METHODS

MODES = POOLING_METHODS

_FIRST_CALL = r"""
import json, sys, time
t0 = time.perf_counter()
import numpy as np
import skaudio.features
from skaudio._kernels.pooling import pool2d
t_import = time.perf_counter() - t0
X = np.random.default_rng(0).standard_normal((8, 32000)).astype(np.float32) * 0.1
what = sys.argv[1]
t0 = time.perf_counter()
S = skaudio.features.MelSpectrogram(sr=16000, n_fft=1024, hop_length=256, n_mels=64).fit_transform(X)
t_mel = time.perf_counter() - t0
P = S - S.min() if what in ("lsp", "power", "entropy") else S
t0 = time.perf_counter()
if what != "mel":
    pool2d(P, what, (2, 2))
t_pool = time.perf_counter() - t0
print(json.dumps({"import": t_import, "mel": t_mel, "pool": t_pool}))
"""


def _run(args, cache_dir):
    env = {**os.environ, "NUMBA_CACHE_DIR": cache_dir}
    out = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, check=True)
    return out.stdout


def _first_call(what):
    """Seconds of (import, first MelSpectrogram, first pool2d(what)) in a cold and a warm process."""
    with tempfile.TemporaryDirectory() as cache:
        cold = json.loads(_run(["-c", _FIRST_CALL, what], cache).splitlines()[-1])
        warm = json.loads(_run(["-c", _FIRST_CALL, what], cache).splitlines()[-1])
    return cold, warm


def _demo_seconds(cache, *options):
    t0 = time.perf_counter()
    _run(["-m", "skaudio", "demo", *options], cache)
    return time.perf_counter() - t0


def _demo_cold_warm(*options):
    """Wall seconds of ``skaudio demo`` with an empty cache, then with the cache it filled."""
    with tempfile.TemporaryDirectory() as cache:
        cold = _demo_seconds(cache, *options)
        warm = _demo_seconds(cache, *options)
    return cold, warm


def track_first_melspectrogram():
    """Seconds of the first MelSpectrogram fit_transform in a new process, empty cache."""
    return _first_call("mel")[0]["mel"]


track_first_melspectrogram.unit = "seconds"
track_first_melspectrogram.timeout = 300


def track_first_pool2d(mode):
    """Seconds of the first 2x2 pool2d of one mode (after a MelSpectrogram), empty cache."""
    return _first_call(mode)[0]["pool"]


track_first_pool2d.params = [MODES]
track_first_pool2d.param_names = ["mode"]
track_first_pool2d.unit = "seconds"
track_first_pool2d.timeout = 300


def track_demo_cold_over_warm():
    """Wall time of ``skaudio demo`` with an empty cache over its time with the cache filled."""
    cold, warm = _demo_cold_warm()
    return cold / warm


track_demo_cold_over_warm.unit = "ratio"
track_demo_cold_over_warm.timeout = 600


def track_demo_cold_over_warm_no_warmup():
    """As ``track_demo_cold_over_warm``, every kernel compiled in the demo's own process."""
    cold, warm = _demo_cold_warm("--no-warmup")
    return cold / warm


track_demo_cold_over_warm_no_warmup.unit = "ratio"
track_demo_cold_over_warm_no_warmup.timeout = 600


def track_warm_up_all():
    """Wall seconds of ``skaudio warmup`` (all targets, one process per core) with an empty cache."""
    with tempfile.TemporaryDirectory() as cache:
        t0 = time.perf_counter()
        _run(["-m", "skaudio", "warmup"], cache)
        return time.perf_counter() - t0


track_warm_up_all.unit = "seconds"
track_warm_up_all.timeout = 600


if __name__ == "__main__":
    cold, warm = _first_call("mel")
    print(f"{'import skaudio.features':<34s} cold {cold['import']:6.2f} s   warm {warm['import']:6.2f} s")
    print(f"{'first MelSpectrogram':<34s} cold {cold['mel']:6.2f} s   warm {warm['mel']:6.2f} s")
    for mode in MODES:
        cold, warm = _first_call(mode)
        print(f"{'first pool2d ' + mode:<34s} cold {cold['pool']:6.2f} s   warm {warm['pool']:6.2f} s")
    for options in ((), ("--no-warmup",)):
        cold, warm = _demo_cold_warm(*options)
        label = " ".join(("skaudio demo", *options))
        print(f"{label:<34s} cold {cold:6.2f} s   warm {warm:6.2f} s   ratio {cold / warm:.2f}")
    print(f"{'skaudio warmup (all targets)':<34s} cold {track_warm_up_all():6.2f} s")
