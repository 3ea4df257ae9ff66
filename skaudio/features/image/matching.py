"""Template matching: where does a time-frequency pattern occur in a spectrogram?"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from numpy.typing import ArrayLike, NDArray

from skaudio._sklearn_compat import StrOptions, validate_params
from skaudio._validation import check_spectrograms
from skaudio.features.image._common import map_clips

__all__ = ["template_match"]


# numpy.pad's named modes, which skimage.feature.match_template pads with; not "empty",
# whose padding is uninitialised memory (scores that change from run to run)
_PAD_MODES = {
    "constant",
    "edge",
    "linear_ramp",
    "maximum",
    "mean",
    "median",
    "minimum",
    "reflect",
    "symmetric",
    "wrap",
}


# scikit-learn's validate_params checks types and ranges (its messages name the function and
# the parameter); what compares S with the template (sizes, a constant template) is checked
# in the body
@validate_params(
    {
        "S": ["array-like"],
        "template": ["array-like"],
        "pad_input": ["boolean"],
        "mode": [StrOptions(_PAD_MODES)],
        "constant_values": [Real],
        "return_peaks": ["boolean"],
        "n_jobs": [Integral, None],
    },
    prefer_skip_nested_validation=True,
)
def template_match(
    S: ArrayLike,
    template: ArrayLike,
    *,
    pad_input: bool = False,
    mode: str = "constant",
    constant_values: float = 0,
    return_peaks: bool = False,
    n_jobs: int | None = None,
) -> NDArray[np.float32] | tuple[NDArray[np.float32], NDArray[np.float64]]:
    """Normalised cross-correlation of a time-frequency template with spectrograms.

    Each spectrogram is scored against ``template`` at every offset with the
    zero-mean normalised cross-correlation of ``skimage.feature.match_template``
    (scores in [-1, 1]; 1 is a perfect match up to gain and offset), clip by
    clip over ``n_jobs`` joblib workers. (One 3-D call with a template of
    length 1 along the clip axis gives the same scores but was slower: its
    FFTs also run along the clip axis.)

    Parameters
    ----------
    S : array-like of shape (n_clips, n_freqs, n_frames) or (n_freqs, n_frames)
        Float spectrograms, or one spectrogram.
    template : array-like of shape (t_freqs, t_frames)
        The pattern, in the same units as ``S`` and no larger than it.
    pad_input : bool, default=False
        False: scores for the positions where the template fits inside,
        shape ``(n_freqs - t_freqs + 1, n_frames - t_frames + 1)``, index =
        top-left corner. True: pad so that the scores have the shape of ``S``
        and index the template centre (skimage's ``pad_input``).
    mode, constant_values
        Padding used with ``pad_input=True``, as ``skimage.feature.match_template``
        (``mode``: one of ``numpy.pad``'s named modes, but not ``"empty"``).
    return_peaks : bool, default=False
        Also return the best position of each clip.
    n_jobs : int, default=None
        joblib workers (threads) over chunks of clips: None is 1, -1 all
        cores (joblib's convention).

    Returns
    -------
    scores : ndarray of float32
        ``(n_clips, ...)`` for a batch, ``(...)`` for one spectrogram.
    peaks : ndarray of shape (n_clips, 3) or (3,)
        Only with ``return_peaks``: ``(freq_bin, frame, score)`` of the best
        match of each clip (bins and frames as floats).

    References
    ----------
    .. [1] Lewis, "Fast normalized cross-correlation", Vision Interface, 1995.
    .. [2] Franzoni, "Cross-domain synergy: leveraging image processing
       techniques for enhanced sound classification through spectrogram
       analysis using CNNs", 2023 (template matching).

    Examples
    --------
    >>> import numpy as np
    >>> from skaudio.features.image import template_match
    >>> rng = np.random.default_rng(0)
    >>> S = rng.standard_normal((2, 20, 60)).astype(np.float32)
    >>> pattern = rng.standard_normal((5, 8)).astype(np.float32)
    >>> S[1, 3:8, 40:48] += 4 * pattern  # plant the pattern in clip 1
    >>> scores, peaks = template_match(S, pattern, return_peaks=True)
    >>> scores.shape
    (2, 16, 53)
    >>> peaks[1, :2].astype(int).tolist(), bool(peaks[1, 2] > 0.9)
    ([3, 40], True)
    """
    from skimage.feature import match_template

    single = np.ndim(S) == 2
    batch = check_spectrograms(np.asarray(S)[np.newaxis] if single else S, name="S", ndim=3)
    tpl = check_spectrograms(template, name="template", ndim=2)
    if tpl.shape[0] > batch.shape[1] or tpl.shape[1] > batch.shape[2]:
        raise ValueError(
            f"template of shape {tpl.shape} is larger than the spectrograms "
            f"({batch.shape[1]}, {batch.shape[2]})"
        )
    if tpl.std() == 0:
        raise ValueError("template is constant; normalised cross-correlation needs some variation")
    # The scores do not change when the map or the template is scaled, but skimage compares
    # variances with an absolute epsilon (1.2e-7): quiet power maps scored 0 everywhere, and
    # its float32 running sums overflowed on loud maps and lost the variance of quiet windows
    # next to loud ones (scores far outside [-1, 1]). So both are brought to unit peak, the
    # sums run in float64, and rounding is kept inside the range the scores are defined on.
    tpl = tpl.astype(np.float64) / float(np.abs(tpl).max())

    def score(clip):
        peak = float(np.abs(clip).max())
        clip = clip.astype(np.float64)
        if peak > 0:
            clip /= peak
        cval = constant_values / peak if peak > 0 else constant_values
        with np.errstate(divide="ignore", invalid="ignore"):
            out = match_template(clip, tpl, pad_input=pad_input, mode=mode, constant_values=cval)
        return np.clip(np.nan_to_num(out, nan=0.0), -1.0, 1.0).astype(np.float32)

    scores = np.stack(map_clips(score, batch, n_jobs=n_jobs))
    if single:
        scores = scores[0]
    if not return_peaks:
        return scores
    flat = scores.reshape(len(batch), -1) if not single else scores.reshape(1, -1)
    best = flat.argmax(axis=1)
    rows, cols = np.unravel_index(best, scores.shape[-2:])
    peaks = np.stack([rows, cols, flat[np.arange(len(flat)), best]], axis=1).astype(np.float64)
    return scores, (peaks[0] if single else peaks)
