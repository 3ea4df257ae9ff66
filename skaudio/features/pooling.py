"""The twelve pooling methods of [POOL]: the scikit-learn step and the plain-array functions.

:class:`PoolingTransformer` is the scikit-learn step; :func:`pool2d`,
:func:`global_pool` and :func:`pool_output_size` are the same numba kernels on
plain arrays, and :data:`POOLING_TABLE` describes every method (formula,
parameters, whether it needs non-negative input, whether the torch layers of
:mod:`skaudio.nn` have it).
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import Literal

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator
from sklearn.utils import metadata_routing
from sklearn.utils.validation import check_is_fitted

from skaudio._batching import map_batches, numba_threads
from skaudio._deprecation import renamed_keyword
from skaudio._kernels.pooling import (
    _NONNEGATIVE_FIX,
    check_batch,
    check_method_params,
    check_pool_geometry,
    pool_output_size,
)
from skaudio._kernels.pooling import global_pool as _global_pool
from skaudio._kernels.pooling import pool2d as _pool2d
from skaudio._kernels.pooling_table import NONNEGATIVE_METHODS, PoolingMethod, methods_table_rst
from skaudio._kernels.pooling_table import POOLING_METHODS as _METHODS
from skaudio._kernels.pooling_table import POOLING_TABLE as _TABLE
from skaudio._sklearn_compat import Hidden, Interval, StrOptions, validate_params
from skaudio._sklearn_compat import check_feature_names_in as _check_feature_names_in
from skaudio._sklearn_compat import fit_context as _fit_context
from skaudio.features._output import ArrayOutputMixin, validate_features

__all__ = [
    "PoolingTransformer",
    "pool2d",
    "global_pool",
    "pool_output_size",
    "POOLING_METHODS",
    "POOLING_TABLE",
    "PoolingMethod",
]

#: The twelve method names accepted by ``method=``, in the order of [POOL] section II-B
#: (derived from :data:`POOLING_TABLE`).
POOLING_METHODS = _METHODS
#: One :class:`PoolingMethod` record per method: formula, parameters with defaults,
#: valid ranges, whether it needs non-negative input and whether the torch layers have it.
POOLING_TABLE = _TABLE
PoolingMethod.__module__ = __name__

#: methods whose result changes when a constant is added to the values (the
#: others commute with a shift), so ``levels`` applies to them only
_LEVEL_METHODS = ("lnp",) + tuple(NONNEGATIVE_METHODS)
_LEVEL_FIX = (
    " Or keep the dB values and pass levels='auto' (or 'floor') to pool each clip's levels "
    "above its own minimum."
)


def _pair_constraint():
    return [Interval(Integral, 1, None, closed="left"), tuple, list]


# The public plain-array functions check their arguments with scikit-learn's validate_params
# (its messages name the function and the parameter); the kernels of skaudio._kernels.pooling
# stay unchecked, so PoolingTransformer, which validated its parameters at fit, pools every
# batch without paying for the check again. ``method`` and a, p, r, n, v are only typed here:
# their ranges depend on the method, and check_method_params reports them with the method
# named ("lnp pooling needs p >= 1"), in the order of POOLING_TABLE.
_METHOD_PARAMS = {key: [Real, None] for key in ("a", "p", "r", "n", "v")}

pool2d = validate_params(
    {
        "S": ["array-like"],
        "method": [str],
        "kernel_size": [Interval(Integral, 1, None, closed="left"), "array-like"],
        "stride": [Interval(Integral, 1, None, closed="left"), "array-like", None],
        "padding": [Interval(Integral, 0, None, closed="left"), "array-like"],
        "ceil_mode": ["boolean"],
        **_METHOD_PARAMS,
        "check_input": ["boolean"],
        "mode": [str, None],
    },
    prefer_skip_nested_validation=True,
)(_pool2d)

global_pool = validate_params(
    {
        "S": ["array-like"],
        "method": [str],
        "axis": [StrOptions({"time", "freq", "both"})],
        "check_input": ["boolean"],
        "mode": [str, None],
    },
    prefer_skip_nested_validation=True,
)(_global_pool)


class PoolingTransformer(ArrayOutputMixin, BaseEstimator):
    r"""Pool spectrograms region by region, or over whole axes, with one of twelve methods.

    The twelve methods compared in [1]_, for the ``N`` values ``x_i`` of one
    region (:data:`POOLING_TABLE` holds the same table as records; ``average``
    is the plain mean, not the mean of abs(x); ``entropy`` keeps the first
    maximiser on ties; ``z`` of ``attention`` is defined below):

    {POOLING_TABLE}

    **Attention without labels.** In a network the attention scores come
    from a learned vector (:class:`skaudio.nn.Pool2d`). Here nothing is
    learned: each value is scored by how many region standard deviations it
    lies above the region mean, ``z_i = (x_i - mean) / (std + 1e-6 max(abs(x))
    + 1e-30)`` (population std), and the weights are ``softmax(v * z)``. This
    is auto-pooling with a temperature set by each region's own spread, so
    the result does not depend on the units of ``S`` (the same weights for
    ``S`` and ``c * S + b``, ``c > 0``); ``v = 0`` gives the mean, large ``v``
    the max, negative ``v`` leans towards the min.

    **Regions and edges.** Windows of ``kernel_size`` move by ``stride``
    (default: the kernel). ``padding`` adds virtual cells on both sides that
    are excluded from every formula (a region is the part of its window that
    lies on the map). Trailing rows or frames that cannot fill a window are
    dropped, or pooled as a partial last region with ``ceil_mode=True``; the
    output size is torch's: ``floor((F + 2 pf - kf) / sf) + 1`` rows.
    Regions whose values are all zero give 0 in every method.

    **Levels.** ``lsp``, ``power``, ``entropy`` and ``lnp`` are written for
    non-negative values (magnitudes); the other eight methods commute with a
    shift (pooling ``x + c`` gives the pooled ``x`` plus ``c``). On dB maps
    (every value at or below 0 dB with ``ref=max``) the first three cannot
    run and ``lnp`` measures distance from 0 dB. ``levels="floor"`` pools,
    for those four methods, each clip's levels above its own minimum and
    adds the minimum back: ``pool(x - min) + min``. ``levels="auto"`` does
    so for the clips that have a negative value and pools the others as
    given; ``levels="raw"`` (the default) pools the values as given, so
    those three methods refuse negative input. The other eight methods are
    computed on the values as given whatever ``levels`` says (the shift
    would only change their rounding). This is the one implementation of
    ``levels``: :func:`skaudio.metrics.compare_pooling` (which defaults to
    ``"auto"``) pools through this class, so its tables describe exactly
    what ``PoolingTransformer(method, levels="auto")`` returns. Use
    ``levels="auto"`` to search all twelve methods on a log-mel (dB)
    pipeline with ``GridSearchCV``. The four methods are positively
    homogeneous, so the levels are also divided by the clip's range before
    pooling and multiplied back after (in float64), which keeps very loud
    float32 maps from overflowing and changes nothing else.

    **Global form.** With ``axis="time"`` each frequency row is pooled over
    all frames and the output is 2-D ``(n_clips, n_freqs)``: one feature
    per band, ready for a classic estimator. ``axis="freq"`` pools each
    frame over all bins ``(n_clips, n_frames)`` and ``axis="both"`` the whole
    map ``(n_clips, 1)``. ``kernel_size``, ``stride``, ``padding`` and
    ``ceil_mode`` are then ignored.

    Parameters
    ----------
    method : str, default="average"
        One of :data:`POOLING_METHODS`: ``average, max, min, mixed, lsp, esp,
        lnp, lse, auto, power, entropy, attention``.
    kernel_size : int or (int, int), default=(2, 2)
        Region size ``(n_bins, n_frames)``; 2x2 compresses by 4.
    stride : int or (int, int), default=None
        Step between regions; the kernel size when None.
    padding : int or (int, int), default=0
        Virtual cells on each side (at most half the kernel), excluded from
        the regions.
    ceil_mode : bool, default=False
        Pool a last partial region instead of dropping the remainder.
    axis : {None, "time", "freq", "both"}, default=None
        None: regional pooling, 3-D output. Otherwise the global form above.
    a : float, default=0.5
        ``mixed``: weight of the max (must lie in [0, 1]; 0.5 is the fixed
        value of [1]_). ``auto``: inverse temperature (0 gives the mean,
        large positive the max, large negative the min).
    p : float, default=2.0
        ``lnp`` norm order, at least 1 (1: mean of abs(x); large: max of abs(x)).
    r : float, default=1.0
        ``lse`` sharpness, positive (towards 0: mean; large: max).
    n : float, default=1.0
        ``power`` exponent, non-negative (0: mean; 1: same as ``lsp``).
    v : float, default=1.0
        ``attention`` scale of the standardised scores.
    levels : {"raw", "floor", "auto"}, default="raw"
        What ``lsp``, ``power``, ``entropy`` and ``lnp`` see (see *Levels*
        above): the values as given, each clip's levels above its minimum,
        or the latter only for clips with negative values. Ignored by the
        other eight methods.
    batch_size : int, default=256
        Clips pooled at once (bounds the progress-bar granularity).
    n_jobs : int, default=None
        numba threads: None keeps numba's own setting (all cores unless
        ``NUMBA_NUM_THREADS`` or ``numba.set_num_threads`` says otherwise; joblib's
        workers lower it), 1 one thread, -1 all cores, -2 all but one. Under a
        cluster joblib backend
        (``joblib.parallel_config(backend="dask")``) every batch is a joblib
        task instead (see :doc:`/user_guide/scaling`).
    verbose : bool, default=False
        Show a progress bar over batches.
    mode : str, default="deprecated"
        Deprecated old name of ``method``: a ``FutureWarning`` at ``fit``, and
        its value is used in place of ``method``. Kept for one release.

    Attributes
    ----------
    n_features_in_ : int
        ``n_freqs`` of the 3-D input seen in ``fit`` (``n_frames`` for 2-D input).
    input_shape_ : tuple of int
        Shape of one input map (without the clip axis).
    output_shape_ : tuple of int
        Shape of one output (without the clip axis).
    feature_names_in_ : ndarray of str
        Column names of a DataFrame seen in ``fit`` (2-D input only).

    Notes
    -----
    Input may also be 2-D ``(n_clips, n_frames)``: a batch of single-row
    maps (e.g. a band energy over time); regional output is then 2-D too,
    and ``kernel_size`` must be 1 along frequency.

    Under ``set_output(transform="pandas")`` 2-D output (the global form,
    or 2-D input) becomes a DataFrame with the columns of
    :meth:`get_feature_names_out`; regional 3-D output stays an ndarray, so
    a pipeline that ends in a 2-D step (e.g. :class:`Flatten`) still
    returns a DataFrame.

    ``lsp``, ``power`` and ``entropy`` are defined for non-negative values
    only and, with ``levels="raw"``, refuse dB input: pool a power (or
    magnitude) spectrogram, e.g. ``MelSpectrogram(to_db=False)``, and follow
    with :class:`PowerToDb`, or pass ``levels="auto"``. With
    ``levels="raw"`` ``lnp`` pools ``|x|`` and so accepts any sign, but on dB
    values it measures distance from 0 dB, which is rarely what is wanted.

    Compared with torch: ``average``/``max`` equal ``avg_pool2d``
    (``count_include_pad=False``) and ``max_pool2d``; ``lnp`` equals
    ``lp_pool2d(abs(x)) / N**(1/p)`` (torch's Lp pooling sums instead of
    averaging).

    References
    ----------
    .. [1] Bandara and Thayasivam, "Evaluating and interpreting pooling
       techniques in spectrogram-based audio analysis using diverse metrics."

    See Also
    --------
    skaudio.nn.Pool2d : the same formulas as a differentiable torch layer.
    skaudio.nn.GlobalPool : global pooling over one tensor axis.

    Examples
    --------
    >>> import numpy as np
    >>> from skaudio.features import PoolingTransformer
    >>> S = np.arange(16, dtype=np.float32).reshape(1, 4, 4)
    >>> PoolingTransformer(method="max").fit_transform(S)
    array([[[ 5.,  7.],
            [13., 15.]]], dtype=float32)
    >>> pool = PoolingTransformer("lse", r=5.0, axis="time").fit(S)
    >>> pool.transform(S).shape
    (1, 4)
    >>> pool.get_feature_names_out()[:2]
    array(['lse_f0', 'lse_f1'], dtype=object)
    """

    # the spectrograms are the data, not metadata to route
    __metadata_request__fit = {"S": metadata_routing.UNUSED}
    __metadata_request__transform = {"S": metadata_routing.UNUSED}

    _parameter_constraints = {
        "method": [StrOptions(set(POOLING_METHODS))],
        "mode": [StrOptions(set(POOLING_METHODS)), Hidden(StrOptions({"deprecated"}))],
        "kernel_size": _pair_constraint(),
        "stride": _pair_constraint() + [None],
        "padding": [Interval(Integral, 0, None, closed="left"), tuple, list],
        "ceil_mode": ["boolean"],
        "axis": [StrOptions({"time", "freq", "both"}), None],
        "a": [Interval(Real, None, None, closed="neither")],
        "p": [Interval(Real, 1, None, closed="left")],
        "r": [Interval(Real, 0, None, closed="neither")],
        "n": [Interval(Real, 0, None, closed="left")],
        "v": [Interval(Real, None, None, closed="neither")],
        "levels": [StrOptions({"raw", "floor", "auto"})],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        method: str = "average",
        kernel_size: int | tuple[int, int] = (2, 2),
        stride: int | tuple[int, int] | None = None,
        padding: int | tuple[int, int] = 0,
        *,
        ceil_mode: bool = False,
        axis: Literal["time", "freq", "both"] | None = None,
        a: float = 0.5,
        p: float = 2.0,
        r: float = 1.0,
        n: float = 1.0,
        v: float = 1.0,
        levels: Literal["raw", "floor", "auto"] = "raw",
        batch_size: int = 256,
        n_jobs: int | None = None,
        verbose: bool = False,
        mode: str = "deprecated",
    ) -> None:
        self.method = method
        self.kernel_size = kernel_size
        self.stride = stride
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.axis = axis
        self.a = a
        self.p = p
        self.r = r
        self.n = n
        self.v = v
        self.levels = levels
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.mode = mode

    def _validate(self, S, reset):
        if sp.issparse(S):
            raise TypeError(
                "PoolingTransformer does not accept sparse input; pass a dense array "
                "of spectrograms, e.g. S.toarray()"
            )
        S_in, S = (
            S,
            check_batch(
                S, self._needs_nonnegative(), _NONNEGATIVE_FIX.format(method=self._method()) + _LEVEL_FIX
            ),
        )
        validate_features(self, S_in, S, reset=reset)
        if not reset and S.ndim != len(self.input_shape_) + 1:
            raise ValueError(
                f"S has {S.ndim} dimensions but PoolingTransformer was fitted on "
                f"{len(self.input_shape_) + 1}-D input"
            )
        if not reset and self.axis == "freq" and S.shape[-1] != self.input_shape_[-1]:
            raise ValueError(
                f"S has {S.shape[-1]} frames but axis='freq' pooling was fitted on "
                f"{self.input_shape_[-1]}; the number of output features would change"
            )
        return S

    def _needs_nonnegative(self):
        return self._method() in NONNEGATIVE_METHODS and self.levels == "raw"

    def _method(self):
        """The pooling method: ``method``, or the deprecated ``mode`` when it was set."""
        return self.method if self.mode == "deprecated" else self.mode

    def __setstate__(self, state):
        # estimators pickled before the rename have ``mode`` and no ``method``
        if "method" not in state and "mode" in state:
            state = dict(state, method=state["mode"], mode="deprecated")
        super().__setstate__(state)

    def _geometry(self, shape):
        """``(kernel, stride, padding, ceil_mode)`` for maps of ``shape = (F, T)``."""
        if self.axis is None:
            kernel, stride, padding = check_pool_geometry(self.kernel_size, self.stride, self.padding)
            return kernel, stride, padding, self.ceil_mode
        kernel = {"time": (1, shape[1]), "freq": (shape[0], 1), "both": tuple(shape)}[self.axis]
        return kernel, kernel, (0, 0), False

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, S: ArrayLike, y: object = None) -> PoolingTransformer:
        """Check parameters and input and record the output shape.

        Parameters
        ----------
        S : array-like of shape (n_clips, n_freqs, n_frames) or (n_clips, n_frames)
            Spectrogram values (non-negative for ``lsp``, ``power``, ``entropy``).
        y : ignored

        Returns
        -------
        self : object
        """
        if self.mode != "deprecated":
            renamed_keyword(
                None, self.mode, new="method", old="mode", where="PoolingTransformer", stacklevel=4
            )
        check_method_params(self._method(), self.a, self.p, self.r, self.n, self.v)
        S = self._validate(S, reset=True)
        self.input_shape_ = S.shape[1:]
        maps = (1,) + S.shape[1:] if S.ndim == 2 else S.shape[1:]
        kernel, stride, padding, ceil_mode = self._geometry(maps)
        out = pool_output_size(maps, kernel, stride, padding, ceil_mode)
        if min(out) < 1:
            raise ValueError(
                f"kernel_size={kernel} with padding={padding} does not fit in maps of "
                f"{maps[0]} x {maps[1]} (n_freqs x n_frames); use a smaller kernel"
                + (" (2-D input has a single frequency row: use kernel_size=(1, k))" if S.ndim == 2 else "")
            )
        if self.axis is not None:
            self.output_shape_ = (out[0] * out[1],)
        else:
            self.output_shape_ = out if S.ndim == 3 else (out[1],)
        return self

    def transform(self, S: ArrayLike) -> np.ndarray:
        """Pool ``S``.

        Parameters
        ----------
        S : array-like of shape (n_clips, n_freqs, n_frames) or (n_clips, n_frames)

        Returns
        -------
        P : ndarray of float32
            ``(n_clips, F', T')`` for regional pooling of 3-D input,
            ``(n_clips, n_features)`` for the global form or 2-D input.
        """
        check_is_fitted(self, "output_shape_")
        S = self._validate(S, reset=False)
        maps = S[:, np.newaxis, :] if S.ndim == 2 else S
        parts = [
            part
            for _, part in map_batches(
                self._pool_batch,
                maps,
                self.batch_size,
                n_jobs=self.n_jobs,
                verbose=self.verbose,
                desc=f"{self._method()} pooling",
            )
        ]
        P = parts[0] if len(parts) == 1 else np.concatenate(parts)
        if self.axis is not None or S.ndim == 2:
            P = P.reshape(len(P), -1)
        return P

    def _pool_batch(self, maps, n_threads):
        """Pool a validated 3-D batch with ``n_threads`` numba threads."""
        kernel, stride, padding, ceil_mode = self._geometry(maps.shape[1:])
        params = dict(a=self.a, p=self.p, r=self.r, n=self.n, v=self.v)
        shift = self._level_shift(maps)
        if shift is not None:
            low, span = shift
            maps = ((maps - low) / span).astype(np.float32)
        method = self._method()
        with numba_threads(n_threads):  # None keeps numba's setting (design notes, n_jobs)
            if self.axis is None:
                P = _pool2d(
                    maps, method, kernel, stride, padding, ceil_mode=ceil_mode, check_input=False, **params
                )
            else:
                P = _global_pool(maps, method, self.axis, check_input=False, **params)
        if shift is None:
            return P
        low, span = (v.reshape((len(P),) + (1,) * (P.ndim - 1)) for v in shift)
        return (P * span + low).astype(np.float32)

    def _level_shift(self, maps):
        """Per-clip ``(low, span)`` (float64) mapping the maps onto their levels, or None.

        ``pool(x) = span * pool((x - low) / span) + low`` for the four
        homogeneous methods; clips that keep their raw values get ``low = 0,
        span = 1``.
        """
        if self.levels == "raw" or self._method() not in _LEVEL_METHODS:
            return None
        flat = maps.reshape(len(maps), -1)
        low = flat.min(axis=1).astype(np.float64)
        span = flat.max(axis=1).astype(np.float64) - low
        span[span == 0] = 1.0  # a constant clip: every level is 0
        if self.levels == "auto":  # only the clips with negative values
            keep = low >= 0
            low[keep], span[keep] = 0.0, 1.0
        if not np.any(low) and np.all(span == 1.0):
            return None
        return low[:, None, None], span[:, None, None]

    def get_feature_names_out(self, input_features=None):
        """Names of the output features: the columns of 2-D output, the rows (axis 1) of 3-D output.

        ``{method}_f{i}`` per frequency row (``axis="time"``, and the pooled
        rows of regional 3-D output), ``{method}_t{j}`` per frame
        (``axis="freq"`` or 2-D input), ``{method}`` for ``axis="both"``.

        Parameters
        ----------
        input_features : array-like of str, default=None
            Only checked against the input seen in ``fit`` (its length, and
            ``feature_names_in_`` when fitted on a DataFrame): pooled
            features do not derive one-to-one from input features.

        Returns
        -------
        ndarray of str objects
        """
        check_is_fitted(self, "output_shape_")
        _check_feature_names_in(self, input_features, generate_names=False)
        if self.axis == "both":
            names = [self._method()]
        elif self.axis == "time" or len(self.output_shape_) == 2:
            names = [f"{self._method()}_f{i}" for i in range(self.output_shape_[0])]
        else:
            names = [f"{self._method()}_t{j}" for j in range(self.output_shape_[0])]
        return np.asarray(names, dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = self._needs_nonnegative()
        tags.transformer_tags.preserves_dtype = ["float32"]
        tags.requires_fit = True
        return tags


if PoolingTransformer.__doc__:  # the methods table comes from POOLING_TABLE
    PoolingTransformer.__doc__ = PoolingTransformer.__doc__.replace(
        "    {POOLING_TABLE}\n", methods_table_rst(indent="    ") + "\n"
    )
