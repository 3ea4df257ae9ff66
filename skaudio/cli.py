"""The ``skaudio`` command line: ``skaudio --version``, ``skaudio demo``."""
import argparse
import sys
import time

import skaudio

__all__ = ["main"]


class _Timer:
    """Collects (step, seconds) pairs and prints each as it finishes."""

    def __init__(self, out):
        self.out = out
        self.rows = []

    def __call__(self, label, fn, *args, **kwargs):
        t0 = time.perf_counter()
        result = fn(*args, **kwargs)
        dt = time.perf_counter() - t0
        self.rows.append((label, dt))
        print(f"  {label:<44s} {dt:8.2f} s", file=self.out)
        return result


def _demo(args, out):
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_validate
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer, StandardScaler

    from skaudio.datasets import make_sound_events
    from skaudio.features import MelSpectrogram

    timer = _Timer(out)
    print(f"skaudio {skaudio.__version__} demo: synthetic sound events -> log-mel -> "
          "cross-validated classifier", file=out)
    X, y = timer(f"generate {args.n_clips} clips x {args.duration:g} s at {args.sr} Hz",
                 make_sound_events, args.n_clips, args.n_classes, sr=args.sr,
                 duration=args.duration, random_state=args.random_state)
    mel = MelSpectrogram(sr=args.sr, n_fft=1024, hop_length=256, n_mels=64, n_jobs=args.n_jobs)
    S = timer("log-mel spectrograms (MelSpectrogram)", mel.fit_transform, X)
    print(f"    -> {S.shape[0]} spectrograms of {S.shape[1]} mels x {S.shape[2]} frames", file=out)

    def time_stats(S):
        # per-band statistics over time: the simplest summary a linear model can use
        return np.concatenate([S.mean(-1), S.std(-1)], axis=1)

    pipe = make_pipeline(mel, FunctionTransformer(time_stats), StandardScaler(),
                         LogisticRegression(max_iter=2000))
    cv = StratifiedKFold(5, shuffle=True, random_state=args.random_state)
    res = timer("5-fold cross-validation of the pipeline", cross_validate, pipe, X, y, cv=cv)
    acc = res["test_score"]
    print(f"    -> accuracy per fold: {np.array2string(acc, precision=3)}; "
          f"mean {acc.mean():.3f} +- {acc.std():.3f} (chance {1 / args.n_classes:.3f})", file=out)
    total = sum(dt for _, dt in timer.rows)
    print(f"  {'total':<44s} {total:8.2f} s", file=out)
    return 0


def build_parser():
    parser = argparse.ArgumentParser(
        prog="skaudio", description="scikit-learn compatible audio features, pooling, metrics and models.")
    parser.add_argument("--version", action="version", version=f"skaudio {skaudio.__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = sub.add_parser("demo", help="run the end-to-end demo on synthetic data",
                          description="Synthetic sound events -> log-mel -> cross-validated "
                                      "scikit-learn pipeline, with the time of each step.")
    demo.add_argument("--n-clips", type=int, default=300, help="clips to generate (default 300)")
    demo.add_argument("--n-classes", type=int, default=10, help="classes (default 10)")
    demo.add_argument("--sr", type=int, default=16000, help="sampling rate in Hz (default 16000)")
    demo.add_argument("--duration", type=float, default=2.0, help="seconds per clip (default 2)")
    demo.add_argument("--n-jobs", type=int, default=None, help="threads (default: all cores)")
    demo.add_argument("--random-state", type=int, default=0, help="seed (default 0)")
    demo.set_defaults(func=_demo)
    return parser


def main(argv=None, out=None):
    """Entry point of the ``skaudio`` command; returns the exit status."""
    out = sys.stdout if out is None else out
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(out)
        return 0
    return args.func(args, out)
