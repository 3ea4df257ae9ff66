"""Packaging: PEP 621 metadata in pyproject.toml, the licence text shipped, code formatted."""

import ast
import os
import shutil
import subprocess
import sys
import zipfile
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
    """One home for the metadata: pyproject.toml; setup.py only calls setup(), no setup.cfg."""
    setup_py = ast.parse((source_tree / "setup.py").read_text(encoding="utf-8"))
    calls = [n for n in ast.walk(setup_py) if isinstance(n, ast.Call)]
    assert [ast.unparse(c) for c in calls] == ["setup()"]  # no metadata passed in code
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
    # private scikit-learn helpers and numba internals are used, so their ranges have upper bounds
    assert "<" in deps["scikit-learn"]
    assert "<" in deps["numba"]
    # ONNX export needs optional packages only; the test extra has them so the tests run
    extras = project["optional-dependencies"]
    export = {d.split(">")[0] for d in extras["export"]}
    assert export == {"onnx", "onnxscript", "onnxruntime"} and not export & set(deps)
    assert export <= {d.split(">")[0] for d in extras["test"]}
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


def test_setup_py_version(source_tree):
    """`python setup.py --version` reads the version from pyproject.toml's metadata."""
    import skaudio

    out = subprocess.run(
        [sys.executable, "setup.py", "--version"], cwd=source_tree, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == skaudio.__version__


def test_py_typed_is_declared_package_data(source_tree):
    """PEP 561 marker: present, and declared so that wheels carry it."""
    assert (source_tree / "skaudio" / "py.typed").is_file()
    meta = tomllib.loads((source_tree / "pyproject.toml").read_text())
    assert "py.typed" in meta["tool"]["setuptools"]["package-data"]["skaudio"]


def _copy_sources(source_tree, dest):
    """The files a build reads, without caches or earlier build output."""
    dest.mkdir(parents=True)
    for name in ("pyproject.toml", "setup.py", "README.md", "LICENSE"):
        shutil.copy2(source_tree / name, dest / name)
    shutil.copytree(source_tree / "skaudio", dest / "skaudio", ignore=shutil.ignore_patterns("__pycache__"))
    return dest


@pytest.mark.slow
def test_wheel_and_pip_install(source_tree, tmp_path):
    """`pip wheel .` ships py.typed and every module; `pip install .` installs an importable package.

    Built from a copy of the sources (a build writes build/ and *.egg-info beside them),
    without build isolation: the test needs no network; setuptools is that of this
    environment.
    """
    import skaudio

    src = _copy_sources(source_tree, (tmp_path / "src").resolve())
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    out = subprocess.run(
        [*pip, "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(tmp_path / "whl"), str(src)],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    (wheel,) = (tmp_path / "whl").glob("skaudio-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "skaudio/py.typed" in names
    modules = {str(p.relative_to(src)) for p in (src / "skaudio").rglob("*.py")}
    assert modules <= names
    assert not any(n.startswith("tests/") for n in names)

    site = tmp_path / "site"
    out = subprocess.run(
        [*pip, "install", "-q", "--no-deps", "--no-build-isolation", "--target", str(site), str(src)],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert (site / "skaudio" / "py.typed").is_file()
    code = "import skaudio, importlib.metadata as m; print(skaudio.__file__, m.version('skaudio'))"
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,  # not the source tree, whose skaudio would win
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(site)},
    )
    assert out.returncode == 0, out.stderr[-2000:]
    where, version = out.stdout.split()
    assert Path(where).is_relative_to(site) and version == skaudio.__version__
