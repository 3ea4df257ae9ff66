import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skaudio.datasets import SOUND_EVENT_KINDS, make_sound_events
from skaudio.features import MelSpectrogram


def test_shapes_balance_and_range():
    b = make_sound_events(40, 10, sr=8000, duration=0.5, random_state=0, return_bunch=True)
    assert b.data.shape == (40, 4000) and b.data.dtype == np.float32
    assert np.bincount(b.target).tolist() == [4] * 10
    assert np.abs(b.data).max() < 1.0
    assert ((0 <= b.onsets) & (b.onsets < b.offsets) & (b.offsets <= 0.5 + 1e-9)).all()
    assert b.target_names[0].startswith(SOUND_EVENT_KINDS[0])


def test_seed_reproducible_and_classes_stable():
    X1, y1 = make_sound_events(10, 5, duration=0.25, random_state=3)
    X2, y2 = make_sound_events(10, 5, duration=0.25, random_state=3)
    X3, _ = make_sound_events(10, 5, duration=0.25, random_state=4)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)


def test_event_is_where_the_bunch_says():
    b = make_sound_events(6, 5, sr=8000, duration=1.0, snr_db=30.0, random_state=1, return_bunch=True)
    for x, on, off in zip(b.data, b.onsets, b.offsets):
        inside = x[int(on * 8000) : int(off * 8000)]
        outside = np.concatenate([x[: int(on * 8000)], x[int(off * 8000) :]])
        if outside.size > 100:
            assert np.sqrt(np.mean(inside**2)) > 5 * np.sqrt(np.mean(outside**2))


def test_hard_enough_for_a_mean_spectrum_but_learnable():
    X, y = make_sound_events(200, 10, sr=16000, duration=1.0, random_state=0)
    S = MelSpectrogram(sr=16000, n_fft=1024, hop_length=256, n_mels=64).fit_transform(X)
    clf = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    mean_only = cross_val_score(clf, S.mean(-1), y, cv=5).mean()
    assert 0.3 < mean_only < 1.0  # better than chance (0.1), not perfect


@pytest.mark.parametrize(
    "kw, match",
    [
        (dict(n_clips=0), "n_clips"),
        (dict(sr=0), "sr"),
        (dict(event_duration=(0.5, 0.2)), "event_duration"),
    ],
)
def test_bad_arguments(kw, match):
    with pytest.raises(ValueError, match=match):
        make_sound_events(**kw)
