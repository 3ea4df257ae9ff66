"""Sphinx configuration for skaudio's documentation."""

import os
import sys

sys.path.insert(0, os.path.abspath(".."))
sys.path.insert(0, os.path.abspath("_ext"))  # local extensions (metric_table)
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
    "metric_table",
]
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_validation_checks = set()
# scikit-learn generates metadata-routing setters on every estimator; their docstrings
# point into scikit-learn's own glossary, so they stay out of our reference.
autodoc_default_options = {
    "members": True,
    "inherited-members": False,
    "exclude-members": ",".join(
        [
            f"set_{m}_request"
            for m in (
                "fit",
                "transform",
                "score",
                "predict",
                "predict_proba",
                "partial_fit",
                "inverse_transform",
                "split",
                "decision_function",
            )
        ]
        + ["get_metadata_routing", "set_output", "set_params", "get_params"]
    ),
}
autodoc_typehints = "none"
intersphinx_mapping = {}  # no network at build time
templates_path = []
exclude_patterns = ["_build"]
html_theme = "alabaster"
html_static_path = []
# Every cross-reference must resolve (``make docs`` also passes -n -W). References to other
# projects' objects (numpy, scikit-learn, torch, skorch, librosa, ...) would resolve through
# intersphinx, but their inventories cannot be downloaded at build time here
# (intersphinx_mapping is empty), so those, and only those, are ignored by package name.
nitpicky = True
nitpick_ignore_regex = [
    (r"py:.*", r"(numpy|scipy|sklearn|torch|skorch|librosa|matplotlib|pandas|joblib|dask)(\..*)?"),
]
