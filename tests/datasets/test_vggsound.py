"""load_vggsound: the header-less CSV, its split, malformed rows, the clips' naming."""

import os

import pytest

from skaudio.datasets import load_vggsound, protocol_cv
from tests.datasets.layouts import SR, VGG_ROWS, make_vggsound, write_csv


@pytest.fixture
def root(tmp_path):
    return make_vggsound(tmp_path / "vggsound")


def test_rows_labels_split(root):
    vgg = load_vggsound(root)
    assert vgg.data is None and len(vgg.target) == 5  # audio=False by default: the set is large
    assert list(vgg.target_names) == [
        "female speech, woman speaking",
        "people marching",
        "waterfall burbling",
    ]
    assert list(vgg.split) == ["test", "train", "train", "train", "test"]
    assert vgg.filenames[0].endswith(os.path.join("audio", "---g-f_I2yQ_000001.wav"))
    ((train, test),) = protocol_cv(vgg).split(vgg.filenames)
    assert train.tolist() == [1, 2, 3] and test.tolist() == [0, 4]
    clips = load_vggsound(root, audio=True, splits="test", sr=SR, duration=0.5)
    assert clips.data.shape == (2, SR // 2)
    with pytest.raises(ValueError, match="no training rows"):
        protocol_cv(clips)


@pytest.mark.parametrize(
    "row, match",
    [
        (["abc", "x", "dog", "train"], "line\\(s\\) \\[6\\]"),
        (["abc", "1", "dog", "dev"], "line\\(s\\) \\[6\\]"),
        (["abc", "1.5", "dog", "test"], "line\\(s\\) \\[6\\]"),
        (["abc", "1", "", "test"], "line\\(s\\) \\[6\\]"),
        (["abc", "1", "dog"], "line\\(s\\) \\[6\\]"),
        (["abc", "1", "dog", "test", "extra"], "vggsound.csv"),
        (VGG_ROWS[0], "same clip .* line\\(s\\) \\[6\\]"),
    ],
)
def test_malformed_rows_are_named(root, row, match):
    write_csv(root / "vggsound.csv", [*VGG_ROWS, row])
    with pytest.raises(ValueError, match=match):
        load_vggsound(root)


def test_a_header_is_a_bad_row(root):
    write_csv(root / "vggsound.csv", [["youtube_id", "start_seconds", "label", "split"], *VGG_ROWS])
    with pytest.raises(ValueError, match="line\\(s\\) \\[1\\]"):
        load_vggsound(root)


def test_missing_metadata_and_clips(root):
    os.remove(root / "audio" / "-0BIyqJj9ZU_000030.wav")
    with pytest.raises(FileNotFoundError, match="1 of 5 .*-0BIyqJj9ZU_000030.wav"):
        load_vggsound(root)
    with pytest.warns(UserWarning, match="-0BIyqJj9ZU_000030.wav"):
        assert len(load_vggsound(root, on_missing="skip").target) == 4
    os.remove(root / "vggsound.csv")
    with pytest.raises(FileNotFoundError, match="vggsound.csv"):
        load_vggsound(root)


def test_filename_format(root):
    for name in os.listdir(root / "audio"):
        os.rename(root / "audio" / name, root / "audio" / name.replace(".wav", ".flac"))
    vgg = load_vggsound(root, filename_format="audio/{youtube_id}_{start_seconds:06d}.flac")
    assert len(vgg.target) == 5
    with pytest.raises(ValueError, match="filename_format"):
        load_vggsound(root, filename_format="{video}.wav")
    with pytest.raises(
        ValueError, match=r"vggsound.csv, line 1: the file name '../---g-f_I2yQ.wav' leads outside"
    ):
        load_vggsound(root, filename_format="../{youtube_id}.wav")
    write_csv(root / "vggsound.csv", [["../../etc/passwd", "1", "dog", "train"], *VGG_ROWS])
    with pytest.raises(ValueError, match="line 1: the file name .* leads outside"):
        load_vggsound(root, filename_format="{youtube_id}")
