"""Packaging: the licence text is shipped, not only named."""
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def source_tree():
    if not (ROOT / "setup.py").is_file():
        pytest.skip("not a source checkout (tests run from an installed package)")
    return ROOT


def test_license_text_is_bsd3_and_declared(source_tree):
    text = (source_tree / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("BSD 3-Clause License")
    assert "Copyright (c) 2026, skaudio developers" in text
    assert "Neither the name of the copyright holder" in text  # the third clause

    from distutils.core import run_setup  # setuptools' copy of distutils

    dist = run_setup(str(source_tree / "setup.py"), stop_after="init")
    assert dist.metadata.get_license() == "BSD-3-Clause"
    assert dist.metadata.license_files == ["LICENSE"]  # declared, so wheels and sdists carry the text
