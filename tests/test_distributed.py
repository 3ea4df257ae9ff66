"""joblib's Dask backend spreads skaudio's work over a cluster with results identical to a local run.

A ``LocalCluster`` of two worker processes stands in for a real cluster; the
code under test only sees ``joblib.parallel_config(backend="dask")``. Each test
also checks, through the scheduler's task stream, that the work did run on the
workers rather than silently in this process.
"""

import numpy as np
import pytest
from joblib import parallel_config
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_validate
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from skaudio._batching import cluster_backend, in_cluster_task, local_threads
from skaudio.datasets import make_sound_events
from skaudio.features import (
    AudioLoader,
    MelSpectrogram,
    PoolingTransformer,
    SpectrogramFilter,
    extract_to_memmap,
)
from skaudio.metrics import compare_pooling

distributed = pytest.importorskip("dask.distributed")


def _on_cluster(client, func):
    """``func()`` under the Dask joblib backend, and the names of the tasks the workers ran."""
    with distributed.get_task_stream(client) as stream, parallel_config(backend="dask"):
        result = func()
    return result, [t["key"] if isinstance(t["key"], str) else str(t["key"]) for t in stream.data]


@pytest.fixture(scope="module")
def log_mels():
    X, y = make_sound_events(n_clips=60, n_classes=3, sr=8000, duration=0.5, random_state=0)
    S = MelSpectrogram(sr=8000, n_fft=256, hop_length=128, n_mels=32).fit_transform(X)
    return X, S, y


def test_cluster_backend_is_detected(dask_client):
    assert cluster_backend() is None
    with parallel_config(backend="dask"):
        assert cluster_backend() is not None
    with parallel_config(backend="threading"):
        assert cluster_backend() is None


def test_pooling_grid_search_on_dask_equals_local(dask_client, log_mels):
    _, S, y = log_mels
    pipe = Pipeline(
        [
            ("pool", PoolingTransformer(axis="time", n_jobs=1)),
            ("scale", StandardScaler()),
            ("clf", LogisticRegression(max_iter=500)),
        ]
    )
    grid = {"pool__method": ["average", "max", "lse", "attention"]}
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    local = GridSearchCV(pipe, grid, cv=cv).fit(S, y)
    search, tasks = _on_cluster(dask_client, lambda: GridSearchCV(pipe, grid, cv=cv, n_jobs=-1).fit(S, y))
    assert any("fit_and_score" in key for key in tasks), tasks[:5]
    for k in range(3):
        np.testing.assert_array_equal(
            search.cv_results_[f"split{k}_test_score"], local.cv_results_[f"split{k}_test_score"]
        )
    assert search.best_params_ == local.best_params_
    np.testing.assert_array_equal(search.predict(S), local.predict(S))


def test_cross_validate_on_dask_equals_local(dask_client, log_mels):
    X, _, y = log_mels
    pipe = make_pipeline(
        MelSpectrogram(sr=8000, n_fft=256, hop_length=128, n_mels=32),
        PoolingTransformer("lse", r=0.5, axis="time"),
        StandardScaler(),
        LogisticRegression(max_iter=500),
    )
    local = cross_validate(pipe, X, y, cv=3)
    remote, tasks = _on_cluster(dask_client, lambda: cross_validate(pipe, X, y, cv=3, n_jobs=-1))
    assert tasks
    np.testing.assert_array_equal(remote["test_score"], local["test_score"])


def test_batch_transformer_spreads_batches(dask_client, log_mels):
    X, _, _ = log_mels
    est = MelSpectrogram(sr=8000, n_fft=256, hop_length=128, n_mels=32, batch_size=16).fit(X)
    local = est.transform(X)
    remote, tasks = _on_cluster(dask_client, lambda: est.transform(X))
    assert sum("_cluster_task" in key for key in tasks) >= 1
    np.testing.assert_array_equal(remote, local)


def test_work_inside_a_worker_task_stays_on_that_worker(dask_client):
    def probe():  # what a transformer sees when a grid-search fit runs it on a worker
        with parallel_config(backend="dask"):  # joblib sets this inside its Dask tasks
            return in_cluster_task(), cluster_backend() is None, local_threads(None), local_threads(3)

    assert dask_client.submit(probe, pure=False).result() == (True, True, 1, 3)
    assert (in_cluster_task(), local_threads(None)) == (False, None)


def test_pooling_filter_and_report_on_dask_equal_local(dask_client, log_mels):
    _, S, _ = log_mels
    pool = PoolingTransformer("attention", kernel_size=(2, 3), batch_size=8).fit(S)
    smooth = SpectrogramFilter("median", size=3).fit(S)
    local = (
        pool.transform(S),
        smooth.transform(S),
        compare_pooling(S[:6], ["max", "lse"], metrics=["variance", "entropy"]),
    )
    remote, tasks = _on_cluster(
        dask_client,
        lambda: (
            pool.transform(S),
            smooth.transform(S),
            compare_pooling(S[:6], ["max", "lse"], metrics=["variance", "entropy"]),
        ),
    )
    assert sum("_cluster_task" in key for key in tasks) >= 3
    np.testing.assert_array_equal(remote[0], local[0])
    np.testing.assert_array_equal(remote[1], local[1])
    assert remote[2].equals(local[2])


@pytest.fixture(scope="module")
def esc10_files(esc10_dir):
    import pandas as pd

    meta = pd.read_csv(esc10_dir / "meta" / "esc50.csv")
    meta = meta[meta["esc10"] & (meta["fold"] == 1)]
    return [str(esc10_dir / "audio" / name) for name in meta["filename"]]


def test_esc10_feature_extraction_on_dask_equals_local(dask_client, esc10_files, tmp_path):
    pipe = make_pipeline(
        AudioLoader(sr=44100, duration=5.0), MelSpectrogram(sr=44100, n_fft=2048, hop_length=512, n_mels=128)
    )
    local = pipe.fit_transform(esc10_files)
    remote, tasks = _on_cluster(dask_client, lambda: pipe.transform(esc10_files))
    assert tasks
    np.testing.assert_array_equal(remote, local)
    # out of core: the chunks are read and transformed on the workers, written here
    out = tmp_path / "esc10_logmel.npy"
    stored, tasks = _on_cluster(
        dask_client,
        lambda: extract_to_memmap(pipe[-1], esc10_files, out, chunk_size=16, sr=44100, duration=5.0),
    )
    assert sum("_cluster_task" in key for key in tasks) >= 1
    np.testing.assert_array_equal(stored, local)
