"""The ``skaudio`` command line: ``--version``, ``demo``, ``pooling-report``, ``warmup``."""

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
        # the label first, so a slow step (a first call compiles kernels) says what it is
        print(f"  {label:<62s}", end=" ", file=self.out, flush=True)
        t0 = time.perf_counter()
        result = fn(*args, **kwargs)
        dt = time.perf_counter() - t0
        self.rows.append((label, dt))
        print(f"{dt:7.2f} s", file=self.out, flush=True)
        return result


def _demo(args, out):
    warm = None
    if not args.no_warmup:
        from skaudio.warmup import DemoWarmUp

        # compiles the later steps' kernels in other processes once the cache proves cold
        warm = DemoWarmUp()
    try:
        return _demo_steps(args, out, warm)
    finally:
        if warm is not None:
            warm.close()


def _demo_steps(args, out, warm):
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_validate
    from sklearn.pipeline import make_pipeline, make_union
    from sklearn.preprocessing import StandardScaler

    from skaudio.datasets import make_sound_events
    from skaudio.features import MelSpectrogram, PoolingTransformer, SpectrogramFilter, SpectrogramSegmenter
    from skaudio.metrics import compare_pooling

    timer = _Timer(out)
    print(
        f"skaudio {skaudio.__version__} demo: synthetic sound events -> log-mel -> pooling, "
        "preservation metrics, image steps -> cross-validated classifiers",
        file=out,
    )
    data = timer(
        f"generate {args.n_clips} clips x {args.duration:g} s at {args.sr} Hz",
        make_sound_events,
        args.n_clips,
        args.n_classes,
        sr=args.sr,
        duration=args.duration,
        random_state=args.random_state,
        return_bunch=True,
    )
    X, y = data.data, data.target
    mel = MelSpectrogram(sr=args.sr, n_fft=1024, hop_length=256, n_mels=64, n_jobs=args.n_jobs)
    S = timer("log-mel spectrograms (MelSpectrogram)", mel.fit_transform, X)
    print(f"    -> {S.shape[0]} spectrograms of {S.shape[1]} mels x {S.shape[2]} frames", file=out)

    P = timer(
        "2x2 lse pooling (PoolingTransformer)",
        _after,
        warm,
        "lse",
        PoolingTransformer("lse", r=1.0).fit_transform,
        S,
    )
    print(f"    -> {P.shape[1]} x {P.shape[2]} per clip, compression {S[0].size / P[0].size:.1f}", file=out)
    table = timer(
        "pooling report: 12 methods x 16 metrics (2x2)",
        _after,
        warm,
        "report",
        compare_pooling,
        S,
        sr=args.sr,
        freqs=mel.frequencies_,
        n_jobs=args.n_jobs,
    )
    cols = [
        "variance",
        "mean",
        "entropy",
        "kl_divergence",
        "cosine_similarity",
        "lipschitz",
        "temporal_variance",
        "spectral_centroid",
    ]
    print(table[cols].to_string(float_format=lambda v: f"{v:.3f}"), file=out)

    rng = np.random.default_rng(args.random_state)
    noisy = (S + 6.0 * rng.standard_normal(S.shape)).astype(np.float32)
    clean = timer(
        "wiener denoising of noisy maps (SpectrogramFilter)", SpectrogramFilter("wiener").fit_transform, noisy
    )
    print(
        f"    -> mean squared error vs the clean maps {np.mean((noisy - S) ** 2):.1f} -> "
        f"{np.mean((clean - S) ** 2):.1f}",
        file=out,
    )
    masks = timer(
        "event masks (SpectrogramSegmenter, Otsu)",
        SpectrogramSegmenter("otsu", background="median").fit_transform,
        S,
    )
    active = masks.sum(axis=1) >= 3
    frame_s = 256 / args.sr
    errors = [abs(np.flatnonzero(a)[0] * frame_s - on) for a, on in zip(active, data.onsets) if a.any()]
    print(f"    -> median onset error {1000 * np.median(errors):.0f} ms over {len(errors)} clips", file=out)

    pipe = make_pipeline(
        mel,
        make_union(PoolingTransformer("average", axis="time"), PoolingTransformer("max", axis="time")),
        StandardScaler(),
        LogisticRegression(max_iter=2000),
    )
    cv = StratifiedKFold(5, shuffle=True, random_state=args.random_state)
    res = timer(
        "5-fold CV: log-mel -> mean+max over time -> logistic regression",
        _after,
        warm,
        "cv",
        cross_validate,
        pipe,
        X,
        y,
        cv=cv,
    )
    acc = res["test_score"]
    print(
        f"    -> accuracy per fold: {np.array2string(acc, precision=3)}; "
        f"mean {acc.mean():.3f} +- {acc.std():.3f} (chance {1 / args.n_classes:.3f})",
        file=out,
    )

    if not args.no_models:
        from skaudio.models._demo import demo_cross_validate

        res = timer(
            "3-fold CV of a tiny SE-CNN on the log-mels (skorch)",
            demo_cross_validate,
            S,
            y,
            StratifiedKFold(3, shuffle=True, random_state=args.random_state),
            random_state=args.random_state,
            n_jobs=args.n_jobs,
        )
        print(
            f"    -> SE-CNN accuracy per fold: {np.array2string(res['test_accuracy'], precision=3)}; "
            f"macro ROC AUC {res['test_roc_auc_macro'].mean():.3f}, "
            f"d-prime {res['test_d_prime'].mean():.2f}",
            file=out,
        )
    total = sum(dt for _, dt in timer.rows)
    print(f"  {'total':<62s} {total:7.2f} s", file=out)
    return 0


def _after(warm, step, fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` once the background warm-up has the kernels of ``step`` ready."""
    if warm is not None:
        warm.need(step)
    return fn(*args, **kwargs)


def _positive(kind):
    """An argparse type: a number of ``kind`` that is > 0."""

    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
        if not value > 0:
            raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
        return value

    parse.__name__ = kind.__name__  # argparse names the type in its messages
    return parse


def _data_spec(text):
    """An argparse type: ``esc50:PATH``, ``esc10:PATH``, ``folder:PATH`` or ``synthetic``."""
    from pathlib import Path

    kind, _, path = text.partition(":")
    if text == "synthetic":
        return text
    if kind not in ("esc50", "esc10", "folder") or not path:
        raise argparse.ArgumentTypeError(
            f"expected esc50:PATH, esc10:PATH, folder:PATH or synthetic, got {text!r}"
        )
    root = Path(path).expanduser()
    if not root.is_dir():
        raise argparse.ArgumentTypeError(f"{path!r} is not a folder")
    if kind != "folder" and not (root / "meta" / "esc50.csv").is_file():
        raise argparse.ArgumentTypeError(
            f"{path!r} has no meta/esc50.csv (expected the ESC-50 layout: meta/esc50.csv and audio/)"
        )
    return text


def _methods_arg(args):
    """``--methods`` as a list, or the deprecated ``--modes`` (with a FutureWarning)."""
    if args.modes:
        from skaudio._deprecation import warn_renamed

        warn_renamed("skaudio pooling-report --modes", "--methods", use=f"--methods {args.modes}")
    value = args.methods or args.modes
    return value.split(",") if value else None


def _pooling_report(args, out):
    from skaudio.metrics.report import pooling_report_main

    if args.plot:
        try:  # say what is missing before computing anything
            import matplotlib  # noqa: F401
        except ImportError:
            args.parser.error('--plot needs matplotlib: pip install "skaudio[plot]"')
    try:
        pooling_report_main(
            args.data,
            args.sr,
            args.kernel,
            args.out,
            args.plot,
            methods=_methods_arg(args),
            n_clips=args.n_clips,
            duration=args.duration,
            stream=out,
            n_jobs=args.n_jobs,
        )
    except (ValueError, OSError) as exc:  # bad data, an unreadable file, an unknown method or kernel
        args.parser.error(str(exc).splitlines()[0])
    return 0


def _warmup(args, out):
    from skaudio.warmup import WARMUP_TARGETS, warm_up

    if args.list:
        print("\n".join(WARMUP_TARGETS), file=out)
        return 0
    targets = args.targets.split(",") if args.targets else None
    t0 = time.perf_counter()
    try:
        done = warm_up(targets, n_jobs=args.n_jobs)
    except ValueError as exc:  # an unknown target, a bad n_jobs
        args.parser.error(str(exc))
    if not done:
        print("numba has no writable cache folder: nothing to keep for later processes", file=out)
        return 1
    for t in done:
        state = f"{t.compiled} compiled" if t.ok else "FAILED"
        print(f"  {t.name:<24s} {t.seconds:7.2f} s  {state:<12s} ({t.where})", file=out)
    n = sum(t.compiled for t in done)
    print(f"  {len(done)} targets, {n} kernels compiled in {time.perf_counter() - t0:.1f} s", file=out)
    return 0 if all(t.ok for t in done) else 1


def build_parser():
    parser = argparse.ArgumentParser(
        prog="skaudio", description="scikit-learn compatible audio features, pooling, metrics and models."
    )
    parser.add_argument("--version", action="version", version=f"skaudio {skaudio.__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = sub.add_parser(
        "demo",
        help="run the end-to-end demo on synthetic data",
        description="Synthetic sound events -> log-mel -> cross-validated "
        "scikit-learn pipeline, with the time of each step.",
    )
    demo.add_argument("--n-clips", type=int, default=300, help="clips to generate (default 300)")
    demo.add_argument("--n-classes", type=int, default=10, help="classes (default 10)")
    demo.add_argument("--sr", type=int, default=16000, help="sampling rate in Hz (default 16000)")
    demo.add_argument("--duration", type=float, default=2.0, help="seconds per clip (default 2)")
    demo.add_argument(
        "--n-jobs",
        type=int,
        default=None,
        help="threads (default: all cores for the numba steps, one for torch)",
    )
    demo.add_argument("--random-state", type=int, default=0, help="seed (default 0)")
    demo.add_argument("--no-models", action="store_true", help="skip the torch network step")
    demo.add_argument(
        "--no-warmup",
        action="store_true",
        help="with a cold numba cache, compile every kernel in this process when first used "
        "(by default, idle cores compile the later steps' kernels in the background)",
    )
    demo.set_defaults(func=_demo)

    rep = sub.add_parser(
        "pooling-report",
        help="compare the twelve pooling methods with the preservation metrics",
        description="Log-mel spectrograms (Hann, dB re max) pooled by each of the twelve [POOL] "
        "methods and scored by the 16 preservation metrics; prints a Table I-style "
        "table (mean over clips).",
    )
    rep.add_argument(
        "--data",
        default="synthetic",
        type=_data_spec,
        help="esc50:PATH | esc10:PATH | folder:PATH | synthetic (default)",
    )
    rep.add_argument("--sr", type=int, default=16000, help="sampling rate in Hz (default 16000)")
    rep.add_argument("--kernel", default="2x2", help="pooling region FxT (default 2x2)")
    rep.add_argument("--out", default=None, help="write the table (mean and std) as CSV")
    rep.add_argument("--plot", default=None, help="write a heatmap of the table (PNG)")
    rep.add_argument("--methods", default=None, help="comma-separated pooling methods (default: all twelve)")
    rep.add_argument("--modes", default=None, help=argparse.SUPPRESS)  # the old name of --methods
    rep.add_argument(
        "--n-clips",
        type=_positive(int),
        default=None,
        help="use the first N clips only (only their files are read; 40 for synthetic)",
    )
    rep.add_argument(
        "--duration",
        type=_positive(float),
        default=5.0,
        help="seconds per clip: longer files are cut, shorter zero-padded (default 5)",
    )
    rep.add_argument("--n-jobs", type=int, default=-1, help="threads (default -1: all cores)")
    rep.set_defaults(func=_pooling_report, parser=rep)

    warm = sub.add_parser(
        "warmup",
        help="compile the numba kernels now, in parallel, into numba's on-disk cache",
        description="Compile skaudio's numba kernels in worker processes side by side, so that "
        "later processes using the same cache (the same install or NUMBA_CACHE_DIR) load them "
        "instead of compiling on first use; e.g. a step of a container image build.",
    )
    warm.add_argument(
        "--targets",
        default=None,
        help="comma-separated targets or prefixes, e.g. pool2d,metrics (default: all; see --list)",
    )
    warm.add_argument(
        "--n-jobs", type=int, default=None, help="processes compiling side by side (default: all cores)"
    )
    warm.add_argument("--list", action="store_true", help="print the target names and exit")
    warm.set_defaults(func=_warmup, parser=warm)
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
