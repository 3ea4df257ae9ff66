"""
Which of the twelve pooling methods makes the best clip features? (ESC-10)
=========================================================================

A log-mel spectrogram has one column per frame; a classic classifier needs
one fixed-length vector per clip. Pooling each mel band over the whole clip
(``PoolingTransformer(axis="time")``) gives 128 features, and the pooling
method decides what they describe: the typical level (``average``), the
loudest moment (``max``), something in between (``lse``, ``auto``,
``mixed``, ``lnp``), or an emphasis chosen by the content (``attention``,
``entropy``).

The pipeline pools *power* values, because ``lsp``, ``power`` and
``entropy`` are defined only for non-negative input, and converts the
pooled features to dB afterwards (``PowerToDb``), so all twelve methods see
the same data::

    MelSpectrogram(to_db=False) -> PoolingTransformer(axis="time")
        -> PowerToDb -> StandardScaler -> LogisticRegression

``GridSearchCV`` tunes ``method`` with the ESC-50 protocol: the five
predefined folds, each held out once (``LeaveOneGroupOut`` over ``fold``).
The data are the 400 clips of ESC-10 (Piczak 2015, CC BY) from ``DIR/esc10``.
Data follow the convention of every example: ``--data DIR`` names the shared
data folder (holding ``esc10/``); without it, ``$SKAUDIO_SHARED_DATA``, else
``../shared/data`` beside the repository.

Run: ``python examples/pooling_gridsearch_esc10.py [--data DIR]``
"""

import argparse
import sys
import tempfile
import time

import numpy as np
import pandas as pd
from _shared_data import add_data_argument, data_folder, esc10_folder
from joblib import Memory
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, LeaveOneGroupOut
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skaudio.datasets import load_esc50
from skaudio.features import POOLING_METHODS, MelSpectrogram, PoolingTransformer, PowerToDb


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.strip().split("\n")[0])
    add_data_argument(parser)
    return parser.parse_args(argv)


def main(argv=None):
    folder = esc10_folder(data_folder(parse_args(argv).data))
    if folder is None:
        return 1
    start = time.perf_counter()
    esc = load_esc50(folder, subset="esc10", sr=44100)
    print(f"{len(esc.target)} clips, {len(np.unique(esc.target))} classes, folds {sorted(set(esc.fold))}")

    with tempfile.TemporaryDirectory() as cache:
        # the mel step does not depend on `method`: cache it across the grid
        pipe = Pipeline(
            [
                ("mel", MelSpectrogram(sr=44100, n_fft=2048, hop_length=512, n_mels=128, to_db=False)),
                ("pool", PoolingTransformer(axis="time")),
                ("db", PowerToDb()),
                ("scale", StandardScaler()),
                ("clf", LogisticRegression(C=0.1, max_iter=2000)),
            ],
            memory=Memory(cache, verbose=0),
        )
        grid = GridSearchCV(
            pipe,
            {"pool__method": list(POOLING_METHODS)},
            cv=LeaveOneGroupOut(),
            n_jobs=1,
            refit=False,
            error_score="raise",
        )
        grid.fit(esc.data, esc.target, groups=esc.fold)

    res = pd.DataFrame(grid.cv_results_)
    folds = [c for c in res if c.startswith("split") and c.endswith("_test_score")]
    table = pd.DataFrame(
        {
            "method": res["param_pool__method"],
            "accuracy": res["mean_test_score"],
            "std over folds": res["std_test_score"],
            "worst fold": res[folds].min(axis=1),
            "best fold": res[folds].max(axis=1),
        }
    ).sort_values("accuracy", ascending=False)
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    best = table.iloc[0]
    print(f"best: {best['method']} ({best['accuracy']:.3f}); {time.perf_counter() - start:.0f} s in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
