"""load_ravdess: the seven file-name codes, channels, and a split that keeps actors apart."""

import numpy as np
import pytest

from skaudio.datasets import load_ravdess, protocol_cv
from tests.datasets.layouts import SR, make_ravdess, ravdess_name, wav


@pytest.fixture
def root(tmp_path):
    return make_ravdess(tmp_path / "ravdess")


def test_codes_become_columns(root):
    rav = load_ravdess(root, audio=False)
    assert len(rav.target) == 20 and set(rav.frame.vocal_channel) == {"speech"}
    assert sorted(set(rav.actor)) == [1, 2, 3, 4]
    assert dict(zip(rav.actor, rav.sex)) == {1: "male", 2: "female", 3: "male", 4: "female"}
    assert sorted(set(rav.emotion)) == ["angry", "happy", "neutral"]
    assert list(rav.target_names) == [
        "neutral",
        "calm",
        "happy",
        "sad",
        "angry",
        "fearful",
        "disgust",
        "surprised",
    ]
    row = rav.frame[rav.frame.filename == "Actor_03/03-01-05-02-01-01-03.wav"].iloc[0]
    assert (row.emotion, row.intensity, row.statement, row.repetition, row.actor, row.target) == (
        "angry",
        "strong",
        1,
        1,
        3,
        4,
    )
    assert (rav.frame.groupby("actor").size() == 5).all()


def test_channels(root):
    song = load_ravdess(root, channel="song", sr=SR, duration=0.1)
    assert song.data.shape == (1, SR // 10) and list(song.frame.statement) == [2]
    assert len(load_ravdess(root, channel="both", audio=False).target) == 21
    with pytest.raises(ValueError, match="channel"):
        load_ravdess(root, channel="video")


def test_variable_lengths_come_as_a_list(root):
    wav(root / "Actor_02" / ravdess_name(1, 1, 1, 1, 1, 2), n=SR // 5)  # longer than the others
    rav = load_ravdess(root, sr=SR)
    assert isinstance(rav.data, list) and len(rav.data) == 20
    assert sorted({len(x) for x in rav.data}) == [SR // 10, SR // 5]


@pytest.mark.parametrize(
    "name, match",
    [
        ("03-01-09-01-01-01-01.wav", "emotion code 09"),
        ("01-01-03-01-01-01-01.wav", "modality code 01"),
        ("03-01-03-03-01-01-01.wav", "intensity code 03"),
        ("03-01-03-01-01-01-25.wav", "actor code 25"),
        ("03-01-03-01-01-01-02.wav", "actor code 02 .* Actor_01"),
        ("notes.wav", "not a RAVDESS file name"),
        ("03-01-03-01-01-01.wav", "not a RAVDESS file name"),
    ],
)
def test_bad_file_names_are_named(root, name, match):
    wav(root / "Actor_01" / name)
    with pytest.raises(ValueError, match=rf"{name}.*{match}|{match}"):
        load_ravdess(root, audio=False)


def test_split_by_actor_never_shares_an_actor(root):
    rav = load_ravdess(root, audio=False)
    for cv, n_folds in ((protocol_cv(rav), 4), (protocol_cv(rav, n_splits=2), 2)):
        splits = list(cv.split(rav.filenames))
        assert len(splits) == n_folds
        for train, test in splits:
            assert not set(rav.actor[train]) & set(rav.actor[test])
        assert np.sort(np.concatenate([t for _, t in splits])).tolist() == list(range(20))


def test_the_same_file_twice(root):
    wav(root / "copy" / "Actor_01" / ravdess_name(1, 1, 1, 1, 1, 1))
    with pytest.raises(ValueError, match="more than once.*Actor_01/03-01-01-01-01-01-01.wav"):
        load_ravdess(root, audio=False)
