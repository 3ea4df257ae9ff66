"""load_voxceleb1: iden_split.txt as split, speakers and videos, malformed lines named."""

import os

import pytest

from skaudio.datasets import load_voxceleb1, protocol_cv
from tests.datasets.layouts import SR, make_voxceleb1, wav


@pytest.fixture
def root(tmp_path):
    return make_voxceleb1(tmp_path / "voxceleb1")


def test_split_speakers_videos(root):
    vox = load_voxceleb1(root)
    assert vox.data is None and len(vox.target) == 18  # audio=False by default: the set is large
    assert list(vox.target_names) == ["id10001", "id10002", "id10003"]
    assert dict(vox.frame.groupby("split").size()) == {"train": 12, "validation": 3, "test": 3}
    assert set(vox.video) == {"1zcIwhmdeo4", "7w0IBEWc9Qw"}
    assert vox.frame.iloc[0].filename == "id10001/1zcIwhmdeo4/00001.wav"
    ((train, test),) = protocol_cv(vox).split(vox.filenames)
    assert set(vox.split[test]) == {"test"} and len(train) == 15
    read = load_voxceleb1(root, audio=True, splits=["test"], sr=SR, duration=0.1)
    assert read.data.shape == (3, SR // 10) and set(read.split) == {"test"}
    folds = list(protocol_cv(vox, by="speaker").split(vox.filenames))  # unseen speakers (verification)
    assert len(folds) == 3 and all(not set(vox.speaker[tr]) & set(vox.speaker[te]) for tr, te in folds)


@pytest.mark.parametrize(
    "line",
    [
        "4 id10001/1zcIwhmdeo4/00001.wav",
        "1 id1001/1zcIwhmdeo4/00001.wav",
        "1",
        "1 ../outside.wav",
        "1 /etc/passwd",
        "1 id10001/x/../../../outside.wav",
        "train id10001/1zcIwhmdeo4/00001.wav",
    ],
)
def test_malformed_lines_are_named(root, line):
    with open(root / "iden_split.txt", "a") as f:
        f.write(line + "\n")
    with pytest.raises(ValueError, match=r"iden_split.txt, line 19: .* is not '<1\|2\|3>"):
        load_voxceleb1(root)


def test_split_file_argument_and_errors(root, tmp_path):
    os.rename(root / "iden_split.txt", tmp_path / "my_split.txt")
    with pytest.raises(FileNotFoundError, match="iden_split.txt"):
        load_voxceleb1(root)
    assert len(load_voxceleb1(root, split_file=tmp_path / "my_split.txt").target) == 18
    (tmp_path / "dup.txt").write_text("1 id10001/a/00001.wav\n\n3 id10001/a/00001.wav\n")
    wav(root / "wav" / "id10001" / "a" / "00001.wav")
    with pytest.raises(ValueError, match=r"more than once.*\[\[3, 'id10001/a/00001.wav'\]\]"):
        load_voxceleb1(root, split_file=tmp_path / "dup.txt")


def test_missing_audio(root):
    os.remove(root / "wav" / "id10002" / "7w0IBEWc9Qw" / "00002.wav")
    with pytest.raises(FileNotFoundError, match="id10002/7w0IBEWc9Qw/00002.wav"):
        load_voxceleb1(root)
    with pytest.warns(UserWarning, match="id10002/7w0IBEWc9Qw/00002.wav"):
        assert len(load_voxceleb1(root, on_missing="skip").target) == 17
