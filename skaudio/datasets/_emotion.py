"""Acted emotional speech: RAVDESS and CREMA-D, labelled by their file names."""

from __future__ import annotations

import os
import re

import pandas as pd
from sklearn.utils import Bunch

from skaudio.datasets._common import dataset_root, finish, reading_options
from skaudio.datasets._paths import files_inside

__all__ = ["load_ravdess", "load_cremad"]

# RAVDESS emotion codes 01-08, in code order (target = code - 1)
RAVDESS_EMOTIONS = ("neutral", "calm", "happy", "sad", "angry", "fearful", "disgust", "surprised")
# CREMA-D emotion codes, in the order of target
CREMAD_EMOTIONS = ("ANG", "DIS", "FEA", "HAP", "NEU", "SAD")
_CREMAD_SENTENCES = ("IEO", "TIE", "IOM", "IWW", "TAI", "MTI", "IWL", "ITH", "DFA", "ITS", "TSI", "WSI")
_CREMAD_LEVELS = ("LO", "MD", "HI", "XX")

_RAVDESS_NAME = re.compile(r"(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)\.wav", re.IGNORECASE)
_RAVDESS_LAYOUT = "<root>/Actor_01 ... Actor_24/<7-part code>.wav (the unpacked Audio_*_Actors_01-24.zip)"
_CHANNELS = {"speech": 1, "song": 2}


def _ravdess_row(path, root):
    """The seven codes of a RAVDESS file name, checked, or an error naming the file."""
    m = _RAVDESS_NAME.fullmatch(path.name)
    if m is None:
        raise ValueError(
            f"{path}: not a RAVDESS file name; expected seven two-digit codes "
            "modality-channel-emotion-intensity-statement-repetition-actor, e.g. 03-01-05-02-01-01-12.wav"
        )
    modality, channel, emotion, intensity, statement, repetition, actor = (int(g) for g in m.groups())
    checks = [
        ("modality", modality, modality == 3, "03 (audio-only)"),
        ("vocal channel", channel, channel in (1, 2), "01 (speech) or 02 (song)"),
        ("emotion", emotion, 1 <= emotion <= 8, "01 to 08"),
        ("intensity", intensity, intensity in (1, 2), "01 (normal) or 02 (strong)"),
        ("statement", statement, statement in (1, 2), "01 or 02"),
        ("repetition", repetition, repetition in (1, 2), "01 or 02"),
        ("actor", actor, 1 <= actor <= 24, "01 to 24"),
    ]
    for what, value, ok, expected in checks:
        if not ok:
            raise ValueError(f"{path}: RAVDESS {what} code {value:02d}; expected {expected}")
    folder = path.parent.name
    if re.fullmatch(r"Actor_\d\d", folder) and int(folder[-2:]) != actor:
        raise ValueError(f"{path}: actor code {actor:02d} in the file name, but the file is in {folder}")
    return {
        "filename": path.relative_to(root).as_posix(),
        "modality": modality,
        "vocal_channel": "speech" if channel == 1 else "song",
        "emotion": RAVDESS_EMOTIONS[emotion - 1],
        "intensity": "normal" if intensity == 1 else "strong",
        "statement": statement,
        "repetition": repetition,
        "actor": actor,
        "sex": "male" if actor % 2 else "female",  # odd-numbered actors are male
        "target": emotion - 1,
    }


def load_ravdess(
    data_home: str | os.PathLike[str],
    *,
    channel: str = "speech",
    audio: bool = True,
    sr: float | None = 48000,
    duration: float | None = None,
    on_missing: str = "raise",
    n_jobs: int | None = None,
    return_X_y: bool = False,
) -> Bunch | tuple:
    """Load the audio-only RAVDESS (24 actors, 8 emotions; 1440 speech and 1012 song files).

    Every label comes from the file name, seven two-digit codes
    ``modality-vocal channel-emotion-intensity-statement-repetition-actor``:
    modality 03 is audio-only; channel 01 speech, 02 song; emotion 01-08 =
    neutral, calm, happy, sad, angry, fearful, disgust, surprised; intensity 01
    normal, 02 strong; statement 01 "Kids are talking by the door", 02 "Dogs are
    sitting by the door"; actors 01-24, odd-numbered male, even-numbered female.

    RAVDESS has no official split. Every actor records every emotion, so a random
    split by clip puts each speaker in training and test and measures speaker
    recognition as much as emotion: :func:`protocol_cv` splits by ``actor``.

    Parameters
    ----------
    data_home : str or path-like
        Folder holding the ``Actor_01`` ... ``Actor_24`` folders (speech, song, or
        both unpacked into it). Files are found at any depth below it.
    channel : {"speech", "song", "both"}, default="speech"
        Which vocal channel to keep.
    audio : bool, default=True
        Read the clips; False returns metadata and paths only (``data`` is None).
    sr : float, default=48000
        Sampling rate to return (the files are 48 kHz).
    duration : float, default=None
        Seconds per clip (zero-padded or cut) for a 2-D ``data``; None keeps each
        clip's length (about 3 to 5 s) and ``data`` is a list of 1-D arrays.
    on_missing : {"raise", "skip"}, default="raise"
        Unreadable files: ``"raise"`` names the file, ``"skip"`` drops them with a warning.
    n_jobs : int, default=None
        joblib threads reading files (None is 1, -1 all cores).
    return_X_y : bool, default=False
        Return ``(data, target)`` only (``(filenames, target)`` with ``audio=False``).

    Returns
    -------
    Bunch
        ``data``, ``target`` (emotion code - 1), ``target_names``
        (the eight emotions in code order), ``actor``, ``sex``, ``emotion``, ``intensity``,
        ``statement``, ``filenames``, ``frame`` (every code per file), ``sr``,
        ``protocol``. Rows are sorted by path.

    Raises
    ------
    ValueError
        For a ``.wav`` file whose name is not a valid audio-only RAVDESS code (the
        file is named), or that lies in an ``Actor_NN`` folder of another actor.

    References
    ----------
    .. [1] S. R. Livingstone, F. A. Russo, "The Ryerson Audio-Visual Database of
       Emotional Speech and Song (RAVDESS)", PLoS ONE 13(5), 2018.
    """
    read = reading_options(
        audio=audio, sr=sr, duration=duration, n_jobs=n_jobs, on_missing=on_missing, return_X_y=return_X_y
    )
    if channel not in ("speech", "song", "both"):
        raise ValueError(f"channel must be 'speech', 'song' or 'both', got {channel!r}")
    root = dataset_root(data_home, "RAVDESS", _RAVDESS_LAYOUT)
    paths = files_inside(root, "**/*.[wW][aA][vV]")
    if not paths:
        raise FileNotFoundError(f"no .wav files under {root}; expected {_RAVDESS_LAYOUT}")
    frame = pd.DataFrame([_ravdess_row(p, root) for p in paths])
    twice = frame.loc[
        frame["filename"].map(lambda f: f.rsplit("/", 1)[-1]).duplicated(keep=False), "filename"
    ]
    if len(twice):  # an archive unpacked twice would count every clip twice
        raise ValueError(f"{root} holds the same RAVDESS file more than once: {sorted(twice)[:4]}")
    if channel != "both":
        keep = (frame["vocal_channel"] == channel).to_numpy()
        frame, paths = frame[keep], [p for p, k in zip(paths, keep) if k]
    return finish(
        frame,
        paths,
        dataset=f"RAVDESS ({channel})",
        target_names=RAVDESS_EMOTIONS,
        groups=["actor", "sex", "emotion", "intensity", "statement"],
        protocol={"kind": "groups", "column": "actor"},
        descr="RAVDESS (Livingstone & Russo 2018): 24 actors, 8 emotions; no official split, split by actor.",
        **read,
    )


_CREMAD_LAYOUT = "<root>/AudioWAV/<ActorID>_<Sentence>_<Emotion>_<Level>.wav"


def _cremad_row(path, root):
    parts = path.stem.split("_")
    if len(parts) != 4 or path.suffix.lower() != ".wav":
        raise ValueError(
            f"{path}: not a CREMA-D file name; expected ActorID_Sentence_Emotion_Level.wav, "
            "e.g. 1001_DFA_ANG_XX.wav"
        )
    actor, sentence, emotion, level = parts
    checks = [
        (
            "ActorID",
            actor,
            actor.isdigit() and len(actor) == 4 and 1001 <= int(actor) <= 1091,
            "1001 to 1091",
        ),
        ("sentence", sentence, sentence in _CREMAD_SENTENCES, list(_CREMAD_SENTENCES)),
        ("emotion", emotion, emotion in CREMAD_EMOTIONS, list(CREMAD_EMOTIONS)),
        ("level", level, level in _CREMAD_LEVELS, list(_CREMAD_LEVELS)),
    ]
    for what, value, ok, expected in checks:
        if not ok:
            raise ValueError(f"{path}: CREMA-D {what} {value!r}; expected {expected}")
    return {
        "filename": path.relative_to(root).as_posix(),
        "actor": int(actor),
        "sentence": sentence,
        "emotion": emotion,
        "level": level,
        "target": CREMAD_EMOTIONS.index(emotion),
    }


def load_cremad(
    data_home: str | os.PathLike[str],
    *,
    audio: bool = True,
    sr: float | None = 16000,
    duration: float | None = None,
    on_missing: str = "raise",
    n_jobs: int | None = None,
    return_X_y: bool = False,
) -> Bunch | tuple:
    """Load CREMA-D (7442 clips, 91 actors, 6 emotions), labelled by the file names.

    A file name is ``ActorID_Sentence_Emotion_Level.wav``: actor 1001-1091, one of
    12 sentence codes (``IEO, TIE, IOM, IWW, TAI, MTI, IWL, ITH, DFA, ITS, TSI,
    WSI``), emotion ``ANG, DIS, FEA, HAP, NEU, SAD``, level ``LO, MD, HI`` or ``XX``
    (unspecified).

    CREMA-D has no official split; a random split by clip puts every actor in
    training and test, so :func:`protocol_cv` splits by ``actor``.

    Parameters
    ----------
    data_home : str or path-like
        Folder holding ``AudioWAV/`` (the repository's audio folder).
    audio : bool, default=True
        Read the clips; False returns metadata and paths only (``data`` is None).
    sr : float, default=16000
        Sampling rate to return (the files are 16 kHz).
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
        ``data``, ``target`` (index into ``target_names``: ``ANG, DIS, FEA, HAP, NEU, SAD``),
        ``actor``, ``sentence``, ``level``, ``filenames``, ``frame``, ``sr``,
        ``protocol``. Rows are sorted by file name.

    References
    ----------
    .. [1] H. Cao, D. G. Cooper, M. K. Keutmann, R. C. Gur, A. Nenkova, R. Verma,
       "CREMA-D: Crowd-sourced Emotional Multimodal Actors Dataset", IEEE Transactions
       on Affective Computing 5(4), 2014.
    """
    read = reading_options(
        audio=audio, sr=sr, duration=duration, n_jobs=n_jobs, on_missing=on_missing, return_X_y=return_X_y
    )
    root = dataset_root(data_home, "CREMA-D", _CREMAD_LAYOUT)
    folder = root / "AudioWAV"
    if not folder.is_dir():
        raise FileNotFoundError(f"no CREMA-D audio folder {folder}; expected {_CREMAD_LAYOUT}")
    paths = files_inside(root, "AudioWAV/*.[wW][aA][vV]")
    if not paths:
        raise FileNotFoundError(f"no .wav files in {folder}; expected {_CREMAD_LAYOUT}")
    frame = pd.DataFrame([_cremad_row(p, root) for p in paths])
    return finish(
        frame,
        paths,
        dataset="CREMA-D",
        target_names=CREMAD_EMOTIONS,
        groups=["actor", "sentence", "level"],
        protocol={"kind": "groups", "column": "actor"},
        descr="CREMA-D (Cao et al. 2014): 91 actors, 6 emotions; no official split, split by actor.",
        **read,
    )
