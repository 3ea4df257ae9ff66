"""
Pooling preservation on real audio, beside Tables I-III of [POOL]
=================================================================

Runs the protocol of Bandara and Thayasivam (16 kHz, Hann window, log-mel in
dB relative to each clip's maximum, 2x2 pooling) on the real clips of
``../shared/data`` and compares the result with the paper's Tables I-III:

* environment: ESC-10 (400 clips, 5 s), against Table III (ESC-50);
* speech: the Free Spoken Digit Dataset sample (300 digits, padded to 1 s)
  and the six GTZAN speech excerpts cut into 5 s segments, against Table I
  (IEMOCAP);
* music: the six GTZAN music excerpts cut into 5 s segments and the 150
  Philharmonia single notes (padded to 3 s), against Table II (GTZAN).

For every domain it writes our table (mean and standard deviation over
clips) and a comparison of orderings: for each metric, which method the paper
and we find best, and the Spearman rank correlation of the twelve methods.
The CSV files land in ``docs/user_guide/paper_tables/`` (or ``--out``),
where the documentation page reads them.

Run: ``python examples/pooling_paper_comparison.py [--data DIR] [--out DIR]``
(about two minutes on two cores).
"""
import argparse
import os
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.stats

from skaudio.datasets import load_esc50
from skaudio.features import MelSpectrogram
from skaudio.io import load_audio
from skaudio.metrics import METRIC_NAMES, compare_pooling, get_metric
from skaudio.metrics.report import PAPER_PROTOCOL, summarize_pooling

HERE = Path(__file__).resolve().parent
DOMAINS = {"speech": "paper_table1_speech.csv", "music": "paper_table2_music.csv",
           "environment": "paper_table3_environment.csv"}


def default_data():
    env = os.environ.get("SKAUDIO_SHARED_DATA")
    return Path(env) if env else HERE.parent / ".." / "shared" / "data"


def segments(X, sr, seconds):
    """Cut long clips into consecutive non-overlapping segments of ``seconds``."""
    n = int(seconds * sr)
    usable = X.shape[1] // n * n
    return X[:, :usable].reshape(-1, n)


def logmel(X, sr):
    front = {k: v for k, v in PAPER_PROTOCOL.items() if k != "sr"}
    mel = MelSpectrogram(sr=sr, **front)
    return mel.fit_transform(X), mel.frequencies_


def domain_batches(root, sr):
    """Waveform batches of each domain (clips of one batch share a length)."""
    music_speech = root / "music_speech_sample"
    gtzan_music, _ = load_audio(sorted(map(str, (music_speech / "music").glob("*.wav"))), sr=sr, duration=30.0)
    gtzan_speech, _ = load_audio(sorted(map(str, (music_speech / "speech").glob("*.wav"))), sr=sr, duration=30.0)
    notes = sorted(map(str, (root / "instruments_sample").rglob("*.mp3")))
    instruments, _ = load_audio(notes, sr=sr, duration=3.0)
    digits, _ = load_audio(sorted(map(str, (root / "fsdd_sample").glob("*.wav"))), sr=sr, duration=1.0)
    esc10 = load_esc50(root / "esc10", sr=sr, subset="esc10").data
    return {
        "environment": {"ESC-10 (5 s)": esc10},
        "speech": {"FSDD digits (1 s)": digits, "GTZAN speech (5 s segments)": segments(gtzan_speech, sr, 5.0)},
        "music": {"GTZAN music (5 s segments)": segments(gtzan_music, sr, 5.0),
                  "Philharmonia notes (3 s)": instruments},
    }


def best_mode(table, name):
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
        rows.append({"metric": name, "best_ours": best_mode(ours, name), "best_paper": best_mode(paper, name),
                     "highest_ours": a.idxmax() if a.nunique() > 1 else "(all equal)",
                     "highest_paper": b.idxmax() if b.nunique() > 1 else "(all equal)", "spearman": rho})
    return pd.DataFrame(rows).set_index("metric")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=default_data(), help="the shared data folder")
    parser.add_argument("--out", type=Path, default=HERE.parent / "docs" / "user_guide" / "paper_tables")
    parser.add_argument("--sr", type=int, default=PAPER_PROTOCOL["sr"])
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    batches = domain_batches(args.data, args.sr)
    summary = []
    for domain, parts in batches.items():
        per_clip = []
        for label, X in parts.items():
            S, freqs = logmel(X, args.sr)
            print(f"{domain}: {label}: {S.shape[0]} clips, log-mel {S.shape[1]} x {S.shape[2]}")
            long = compare_pooling(S, kernel_size=(2, 2), per_clip=True, sr=args.sr, freqs=freqs)
            per_clip.append(long.reset_index().assign(source=label))
        long = pd.concat(per_clip, ignore_index=True)
        table = summarize_pooling(long, spread="std")
        means = table[list(METRIC_NAMES)]
        means.to_csv(args.out / f"ours_{domain}.csv", float_format="%.4f")
        table[[f"{m}_std" for m in METRIC_NAMES]].to_csv(args.out / f"ours_{domain}_std.csv", float_format="%.4f")
        paper = pd.read_csv(args.out / DOMAINS[domain], index_col="mode")
        order = orderings(means, paper)
        order.to_csv(args.out / f"orderings_{domain}.csv", float_format="%.2f")
        summary.append(order["spearman"].rename(domain))
        with pd.option_context("display.width", 250, "display.max_columns", 40):
            print(means.round(4).to_string())
            print(order.round(2).to_string())
    pd.concat(summary, axis=1).to_csv(args.out / "spearman_summary.csv", float_format="%.2f")
    print(f"tables written to {args.out}")


if __name__ == "__main__":
    main()
