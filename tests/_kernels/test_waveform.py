"""The one-pass waveform kernels behind load_audio (skaudio._kernels.waveform)."""

import numpy as np
import pytest

from skaudio._kernels.waveform import MAX_DOWNMIX_CHANNELS, all_finite, channels_first_into, downmix_into


def _interleaved(n_channels, n_frames=5000, seed=0):
    rng = np.random.default_rng(seed)
    # magnitudes over six decades, so that the order of the additions shows in the last bit
    scale = 10.0 ** rng.integers(-3, 3, (n_frames, n_channels))
    return (rng.standard_normal((n_frames, n_channels)) * scale).astype(np.float32)


@pytest.mark.parametrize("n_channels", range(1, MAX_DOWNMIX_CHANNELS + 1))
def test_downmix_equals_numpy_mean_bit_for_bit(n_channels):
    data = _interleaved(n_channels)
    out = np.full(len(data), np.nan, np.float32)
    assert downmix_into(data, out)
    np.testing.assert_array_equal(out, data.T.mean(axis=0))


def test_downmix_beyond_its_channel_limit_would_differ_from_numpy():
    # why MAX_DOWNMIX_CHANNELS is 7: numpy sums 8 or more channels in blocks of 8
    data = _interleaved(9)
    out = np.empty(len(data), np.float32)
    downmix_into(data, out)
    assert not np.array_equal(out, data.T.mean(axis=0))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("n_channels", [2, 3])
def test_downmix_reports_non_finite_values(bad, n_channels):
    data = _interleaved(n_channels)
    data[1234, n_channels - 1] = bad
    out = np.empty(len(data), np.float32)
    assert not downmix_into(data, out)
    assert not np.isfinite(out[1234]) and np.isfinite(np.delete(out, 1234)).all()


def test_downmix_reports_an_overflowing_sum():
    data = np.full((10, 2), 3e38, np.float32)  # finite samples whose float32 sum is inf
    assert not downmix_into(data, np.empty(10, np.float32))


def test_channels_first_copies_and_checks():
    data = _interleaved(3)
    out = np.empty((3, len(data)), np.float32)
    assert channels_first_into(data, out)
    np.testing.assert_array_equal(out, data.T)
    data[7, 2] = np.nan
    assert not channels_first_into(data, out)


def test_all_finite():
    x = _interleaved(1)[:, 0].copy()
    assert all_finite(x) and all_finite(x[:0])
    for bad in (np.nan, np.inf, -np.inf):
        y = x.copy()
        y[-1] = bad
        assert not all_finite(y)
