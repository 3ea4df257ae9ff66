"""load_gtzan: genre folders, user-provided split and fault lists, and their checks."""

import pytest

from skaudio.datasets import load_gtzan, protocol_cv
from tests.datasets.layouts import SR, gtzan_splits, make_gtzan, wav


@pytest.fixture
def data(tmp_path):
    return make_gtzan(tmp_path / "gtzan")


def test_genres_without_lists(data):
    gt = load_gtzan(data, sr=SR, duration=0.1)
    assert gt.data.shape == (12, SR // 10) and "split" not in gt.frame and "split" not in gt
    assert list(gt.target_names) == [
        "blues",
        "classical",
        "country",
        "disco",
        "hiphop",
        "jazz",
        "metal",
        "pop",
        "reggae",
        "rock",
    ]
    assert sorted(set(gt.target)) == [0, 5, 9]
    with pytest.raises(ValueError, match="no official split.*split_files"):
        protocol_cv(gt)  # a random split is no protocol for GTZAN


def test_au_files(tmp_path):
    gt = load_gtzan(make_gtzan(tmp_path / "au", ext=".au"), audio=False)
    assert len(gt.target) == 12 and all(f.endswith(".au") for f in gt.filenames)


def test_split_lists(data):
    gt = load_gtzan(data, split_files=gtzan_splits(data), audio=False)
    assert len(gt.target) == 11 and "jazz.00003" not in set(gt.frame.clip_id)  # in no list: left out
    assert dict(gt.frame.groupby("split").size()) == {"train": 6, "validation": 3, "test": 2}
    assert gt.frame.set_index("clip_id").loc["rock.00003", "split"] == "test"  # folder and extension optional
    ((train, test),) = protocol_cv(gt).split(gt.filenames)
    assert set(gt.split[test]) == {"test"} and set(gt.split[train]) == {"train", "validation"}
    ((train, test),) = protocol_cv(gt, test="validation").split(gt.filenames)
    assert set(gt.split[test]) == {"validation"} and set(gt.split[train]) == {"train"}


def test_fault_list(data):
    faulty = data.parent / "lists" / "faulty.txt"
    gt = load_gtzan(data, faulty_file=faulty, audio=False)
    assert sorted(gt.frame.clip_id[gt.frame.faulty]) == ["jazz.00003", "rock.00001"]
    kept = load_gtzan(data, faulty_file=faulty, drop_faulty=True, audio=False)
    assert len(kept.target) == 10 and not kept.frame.faulty.any()
    with pytest.raises(ValueError, match="faulty_file"):
        load_gtzan(data, drop_faulty=True)


@pytest.mark.parametrize(
    "entry, match",
    [
        ("jazz/jazz.0001.wav", "line 2: 'jazz/jazz.0001.wav' is not a GTZAN clip"),
        ("polka/polka.00001.wav", "line 2: 'polka/polka.00001.wav' is not a GTZAN clip"),
        ("../outside.wav", "line 2: the file name '../outside.wav' leads outside"),
        ("/etc/passwd", "line 2: the file name '/etc/passwd' leads outside"),
        ("blues/blues.00000.wav", "line 2: blues.00000 is listed twice"),
    ],
)
def test_bad_list_entries_are_named(data, entry, match):
    lists = gtzan_splits(data)
    lists["test"].write_text(f"blues/blues.00000.wav\n{entry}\n")
    with pytest.raises(ValueError, match=match):
        load_gtzan(data, split_files=lists, audio=False)


def test_a_clip_in_two_lists(data):
    lists = gtzan_splits(data)
    lists["test"].write_text("blues/blues.00000.wav\n")
    with pytest.raises(ValueError, match="test_filtered.txt, line 1: blues.00000 is also in the train list"):
        load_gtzan(data, split_files=lists, audio=False)


def test_listed_clip_not_on_disk(data):
    (data / "rock" / "rock.00003.wav").unlink()
    with pytest.raises(FileNotFoundError, match="rock.00003"):
        load_gtzan(data, split_files=gtzan_splits(data), audio=False)
    with pytest.warns(UserWarning, match="rock.00003"):
        gt = load_gtzan(data, split_files=gtzan_splits(data), audio=False, on_missing="skip")
    assert len(gt.target) == 10


def test_bad_arguments_and_files(data):
    for bad in ({"dev": "x"}, {}, ["train"]):
        with pytest.raises(ValueError, match="split_files"):
            load_gtzan(data, split_files=bad)
    with pytest.raises(FileNotFoundError, match="missing.txt"):
        load_gtzan(data, split_files={"train": data / "missing.txt"})
    wav(data / "jazz" / "rock.00009.wav")
    with pytest.raises(ValueError, match="rock.00009.wav: a rock clip in the folder 'jazz'"):
        load_gtzan(data)


def test_the_same_clip_twice(data):
    wav(data / "blues" / "blues.00000.au")
    with pytest.raises(ValueError, match=r"\['blues.00000'\] twice"):
        load_gtzan(data)
