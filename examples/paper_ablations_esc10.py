"""
The papers' ablations as parameters: DEGramNet front ends and dual-branch modules on ESC-10
===========================================================================================

Every row of the ablation tables of Foggia et al. 2023 ([DEG] Tables 6-7: Spectrogram,
SincGram, DESpectrogram, DEGram) and Sun et al. 2025 ([E2E] Tables 6-7: branches,
MACEM-A/B, GARM, fusion) is a choice of ``module__`` parameters of the skaudio
classifiers. This script runs them, CPU-sized, under the ESC-50 protocol on the 400
clips of ESC-10 (Piczak 2015, CC BY) at 22.05 kHz: each predefined fold held out once,
the classifier's default CPU recipe, ``random_state=0``, one torch thread. The papers
ran on VGGSound / VoxCeleb1 and UrbanSound8K; these are the same configurations on the
data the project has, not a reproduction of their numbers.

Studies and their configurations (``--study``):

* ``degram``: ``DEGramNetClassifier(module__frontend=F)`` for F in spectrogram,
  sincgram, despectrogram, degram, on the CPU-sized ECA backbone, over power
  spectrograms ``Spectrogram(n_fft=512, hop_length=256)``.
* ``dual``: ``DualBranchClassifier`` with the default (GARM, GAM fusion), without GARM
  (``module__garm=False``), and with sum and concat fusion (``module__fusion=...``),
  over the waveforms.

Each finished (configuration, fold) prints one line and, with ``--out CSV``, appends it
to the file at once (so a long run keeps what it finished): accuracy, and the
CPU-seconds and wall seconds of fitting and scoring that fold.

Run: ``python examples/paper_ablations_esc10.py --study degram [--configs a,b] [--folds 1,2]
[--threads 1] [--data DIR] [--out CSV]``; ``--summarize A.csv B.csv ... [--out CSV]``
gathers the rows of earlier runs instead (the per-fold table sorted, and one line per
configuration: folds, mean and standard deviation of the accuracy, CPU-minutes).

Data follow the convention of every example: ``--data DIR`` names the shared data
folder (holding ``esc10/``); without it, ``$SKAUDIO_SHARED_DATA``, else ``../shared/data``
beside the repository.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from _shared_data import add_data_argument, data_folder, esc10_folder

from skaudio.datasets import load_esc50
from skaudio.features import Spectrogram
from skaudio.models import DEGramNetClassifier, DualBranchClassifier

SR = 22050

#: study -> configuration name -> estimator parameters
STUDIES = {
    "degram": {
        name: {"module__frontend": name} for name in ("spectrogram", "sincgram", "despectrogram", "degram")
    },
    "dual": {
        "gam": {},
        "no_garm": {"module__garm": False},
        "sum": {"module__fusion": "sum"},
        "concat": {"module__fusion": "concat"},
    },
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.strip().split("\n")[0])
    parser.add_argument("--study", choices=sorted(STUDIES), default="degram")
    parser.add_argument("--configs", default=None, help="comma-separated configurations (default: all)")
    parser.add_argument("--folds", default="1,2,3,4,5", help="comma-separated test folds")
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    parser.add_argument("--seed", type=int, default=0)
    add_data_argument(parser)
    parser.add_argument("--out", type=Path, default=None, help="CSV file the rows are appended to")
    parser.add_argument(
        "--summarize", type=Path, nargs="+", default=None, help="summarize these result files instead"
    )
    return parser.parse_args(argv)


def summarize(rows):
    """One line per (study, configuration): folds run, accuracy mean / std / per fold, CPU-minutes.

    The standard error of one fold's accuracy (80 clips of ESC-10) is
    ``sqrt(p (1 - p) / 80)``, about 4.5 points at p = 0.8: differences of means below it
    are reported as no difference measured.
    """
    order = {(study, name): i for study, configs in STUDIES.items() for i, name in enumerate(configs)}
    rows = rows.assign(_order=[order.get(k, len(order)) for k in zip(rows["study"], rows["config"])])
    rows = rows.sort_values(["study", "_order", "fold"])  # the papers' order of the rows
    out = rows.groupby(["study", "config"], sort=False).agg(
        folds=("fold", lambda f: " ".join(str(v) for v in f)),
        accuracy_pct=("accuracy", lambda a: round(100 * a.mean(), 2)),
        std_over_folds_pct=("accuracy", lambda a: round(100 * a.std(ddof=0), 2)),
        per_fold_pct=("accuracy", lambda a: " / ".join(f"{100 * v:.1f}" for v in a)),
        cpu_min=("cpu_s", lambda c: round(c.sum() / 60, 1)),
        cpu_s_per_fold=("cpu_s", lambda c: round(c.mean())),
    )
    return out.reset_index()


def estimator(study, params, seed=0):
    """The classifier of one configuration (its input is computed once, outside)."""
    if study == "degram":
        return DEGramNetClassifier(module__sr=SR, random_state=seed, n_jobs=1, **params)
    return DualBranchClassifier(module__sr=SR, random_state=seed, n_jobs=1, **params)


def features(study, waveforms):
    """The classifier's input: power spectrograms (257 bins) or the waveforms themselves."""
    if study == "degram":
        return Spectrogram(n_fft=512, hop_length=256).fit_transform(waveforms)
    return waveforms


def main(argv=None):
    args = parse_args(argv)
    if args.summarize is not None:
        table = summarize(pd.concat([pd.read_csv(f) for f in args.summarize], ignore_index=True))
        with pd.option_context("display.width", 200):
            print(table.to_string(index=False))
        if args.out is not None:
            table.to_csv(args.out, index=False)
        return 0
    torch.set_num_threads(args.threads)
    configs = STUDIES[args.study]
    names = list(configs) if args.configs is None else args.configs.split(",")
    unknown = sorted(set(names) - set(configs))
    if unknown:
        print(f"unknown configurations {unknown}; {args.study} has {list(configs)}", file=sys.stderr)
        return 2
    folder = esc10_folder(data_folder(args.data))
    if folder is None:
        return 1
    esc = load_esc50(folder, subset="esc10", sr=SR)
    X = features(args.study, esc.data)
    y, folds = np.asarray(esc.target), np.asarray(esc.fold)
    print(f"{args.study}: X {X.shape}, torch threads {torch.get_num_threads()}, seed {args.seed}", flush=True)
    rows = []
    for fold in (int(f) for f in args.folds.split(",")):  # every configuration on a fold, then the next
        for name in names:
            train, test = folds != fold, folds == fold
            cpu, wall = time.process_time(), time.perf_counter()
            clf = estimator(args.study, configs[name], args.seed).fit(X[train], y[train])
            acc = float((clf.predict(X[test]) == y[test]).mean())
            row = {
                "study": args.study,
                "config": name,
                "fold": fold,
                "seed": args.seed,
                "accuracy": acc,
                "cpu_s": time.process_time() - cpu,
                "wall_s": time.perf_counter() - wall,
                "n_params": sum(p.numel() for p in clf.module_.parameters()),
            }
            rows.append(row)
            print(pd.DataFrame([row]).to_string(index=False, header=len(rows) == 1), flush=True)
            if args.out is not None:
                pd.DataFrame([row]).to_csv(args.out, mode="a", header=not args.out.exists(), index=False)
    table = pd.DataFrame(rows)
    print()
    print(table.groupby("config", sort=False)[["accuracy", "cpu_s"]].agg(["mean", "sum"]).round(3))
    return 0


if __name__ == "__main__":
    sys.exit(main())
