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
