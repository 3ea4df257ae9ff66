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


def load_clips(data):
    """Waveforms, class names and folds: four ESC-10 classes, or synthetic events."""
    folder = data_folder(data) / "esc10"
    if (folder / "meta" / "esc50.csv").is_file():
        esc = load_esc50(folder, subset="esc10", sr=SR)
        label = dict(zip(np.unique(esc.target), esc.target_names))
        names = np.array([label[t] for t in esc.target])
        keep = np.isin(names, CLASSES)
        print(f"ESC-10 from {folder}: {keep.sum()} clips of {CLASSES}")
        return esc.data[keep], names[keep], esc.fold[keep]
    print(f"ESC-10 not found under {folder}; using synthetic sound events")
    X, y = make_sound_events(160, 4, sr=SR, duration=5.0, random_state=0)
    names = np.array([f"event {k}" for k in y])
    return X, names, 1 + np.arange(len(y)) % 5


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.strip().split("\n")[0])
    add_data_argument(parser)
    parser.add_argument(
        "--out", type=Path, default=Path("figures"), help="folder for the PNG files (default ./figures)"
    )
    parser.add_argument("--epochs", type=int, default=12, help="epochs of the tiny SE-CNN (default 12)")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    X, names, folds = load_clips(args.data)
    mel = MelSpectrogram(sr=SR, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS, to_db=True, ref="max")
    first = [int(np.flatnonzero(names == c)[0]) for c in dict.fromkeys(names)][:4]
    S = mel.fit_transform(X[first])
    freqs = mel.frequencies_
    axes_kw = dict(sr=SR, hop_length=HOP, frequencies=freqs)

    # 1. log-mel spectrograms
    fig = Figure(figsize=(10, 5.2), layout="constrained")
    for ax, k, S_k in zip(fig.subplots(2, 2, sharex=True, sharey=True).ravel(), first, S):
        plot_spectrogram(S_k, ax=ax, title=names[k], label="dB re max", vmin=-80.0, vmax=0.0, **axes_kw)
    fig.savefig(out / "logmel.png", dpi=DPI)

    # 2. pooled versions of one clip (harmonics show what each method keeps), first 2.5 s
    i = next((j for j, k in enumerate(first) if names[k] == "crying_baby"), 0)
    pooled = {
        f"{method} {k}x{k}": PoolingTransformer(method, kernel_size=(k, k)).fit_transform(S[i : i + 1])[0]
        for method, k in [("average", 2), ("max", 2), ("max", 4)]
    }
    axes = plot_pooled_spectrograms(S[i], pooled, label="dB re max", **axes_kw)
    axes[0].set_xlim(0.0, 2.5)  # shared x axis: every panel shows the same 2.5 s
    axes[0].figure.set_size_inches(13, 3.2)
    axes[0].figure.suptitle(f"{names[first[i]]}: log-mel and pooled maps (first 2.5 s)")
    axes[0].figure.savefig(out / "pooled.png", dpi=DPI)

    # 3-4. a tiny SE-CNN trained on folds 1-4, interpreted on fold 5
    train, test = folds != 5, np.flatnonzero(folds == 5)
    clf = tiny_secnn(random_state=0, n_jobs=1).set_params(max_epochs=args.epochs)
    pipe = Pipeline(
        [("mel", MelSpectrogram(sr=SR, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS)), ("clf", clf)]
    ).fit(X[train], names[train])
    pred = pipe.predict(X[test])
    print(f"tiny SE-CNN: {train.sum()} training clips, fold-5 accuracy {np.mean(pred == names[test]):.2f}")
    shown = test[[int(np.flatnonzero(names[test] == c)[0]) for c in dict.fromkeys(names[test])][:3]]

    nmf = NMFInterpreter(pipe, NMF_LAYER, db_range=80.0, max_iter=500, random_state=0).fit(X[test])
    V = nmf.get_spectrogram(X[shown[:1]])[0]
    V_hat = nmf.inverse_transform(nmf.transform(X[shown[:1]]))[0]
    print(f"NMF of {NMF_LAYER}: {nmf.n_components_} channels, R2 on fold 5 {nmf.score(X[test]):.2f}")
    fig = Figure(figsize=(10, 3.2), layout="constrained")
    plot_reconstruction(
        V,
        {f"W H from {NMF_LAYER}": V_hat},
        db=False,
        axes=fig.subplots(1, 2, sharey=True),
        titles=[f"V: {names[shown[0]]} (log-mel, 80 dB -> [0, 1])", f"W H from {NMF_LAYER}"],
        frequencies=nmf.frequencies_,
        sr=SR,
        hop_length=HOP,
    )
    fig.savefig(out / "interpret_reconstruction.png", dpi=DPI)

    cams = grad_cam(pipe, X[shown], CAM_LAYER)  # for the predicted class of each clip
    log_mel = pipe[:-1].transform(X[shown])
    predicted = pipe.predict(X[shown])
    fig = Figure(figsize=(12, 3.2), layout="constrained")
    for ax, j in zip(fig.subplots(1, len(shown), sharey=True), range(len(shown))):
        plot_gradcam(
            log_mel[j], cams[j], ax=ax, title=f"{names[shown[j]]} (predicted: {predicted[j]})", **axes_kw
        )
    fig.savefig(out / "interpret_gradcam.png", dpi=DPI)
    for f in sorted(out.glob("*.png")):
        print(f"{f}: {f.stat().st_size / 1024:.0f} KB")


if __name__ == "__main__":
    main()
    sys.exit(0)
