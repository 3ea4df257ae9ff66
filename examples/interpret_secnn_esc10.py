"""
What do SE-CNN's hidden layers hear? NMF patterns and Grad-CAM on ESC-10
=========================================================================

1. Train the SE-CNN classifier (``MelSpectrogram -> SECNNClassifier``, CPU-sized
   defaults) on ESC-10 folds 1-4 (320 clips) and test it on fold 5 (80 clips).
2. Interpret two hidden layers -- the output of the second convolution block
   (``features.14``, after its squeeze-and-excitation, 32 channels) and of the last one
   (``features.38``, 256 channels) -- with :class:`skaudio.interpret.NMFInterpreter` and
   each of its three bases, on the 80 held-out clips: ``V`` is each clip's mel
   spectrogram (from the pipeline's own mel step), ``H`` the layer's activations, and
   ``W`` (mel bands x channels) is learned with ``H`` fixed. ``V`` is taken twice: as
   mel power (classic NMF) and as the log-mel the network sees, mapped to [0, 1]
   (``db_range=80``). The explained variance (R²) is printed on those clips and on 80
   training clips the basis has not seen.
3. Rank the patterns each class relies on, and draw Grad-CAM maps of the
   misclassified test clips.

The clips are the 400 of ESC-10 (Piczak 2015, CC BY), read at 22.05 kHz from
``DIR/esc10``, where ``--data DIR`` names the shared data folder (default
``$SKAUDIO_SHARED_DATA``, else ``../shared/data`` beside the repository: the
convention of every example). Training takes several
minutes on a laptop CPU; ``--model PATH`` keeps the fitted pipeline (joblib) so that a
second run only redoes the interpretation.

Run: ``python examples/interpret_secnn_esc10.py [--data DIR] [--threads N] [--model PATH] [--figures DIR]``
(``--clips-per-fold 4 --epochs 1`` is a quick check that the script runs.)
"""

import argparse
import sys
import time
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
from _shared_data import add_data_argument, data_folder, esc10_folder
from sklearn.pipeline import Pipeline

from skaudio.datasets import load_esc50
from skaudio.features import MelSpectrogram
from skaudio.interpret import NMFInterpreter, grad_cam
from skaudio.models import SECNNClassifier
from skaudio.plotting import (
    plot_discriminative_components,
    plot_gradcam,
    plot_reconstruction,
    plot_spectral_patterns,
)

SR = 22050
LAYERS = {"features.14": "block 2 (SE output)", "features.38": "block 5 (SE output)"}
BASES = ["softplus", "mel_constrained", "mel_basis"]
SCALES = {"power": {}, "dB": {"db_range": 80.0}}  # how V is taken
CAM_LAYERS = ["features.28", "features.36"]  # last ReLU of blocks 4 and 5


def train(esc, names, train_idx, n_jobs, model_path, max_epochs=None):
    if model_path is not None and Path(model_path).is_file():
        print(f"loading the fitted pipeline from {model_path}")
        return joblib.load(model_path)
    epochs = {} if max_epochs is None else {"max_epochs": max_epochs, "early_stopping": False}
    pipe = Pipeline(
        [
            ("mel", MelSpectrogram(sr=SR, n_fft=1024, hop_length=512, n_mels=64)),
            ("clf", SECNNClassifier(random_state=0, n_jobs=n_jobs, **epochs)),
        ]
    )
    start = time.perf_counter()
    pipe.fit(esc.data[train_idx], names[train_idx])
    print(
        f"SE-CNN trained on {len(train_idx)} clips in {time.perf_counter() - start:.0f} s "
        f"({len(pipe[-1].history_)} epochs)"
    )
    if model_path is not None:
        joblib.dump(pipe, model_path)
    return pipe


def sorted_by_centroid(W):
    """Component order by spectral centroid (low to high), for readable pictures."""
    rows = np.arange(W.shape[0])[:, None]
    return np.argsort((rows * W).sum(0) / np.maximum(W.sum(0), 1e-12), kind="stable")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_data_argument(parser)
    parser.add_argument("--threads", type=int, default=1, help="torch and BLAS threads")
    parser.add_argument("--model", default=None, help="joblib file for the fitted pipeline")
    parser.add_argument("--figures", default=None, help="folder for the PNG figures")
    parser.add_argument(
        "--clips-per-fold",
        type=int,
        default=None,
        help="a random subset of each fold (a quick check of the script)",
    )
    parser.add_argument(
        "--epochs",
        type=int,
        default=None,
        help="train exactly this many epochs, no early stopping (default: the estimator's)",
    )
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    folder = esc10_folder(data_folder(args.data))
    if folder is None:
        return None
    esc = load_esc50(folder, subset="esc10", sr=SR)
    label = dict(zip(np.unique(esc.target), esc.target_names))
    names = np.array([label[t] for t in esc.target])
    keep = np.arange(len(names))
    if args.clips_per_fold is not None:
        rng = np.random.default_rng(0)
        keep = np.sort(
            np.concatenate(
                [
                    rng.choice(np.flatnonzero(esc.fold == f), args.clips_per_fold, replace=False)
                    for f in range(1, 6)
                ]
            )
        )
    train_idx = keep[esc.fold[keep] != 5]
    test_idx = keep[esc.fold[keep] == 5]
    pipe = train(esc, names, train_idx, args.threads, args.model, args.epochs)
    X_test, y_test = esc.data[test_idx], names[test_idx]
    pred = pipe.predict(X_test)
    print(f"fold-5 accuracy: {np.mean(pred == y_test):.3f} ({np.sum(pred != y_test)} of {len(y_test)} wrong)")
    n_other = min(80, len(train_idx))
    X_other = esc.data[train_idx[np.random.default_rng(0).choice(len(train_idx), n_other, replace=False)]]

    rows, fits = [], {}
    for scale, v_kwargs in SCALES.items():
        for layer in LAYERS:
            for basis in BASES:
                nmf = NMFInterpreter(
                    pipe, layer, basis=basis, max_iter=1000, random_state=0, n_jobs=args.threads, **v_kwargs
                )
                start = time.perf_counter()
                nmf.fit(X_test)
                seconds = time.perf_counter() - start
                fits[scale, layer, basis] = nmf
                rows.append(
                    {
                        "V": scale,
                        "layer": layer,
                        "basis": basis,
                        "channels": nmf.n_components_,
                        "used": int(np.sum(nmf.contributions_ > 1e-3)),
                        "solver": nmf.solver_,
                        "iterations": nmf.n_iter_,
                        "R2 fold 5": nmf.score(X_test),
                        "R2 other clips": nmf.score(X_other),
                        "fit s": seconds,
                    }
                )
                print(
                    pd.DataFrame(rows[-1:]).to_string(
                        index=False, header=len(rows) == 1, float_format=lambda v: f"{v:.3f}"
                    ),
                    flush=True,
                )
    table = pd.DataFrame(rows)
    print()
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))

    late = fits["dB", "features.38", "softplus"]
    disc = late.discriminative_components(X_test, y_test, n_top=3)
    print("\nthe three patterns each class relies on most (features.38, free basis, dB V):")
    for c, sub in disc.groupby("class"):
        peaks = [late.frequencies_[np.argmax(late.components_[:, k])] for k in sub["component"]]
        print(
            f"  {c:16s} "
            + "  ".join(
                f"#{k} ({s:+.2f}, peak {f:.0f} Hz)" for k, s, f in zip(sub["component"], sub["score"], peaks)
            )
        )

    wrong = np.flatnonzero(pred != y_test)
    cams = {}
    if wrong.size:
        cams = {layer: grad_cam(pipe, X_test[wrong], layer, n_jobs=args.threads) for layer in CAM_LAYERS}
        proba = pipe.predict_proba(X_test[wrong]).max(axis=1)
        freqs = pipe[0].frequencies_
        print("\nmisclassified fold-5 clips; Grad-CAM centre of mass (frequency, time) per layer:")
        for j, k in enumerate(wrong):
            where = []
            for layer, cam in cams.items():
                m = cam[j] / max(cam[j].sum(), 1e-12)
                band = float((m.sum(1) * np.arange(m.shape[0])).sum())
                frame = float((m.sum(0) * np.arange(m.shape[1])).sum())
                where.append(
                    f"{layer}: {np.interp(band, np.arange(len(freqs)), freqs):5.0f} Hz, "
                    f"{frame * 512 / SR:.1f} s"
                )
            print(f"  {y_test[k]:>14s} -> {pred[k]:<14s} (p={proba[j]:.2f})  " + "; ".join(where))

    if args.figures:
        save_figures(Path(args.figures), fits, pipe, X_test, y_test, pred, wrong, disc, cams)
    return table


def used_components(nmf, n=32):
    """Up to ``n`` components carrying most of the reconstruction (at least 0.1 % each),
    ordered by spectral centroid."""
    top = np.argsort(-nmf.contributions_, kind="stable")[:n]
    top = top[nmf.contributions_[top] > 1e-3]
    return top[sorted_by_centroid(nmf.components_[:, top])]


def save_figures(out, fits, pipe, X_test, y_test, pred, wrong, disc, cams):
    from matplotlib.figure import Figure

    out.mkdir(parents=True, exist_ok=True)
    # 1. spectral patterns (dB V): the components carrying most of each reconstruction
    fig = Figure(figsize=(10, 5.5), layout="constrained")
    axes = fig.subplots(len(LAYERS), len(BASES))
    for i, layer in enumerate(LAYERS):
        for j, basis in enumerate(BASES):
            nmf = fits["dB", layer, basis]
            plot_spectral_patterns(
                nmf, components=used_components(nmf), ax=axes[i, j], title=f"{layer}, {basis}"
            )
    fig.savefig(out / "patterns.png", dpi=80)
    # 2. a held-out clip and its reconstructions from both layers (dB V)
    clip = 0
    fig = Figure(figsize=(13, 5.5), layout="constrained")
    axes = fig.subplots(len(LAYERS), 1 + len(BASES), sharey=True)
    for i, layer in enumerate(LAYERS):
        some = fits["dB", layer, BASES[0]]
        V = some.get_spectrogram(X_test[clip : clip + 1])[0]
        recon = {
            f"{layer}, {b}": fits["dB", layer, b].inverse_transform(
                fits["dB", layer, b].transform(X_test[clip : clip + 1])
            )[0]
            for b in BASES
        }
        plot_reconstruction(
            V,
            recon,
            frequencies=some.frequencies_,
            db=False,
            axes=axes[i],
            titles=[f"V ({y_test[clip]})", *recon],
            sr=SR,
            hop_length=512,
        )
    fig.savefig(out / "reconstructions.png", dpi=80)
    # 3. discriminative patterns of four classes
    classes = sorted(set(y_test))[:4]
    fig = plot_discriminative_components(
        disc, fits["dB", "features.38", "softplus"], n_top=3, classes=classes
    )
    fig.savefig(out / "discriminative.png", dpi=80)
    # 4. Grad-CAM of the misclassified clips
    if wrong.size:
        shown = wrong[:4]
        log_mel = pipe[:-1].transform(X_test[shown])
        freqs = pipe[0].frequencies_
        fig = Figure(figsize=(3.2 * len(shown), 5.0), layout="constrained")
        axes = fig.subplots(len(CAM_LAYERS), len(shown), squeeze=False)
        for i, layer in enumerate(CAM_LAYERS):
            for j, k in enumerate(shown):
                plot_gradcam(
                    log_mel[j],
                    cams[layer][j],
                    ax=axes[i, j],
                    frequencies=freqs,
                    title=f"{layer}\n{y_test[k]} -> {pred[k]}",
                    sr=SR,
                    hop_length=512,
                )
        fig.savefig(out / "gradcam_misclassified.png", dpi=80)
    print(f"figures written to {out}")


if __name__ == "__main__":
    main()
    sys.exit(0)
