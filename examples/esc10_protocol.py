"""The ESC-50 evaluation protocol on ESC-10, from audio files to per-fold accuracy.

ESC-50 (and its ESC-10 subset) ships five predefined folds; results are reported as
the mean accuracy of five runs, each testing on one fold and training on the other
four. With the folds as ``groups``, scikit-learn's ``LeaveOneGroupOut`` is exactly that
protocol.

Run::

    python examples/esc10_protocol.py [--data DIR] [--sr 22050]

Data follow the convention of every example: ``--data DIR`` names the shared
data folder (holding ``esc10/``); without it, ``$SKAUDIO_SHARED_DATA``, else
``../shared/data`` beside the repository.

Data: ESC-10 (Piczak 2015, CC BY), in the official layout (``meta/esc50.csv`` and
``audio/``). Published references on ESC-10, 5-fold: human listeners 95.7 %.
"""

import argparse
import sys
import time

import numpy as np
from _shared_data import add_data_argument, data_folder, esc10_folder
from sklearn.model_selection import LeaveOneGroupOut, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from sklearn.svm import SVC

from skaudio.datasets import load_esc50
from skaudio.features import MelSpectrogram


def band_statistics(S):
    """Mean and standard deviation of every mel band over time."""
    return np.concatenate([S.mean(axis=-1), S.std(axis=-1)], axis=1)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_data_argument(parser)
    parser.add_argument("--sr", type=int, default=22050)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    folder = esc10_folder(data_folder(args.data))
    if folder is None:
        return 1

    t0 = time.perf_counter()
    esc = load_esc50(folder, subset="esc10", sr=args.sr)
    print(
        f"loaded {len(esc.target)} clips, {len(esc.target_names)} classes in {time.perf_counter() - t0:.1f} s"
    )

    pipe = make_pipeline(
        MelSpectrogram(sr=args.sr, n_fft=2048, hop_length=512, n_mels=128),
        FunctionTransformer(band_statistics),
        StandardScaler(),
        SVC(C=10.0),
    )
    t0 = time.perf_counter()
    res = cross_validate(pipe, esc.data, esc.target, groups=esc.fold, cv=LeaveOneGroupOut())
    for fold, acc in enumerate(res["test_score"], start=1):
        print(f"fold {fold}: accuracy {acc:.3f}")
    print(
        f"mean accuracy {res['test_score'].mean():.3f} +- {res['test_score'].std():.3f} "
        f"({time.perf_counter() - t0:.1f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
