"""The performance page lists every ``track_*_ratio`` benchmark, and its numbers come from a run."""

import ast
import csv
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PAGE = REPO / "docs" / "user_guide" / "performance.rst"
TABLE = REPO / "docs" / "user_guide" / "performance_ratios.csv"


def _is_ratio(node):
    name = getattr(node, "name", "")
    return isinstance(node, ast.FunctionDef) and name.startswith("track_") and name.endswith("_ratio")


def _ratio_benchmarks():
    """``Class.track_x_ratio`` (or ``track_x_ratio``) of every benchmark file."""
    found = set()
    for path in sorted((REPO / "asv_bench" / "benchmarks").glob("*.py")):
        tree = ast.parse(path.read_text())
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                found.update(f"{node.name}.{item.name}" for item in node.body if _is_ratio(item))
            elif _is_ratio(node):
                found.add(node.name)
    return found


def test_the_page_lists_every_ratio_benchmark():
    benchmarks = _ratio_benchmarks()
    assert "LoadAudioRatio.track_native_over_soundfile_loop_ratio" in benchmarks
    text = PAGE.read_text()
    missing = sorted(name for name in benchmarks if name not in text)
    assert not missing, f"add to {PAGE.name}: {missing}"


def test_the_table_holds_measured_ratios_of_existing_benchmarks():
    benchmarks = _ratio_benchmarks()
    with open(TABLE, newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["benchmark", "case", "skaudio / peer", "what is compared"]
    assert len(rows) > 1
    for name, _, ratio, compares in rows[1:]:
        assert name.split(".", 1)[1] in benchmarks, name
        assert float(ratio) > 0 and compares
    note = TABLE.with_name("performance_ratios_run.txt").read_text()
    assert "ratio_table.py" in note and "UTC" in note and "cores" in note
