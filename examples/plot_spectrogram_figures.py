"""
Figures of log-mel spectrograms, pooled maps and what a network attends to
===========================================================================

Draws the figures of the user guide's *Figures* page with :mod:`skaudio.plotting`:

1. ``logmel.png`` -- the log-mel spectrograms of four ESC-10 clips (time in seconds,
   frequency in Hz, colour bar in dB relative to each clip's maximum);
2. ``pooled.png`` -- one of them beside its average- and max-pooled versions
   (:class:`~skaudio.features.PoolingTransformer`, 2x2 and 4x4 regions), drawn over
   the same axes and on one colour scale;
3. ``interpret_reconstruction.png`` -- a held-out clip's log-mel beside its NMF
   reconstruction from the last block of a small SE-CNN
   (:class:`~skaudio.interpret.NMFInterpreter`, dB ``V`` mapped to [0, 1]);
4. ``interpret_gradcam.png`` -- Grad-CAM maps of that network's last convolution for
   three held-out clips.

The network is deliberately tiny (the SE-CNN of ``skaudio demo``: three blocks, 8 to 32
channels, 12 epochs on 128 clips of four classes, about a minute on two CPU cores):
the figures show how to read the tools, not what a strong model learns
(``examples/interpret_secnn_esc10.py`` trains the full one).

The clips are ESC-10's (Piczak 2015, CC BY) from ``esc10/`` in the shared data folder
(``--data DIR``, else ``$SKAUDIO_SHARED_DATA``, else ``../shared/data``), read at 16 kHz;
without them, synthetic sound events (:func:`~skaudio.datasets.make_sound_events`)
stand in.

Run: ``python examples/plot_spectrogram_figures.py [--data DIR] [--out DIR]`` (the
docs' copies were made with ``--out docs/_static/figures``).
"""

import argparse
import sys
from pathlib import Path

import numpy as np
from _shared_data import add_data_argument, data_folder
from matplotlib.figure import Figure
from sklearn.pipeline import Pipeline

from skaudio.datasets import load_esc50, make_sound_events
from skaudio.features import MelSpectrogram, PoolingTransformer
from skaudio.interpret import NMFInterpreter, grad_cam
from skaudio.models._demo import tiny_secnn
from skaudio.plotting import (
    plot_gradcam,
    plot_pooled_spectrograms,
    plot_reconstruction,
    plot_spectrogram,
)

SR, N_FFT, HOP, N_MELS = 16000, 1024, 256, 64
CLASSES = ["dog", "rooster", "rain", "crying_baby"]
NMF_LAYER, CAM_LAYER = "features.22", "features.20"  # last SE output; last ReLU before it
DPI = 80
#: the numbers the figures page quotes, written to ``numbers.inc`` as ``|figures_<name>|``
NUMBERS = (
    "source",
    "epochs",
    "n_train",
    "n_test",
    "accuracy",
    "nmf_channels",
    "nmf_r2",
    "nmf_clip",
    "gradcam",
)


def load_clips(data, per_class=None):
    """Waveforms, class names, folds and a description: four ESC-10 classes, or synthetic events."""
    folder = data_folder(data) / "esc10"
    if (folder / "meta" / "esc50.csv").is_file():
        esc = load_esc50(folder, subset="esc10", sr=SR)
        label = dict(zip(np.unique(esc.target), esc.target_names))
        names = np.array([label[t] for t in esc.target])
        keep = np.flatnonzero(np.isin(names, CLASSES))
        if per_class is not None:  # the first clips of each class in every fold
            keep = np.concatenate(
                [
                    keep[(names[keep] == c) & (esc.fold[keep] == f)][:per_class]
                    for c in CLASSES
                    for f in range(1, 6)
                ]
            )
        print(f"ESC-10 from {folder}: {len(keep)} clips of {CLASSES}")
        source = "four classes of ESC-10 (dog, rooster, rain, crying baby; Piczak 2015, CC BY)"
        return esc.data[keep], names[keep], esc.fold[keep], source
    print(f"ESC-10 not found under {folder}; using synthetic sound events")
    n = 160 if per_class is None else 4 * 5 * per_class
    X, y = make_sound_events(n, 4, sr=SR, duration=5.0, random_state=0)
    names = np.array([f"event {k}" for k in y])
    return X, names, 1 + np.arange(len(y)) % 5, "synthetic sound events of four kinds (ESC-10 was not found)"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.strip().split("\n")[0])
    add_data_argument(parser)
    parser.add_argument(
        "--out", type=Path, default=Path("figures"), help="folder for the PNG files (default ./figures)"
    )
    parser.add_argument("--epochs", type=int, default=12, help="epochs of the tiny SE-CNN (default 12)")
    parser.add_argument(
        "--per-class", type=int, default=None, help="clips per class and fold (default: all; a quick check)"
    )
    return parser.parse_args(argv)


def draw_logmel(X, names, first, out):
    """Figure 1: one log-mel spectrogram per class, 0 to -80 dB relative to each clip's maximum."""
    mel = MelSpectrogram(sr=SR, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS, ref="max")
    S = mel.fit_transform(X[first])  # (4, 64, 313) in dB for 5 s clips
    fig = Figure(figsize=(10, 5.2), layout="constrained")
    for ax, k, S_k in zip(fig.subplots(2, 2, sharex=True, sharey=True).ravel(), first, S):
        plot_spectrogram(
            S_k,
            ax=ax,
            title=names[k],
            label="dB re max",
            vmin=-80.0,
            vmax=0.0,
            sr=SR,
            hop_length=HOP,
            frequencies=mel.frequencies_,
        )
    fig.savefig(out / "logmel.png", dpi=DPI)
    return S, mel


def draw_pooled(S_i, title, mel, out):
    """Figure 2: one clip beside its 2x2 average, 2x2 max and 4x4 max pooled maps."""
    pooled = {
        f"{method} {k}x{k}": PoolingTransformer(method, kernel_size=(k, k)).fit_transform(S_i[None])[0]
        for method, k in [("average", 2), ("max", 2), ("max", 4)]
    }
    axes = plot_pooled_spectrograms(
        S_i, pooled, label="dB re max", sr=SR, hop_length=HOP, frequencies=mel.frequencies_
    )
    axes[0].set_xlim(0.0, 2.5)  # the panels share their axes: every one shows the same 2.5 s
    axes[0].figure.set_size_inches(13, 3.2)
    axes[0].figure.suptitle(f"{title}: log-mel and pooled maps (first 2.5 s)")
    axes[0].figure.savefig(out / "pooled.png", dpi=DPI)


def draw_reconstruction(pipe, X_test, clip, title, out):
    """Figure 3: a held-out clip's log-mel ([0, 1]) beside its NMF reconstruction from a hidden layer.

    The NMF basis is fitted on all held-out clips ``X_test``; ``clip`` is the one drawn.
    """
    nmf = NMFInterpreter(pipe, NMF_LAYER, db_range=80.0, max_iter=500, random_state=0).fit(X_test)
    V = nmf.get_spectrogram(clip[None])[0]
    V_hat = nmf.inverse_transform(nmf.transform(clip[None]))[0]
    fig = Figure(figsize=(10, 3.2), layout="constrained")
    plot_reconstruction(
        V,
        {f"W H from {NMF_LAYER}": V_hat},
        db=False,
        axes=fig.subplots(1, 2, sharey=True),
        titles=[f"V: {title} (log-mel, 80 dB -> [0, 1])", f"W H from {NMF_LAYER}"],
        frequencies=nmf.frequencies_,
        sr=SR,
        hop_length=HOP,
    )
    fig.savefig(out / "interpret_reconstruction.png", dpi=DPI)
    return nmf.n_components_, nmf.score(X_test)


def draw_gradcam(pipe, X_shown, titles, out):
    """Figure 4: Grad-CAM of the last ReLU for each clip's predicted class, over its log-mel."""
    cams = grad_cam(pipe, X_shown, CAM_LAYER)  # for the predicted class of each clip
    log_mel = pipe[:-1].transform(X_shown)
    predicted = pipe.predict(X_shown)
    freqs = pipe[0].frequencies_
    fig = Figure(figsize=(12, 3.2), layout="constrained")
    for ax, j in zip(fig.subplots(1, len(X_shown), sharey=True), range(len(X_shown))):
        title = f"{titles[j]} (predicted: {predicted[j]})"
        plot_gradcam(log_mel[j], cams[j], ax=ax, title=title, sr=SR, hop_length=HOP, frequencies=freqs)
    fig.savefig(out / "interpret_gradcam.png", dpi=DPI)
    # where each map peaks: the frame (in s) and the mel band (its centre, in Hz)
    peaks = [np.unravel_index(np.argmax(cam), cam.shape) for cam in cams]
    return [(titles[j], predicted[j], t * HOP / SR, freqs[f]) for j, (f, t) in enumerate(peaks)]


def numbers_rst(numbers):
    """The page's numbers as reStructuredText substitutions (``|figures_accuracy|``, ...)."""
    lines = [
        ".. Written by examples/plot_spectrogram_figures.py with the figures beside it",
        "   (``make docs`` runs it); do not edit by hand.",
        "",
    ]
    lines += [f".. |figures_{key}| replace:: {value}" for key, value in numbers.items()]
    return "\n".join(lines) + "\n"


def main(argv=None):
    args = parse_args(argv)
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    X, names, folds, source = load_clips(args.data, args.per_class)
    first = [int(np.flatnonzero(names == c)[0]) for c in dict.fromkeys(names)][:4]
    S, mel = draw_logmel(X, names, first, out)
    i = next((j for j, k in enumerate(first) if names[k] == "crying_baby"), 0)
    draw_pooled(S[i], names[first[i]], mel, out)

    # a tiny SE-CNN trained on folds 1-4, interpreted on fold 5
    train, test = folds != 5, np.flatnonzero(folds == 5)
    clf = tiny_secnn(random_state=0, n_jobs=1).set_params(max_epochs=args.epochs)
    pipe = Pipeline(
        [("mel", MelSpectrogram(sr=SR, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS)), ("clf", clf)]
    ).fit(X[train], names[train])
    accuracy = np.mean(pipe.predict(X[test]) == names[test])
    print(f"tiny SE-CNN: {train.sum()} training clips, fold-5 accuracy {accuracy:.2f}")
    shown = test[[int(np.flatnonzero(names[test] == c)[0]) for c in dict.fromkeys(names[test])][:3]]
    n_channels, r2 = draw_reconstruction(pipe, X[test], X[shown[0]], names[shown[0]], out)
    print(f"NMF of {NMF_LAYER}: {n_channels} channels, R2 on fold 5 {r2:.2f}")
    peaks = draw_gradcam(pipe, X[shown], names[shown], out)

    numbers = {
        "source": source,
        "epochs": str(args.epochs),
        "n_train": str(int(train.sum())),
        "n_test": str(len(test)),
        "accuracy": f"{accuracy:.2f}",
        "nmf_channels": str(n_channels),
        "nmf_r2": f"{100 * r2:.0f} %",
        "nmf_clip": names[shown[0]].replace("_", " "),
        "gradcam": "; ".join(
            f"{name.replace('_', ' ')} (predicted {pred.replace('_', ' ')}): {t:.1f} s, {f:.0f} Hz"
            for name, pred, t, f in peaks
        ),
    }
    assert tuple(numbers) == NUMBERS
    (out / "numbers.inc").write_text(numbers_rst(numbers))
    for f in sorted(out.glob("*")):
        print(f"{f}: {f.stat().st_size / 1024:.0f} KB")
    return numbers


if __name__ == "__main__":
    main()
    sys.exit(0)
