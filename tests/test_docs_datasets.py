"""The data sets guide's examples run as written, each on the layout it generates."""

import re
import tempfile
import warnings

import numpy as np

from tests.conftest import REPO


def _blocks():
    text = (REPO / "docs" / "user_guide" / "datasets.rst").read_text()
    blocks = re.findall(r"\.\. code-block:: python\n\n((?:    .*\n|\n)+)", text)
    return [re.sub(r"(?m)^    ", "", b) for b in blocks]


def test_every_loader_has_a_runnable_example():
    code = "\n".join(_blocks())
    for name in [
        "load_urbansound8k",
        "load_ravdess",
        "load_cremad",
        "load_gtzan",
        "load_fsdd",
        "load_speech_commands",
        "load_voxceleb1",
        "load_vggsound",
    ]:
        assert f"{name}(" in code, f"the guide has no runnable example of {name}"


def test_datasets_guide_examples_run(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the examples' mkdtemp() lands here
    namespace = {}  # one session, as a reader pasting the blocks in order
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for block in _blocks():
            exec(compile(block, "datasets.rst", "exec"), namespace)
    ns = namespace
    assert ns["rav"].data.shape == (24, 8000) and len(ns["scores"]["test_score"]) == 3
    assert len(ns["fold_scores"]["test_score"]) == 3 and ns["us"].data.shape == (12, 8000)
    assert ns["gt"].frame.groupby("split").size().to_dict() == {"test": 3, "train": 3, "validation": 3}
    ((train, valid),) = ns["protocol_cv"](ns["gt"], test="validation").split(ns["gt"].data)
    assert set(ns["gt"].split[train]) == {"train"} and set(ns["gt"].split[valid]) == {"validation"}
    assert ns["fsdd"].data.shape == (18, 4000)
    assert [len(set(ns["fsdd"].speaker[te])) for _, te in ns["by_speaker"].split(ns["fsdd"].data)] == [
        1,
        1,
        1,
    ]
    assert sorted(ns["sc"].split) == ["test", "test", "train", "train", "validation", "validation"]
    assert ns["features"].shape[0] == 8 and isinstance(ns["features"], np.memmap)
    assert len(ns["vgg"].filenames) == 3
    assert any("1 metadata rows whose audio is missing" in str(w.message) for w in caught)
    out = capsys.readouterr().out
    assert "(24, 8000)" in out
