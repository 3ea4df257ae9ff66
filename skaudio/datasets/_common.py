"""What the data set loaders share: argument checks, absent and unreadable files, the Bunch.

Each loader only parses its own layout (a metadata file, file-name codes, split lists)
into a DataFrame with one row per clip and the clip's path; the steps after that are the
same for every data set and live here, so that ``on_missing``, ``audio=False`` and
``return_X_y`` behave alike everywhere.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.utils import Bunch

from skaudio.io import load_audio

__all__ = [
    "reading_options",
    "dataset_root",
    "drop_absent",
    "finish",
    "listed_absent",
    "read_csv",
    "read_lines",
    "read_clips",
]


def reading_options(*, audio, sr, duration, n_jobs, on_missing, return_X_y):
    """The loader's reading arguments, checked before anything is read, as :func:`finish` takes them."""
    if on_missing not in ("raise", "skip"):
        raise ValueError(f"on_missing must be 'raise' or 'skip', got {on_missing!r}")
    for name, value in (("audio", audio), ("return_X_y", return_X_y)):
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"{name} must be True or False, got {value!r}")
    return dict(
        audio=audio, sr=sr, duration=duration, n_jobs=n_jobs, on_missing=on_missing, return_X_y=return_X_y
    )


def dataset_root(data_home, dataset, layout):
    """``data_home`` as a Path to an existing folder, or an error saying which layout is expected."""
    if not isinstance(data_home, (str, os.PathLike)):
        raise TypeError(f"data_home must be the path of the {dataset} folder, got {type(data_home).__name__}")
    root = Path(data_home).expanduser()
    if not root.is_dir():
        raise FileNotFoundError(f"no {dataset} folder at {root}; expected {layout}")
    return root


def read_csv(csv, dataset, **kwargs):
    """``pandas.read_csv(csv, **kwargs)``; an empty or undecodable file is a ValueError naming it."""
    try:
        return pd.read_csv(csv, **kwargs)
    except pd.errors.EmptyDataError:
        raise ValueError(f"could not read the {dataset} metadata {csv}: it is empty") from None
    except (UnicodeDecodeError, pd.errors.ParserError, ValueError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ValueError(
            f"could not read the {dataset} metadata {csv}: not a UTF-8 CSV file ({reason})"
        ) from None


def listed_absent(absent, source, on_missing, stacklevel=4):
    """Entries of a split or fault list that are not on disk: an error, or one warning with ``"skip"``."""
    if not absent:
        return
    message = f"{len(absent)} file(s) named in {source} are not on disk, e.g. {sorted(absent)[:3]}"
    if on_missing == "raise":
        raise FileNotFoundError(message + "; pass on_missing='skip' to use the rest")
    warnings.warn(message, UserWarning, stacklevel=stacklevel)


def read_lines(path, what):
    """``(line number, stripped text)`` of the non-blank lines of a text file, or an error naming it."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no {what} at {path}")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"could not read the {what} {path}: not a UTF-8 text file") from None
    return [(i, line.strip()) for i, line in enumerate(text.splitlines(), 1) if line.strip()]


def drop_absent(frame, paths, folder, on_missing, stacklevel=3):
    """Rows whose file exists: the absent ones raise or are dropped with one warning listing them."""
    exists = np.array([p.is_file() for p in paths], dtype=bool)
    if exists.all():
        return frame, paths
    absent = [_shown(p, folder) for p, ok in zip(paths, exists) if not ok]
    if on_missing == "raise":
        raise FileNotFoundError(
            f"{len(absent)} of {len(paths)} audio files listed in the metadata are missing "
            f"from {folder}, e.g. {absent[:3]}; pass on_missing='skip' to use the rest"
        )
    warnings.warn(
        f"skipping {len(absent)} metadata rows whose audio is missing, e.g. {absent[:3]}",
        UserWarning,
        stacklevel=stacklevel,
    )
    return frame[exists], [p for p, ok in zip(paths, exists) if ok]


def _shown(path, folder):
    """The path as the metadata names it (relative to ``folder``), for messages."""
    try:
        return str(Path(path).relative_to(folder))
    except ValueError:
        return str(path)


def read_clips(frame, paths, sr, duration, n_jobs, on_missing):
    """The clips of ``paths``; with ``on_missing="skip"`` unreadable files leave with their rows.

    Returns ``(data, frame, paths)``, ``frame`` re-indexed from 0.
    """
    frame = frame.reset_index(drop=True)
    if on_missing == "skip":  # unreadable files are dropped with their rows, with load_audio's warning
        data, _, kept = load_audio(
            paths, sr=sr, duration=duration, n_jobs=n_jobs, on_error="warn", return_paths=True
        )
        if len(kept) < len(paths):
            readable = np.isin(np.array([str(p) for p in paths]), [str(p) for p in kept])
            frame = frame[readable].reset_index(drop=True)
            paths = [p for p, ok in zip(paths, readable) if ok]
    else:
        data, _ = load_audio(paths, sr=sr, duration=duration, n_jobs=n_jobs)
    return data, frame, paths


def finish(
    frame,
    paths,
    *,
    dataset,
    target_names,
    groups,
    protocol,
    descr,
    audio,
    sr,
    duration,
    n_jobs,
    on_missing,
    return_X_y,
):
    """Read the clips (or not) and pack everything as the loaders return it.

    ``frame`` holds one row per clip with an integer ``target`` column indexing
    ``target_names``; ``groups`` names the frame's columns that also become Bunch
    entries (folds, speakers, splits); ``protocol`` tells :func:`protocol_cv` how the
    data set is evaluated.
    """
    if frame.empty:
        raise ValueError(f"no {dataset} clips selected")
    if audio:
        data, frame, paths = read_clips(frame, paths, sr, duration, n_jobs, on_missing)
    else:
        data, frame = None, frame.reset_index(drop=True)
    target = frame["target"].to_numpy(dtype=np.int64)
    if callable(target_names):  # names that depend on the clips kept
        target_names = target_names(frame)
    filenames = np.array([str(p) for p in paths])
    if return_X_y:
        return (data if audio else filenames), target
    out = Bunch(
        data=data,
        target=target,
        target_names=np.asarray(target_names, dtype=object),
        filenames=filenames,
        frame=frame,
        sr=sr if audio else None,
        protocol=protocol,
        DESCR=descr,
    )
    for column in groups:
        values = frame[column]
        out[column] = (
            values.to_numpy(dtype=np.int64)
            if pd.api.types.is_integer_dtype(values)
            else (values.to_numpy(dtype=object))
        )
    return out
