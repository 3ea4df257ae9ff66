"""Miniature copies of each data set's official layout, for the loader tests.

Tiny WAVs (0.1 s at 8 kHz, each clip a different constant so a row and its audio can
be matched) under the real file-name conventions, and metadata files in the official
formats. Every builder returns the folder to pass to the loader.
"""

from __future__ import annotations

import csv

import numpy as np
import soundfile as sf

SR = 8000
N = SR // 10  # 0.1 s


def wav(path, value=0.1, n=N):
    """A clip of ``n`` samples, all ``value`` (so the test can tell the clips apart)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, np.full(n, value, np.float32), SR, subtype="FLOAT")
    return path


US8K_CLASSES = {1: "car_horn", 3: "dog_bark", 6: "gun_shot"}


def make_urbansound8k(root):
    """Three classes, folds 1-3, two slices per class and fold; an extra empty fold4/."""
    rows = []
    for fold in (1, 2, 3):
        for class_id, name in US8K_CLASSES.items():
            for k in range(2):
                fs_id = 1000 * fold + 10 * class_id
                slice_name = f"{fs_id}-{class_id}-0-{k}.wav"
                wav(root / "audio" / f"fold{fold}" / slice_name, value=0.01 * (len(rows) + 1))
                rows.append([slice_name, fs_id, 0.5 * k, 0.5 * k + 0.1, 1, fold, class_id, name])
    (root / "audio" / "fold4").mkdir()
    write_csv(
        root / "metadata" / "UrbanSound8K.csv",
        [["slice_file_name", "fsID", "start", "end", "salience", "fold", "classID", "class"], *rows],
    )
    return root


def write_csv(path, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as f:
        csv.writer(f).writerows(rows)


def ravdess_name(channel, emotion, intensity, statement, repetition, actor):
    return f"03-{channel:02d}-{emotion:02d}-{intensity:02d}-{statement:02d}-{repetition:02d}-{actor:02d}.wav"


def make_ravdess(root):
    """Actors 1-4 speak emotions 1, 3 and 5 (statement 1, rep 1; 3 and 5 also strong); actor 1 sings."""
    for actor in (1, 2, 3, 4):
        for emotion in (1, 3, 5):
            for intensity in (1,) if emotion == 1 else (1, 2):  # neutral has no strong intensity
                wav(root / f"Actor_{actor:02d}" / ravdess_name(1, emotion, intensity, 1, 1, actor))
    wav(root / "Actor_01" / ravdess_name(2, 3, 1, 2, 2, 1))  # song
    return root


def make_cremad(root):
    """Actors 1001-1003, each: DFA_ANG_HI, DFA_SAD_LO, IEO_NEU_XX, ITS_HAP_MD."""
    for actor in (1001, 1002, 1003):
        for stem in ("DFA_ANG_HI", "DFA_SAD_LO", "IEO_NEU_XX", "ITS_HAP_MD"):
            wav(root / "AudioWAV" / f"{actor}_{stem}.wav")
    (root / "VideoFlash").mkdir()  # other folders of the repository are ignored
    return root


GTZAN_GENRES = ("blues", "jazz", "rock")


def make_gtzan(root, ext=".wav"):
    """Three genres, four clips each, and split lists / a fault list in ``lists/`` beside the data."""
    data = root / "genres"
    for genre in GTZAN_GENRES:
        for k in range(4):
            wav(data / genre / f"{genre}.{k:05d}{ext}")
    lists = root / "lists"
    lists.mkdir()
    # clips 0-1 train, 2 validation, 3 test; jazz.00003 in no list (filtered out)
    (lists / "train_filtered.txt").write_text(
        "\n".join(f"{g}/{g}.{k:05d}.wav" for g in GTZAN_GENRES for k in (0, 1)) + "\n\n"
    )
    (lists / "valid_filtered.txt").write_text("\n".join(f"{g}/{g}.00002.wav" for g in GTZAN_GENRES) + "\n")
    (lists / "test_filtered.txt").write_text("blues/blues.00003.wav\nrock.00003\n")
    (lists / "faulty.txt").write_text("jazz/jazz.00003.wav\nrock/rock.00001.wav\n")
    return data


def gtzan_splits(data):
    lists = data.parent / "lists"
    return {
        "train": lists / "train_filtered.txt",
        "validation": lists / "valid_filtered.txt",
        "test": lists / "test_filtered.txt",
    }


def make_fsdd(root):
    """Digits 0-2, speakers george and theo, recordings 0, 1, 5, 6 (0-4 are the README's test set)."""
    for digit in (0, 1, 2):
        for speaker in ("george", "theo"):
            for index in (0, 1, 5, 6):
                wav(root / "recordings" / f"{digit}_{speaker}_{index}.wav")
    (root / "README.md").write_text("FSDD\n")
    return root


SC_SPEAKERS = ("0a7c2a8d", "1b2c3d4e", "c0ffee00", "deadbeef")


def make_speech_commands(root):
    """Words yes/no/up, four speakers; speaker 3 is validation, speaker 4 test; background noise."""
    for word in ("yes", "no", "up"):
        for speaker in SC_SPEAKERS:
            for n in (0, 1):
                wav(root / word / f"{speaker}_nohash_{n}.wav")
    wav(root / "_background_noise_" / "white_noise.wav", n=4 * N)
    valid = [f"{w}/{SC_SPEAKERS[2]}_nohash_{n}.wav" for w in ("yes", "no", "up") for n in (0, 1)]
    test = [f"{w}/{SC_SPEAKERS[3]}_nohash_{n}.wav" for w in ("yes", "no", "up") for n in (0, 1)]
    (root / "validation_list.txt").write_text("\n".join(valid) + "\n")
    (root / "testing_list.txt").write_text("\n".join(test) + "\n")
    (root / "LICENSE").write_text("CC-BY-4.0\n")
    return root


def make_voxceleb1(root):
    """Speakers id10001-id10003, two videos each, three utterances per video; sets 1/1/2/3 by utterance."""
    lines = []
    for s in (1, 2, 3):
        for video in ("1zcIwhmdeo4", "7w0IBEWc9Qw"):
            for u in (1, 2, 3):
                name = f"id1000{s}/{video}/{u:05d}.wav"
                wav(root / "wav" / name)
                split = 3 if (video, u) == ("7w0IBEWc9Qw", 3) else 2 if u == 3 else 1
                lines.append(f"{split} {name}")
    (root / "iden_split.txt").write_text("\n".join(lines) + "\n")
    return root


VGG_ROWS = [
    ["---g-f_I2yQ", "1", "people marching", "test"],
    ["--0PQM4-hqg", "30", "waterfall burbling", "train"],
    ["-0BIyqJj9ZU", "30", "female speech, woman speaking", "train"],  # a label with a comma
    ["-0jeONf82dE", "21", "people marching", "train"],
    ["-1BYtjcU8Kc", "110", "waterfall burbling", "test"],
]


def make_vggsound(root):
    """Five rows of the official CSV (no header, one quoted label), their clips in ``audio/``."""
    write_csv(root / "vggsound.csv", VGG_ROWS)
    for ytid, start, _, _ in VGG_ROWS:
        wav(root / "audio" / f"{ytid}_{int(start):06d}.wav", n=SR)
    return root


def snapshot(folder):
    """Every entry under ``folder`` with its size and modification time (to show nothing was written)."""
    return {
        str(p.relative_to(folder)): (p.is_dir(), p.lstat().st_size, p.lstat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
    }
