"""
Cost of the three networks at the sizes of their papers
=======================================================

Profiles, with :func:`skaudio.models.profile`, each network built by ``.paper()``
(:data:`skaudio.nn.networks.PAPER_SIZES`) on one clip of the input its paper
describes, and prints one row per network: parameters, forward FLOPs and
multiply-adds per clip (torch's FLOP counter: two FLOPs per multiply-add of the
matrix products and convolutions, nothing else), peak activation memory of one pass
and the median latency per clip on this machine.

* [NMF] SE-CNN, 50 classes, on a ``(128, 431)`` log-mel (5 s at 44.1 kHz, hop 512).
  The thesis reports 21,569,906 parameters (Table 4.2) and "14.09 GFLOPs" (l.695),
  elsewhere "10.09 GFLOPs" (l.807).
* [DEG] DEGramNet, 309 classes (VGGSound), on a 1 s power spectrogram ``(257, 101)``
  (16 kHz, n_fft 512, hop 160). Fig. 6 gives FLOPs for 1 s of audio for ResNet-18 /
  34 / 50 on a spectrogram: 4.19 / 8.64 / 9.62 GFLOPs; the paper's DEGramNet is the
  ECA-ResNet with stages (3, 8, 36, 3).
* [E2E] dual-branch network, 10 classes, on a 4 s waveform at 22.05 kHz (88,200
  samples, stride 1). The paper reports no parameter count or FLOPs.

``--study fig6`` profiles instead the nine networks of [DEG] Fig. 6: the Spectrogram,
SincGram and DEGram front ends (``DEGramNet.paper(frontend=..., backbone=...)``) on
the standard ResNet-18, -34 and -50, for 1 s of audio. ``--study table8`` times the
three networks of [DEG] Table 8 (Spectrogram ResNet-18, DEGram ResNet-18, Spectrogram
ResNet-34) on 1, 3, 5 and 10 s of audio (the paper: Titan Xp, Jetson Xavier NX GPU and
CPU; here: this machine's CPU).

Inputs are random (the costs depend on the shapes only; latency barely on the values).
No data folder is needed. The table is written as CSV only when ``--out FILE`` is given.

Run: ``python examples/profile_paper_sizes.py [--study sizes|fig6|table8]
[--batch-sizes 1 64] [--repeats N] [--n-jobs N] [--models secnn degram dual] [--out CSV]``
(about a minute on one core with the defaults, ``--batch-sizes 1 --repeats 3``, most
of it the dual-branch network; batch 64 takes far longer on a CPU).
"""

import argparse
import sys
from pathlib import Path

import pandas as pd
import torch

from skaudio.models import profile
from skaudio.nn import SECNN, DEGramNet, DualBranchNet

#: short name: (row label, network, its input clip, what the paper reports)
SETUPS = {
    "secnn": (
        "SE-CNN [NMF]",
        lambda: SECNN.paper(n_classes=50),
        (128, 431),
        "21,569,906 params; 14.09 (l.695) or 10.09 (l.807) GFLOPs",
    ),
    "degram": (
        "DEGramNet [DEG]",
        lambda: DEGramNet.paper(n_classes=309),
        (257, 101),
        "Fig. 6, 1 s spectrogram: ResNet-18/34/50 4.19/8.64/9.62 GFLOPs",
    ),
    "dual": (
        "DualBranchNet [E2E]",
        lambda: DualBranchNet.paper(n_classes=10),
        (4 * 22050,),
        "no parameter count or FLOPs in the paper",
    ),
}


FRAMES_PER_SECOND = 100  # [DEG]: 16 kHz, hop 160 (as VGGSound's spectrograms)


def _degram(frontend, backbone):
    return lambda: DEGramNet.paper(n_classes=309, frontend=frontend, backbone=backbone)


#: [DEG] Fig. 6: three front ends x three ResNets, 1 s of audio
FIG6 = {
    f"{frontend}-{backbone}": (
        f"{frontend} {backbone} [DEG] Fig. 6",
        _degram(frontend, backbone),
        (257, FRAMES_PER_SECOND + 1),
        paper,
    )
    for backbone, spec_gflops in (("resnet18", 4.19), ("resnet34", 8.64), ("resnet50", 9.62))
    for frontend, paper in (
        ("spectrogram", f"{spec_gflops} GFLOPs"),
        ("sincgram", f"about half of {spec_gflops} GFLOPs"),
        ("degram", "SincGram's plus a negligible amount"),
    )
}

#: [DEG] Table 8: latency at 1, 3, 5 and 10 s (Jetson Xavier NX CPU, ms)
TABLE8_JETSON_CPU = {
    "spectrogram-resnet18": {1: 220, 3: 298, 5: 354, 10: 479},
    "degram-resnet18": {1: 212, 3: 244, 5: 278, 10: 362},
    "spectrogram-resnet34": {1: 284, 3: 408, 5: 499, 10: 745},
}
TABLE8 = {
    f"{name}-{seconds}s": (
        f"{name} {seconds} s [DEG] Table 8",
        _degram(*name.split("-")),
        (257, seconds * FRAMES_PER_SECOND + 1),
        f"Jetson NX CPU {ms} ms",
    )
    for name, times in TABLE8_JETSON_CPU.items()
    for seconds, ms in times.items()
}

#: the papers' training runs at paper size: network, training clip, training clips per epoch
#: (the train share of each protocol; VGGSound: all of its about 200 k clips, an upper bound)
EXPERIMENTS = {
    "nmf-esc50": ("[NMF] SE-CNN, ESC-50", lambda: SECNN.paper(n_classes=50), (128, 431), 1280),
    "deg-vggsound": (
        "[DEG] DEGramNet, VGGSound, 5 s crops",
        lambda: DEGramNet.paper(n_classes=309),
        (257, 501),
        200_000,
    ),
    "deg-voxceleb1": (
        "[DEG] DEGramNet, VoxCeleb1, 5 s crops",
        lambda: DEGramNet.paper(n_classes=1251),
        (257, 501),
        138_361,
    ),
    "deg-resnet18-vggsound": (
        "[DEG] Spectrogram ResNet-18, VGGSound, 5 s",
        _degram("spectrogram", "resnet18"),
        (257, 501),
        200_000,
    ),
    "e2e-esc50": (
        "[E2E] dual-branch, ESC-50 80 %",
        lambda: DualBranchNet.paper(n_classes=50),
        (88200,),
        1600,
    ),
    "e2e-us8k": (
        "[E2E] dual-branch, UrbanSound8K 80 %",
        lambda: DualBranchNet.paper(n_classes=10),
        (88200,),
        6986,
    ),
}

STUDIES = {
    "sizes": SETUPS,
    "fig6": FIG6,
    "table8": TABLE8,
    "experiments": {k: (label, build, shape, n) for k, (label, build, shape, n) in EXPERIMENTS.items()},
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.strip().split("\n")[0])
    parser.add_argument(
        "--batch-sizes", type=int, nargs="+", default=[1], help="latency batch sizes (default: 1)"
    )
    parser.add_argument("--repeats", type=int, default=3, help="timed passes per batch size (default: 3)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed passes first (default: 1)")
    parser.add_argument("--n-jobs", type=int, default=1, help="torch threads (default: 1)")
    parser.add_argument("--study", choices=list(STUDIES), default="sizes", help="which networks")
    parser.add_argument("--models", nargs="+", default=None, help="networks of the study (default: all)")
    parser.add_argument("--out", type=Path, default=None, help="write the table to this CSV file")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    torch.manual_seed(0)
    setups = STUDIES[args.study]
    keys = list(setups) if args.models is None else args.models
    unknown = sorted(set(keys) - set(setups))
    if unknown:
        print(f"unknown networks {unknown}; --study {args.study} has {list(setups)}", file=sys.stderr)
        return 2
    rows = []
    for key in keys:
        name, build, shape, paper = setups[key]
        net = build()
        x = torch.rand(1, *shape)
        if len(shape) == 1:  # a waveform in [-1, 1)
            x = 2 * x - 1
        row = profile(
            net,
            x,
            batch_sizes=tuple(args.batch_sizes),
            repeats=args.repeats,
            warmup=args.warmup,
            n_jobs=args.n_jobs,
        )
        row.insert(0, "network", name)
        row["gflops"] = row["flops"] / 1e9
        row["gmacs"] = row["macs"] / 1e9
        row["peak_activation_mib"] = row["peak_activation_bytes"] / 2**20
        row["paper"] = paper
        if args.study == "experiments":  # paper holds the training clips per epoch here
            # a training step costs about three forward passes (forward, two backward products)
            row["train_pflop_per_epoch"] = 3 * row["flops"] * paper / 1e15
        rows.append(row)
        print(row.drop(columns="paper").to_string(index=False), flush=True)
    table = pd.concat(rows, ignore_index=True)
    shown = ["network", "n_params", "gflops", "gmacs", "peak_activation_mib"]
    shown += [c for c in table.columns if c.startswith("latency_ms")] + ["n_threads", "paper"]
    shown += ["train_pflop_per_epoch"] if args.study == "experiments" else []
    print()
    with pd.option_context("display.width", 200, "display.max_colwidth", 70):
        print(table[shown].to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    if args.out is not None:  # the printed columns, rounded as printed
        table[shown].round(3).to_csv(args.out, index=False)
        print(f"table written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
