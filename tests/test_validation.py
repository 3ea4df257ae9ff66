"""skaudio._validation: the shared input checks."""

import numpy as np
import pytest

from skaudio._validation import check_finite


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_check_finite_counts_nan_and_inf(dtype):
    x = np.zeros((3, 1000), dtype)
    check_finite(x, "X")
    x[1, 5], x[2, 7], x[0, 0] = np.nan, np.inf, -np.inf
    with pytest.raises(ValueError, match="X contains 1 NaN and 2 infinite"):
        check_finite(x, "X")


def test_check_finite_accepts_finite_values_whose_sum_overflows():
    # the fast path sums the array: an overflowing sum must fall back to the exact check
    check_finite(np.full(10, 3e38, np.float32), "X")
    check_finite(np.array([np.finfo(np.float64).max] * 2), "X")


def test_check_finite_takes_lists_integers_and_empty_arrays():
    check_finite([1.0, 2.0], "X")
    check_finite(np.arange(5), "X")
    check_finite(np.zeros((0, 3), np.float32), "X")
    with pytest.raises(ValueError, match="1 NaN"):
        check_finite([1.0, float("nan")], "X")
