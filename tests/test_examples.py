"""The examples share one data convention.

And the paper comparison writes only where told (issue 19, item 11).
"""

import hashlib
import importlib.util
from pathlib import Path

import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = [
    "esc10_models_cv",
    "esc10_protocol",
    "image_features_esc10",
    "interpret_secnn_esc10",
    "mfcc_svm_esc10",
    "paper_ablations_esc10",
    "plot_spectrogram_figures",
    "pooling_gridsearch_esc10",
    "pooling_paper_comparison",
]


def _load(name):
    spec = importlib.util.spec_from_file_location(f"example_{name}", REPO / "examples" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_example_finds_its_data_the_same_way(name, tmp_path, monkeypatch):
    """``--data DIR`` (the shared folder), else ``$SKAUDIO_SHARED_DATA``, else ``../shared/data``."""
    module = _load(name)
    given = tmp_path / "given"
    assert module.data_folder(module.parse_args(["--data", str(given)]).data) == given
    monkeypatch.setenv("SKAUDIO_SHARED_DATA", str(tmp_path / "env"))
    assert module.data_folder(module.parse_args([]).data) == tmp_path / "env"
    monkeypatch.delenv("SKAUDIO_SHARED_DATA")
    assert (
        module.data_folder(module.parse_args([]).data).resolve()
        == (REPO.parent / "shared" / "data").resolve()
    )


def _digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.csv"))}


def test_paper_comparison_writes_a_new_out_folder_and_leaves_the_docs_alone(shared_data, tmp_path, capsys):
    """Before: ``--out NEWDIR`` crashed after the computation (the paper tables were read
    from ``--out``) and the default ``--out`` was the tracked docs folder."""
    module = _load("pooling_paper_comparison")
    docs = REPO / "docs" / "user_guide" / "paper_tables"
    before = _digest(docs)
    assert module.parse_args([]).out is None  # nothing is written by default
    out = tmp_path / "new" / "tables"
    assert module.main(["--data", str(shared_data), "--out", str(out), "--max-clips", "3"]) == 0
    for domain in ("environment", "speech", "music"):
        ours = pd.read_csv(out / f"ours_{domain}.csv", index_col="method")
        assert len(ours) == 12
        assert (out / f"orderings_{domain}.csv").is_file()
    sources = pd.read_csv(out / "by_source.csv")
    assert len(sources) == 5 and set(sources["clips"]) == {3}
    assert _digest(docs) == before
    assert not any(p.name.startswith("paper_table") for p in out.iterdir())


def test_paper_comparison_without_data_fails_fast(tmp_path, capsys):
    module = _load("pooling_paper_comparison")
    assert module.main(["--data", str(tmp_path)]) == 1
    assert "esc10" in capsys.readouterr().err


def test_ablation_summary_gathers_runs(tmp_path, capsys):
    module = _load("paper_ablations_esc10")
    rows = pd.DataFrame(
        {
            "study": "degram",
            "config": ["degram", "spectrogram", "degram"],
            "fold": [2, 1, 1],
            "seed": 0,
            "accuracy": [0.9, 0.75, 0.8],
            "cpu_s": [120.0, 600.0, 180.0],
            "wall_s": 1.0,
            "n_params": 1,
        }
    )
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    rows.iloc[:2].to_csv(a, index=False)
    rows.iloc[2:].to_csv(b, index=False)
    out = tmp_path / "summary.csv"
    assert module.main(["--summarize", str(a), str(b), "--out", str(out)]) == 0
    table = pd.read_csv(out).set_index("config")
    assert table.loc["degram", "folds"] == "1 2" and table.loc["degram", "per_fold_pct"] == "80.0 / 90.0"
    assert table.loc["degram", "accuracy_pct"] == 85.0 and table.loc["degram", "std_over_folds_pct"] == 5.0
    assert table.loc["degram", "cpu_min"] == 5.0 and table.loc["spectrogram", "cpu_s_per_fold"] == 600


def test_ablation_configurations_are_the_documented_switches():
    module = _load("paper_ablations_esc10")
    clf = module.estimator("degram", module.STUDIES["degram"]["spectrogram"])
    assert clf.get_params()["module__frontend"] == "spectrogram" and clf.random_state == 0
    dual = module.estimator("dual", module.STUDIES["dual"]["no_garm"])
    assert dual.get_params()["module__garm"] is False
    assert module.main(["--study", "dual", "--configs", "nope"]) == 2


def test_mfcc_svm_example_runs_on_a_few_clips_per_fold(esc10_dir, capsys):
    module = _load("mfcc_svm_esc10")
    table = module.main(["--data", str(esc10_dir.parent), "--per-fold", "3"])
    assert table["features"].iloc[0].startswith("log-mel statistics")
    assert table["features"].iloc[1].startswith("MFCC statistics")
    assert table["columns"].tolist() == [256, 40, 120, 146]
    assert ((table["accuracy"] >= 0) & (table["accuracy"] <= 1)).all()
    assert "folds:" in capsys.readouterr().out


def test_mfcc_svm_example_without_data_fails_fast(tmp_path, capsys):
    assert _load("mfcc_svm_esc10").main(["--data", str(tmp_path)]) == 1
    assert "esc10" in capsys.readouterr().err


def test_gpu_throughput_example_skips_cleanly_without_cuda(capsys, monkeypatch):
    """The prepared GPU measurement exits quietly (status 0, a one-line reason) on a machine without CUDA."""
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    module = _load("gpu_throughput")
    assert module.main([]) is None
    assert "CUDA is not available" in capsys.readouterr().out
