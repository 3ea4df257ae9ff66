"""The pooling report: the twelve pooling methods scored by the sixteen preservation metrics.

:func:`compare_pooling` pools a batch of spectrograms with each method and
returns a table shaped like Tables I-III of [POOL] (methods x metrics, mean
over clips); :func:`skaudio.plotting.plot_pooling_comparison` draws it as a heatmap and
:func:`pooling_report_main` is the ``skaudio pooling-report`` command.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Iterable, Mapping, Sequence
from numbers import Integral, Real
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

if TYPE_CHECKING:  # matplotlib is imported on use
    pass

from skaudio._sklearn_compat import HasMethods, Interval, StrOptions, validate_params
from skaudio._validation import check_spectrograms, freq_time_pair
from skaudio.metrics._registry import METRIC_NAMES, _resolve
from skaudio.metrics.preservation import preservation_metrics

__all__ = [
    "compare_pooling",
    "summarize_pooling",
    "pooling_report_main",
    "load_report_data",
    "PAPER_PROTOCOL",
]

#: Front end of the [POOL] protocol (Sec. III): 16 kHz, Hann window, log-mel in dB
#: relative to each clip's maximum. The paper gives no FFT size, hop or band
#: count; these are the values used here.
PAPER_PROTOCOL = dict(
    sr=16000, n_fft=1024, hop_length=256, n_mels=128, window="hann", to_db=True, ref="max", top_db=80.0
)


def _pooling_methods():
    from skaudio.features.pooling import POOLING_METHODS

    return POOLING_METHODS


def _renamed(new_value, old_value, new, old, where, stacklevel=4):
    from skaudio._deprecation import renamed_keyword

    return renamed_keyword(new_value, old_value, new=new, old=old, where=where, stacklevel=stacklevel)


#: stacklevel of the deprecation warnings of the functions below: the caller, through
#: the function and validate_params' wrapper
_VALIDATED = 5
_SPREAD = [StrOptions({"std", "sem"}), None]
# whole-number floats (2.0) stay accepted for the regions, as they always were; the
# pairs are checked by freq_time_pair
_REGION = [Interval(Real, 1, None, closed="left"), "array-like"]


def _as_pair(value, name):
    # positive integers; whole-number floats (2.0) stay accepted, as they always were
    return freq_time_pair(value, name, allow_none=True, integral_floats=True)


def _pool(S, method, kernel_size, stride, padding, levels, params, n_jobs):
    """Pool with :class:`~skaudio.features.PoolingTransformer`, the one home of ``levels``."""
    from skaudio.features import PoolingTransformer

    return PoolingTransformer(
        method,
        kernel_size=kernel_size,
        stride=stride,
        padding=padding,
        levels=levels,
        n_jobs=n_jobs,
        **params,
    ).fit_transform(S)


@validate_params(
    {
        "S": ["array-like"],
        "methods": [Iterable, None],
        "kernel_size": _REGION,
        "stride": [*_REGION, None],
        "padding": [Interval(Real, 0, None, closed="left"), "array-like"],
        "metrics": [Iterable, None],
        "spread": _SPREAD,
        "levels": [StrOptions({"auto", "floor", "raw"})],
        "method_params": [Mapping, None],
        "per_clip": ["boolean"],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
        "modes": [Iterable, None],
        "mode_params": [Mapping, None],
    },
    # the PoolingTransformer and preservation_metrics calls inside check their own arguments
    prefer_skip_nested_validation=False,
)
def compare_pooling(
    S: ArrayLike,
    methods: str | Sequence[str] | None = None,
    kernel_size: int | tuple[int, int] = (2, 2),
    *,
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
    metrics: str | Sequence[str] = "all",
    spread: str | None = None,
    levels: str = "auto",
    method_params: Mapping[str, Mapping[str, float]] | None = None,
    per_clip: bool = False,
    n_jobs: int | None = None,
    verbose: bool = False,
    modes: str | Sequence[str] | None = None,
    mode_params: Mapping[str, Mapping[str, float]] | None = None,
    **metric_params: Any,
) -> pd.DataFrame:
    """Pool ``S`` with each method and tabulate the preservation metrics (Tables I-III of [POOL]).

    Parameters
    ----------
    S : array-like of shape (n_clips, n_freqs, n_frames)
        Original spectrograms, e.g. log-mel in dB relative to each clip's
        maximum (the paper's front end, :data:`PAPER_PROTOCOL`).
    methods : str or list of str, default=None
        Pooling methods; all twelve of
        :data:`skaudio.features.POOLING_METHODS` when None.
    kernel_size : int or (int, int), default=(2, 2)
        Pooling region (frequency bins, frames).
    stride : int or (int, int), default=None
        Step between regions; the kernel size when None.
    padding : int or (int, int), default=0
        Padding of :class:`skaudio.features.PoolingTransformer`.
    metrics : "all", str or list of str, default="all"
        Metric names (:data:`skaudio.metrics.METRIC_NAMES`). With "all" and a
        single clip, ``lipschitz`` (which needs pairs of clips) is left out
        with a warning.
    spread : {None, "std", "sem"}, default=None
        Add a column ``<metric>_<spread>`` after each metric: the standard
        deviation over clips or the standard error of the mean.
    levels : {"auto", "floor", "raw"}, default="auto"
        What the pooling formulas see; passed to
        :class:`~skaudio.features.PoolingTransformer`, which pools every
        method here, so each row describes exactly the output of
        ``PoolingTransformer(method, levels=levels)``. ``"floor"``: ``lsp``,
        ``power``, ``entropy`` and ``lnp`` pool each clip's values minus the
        clip's minimum (for a dB map, the level above its floor) and the
        minimum is added back; the other eight methods commute with a shift
        and pool the values as given. ``"raw"``: pool the values as given
        (dB input then fails for ``lsp``, ``power`` and ``entropy``, and
        ``lnp`` pools ``|x|``). ``"auto"``: ``"floor"`` for the clips that
        have negative values, ``"raw"`` for the others.
    method_params : dict of str to dict, default=None
        Parameters per method, e.g. ``{"lse": {"r": 5.0}}``; the defaults of
        :class:`~skaudio.features.PoolingTransformer` otherwise (``a=0.5`` for
        mixed pooling as in the paper).
    per_clip : bool, default=False
        Return one row per (method, clip) instead of the mean over clips.
    n_jobs : int, default=None
        numba threads for pooling and metrics: None keeps numba's own setting
        (see :class:`~skaudio.features.PoolingTransformer`), 1 one thread, -1 all
        cores. Under a cluster joblib backend
        (``joblib.parallel_config(backend="dask")``) each method is a joblib
        task instead (see :doc:`/user_guide/scaling`).
    verbose : bool, default=False
        Show a progress bar over the methods.
    modes, mode_params : deprecated
        Old names of ``methods`` and ``method_params`` (a ``FutureWarning``;
        kept for one release).
    **metric_params
        Options of :func:`~skaudio.metrics.preservation_metrics`: ``sr`` and
        ``freqs`` (pass ``MelSpectrogram.frequencies_`` for mel maps),
        ``n_bins``, ``sparsity_tol``, ...

    Returns
    -------
    table : pandas.DataFrame
        Index ``method`` (or ``(method, clip)`` with ``per_clip``), one column per
        metric in the order of the paper's tables. (Before the rename of
        ``mode`` to ``method`` the index was named ``mode``.)

    References
    ----------
    .. [1] Bandara and Thayasivam, "Evaluating and interpreting pooling techniques
       in spectrogram-based audio analysis using diverse metrics", Tables I-III.

    Examples
    --------
    >>> import numpy as np
    >>> from skaudio.metrics import compare_pooling
    >>> S = -80 * np.random.default_rng(0).random((3, 16, 20)).astype(np.float32)
    >>> table = compare_pooling(S, ["average", "max"], metrics=["variance", "cosine_similarity"])
    >>> list(table.index), list(table.columns)
    (['average', 'max'], ['variance', 'cosine_similarity'])
    >>> table.round(3).to_numpy().tolist()  # max keeps more variance, average more similarity
    [[0.221, 0.905], [0.348, 0.795]]
    """
    from skaudio._batching import map_batches

    methods = _renamed(methods, modes, "methods", "modes", "compare_pooling", _VALIDATED)
    method_params = _renamed(
        method_params, mode_params, "method_params", "mode_params", "compare_pooling", _VALIDATED
    )
    S = check_spectrograms(S, name="S", ndim=3)
    all_methods = _pooling_methods()
    if methods is None:
        methods = list(all_methods)
    else:
        methods = [methods] if isinstance(methods, str) else list(methods)
    unknown = [m for m in methods if m not in all_methods]
    if unknown or not methods:
        raise ValueError(f"unknown pooling method(s) {unknown}; valid: {', '.join(all_methods)}")
    method_params = dict(method_params or {})
    bad = set(method_params) - set(methods)
    if bad:
        raise ValueError(f"method_params names method(s) {sorted(bad)} that are not in methods={methods}")
    names = _resolve(metrics)
    if S.shape[0] < 2 and "lipschitz" in names:
        if isinstance(metrics, str) and metrics == "all":
            warnings.warn(
                "lipschitz needs at least two clips; left out of the table", UserWarning, stacklevel=2
            )
            names.remove("lipschitz")
        else:
            raise ValueError("lipschitz needs at least two clips; pass more clips or drop it")
    kernel = _as_pair(kernel_size, "kernel_size")
    stride = _as_pair(stride, "stride") or kernel

    def one_method(method_list, n_threads):  # a task per method on a cluster joblib backend
        (method,) = method_list
        P = _pool(S, method, kernel, stride, padding, levels, method_params.get(method, {}), n_threads)
        bad = P.size - int(np.count_nonzero(np.isfinite(P)))
        if bad:  # said here: preservation_metrics would blame its P, which this caller never passed
            raise ValueError(
                f"pooling S with method={method!r} gives {bad} non-finite value(s) (S spans "
                f"{float(S.min()):.3g} to {float(S.max()):.3g}, beyond what {method!r} computes in "
                "float32); rescale S (e.g. to dB) or leave this method out"
            )
        values = preservation_metrics(
            S, P, names, n_jobs=n_threads, kernel_size=kernel, stride=stride, padding=padding, **metric_params
        )
        frame = pd.DataFrame(values)
        frame.insert(0, "clip", np.arange(S.shape[0]))
        frame.insert(0, "method", method)
        return frame

    frames = [
        frame
        for _, frame in map_batches(
            one_method, methods, 1, n_jobs=n_jobs, verbose=verbose, desc="pooling methods", unit="method"
        )
    ]
    long = pd.concat(frames, ignore_index=True)
    if per_clip:
        return long.set_index(["method", "clip"])
    return summarize_pooling(long, spread=spread, methods=methods)


@validate_params(
    {
        "per_clip": [pd.DataFrame],
        "spread": _SPREAD,
        "methods": [Iterable, None],
        "modes": [Iterable, None],
    },
    prefer_skip_nested_validation=True,
)
def summarize_pooling(
    per_clip: pd.DataFrame,
    spread: str | None = None,
    methods: Sequence[str] | None = None,
    *,
    modes: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Mean over clips (and optional spread) of a per-clip table of :func:`compare_pooling`.

    Use it to pool per-clip tables of several batches (different clip
    lengths) into one: ``summarize_pooling(pd.concat([t1, t2]))``.

    Parameters
    ----------
    per_clip : pandas.DataFrame
        ``compare_pooling(..., per_clip=True)``: index or columns ``method``
        and ``clip`` (tables written before the rename, with ``mode``, are read too).
    spread : {None, "std", "sem"}, default=None
        Add a ``<metric>_<spread>`` column after each metric.
    methods : list of str, default=None
        Row order; the order of first appearance when None.
    modes : list of str, default=None
        Deprecated old name of ``methods`` (a ``FutureWarning``; kept for one release).

    Returns
    -------
    table : pandas.DataFrame
        Index ``method``, one column per metric.

    Examples
    --------
    >>> import numpy as np
    >>> from skaudio.metrics import compare_pooling, summarize_pooling
    >>> S = -80 * np.random.default_rng(0).random((3, 16, 20)).astype(np.float32)
    >>> long = compare_pooling(S, ["average", "max"], metrics=["variance"], per_clip=True)
    >>> summarize_pooling(long, spread="std").columns.tolist()
    ['variance', 'variance_std']
    """
    methods = _renamed(methods, modes, "methods", "modes", "summarize_pooling", _VALIDATED)
    long = (
        per_clip.reset_index()
        if "method" not in per_clip.columns and "mode" not in per_clip.columns
        else per_clip
    )
    if "method" not in long.columns:  # a table from before the rename of ``mode``
        long = long.rename(columns={"mode": "method"})
    names = [c for c in long.columns if c in METRIC_NAMES]
    order = list(dict.fromkeys(long["method"])) if methods is None else list(methods)
    grouped = long.groupby("method", sort=False)[names]
    table = grouped.mean().reindex(order)
    if spread is not None:
        extra = grouped.std(ddof=1) if spread == "std" else grouped.sem(ddof=1)
        extra = extra.reindex(order).fillna(0.0)
        cols = {}
        for name in names:
            cols[name] = table[name]
            cols[f"{name}_{spread}"] = extra[name]
        table = pd.DataFrame(cols)
    table.index.name = "method"
    return table


# -- the command ---------------------------------------------------------------------
_AUDIO_SUFFIXES = (".wav", ".flac", ".ogg", ".mp3", ".aif", ".aiff")


def load_report_data(data, sr=16000, *, n_clips=None, duration=5.0, random_state=0):
    """Waveforms for the report: ``"esc50:PATH"``, ``"esc10:PATH"``, ``"folder:PATH"`` or ``"synthetic"``.

    ``folder:PATH`` reads the audio files below ``PATH`` (sorted), the
    ESC-50 kinds the clips in the metadata's order; only the first
    ``n_clips`` files are read, each cut or zero-padded to ``duration``
    seconds. ``synthetic`` generates ``n_clips`` (default 40) sound events of
    ``duration`` seconds.

    Returns
    -------
    X : ndarray of shape (n_clips, n_samples), float32
    """
    kind, _, path = str(data).partition(":")
    if kind == "synthetic" and not path:
        from skaudio.datasets import make_sound_events

        X, _ = make_sound_events(n_clips or 40, 5, sr=sr, duration=duration, random_state=random_state)
        return X
    root = Path(path).expanduser()
    if kind in ("esc50", "esc10") and path:
        from skaudio.datasets._esc50 import _read_meta

        frame = _read_meta(root)
        names = frame.loc[frame["esc10"], "filename"] if kind == "esc10" else frame["filename"]
        files = [root / "audio" / name for name in names]
    elif kind == "folder" and path:
        if not root.is_dir():
            raise ValueError(f"folder {str(root)!r} does not exist or is not a directory")
        files = sorted(p for p in root.rglob("*") if p.suffix.lower() in _AUDIO_SUFFIXES)
        if not files:
            raise ValueError(f"no audio files ({', '.join(_AUDIO_SUFFIXES)}) found under {root}")
    else:
        raise ValueError(
            f"data must be 'esc50:PATH', 'esc10:PATH', 'folder:PATH' or 'synthetic', got {data!r}"
        )
    from skaudio.io import load_audio

    X, _ = load_audio([str(f) for f in files[:n_clips]], sr=sr, duration=duration)  # only what is used
    return X


def _parse_kernel(kernel):
    if isinstance(kernel, str):
        parts = kernel.lower().replace(",", "x").split("x")
        try:
            kernel = tuple(int(p) for p in parts)
        except ValueError:
            raise ValueError(f"kernel must look like '2x2' or '2', got {kernel!r}") from None
    return _as_pair(kernel if len(kernel) > 1 else kernel[0], "kernel")


@validate_params(
    {
        "data": [str],  # its form ("esc50:PATH", ...) is checked by load_report_data
        "sr": [Interval(Real, 0, None, closed="neither")],
        "kernel": [str, "array-like"],  # its form ("2x2", (2, 2)) is checked by _parse_kernel
        "out": [str, os.PathLike, None],
        "plot": [str, os.PathLike, None],
        "methods": [Iterable, None],
        "n_clips": [Interval(Integral, 1, None, closed="left"), None],
        "duration": [Interval(Real, 0, None, closed="neither")],
        "spread": _SPREAD,
        "stream": [HasMethods(["write"]), None],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
        "modes": [Iterable, None],
    },
    # the MelSpectrogram and compare_pooling calls inside check their own arguments
    prefer_skip_nested_validation=False,
)
def pooling_report_main(
    data: str = "synthetic",
    sr: int = 16000,
    kernel: str | tuple[int, int] = "2x2",
    out: str | Path | None = None,
    plot: str | Path | None = None,
    *,
    methods: Sequence[str] | None = None,
    n_clips: int | None = None,
    duration: float = 5.0,
    spread: str | None = "std",
    stream: TextIO | None = None,
    n_jobs: int | None = None,
    random_state: int = 0,
    modes: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Run the [POOL] protocol on a data set and print the Table I-style comparison.

    Waveforms -> log-mel (:data:`PAPER_PROTOCOL` at ``sr``) -> each pooling
    method with ``kernel`` regions -> the 16 metrics, mean and spread over
    clips.

    Parameters
    ----------
    data : str, default="synthetic"
        ``"esc50:PATH"``, ``"esc10:PATH"``, ``"folder:PATH"`` or ``"synthetic"``.
    sr : int, default=16000
        Sampling rate the audio is resampled to.
    kernel : str or (int, int), default="2x2"
        Pooling region ``FxT``.
    out : path, default=None
        Write the table (with spread columns) as CSV.
    plot : path, default=None
        Write the heatmap (PNG, PDF, ... by suffix).
    methods : list of str, default=None
        Pooling methods (all twelve when None).
    n_clips : int, default=None
        Use only the first ``n_clips`` clips (40 for synthetic data).
    duration : float, default=5.0
        Seconds per clip for ``folder`` and ``synthetic`` data.
    spread : {None, "std", "sem"}, default="std"
        Spread columns of the CSV.
    stream : file, default=sys.stdout
        Where the table is printed.
    n_jobs : int, default=None
        numba threads of the front end, pooling and metrics: None keeps numba's own
        setting, 1 one thread, -1 all cores.
    random_state : int, RandomState instance or None, default=0
        Seed of the synthetic data.
    modes : list of str, default=None
        Deprecated old name of ``methods`` (a ``FutureWarning``; kept for one release).

    Returns
    -------
    table : pandas.DataFrame
        The table with spread columns, as written to ``out``.
    """
    from skaudio.features import MelSpectrogram

    methods = _renamed(methods, modes, "methods", "modes", "pooling_report_main", _VALIDATED)
    stream = sys.stdout if stream is None else stream
    kernel = _parse_kernel(kernel)
    if plot:  # before any work, not after it
        from skaudio.plotting import _require_matplotlib

        _require_matplotlib()
    X = load_report_data(data, sr, n_clips=n_clips, duration=duration, random_state=random_state)
    front = {k: v for k, v in PAPER_PROTOCOL.items() if k != "sr"}
    mel = MelSpectrogram(sr=sr, n_jobs=n_jobs, **front)
    S = mel.fit_transform(X)
    table = compare_pooling(S, methods, kernel, spread=spread, sr=sr, freqs=mel.frequencies_, n_jobs=n_jobs)
    means = table[[c for c in table.columns if c in METRIC_NAMES]]
    print(
        f"pooling report: {data}, {S.shape[0]} clips, log-mel {S.shape[1]} x {S.shape[2]} "
        f"at {sr} Hz, {kernel[0]}x{kernel[1]} regions (mean over clips)",
        file=stream,
    )
    with pd.option_context("display.width", 250, "display.max_columns", 40):
        print(means.to_string(float_format=lambda v: f"{v:.4f}"), file=stream)
    if out:
        table.to_csv(out, float_format="%.6g")
        print(f"table written to {out}", file=stream)
    if plot:
        from skaudio.plotting import plot_pooling_comparison

        ax = plot_pooling_comparison(means, title=f"{data}: {kernel[0]}x{kernel[1]} pooling")
        ax.figure.savefig(plot, dpi=150)
        print(f"heatmap written to {plot}", file=stream)
    return table
