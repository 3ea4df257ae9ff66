"""The README's Python examples run as written (those that need no local data set or cluster)."""

import re

from tests.conftest import REPO


def test_readme_examples_run():
    text = (REPO / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    # blocks that need a local data set or a running cluster are shown, not run
    runnable = [b for b in blocks if "path/to" not in b and "tcp://" not in b]
    assert runnable, "the README lost its runnable example"
    namespace = {}  # one session, as a reader pasting the blocks in order
    for block in runnable:
        exec(compile(block, "README.md", "exec"), namespace)
    assert namespace["scores"].mean() > 0.5
    assert namespace["table"].shape == (12, 16)
