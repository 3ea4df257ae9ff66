"""The README's Python examples run as written (those that need no local data set)."""
import re

from tests.conftest import REPO


def test_readme_examples_run():
    text = (REPO / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    runnable = [b for b in blocks if "path/to" not in b]
    assert runnable, "the README lost its runnable example"
    for block in runnable:
        namespace = {}
        exec(compile(block, "README.md", "exec"), namespace)
    assert namespace["scores"].mean() > 0.5
