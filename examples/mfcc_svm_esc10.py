"""MFCC + SVM on ESC-10, beside the log-mel statistics baseline.

The first baseline most audio users build: each clip becomes the mean and the
standard deviation over time of its MFCCs (with their deltas and delta-deltas,
and optionally the classic spectral descriptors), and a standardised RBF
support-vector machine classifies them. Beside it, the log-mel statistics
baseline of ``examples/esc10_protocol.py``: the mean and standard deviation of
each of 128 mel bands. Every pipeline is scored with the ESC-50 protocol, five
folds over the predefined folds (``LeaveOneGroupOut``).

The descriptors are computed once, before the cross-validation: the
transformers learn nothing from the data, so this gives what putting them
first in every pipeline would give, five times faster.

Run::

    python examples/mfcc_svm_esc10.py [--data DIR] [--sr 22050] [--per-fold N]

``--per-fold N`` keeps the first N clips of each fold (a quick run; the test
suite uses it). Data follow the convention of every example: ``--data DIR``
names the shared data folder (holding ``esc10/``); without it,
``$SKAUDIO_SHARED_DATA``, else ``../shared/data`` beside the repository.

Data: ESC-10 (Piczak 2015, CC BY), in the official layout (``meta/esc50.csv``
and ``audio/``). Published references on ESC-10, 5-fold: human listeners 95.7 %.
"""

import argparse
import sys
import time

import numpy as np
import pandas as pd
from _shared_data import add_data_argument, data_folder, esc10_folder
from sklearn.model_selection import LeaveOneGroupOut, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from skaudio.datasets import load_esc50
from skaudio.features import MFCC, Deltas, MelSpectrogram, SpectralDescriptors

STATS = ("mean", "std")


def features(X, sr):
    """The feature tables of every pipeline, ``name -> (n_clips, n_features)``."""
    logmel = MelSpectrogram(sr=sr, n_fft=2048, hop_length=512, n_mels=128).fit_transform(X)
    mel_stats = np.concatenate([logmel.mean(axis=2), logmel.std(axis=2)], axis=1)
    mfcc = MFCC(sr=sr, n_mfcc=20).fit_transform(X)  # (n_clips, 20, n_frames)
    mfcc_stats = MFCC(sr=sr, n_mfcc=20, stats=STATS).fit_transform(X)
    with_deltas = Deltas(order=2, stack=True, stats=STATS).fit_transform(mfcc)
    spectral = SpectralDescriptors(sr=sr, stats=STATS).fit_transform(X)
    return {
        "log-mel statistics (128 bands x mean, std)": mel_stats,
        "MFCC statistics (20 x mean, std)": mfcc_stats,
        "MFCC + deltas + delta-deltas (60 x mean, std)": with_deltas,
        "MFCC + deltas + spectral descriptors": np.concatenate([with_deltas, spectral], axis=1),
    }


def classifier():
    return make_pipeline(StandardScaler(), SVC(C=10.0, gamma="scale"))


def main(argv=None):
    args = parse_args(argv)
    folder = esc10_folder(data_folder(args.data))
    if folder is None:
        return 1
    t0 = time.perf_counter()
    esc = load_esc50(folder, subset="esc10", sr=args.sr)
    X, y, folds = esc.data, esc.target, esc.fold
    if args.per_fold:
        keep = np.concatenate([np.flatnonzero(folds == f)[: args.per_fold] for f in np.unique(folds)])
        X, y, folds = X[keep], y[keep], folds[keep]
    n_classes = len(np.unique(y))
    print(f"{len(X)} clips at {args.sr} Hz, {n_classes} classes, loaded in {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    tables = features(X, args.sr)
    print(f"features in {time.perf_counter() - t0:.1f} s")
    rows = []
    for name, F in tables.items():
        acc = cross_val_score(classifier(), F, y, groups=folds, cv=LeaveOneGroupOut())
        rows.append({"features": name, "columns": F.shape[1], "accuracy": acc.mean(), "std": acc.std()})
        folds_txt = " ".join(f"{a:.3f}" for a in acc)
        print(f"{name:48s} {acc.mean():.3f} +- {acc.std():.3f}  (folds: {folds_txt})", flush=True)
    table = pd.DataFrame(rows)
    print()
    print(table.round(3).to_string(index=False))
    return table


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_data_argument(parser)
    parser.add_argument("--sr", type=int, default=22050)
    parser.add_argument("--per-fold", type=int, default=None, help="keep the first N clips of each fold")
    return parser.parse_args(argv)


if __name__ == "__main__":
    result = main()
    sys.exit(result if isinstance(result, int) else 0)
