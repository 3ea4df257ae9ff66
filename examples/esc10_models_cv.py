"""
Torch classifiers as scikit-learn estimators: 5-fold cross-validation on ESC-10
===============================================================================

Every network of ``skaudio.models`` is an ordinary scikit-learn classifier, so the
ESC-50 protocol (each of the five predefined folds held out once) is one call to
``cross_validate`` with ``LeaveOneGroupOut`` over the folds, and the front end sits
in the same ``Pipeline``::

    MelSpectrogram(dB)            -> SECNNClassifier        (SE-CNN, Dwivedi 2024)
    Spectrogram(power, 257 bins)  -> DEGramNetClassifier    (Foggia et al. 2023)
    waveform                      -> DualBranchClassifier   (Sun et al. 2025)
    MelSpectrogram(dB) -> statistics over time (mean, std, max, min; mean and std
                          of the frame-to-frame differences) -> SVC        (classic baseline)

The clips are the 400 of ESC-10 (Piczak 2015, CC BY) from ``DIR/esc10``, read at
22.05 kHz. The networks use
their CPU-sized defaults. The script prints the accuracy of every fold, the mean,
and the training time; published references for ESC-10 under this protocol:
human listeners 95.7 % (Piczak 2015), WaveMsNet 93.75 % (Zhu et al. 2018).

Run: ``python examples/esc10_models_cv.py [secnn,degram,dual,baseline] [n_threads] [--data DIR] [--out CSV]``

Data follow the convention of every example: ``--data DIR`` names the shared
data folder (holding ``esc10/``); without it, ``$SKAUDIO_SHARED_DATA``, else
``../shared/data`` beside the repository.
``--out CSV`` writes the table; nothing is written without it.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from _shared_data import add_data_argument, data_folder, esc10_folder
from sklearn.model_selection import LeaveOneGroupOut, cross_validate
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from sklearn.svm import SVC

from skaudio.datasets import load_esc50
from skaudio.features import MelSpectrogram, Spectrogram
from skaudio.models import DEGramNetClassifier, DualBranchClassifier, SECNNClassifier

SR = 22050


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.strip().split("\n")[0])
    parser.add_argument(
        "models",
        nargs="?",
        default="baseline,secnn,degram,dual",
        help="comma-separated pipelines: baseline, secnn, degram, dual",
    )
    parser.add_argument("threads", nargs="?", type=int, default=None, help="torch threads")
    add_data_argument(parser)
    parser.add_argument("--out", type=Path, default=None, help="CSV file for the table")
    return parser.parse_args(argv)


def logmel_statistics(S):
    """Classic clip features: per-band mean, std, max and min over time, and the mean and
    std of the frame-to-frame differences (the log-mel "statistics" baseline)."""
    D = np.diff(S, axis=-1)
    return np.concatenate([S.mean(-1), S.std(-1), S.max(-1), S.min(-1), D.mean(-1), D.std(-1)], axis=1)


def pipelines(seed=0):
    """The four pipelines compared (CPU-sized network defaults)."""
    mel = dict(sr=SR, n_fft=1024, hop_length=512, n_mels=64)
    return {
        "baseline": Pipeline(
            [
                ("mel", MelSpectrogram(**mel)),
                ("stats", FunctionTransformer(logmel_statistics)),
                ("scale", StandardScaler()),
                ("svc", SVC(C=10.0)),
            ]
        ),
        "secnn": Pipeline(
            [
                ("mel", MelSpectrogram(**mel)),
                ("clf", SECNNClassifier(random_state=seed)),
            ]
        ),
        "degram": Pipeline(
            [
                ("spec", Spectrogram(n_fft=512, hop_length=256)),
                ("clf", DEGramNetClassifier(module__sr=SR, random_state=seed)),
            ]
        ),
        "dual": Pipeline(
            [
                ("clf", DualBranchClassifier(module__sr=SR, random_state=seed)),
            ]
        ),
    }


def main(argv=None):
    args = parse_args(argv)
    names = args.models.split(",")
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    folder = esc10_folder(data_folder(args.data))
    if folder is None:
        return 1
    esc = load_esc50(folder, subset="esc10", sr=SR)
    print(
        f"{len(esc.target)} clips, {len(np.unique(esc.target))} classes, "
        f"folds {sorted(set(esc.fold))}, torch threads {torch.get_num_threads()}",
        flush=True,
    )
    rows = []
    for name in names:
        start = time.perf_counter()
        res = cross_validate(
            pipelines()[name],
            esc.data,
            esc.target,
            groups=esc.fold,
            cv=LeaveOneGroupOut(),
            scoring="accuracy",
            n_jobs=1,
        )
        total = time.perf_counter() - start
        rows.append(
            {
                "pipeline": name,
                **{f"fold {i + 1}": a for i, a in enumerate(res["test_score"])},
                "mean": res["test_score"].mean(),
                "std": res["test_score"].std(),
                "fit s (all folds)": res["fit_time"].sum(),
                "total s": total,
            }
        )
        print(pd.DataFrame(rows[-1:]).to_string(index=False, float_format=lambda v: f"{v:.3f}"), flush=True)
    table = pd.DataFrame(rows)
    print()
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    if args.out is not None:
        table.to_csv(args.out, index=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
