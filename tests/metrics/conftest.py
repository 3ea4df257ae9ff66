"""Fixtures for the metric tests: real log-mel spectrograms of ESC-10 clips and numpy pooling."""

import os
from pathlib import Path

import numpy as np
import pytest


def _shared_data_path():
    """``../shared/data`` next to the repository, or ``$SKAUDIO_SHARED_DATA``."""
    env = os.environ.get("SKAUDIO_SHARED_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / ".." / "shared" / "data"


def numpy_pool(S, how="average"):
    """2x2 pooling with stride 2 in plain numpy (trailing odd row/frame dropped)."""
    n, F, T = S.shape
    blocks = S[:, : F // 2 * 2, : T // 2 * 2].reshape(n, F // 2, 2, T // 2, 2).astype(np.float64)
    out = blocks.mean(axis=(2, 4)) if how == "average" else blocks.max(axis=(2, 4))
    return out.astype(np.float32)


@pytest.fixture(scope="session")
def pool():
    """The plain-numpy 2x2 pooling reference."""
    return numpy_pool


@pytest.fixture(scope="session")
def esc10_logmel():
    """Log-mel (dB re max) of 6 ESC-10 clips at 16 kHz: S, mel centre frequencies, sr."""
    root = _shared_data_path() / "esc10"
    if not (root / "meta" / "esc50.csv").is_file():
        pytest.skip(f"shared ESC-10 data not found at {root}")
    from skaudio.datasets import load_esc50
    from skaudio.features import MelSpectrogram

    bunch = load_esc50(root, sr=16000, subset="esc10", folds=[1])
    # one clip of each of six classes, so the batch is varied
    _, first = np.unique(bunch.target, return_index=True)
    X = bunch.data[np.sort(first)[:6]]
    mel = MelSpectrogram(sr=16000, n_fft=1024, hop_length=256, n_mels=64)
    S = mel.fit_transform(X)
    return S, mel.frequencies_, 16000
