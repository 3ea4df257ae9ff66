"""Packaging: PEP 621 metadata in pyproject.toml, the licence text shipped, code formatted."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def source_tree():
    if not (ROOT / "pyproject.toml").is_file() or not (ROOT / "skaudio").is_dir():
        pytest.skip("not a source checkout (tests run from an installed package)")
    return ROOT


def test_license_text_is_bsd3_and_declared(source_tree):
    text = (source_tree / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("BSD 3-Clause License")
    assert "Copyright (c) 2026, skaudio developers" in text
    assert "Neither the name of the copyright holder" in text  # the third clause

    project = tomllib.loads((source_tree / "pyproject.toml").read_text())["project"]
    assert project["license"] == "BSD-3-Clause"
    assert project["license-files"] == ["LICENSE"]  # declared, so wheels and sdists carry the text


def test_metadata_is_pep621_only(source_tree):
    """One home for the metadata: pyproject.toml; no setup.py or setup.cfg beside it."""
    assert not (source_tree / "setup.py").exists()
    assert not (source_tree / "setup.cfg").exists()
    meta = tomllib.loads((source_tree / "pyproject.toml").read_text())
    project = meta["project"]
    assert project["name"] == "skaudio"
    assert project["dynamic"] == ["version"]
    assert meta["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "skaudio.__version__"}
    deps = {d.split(">")[0].split("<")[0].split("=")[0]: d for d in project["dependencies"]}
    # ranges only: the exact torch build lives in constraints.txt
    assert not any("==" in d for d in deps.values())
    assert "torch==" in (source_tree / "constraints.txt").read_text()
    # private scikit-learn helpers are used, so the range has an upper bound
    assert "<" in deps["scikit-learn"]
    assert project["scripts"]["skaudio"] == "skaudio.cli:main"


def test_installed_metadata_matches_pyproject(source_tree):
    from importlib.metadata import metadata, version

    import skaudio

    assert version("skaudio") == skaudio.__version__
    assert metadata("skaudio")["Requires-Python"] == ">=3.10"


@pytest.mark.skipif(shutil.which("ruff") is None, reason="ruff is a test extra")
@pytest.mark.parametrize("args", [["check", "."], ["format", "--check", "."]], ids=["lint", "format"])
def test_ruff_clean(source_tree, args):
    out = subprocess.run(
        [sys.executable, "-m", "ruff", *args], cwd=source_tree, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stdout + out.stderr
