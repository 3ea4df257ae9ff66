"""Time-frequency segmentation of spectrogram batches: masks, masked maps and region tables."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from numbers import Integral, Real
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.ndimage as ndi
from numpy.typing import ArrayLike, NDArray
from sklearn.base import BaseEstimator, OneToOneFeatureMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from skaudio._sklearn_compat import Interval, StrOptions, fit_context, validate_params
from skaudio.features._output import ArrayOutputMixin
from skaudio.features.image._common import check_kernel_radius, map_chunks, map_clips, validated_batch
from skaudio.features.image.texture import _hu_from_central

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["SpectrogramSegmenter", "hysteresis_batch", "morphology_batch"]

_METHODS = ("otsu", "kmeans", "region_growing", "graph")
_MORPHOLOGY = ("erosion", "dilation", "opening", "closing")


def _structure(connectivity):
    """3-D structuring element linking neighbours inside a map, never across clips."""
    st = np.zeros((3, 3, 3), dtype=bool)
    st[1] = ndi.generate_binary_structure(2, connectivity)
    return st


# The public batch functions check their arguments with scikit-learn's validate_params (its
# messages name the function and the parameter); the checks that are more than a type or a
# range stay in the body (the names of the operations, the footprint pair). The segmenter,
# which validated its parameters at fit, calls the unchecked bodies (``__wrapped__``).
@validate_params(
    {
        "S": ["array-like"],
        "low": [Real, "array-like"],
        "high": [Real, "array-like"],
        "connectivity": [Interval(Integral, 1, 2, closed="both")],
    },
    prefer_skip_nested_validation=True,
)
def hysteresis_batch(
    S: ArrayLike, low: float | ArrayLike, high: float | ArrayLike, connectivity: int = 1
) -> NDArray[np.bool_]:
    """Region growing from seeds on every map of a batch (hysteresis thresholding).

    Seeds are the bins above ``high``; a region grows from them into
    neighbouring bins above ``low`` until no neighbour qualifies. The result
    for each map equals ``skimage.filters.apply_hysteresis_threshold`` (which
    uses 4-neighbour connectivity, ``connectivity=1``); here one
    ``scipy.ndimage.label`` call with a structure that never links two clips
    labels the whole batch.

    Parameters
    ----------
    S : ndarray of shape (n_clips, n_freqs, n_frames)
    low, high : float or ndarray of shape (n_clips,)
        Growing and seed thresholds, per clip or shared (``low`` is clipped
        to ``high`` as skimage does).
    connectivity : {1, 2}, default=1
        1: bins touching by an edge are neighbours; 2: also by a corner.

    Returns
    -------
    mask : ndarray of bool, same shape as ``S``

    Examples
    --------
    >>> import numpy as np
    >>> from skaudio.features.image import hysteresis_batch
    >>> S = np.array([[[0, 5, 2, 2, 0, 2]]], dtype=np.float32)
    >>> hysteresis_batch(S, low=1, high=4).astype(int)
    array([[[0, 1, 1, 1, 0, 0]]])
    """
    S = np.asarray(S)
    high = np.broadcast_to(np.asarray(high, dtype=np.float64), (S.shape[0],))[:, None, None]
    low = np.minimum(np.broadcast_to(np.asarray(low, dtype=np.float64), (S.shape[0],))[:, None, None], high)
    grow = S > low
    labels, n = ndi.label(grow, structure=_structure(connectivity))
    keep = np.zeros(n + 1, dtype=bool)
    keep[labels[S > high]] = True
    keep[0] = False
    return keep[labels]


@validate_params(
    {
        "mask": ["array-like"],
        "operations": [str, Iterable, None],
        # whole-number floats (3.0) and one-element sequences stay accepted, as they always were
        "footprint": [Interval(Real, 1, None, closed="left"), "array-like"],
    },
    prefer_skip_nested_validation=True,
)
def morphology_batch(
    mask: ArrayLike, operations: str | Sequence[str], footprint: tuple[int, int] = (3, 3)
) -> NDArray[np.bool_]:
    """Apply binary morphology to every 2-D mask of a batch, in the given order.

    Each operation is ``skimage.morphology.<operation>`` with a rectangular
    footprint of shape ``(n_freq_bins, n_frames)``, called once on the whole
    batch with a footprint of length 1 along the clip axis, which gives the
    same masks as calling it clip by clip.

    Parameters
    ----------
    mask : ndarray of bool, shape (n_clips, n_freqs, n_frames)
    operations : str or sequence of str
        Any of ``"erosion"``, ``"dilation"``, ``"opening"``, ``"closing"``.
    footprint : int or (int, int), default=(3, 3)
        Rectangle (frequency, time) in bins.

    Returns
    -------
    mask : ndarray of bool

    Examples
    --------
    >>> import numpy as np
    >>> from skaudio.features.image import morphology_batch
    >>> m = np.zeros((1, 5, 7), dtype=bool); m[0, 1:4, 1:6] = True; m[0, 0, 0] = True
    >>> int(morphology_batch(m, "opening").sum())  # the isolated bin is gone
    15
    """
    import skimage.morphology as morph

    ops = _check_operations(operations, "operations")
    fp = np.atleast_1d(np.asarray(footprint))
    if fp.size == 1:
        fp = np.repeat(fp, 2)
    if fp.ndim != 1 or fp.size != 2 or np.any(fp < 1) or not np.all(fp == np.round(fp)):
        raise ValueError(
            f"footprint must be a positive int or a (frequency, time) pair of ints, got {footprint!r}"
        )
    fp_arr = np.ones((1, int(fp[0]), int(fp[1])), dtype=bool)
    out = np.asarray(mask, dtype=bool)
    for op in ops:
        out = getattr(morph, op)(out, fp_arr)
    return out


def _check_operations(operations, name="morphology"):
    if operations is None:
        return ()
    ops = (operations,) if isinstance(operations, str) else tuple(operations)
    for op in ops:
        if op not in _MORPHOLOGY:
            raise ValueError(f"{name} must name operations among {list(_MORPHOLOGY)}, got {op!r}")
    return ops


class SpectrogramSegmenter(OneToOneFeatureMixin, ArrayOutputMixin, BaseEstimator):
    """Segment spectrograms into foreground (sound events) and background, clip by clip.

    Each spectrogram is treated as a grey-level image and split into the loud
    time-frequency regions and the rest; the output is the binary mask or the
    spectrogram with its background replaced by a fill value. Nothing is
    learned from the training data.

    - ``"otsu"``: global threshold of each clip chosen by Otsu's rule
      (maximal between-class variance, ``skimage.filters.threshold_otsu``);
    - ``"kmeans"``: k-means on the bin values of each clip (Lloyd's
      iterations from a k-means++ start, ``scipy.cluster.vq.kmeans2``, which
      costs far less per call than ``sklearn.cluster.KMeans`` on these
      one-dimensional problems); the bins of the cluster with the highest
      centre are foreground;
    - ``"region_growing"``: seeds are the bins above ``high``; regions grow
      into neighbouring bins above ``low`` (hysteresis thresholding, as
      ``skimage.filters.apply_hysteresis_threshold``);
    - ``"graph"``: Felzenszwalb–Huttenlocher graph-based segmentation
      (``skimage.segmentation.felzenszwalb``) into regions of similar level;
      regions whose mean lies above the clip's Otsu threshold are foreground.

    An optional sequence of binary morphological operations then refines the
    mask (``morphology``). :meth:`regions` returns a table of the connected
    regions of the masks (onset, offset, band, energy) for event-level use.

    Parameters
    ----------
    method : {"otsu", "kmeans", "region_growing", "graph"}, default="otsu"
        Segmentation rule.
    nbins : int, default=256
        Histogram bins of Otsu's rule (``"otsu"``, ``"graph"``, and the
        default ``low`` of ``"region_growing"``).
    n_clusters : int, default=2
        ``"kmeans"``: number of clusters (1 marks every bin as foreground).
    kmeans_iter : int, default=20
        ``"kmeans"``: Lloyd iterations (kmeans2's ``iter``).
    low : float, default=None
        ``"region_growing"``: growing threshold in spectrogram units; None
        uses each clip's Otsu threshold.
    high : float, default=None
        ``"region_growing"``: seed threshold; None uses each clip's
        ``seed_quantile`` quantile.
    seed_quantile : float, default=0.99
        Quantile of each clip giving the seed threshold when ``high`` is None.
    scale : float, default=100.0
        ``"graph"``: Felzenszwalb's scale (larger gives larger regions).
    sigma : float, default=0.8
        ``"graph"``: width of Felzenszwalb's Gaussian pre-smoothing.
    min_size : int, default=20
        ``"graph"``: smallest region in bins.
    background : {None, "median"}, default=None
        ``"median"`` subtracts from each frequency band its median over time
        before segmenting (the output and the region statistics still use the
        original values). Stationary background noise (e.g. pink noise, which
        makes the low bands bright all along a clip) then stops dominating a
        global threshold; recommended to locate sound events in time.
    connectivity : {1, 2}, default=1
        Neighbourhood of region growing and of :meth:`regions`: 1 links bins
        sharing an edge, 2 also bins sharing a corner.
    morphology : str or sequence of str, default=None
        Operations among ``"erosion"``, ``"dilation"``, ``"opening"``,
        ``"closing"``, applied in order to the mask.
    footprint : int or (int, int), default=(3, 3)
        Rectangle (frequency bins, frames) of the morphological operations.
    output : {"mask", "masked"}, default="mask"
        ``"mask"``: float32 masks of 0 and 1; ``"masked"``: the spectrogram
        where the mask is set and ``fill_value`` elsewhere.
    fill_value : float, default=None
        Background value for ``output="masked"``; None uses each clip's
        minimum (the floor of a dB spectrogram, not 0, which is its peak).
    random_state : int, RandomState instance or None, default=None
        Seeds the k-means initialisation (one seed drawn from it serves
        every clip, so a clip's mask does not depend on the batch).
    n_jobs : int, default=None
        joblib workers over clips (threads preferred): None is 1, -1 all
        cores (joblib's convention).
    verbose : bool, default=False
        Progress bar over clips.

    Attributes
    ----------
    n_features_in_ : int
        Frequency rows seen in ``fit``.
    feature_names_in_ : ndarray of str
        Column names of a DataFrame seen in ``fit`` (2-D input only).

    Notes
    -----
    The masks (or masked spectrograms) keep the input's shape. 3-D output
    stays an ndarray under ``set_output(transform="pandas")`` (a pipeline
    that ends in a 2-D step such as :class:`~skaudio.features.Flatten` or a
    global :class:`~skaudio.features.PoolingTransformer` still returns a
    DataFrame); 2-D output becomes a DataFrame. ``get_feature_names_out`` passes the
    input names through: the frequency rows of 3-D input (axis 1), the
    columns of 2-D input.

    References
    ----------
    .. [1] Franzoni, "Cross-domain synergy: leveraging image processing
       techniques for enhanced sound classification through spectrogram
       analysis using CNNs", 2023 (review; section on segmentation).
    .. [2] Otsu, "A threshold selection method from gray-level histograms",
       IEEE SMC 1979.
    .. [3] Felzenszwalb & Huttenlocher, "Efficient graph-based image
       segmentation", IJCV 2004.

    Examples
    --------
    >>> import numpy as np
    >>> from skaudio.features.image import SpectrogramSegmenter
    >>> S = np.full((1, 16, 40), -60.0, dtype=np.float32)
    >>> S[0, 4:8, 10:25] = -5.0  # an event: bins 4-7, frames 10-24
    >>> seg = SpectrogramSegmenter(method="otsu").fit(S)
    >>> seg.transform(S)[0].any(axis=0).nonzero()[0][[0, -1]]
    array([10, 24])
    >>> seg.regions(S)[["clip", "onset_frame", "offset_frame", "low_bin", "high_bin"]]
       clip  onset_frame  offset_frame  low_bin  high_bin
    0     0           10            25        4         8
    """

    _parameter_constraints = {
        "method": [StrOptions(set(_METHODS))],
        # skimage's histograms hold nbins counts: 2**20 is 8 MiB (nbins=2**31 asked for 16 GiB)
        "nbins": [Interval(Integral, 2, 2**20, closed="both")],
        "n_clusters": [Interval(Integral, 1, None, closed="left")],
        # scipy's kmeans2 runs every iteration it is given (no convergence test): 2**31 hung
        "kmeans_iter": [Interval(Integral, 1, 10_000, closed="both")],
        "low": [Real, None],
        "high": [Real, None],
        "seed_quantile": [Interval(Real, 0, 1, closed="both")],
        "scale": [Interval(Real, 0, None, closed="neither")],
        "sigma": [Interval(Real, 0, None, closed="left")],
        "min_size": [Interval(Integral, 1, None, closed="left")],
        "background": [StrOptions({"median"}), None],
        "connectivity": [Interval(Integral, 1, 2, closed="both")],
        "morphology": [str, list, tuple, None],
        "footprint": [Interval(Integral, 1, None, closed="left"), tuple, list, np.ndarray],
        "output": [StrOptions({"mask", "masked"})],
        "fill_value": [Real, None],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        method: str = "otsu",
        *,
        nbins: int = 256,
        n_clusters: int = 2,
        kmeans_iter: int = 20,
        low: float | None = None,
        high: float | None = None,
        seed_quantile: float = 0.99,
        scale: float = 100.0,
        sigma: float = 0.8,
        min_size: int = 20,
        background: str | float | None = None,
        connectivity: int = 1,
        morphology: str | Sequence[str] | None = None,
        footprint: tuple[int, int] = (3, 3),
        output: str = "mask",
        fill_value: float | None = None,
        random_state: int | np.random.RandomState | None = None,
        n_jobs: int | None = None,
        verbose: bool = False,
    ) -> None:
        self.method = method
        self.nbins = nbins
        self.n_clusters = n_clusters
        self.kmeans_iter = kmeans_iter
        self.low = low
        self.high = high
        self.seed_quantile = seed_quantile
        self.scale = scale
        self.sigma = sigma
        self.min_size = min_size
        self.background = background
        self.connectivity = connectivity
        self.morphology = morphology
        self.footprint = footprint
        self.output = output
        self.fill_value = fill_value
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, S: ArrayLike, y: ArrayLike | None = None) -> SpectrogramSegmenter:
        """Check parameters and input; nothing is learned.

        Parameters
        ----------
        S : array-like of shape (n_clips, n_freqs, n_frames)
            Float spectrograms (2-D input is read as one-band spectrograms).
        y : ignored

        Returns
        -------
        self : object
        """
        _check_operations(self.morphology)
        if self.method == "graph":  # felzenszwalb smooths with a Gaussian truncated at 4 sigma
            check_kernel_radius(4.0 * self.sigma + 0.5, f"sigma={self.sigma!r}")
        if self.morphology is not None:  # footprint errors surface at fit time
            morphology_batch.__wrapped__(np.zeros((1, 1, 1), dtype=bool), (), self.footprint)
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"low must not exceed high, got low={self.low}, high={self.high}")
        validated_batch(self, S, reset=True)
        return self

    def _validate(self, S):
        check_is_fitted(self, "n_features_in_")
        return validated_batch(self, S, reset=False)

    def _otsu(self, S):
        from skimage.filters import threshold_otsu

        def one(clip):  # skimage returns the value itself for a constant clip
            # Otsu's rule scales with the map; at unit peak skimage's float32 class means
            # cannot overflow when squared (they did from about 1e19)
            peak = float(np.abs(clip).max())
            if peak == 0:
                return 0.0
            return float(threshold_otsu(clip / np.float32(peak), nbins=self.nbins)) * peak

        return np.array([one(clip) for clip in S], dtype=np.float64)

    def _masks(self, S):
        """Boolean masks of a validated 3-D batch, after morphology, block by block over ``n_jobs``."""
        return map_chunks(
            self._masks_block,
            S,
            n_jobs=self.n_jobs,
            verbose=self.verbose,
            desc=f"SpectrogramSegmenter({self.method})",
        )

    def _masks_block(self, S):
        kw = dict(n_jobs=1)
        if self.background == "median":
            S = S - np.median(S, axis=2, keepdims=True)
        if self.method == "otsu":
            mask = S > self._otsu(S)[:, None, None]
        elif self.method == "region_growing":
            low = self._otsu(S) if self.low is None else self.low
            high = (
                np.quantile(S.reshape(len(S), -1), self.seed_quantile, axis=1)
                if self.high is None
                else self.high
            )
            mask = hysteresis_batch.__wrapped__(S, low, high, self.connectivity)
        elif self.method == "kmeans":
            import warnings

            from scipy.cluster.vq import kmeans2

            # one seed for every clip: a clip's mask does not depend on its position in the batch
            seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
            k = self.n_clusters

            def one(clip):
                values = clip.reshape(-1).astype(np.float64)
                if k == 1:
                    return np.ones(clip.shape, dtype=bool)
                if np.unique(values).size < k:  # too few distinct levels to cluster
                    return np.zeros(clip.shape, dtype=bool)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # empty-cluster notices: the top cluster is still defined
                    centres, labels = kmeans2(
                        values, k, iter=self.kmeans_iter, minit="++", seed=np.random.default_rng(seed)
                    )
                return (labels == int(np.argmax(centres))).reshape(clip.shape)

            mask = np.stack(map_clips(one, S, **kw))
        else:  # graph
            from skimage.segmentation import felzenszwalb

            thresholds = self._otsu(S)

            def one(item):
                clip, thr = item
                seg = felzenszwalb(
                    clip.astype(np.float64),
                    scale=self.scale,
                    sigma=self.sigma,
                    min_size=self.min_size,
                    channel_axis=None,
                )
                means = ndi.mean(clip, seg, np.arange(seg.max() + 1))
                return (np.asarray(means) > thr)[seg]

            mask = np.stack(_map_pairs(one, S, thresholds, kw))
        ops = _check_operations(self.morphology)
        if ops:
            mask = morphology_batch.__wrapped__(mask, ops, self.footprint)
        return mask

    def transform(self, S: ArrayLike) -> NDArray[np.float32]:
        """Return masks or masked spectrograms.

        Parameters
        ----------
        S : array-like of shape (n_clips, n_freqs, n_frames)
            Float spectrograms.

        Returns
        -------
        out : ndarray, same shape as ``S``, float32
            0/1 masks (``output="mask"``) or masked spectrograms.
        """
        S, was_2d = self._validate(S)
        mask = self._masks(S)
        if self.output == "mask":
            out = np.empty(mask.shape, dtype=np.float32)
            np.copyto(out, mask)
        else:
            fill = (
                S.min(axis=(1, 2), keepdims=True) if self.fill_value is None else np.float32(self.fill_value)
            )
            out = np.where(mask, S, fill).astype(np.float32, copy=False)
        return out[:, 0, :] if was_2d else out

    def regions(
        self,
        S: ArrayLike,
        *,
        frame_rate: float | None = None,
        frequencies: ArrayLike | None = None,
        in_db: bool = False,
        hu_moments: bool = False,
    ) -> pd.DataFrame:
        """Connected regions of the masks with their time span, band and energy.

        Parameters
        ----------
        S : array-like of shape (n_clips, n_freqs, n_frames)
            Float spectrograms.
        frame_rate : float, default=None
            Frames per second (``sr / hop_length``); adds ``onset_s`` and
            ``offset_s`` columns.
        frequencies : array-like of shape (n_freqs,), default=None
            Centre frequency of each row in Hz (e.g. ``MelSpectrogram.frequencies_``);
            adds ``low_hz`` and ``high_hz`` (centres of the lowest and highest row).
        in_db : bool, default=False
            ``S`` holds decibels: ``energy`` then sums ``10 ** (S / 10)``
            (power relative to the dB reference) instead of ``S`` itself.
        hu_moments : bool, default=False
            Add Hu's seven shape invariants of each region's mask, columns
            ``hu_0`` ... ``hu_6``, as ``skimage.measure.regionprops(...).moments_hu``
            gives them (invariant to shifts, scale and rotation of the region;
            see :func:`~skaudio.features.image.hu_moments_batch`); computed for all regions at once
            from label sums.

        Returns
        -------
        table : pandas.DataFrame
            One row per region, ordered by clip then label, with columns
            ``clip``, ``region`` (index within the clip), ``onset_frame``,
            ``offset_frame`` (exclusive), ``low_bin``, ``high_bin``
            (exclusive), ``n_bins``, ``energy``, ``mean`` and ``peak`` (of
            ``S`` over the region), and the optional seconds/Hz columns.
        """
        S, _ = self._validate(S)
        mask = self._masks(S)
        labels, n = ndi.label(mask, structure=_structure(self.connectivity))
        idx = np.arange(1, n + 1)
        boxes = ndi.find_objects(labels)
        values = np.power(10.0, S.astype(np.float64) / 10.0) if in_db else S.astype(np.float64)
        table = pd.DataFrame(
            {
                "clip": np.array([b[0].start for b in boxes], dtype=np.int64),
                "onset_frame": np.array([b[2].start for b in boxes], dtype=np.int64),
                "offset_frame": np.array([b[2].stop for b in boxes], dtype=np.int64),
                "low_bin": np.array([b[1].start for b in boxes], dtype=np.int64),
                "high_bin": np.array([b[1].stop for b in boxes], dtype=np.int64),
                "n_bins": np.asarray(ndi.sum_labels(mask, labels, idx), dtype=np.int64).reshape(-1),
                "energy": np.asarray(ndi.sum_labels(values, labels, idx), dtype=np.float64).reshape(-1),
                "mean": np.asarray(ndi.mean(S, labels, idx), dtype=np.float64).reshape(-1),
                "peak": np.asarray(ndi.maximum(S, labels, idx), dtype=np.float64).reshape(-1),
            }
        )
        table.insert(1, "region", table.groupby("clip").cumcount().astype(np.int64))
        if frame_rate is not None:
            if not frame_rate > 0:
                raise ValueError(f"frame_rate must be positive (frames per second), got {frame_rate!r}")
            table["onset_s"] = table["onset_frame"] / frame_rate
            table["offset_s"] = table["offset_frame"] / frame_rate
        if frequencies is not None:
            freqs = np.asarray(frequencies, dtype=np.float64)
            if freqs.shape != (S.shape[1],):
                raise ValueError(
                    f"frequencies must have one value per row ({S.shape[1]}), got shape {freqs.shape}"
                )
            table["low_hz"] = freqs[table["low_bin"].to_numpy()]
            table["high_hz"] = freqs[table["high_bin"].to_numpy() - 1]
        if hu_moments:
            hu = _region_hu_moments(labels, idx)
            for k in range(7):
                table[f"hu_{k}"] = hu[:, k]
        return table

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float32"]
        tags.non_deterministic = False
        return tags


def _region_hu_moments(labels, idx):
    """Hu invariants ``(n_regions, 7)`` of the binary regions ``idx`` of a label batch.

    Central moments come from ``scipy.ndimage.sum_labels`` over every region
    at once: first the centroids, then the sums of ``(r - r_bar)**p * (c - c_bar)**q``
    with each bin's offset from its own region's centroid (no loop over regions).
    """
    if len(idx) == 0:
        return np.zeros((0, 7))
    shape = labels.shape
    rows = np.broadcast_to(np.arange(shape[1], dtype=np.float64)[None, :, None], shape)
    cols = np.broadcast_to(np.arange(shape[2], dtype=np.float64)[None, None, :], shape)
    area = np.asarray(ndi.sum_labels(np.ones(shape), labels, idx), dtype=np.float64)
    r_bar = np.concatenate([[0.0], np.asarray(ndi.sum_labels(rows, labels, idx)) / area])
    c_bar = np.concatenate([[0.0], np.asarray(ndi.sum_labels(cols, labels, idx)) / area])
    dr, dc = rows - r_bar[labels], cols - c_bar[labels]
    mu = np.zeros((len(idx), 4, 4))
    mu[:, 0, 0] = area
    for p in range(4):
        for q in range(4 - p):
            if p + q >= 2:
                mu[:, p, q] = ndi.sum_labels(dr**p * dc**q, labels, idx)
    return _hu_from_central(mu)


def _map_pairs(func, S, extra, kw):
    """``map_clips`` over ``(S[i], extra[i])`` pairs."""
    items = np.empty(len(S), dtype=object)
    for i in range(len(S)):
        items[i] = (S[i], extra[i])
    return map_clips(func, items, **kw)
