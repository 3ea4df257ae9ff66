"""GTZAN genre collection: ``<genre>/<genre>.000NN.wav``, with user-provided split and fault lists."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
from sklearn.utils import Bunch

from skaudio.datasets._common import dataset_root, finish, listed_absent, read_lines, reading_options
from skaudio.datasets._paths import files_inside, paths_inside

__all__ = ["load_gtzan"]

_GENRES = ("blues", "classical", "country", "disco", "hiphop", "jazz", "metal", "pop", "reggae", "rock")
_CLIP = re.compile(r"([a-z]+)\.(\d{5})")
_LAYOUT = "<root>/<genre>/<genre>.000NN.wav (or .au), ten genre folders"
_NO_SPLIT = (
    "GTZAN has no official split, and a random or stratified split puts clips of the same "
    "artist (and Sturm's exact repetitions) in training and test; pass split_files= with the "
    "artist-filtered lists (Kereliuk et al. 2015) to load_gtzan"
)


def _clip_id(entry, where):
    """``genre.NNNNN`` from a list entry ``[genre/]genre.NNNNN[.wav|.au]``, or an error naming ``where``."""
    name = Path(entry).name
    stem = name.rsplit(".", 1)[0] if name.lower().endswith((".wav", ".au")) else name
    m = _CLIP.fullmatch(stem)
    if m is None or m.group(1) not in _GENRES:
        raise ValueError(
            f"{where}: {entry!r} is not a GTZAN clip; expected 'genre/genre.NNNNN.wav' "
            f"(or 'genre.NNNNN'), genre one of {list(_GENRES)}"
        )
    return stem


def _read_list(path, root, what):
    """``clip id -> line`` of a split or fault list; every entry must name a file inside ``root``."""
    lines = read_lines(Path(path).expanduser(), what)
    # the entries are paths relative to the data set: refused if they lead outside it, as a metadata row
    paths_inside(root, [text for _, text in lines], [n for n, _ in lines], str(path))
    ids = {}
    for n, text in lines:
        clip = _clip_id(text, f"{path}, line {n}")
        if clip in ids:
            raise ValueError(f"{path}, line {n}: {clip} is listed twice (first on line {ids[clip]})")
        ids[clip] = n
    return ids


def load_gtzan(
    data_home: str | os.PathLike[str],
    *,
    split_files: Mapping[str, str | os.PathLike[str]] | None = None,
    faulty_file: str | os.PathLike[str] | None = None,
    drop_faulty: bool = False,
    audio: bool = True,
    sr: float | None = 22050,
    duration: float | None = 30.0,
    on_missing: str = "raise",
    n_jobs: int | None = None,
    return_X_y: bool = False,
) -> Bunch | tuple:
    """Load GTZAN (1000 clips of 30 s, 10 genres), optionally with a fault-filtered split.

    GTZAN has no official split, and its faults are documented (Sturm 2013: exact
    repetitions, mislabellings, distortions); a random split puts one artist's songs
    and repeated clips on both sides. The recommended protocol is the artist-filtered
    train/validation/test split of Kereliuk, Sturm and Larsen (2015). skaudio does not
    ship those lists nor a fault list: it could not reproduce their contents with
    certainty, so both are read from files you provide.

    Parameters
    ----------
    data_home : str or path-like
        Folder holding the genre folders ``blues/ ... rock/`` with files
        ``<genre>.000NN.wav`` or ``.au`` (the original archive's ``genres`` folder,
        or ``genres_original`` of other copies).
    split_files : mapping, default=None
        ``{"train": path, "validation": path, "test": path}`` (any of them): text files
        with one clip per line, written ``genre/genre.NNNNN.wav`` (the folder and the
        extension are optional: ``genre.NNNNN`` also works); blank lines are ignored.
        Adds a ``split`` column; clips in no list are left out (the filtered split
        leaves out the faulty ones). None: no ``split`` (and :func:`protocol_cv`
        refuses, as no leak-free split is known).
    faulty_file : str or path-like, default=None
        A list of known-faulty clips in the same format; adds a boolean ``faulty`` column.
    drop_faulty : bool, default=False
        Leave the clips of ``faulty_file`` out.
    audio : bool, default=True
        Read the clips; False returns metadata and paths only (``data`` is None).
    sr : float, default=22050
        Sampling rate to return (the files are 22050 Hz).
    duration : float, default=30.0
        Seconds per clip (a few clips are slightly shorter and are zero-padded).
    on_missing : {"raise", "skip"}, default="raise"
        A listed clip that is not on disk, or an unreadable file: ``"raise"`` names it,
        ``"skip"`` drops it with a warning.
    n_jobs : int, default=None
        joblib threads reading files (None is 1, -1 all cores).
    return_X_y : bool, default=False
        Return ``(data, target)`` only (``(filenames, target)`` with ``audio=False``).

    Returns
    -------
    Bunch
        ``data``, ``target`` (genre index), ``target_names`` (the ten genres,
        alphabetical), ``filenames``, ``frame`` (``clip_id``, ``genre``, ``split``,
        ``faulty`` as given), ``split`` (with ``split_files``), ``sr``, ``protocol``.

    References
    ----------
    .. [1] G. Tzanetakis, P. Cook, "Musical genre classification of audio signals",
       IEEE Transactions on Speech and Audio Processing 10(5), 2002.
    .. [2] B. L. Sturm, "The GTZAN dataset: Its contents, its faults, their effects on
       evaluation, and the future use", arXiv:1306.1461, 2013.
    .. [3] C. Kereliuk, B. L. Sturm, J. Larsen, "Deep Learning and Music Adversaries",
       IEEE Transactions on Multimedia 17(11), 2015.
    """
    read = reading_options(
        audio=audio, sr=sr, duration=duration, n_jobs=n_jobs, on_missing=on_missing, return_X_y=return_X_y
    )
    if split_files is not None and (
        not isinstance(split_files, Mapping)
        or not split_files
        or set(split_files) - {"train", "validation", "test"}
    ):
        raise ValueError(
            f"split_files must map some of 'train', 'validation', 'test' to list files, got {split_files!r}"
        )
    root = dataset_root(data_home, "GTZAN", _LAYOUT)
    paths = [p for p in files_inside(root, "*/*") if p.suffix.lower() in (".wav", ".au")]
    if not paths:
        raise FileNotFoundError(f"no GTZAN clips under {root}; expected {_LAYOUT}")
    rows = []
    for path in paths:
        clip = _clip_id(path.name, str(path))
        genre = clip.split(".")[0]
        if path.parent.name != genre:
            raise ValueError(f"{path}: a {genre} clip in the folder {path.parent.name!r}")
        rows.append({"filename": path.relative_to(root).as_posix(), "clip_id": clip, "genre": genre})
    frame = pd.DataFrame(rows)
    frame["target"] = [_GENRES.index(g) for g in frame["genre"]]
    twice = frame.loc[frame["clip_id"].duplicated(), "clip_id"].tolist()
    if twice:  # e.g. blues.00000.wav beside blues.00000.au
        raise ValueError(f"{root} holds the clip(s) {twice[:5]} twice (as .wav and .au?)")
    protocol = {"kind": "none", "reason": _NO_SPLIT, "column": None}
    groups = []
    if faulty_file is not None:
        faulty = _read_list(faulty_file, root, "GTZAN fault list")
        frame["faulty"] = frame["clip_id"].isin(list(faulty))
        listed_absent(set(faulty) - set(frame["clip_id"]), faulty_file, on_missing, stacklevel=3)
        if drop_faulty:
            keep = ~frame["faulty"].to_numpy()
            frame, paths = frame[keep], [p for p, k in zip(paths, keep) if k]
    elif drop_faulty:
        raise ValueError("drop_faulty=True needs faulty_file, the list of faulty clips")
    if split_files is not None:
        split = {}
        for name, path in split_files.items():
            for clip, line in _read_list(path, root, f"GTZAN {name} list").items():
                if clip in split:
                    raise ValueError(f"{path}, line {line}: {clip} is also in the {split[clip]} list")
                split[clip] = name
        listed_absent(set(split) - set(frame["clip_id"]), "the split lists", on_missing, stacklevel=3)
        frame["split"] = frame["clip_id"].map(split)
        keep = frame["split"].notna().to_numpy()
        frame, paths = frame[keep], [p for p, k in zip(paths, keep) if k]
        protocol, groups = {"kind": "split", "column": "split"}, ["split"]
    return finish(
        frame,
        paths,
        dataset="GTZAN",
        target_names=_GENRES,
        groups=groups,
        protocol=protocol,
        descr="GTZAN (Tzanetakis & Cook 2002): 10 genres x 100 clips of 30 s; see Sturm 2013 for its faults.",
        **read,
    )
