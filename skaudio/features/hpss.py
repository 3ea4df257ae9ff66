"""Harmonic/percussive separation of spectrograms, as ``librosa.decompose.hpss``: :class:`HPSS`."""

from __future__ import annotations

from numbers import Integral, Real
from typing import TYPE_CHECKING

import numpy as np
import scipy.ndimage as ndi
from numpy.typing import ArrayLike, NDArray
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from skaudio._sklearn_compat import Interval, StrOptions, check_feature_names_in, fit_context
from skaudio._validation import freq_time_pair
from skaudio.features._descriptor_base import _FeaturesOut
from skaudio.features._output import ArrayOutputMixin
from skaudio.features.image._common import MAX_KERNEL_RADIUS, validated_batch

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["HPSS"]

#: Largest median window of HPSS: the image filters' kernel bound (2 * 2**16 + 1 bins);
#: scipy's median filter of 2**31 bins asks for tens of GiB (MemoryError)
_MAX_MEDIAN_WINDOW = 2 * MAX_KERNEL_RADIUS + 1
#: Largest HPSS margin: times any float32 map (< 3.5e38) it stays finite in float64
_MAX_MARGIN = 2.0**512


def _times(ref, margin):
    """``ref * margin``, in float64 for a margin above 1: the float32 product overflows for
    margins beyond ~1e19 on loud maps, and softmask's inf / inf is NaN (issue 28)."""
    return ref if margin == 1 else ref * np.float64(margin)


class HPSS(_FeaturesOut, ArrayOutputMixin, BaseEstimator):
    """Harmonic/percussive separation of spectrograms by median filtering, as ``librosa.decompose.hpss``.

    Harmonic sounds are smooth along time, percussive ones along frequency:
    a median filter of ``kernel_size`` frames along time enhances the first,
    one of ``kernel_size`` bins along frequency the second, and soft masks
    (Wiener-like, exponent ``power``; ``librosa.util.softmask``) built from the
    two split the input. Both median filters run over the whole batch in one
    ``scipy.ndimage.median_filter`` call each (a window of length 1 along the
    clip axis never mixes clips; ``mode="reflect"`` as librosa).

    Parameters
    ----------
    kernel_size : int or (int, int), default=31
        Median filter lengths (harmonic: frames, percussive: bins).
    power : float, default=2.0
        Exponent of the soft mask; ``np.inf`` gives a binary mask.
    margin : float or (float, float), default=1.0
        Separation margins (at least 1); above 1 a residual is left out of
        both components.
    mask : bool, default=False
        Return the masks instead of the masked spectrograms.
    output : {"harmonic", "percussive", "both"}, default="harmonic"
        Which component; ``"both"`` stacks harmonic then percussive rows along
        axis 1, ``(n_clips, 2 * n_freqs, n_frames)``.

    Attributes
    ----------
    n_features_in_ : int
        Frequency rows seen in ``fit`` (columns of 2-D input).
    feature_names_out_ : ndarray of str
        The input names for one component; ``harmonic_<row>, ...,
        percussive_<row>, ...`` for ``"both"``.

    Notes
    -----
    Input is a non-negative magnitude or power spectrogram batch ``(n_clips,
    n_freqs, n_frames)`` (e.g. ``Spectrogram(power=1)``), not dB; 2-D input
    ``(n_clips, n_frames)`` is one frequency row per clip. The output keeps
    the input's shape (with twice the rows for ``"both"``).

    References
    ----------
    .. [1] Fitzgerald, "Harmonic/percussive separation using median filtering",
       DAFx 2010.
    .. [2] Driedger, Mueller & Disch, "Extending harmonic-percussive separation
       of audio signals", ISMIR 2014 (margins).

    Examples
    --------
    >>> import numpy as np
    >>> import librosa
    >>> from skaudio.features import HPSS
    >>> S = np.random.default_rng(0).random((2, 65, 50)).astype(np.float32)
    >>> H = HPSS(kernel_size=7).fit_transform(S)
    >>> ref_h, ref_p = librosa.decompose.hpss(S[1], kernel_size=7)
    >>> H.shape, bool(np.allclose(H[1], ref_h, atol=1e-6))
    ((2, 65, 50), True)
    >>> HPSS(output="both").fit_transform(S).shape
    (2, 130, 50)
    """

    _parameter_constraints = {
        "kernel_size": [Interval(Integral, 1, None, closed="left"), tuple, list],
        "power": [Interval(Real, 0, None, closed="right")],
        "margin": [Interval(Real, 1, None, closed="left"), tuple, list],
        "mask": ["boolean"],
        "output": [StrOptions({"harmonic", "percussive", "both"})],
    }

    def __init__(
        self,
        *,
        kernel_size: int | tuple[int, int] = 31,
        power: float = 2.0,
        margin: float | tuple[float, float] = 1.0,
        mask: bool = False,
        output: str = "harmonic",
    ) -> None:
        self.kernel_size = kernel_size
        self.power = power
        self.margin = margin
        self.mask = mask
        self.output = output

    def _windows(self):
        hp = ("harmonic", "percussive")  # the caller checks the range, with its bounds in the message
        win = freq_time_pair(self.kernel_size, "kernel_size", minimum=None, axes=hp)
        if min(win) < 1 or max(win) > _MAX_MEDIAN_WINDOW:
            raise ValueError(
                f"kernel_size must hold integers from 1 to {_MAX_MEDIAN_WINDOW} (the median windows "
                f"of the image filters' bound, 2 * 2**16 + 1 bins), got {self.kernel_size!r}"
            )
        margin = freq_time_pair(self.margin, "margin", integer=False, minimum=None, axes=hp)
        if min(margin) < 1 or max(margin) > _MAX_MARGIN:
            raise ValueError(
                f"margin must be at least 1 and at most 2**512 (margin times a float32 map stays finite "
                f"in float64), got {self.margin!r}"
            )
        return tuple(int(w) for w in win), tuple(float(m) for m in margin)

    def _validate(self, S, reset):
        S, was_2d = validated_batch(self, S, reset=reset)
        if (S < 0).any():
            raise ValueError(
                f"Negative values in data passed to S (min {float(S.min()):.4g}): HPSS needs a "
                "non-negative magnitude or power spectrogram (e.g. Spectrogram(power=1)), not dB."
            )
        return S, was_2d

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, S: ArrayLike, y: ArrayLike | None = None) -> HPSS:
        """Check parameters and input and fix the output names.

        Parameters
        ----------
        S : array-like of shape (n_clips, n_freqs, n_frames) or (n_clips, n_frames)
            Non-negative spectrograms.
        y : ignored

        Returns
        -------
        self : object
        """
        self._windows()
        self._validate(S, reset=True)
        self.feature_names_out_ = self._out_names(check_feature_names_in(self, None))
        return self

    def _out_names(self, inputs):
        inputs = list(inputs)
        if self.output == "both":
            return np.asarray(
                [f"harmonic_{n}" for n in inputs] + [f"percussive_{n}" for n in inputs], dtype=object
            )
        return np.asarray(inputs, dtype=object)

    def get_feature_names_out(self, input_features: ArrayLike | None = None) -> NDArray[np.object_]:
        """Names of the output rows (axis 1; the columns of 2-D input): the input names.

        Parameters
        ----------
        input_features : array-like of str, default=None
            Names of the input rows, e.g. the previous step's; ``feature_names_in_``
            or ``x0, x1, ...`` when None. ``output="both"`` prefixes them with
            ``harmonic_`` and ``percussive_``.

        Returns
        -------
        names : ndarray of str objects
        """
        check_is_fitted(self, "feature_names_out_")
        return self._out_names(check_feature_names_in(self, input_features))

    def transform(self, S: ArrayLike) -> NDArray[np.float32] | pd.DataFrame:
        """Separate the components.

        Parameters
        ----------
        S : array-like of shape (n_clips, n_freqs, n_frames) or (n_clips, n_frames)
            Non-negative spectrograms.

        Returns
        -------
        out : ndarray, float32
            The harmonic or percussive part (or mask), shaped as ``S``; for
            ``"both"`` twice the rows, harmonic first.
        """
        from librosa.util import softmask

        check_is_fitted(self, "feature_names_out_")
        S, was_2d = self._validate(S, reset=False)
        (win_h, win_p), (margin_h, margin_p) = self._windows()
        harm = ndi.median_filter(S, size=(1, 1, win_h), mode="reflect")
        perc = ndi.median_filter(S, size=(1, win_p, 1), mode="reflect")
        split_zeros = margin_h == 1 and margin_p == 1
        parts = []
        if self.output in ("harmonic", "both"):
            parts.append(softmask(harm, _times(perc, margin_h), power=self.power, split_zeros=split_zeros))
        if self.output in ("percussive", "both"):
            parts.append(softmask(perc, _times(harm, margin_p), power=self.power, split_zeros=split_zeros))
        if not self.mask:
            parts = [S * m for m in parts]
        out = np.concatenate(parts, axis=1) if len(parts) > 1 else parts[0]
        out = out.astype(np.float32, copy=False)
        if was_2d:  # one row per clip: "both" gives two rows, i.e. 2 * n_frames columns
            return out.reshape(len(out), -1)
        return out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = True
        return tags
