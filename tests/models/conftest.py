"""Shared data of the model tests."""

import numpy as np
import pytest
from sklearn.model_selection import train_test_split

from skaudio.datasets import make_sound_events

SR = 8000


@pytest.fixture(scope="module")
def events():
    """72 one-second synthetic events of 3 classes at 8 kHz, split 48 / 24 (string labels)."""
    b = make_sound_events(72, 3, sr=SR, duration=1.0, snr_db=10.0, random_state=0, return_bunch=True)
    names = np.asarray(b.target_names)[b.target]  # string labels
    return train_test_split(b.data, names, test_size=24, stratify=names, random_state=0)
