"""Sphinx configuration for skaudio's documentation."""
import os
import sys

sys.path.insert(0, os.path.abspath(".."))
import skaudio  # noqa: E402

project = "skaudio"
author = "skaudio developers"
copyright = "2026, skaudio developers"
release = skaudio.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
]
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_validation_checks = set()
autodoc_default_options = {"members": True, "inherited-members": False}
autodoc_typehints = "none"
intersphinx_mapping = {}  # no network at build time
templates_path = []
exclude_patterns = ["_build"]
html_theme = "alabaster"
html_static_path = []
nitpicky = False
