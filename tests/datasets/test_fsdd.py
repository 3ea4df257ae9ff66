"""load_fsdd: digit_speaker_index.wav, the README's split, and a split by speaker."""

import pytest

from skaudio.datasets import load_fsdd, protocol_cv
from tests.datasets.layouts import make_fsdd, wav


@pytest.fixture
def root(tmp_path):
    return make_fsdd(tmp_path / "free-spoken-digit-dataset")


def test_names_split_and_speakers(root):
    fsdd = load_fsdd(root, audio=False)
    assert len(fsdd.target) == 24 and sorted(set(fsdd.speaker)) == ["george", "theo"]
    assert list(fsdd.target_names) == [str(d) for d in range(10)] and sorted(set(fsdd.target)) == [0, 1, 2]
    assert sorted(fsdd.frame[fsdd.split == "test"]["index"].unique()) == [0, 1]  # the README: 0-4 test
    assert sorted(fsdd.frame[fsdd.split == "train"]["index"].unique()) == [5, 6]
    ((train, test),) = protocol_cv(fsdd).split(fsdd.filenames)
    assert set(fsdd.split[test]) == {"test"} and len(test) == 12
    assert set(fsdd.speaker[train]) == set(fsdd.speaker[test])  # the README split shares speakers
    folds = list(protocol_cv(fsdd, by="speaker").split(fsdd.filenames))
    assert len(folds) == 2 and all(len(set(fsdd.speaker[te])) == 1 for _, te in folds)
    assert all(not set(fsdd.speaker[tr]) & set(fsdd.speaker[te]) for tr, te in folds)


def test_a_folder_of_recordings(root):
    assert len(load_fsdd(root / "recordings", audio=False).target) == 24


@pytest.mark.parametrize("name", ["10_theo_1.wav", "3-theo-1.wav", "3_theo_x.wav", "3_th30_1.wav"])
def test_bad_file_names_are_named(root, name):
    wav(root / "recordings" / name)
    with pytest.raises(ValueError, match=rf"{name}: not an FSDD file name"):
        load_fsdd(root, audio=False)


def test_the_shared_sample(shared_data):
    """The real 300-file sample (six speakers, digits 0-9, recordings 0-4) beside the repository."""
    folder = shared_data / "fsdd_sample"
    if not folder.is_dir():
        pytest.skip("no FSDD sample")
    fsdd = load_fsdd(folder)
    assert len(fsdd.data) == 300 and set(fsdd.split) == {"test"}
    assert sorted(set(fsdd.speaker)) == ["george", "jackson", "lucas", "nicolas", "theo", "yweweler"]
    assert all(len(x) > 1000 for x in fsdd.data) and fsdd.sr == 8000
