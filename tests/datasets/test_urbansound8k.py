"""load_urbansound8k on a miniature official layout: metadata checks, folds, confinement."""

import os

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import LeaveOneGroupOut

from skaudio.datasets import load_urbansound8k, protocol_cv
from tests.datasets.layouts import SR, US8K_CLASSES, make_urbansound8k, wav

CSV = os.path.join("metadata", "UrbanSound8K.csv")


@pytest.fixture
def root(tmp_path):
    return make_urbansound8k(tmp_path / "UrbanSound8K")


def test_folds_classes_and_the_protocol(root):
    us = load_urbansound8k(root, sr=SR, duration=0.1)
    assert us.data.shape == (18, SR // 10)
    assert sorted(set(us.fold)) == [1, 2, 3] and np.bincount(us.fold).tolist() == [0, 6, 6, 6]
    assert sorted(set(us.target)) == sorted(US8K_CLASSES)
    # target_names is indexed by the official classID (absent ids are blank)
    assert len(us.target_names) == 7 and us.target_names[3] == "dog_bark" and us.target_names[0] == ""
    # each clip's audio is the one its row names (the builder wrote value 0.01 * (row + 1))
    np.testing.assert_allclose(us.data[:, 0], 0.01 * np.arange(1, 19), rtol=1e-6)
    assert all(
        f.endswith(os.path.join(f"fold{k}", n))
        for f, k, n in zip(us.filenames, us.fold, us.frame.slice_file_name)
    )
    cv = protocol_cv(us)
    expected = list(LeaveOneGroupOut().split(us.data, us.target, us.fold))
    got = list(cv.split(us.data, us.target))
    assert len(got) == 3
    for (a, b), (c, d) in zip(got, expected):
        np.testing.assert_array_equal(a, c)
        np.testing.assert_array_equal(b, d)


def test_fold_selection(root):
    us = load_urbansound8k(root, sr=SR, duration=0.1, folds=[2, 3], audio=False)
    assert len(us.target) == 12 and set(us.fold) == {2, 3}
    assert len(load_urbansound8k(root, folds=1, audio=False).target) == 6
    for bad in (0, 11, [], [1.5], True):
        with pytest.raises(ValueError, match="folds must be"):
            load_urbansound8k(root, folds=bad, audio=False)


def test_missing_metadata_is_named(root):
    os.remove(root / CSV)
    with pytest.raises(FileNotFoundError, match="UrbanSound8K.csv"):
        load_urbansound8k(root)


def _edit(root, fn):
    frame = pd.read_csv(root / CSV)
    fn(frame).to_csv(root / CSV, index=False)


@pytest.mark.parametrize(
    "edit, match",
    [
        (lambda f: f.drop(columns=["classID"]), "lacks the column"),
        (
            lambda f: f.assign(fold=f.fold.where(f.index != 4, 11)),
            r"'fold' must hold integers 1 to 10; line\(s\) \[6\]",
        ),
        (
            lambda f: f.assign(classID=f.classID.astype(object).where(f.index != 0, "x")),
            r"'classID'.*line\(s\) \[2\]",
        ),
        (
            lambda f: f.assign(slice_file_name=f.slice_file_name.where(f.index != 2, None)),
            r"empty .* line\(s\) \[4\]",
        ),
        (lambda f: pd.concat([f, f.iloc[:1]]), "more than once"),
        (lambda f: f.assign(**{"class": f["class"].where(f.index != 0, "siren")}), "inconsistently"),
    ],
)
def test_bad_rows_are_named(root, edit, match):
    _edit(root, edit)
    with pytest.raises(ValueError, match=match):
        load_urbansound8k(root, audio=False)


@pytest.mark.parametrize("content", [b"", b"\xff\xfe\x00garbage\x81\x82" * 50])
def test_unreadable_metadata_names_the_csv(root, content):
    (root / CSV).write_bytes(content)
    with pytest.raises(ValueError, match="UrbanSound8K.csv"):
        load_urbansound8k(root)


@pytest.mark.parametrize(
    "name", ["../outside.wav", "../fold2/2030-3-0-0.wav", "/etc/passwd", "a/../../../x.wav"]
)
def test_rows_naming_files_outside_their_fold_are_refused(root, name, tmp_path):
    wav(tmp_path / "UrbanSound8K" / "audio" / "outside.wav")
    _edit(root, lambda f: f.assign(slice_file_name=f.slice_file_name.where(f.index != 3, name)))
    for on_missing in ("raise", "skip"):
        with pytest.raises(ValueError, match=r"UrbanSound8K.csv, line 5: the file name .* leads outside"):
            load_urbansound8k(root, on_missing=on_missing, audio=False)


def test_missing_audio_raises_or_is_skipped(root):
    os.remove(root / "audio" / "fold2" / "2030-3-0-1.wav")
    with pytest.raises(FileNotFoundError, match=r"1 of 18 .*fold2/2030-3-0-1.wav"):
        load_urbansound8k(root, audio=False)
    with pytest.warns(UserWarning, match="fold2/2030-3-0-1.wav"):
        us = load_urbansound8k(root, sr=SR, duration=0.1, on_missing="skip")
    assert us.data.shape == (17, SR // 10) and "2030-3-0-1.wav" not in set(us.frame.slice_file_name)
