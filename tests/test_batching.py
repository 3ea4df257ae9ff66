"""The batching and joblib-dispatch helpers shared by the transformers (local behaviour)."""

import threading

import numpy as np
import pytest
from joblib import parallel_config

from skaudio._batching import batch_slices, cluster_backend, local_threads, map_batches


def test_batch_slices_cover_the_items():
    assert batch_slices(5, 2) == [slice(0, 2), slice(2, 4), slice(4, 5)]
    assert batch_slices(5, None) == [slice(0, 5)]
    assert batch_slices(0, 3) == []


def test_local_inner_threads_run_in_order_here_with_n_jobs():
    X = np.arange(7)
    seen = []

    def func(batch, n_threads):
        seen.append((threading.get_ident(), n_threads))
        return batch * 10

    out = list(map_batches(func, X, 3, n_jobs=2))
    assert [sl for sl, _ in out] == [slice(0, 3), slice(3, 6), slice(6, 7)]
    np.testing.assert_array_equal(np.concatenate([r for _, r in out]), X * 10)
    assert seen == [(threading.get_ident(), 2)] * 3


def test_local_outer_threads_spread_batches_over_workers():
    X = np.arange(40)
    barrier = threading.Barrier(2, timeout=10)  # only passes if two batches run at the same time

    def func(batch, n_threads):
        if batch[0] < 10:
            barrier.wait()
        return batch + n_threads

    out = list(map_batches(func, X, 5, n_jobs=2, threads="outer"))
    np.testing.assert_array_equal(np.concatenate([r for _, r in out]), X + 1)


def test_explicit_slices_and_lists():
    files = ["a", "b", "c", "d"]
    out = list(map_batches(lambda b, t: "".join(b), files, [slice(1, 2), slice(3, 4)]))
    assert out == [(slice(1, 2), "b"), (slice(3, 4), "d")]


def test_joblib_own_backends_keep_the_local_path():
    for backend in ("loky", "threading", "sequential"):
        with parallel_config(backend=backend):
            assert cluster_backend() is None
            assert [n for _, n in map_batches(lambda b, t: t, np.arange(4), 2, n_jobs=3)] == [3, 3]
    assert local_threads(None) is None


def test_progress_and_errors(capsys):
    list(map_batches(lambda b, t: b, np.arange(4), 2, verbose=True, desc="demo-batches"))
    assert "demo-batches" in capsys.readouterr().err
    with pytest.raises(ValueError, match="threads must be"):
        list(map_batches(lambda b, t: b, np.arange(4), 2, threads="both"))


# -- n_jobs: one rule (docs/design.rst, "n_jobs") ----------------------------------------------


@pytest.mark.parametrize("n_jobs", [None, 1, 2, -1, -2])
def test_resolve_n_jobs_is_joblibs_worker_count(n_jobs):
    import joblib

    from skaudio._batching import resolve_n_jobs

    assert resolve_n_jobs(n_jobs) == joblib.effective_n_jobs(n_jobs)


def test_joblib_worker_count_none_is_one_worker_here(monkeypatch):
    """Where n_jobs counts joblib workers (image transformers, file reads), None starts no pool."""
    import skaudio._batching as base
    from skaudio.features.image._common import map_clips

    def no_pool(*args, **kwargs):
        raise AssertionError("n_jobs=None must not start a joblib pool")

    monkeypatch.setattr(base, "Parallel", no_pool)
    seen = set()

    def func(clip):
        seen.add(threading.get_ident())
        return clip.sum()

    out = map_clips(func, np.ones((9, 2, 3), np.float32), n_jobs=None)
    assert len(out) == 9 and seen == {threading.get_ident()}


def test_torch_threads_none_keeps_the_users_setting():
    torch = pytest.importorskip("torch")
    from skaudio._batching import torch_threads

    before = torch.get_num_threads()
    try:
        torch.set_num_threads(3)  # the user's own choice
        with torch_threads(None):
            assert torch.get_num_threads() == 3
        with torch_threads(2):
            assert torch.get_num_threads() == 2
        with torch_threads(-1):
            assert torch.get_num_threads() >= 1
        assert torch.get_num_threads() == 3  # restored
    finally:
        torch.set_num_threads(before)


def test_numba_threads_none_keeps_the_users_setting(monkeypatch):
    import numba

    from skaudio._batching import numba_threads

    calls = []
    state = {"n": 4}
    monkeypatch.setattr(numba, "get_num_threads", lambda: state["n"])
    monkeypatch.setattr(numba, "set_num_threads", lambda n: (calls.append(n), state.update(n=n)))
    monkeypatch.setattr(numba.config, "NUMBA_NUM_THREADS", 8)
    with numba_threads(None):
        assert state["n"] == 4 and calls == []  # untouched
    with numba_threads(2):
        assert state["n"] == 2
    assert state["n"] == 4  # restored
    with numba_threads(16):
        assert state["n"] == 8  # never above numba's pool
