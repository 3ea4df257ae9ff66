"""load_speech_commands: word folders, the validation/testing lists as split, speakers."""

import os

import pytest

from skaudio.datasets import load_speech_commands, protocol_cv
from tests.datasets.layouts import SC_SPEAKERS, SR, make_speech_commands, wav


@pytest.fixture
def root(tmp_path):
    return make_speech_commands(tmp_path / "speech_commands_v0.02")


def test_split_speakers_words(root):
    sc = load_speech_commands(root, sr=SR, duration=0.1)
    assert sc.data.shape == (24, SR // 10)
    assert list(sc.target_names) == ["no", "up", "yes"]  # _background_noise_ is not a word
    assert dict(sc.frame.groupby("split").size()) == {"train": 12, "validation": 6, "test": 6}
    assert set(sc.speaker[sc.split == "validation"]) == {SC_SPEAKERS[2]}
    assert set(sc.speaker[sc.split == "test"]) == {SC_SPEAKERS[3]}
    assert sc.frame.iloc[0].filename == "no/0a7c2a8d_nohash_0.wav"
    ((train, test),) = protocol_cv(sc).split(sc.data)
    assert len(train) == 18 and set(sc.split[test]) == {"test"}
    ((train, val),) = protocol_cv(sc, test="validation").split(sc.data)
    assert len(train) == 12 and set(sc.split[val]) == {"validation"}


def test_word_and_split_selection(root):
    sc = load_speech_commands(root, words=["yes"], splits="test", audio=False)
    assert len(sc.target) == 2 and set(sc.frame.word) == {"yes"}
    assert list(sc.target_names) == ["no", "up", "yes"] and set(sc.target) == {2}  # indices stay the same
    with pytest.raises(ValueError, match="unknown"):
        load_speech_commands(root, words=["maybe"])
    with pytest.raises(ValueError, match="splits"):
        load_speech_commands(root, splits="dev")


@pytest.mark.parametrize(
    "entry, match",
    [
        ("../outside.wav", "validation_list.txt, line 2: the file name '../outside.wav' leads outside"),
        ("/etc/passwd", "validation_list.txt, line 2: the file name '/etc/passwd' leads outside"),
    ],
)
def test_list_entries_outside_the_folder_are_refused(root, entry, match):
    wav(root.parent / "outside.wav")
    (root / "validation_list.txt").write_text(f"yes/{SC_SPEAKERS[2]}_nohash_0.wav\n{entry}\n")
    for on_missing in ("raise", "skip"):
        with pytest.raises(ValueError, match=match):
            load_speech_commands(root, audio=False, on_missing=on_missing)


def test_lists_checked(root):
    os.remove(root / "yes" / f"{SC_SPEAKERS[3]}_nohash_1.wav")
    with pytest.raises(FileNotFoundError, match=f"testing_list.txt .*yes/{SC_SPEAKERS[3]}_nohash_1.wav"):
        load_speech_commands(root, audio=False)
    with pytest.warns(UserWarning, match="testing_list.txt"):
        sc = load_speech_commands(root, audio=False, on_missing="skip")
    assert len(sc.target) == 23
    (root / "testing_list.txt").write_text(f"yes/{SC_SPEAKERS[3]}_nohash_0.wav\n")
    (root / "validation_list.txt").write_text(f"yes/{SC_SPEAKERS[3]}_nohash_0.wav\n")
    with pytest.raises(ValueError, match="in both validation_list.txt and testing_list.txt"):
        load_speech_commands(root, audio=False)
    os.remove(root / "testing_list.txt")
    with pytest.raises(FileNotFoundError, match="testing_list.txt"):
        load_speech_commands(root, audio=False)


def test_bad_file_name_is_named(root):
    wav(root / "yes" / "nothash.wav")
    with pytest.raises(ValueError, match="nothash.wav: not a Speech Commands file name"):
        load_speech_commands(root, audio=False)
