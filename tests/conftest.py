"""Shared fixtures: the real-audio folder beside the repository, small synthetic batches."""

import os
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]


def shared_data_dir():
    """``$SKAUDIO_SHARED_DATA`` or ``../shared/data`` next to the repository (may not exist)."""
    env = os.environ.get("SKAUDIO_SHARED_DATA")
    return Path(env) if env else REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data():
    path = shared_data_dir()
    if not path.is_dir():
        pytest.skip(f"real audio folder {path} is absent")
    return path


@pytest.fixture(scope="session")
def esc10_dir(shared_data):
    path = shared_data / "esc10"
    if not (path / "meta" / "esc50.csv").is_file():
        pytest.skip(f"ESC-10 copy not found in {path}")
    return path


@pytest.fixture(scope="session")
def esc10_clips(esc10_dir):
    """Eight real ESC-10 clips (one fold, several classes) at 44.1 kHz."""
    from skaudio.datasets import load_esc50

    bunch = load_esc50(esc10_dir, folds=1, sr=44100)
    order = np.argsort(bunch.target, kind="stable")
    return bunch.data[order[::10]][:8]


@pytest.fixture
def noise_batch():
    rng = np.random.default_rng(0)
    return (0.1 * rng.standard_normal((3, 4000))).astype(np.float32)


@pytest.fixture(scope="session")
def dask_client():
    """A Dask cluster of two single-threaded worker processes on this machine, started once per session.

    Tests use it through ``joblib.parallel_config(backend="dask")``, exactly as a
    user would with a real cluster's ``Client("tcp://scheduler:8786")``.
    """
    distributed = pytest.importorskip("dask.distributed")
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        worker_dashboard_address=None,
    )
    client = distributed.Client(cluster)
    import importlib

    client.run(importlib.import_module, "skaudio.features")  # each worker pays its imports here, once
    try:
        yield client
    finally:
        client.close()
        cluster.close()
