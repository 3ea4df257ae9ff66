"""load_cremad: ActorID_Sentence_Emotion_Level.wav, and a split that keeps actors apart."""

import os

import pytest

from skaudio.datasets import load_cremad, protocol_cv
from tests.datasets.layouts import make_cremad, wav


@pytest.fixture
def root(tmp_path):
    return make_cremad(tmp_path / "CREMA-D")


def test_names_become_columns(root):
    cre = load_cremad(root, audio=False)
    assert len(cre.target) == 12 and sorted(set(cre.actor)) == [1001, 1002, 1003]
    assert list(cre.target_names) == ["ANG", "DIS", "FEA", "HAP", "NEU", "SAD"]
    first = cre.frame.iloc[0]
    assert (first.filename, first.actor, first.sentence, first.emotion, first.level, first.target) == (
        "AudioWAV/1001_DFA_ANG_HI.wav",
        1001,
        "DFA",
        "ANG",
        "HI",
        0,
    )
    assert sorted(set(cre.level)) == ["HI", "LO", "MD", "XX"]
    for train, test in protocol_cv(cre).split(cre.filenames):
        assert len(set(cre.actor[test])) == 1 and not set(cre.actor[train]) & set(cre.actor[test])


@pytest.mark.parametrize(
    "name, match",
    [
        ("1001_XYZ_ANG_HI.wav", "sentence 'XYZ'"),
        ("1001_DFA_JOY_HI.wav", "emotion 'JOY'"),
        ("1001_DFA_ANG_ZZ.wav", "level 'ZZ'"),
        ("0999_DFA_ANG_HI.wav", "ActorID '0999'"),
        ("1001_DFA_ANG.wav", "not a CREMA-D file name"),
    ],
)
def test_bad_file_names_are_named(root, name, match):
    wav(root / "AudioWAV" / name)
    with pytest.raises(ValueError, match=rf"{name}: .*{match}|{name}: {match}"):
        load_cremad(root, audio=False)


def test_missing_audio_folder(tmp_path, root):
    os.rename(root / "AudioWAV", root / "audio")
    with pytest.raises(FileNotFoundError, match="AudioWAV"):
        load_cremad(root)
