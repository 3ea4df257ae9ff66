"""VGGSound: ``vggsound.csv`` (no header) and the clips you extracted from YouTube."""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.utils import Bunch

from skaudio.datasets._common import dataset_root, drop_absent, finish, read_csv, reading_options
from skaudio.datasets._paths import paths_inside

__all__ = ["load_vggsound"]

_COLUMNS = ["youtube_id", "start_seconds", "label", "split"]
_LAYOUT = "<root>/vggsound.csv (rows youtube_id,start_seconds,label,split; no header) and the clips"


def _read_csv(csv):
    if not csv.is_file():
        raise FileNotFoundError(f"no VGGSound metadata at {csv}; expected {_LAYOUT}")
    frame = read_csv(csv, "VGGSound", header=None, names=_COLUMNS, dtype=str, keep_default_na=False)
    if frame.empty:
        raise ValueError(f"could not read the VGGSound metadata {csv}: it is empty")
    frame = frame.apply(lambda c: c.str.strip())
    start = pd.to_numeric(frame["start_seconds"], errors="coerce")
    bad = (
        (frame["youtube_id"] == "")
        | (frame["label"] == "")
        | ~frame["split"].isin(["train", "test"])
        | start.isna()
        | (start < 0)
        | (start % 1 != 0)
    )
    if bad.any():
        first = int(np.flatnonzero(bad.to_numpy())[0])
        lines = (np.flatnonzero(bad.to_numpy()) + 1).tolist()[:5]  # 1-based, no header
        raise ValueError(
            f"{csv}, line(s) {lines}: expected youtube_id,start_seconds,label,split with an integer "
            f"start and split 'train' or 'test'; line {first + 1} reads {frame.iloc[first].tolist()}"
        )
    frame["start_seconds"] = start.astype(np.int64)
    key = frame[["youtube_id", "start_seconds"]]
    if key.duplicated().any():
        dup = (np.flatnonzero(key.duplicated().to_numpy()) + 1).tolist()[:5]
        raise ValueError(f"{csv} lists the same clip (youtube_id, start_seconds) again on line(s) {dup}")
    return frame


def load_vggsound(
    data_home: str | os.PathLike[str],
    *,
    filename_format: str = "audio/{youtube_id}_{start_seconds:06d}.wav",
    splits: str | Sequence[str] | None = None,
    audio: bool = False,
    sr: float | None = 16000,
    duration: float | None = 10.0,
    on_missing: str = "raise",
    n_jobs: int | None = None,
    return_X_y: bool = False,
) -> Bunch | tuple:
    """Load VGGSound (about 200k 10-s YouTube clips, 309 classes) with its train/test split.

    The official release is ``vggsound.csv``: one row per clip, ``youtube_id,
    start_seconds, label, split`` without a header, the split ``train`` or ``test``.
    The audio itself is not distributed; each user extracts the 10 s starting at
    ``start_seconds`` from the YouTube video, and videos disappear over time, so a copy
    usually lacks some clips: ``on_missing="skip"`` uses what is there and says how
    many are missing (report it next to results).

    Parameters
    ----------
    data_home : str or path-like
        Folder holding ``vggsound.csv`` and the extracted clips.
    filename_format : str, default="audio/{youtube_id}_{start_seconds:06d}.wav"
        Where each clip lies, relative to ``data_home``, as a ``str.format`` pattern of
        the CSV's columns. Not part of the release: match the naming of your extraction.
    splits : {"train", "test"} or a list of them, default=None
        Keep only these splits; both when None.
    audio : bool, default=False
        Read the clips. Off by default: 200k clips of 10 s do not fit in memory; read
        them later with :class:`~skaudio.features.AudioLoader` or
        :func:`~skaudio.features.extract_to_memmap` from ``filenames``.
    sr : float, default=16000
        Sampling rate to return.
    duration : float, default=10.0
        Seconds per clip; shorter ones are zero-padded.
    on_missing : {"raise", "skip"}, default="raise"
        Rows whose clip is absent or unreadable: ``"raise"`` names them, ``"skip"``
        drops them with a warning.
    n_jobs : int, default=None
        joblib threads reading files (None is 1, -1 all cores).
    return_X_y : bool, default=False
        Return ``(data, target)`` only (``(filenames, target)`` with ``audio=False``).

    Returns
    -------
    Bunch
        ``data`` (None unless ``audio=True``), ``target`` (index into
        ``target_names``, the CSV's labels sorted), ``split``, ``filenames``,
        ``frame`` (the CSV's rows), ``sr``, ``protocol``.

    References
    ----------
    .. [1] H. Chen, W. Xie, A. Vedaldi, A. Zisserman, "VGGSound: A Large-scale
       Audio-Visual Dataset", ICASSP 2020.
    """
    read = reading_options(
        audio=audio, sr=sr, duration=duration, n_jobs=n_jobs, on_missing=on_missing, return_X_y=return_X_y
    )
    if splits is None:
        wanted = ["train", "test"]
    else:
        wanted = [splits] if isinstance(splits, str) else list(splits) if isinstance(splits, Sequence) else []
        if not wanted or any(s not in ("train", "test") for s in wanted):
            raise ValueError(f"splits must be 'train', 'test' or a list of them, got {splits!r}")
    if not isinstance(filename_format, str):
        raise TypeError(f"filename_format must be a str.format pattern, got {type(filename_format).__name__}")
    root = dataset_root(data_home, "VGGSound", _LAYOUT)
    csv = root / "vggsound.csv"
    frame = _read_csv(csv)
    target_names = sorted(frame["label"].unique())
    frame["target"] = frame["label"].map({label: i for i, label in enumerate(target_names)})
    frame = frame[frame["split"].isin(wanted)]
    try:
        names = [filename_format.format(**row) for row in frame[_COLUMNS].to_dict("records")]
    except (KeyError, IndexError, ValueError) as exc:
        raise ValueError(
            f"filename_format {filename_format!r} cannot be filled from the columns {_COLUMNS}: {exc!r}"
        ) from None
    # refused before any file is opened: a crafted CSV can neither read nor probe other folders
    paths = paths_inside(root, names, frame.index + 1, csv)
    frame, paths = drop_absent(frame, paths, root, on_missing)
    return finish(
        frame,
        paths,
        dataset="VGGSound",
        target_names=target_names,
        groups=["split"],
        protocol={"kind": "split", "column": "split"},
        descr="VGGSound (Chen et al. 2020): 10-s YouTube clips, 309 classes, official train/test split.",
        **read,
    )
