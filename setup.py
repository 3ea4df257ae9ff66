"""Packaging for skaudio (setuptools).

Dependencies are given as ranges here; the exact torch build used by the
README's commands is pinned in ``constraints.txt`` so that a fresh machine
installs the CPU wheel instead of the multi-gigabyte CUDA build.
"""
import re
from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).parent
VERSION = re.search(
    r'__version__ = "([^"]+)"', (HERE / "skaudio" / "__init__.py").read_text()
).group(1)

INSTALL_REQUIRES = [
    "numpy>=1.24",
    "scipy>=1.10",
    "scikit-learn>=1.6",
    "pandas>=2.0",
    "librosa>=0.10",
    "numba>=0.59",
    "rocket-fft>=0.2.5",
    "torch>=2.2,<3",
    "skorch>=1.0",
    "soundfile>=0.12",
    "soxr>=0.3",
    "pooch>=1.7",
    "tqdm>=4.60",
    "scikit-image>=0.22",
    "PyWavelets>=1.5",
    "threadpoolctl>=3.1",
]

EXTRAS = {
    "test": ["pytest>=7", "pytest-xdist>=3", "hypothesis>=6", "matplotlib>=3.7", "dask[distributed]>=2024.1"],
    "docs": ["sphinx>=7", "numpydoc>=1.6", "matplotlib>=3.7"],
    "bench": ["asv>=0.6"],
    "plot": ["matplotlib>=3.7"],
    "dask": ["dask[distributed]>=2024.1"],
}

setup(
    name="skaudio",
    version=VERSION,
    description=(
        "scikit-learn compatible audio features, pooling, preservation metrics "
        "and torch models for audio classification research"
    ),
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="BSD-3-Clause",
    license_files=["LICENSE"],  # the text ships in the wheel's dist-info and the sdist
    python_requires=">=3.10",
    packages=find_packages(include=["skaudio", "skaudio.*"]),
    install_requires=INSTALL_REQUIRES,
    extras_require=EXTRAS,
    entry_points={"console_scripts": ["skaudio=skaudio.cli:main"]},
    classifiers=[
        "Programming Language :: Python :: 3",
        "Topic :: Multimedia :: Sound/Audio :: Analysis",
        "Topic :: Scientific/Engineering :: Artificial Intelligence",
    ],
)
