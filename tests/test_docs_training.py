"""The "Scaling up training" guide's examples run as written on a CPU."""

import re
import tempfile

import pytest

from tests.conftest import REPO

pytest.importorskip("accelerate")

#: blocks that need a GPU are shown, not run
_NEEDS_A_GPU = ('device="cuda"',)


@pytest.fixture(autouse=True)
def fresh_accelerator_state():
    yield
    import accelerate

    accelerate.state.AcceleratorState._reset_state(reset_partial_state=True)


def test_training_guide_examples_run(tmp_path, monkeypatch):
    text = (REPO / "docs" / "user_guide" / "training_at_scale.rst").read_text()
    blocks = re.findall(r"\.\. code-block:: python\n\n((?:    .*\n|\n)+)", text)
    runnable = [re.sub(r"(?m)^    ", "", b) for b in blocks if not any(k in b for k in _NEEDS_A_GPU)]
    assert len(runnable) == 5, "the guide lost runnable examples"
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    namespace = {"__name__": "training_guide"}  # one session, as a reader pasting the blocks in order
    for block in runnable:
        exec(compile(block, "training_at_scale.rst", "exec"), namespace)
    assert namespace["S"].shape == (48, 32, 32)
    assert len(namespace["again"].history) == 4
