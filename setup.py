"""Build shim: all metadata lives in pyproject.toml (PEP 621), read by setuptools.

Kept for the tools and habits that still call ``setup.py`` (``python setup.py --version``);
``pip install .`` goes through pyproject.toml's build backend either way. Add nothing here.
"""

from setuptools import setup

setup()
