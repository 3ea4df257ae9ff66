"""The scaling guide's examples run as written (a local Dask cluster stands in for a real one)."""

import re
import tempfile

import pytest

from tests.conftest import REPO

distributed = pytest.importorskip("dask.distributed")

#: Blocks that need a real cluster (a scheduler address, a batch system) are shown, not run.
_NEEDS_A_REAL_CLUSTER = ("tcp://", "dask_jobqueue")


class _Shared:
    """Stands for the guide's ``LocalCluster(...)``/``Client(...)``: the session's cluster, left open."""

    def __init__(self, target):
        self._target = target

    def __getattr__(self, name):
        return getattr(self._target, name)

    def close(self):
        pass


def test_scaling_guide_examples_run(tmp_path, monkeypatch, dask_client):
    text = (REPO / "docs" / "user_guide" / "scaling.rst").read_text()
    blocks = re.findall(r"\.\. code-block:: python\n\n((?:    .*\n|\n)+)", text)
    runnable = [re.sub(r"(?m)^    ", "", b) for b in blocks if not any(k in b for k in _NEEDS_A_REAL_CLUSTER)]
    assert len(runnable) >= 5, "the guide lost runnable examples"
    # the guide starts a two-worker LocalCluster; reuse the session's identical one (started once)
    monkeypatch.setattr(distributed, "LocalCluster", lambda **kw: _Shared(dask_client.cluster))
    monkeypatch.setattr(distributed, "Client", lambda *a, **kw: _Shared(dask_client))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the examples' mkdtemp() lands here
    namespace = {}  # one session, as a reader pasting the blocks in order
    for block in runnable:
        exec(compile(block, "scaling.rst", "exec"), namespace)
    assert namespace["S_disk"].shape == (60, 32, 32)
    assert set(namespace["search"].best_params_) == {"pool__method"}
    assert dask_client.status == "running"
