import io
import re
import subprocess
import sys

import pytest

import skaudio
from skaudio.cli import main


def test_version_and_help():
    out = subprocess.run([sys.executable, "-m", "skaudio", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == f"skaudio {skaudio.__version__}"
    buf = io.StringIO()
    assert main([], out=buf) == 0
    assert "demo" in buf.getvalue()
    with pytest.raises(SystemExit):
        main(["--help"])


def test_demo_prints_scores_and_times():
    buf = io.StringIO()
    assert main(["demo", "--n-clips", "40", "--n-classes", "4", "--duration", "0.5"], out=buf) == 0
    text = buf.getvalue()
    assert "accuracy per fold" in text
    mean = float(re.search(r"mean (\d\.\d+)", text).group(1))
    assert 0.25 < mean <= 1.0
    assert re.search(r"total\s+\d+\.\d+ s", text)


def test_bad_subcommand():
    with pytest.raises(SystemExit):
        main(["nonsense"])


# -- pooling-report ----------------------------------------------------------------------
def _folder_with_bad_tail(root, n_good=2, n_bad=3, sr=8000):
    """``n_good`` readable clips, then (in sorted order) ``n_bad`` files that are not audio."""
    import numpy as np
    import soundfile as sf

    root.mkdir()
    rng = np.random.default_rng(0)
    for i in range(n_good):
        sf.write(root / f"a{i}.wav", (0.1 * rng.standard_normal(sr)).astype(np.float32), sr)
    for i in range(n_bad):
        (root / f"z{i}.wav").write_bytes(b"not audio at all" * 10)
    return root


def _report(argv, capsys):
    buf = io.StringIO()
    code = main(["pooling-report", "--methods", "average,max", *argv], out=buf)
    return code, buf.getvalue()


def test_pooling_report_reads_only_the_clips_it_uses(tmp_path, capsys):
    """--n-clips 2 reads two files: the unreadable files after them are never opened
    (before, every file of the folder was read first, then all but N dropped)."""
    folder = _folder_with_bad_tail(tmp_path / "clips")
    code, text = _report(["--data", f"folder:{folder}", "--n-clips", "2", "--duration", "0.5"], capsys)
    assert code == 0
    assert "2 clips" in text
    assert "log-mel 128 x 32 at 16000 Hz" in text  # 0.5 s at 16 kHz, hop 256: 32 frames


def test_pooling_report_esc50_reads_only_the_clips_it_uses(tmp_path, capsys):
    import pandas as pd

    from tests.datasets.test_esc50 import make_layout

    root = make_layout(tmp_path / "esc", n_per_class=1)
    names = pd.read_csv(root / "meta" / "esc50.csv")["filename"]
    for name in names[2:]:
        (root / "audio" / name).write_bytes(b"damaged")  # rows after the first two must not be read
    code, text = _report(["--data", f"esc50:{root}", "--n-clips", "2", "--duration", "0.25"], capsys)
    assert code == 0 and "2 clips" in text


@pytest.mark.parametrize(
    "data, message",
    [
        ("esc:somewhere", "expected esc50:PATH, esc10:PATH, folder:PATH or synthetic"),
        ("folder:{tmp}/missing", "is not a folder"),
        ("esc50:{tmp}", "has no meta/esc50.csv"),
        ("folder:{tmp}", "no audio files"),
    ],
)
def test_pooling_report_bad_data_is_a_one_line_error(tmp_path, capsys, data, message):
    with pytest.raises(SystemExit) as info:
        _report(["--data", data.format(tmp=tmp_path)], capsys)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert last.startswith("skaudio pooling-report: error: ") and message in last


def test_pooling_report_bad_file_is_a_one_line_error(tmp_path, capsys):
    folder = _folder_with_bad_tail(tmp_path / "clips")
    with pytest.raises(SystemExit) as info:
        _report(["--data", f"folder:{folder}", "--duration", "0.5"], capsys)
    assert info.value.code == 2
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith("skaudio pooling-report: error: could not read audio file") and "z0.wav" in last


@pytest.mark.parametrize("argv", [["--n-clips", "0"], ["--duration", "-1"], ["--duration", "x"]])
def test_pooling_report_refuses_non_positive_numbers(capsys, argv):
    with pytest.raises(SystemExit) as info:
        _report(argv, capsys)
    assert info.value.code == 2 and "expected a positive number" in capsys.readouterr().err


def test_plot_without_matplotlib_names_the_extra_before_computing(monkeypatch, tmp_path, capsys):
    import skaudio.metrics.report as report

    def must_not_run(*args, **kwargs):
        raise AssertionError("the report was computed before the missing matplotlib was reported")

    monkeypatch.setitem(sys.modules, "matplotlib", None)  # `import matplotlib` raises ImportError
    monkeypatch.setattr(report, "load_report_data", must_not_run)
    with pytest.raises(SystemExit) as info:
        _report(["--plot", str(tmp_path / "t.png")], capsys)
    assert info.value.code == 2
    assert 'pip install "skaudio[plot]"' in capsys.readouterr().err
    with pytest.raises(ImportError, match=r'pip install "skaudio\[plot\]"'):
        report.pooling_report_main("synthetic", plot=tmp_path / "t.png")


def test_demo_steps_print_their_label_before_they_run():
    from skaudio.cli import _Timer

    buf = io.StringIO()
    timer = _Timer(buf)
    seen = []
    assert timer("a slow first step", lambda: seen.append(buf.getvalue()) or 7) == 7
    assert "a slow first step" in seen[0]  # already on screen while the step ran
    assert re.search(r"a slow first step\s+\d+\.\d\d s\n$", buf.getvalue())
