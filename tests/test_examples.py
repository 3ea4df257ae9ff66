"""The examples share one data convention.

And the paper comparison writes only where told (issue 19, item 11).
"""

import hashlib
import importlib.util
import re
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


class _ParserBuilt(Exception):
    pass


def _parser_of(module, monkeypatch):
    """The example's own ``argparse`` parser, caught as ``parse_args`` is about to read argv."""
    import argparse

    caught = {}

    def catch(self, args=None, namespace=None):
        caught["parser"] = self
        raise _ParserBuilt

    monkeypatch.setattr(argparse.ArgumentParser, "parse_args", catch)
    with pytest.raises(_ParserBuilt):
        module.parse_args([])
    monkeypatch.undo()
    return caught["parser"]


def _run_lines(doc):
    """The paragraph that starts at ``Run:`` (or ``Run::`` and its indented block)."""
    assert "Run:" in doc, "the docstring has no Run: line"
    start = doc.index("Run:")
    end = doc.find("\n\n", start + len("Run::\n\n") if doc.startswith("Run::", start) else start)
    return doc[start : end if end != -1 else None]


_METAVAR = re.compile(r"^[A-Z][A-Za-z0-9_.]*$")  # DIR, CSV, N, A.csv: a placeholder, not a value


def _example_files():
    return sorted(p.stem for p in (REPO / "examples").glob("*.py") if not p.stem.startswith("_"))


def _check_command(name, run, parser):
    """Every option ``run`` names exists in ``parser``, and its literal values parse."""
    known = set(parser._option_string_actions)
    for group in re.findall(r"(--[\w-]+)((?:\s+[^\s\[\]`;-][^\s\[\]`;]*)*)", run):
        option, values = group[0], group[1].split()
        assert option in known, (
            f"{name}: the Run: line names {option}, which its parser lacks ({sorted(known)})"
        )
        if values and not any(_METAVAR.match(v) for v in values):
            for alternative in zip(*[v.split("|") for v in values]) if "|" in "".join(values) else [values]:
                parser.parse_args([option, *alternative])  # exits (SystemExit) on a wrong value


@pytest.mark.parametrize("name", _example_files())
def test_run_line_matches_the_examples_argparse(name, monkeypatch):
    """Each example's docstring says how to run it; every option it names exists and its
    literal values (``--study sizes|fig6``, ``--batch-sizes 1 64``) parse."""
    module = _load(name)
    run = _run_lines(module.__doc__)
    assert f"python examples/{name}.py" in run, f"the Run: line of {name} runs another file: {run!r}"
    _check_command(name, run, _parser_of(module, monkeypatch))


def test_example_commands_in_the_docs_match_their_argparse(monkeypatch):
    """The README and the user guide quote example commands too (``--study dual --folds 1``)."""
    pages = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.rst"))]
    commands = [
        (m.group(1), m.group(0))
        for page in pages
        if "_build" not in page.parts
        for m in re.finditer(r"python examples/(\w+)\.py[^`\n]*", page.read_text())
    ]
    assert len(commands) >= 4
    for name, command in commands:
        _check_command(name, command, _parser_of(_load(name), monkeypatch))


def test_run_line_check_catches_a_wrong_option(monkeypatch):
    module = _load("esc10_protocol")
    parser = _parser_of(module, monkeypatch)
    _check_command("esc10_protocol", "python examples/esc10_protocol.py [--data DIR] [--sr 22050]", parser)
    with pytest.raises(AssertionError, match="--nope"):
        _check_command("esc10_protocol", "python examples/esc10_protocol.py [--nope N]", parser)
    with pytest.raises(SystemExit):  # a literal value the option refuses
        _check_command("esc10_protocol", "python examples/esc10_protocol.py --sr fast", parser)
    assert _run_lines("x\n\nRun::\n\n    python examples/a.py [--b 1]\n\nmore").endswith("[--b 1]")


def test_figures_page_quotes_only_the_numbers_the_figures_script_writes():
    """Every number beside the figures is a substitution from the script's ``numbers.inc``."""
    module = _load("plot_spectrogram_figures")
    page = (REPO / "docs" / "user_guide" / "figures.rst").read_text()
    assert ".. include:: ../_static/figures/numbers.inc" in page
    committed = (REPO / "docs" / "_static" / "figures" / "numbers.inc").read_text()
    defined = set(re.findall(r"^\.\. \|figures_(\w+)\| replace::", committed, flags=re.M))
    assert defined == set(module.NUMBERS)
    used = set(re.findall(r"\|figures_(\w+)\|", page))
    assert used <= defined and {"accuracy", "nmf_r2", "gradcam"} <= used
    assert module.numbers_rst({"accuracy": "0.50"}).endswith(".. |figures_accuracy| replace:: 0.50\n")


def test_figures_script_draws_the_figures_and_writes_their_numbers(tmp_path, capsys):
    """A quick run (synthetic events, one clip per class and fold, one epoch)."""
    module = _load("plot_spectrogram_figures")
    out = tmp_path / "figures"
    numbers = module.main(["--data", str(tmp_path), "--out", str(out), "--per-class", "1", "--epochs", "1"])
    assert sorted(p.name for p in out.iterdir()) == [
        "interpret_gradcam.png",
        "interpret_reconstruction.png",
        "logmel.png",
        "numbers.inc",
        "pooled.png",
    ]
    assert (
        numbers["n_train"] == "16" and numbers["n_test"] == "4" and numbers["source"].startswith("synthetic")
    )
    assert f".. |figures_accuracy| replace:: {numbers['accuracy']}" in (out / "numbers.inc").read_text()
