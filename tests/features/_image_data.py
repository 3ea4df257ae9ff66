"""Shared helpers of the image-processing tests: where the real audio lives."""
import os
from pathlib import Path

import pytest


def shared_data():
    """``../shared/data`` beside the repository, or ``$SKAUDIO_SHARED_DATA``; skip when absent."""
    env = os.environ.get("SKAUDIO_SHARED_DATA")
    root = Path(env) if env else Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
    if not (root / "esc10" / "meta" / "esc50.csv").exists():
        pytest.skip(f"shared ESC-10 data not found under {root}")
    return root
