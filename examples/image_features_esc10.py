"""
Spectrograms as images: which image techniques help ESC-10 classification?
==========================================================================

Every pipeline starts from the same log-mel spectrograms of ESC-10 (400 clips,
10 classes, five official folds) and ends in the same classifier (standardised
features into an RBF support-vector machine). Between them sits one image
technique at a time:

* ``MelSpectrogram → SpectrogramFilter(method) → pooling → classifier`` for
  the five denoising filters, and one segmentation step
  (``SpectrogramSegmenter(output="masked")``) in the same place;
* ``MelSpectrogram → SpectrogramImageFeatures(method) → classifier`` for the
  four texture and edge descriptors, alone and beside the pooled features.

The pooling step summarises each mel band over time by its mean and its
maximum, with two global :class:`skaudio.features.PoolingTransformer` steps
(``axis="time"``); where that class is not available (it lives on another
branch until the integration), a ``FunctionTransformer`` computes exactly the
same two statistics.

Accuracy is cross-validated over the five predefined folds
(``LeaveOneGroupOut``), the ESC-50 protocol. The log-mel spectrograms are
computed once, before the cross-validation: ``MelSpectrogram`` learns nothing
from the data, so this gives the same result as putting it first in every
pipeline, five times faster.

Run: ``python examples/image_features_esc10.py [--data DIR]`` (a few minutes on two
cores). Data follow the convention of every example: ``--data DIR`` names the shared
data folder (holding ``esc10/``); without it, ``$SKAUDIO_SHARED_DATA``, else
``../shared/data`` beside the repository. Data: ESC-10, the CC BY subset of ESC-50
(Piczak, 2015).
"""

import os
import time

import numpy as np
import pandas as pd
from _shared_data import add_data_argument, data_folder
from sklearn.model_selection import LeaveOneGroupOut, cross_val_score
from sklearn.pipeline import FeatureUnion, make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from sklearn.svm import SVC

from skaudio.datasets import load_esc50
from skaudio.features import MelSpectrogram, SpectrogramFilter, SpectrogramImageFeatures, SpectrogramSegmenter

SR = 22050
N_JOBS = int(os.environ.get("SKAUDIO_N_JOBS", -1))


def _time_mean_max(S):
    return np.concatenate([S.mean(axis=2), S.max(axis=2)], axis=1)


def pooling():
    """Mean and max of each band over time: (n_clips, 2 * n_mels) features."""
    try:
        from skaudio.features import PoolingTransformer
    except ImportError:  # before the pooling branch is merged: the same two statistics
        return FunctionTransformer(_time_mean_max)
    return FeatureUnion(
        [
            ("mean", PoolingTransformer("average", axis="time")),
            ("max", PoolingTransformer("max", axis="time")),
        ]
    )


def classifier():
    return make_pipeline(StandardScaler(), SVC(C=10.0, gamma="scale"))


def pipelines():
    yield "pooled log-mel (baseline)", make_pipeline(pooling(), classifier())
    for method in ("gaussian", "median", "wiener", "bilateral", "wavelet"):
        yield (
            f"filter={method} + pooling",
            make_pipeline(SpectrogramFilter(method, n_jobs=N_JOBS), pooling(), classifier()),
        )
    yield (
        "segmenter=otsu(masked) + pooling",
        make_pipeline(
            SpectrogramSegmenter("otsu", output="masked", background="median", n_jobs=N_JOBS),
            pooling(),
            classifier(),
        ),
    )
    for method in ("glcm", "lbp", "gabor", "edges"):
        yield (
            f"features={method}",
            make_pipeline(SpectrogramImageFeatures(method, n_jobs=N_JOBS), classifier()),
        )
    for method in ("glcm", "lbp", "gabor", "edges"):
        union = FeatureUnion([("pool", pooling()), (method, SpectrogramImageFeatures(method, n_jobs=N_JOBS))])
        yield f"pooling + features={method}", make_pipeline(union, classifier())


def main(root, n_per_fold=None):
    t0 = time.perf_counter()
    data = load_esc50(root, subset="esc10", sr=SR)
    X, y, folds = data.data, data.target, data.fold
    if n_per_fold:  # a quick subset (used by the test): the first clips of each fold
        keep = np.concatenate([np.flatnonzero(folds == f)[:n_per_fold] for f in np.unique(folds)])
        X, y, folds = X[keep], y[keep], folds[keep]
    S = MelSpectrogram(sr=SR, n_fft=1024, hop_length=512, n_mels=64, fmin=20.0).fit_transform(X)
    print(f"{len(S)} clips -> log-mel {S.shape[1:]} in {time.perf_counter() - t0:.1f} s")
    rows = []
    for name, pipe in pipelines():
        t = time.perf_counter()
        acc = cross_val_score(pipe, S, y, groups=folds, cv=LeaveOneGroupOut())
        rows.append(
            {"pipeline": name, "accuracy": acc.mean(), "std": acc.std(), "seconds": time.perf_counter() - t}
        )
        print(f"{name:36s} {acc.mean():.3f} +- {acc.std():.3f}  ({rows[-1]['seconds']:.1f} s)", flush=True)
    table = pd.DataFrame(rows)
    base = table.loc[0, "accuracy"]
    table["vs baseline"] = table["accuracy"] - base
    print()
    print(table.round(3).to_string(index=False))
    print(f"\ntotal {time.perf_counter() - t0:.0f} s")
    return table


def parse_args(argv=None):
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.strip().split("\n")[0])
    add_data_argument(parser)
    return parser.parse_args(argv)


if __name__ == "__main__":
    main(data_folder(parse_args().data) / "esc10")
