"""Spoken words and speakers: FSDD, Speech Commands v2 and VoxCeleb1 identification."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.utils import Bunch

from skaudio.datasets._common import (
    dataset_root,
    drop_absent,
    finish,
    listed_absent,
    read_lines,
    reading_options,
)
from skaudio.datasets._paths import files_inside, paths_inside

__all__ = ["load_fsdd", "load_speech_commands", "load_voxceleb1"]

_SPLITS = ("train", "validation", "test")


def _check_splits(splits):
    """``splits`` as a list of split names (None: all three), or a ValueError."""
    if splits is None:
        return list(_SPLITS)
    wanted = [splits] if isinstance(splits, str) else list(splits) if isinstance(splits, Sequence) else None
    if not wanted or any(s not in _SPLITS for s in wanted):
        raise ValueError(f"splits must be one or a list of {list(_SPLITS)}, got {splits!r}")
    return wanted


_FSDD_NAME = re.compile(r"(\d)_([A-Za-z]+)_(\d+)\.wav")
_FSDD_LAYOUT = "<root>/recordings/<digit>_<speaker>_<index>.wav (or the recordings folder itself)"


def load_fsdd(
    data_home: str | os.PathLike[str],
    *,
    audio: bool = True,
    sr: float | None = 8000,
    duration: float | None = None,
    on_missing: str = "raise",
    n_jobs: int | None = None,
    return_X_y: bool = False,
) -> Bunch | tuple:
    """Load the Free Spoken Digit Dataset (spoken digits 0-9, 8 kHz, several speakers).

    A file name is ``<digit>_<speaker>_<index>.wav``. The dataset's README makes
    recordings 0-4 of each speaker and digit the test set and 5-49 the training set;
    that ``split`` puts every speaker on both sides, so it measures digit recognition
    for known voices. For unseen speakers split by ``speaker``
    (``protocol_cv(fsdd, by="speaker")``).

    Parameters
    ----------
    data_home : str or path-like
        The repository folder holding ``recordings/``, or a folder of recordings.
    audio : bool, default=True
        Read the clips; False returns metadata and paths only (``data`` is None).
    sr : float, default=8000
        Sampling rate to return (the files are 8 kHz).
    duration : float, default=None
        Seconds per clip for a 2-D ``data``; None keeps each clip's length (a list).
    on_missing : {"raise", "skip"}, default="raise"
        Unreadable files: ``"raise"`` names the file, ``"skip"`` drops them with a warning.
    n_jobs : int, default=None
        joblib threads reading files (None is 1, -1 all cores).
    return_X_y : bool, default=False
        Return ``(data, target)`` only (``(filenames, target)`` with ``audio=False``).

    Returns
    -------
    Bunch
        ``data``, ``target`` (the digit), ``target_names`` (``"0"`` ... ``"9"``),
        ``speaker``, ``split`` (``"test"`` for index 0-4, else ``"train"``),
        ``filenames``, ``frame``, ``sr``, ``protocol``. Rows sorted by file name.

    References
    ----------
    .. [1] Z. Jackson et al., "Free Spoken Digit Dataset", version 1.0.10, Zenodo, 2018,
       https://github.com/Jakobovski/free-spoken-digit-dataset
    """
    read = reading_options(
        audio=audio, sr=sr, duration=duration, n_jobs=n_jobs, on_missing=on_missing, return_X_y=return_X_y
    )
    root = dataset_root(data_home, "FSDD", _FSDD_LAYOUT)
    folder = root / "recordings" if (root / "recordings").is_dir() else root
    paths = files_inside(folder, "*.[wW][aA][vV]")
    if not paths:
        raise FileNotFoundError(f"no .wav files in {folder}; expected {_FSDD_LAYOUT}")
    rows = []
    for path in paths:
        m = _FSDD_NAME.fullmatch(path.name)
        if m is None:
            raise ValueError(
                f"{path}: not an FSDD file name; expected <digit>_<speaker>_<index>.wav, e.g. 3_theo_12.wav"
            )
        digit, speaker, index = int(m.group(1)), m.group(2), int(m.group(3))
        split = "test" if index < 5 else "train"  # the README's rule: recordings 0-4 are the test set
        rows.append(
            {"filename": path.name, "digit": digit, "speaker": speaker, "index": index, "split": split}
        )
    frame = pd.DataFrame(rows)
    frame["target"] = frame["digit"]
    return finish(
        frame,
        paths,
        dataset="FSDD",
        target_names=[str(d) for d in range(10)],
        groups=["speaker", "split"],
        protocol={"kind": "split", "column": "split"},
        descr="Free Spoken Digit Dataset: digits 0-9 at 8 kHz; README split by recording index (0-4 test).",
        **read,
    )


_SC_NAME = re.compile(r"([0-9a-f]{8})_nohash_(\d+)\.wav")
_SC_LAYOUT = "<root>/<word>/<hash>_nohash_<n>.wav with <root>/validation_list.txt and testing_list.txt"


def _sc_list(root, name, known, on_missing):
    """The entries of ``validation_list.txt`` or ``testing_list.txt``, confined to ``root``."""
    path = root / name
    lines = read_lines(path, "Speech Commands split list")
    listed = paths_inside(root, [t for _, t in lines], [n for n, _ in lines], str(path))
    entries = [p.relative_to(root).as_posix() for p in listed]
    listed_absent([e for e in entries if e not in known], path, on_missing)
    return set(entries)


def load_speech_commands(
    data_home: str | os.PathLike[str],
    *,
    words: str | Sequence[str] | None = None,
    splits: str | Sequence[str] | None = None,
    audio: bool = True,
    sr: float | None = 16000,
    duration: float | None = 1.0,
    on_missing: str = "raise",
    n_jobs: int | None = None,
    return_X_y: bool = False,
) -> Bunch | tuple:
    """Load Speech Commands (v2: 105,829 one-second utterances of 35 words).

    The split is the dataset's own: files named in ``validation_list.txt`` are
    validation, those in ``testing_list.txt`` test, the rest training. The lists keep
    each speaker on one side (the split hashes the speaker id); a random split by clip
    would not. The speaker is the hash before ``_nohash_``. ``_background_noise_``
    (long noise recordings, not utterances) is not loaded.

    Parameters
    ----------
    data_home : str or path-like
        The unpacked archive: one folder per word with ``<hash>_nohash_<n>.wav``,
        ``validation_list.txt`` and ``testing_list.txt``.
    words : str or sequence of str, default=None
        Keep only these words; all when None.
    splits : {"train", "validation", "test"} or a list of them, default=None
        Keep only these splits; all when None.
    audio : bool, default=True
        Read the clips; False returns metadata and paths only (``data`` is None).
    sr : float, default=16000
        Sampling rate to return (the files are 16 kHz).
    duration : float, default=1.0
        Seconds per clip; shorter utterances are zero-padded.
    on_missing : {"raise", "skip"}, default="raise"
        Files named in a list but absent, or unreadable: ``"raise"`` names them,
        ``"skip"`` drops them with a warning.
    n_jobs : int, default=None
        joblib threads reading files (None is 1, -1 all cores).
    return_X_y : bool, default=False
        Return ``(data, target)`` only (``(filenames, target)`` with ``audio=False``).

    Returns
    -------
    Bunch
        ``data``, ``target`` (index into ``target_names``, the words on disk sorted),
        ``speaker``, ``split``, ``filenames``, ``frame``, ``sr``, ``protocol``.

    References
    ----------
    .. [1] P. Warden, "Speech Commands: A Dataset for Limited-Vocabulary Speech
       Recognition", arXiv:1804.03209, 2018.
    """
    read = reading_options(
        audio=audio, sr=sr, duration=duration, n_jobs=n_jobs, on_missing=on_missing, return_X_y=return_X_y
    )
    wanted_splits = _check_splits(splits)
    root = dataset_root(data_home, "Speech Commands", _SC_LAYOUT)
    paths = [p for p in files_inside(root, "*/*.[wW][aA][vV]") if not p.parent.name.startswith("_")]
    if not paths:
        raise FileNotFoundError(f"no word folders with .wav files in {root}; expected {_SC_LAYOUT}")
    rows = []
    for path in paths:
        m = _SC_NAME.fullmatch(path.name)
        if m is None:
            raise ValueError(
                f"{path}: not a Speech Commands file name; expected <8 hex digits>_nohash_<n>.wav"
            )
        rows.append(
            {"filename": f"{path.parent.name}/{path.name}", "word": path.parent.name, "speaker": m.group(1)}
        )
    frame = pd.DataFrame(rows)
    known = set(frame["filename"])
    validation = _sc_list(root, "validation_list.txt", known, on_missing)
    testing = _sc_list(root, "testing_list.txt", known, on_missing)
    both = sorted(validation & testing)
    if both:
        raise ValueError(
            f"{len(both)} file(s) are in both validation_list.txt and testing_list.txt, e.g. {both[:3]}"
        )
    frame["split"] = np.where(
        frame["filename"].isin(testing),
        "test",
        np.where(frame["filename"].isin(validation), "validation", "train"),
    )
    target_names = sorted(frame["word"].unique())
    frame["target"] = frame["word"].map({w: i for i, w in enumerate(target_names)})
    keep = frame["split"].isin(wanted_splits).to_numpy()
    if words is not None:
        chosen = [words] if isinstance(words, str) else list(words)
        unknown = sorted(set(chosen) - set(target_names))
        if not chosen or unknown:
            raise ValueError(f"words must name word folders of {root}; unknown: {unknown or chosen}")
        keep = keep & frame["word"].isin(chosen).to_numpy()
    frame, paths = frame[keep], [p for p, k in zip(paths, keep) if k]
    return finish(
        frame,
        paths,
        dataset="Speech Commands",
        target_names=target_names,
        groups=["speaker", "split"],
        protocol={"kind": "split", "column": "split"},
        descr="Speech Commands (Warden 2018): 1-s words; validation/testing lists split by speaker.",
        **read,
    )


_VOX_LINE = re.compile(r"([123])\s+(\S+)")
_VOX_PATH = re.compile(r"(id\d{5})/([^/]+)/[^/]+\.wav")
_VOX_LAYOUT = "<root>/wav/<speaker id>/<video>/<nnnnn>.wav and the split file <root>/iden_split.txt"


def load_voxceleb1(
    data_home: str | os.PathLike[str],
    *,
    split_file: str | os.PathLike[str] | None = None,
    splits: str | Sequence[str] | None = None,
    audio: bool = False,
    sr: float | None = 16000,
    duration: float | None = None,
    on_missing: str = "raise",
    n_jobs: int | None = None,
    return_X_y: bool = False,
) -> Bunch | tuple:
    """Load VoxCeleb1 for speaker identification (1,251 speakers), with the official split.

    The identification split file lists every utterance as ``<set> <path>``, set 1
    training, 2 validation, 3 test, e.g. ``1 id10001/1zcIwhmdeo4/00001.wav``. The
    three sets share speakers (the task is to recognise them); report results on this
    split so that they compare with published ones. For speaker *verification* (unseen
    speakers) a split by ``speaker`` is needed instead:
    ``protocol_cv(vox, by="speaker", n_splits=5)``.

    Parameters
    ----------
    data_home : str or path-like
        Folder holding ``wav/`` (development and test archives unpacked together).
    split_file : str or path-like, default=None
        The identification split file; None reads ``<data_home>/iden_split.txt``.
    splits : {"train", "validation", "test"} or a list of them, default=None
        Keep only these sets; all when None.
    audio : bool, default=False
        Read the clips. Off by default: the 153,516 utterances (about 350 hours) do not
        fit in memory; read them later with :class:`~skaudio.features.AudioLoader` or
        :func:`~skaudio.features.extract_to_memmap` from ``filenames``.
    sr : float, default=16000
        Sampling rate to return (the files are 16 kHz).
    duration : float, default=None
        Seconds per clip for a 2-D ``data``; None keeps each clip's length (a list).
    on_missing : {"raise", "skip"}, default="raise"
        Listed files that are absent or unreadable: ``"raise"`` names them,
        ``"skip"`` drops them with a warning.
    n_jobs : int, default=None
        joblib threads reading files (None is 1, -1 all cores).
    return_X_y : bool, default=False
        Return ``(data, target)`` only (``(filenames, target)`` with ``audio=False``).

    Returns
    -------
    Bunch
        ``data`` (None unless ``audio=True``), ``target`` (index into
        ``target_names``, the speaker ids of the split file sorted), ``speaker``,
        ``video``, ``split``, ``filenames``, ``frame``, ``sr``, ``protocol``.

    References
    ----------
    .. [1] A. Nagrani, J. S. Chung, A. Zisserman, "VoxCeleb: a large-scale speaker
       identification dataset", Interspeech 2017.
    """
    read = reading_options(
        audio=audio, sr=sr, duration=duration, n_jobs=n_jobs, on_missing=on_missing, return_X_y=return_X_y
    )
    wanted_splits = _check_splits(splits)
    root = dataset_root(data_home, "VoxCeleb1", _VOX_LAYOUT)
    source = root / "iden_split.txt" if split_file is None else Path(split_file).expanduser()
    lines = read_lines(source, "VoxCeleb1 identification split file")
    rows = []
    for n, text in lines:
        m = _VOX_LINE.fullmatch(text)
        parts = _VOX_PATH.fullmatch(m.group(2)) if m else None
        if parts is None:
            raise ValueError(
                f"{source}, line {n}: {text!r} is not '<1|2|3> idNNNNN/<video>/<nnnnn>.wav' "
                "(1 train, 2 validation, 3 test)"
            )
        rows.append(
            {
                "filename": m.group(2),
                "speaker": parts.group(1),
                "video": parts.group(2),
                "split": _SPLITS[int(m.group(1)) - 1],
                "line": n,
            }
        )
    if not rows:
        raise ValueError(f"{source} lists no utterances")
    frame = pd.DataFrame(rows)
    if frame["filename"].duplicated().any():
        dup = frame.loc[frame["filename"].duplicated(), ["line", "filename"]].values.tolist()[:3]
        raise ValueError(f"{source} lists the same file more than once: (line, file) {dup}")
    target_names = sorted(frame["speaker"].unique())
    frame["target"] = frame["speaker"].map({s: i for i, s in enumerate(target_names)})
    frame = frame[frame["split"].isin(wanted_splits)]
    # refused before any file is opened: a crafted split file can neither read nor probe other folders
    paths = paths_inside(root / "wav", frame["filename"], frame["line"], str(source))
    frame, paths = drop_absent(frame, paths, root / "wav", on_missing)
    return finish(
        frame.drop(columns="line"),
        paths,
        dataset="VoxCeleb1",
        target_names=target_names,
        groups=["speaker", "video", "split"],
        protocol={"kind": "split", "column": "split"},
        descr="VoxCeleb1 identification (Nagrani et al. 2017): 1,251 speakers, official 3-way split.",
        **read,
    )
