"""What every loader promises, checked on each data set's miniature official layout.

Counts and labels, ``audio=False``, ``return_X_y``, a wrong folder, an unreadable clip
(``on_missing``), a symbolic link out of the folder, and nothing written into the folder.
Layout-specific checks (malformed metadata, split lists) are in test_<dataset>.py.
"""

import os
import shutil

import numpy as np
import pytest

from skaudio.datasets import (
    load_cremad,
    load_fsdd,
    load_gtzan,
    load_ravdess,
    load_speech_commands,
    load_urbansound8k,
    load_vggsound,
    load_voxceleb1,
)
from skaudio.datasets._paths import is_inside
from tests.datasets import layouts
from tests.datasets.layouts import SR, snapshot

#: name -> (builder, loader, extra kwargs, clips expected, label column, Bunch group entries)
CASES = {
    "urbansound8k": (layouts.make_urbansound8k, load_urbansound8k, {}, 18, "class", ["fold"]),
    "ravdess": (
        layouts.make_ravdess,
        load_ravdess,
        {},
        20,
        "emotion",
        ["actor", "sex", "emotion", "intensity", "statement"],
    ),
    "cremad": (layouts.make_cremad, load_cremad, {}, 12, "emotion", ["actor", "sentence", "level"]),
    "gtzan": (layouts.make_gtzan, load_gtzan, {}, 12, "genre", []),
    "fsdd": (layouts.make_fsdd, load_fsdd, {}, 24, "digit", ["speaker", "split"]),
    "speech_commands": (
        layouts.make_speech_commands,
        load_speech_commands,
        {},
        24,
        "word",
        ["speaker", "split"],
    ),
    "voxceleb1": (layouts.make_voxceleb1, load_voxceleb1, {}, 18, "speaker", ["speaker", "video", "split"]),
    "vggsound": (layouts.make_vggsound, load_vggsound, {}, 5, "label", ["split"]),
}


def build(name, tmp_path):
    builder, loader, kwargs, n, label, groups = CASES[name]
    root = builder(tmp_path / name)
    return root, (lambda **kw: loader(root, **{"sr": SR, "duration": 0.1, "audio": True, **kwargs, **kw}))


@pytest.mark.parametrize("name", CASES)
def test_counts_labels_groups_and_nothing_written(name, tmp_path):
    root, load = build(name, tmp_path)
    _, _, _, n, label, groups = CASES[name]
    before = snapshot(tmp_path)
    bunch = load()
    assert snapshot(tmp_path) == before  # nothing written, inside the data set or beside it
    assert bunch.data.shape == (n, SR // 10) and bunch.data.dtype == np.float32
    assert (
        bunch.target.dtype == np.int64 and len(bunch.target) == len(bunch.frame) == len(bunch.filenames) == n
    )
    assert bunch.sr == SR
    # target indexes target_names, and says the same as the label column
    assert [str(t) for t in bunch.target_names[bunch.target]] == [str(v) for v in bunch.frame[label]]
    for column in groups:
        assert list(bunch[column]) == list(bunch.frame[column])
    assert all(os.path.isfile(f) and is_inside(tmp_path / name, f) for f in bunch.filenames)
    assert isinstance(bunch.protocol, dict)


@pytest.mark.parametrize("name", CASES)
def test_audio_false_gives_metadata_and_paths(name, tmp_path):
    _, load = build(name, tmp_path)
    full = load()
    meta = load(audio=False)
    assert meta.data is None and meta.sr is None
    np.testing.assert_array_equal(meta.filenames, full.filenames)
    np.testing.assert_array_equal(meta.target, full.target)
    assert meta.frame.equals(full.frame)
    X, y = load(audio=False, return_X_y=True)
    np.testing.assert_array_equal(X, full.filenames)
    X, y = load(return_X_y=True)
    np.testing.assert_array_equal(X, full.data)
    np.testing.assert_array_equal(y, full.target)


@pytest.mark.parametrize("name", CASES)
def test_wrong_folder_and_arguments(name, tmp_path):
    _, loader = CASES[name][:2]
    with pytest.raises(FileNotFoundError, match="nowhere"):
        loader(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="empty"):
        loader(tmp_path / "empty")
    with pytest.raises(TypeError, match="data_home"):
        loader(3)
    root, load = build(name, tmp_path)
    with pytest.raises(ValueError, match="on_missing"):
        load(on_missing="ignore")
    with pytest.raises(TypeError, match="audio"):
        load(audio="no")


@pytest.mark.parametrize("name", CASES)
def test_unreadable_clip_is_named_or_skipped(name, tmp_path):
    _, load = build(name, tmp_path)
    first = load(audio=False)
    victim = first.filenames[1]
    with open(victim, "wb") as f:
        f.write(b"not audio at all" * 10)
    with pytest.raises(ValueError, match=os.path.basename(victim)):
        load()
    with pytest.warns(UserWarning, match=os.path.basename(victim)):
        kept = load(on_missing="skip")
    assert len(kept.target) == len(kept.frame) == len(first.target) - 1
    assert victim not in kept.filenames
    assert list(kept.filenames) == [f for i, f in enumerate(first.filenames) if i != 1]
    assert kept.frame.equals(first.frame.drop(index=1).reset_index(drop=True))


@pytest.mark.parametrize("name", CASES)
def test_symbolic_link_out_of_the_folder_is_refused(name, tmp_path):
    _, load = build(name, tmp_path)
    victim = load(audio=False).filenames[0]
    outside = layouts.wav(tmp_path / "elsewhere" / "secret.wav")
    os.remove(victim)
    os.symlink(outside, victim)
    for on_missing in ("raise", "skip"):  # skipping is no way round it
        with pytest.raises(ValueError, match=rf"{os.path.basename(victim)}.*leads outside"):
            load(audio=False, on_missing=on_missing)


@pytest.mark.parametrize("name", CASES)
def test_a_symbolic_link_inside_the_folder_is_kept(name, tmp_path):
    _, load = build(name, tmp_path)
    files = load(audio=False).filenames
    os.remove(files[0])
    shutil.copy(files[1], files[0] + ".real")  # a link to a file that stays inside
    os.symlink(files[0] + ".real", files[0])
    assert len(load().target) == len(files)
