"""
Pooling preservation on real audio, beside Tables I-III of [POOL]
=================================================================

Runs the protocol of Bandara and Thayasivam (16 kHz, Hann window, log-mel in
dB relative to each clip's maximum, 2x2 pooling) on the real clips of the
shared data folder and compares the result with the paper's Tables I-III:

* environment: ESC-10 (400 clips, 5 s), against Table III (ESC-50);
* speech: the Free Spoken Digit Dataset sample (300 digits, padded to 1 s)
  and the six GTZAN speech excerpts cut into 5 s segments, against Table I
  (IEMOCAP);
* music: the six GTZAN music excerpts cut into 5 s segments and the 150
  Philharmonia single notes (padded to 3 s), against Table II (GTZAN).

For every domain it prints our table (mean over clips) and a comparison of
orderings: for each metric, which method the paper and we find best, and the
Spearman rank correlation of the twelve methods. It also prints, for every
source separately, which method keeps the most variance and which has the
highest Lipschitz constant, since those orderings change with the clips.

The paper's tables are read from ``docs/user_guide/paper_tables/`` beside this
script (transcribed once, never written). Our tables are written only when
``--out DIR`` is given; ``--out docs/user_guide/paper_tables`` refreshes the
files the documentation page includes.

Data follow the convention of every example: ``--data DIR`` names the shared
data folder (holding ``esc10/``, ``fsdd_sample/``, ``instruments_sample/`` and
``music_speech_sample/``); without it, ``$SKAUDIO_SHARED_DATA``, else
``../shared/data`` beside the repository.

Run: ``python examples/pooling_paper_comparison.py [--data DIR] [--out DIR] [--max-clips N]``
(about half a minute on two cores; ``--max-clips 3`` is a quick check).
"""

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.stats
from _shared_data import add_data_argument, data_folder

from skaudio.datasets import load_esc50
from skaudio.features import MelSpectrogram
from skaudio.io import load_audio
from skaudio.metrics import METRIC_NAMES, compare_pooling, get_metric
from skaudio.metrics.report import PAPER_PROTOCOL, summarize_pooling

HERE = Path(__file__).resolve().parent
#: the paper's Tables I-III, transcribed (read-only input, whatever --out says)
PAPER_TABLES = HERE.parent / "docs" / "user_guide" / "paper_tables"
DOMAINS = {
    "speech": "paper_table1_speech.csv",
    "music": "paper_table2_music.csv",
    "environment": "paper_table3_environment.csv",
}
SOURCES = ("esc10", "fsdd_sample", "instruments_sample", "music_speech_sample")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.strip().split("\n")[0])
    add_data_argument(parser, help="the shared data folder (default: $SKAUDIO_SHARED_DATA or ../shared/data)")
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="folder for our CSV tables (created; nothing is written without it)",
    )
    parser.add_argument("--sr", type=int, default=PAPER_PROTOCOL["sr"])
    parser.add_argument(
        "--max-clips",
        type=int,
        default=None,
        help="use only the first N clips of each source (a quick check)",
    )
    return parser.parse_args(argv)


def load_paper_tables():
    """The paper's Tables I-III by domain (methods x metrics)."""
    return {domain: pd.read_csv(PAPER_TABLES / name, index_col="method") for domain, name in DOMAINS.items()}


def segments(X, sr, seconds):
    """Cut long clips into consecutive non-overlapping segments of ``seconds``."""
    n = int(seconds * sr)
    usable = X.shape[1] // n * n
    return X[:, :usable].reshape(-1, n)


def logmel(X, sr):
    front = {k: v for k, v in PAPER_PROTOCOL.items() if k != "sr"}
    mel = MelSpectrogram(sr=sr, **front)
    return mel.fit_transform(X), mel.frequencies_


def domain_batches(root, sr, max_clips=None):
    """Waveform batches of each domain (clips of one batch share a length)."""

    def first(files):
        files = sorted(map(str, files))
        return files if max_clips is None else files[:max_clips]

    def cut(X):
        return X if max_clips is None else X[:max_clips]

    music_speech = root / "music_speech_sample"
    gtzan_music, _ = load_audio(first((music_speech / "music").glob("*.wav")), sr=sr, duration=30.0)
    gtzan_speech, _ = load_audio(first((music_speech / "speech").glob("*.wav")), sr=sr, duration=30.0)
    instruments, _ = load_audio(first((root / "instruments_sample").rglob("*.mp3")), sr=sr, duration=3.0)
    digits, _ = load_audio(first((root / "fsdd_sample").glob("*.wav")), sr=sr, duration=1.0)
    esc10 = load_esc50(root / "esc10", sr=sr, subset="esc10", folds=None if max_clips is None else 1).data
    return {
        "environment": {"ESC-10 (5 s)": cut(esc10)},
        "speech": {
            "FSDD digits (1 s)": digits,
            "GTZAN speech (5 s segments)": cut(segments(gtzan_speech, sr, 5.0)),
        },
        "music": {
            "GTZAN music (5 s segments)": cut(segments(gtzan_music, sr, 5.0)),
            "Philharmonia notes (3 s)": instruments,
        },
    }


def best_method(table, name):
    info = get_metric(name)
    col = table[name].astype(float)
    if col.nunique() == 1:
        return "(all equal)"
    if info.direction == "target":
        return (col - info.ideal).abs().idxmin()
    return col.idxmax() if info.direction == "higher" else col.idxmin()


def orderings(ours, paper):
    """Per metric: the best method for us and for the paper, and the rank correlation."""
    rows = []
    for name in METRIC_NAMES:
        a, b = ours[name].astype(float), paper[name].reindex(ours.index).astype(float)
        rho = scipy.stats.spearmanr(a, b).statistic if a.nunique() > 1 and b.nunique() > 1 else np.nan
        rows.append(
            {
                "metric": name,
                "best_ours": best_method(ours, name),
                "best_paper": best_method(paper, name),
                "highest_ours": a.idxmax() if a.nunique() > 1 else "(all equal)",
                "highest_paper": b.idxmax() if b.nunique() > 1 else "(all equal)",
                "spearman": rho,
            }
        )
    return pd.DataFrame(rows).set_index("metric")


def by_source_summary(long):
    """Per source: the method keeping the most variance and the one with the highest Lipschitz constant."""
    rows = []
    for (domain, source), part in long.groupby(["domain", "source"], sort=False):
        means = part.groupby("method", sort=False)[["variance", "lipschitz"]].mean()
        rows.append(
            {
                "domain": domain,
                "source": source,
                "clips": part["clip"].nunique(),
                "max: variance": means.loc["max", "variance"],
                "highest variance": f"{means['variance'].idxmax()} ({means['variance'].max():.4f})",
                "max: lipschitz": means.loc["max", "lipschitz"],
                "highest lipschitz": f"{means['lipschitz'].idxmax()} ({means['lipschitz'].max():.4f})",
            }
        )
    return pd.DataFrame(rows).set_index(["domain", "source"])


def main(argv=None):
    args = parse_args(argv)
    root = data_folder(args.data)
    missing = [name for name in SOURCES if not (root / name).is_dir()]
    if missing:
        print(f"{root} lacks {', '.join(missing)}; pass --data or set SKAUDIO_SHARED_DATA", file=sys.stderr)
        return 1
    paper_tables = load_paper_tables()  # before minutes of work, not after
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)

    def save(frame, name, fmt):
        if args.out is not None:
            frame.to_csv(args.out / name, float_format=fmt)

    batches = domain_batches(root, args.sr, args.max_clips)
    summary, every_clip = [], []
    for domain, parts in batches.items():
        per_clip = []
        for label, X in parts.items():
            S, freqs = logmel(X, args.sr)
            print(f"{domain}: {label}: {S.shape[0]} clips, log-mel {S.shape[1]} x {S.shape[2]}")
            long = compare_pooling(S, kernel_size=(2, 2), per_clip=True, sr=args.sr, freqs=freqs)
            per_clip.append(long.reset_index().assign(source=label))
        long = pd.concat(per_clip, ignore_index=True)
        every_clip.append(long.assign(domain=domain))
        table = summarize_pooling(long, spread="std")
        means = table[list(METRIC_NAMES)]
        save(means, f"ours_{domain}.csv", "%.4f")
        save(table[[f"{m}_std" for m in METRIC_NAMES]], f"ours_{domain}_std.csv", "%.4f")
        order = orderings(means, paper_tables[domain])
        save(order, f"orderings_{domain}.csv", "%.2f")
        summary.append(order["spearman"].rename(domain))
        with pd.option_context("display.width", 250, "display.max_columns", 40):
            print(means.round(4).to_string())
            print(order.round(2).to_string())
    save(pd.concat(summary, axis=1), "spearman_summary.csv", "%.2f")
    sources = by_source_summary(pd.concat(every_clip, ignore_index=True))
    save(sources, "by_source.csv", "%.4f")
    with pd.option_context("display.width", 250, "display.max_columns", 40):
        print(sources.round(4).to_string())
    print(f"tables written to {args.out}" if args.out is not None else "no --out: nothing written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
