"""Tiny fitted networks of skaudio.models (one epoch each: interpretation needs a fitted model,
not a good one) and a synthetic problem whose hidden activations and spectral patterns are known."""

import numpy as np
import pytest
import torch
from sklearn.pipeline import Pipeline

from skaudio.datasets import make_sound_events
from skaudio.features import MelSpectrogram, Spectrogram
from skaudio.models import DEGramNetClassifier, DualBranchClassifier, SECNNClassifier

SR = 8000
FAST = dict(
    random_state=0, n_jobs=1, batch_size=8, max_epochs=1, early_stopping=False, noise=None, mixup_alpha=0.0
)


def mel(**kw):
    return MelSpectrogram(**{**dict(sr=SR, n_fft=256, hop_length=128, n_mels=32), **kw})


def make_pipelines():
    return {
        "secnn": Pipeline(
            [
                ("mel", mel()),
                ("clf", SECNNClassifier(module__width=4, module__n_blocks=3, module__head=(16,), **FAST)),
            ]
        ),
        "degram": Pipeline(
            [
                ("spec", Spectrogram(n_fft=128, hop_length=128, sr=SR)),
                (
                    "clf",
                    DEGramNetClassifier(
                        module__n_filters=16, module__stem_width=4, module__width=2, module__sr=SR, **FAST
                    ),
                ),
            ]
        ),
        "dual": Pipeline(
            [
                (
                    "clf",
                    DualBranchClassifier(
                        module__width=4,
                        module__detail_width=8,
                        module__d_model=16,
                        module__n_heads=2,
                        module__stem_stride=8,
                        **FAST,
                    ),
                )
            ]
        ),
    }


@pytest.fixture(scope="session")
def events():
    """Nine one-second clips of three synthetic sound classes at 8 kHz."""
    return make_sound_events(9, 3, sr=SR, duration=1.0, snr_db=10.0, random_state=0)


@pytest.fixture(scope="session")
def fitted(events):
    """The three tiny pipelines, fitted for one epoch."""
    X, y = events
    return {name: pipe.fit(X, y) for name, pipe in make_pipelines().items()}


class KnownActivations(torch.nn.Module):
    """Input ``(n, K + M, T)``: the first K rows are the activations, passed through layer ``act``."""

    def __init__(self, n_channels):
        super().__init__()
        self.n_channels = n_channels
        self.act = torch.nn.Identity()
        self.head = torch.nn.Linear(n_channels, 2)

    def forward(self, x):
        h = self.act(x[:, : self.n_channels])
        return self.head(h.mean(-1))


def planted(n_clips=30, n_mels=40, n_frames=60, seed=0):
    """Gaussian bumps on the mel axis (the patterns) and sparse non-negative activations."""
    rng = np.random.default_rng(seed)
    pos = np.linspace(0.0, 1.0, n_mels)
    centres = np.array([0.1, 0.3, 0.5, 0.7, 0.9])
    W = np.exp(-0.5 * ((pos[:, None] - centres[None]) / 0.06) ** 2)
    shape = (n_clips, len(centres), n_frames)
    H = rng.gamma(0.5, 1.0, shape) * (rng.random(shape) < 0.4)
    return W, H.astype(np.float32)
