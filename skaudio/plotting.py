"""Figures of spectrograms, pooled maps and the interpretation tools (matplotlib, imported
only when a function runs).

Every function draws on the ``ax`` (or ``fig``) it is given, or on a new
``matplotlib.figure.Figure`` (no pyplot state is touched), and returns what it drew on.
Maps are drawn with frequency up; given ``sr`` and ``hop_length`` the time axis is in
seconds, given ``frequencies`` the band axis is labelled in Hz.

- :func:`plot_spectrogram` -- one (log-mel) spectrogram with a colour bar;
- :func:`plot_pooled_spectrograms` -- a spectrogram beside its pooled versions;
- :func:`plot_spectral_patterns` -- the columns of an NMF basis ``W``;
- :func:`plot_reconstruction` -- a spectrogram beside its reconstruction ``W H``;
- :func:`plot_discriminative_components` -- the patterns each class relies on;
- :func:`plot_gradcam` -- a Grad-CAM map over its spectrogram.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from skaudio.interpret import NMFInterpreter

__all__ = [
    "plot_pooling_comparison",
    "plot_spectrogram",
    "plot_pooled_spectrograms",
    "plot_spectral_patterns",
    "plot_reconstruction",
    "plot_discriminative_components",
    "plot_gradcam",
]


def _require_matplotlib():
    """Import matplotlib, or say which extra installs it."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise ImportError('skaudio\'s figures need matplotlib: pip install "skaudio[plot]"') from None


def _figure(figsize):
    _require_matplotlib()
    from matplotlib.figure import Figure

    return Figure(figsize=figsize, layout="constrained")


def _colormap(cmap):
    """A matplotlib colour map from its name (or the colour map itself)."""
    import matplotlib

    return matplotlib.colormaps[cmap] if isinstance(cmap, str) else cmap


def _new_ax(figsize):
    return _figure(figsize).add_subplot()


def _basis(W, frequencies):
    """``(W, frequencies)`` from an array or a fitted :class:`~skaudio.interpret.NMFInterpreter`."""
    if hasattr(W, "components_"):
        if frequencies is None:
            frequencies = getattr(W, "frequencies_", None)
        W = W.components_
    W = np.asarray(W, dtype=np.float64)
    if W.ndim != 2:
        raise ValueError(f"W must be a 2-D (n_mels, n_components) array, got shape {W.shape}")
    return W, frequencies


def _freq_ticks(ax, frequencies, n_rows, axis="y", n_ticks=5):
    """Label band indices with their frequency in Hz (or leave band numbers)."""
    if frequencies is None or len(frequencies) != n_rows:
        (ax.set_ylabel if axis == "y" else ax.set_xlabel)("band")
        return
    idx = np.unique(np.linspace(0, n_rows - 1, min(n_ticks, n_rows)).round().astype(int))
    labels = [f"{frequencies[i]:.0f}" for i in idx]
    if axis == "y":
        ax.set_yticks(idx, labels)
        ax.set_ylabel("Hz")
    else:
        ax.set_xticks(idx, labels)
        ax.set_xlabel("Hz")


def _frame_seconds(sr, hop_length):
    """Seconds between frames, or None to keep frame numbers."""
    if sr is None and hop_length is None:
        return None
    if sr is None or hop_length is None:
        raise ValueError(
            f"give both sr and hop_length for a time axis in seconds, got sr={sr!r}, "
            f"hop_length={hop_length!r}"
        )
    if not sr > 0 or not hop_length > 0:
        raise ValueError(f"sr and hop_length must be > 0, got sr={sr!r}, hop_length={hop_length!r}")
    return hop_length / sr


def _extent(n_rows, n_frames, seconds, row_step=1, frame_step=1):
    """imshow extent putting frame ``j`` at ``j * seconds`` (or ``j``) and band ``i`` at ``i``.

    A pooled map whose cells summarise ``row_step x frame_step`` cells of the original
    is stretched over the same region, so both share the axes.
    """
    unit = 1.0 if seconds is None else seconds
    return (-0.5 * unit, (n_frames * frame_step - 0.5) * unit, -0.5, n_rows * row_step - 0.5)


def _time_label(ax, seconds):
    ax.set_xlabel("frame" if seconds is None else "time (s)")


def _check_map(S, name):
    S = np.asarray(S, dtype=np.float64)
    if S.ndim != 2 or S.size == 0:
        raise ValueError(
            f"{name} must be a non-empty 2-D (n_freqs, n_frames) array (one clip), got shape {S.shape}"
        )
    return S


def plot_spectrogram(
    S: ArrayLike,
    *,
    sr: float | None = None,
    hop_length: int | None = None,
    frequencies: ArrayLike | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    cmap: str = "magma",
    vmin: float | None = None,
    vmax: float | None = None,
    colorbar: bool = True,
    label: str = "dB",
) -> Axes:
    """One spectrogram (frequency up, time across) with a colour bar.

    Parameters
    ----------
    S : ndarray of shape (n_freqs, n_frames)
        One clip, e.g. ``MelSpectrogram(to_db=True).fit_transform(X)[i]``.
    sr : float or None, default=None
        Sampling rate of the audio; with ``hop_length`` the time axis is in seconds.
    hop_length : int or None, default=None
        Samples between frames (the transformer's ``hop_length``).
    frequencies : ndarray of shape (n_freqs,) or None, default=None
        Centre frequency of each row in Hz (the transformer's ``frequencies_``);
        the rows are labelled in Hz (mel rows stay evenly spaced, as the network
        sees them), band numbers otherwise.
    ax : matplotlib.axes.Axes or None, default=None
    title : str or None, default=None
    cmap : str, default="magma"
    vmin, vmax : float or None, default=None
        Colour range; the map's own range when None.
    colorbar : bool, default=True
    label : str, default="dB"
        Colour bar label.

    Returns
    -------
    ax : matplotlib.axes.Axes

    Examples
    --------
    >>> import numpy as np
    >>> from skaudio.plotting import plot_spectrogram
    >>> S = -80 * np.random.default_rng(0).random((16, 63))
    >>> ax = plot_spectrogram(S, sr=16000, hop_length=256, frequencies=np.linspace(0, 8000, 16))
    >>> ax.get_xlabel(), ax.get_ylabel(), float(ax.get_xlim()[1])  # 62.5 frames of 16 ms
    ('time (s)', 'Hz', 1.0)
    """
    S = _check_map(S, "S")
    seconds = _frame_seconds(sr, hop_length)
    if ax is None:
        ax = _new_ax((5.0, 3.0))
    im = ax.imshow(
        S,
        origin="lower",
        aspect="auto",
        cmap=cmap,
        vmin=vmin,
        vmax=vmax,
        interpolation="nearest",
        extent=_extent(*S.shape, seconds),
    )
    _time_label(ax, seconds)
    _freq_ticks(ax, frequencies, S.shape[0], "y")
    if colorbar:
        ax.figure.colorbar(im, ax=ax, label=label)
    if title:
        ax.set_title(title)
    return ax


def plot_pooled_spectrograms(
    S: ArrayLike,
    pooled: Mapping[str, ArrayLike],
    *,
    sr: float | None = None,
    hop_length: int | None = None,
    frequencies: ArrayLike | None = None,
    axes: Sequence[Axes] | None = None,
    cmap: str = "magma",
    label: str = "dB",
) -> list[Axes]:
    """A spectrogram beside its pooled versions, on shared axes and one colour scale.

    Each pooled map is stretched over the part of ``S`` it summarises, so time
    (seconds) and frequency (Hz) line up across the panels; non-overlapping
    regions are assumed (stride = kernel, :class:`~skaudio.features.PoolingTransformer`'s
    default), the step being ``round(S.shape / P.shape)`` per axis.

    Parameters
    ----------
    S : ndarray of shape (n_freqs, n_frames)
        One clip.
    pooled : dict of str to ndarray of shape (n_freqs // kf, n_frames // kt)
        Its pooled versions, keyed by panel title (e.g. ``"max 2x2"``).
    sr, hop_length : float and int or None, default=None
        Time axis in seconds when both are given (those of ``S``).
    frequencies : ndarray of shape (n_freqs,) or None, default=None
        Centre frequencies of the rows of ``S`` in Hz.
    axes : sequence of matplotlib.axes.Axes or None, default=None
        One per panel, ``S`` first.
    cmap : str, default="magma"
    label : str, default="dB"
        Colour bar label.

    Returns
    -------
    axes : list of matplotlib.axes.Axes

    Examples
    --------
    >>> import numpy as np
    >>> from skaudio.plotting import plot_pooled_spectrograms
    >>> S = -80 * np.random.default_rng(0).random((16, 40))
    >>> P = S.reshape(8, 2, 20, 2).max(axis=(1, 3))
    >>> axes = plot_pooled_spectrograms(S, {"max 2x2": P}, sr=16000, hop_length=256)
    >>> [ax.get_title() for ax in axes], axes[0].get_xlim() == axes[1].get_xlim()
    (['original (16 x 40)', 'max 2x2 (8 x 20)'], True)
    """
    S = _check_map(S, "S")
    maps = {str(k): _check_map(v, f"pooled[{k!r}]") for k, v in dict(pooled).items()}
    if not maps:
        raise ValueError("pooled is empty: give at least one pooled map")
    seconds = _frame_seconds(sr, hop_length)
    steps = {}
    for name, P in maps.items():
        step = tuple(max(1, int(round(n / m))) for n, m in zip(S.shape, P.shape))
        if P.shape[0] > S.shape[0] or P.shape[1] > S.shape[1]:
            raise ValueError(f"pooled[{name!r}] has shape {P.shape}, larger than S {S.shape}")
        steps[name] = step
    if axes is None:
        fig = _figure((3.2 * (1 + len(maps)) + 0.8, 3.0))
        axes = fig.subplots(1, 1 + len(maps), sharex=True, sharey=True)
    axes = list(np.ravel(axes))
    if len(axes) != 1 + len(maps):
        raise ValueError(f"axes must hold {1 + len(maps)} axes, got {len(axes)}")
    vmin = min(float(np.nanmin(m)) for m in [S, *maps.values()])
    vmax = max(float(np.nanmax(m)) for m in [S, *maps.values()])
    panels = [("original", S, (1, 1))] + [(n, P, steps[n]) for n, P in maps.items()]
    for ax, (name, P, (fy, ft)) in zip(axes, panels):
        im = ax.imshow(
            P,
            origin="lower",
            aspect="auto",
            cmap=cmap,
            vmin=vmin,
            vmax=vmax,
            interpolation="nearest",
            extent=_extent(*P.shape, seconds, fy, ft),
        )
        ax.set_title(f"{name} ({P.shape[0]} x {P.shape[1]})", fontsize=9)
        _time_label(ax, seconds)
    _freq_ticks(axes[0], frequencies, S.shape[0], "y")
    axes[-1].figure.colorbar(im, ax=axes, label=label)
    return axes


def _to_db(S, ref, top_db=80.0):
    S = np.maximum(np.asarray(S, dtype=np.float64), 0.0)
    db = 10.0 * np.log10(np.maximum(S, 1e-10) / max(ref, 1e-10))
    return np.maximum(db, -top_db)


def plot_spectral_patterns(
    W: ArrayLike | NMFInterpreter,
    *,
    components: Sequence[int] | None = None,
    frequencies: ArrayLike | None = None,
    kind: str = "image",
    scale: str = "column",
    ax: Axes | None = None,
    title: str | None = None,
    cmap: str = "magma",
) -> Axes:
    """Spectral patterns: the columns of an NMF basis ``W`` (mel bands x components).

    Parameters
    ----------
    W : ndarray of shape (n_mels, n_components) or fitted NMFInterpreter
        The basis (``components_`` of the interpreter, whose ``frequencies_`` label
        the bands).
    components : array-like of int or None, default=None
        Columns to show; all when None.
    frequencies : ndarray of shape (n_mels,) or None, default=None
        Centre frequency of each band in Hz, for the axis labels.
    kind : {"image", "lines"}, default="image"
        A heatmap (bands up, components across) or one curve per component. A plot
        style, so ``kind`` as in ``pandas.DataFrame.plot``; a choice of algorithm is
        called ``method`` across skaudio.
    scale : {"column", "global"}, default="column"
        Heatmap colours: each column scaled to its own peak (shapes), or all to the
        largest value (strengths: unused components stay dark).
    ax : matplotlib.axes.Axes or None, default=None
    title : str or None, default=None
    cmap : str, default="magma"

    Returns
    -------
    ax : matplotlib.axes.Axes

    Examples
    --------
    >>> import numpy as np
    >>> from skaudio.plotting import plot_spectral_patterns
    >>> W = np.random.default_rng(0).random((32, 6))
    >>> ax = plot_spectral_patterns(W, kind="lines")
    >>> len(ax.get_lines())
    6
    """
    W, frequencies = _basis(W, frequencies)
    cols = np.arange(W.shape[1]) if components is None else np.asarray(components, dtype=int)
    if cols.size == 0 or cols.min() < 0 or cols.max() >= W.shape[1]:
        raise ValueError(f"components must index the {W.shape[1]} columns of W, got {cols.tolist()}")
    if kind not in ("image", "lines"):
        raise ValueError(f"kind must be 'image' or 'lines', got {kind!r}")
    if scale not in ("column", "global"):
        raise ValueError(f"scale must be 'column' or 'global', got {scale!r}")
    Wc = W[:, cols]
    if ax is None:
        ax = _new_ax((max(3.0, 0.25 * len(cols) + 2.0) if kind == "image" else 5.0, 3.2))
    if kind == "image":
        peak = Wc.max(axis=0, keepdims=True) if scale == "column" else np.full((1, 1), Wc.max())
        ax.imshow(
            Wc / np.where(peak > 0, peak, 1.0),
            origin="lower",
            aspect="auto",
            cmap=cmap,
            interpolation="nearest",
            vmin=0.0,
            vmax=1.0,
        )
        step = max(1, int(np.ceil(len(cols) / 8)))
        ax.set_xticks(range(0, len(cols), step), [str(c) for c in cols[::step]])
        ax.set_xlabel("component (channel)")
        _freq_ticks(ax, frequencies, W.shape[0], "y")
    else:
        for j, c in enumerate(cols):
            ax.plot(np.arange(W.shape[0]), Wc[:, j], label=str(c))
        ax.set_ylabel("weight")
        _freq_ticks(ax, frequencies, W.shape[0], "x")
        if len(cols) <= 10:
            ax.legend(title="component", fontsize=7, title_fontsize=7)
    if title:
        ax.set_title(title)
    return ax


def plot_reconstruction(
    V: ArrayLike,
    V_hat: ArrayLike,
    *,
    frequencies: ArrayLike | None = None,
    db: bool = True,
    axes: Sequence[Axes] | None = None,
    titles: Sequence[str] | None = None,
    cmap: str = "magma",
    sr: float | None = None,
    hop_length: int | None = None,
) -> list[Axes]:
    """A spectrogram beside its NMF reconstruction(s), on a common colour scale.

    Parameters
    ----------
    V : ndarray of shape (n_mels, n_frames)
        One clip's ``V`` (``NMFInterpreter.get_spectrogram(X)[i]``).
    V_hat : ndarray of shape (n_mels, n_frames) or dict of str to such arrays
        Its reconstruction (``inverse_transform(transform(X))[i]``), or several,
        keyed by the title of their panel.
    frequencies : ndarray of shape (n_mels,) or None, default=None
    db : bool, default=True
        Show every panel in dB relative to the maximum of ``V`` (80 dB range); False
        shows the values as they are (for a ``V`` already in dB, ``db_range``).
    axes : sequence of matplotlib.axes.Axes or None, default=None
        One per panel (``V`` first).
    titles : sequence of str or None, default=None
        Panel titles; ``("spectrogram V", "reconstruction W H")`` or ``V`` and the
        dict's keys when None.
    cmap : str, default="magma"
    sr, hop_length : float and int or None, default=None
        With both, the time axis is in seconds (the front end's sampling rate and
        hop); frame numbers otherwise.

    Returns
    -------
    axes : list of matplotlib.axes.Axes

    Examples
    --------
    >>> import numpy as np
    >>> from skaudio.plotting import plot_reconstruction
    >>> V = np.random.default_rng(0).random((16, 40))
    >>> axes = plot_reconstruction(V, {"free": 0.9 * V, "smooth": 0.8 * V})
    >>> [len(ax.images) for ax in axes], axes[2].get_title()
    ([1, 1, 1], 'smooth')
    """
    V = np.asarray(V, dtype=np.float64)
    seconds = _frame_seconds(sr, hop_length)
    named = dict(V_hat) if isinstance(V_hat, dict) else {"reconstruction W H": V_hat}
    recons = [np.asarray(r, dtype=np.float64) for r in named.values()]
    if V.ndim != 2 or any(r.shape != V.shape for r in recons):
        raise ValueError(
            f"V and V_hat must be 2-D arrays of the same shape (one clip), got {V.shape} "
            f"and {[r.shape for r in recons]}"
        )
    if titles is None:
        titles = ["spectrogram V", *named]
    titles = list(titles)
    if len(titles) != 1 + len(recons):
        raise ValueError(f"titles must give {1 + len(recons)} panel titles, got {len(titles)}")
    if axes is None:
        fig = _figure((3.6 * (1 + len(recons)) + 0.8, 3.0))
        axes = fig.subplots(1, 1 + len(recons), sharey=True)
    axes = list(np.ravel(axes))
    if len(axes) != 1 + len(recons):
        raise ValueError(f"axes must hold {1 + len(recons)} axes, got {len(axes)}")
    if db:
        ref = float(V.max())
        imgs = [_to_db(V, ref)] + [_to_db(r, ref) for r in recons]
        vmin, vmax = -80.0, 0.0
    else:
        imgs = [V] + recons
        vmin, vmax = float(min(i.min() for i in imgs)), float(max(i.max() for i in imgs))
    for ax, img, title in zip(axes, imgs, titles):
        im = ax.imshow(
            img,
            origin="lower",
            aspect="auto",
            cmap=cmap,
            vmin=vmin,
            vmax=vmax,
            interpolation="nearest",
            extent=_extent(*img.shape, seconds),
        )
        ax.set_title(title)
        _time_label(ax, seconds)
    _freq_ticks(axes[0], frequencies, V.shape[0], "y")
    axes[-1].figure.colorbar(im, ax=axes, label="dB" if db else "value")
    return axes


def plot_discriminative_components(
    table: pd.DataFrame,
    W: ArrayLike | NMFInterpreter,
    *,
    n_top: int = 3,
    classes: Sequence[Any] | None = None,
    frequencies: ArrayLike | None = None,
    fig: Figure | None = None,
) -> Figure:
    """The patterns each class relies on most: scores and spectral shapes, one row per class.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :meth:`~skaudio.interpret.NMFInterpreter.discriminative_components`.
    W : ndarray of shape (n_mels, n_components) or fitted NMFInterpreter
    n_top : int, default=3
        Components shown per class.
    classes : list or None, default=None
        Classes to show (rows), all in the table when None.
    frequencies : ndarray of shape (n_mels,) or None, default=None
    fig : matplotlib.figure.Figure or None, default=None

    Returns
    -------
    fig : matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from skaudio.plotting import plot_discriminative_components
    >>> table = pd.DataFrame({"class": ["a", "a", "b", "b"], "rank": [1, 2, 1, 2],
    ...                       "component": [0, 1, 1, 0], "score": [1.5, -1.5, 1.5, -1.5]})
    >>> fig = plot_discriminative_components(table, np.eye(4, 2), n_top=2)
    >>> len(fig.axes)
    4
    """
    W, frequencies = _basis(W, frequencies)
    missing = {"class", "rank", "component", "score"} - set(table.columns)
    if missing:
        raise ValueError(
            f"table lacks the columns {sorted(missing)}; pass the output of "
            "NMFInterpreter.discriminative_components"
        )
    classes = list(dict.fromkeys(table["class"])) if classes is None else list(classes)
    if not classes:
        raise ValueError("no classes to show")
    if fig is None:
        fig = _figure((8.0, 1.7 * len(classes) + 0.6))
    axes = fig.subplots(len(classes), 2, squeeze=False)
    for row, c in zip(axes, classes):
        sub = table[table["class"] == c].sort_values("rank").head(n_top)
        if sub.empty:
            raise ValueError(f"class {c!r} is not in the table")
        comps = sub["component"].to_numpy(dtype=int)
        bars = row[0].barh(range(len(sub))[::-1], sub["score"].to_numpy(), color="tab:blue")
        for b, s in zip(bars, sub["score"].to_numpy()):
            b.set_color("tab:blue" if s >= 0 else "tab:red")
        row[0].set_yticks(range(len(sub))[::-1], [f"#{k}" for k in comps])
        row[0].axvline(0.0, color="k", lw=0.5)
        row[0].set_ylabel(str(c))
        for k in comps:
            row[1].plot(np.arange(W.shape[0]), W[:, k], label=f"#{k}")
        row[1].legend(fontsize=7)
        _freq_ticks(row[1], frequencies, W.shape[0], "x")
    axes[0][0].set_title("effect size (share in class vs elsewhere)", fontsize=9)
    axes[0][1].set_title("spectral pattern", fontsize=9)
    return fig


def plot_gradcam(
    spectrogram: ArrayLike,
    cam: ArrayLike,
    *,
    ax: Axes | None = None,
    alpha: float = 0.5,
    cmap: str = "gray_r",
    cam_cmap: str = "jet",
    frequencies: ArrayLike | None = None,
    title: str | None = None,
    sr: float | None = None,
    hop_length: int | None = None,
) -> Axes:
    """A Grad-CAM map laid over the spectrogram it explains.

    Parameters
    ----------
    spectrogram : ndarray of shape (n_freqs, n_frames)
        The network's input for one clip (e.g. the log-mel of SE-CNN).
    cam : ndarray of shape (n_freqs, n_frames)
        Its map from :func:`skaudio.interpret.grad_cam`.
    ax : matplotlib.axes.Axes or None, default=None
    alpha : float, default=0.5
        Opacity of the map.
    cmap, cam_cmap : str
        Colour maps of the spectrogram and of the map.
    frequencies : ndarray of shape (n_freqs,) or None, default=None
    title : str or None, default=None
    sr, hop_length : float and int or None, default=None
        With both, the time axis is in seconds; frame numbers otherwise.

    Returns
    -------
    ax : matplotlib.axes.Axes

    Examples
    --------
    >>> import numpy as np
    >>> from skaudio.plotting import plot_gradcam
    >>> S = np.random.default_rng(0).random((16, 40))
    >>> ax = plot_gradcam(S, S / S.max(), title="clip 0")
    >>> len(ax.images)
    2
    """
    S = np.asarray(spectrogram, dtype=np.float64)
    C = np.asarray(cam, dtype=np.float64)
    if S.ndim != 2 or S.shape != C.shape:
        raise ValueError(
            f"spectrogram and cam must be 2-D arrays of the same shape (one clip), got "
            f"{S.shape} and {C.shape}"
        )
    seconds = _frame_seconds(sr, hop_length)
    if ax is None:
        ax = _new_ax((5.0, 3.0))
    extent = _extent(*S.shape, seconds)
    ax.imshow(S, origin="lower", aspect="auto", cmap=cmap, interpolation="nearest", extent=extent)
    im = ax.imshow(
        C,
        origin="lower",
        aspect="auto",
        cmap=cam_cmap,
        alpha=alpha,
        vmin=0.0,
        vmax=max(float(C.max()), 1e-12),
        interpolation="bilinear",
        extent=extent,
    )
    ax.figure.colorbar(im, ax=ax, label="Grad-CAM")
    _time_label(ax, seconds)
    _freq_ticks(ax, frequencies, S.shape[0], "y")
    if title:
        ax.set_title(title)
    return ax


def plot_pooling_comparison(
    table: pd.DataFrame,
    *,
    ax: Axes | None = None,
    metrics: Sequence[str] | None = None,
    cmap: str = "RdYlGn",
    annotate: bool = True,
    title: str | None = None,
    fmt: str = "{:.3g}",
    span: tuple[float, float] = (0.01, 1.0),
    colorbar: bool = True,
) -> Axes:
    """Heatmap of a :func:`~skaudio.metrics.compare_pooling` table (colour: distance from ideal; text: value).

    Every cell is coloured by how far its value lies from its metric's ideal
    (``|v - 1|`` for ratios, ``1 - v`` for cosine similarity and correlation,
    ``v`` for KL divergence), on one fixed logarithmic scale shared by all
    metrics and shown by the colour bar: a distance of ``span[0]`` or less
    (within 1 % of the ideal) gets the best colour, ``span[1]`` or more (100 %
    off) the worst, 0.1 the middle one. The colours therefore mean the same in
    every column and every table: two values that are both close to the ideal
    (0.996 and 0.997) look alike, however few rows there are, instead of being
    stretched to the two ends of the scale as a per-column min-max scaling
    would. Metrics without an ideal (the compression ratio) are drawn grey.
    matplotlib is imported only when this function runs.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`~skaudio.metrics.compare_pooling` (spread columns are ignored).
    ax : matplotlib.axes.Axes, default=None
        Where to draw; a new figure when None.
    metrics : list of str, default=None
        Columns to show; all metric columns when None.
    cmap : str, default="RdYlGn"
        Colour map (far from the ideal to ideal).
    annotate : bool, default=True
        Write the value in each cell.
    title : str, default=None
        Axes title.
    fmt : str, default="{:.3g}"
        Format of the annotations.
    span : (float, float), default=(0.01, 1.0)
        Distances from the ideal given the best and the worst colour.
    colorbar : bool, default=True
        Draw the colour bar (the legend of the colours).

    Returns
    -------
    ax : matplotlib.axes.Axes

    Examples
    --------
    >>> import numpy as np
    >>> from skaudio.metrics import compare_pooling
    >>> from skaudio.plotting import plot_pooling_comparison
    >>> S = -80 * np.random.default_rng(0).random((3, 16, 20)).astype(np.float32)
    >>> ax = plot_pooling_comparison(compare_pooling(S, ["average", "max", "min"]))
    >>> len(ax.get_xticklabels()), len(ax.get_yticklabels())
    (16, 3)
    """
    from matplotlib.colors import LogNorm

    from skaudio.metrics import METRIC_NAMES, get_metric

    lo, hi = (float(v) for v in span)
    if not 0 < lo < hi:
        raise ValueError(f"span must be two distances 0 < low < high, got {span!r}")
    names = list(metrics or [c for c in table.columns if c in METRIC_NAMES])
    if not names:
        raise ValueError("table has no metric columns to plot")
    if ax is None:
        ax = _figure((1.8 + 0.75 * len(names), 1.2 + 0.42 * len(table))).add_subplot()
    values = table[names].to_numpy(dtype=np.float64)
    distance = np.full(values.shape, np.nan)
    for j, name in enumerate(names):
        info = get_metric(name)
        if info.ideal is not None:
            distance[:, j] = np.abs(values[:, j] - info.ideal)
    distance = np.clip(distance, lo, hi)  # inf -> the worst colour, NaN stays grey
    colours = _colormap(cmap).reversed().with_extremes(bad="0.85")
    im = ax.imshow(
        np.ma.masked_invalid(distance),
        cmap=colours,
        norm=LogNorm(lo, hi),
        aspect="auto",
        interpolation="nearest",
    )
    ax.set_xticks(range(len(names)), [n.replace("_", "\n") for n in names], fontsize=7)
    ax.set_yticks(range(len(table)), [str(i) for i in table.index], fontsize=8)
    ax.tick_params(top=True, labeltop=True, bottom=False, labelbottom=False)
    if annotate:
        rgba = im.to_rgba(im.get_array())
        dark = rgba[..., :3] @ np.array([0.299, 0.587, 0.114]) < 0.4  # white text on dark cells
        for r in range(values.shape[0]):
            for c in range(values.shape[1]):
                ax.text(
                    c,
                    r,
                    fmt.format(values[r, c]),
                    ha="center",
                    va="center",
                    fontsize=6,
                    color="white" if dark[r, c] else "black",
                )
    if colorbar:
        from matplotlib.ticker import FuncFormatter, NullFormatter

        bar = ax.figure.colorbar(im, ax=ax, extend="both", fraction=0.04, pad=0.02)
        bar.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        bar.ax.yaxis.set_minor_formatter(NullFormatter())
        bar.set_label("distance from the ideal value\n(grey: no ideal or no value)", fontsize=7)
        bar.ax.tick_params(labelsize=7)
    if title:
        ax.set_title(title, fontsize=9)
    return ax
