"""Pooling: skaudio's numba kernels beside torch's own pooling on the same batch.

The issue's target: on a (400, 128, 431) float32 batch with 2x2 regions and 2
threads, ``average``, ``max`` and ``lnp`` at least as fast as torch's
``avg_pool2d``, ``max_pool2d`` and ``lp_pool2d``; every other method within 2x of
``average``. Read the ratios from one run, e.g.
``time_pool2d('average') / time_torch_avg_pool2d``.
"""

import numpy as np

from skaudio.features import POOLING_METHODS

N_CLIPS, N_MELS, N_FRAMES = 400, 128, 431
THREADS = 2
NONNEG = ("lsp", "power", "entropy")


def _threads():
    import numba
    import torch

    numba.set_num_threads(min(THREADS, numba.config.NUMBA_NUM_THREADS))
    torch.set_num_threads(THREADS)


def _batch():
    rng = np.random.default_rng(0)
    power = rng.gamma(0.5, 1.0, (N_CLIPS, N_MELS, N_FRAMES)).astype(np.float32)
    db = (10 * np.log10(np.maximum(power, 1e-8))).astype(np.float32)
    return power, db


class Pool2dModes:
    """Each of the twelve methods through the public plain-array function (class name kept for
    the benchmark history)."""

    params = [POOLING_METHODS]
    param_names = ["method"]
    timeout = 300

    def setup(self, method):
        from skaudio.features import pool2d

        _threads()
        self.power, self.db = _batch()
        self.pool2d = pool2d
        self.S = self.power if method in NONNEG else self.db
        pool2d(self.S[:2], method)  # compile outside the timing

    def time_pool2d(self, method):
        self.pool2d(self.S, method, (2, 2))

    def time_pool2d_prevalidated(self, method):
        self.pool2d(self.S, method, (2, 2), check_input=False)


class TorchPeers:
    """torch.nn.functional pooling on the same batch, as (n, 1, F, T)."""

    timeout = 300

    def setup(self):
        import torch

        _threads()
        _, db = _batch()
        self.X = torch.from_numpy(db)[:, None]
        self.F = torch.nn.functional

    def time_torch_avg_pool2d(self):
        self.F.avg_pool2d(self.X, 2)

    def time_torch_max_pool2d(self):
        self.F.max_pool2d(self.X, 2)

    def time_torch_lp_pool2d(self):
        self.F.lp_pool2d(self.X, 2.0, 2)


class GlobalTimePooling:
    """PoolingTransformer(axis="time"): clip features, one value per mel band."""

    params = [("average", "max", "lse", "attention")]
    param_names = ["method"]
    timeout = 300

    def setup(self, method):
        from skaudio.features import PoolingTransformer

        _threads()
        _, self.db = _batch()
        # n_jobs=None is one thread: ask for the benchmark's threads explicitly
        self.est = PoolingTransformer(method, axis="time", n_jobs=THREADS).fit(self.db[:2])

    def time_transform(self, method):
        self.est.transform(self.db)
