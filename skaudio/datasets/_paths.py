"""Paths named by a dataset's metadata stay inside the dataset's folder.

Every loader reads file names from a metadata file it does not control (a download, a
copy from a colleague). One helper checks them all before any file is opened: a name
that is absolute, climbs out with ``..``, or reaches outside through a symbolic link is
refused with the metadata's line, and the refusal is the same whether or not the target
exists, so a crafted metadata file cannot read, or probe for, files elsewhere.
``fetch_esc50``'s archive extraction applies the same rule to the archive's members.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

__all__ = ["files_inside", "is_inside", "paths_inside"]


def is_inside(folder: str | os.PathLike[str], path: str | os.PathLike[str]) -> bool:
    """Whether ``path``, symbolic links followed, lies inside ``folder`` (also resolved)."""
    folder, path = Path(folder).resolve(), Path(path).resolve()
    return path != folder and folder in path.parents


def paths_inside(
    folder: str | os.PathLike[str], names: Iterable[str], lines: Iterable[int], source: str
) -> list[Path]:
    """``folder / name`` for each name, refusing any name that leads outside ``folder``.

    Parameters
    ----------
    folder : path-like
        The folder the files must lie in (e.g. a dataset's ``audio/``).
    names : iterable of str
        File names relative to ``folder``, as the metadata gives them.
    lines : iterable of int
        The metadata line of each name, for the error message.
    source : str
        The metadata file, for the error message.

    Returns
    -------
    list of pathlib.Path
        ``folder / name``, unresolved (as the user's folder spells it).

    Raises
    ------
    ValueError
        For the first name that is absolute or whose resolved path (``..`` and symbolic
        links followed) is not inside the resolved ``folder``.
    """
    folder = Path(folder)
    real = folder.resolve()
    paths = []
    for name, line in zip(names, lines):
        name = str(name)
        # judged on the text first: an absolute name or one that climbs out is refused
        # without touching the file system
        lexical = os.path.normpath(os.path.join("inside", name))
        if os.path.isabs(name) or lexical == "inside" or not lexical.startswith("inside" + os.sep):
            _refuse(source, line, name, folder)
        path = folder / name
        resolved = path.resolve()  # symbolic links inside the folder may still lead out
        if resolved == real or real not in resolved.parents:
            _refuse(source, line, name, folder)
        paths.append(path)
    return paths


def _refuse(source, line, name, folder):
    raise ValueError(
        f"{source}, line {line}: the file name {name!r} leads outside {folder}; "
        "a dataset's metadata may only name files inside its own folder"
    )


def files_inside(folder: str | os.PathLike[str], pattern: str) -> list[Path]:
    """The entries under ``folder`` matching ``pattern`` (a glob), sorted, none leading outside it.

    For loaders that find their clips by listing folders instead of reading a metadata
    file: a file (or a folder on its way) that is a symbolic link out of ``folder`` is
    refused naming the file, as :func:`paths_inside` refuses a metadata row.

    Raises
    ------
    ValueError
        For the first match whose resolved path is not inside the resolved ``folder``.
    """
    folder = Path(folder)
    # a folder named like a clip is kept: reading it fails naming it (or on_missing="skip" drops it),
    # rather than the clip vanishing without a word
    paths = sorted(folder.glob(pattern))
    real = folder.resolve()  # once, not per file: Speech Commands has 105k of them
    for path in paths:
        resolved = path.resolve()
        if resolved == real or real not in resolved.parents:
            raise ValueError(
                f"{path} leads outside {folder} (a symbolic link); a dataset's files must lie "
                "inside its own folder"
            )
    return paths
