"""UrbanSound8K: ``metadata/UrbanSound8K.csv`` and ``audio/fold1`` ... ``audio/fold10``."""

from __future__ import annotations

import os
from collections.abc import Sequence
from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.utils import Bunch

from skaudio.datasets._common import dataset_root, drop_absent, finish, read_csv, reading_options
from skaudio.datasets._paths import paths_inside

__all__ = ["load_urbansound8k"]

_COLUMNS = ["slice_file_name", "fsID", "start", "end", "salience", "fold", "classID", "class"]
_LAYOUT = "<root>/metadata/UrbanSound8K.csv and <root>/audio/fold1 ... fold10"


def _integers(frame, column, csv, low, high):
    """``frame[column]`` as int64, or an error naming the CSV lines that are not integers in range."""
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = values.isna() | (values < low) | (values > high) | (values % 1 != 0)
    if bad.any():
        lines = (np.flatnonzero(bad.to_numpy()) + 2).tolist()[:5]  # 1-based, after the header
        raise ValueError(
            f"{csv}: the column {column!r} must hold integers {low} to {high}; "
            f"line(s) {lines} hold {frame.loc[bad, column].tolist()[:5]}"
        )
    return values.astype(np.int64)


def _read_meta(root):
    csv = root / "metadata" / "UrbanSound8K.csv"
    if not csv.is_file():
        raise FileNotFoundError(f"no UrbanSound8K metadata at {csv}; expected the official layout {_LAYOUT}")
    frame = read_csv(csv, "UrbanSound8K", dtype={"slice_file_name": str, "class": str})
    missing = [c for c in _COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{csv} lacks the column(s) {missing}; the official columns are {_COLUMNS}")
    blank = frame["slice_file_name"].isna() | frame["class"].isna()
    if blank.any():
        lines = (np.flatnonzero(blank.to_numpy()) + 2).tolist()[:5]
        raise ValueError(f"{csv} has an empty 'slice_file_name' or 'class' cell on line(s) {lines}")
    frame["fold"] = _integers(frame, "fold", csv, 1, 10)
    frame["classID"] = _integers(frame, "classID", csv, 0, 9)
    if frame["slice_file_name"].duplicated().any():
        dup = frame.loc[frame["slice_file_name"].duplicated(), "slice_file_name"].tolist()[:5]
        raise ValueError(f"{csv} lists the same file more than once, e.g. {dup}")
    pairs = frame[["classID", "class"]].drop_duplicates()
    if pairs["classID"].duplicated().any() or pairs["class"].duplicated().any():
        clash = pairs[pairs["classID"].duplicated(keep=False) | pairs["class"].duplicated(keep=False)]
        raise ValueError(f"{csv} maps classID and class inconsistently:\n{clash.to_string(index=False)}")
    return frame, csv


def load_urbansound8k(
    data_home: str | os.PathLike[str],
    *,
    folds: int | Sequence[int] | None = None,
    audio: bool = True,
    sr: float | None = 22050,
    duration: float | None = 4.0,
    on_missing: str = "raise",
    n_jobs: int | None = None,
    return_X_y: bool = False,
) -> Bunch | tuple:
    """Load UrbanSound8K (8732 urban sound excerpts of at most 4 s, 10 classes, 10 folds).

    The protocol is the ten predefined folds, one left out at a time: the dataset's
    authors ask not to reshuffle them, as slices of one recording share a fold and a
    random split would put near-identical slices in training and test.

    Parameters
    ----------
    data_home : str or path-like
        The ``UrbanSound8K`` folder: ``metadata/UrbanSound8K.csv`` (columns
        ``slice_file_name, fsID, start, end, salience, fold, classID, class``) and
        ``audio/fold<N>/<slice_file_name>``.
    folds : int or sequence of int, default=None
        Keep only these folds (1-10); all when None.
    audio : bool, default=True
        Read the clips. False returns metadata and paths only (``data`` is None),
        for :class:`~skaudio.features.AudioLoader` or
        :func:`~skaudio.features.extract_to_memmap` to read later.
    sr : float, default=22050
        Sampling rate to return (the files come at several rates; each is resampled).
    duration : float, default=4.0
        Seconds per clip; shorter clips are zero-padded, so ``data`` is 2-D.
    on_missing : {"raise", "skip"}, default="raise"
        Metadata rows whose audio file is absent or unreadable: ``"raise"`` names the
        file; ``"skip"`` drops those rows with a warning listing them.
    n_jobs : int, default=None
        joblib threads reading files (None is 1, -1 all cores).
    return_X_y : bool, default=False
        Return ``(data, target)`` only (``(filenames, target)`` with ``audio=False``).

    Returns
    -------
    Bunch
        ``data`` (n, n_samples) float32 or None, ``target`` (``classID``),
        ``target_names`` (class name per ``classID``), ``fold``, ``filenames``,
        ``frame`` (the metadata rows), ``sr``, ``protocol``.

    Examples
    --------
    Ten-fold cross-validation on the official folds::

        from sklearn.model_selection import cross_validate
        from skaudio.datasets import load_urbansound8k, protocol_cv
        us8k = load_urbansound8k("UrbanSound8K")
        cross_validate(pipe, us8k.data, us8k.target, cv=protocol_cv(us8k))

    References
    ----------
    .. [1] J. Salamon, C. Jacoby, J. P. Bello, "A Dataset and Taxonomy for Urban Sound
       Research", ACM Multimedia 2014.
    """
    read = reading_options(
        audio=audio, sr=sr, duration=duration, n_jobs=n_jobs, on_missing=on_missing, return_X_y=return_X_y
    )
    root = dataset_root(data_home, "UrbanSound8K", _LAYOUT)
    frame, csv = _read_meta(root)
    names_by_id = dict(zip(frame["classID"], frame["class"]))
    target_names = [names_by_id.get(i, "") for i in range(max(names_by_id) + 1)]
    if folds is not None:
        wanted = [folds] if np.isscalar(folds) else list(folds)
        if not wanted or any(
            not isinstance(f, Integral) or isinstance(f, bool) or not 1 <= f <= 10 for f in wanted
        ):
            raise ValueError(f"folds must be an integer 1..10 or a list of them, got {folds!r}")
        frame = frame[frame["fold"].isin([int(f) for f in wanted])]
    # each name must stay in its own fold's folder, refused before any file is opened: a
    # crafted CSV can neither read nor probe other folders
    paths = [
        paths_inside(root / "audio" / f"fold{fold}", [name], [line], csv)[0]
        for fold, name, line in zip(frame["fold"], frame["slice_file_name"], frame.index + 2)
    ]
    frame, paths = drop_absent(frame, paths, root / "audio", on_missing)
    frame = frame.assign(target=frame["classID"])
    return finish(
        frame,
        paths,
        dataset="UrbanSound8K",
        target_names=target_names,
        groups=["fold"],
        protocol={"kind": "folds", "column": "fold"},
        descr="UrbanSound8K (Salamon et al. 2014): 10 urban sound classes, 10 predefined folds.",
        **read,
    )
