"""ESC-50: loading the official layout, downloading the official archive."""

from __future__ import annotations

import os
import shutil
import warnings
import zipfile
from collections.abc import Sequence
from numbers import Integral
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.utils import Bunch

from skaudio.datasets._common import drop_absent, finish, read_csv, reading_options
from skaudio.datasets._paths import is_inside, paths_inside

__all__ = ["load_esc50", "fetch_esc50", "ESC50_URL", "ESC50_SHA256", "get_data_home"]

#: The official archive (the repository's master branch as a zip).
ESC50_URL = "https://github.com/karolpiczak/ESC-50/archive/master.zip"
#: sha256 of that archive as last verified (645,695,005 bytes). Should the
#: upstream branch change, pass the new checksum to ``fetch_esc50(sha256=...)``.
ESC50_SHA256 = "805afc618aff80eff0641d51311647871fead5807da68bb18e43a27db47a79ce"

_COLUMNS = ["filename", "fold", "target", "category", "esc10", "src_file", "take"]
_ARCHIVE_ROOT = "ESC-50-master"


def get_data_home(data_home: str | os.PathLike[str] | None = None) -> Path:
    """Folder for downloaded data: ``data_home``, ``$SKAUDIO_DATA`` or ``~/skaudio_data``."""
    if data_home is None:
        data_home = os.environ.get("SKAUDIO_DATA", os.path.join("~", "skaudio_data"))
    path = Path(data_home).expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return path


def _read_meta(root):
    csv = root / "meta" / "esc50.csv"
    if not csv.is_file():
        raise FileNotFoundError(
            f"no ESC-50 metadata at {csv}; expected the official layout "
            "<root>/meta/esc50.csv and <root>/audio/*.wav (fetch_esc50 downloads it)"
        )
    frame = read_csv(csv, "ESC-50")
    missing = [c for c in _COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{csv} lacks the column(s) {missing}; the official columns are {_COLUMNS}")
    names = frame["filename"]
    blank = names.isna() | (names.astype(str).str.strip() == "")
    if blank.any():
        lines = (np.flatnonzero(blank.to_numpy()) + 2).tolist()[:5]  # 1-based, after the header
        raise ValueError(f"{csv} has an empty 'filename' cell on line(s) {lines}")
    empty_cells = [c for c in ("fold", "target", "category", "esc10") if frame[c].isna().any()]
    if empty_cells:
        raise ValueError(f"{csv} has empty cells in the column(s) {empty_cells}")
    if frame["filename"].duplicated().any():
        dup = frame.loc[frame["filename"].duplicated(), "filename"].tolist()[:5]
        raise ValueError(f"{csv} lists the same file more than once, e.g. {dup}")
    # class indices: 1.5 must not merge with 1, nor 1e30 wrap to INT64_MIN, nor 'x' fail in pandas
    target = pd.to_numeric(frame["target"], errors="coerce")
    bad = target.isna() | (target < 0) | (target > np.iinfo(np.int32).max) | (target % 1 != 0)
    if bad.any():
        lines = (np.flatnonzero(bad.to_numpy()) + 2).tolist()[:5]
        values = frame.loc[bad, "target"].tolist()[:5]
        raise ValueError(
            f"{csv}: the column 'target' must hold class indices (integers >= 0); "
            f"line(s) {lines} hold {values}"
        )
    frame["target"] = target.astype(np.int64)
    bad_folds = sorted(set(frame["fold"]) - {1, 2, 3, 4, 5})
    if bad_folds:
        raise ValueError(f"{csv} has fold values {bad_folds}; ESC-50 folds are 1 to 5")
    pairs = frame[["target", "category"]].drop_duplicates()
    if pairs["target"].duplicated().any() or pairs["category"].duplicated().any():
        clash = pairs[pairs["target"].duplicated(keep=False) | pairs["category"].duplicated(keep=False)]
        raise ValueError(f"{csv} maps targets and categories inconsistently:\n{clash.to_string(index=False)}")
    if frame["esc10"].dtype != bool:
        frame["esc10"] = frame["esc10"].astype(str).str.lower().map({"true": True, "false": False})
        if frame["esc10"].isna().any():
            raise ValueError(f"{csv}: column 'esc10' must hold True/False")
    return frame


def load_esc50(
    data_home: str | os.PathLike[str] | None,
    *,
    sr: float | None = 44100,
    folds: int | Sequence[int] | None = None,
    subset: str | None = None,
    duration: float | None = 5.0,
    audio: bool = True,
    on_missing: str = "raise",
    n_jobs: int | None = None,
    return_X_y: bool = False,
) -> Bunch | tuple[np.ndarray, np.ndarray]:
    """Load ESC-50 (or its ESC-10 subset) from a folder in the official layout.

    Parameters
    ----------
    data_home : str, path-like or None
        Folder holding ``meta/esc50.csv`` and ``audio/*.wav`` (the unpacked
        archive's ``ESC-50-master`` folder, or a copy of it). None reads the copy
        :func:`fetch_esc50` keeps (``ESC-50-master`` in :func:`get_data_home`).
    sr : int, default=44100
        Sampling rate to return (files are resampled with soxr when it differs).
    folds : int or sequence of int, default=None
        Keep only these folds (integers 1-5); all when None.
    subset : {None, "esc10"}, default=None
        ``"esc10"`` keeps the 10-class ESC-10 subset (rows with ``esc10 == True``).
    duration : float, default=5.0
        Seconds per clip; all ESC-50 clips are 5 s.
    audio : bool, default=True
        Read the clips. False returns the metadata and paths only (``data`` is
        None), for :class:`~skaudio.features.AudioLoader` or
        :func:`~skaudio.features.extract_to_memmap` to read later.
    on_missing : {"raise", "skip"}, default="raise"
        A partial or damaged copy (metadata rows whose audio file is absent or
        unreadable: empty, corrupt, not audio): ``"raise"`` names the missing
        or the first unreadable file; ``"skip"`` drops those rows with a
        warning listing them. Either way the metadata must be consistent.
    n_jobs : int, default=None
        joblib workers (threads) reading files: None is 1, -1 all cores
        (joblib's convention).
    return_X_y : bool, default=False
        Return ``(data, target)`` only (``(filenames, target)`` with ``audio=False``).

    Returns
    -------
    Bunch
        ``data`` (n, n_samples) float32 (None with ``audio=False``), ``target`` (int, ESC-50 class index),
        ``target_names`` (category per class index present), ``fold``,
        ``filenames`` (full paths), ``frame`` (the metadata rows as a
        DataFrame), ``sr``, ``protocol`` (for :func:`protocol_cv`: leave one
        fold out). Rows are in the metadata's order.

    Examples
    --------
    The ESC-50 protocol (leave one predefined fold out)::

        from sklearn.model_selection import LeaveOneGroupOut, cross_validate
        esc = load_esc50("ESC-50-master", subset="esc10", sr=16000)
        cross_validate(pipe, esc.data, esc.target, groups=esc.fold,
                       cv=LeaveOneGroupOut())

    References
    ----------
    .. [1] K. J. Piczak, "ESC: Dataset for Environmental Sound Classification",
       ACM Multimedia 2015.
    """
    read = reading_options(
        audio=audio, sr=sr, duration=duration, n_jobs=n_jobs, on_missing=on_missing, return_X_y=return_X_y
    )
    if subset not in (None, "esc10"):
        raise ValueError(f"subset must be None or 'esc10', got {subset!r}")
    # None: the copy fetch_esc50 keeps in the data home
    root = get_data_home() / _ARCHIVE_ROOT if data_home is None else Path(data_home).expanduser()
    frame = _read_meta(root)
    if subset == "esc10":
        frame = frame[frame["esc10"]]
    if folds is not None:
        wanted = [folds] if np.isscalar(folds) else list(folds)
        bad = [
            f
            for f in wanted
            if not isinstance(f, Integral) or isinstance(f, bool) or f not in (1, 2, 3, 4, 5)
        ]
        if bad or not wanted:
            raise ValueError(f"folds must be an integer 1..5 or a list of them, got {folds!r}")
        wanted = [int(f) for f in wanted]
        frame = frame[frame["fold"].isin(wanted)]
    # refused before any file is opened: a crafted CSV can neither read nor probe other folders
    paths = paths_inside(root / "audio", frame["filename"], frame.index + 2, root / "meta" / "esc50.csv")
    frame, paths = drop_absent(frame, paths, root / "audio", on_missing)
    if frame.empty:
        raise ValueError(f"no ESC-50 clips selected from {root} (subset={subset!r}, folds={folds!r})")
    return finish(
        frame,
        paths,
        dataset="ESC-50",
        # the categories of the clips returned (after unreadable ones are skipped), as before
        target_names=lambda kept: kept.drop_duplicates("target").sort_values("target")["category"].to_numpy(),
        groups=["fold"],
        protocol={"kind": "folds", "column": "fold"},
        descr="ESC-50 environmental sound classification (Piczak 2015); 5 predefined folds, 5-s clips.",
        **read,
    )


def _safe_extract(archive, target):
    """Unzip ``archive`` into ``target``, refusing members that would land outside it."""
    target = Path(target).resolve()
    with zipfile.ZipFile(archive) as zf:
        for member in zf.infolist():
            dest = target / member.filename
            if dest.resolve() != target and not is_inside(target, dest):
                raise ValueError(
                    f"refusing to extract {member.filename!r}: it would be written outside {target}"
                )
            if member.external_attr >> 28 == 0xA:  # a symbolic link
                raise ValueError(f"refusing to extract symbolic link {member.filename!r}")
        zf.extractall(target)


def fetch_esc50(
    data_home: str | os.PathLike[str] | None = None,
    *,
    download_if_missing: bool = True,
    url: str = ESC50_URL,
    sha256: str = ESC50_SHA256,
    progressbar: bool = True,
    **load_kwargs: Any,
) -> Bunch | tuple[np.ndarray, np.ndarray]:
    """Download (once) and load ESC-50.

    The archive is fetched with pooch, its sha256 checked, and unpacked with
    every member checked to stay inside ``data_home``. Later calls find the
    unpacked copy and do not download again.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Where to keep the data (``$SKAUDIO_DATA`` or ``~/skaudio_data`` when None).
    download_if_missing : bool, default=True
        When False and the data are absent, raise ``FileNotFoundError``.
    url : str, default=ESC50_URL
        Archive address (a mirror, or a local server in tests).
    sha256 : str, default=ESC50_SHA256
        Expected checksum of the archive.
    progressbar : bool, default=True
        Show download progress (tqdm).
    **load_kwargs
        Passed to :func:`load_esc50` (``sr``, ``folds``, ``subset``, ...).

    Returns
    -------
    Bunch
        As :func:`load_esc50`.
    """
    home = get_data_home(data_home)
    root = home / _ARCHIVE_ROOT
    if not (root / "meta" / "esc50.csv").is_file():
        if not download_if_missing:
            raise FileNotFoundError(f"ESC-50 not found in {home} and download_if_missing=False")
        import pooch

        archive = pooch.retrieve(
            url, known_hash=f"sha256:{sha256}", fname="ESC-50-master.zip", path=home, progressbar=progressbar
        )
        _install_archive(Path(archive), home, url)
    return load_esc50(root, **load_kwargs)


def _install_archive(archive, home, url):
    """Unpack ``archive`` into ``home / ESC-50-master``; only a complete copy becomes visible.

    The archive is unpacked into ``ESC-50-master.partial`` next to the target
    and checked; an existing ``ESC-50-master`` without ``meta/esc50.csv`` (an
    interrupted older extraction, a hand-made partial copy) is moved into that
    temporary folder, the complete copy is renamed into place, and the
    temporary folder is removed whatever happens, so a failed call leaves
    nothing behind that would make the next one fail. The verified archive is
    kept if unpacking is interrupted (the next call does not download it
    again), and removed once unpacked or if it turns out not to be ESC-50.
    """
    root = home / _ARCHIVE_ROOT
    tmp = home / (_ARCHIVE_ROOT + ".partial")
    if tmp.exists():  # left by an interrupted earlier call
        shutil.rmtree(tmp)
    try:
        try:
            _safe_extract(archive, tmp)
            inner = tmp / _ARCHIVE_ROOT
            if not (inner / "meta" / "esc50.csv").is_file():
                raise ValueError(f"the archive from {url} has no {_ARCHIVE_ROOT}/meta/esc50.csv")
        except (ValueError, zipfile.BadZipFile):
            os.remove(archive)  # pooch would find it again and every later call would fail here
            raise
        if root.exists() or root.is_symlink():
            warnings.warn(
                f"replacing the incomplete ESC-50 copy {root} (it has no meta/esc50.csv) "
                "with the downloaded archive",
                UserWarning,
                stacklevel=3,
            )
            root.rename(tmp / "incomplete")  # removed with tmp below
        try:
            inner.rename(root)  # same folder, so an atomic rename: a copy is complete or absent
        except OSError as exc:
            raise OSError(
                f"could not move the unpacked ESC-50 into {root} ({exc}); remove {root} "
                "and call fetch_esc50 again"
            ) from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    os.remove(archive)
