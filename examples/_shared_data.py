"""Where the examples find the project's shared audio (one home for all of them).

The examples run as scripts (``python examples/NAME.py``), so this module is
imported from the examples' own folder, which Python puts first on ``sys.path``.
"""

import os
import sys
from pathlib import Path

#: ``--help`` text of the ``--data`` option, the same in every example
DATA_HELP = "the shared data folder holding esc10/ (default: $SKAUDIO_SHARED_DATA or ../shared/data)"


def data_folder(path=None):
    """The shared data folder: ``path``, else ``$SKAUDIO_SHARED_DATA``, else ``../shared/data``."""
    if path is not None:
        return Path(path)
    env = os.environ.get("SKAUDIO_SHARED_DATA")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "shared" / "data"


def add_data_argument(parser, help=DATA_HELP):
    """Add the ``--data DIR`` option every example takes (read it with :func:`data_folder`)."""
    parser.add_argument("--data", type=Path, default=None, help=help)


def esc10_folder(data):
    """The ``esc10/`` folder (ESC-50 layout) under the shared folder ``data``, or None after
    saying on stderr where it was looked for (the examples then exit)."""
    folder = Path(data) / "esc10"
    if (folder / "meta" / "esc50.csv").is_file():
        return folder
    print(f"ESC-10 not found under {folder}; pass --data or set SKAUDIO_SHARED_DATA", file=sys.stderr)
    return None
