"""The ESC-10 interpretation example runs end to end on a small subset."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "interpret_secnn_esc10.py"


@pytest.mark.slow
def test_example_on_a_subset(esc10_dir, tmp_path, monkeypatch, capsys):
    pytest.importorskip("matplotlib")
    monkeypatch.setenv("SKAUDIO_SHARED_DATA", str(esc10_dir.parent))
    spec = importlib.util.spec_from_file_location("interpret_secnn_esc10", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    table = module.main(["--clips-per-fold", "12", "--epochs", "1", "--figures", str(tmp_path)])
    assert len(table) == 12  # two scales of V x two layers x three bases
    assert set(table["channels"]) == {32, 256}
    assert np.all(table["R2 fold 5"] <= 1)
    out = capsys.readouterr().out
    assert "fold-5 accuracy" in out and "patterns each class relies on" in out
    assert {p.name for p in tmp_path.iterdir()} >= {
        "patterns.png",
        "reconstructions.png",
        "discriminative.png",
    }
