"""The ESC-10 image-techniques example runs end to end on a small subset."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "image_features_esc10.py"


@pytest.mark.slow
def test_example_on_a_subset(esc10_dir, capsys):
    spec = importlib.util.spec_from_file_location("image_features_esc10", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    table = module.main(esc10_dir, n_per_fold=4)  # 20 clips, every pipeline, five folds
    assert len(table) == 15 and table["pipeline"].iloc[0].startswith("pooled log-mel")
    assert np.all((table["accuracy"] >= 0) & (table["accuracy"] <= 1))
    assert "vs baseline" in capsys.readouterr().out
