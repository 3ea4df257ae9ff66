"""The descriptors guide's examples run as written, in page order, and say what they show."""

import re

import numpy as np

from tests.conftest import REPO


def test_descriptors_guide_examples_run():
    text = (REPO / "docs" / "user_guide" / "descriptors.rst").read_text()
    blocks = re.findall(r"\.\. code-block:: python\n\n((?:    .*\n|\n)+)", text)
    assert len(blocks) >= 5, "the guide lost runnable examples"
    namespace = {}  # one session, as a reader pasting the blocks in order
    for block in blocks:
        exec(compile(re.sub(r"(?m)^    ", "", block), "descriptors.rst", "exec"), namespace)
    ns = namespace
    assert ns["M"].shape == (4, 13, 44)
    np.testing.assert_allclose(ns["M_again"], ns["M"], atol=1e-3)
    assert ns["D"].shape == (4, 39, 44) and ns["table"].shape == (4, 78)
    assert ns["C"].shape == (4, 12, 44) and (ns["C"].mean(axis=2).argmax(axis=1) == 9).all()  # A
    assert list(ns["F"].columns[:2]) == ["centroid_mean", "centroid_std"] and ns["F"].shape == (4, 26)
    assert ns["harmonic"].shape == ns["percussive"].shape == ns["S"].shape
    assert ns["percussive"].sum() < ns["harmonic"].sum()  # the tone carries most energy
