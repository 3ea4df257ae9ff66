"""Run every ``track_*_ratio`` benchmark once, without asv, and write the numbers for the docs.

``python asv_bench/ratio_table.py`` runs the suites of ``benchmarks/bench_io_ratios.py``,
``benchmarks/bench_torch_ratios.py`` and ``benchmarks/bench_descriptors.py`` (and, with
``--models``, ``benchmarks/bench_models.py``) and writes

- ``docs/user_guide/performance_ratios.csv``: one row per ratio, always as skaudio's
  time over the peer's (below 1: skaudio is faster; the descriptor suites report the
  inverse to asv and are turned round here);
- ``docs/user_guide/performance_ratios_run.txt``: where and when each group was measured.

``--only GROUP`` (repeatable) runs some groups and keeps the other rows of the table.

The page ``docs/user_guide/performance.rst`` includes both, so quoted numbers always come
from a run of this script. Run it on a quiet machine: each ratio times both sides
interleaved in one process, but a loaded machine still adds noise.
"""

import argparse
import csv
import datetime
import os
import platform
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DOCS = HERE.parent / "docs" / "user_guide"
sys.path.insert(0, str(HERE / "benchmarks"))
sys.path.insert(0, str(HERE.parent))


def _io_rows(quick):
    import bench_io_ratios as io

    source = "ESC-10 files" if io._shared_esc10() else "synthetic 5 s WAVs"
    suite = io.LoadAudioRatio()
    for n_jobs in io.LoadAudioRatio.params[0]:
        suite.setup(n_jobs)
        peers = "peer on 1 thread" if n_jobs > 1 else "1 thread"
        yield (
            "bench_io_ratios.LoadAudioRatio.track_native_over_soundfile_loop_ratio",
            f"n_jobs={n_jobs}",
            suite.track_native_over_soundfile_loop_ratio(n_jobs),
            f"load_audio(files) at 44.1 kHz over a soundfile.read(dtype='float32') loop; "
            f"{io.N_FILES} {source}; {peers}",
        )
        yield (
            "bench_io_ratios.LoadAudioRatio.track_resampled_over_librosa_loop_ratio",
            f"n_jobs={n_jobs}",
            suite.track_resampled_over_librosa_loop_ratio(n_jobs),
            f"load_audio(files, sr=22050) over a librosa.load(sr=22050) loop; {io.N_FILES} {source}; {peers}",
        )
    job = io.Esc50JobRatio()
    job.setup()
    if quick:
        job.files = job.files[:200]
    yield (
        "bench_io_ratios.Esc50JobRatio.track_esc50_job_over_librosa_ratio",
        f"{len(job.files)} files",
        job.track_esc50_job_over_librosa_ratio(),
        f"{source} -> 22.05 kHz -> log-mel -> mean and max over time: load_audio + MelSpectrogram "
        "over librosa.load + melspectrogram + power_to_db per file; 1 thread",
    )


def _torch_rows():
    import bench_torch_ratios as tr

    suite = tr.TorchFrontendRatio()
    suite.setup()
    shape = f"{tr.N_CLIPS} clips of {tr.SECONDS:g} s at {tr.SR} Hz"
    yield (
        "bench_torch_ratios.TorchFrontendRatio.track_mel_module_over_librosa_loop_ratio",
        "",
        suite.track_mel_module_over_librosa_loop_ratio(),
        f"skaudio.nn.MelSpectrogramModule forward (CPU) over librosa's per-clip log-mel loop; {shape}; "
        "1 thread",
    )
    yield (
        "bench_torch_ratios.TorchFrontendRatio.track_mel_module_over_rfft_floor_ratio",
        "",
        suite.track_mel_module_over_rfft_floor_ratio(),
        f"the same over a bare torch.fft.rfft of the framed signal plus the mel product; {shape}; 1 thread",
    )
    pools = tr.TorchPoolingRatio()
    for method in tr.TorchPoolingRatio.params[0]:
        for regions in tr.TorchPoolingRatio.params[1]:
            pools.setup(method, regions)
            peer = "LPPool2d" if tr.POOL_PEER.get(method) == "lp" else "AvgPool2d"
            geometry = "2x2 tiles" if regions == "tiled" else "3x3 stride 2"
            yield (
                "bench_torch_ratios.TorchPoolingRatio.track_pool2d_over_builtin_ratio",
                f"{method}, {regions}",
                pools.track_pool2d_over_builtin_ratio(method, regions),
                f"skaudio.nn.Pool2d forward + backward over torch.nn.{peer}; {tr.POOL_SHAPE}, "
                f"{geometry}; 1 thread",
            )


def _descriptor_rows():
    import bench_descriptors as bd

    for name in bd.DESCRIPTORS:
        suite = bd.DescriptorSuite()
        suite.setup(name)
        clips = f"{bd.N_CLIPS} clips of 5 s at {bd.SR} Hz"
        yield (
            "bench_descriptors.DescriptorSuite.track_per_clip_ratio",
            name,
            1.0 / suite.track_per_clip_ratio(name),
            f"the {name} transformer on the batch over librosa clip by clip; {clips}; best of 3 each, "
            "back to back (asv reports the inverse); numba's default threads",
        )
        yield (
            "bench_descriptors.DescriptorSuite.track_batched_ratio",
            name,
            1.0 / suite.track_batched_ratio(name),
            f"the {name} transformer over one librosa call on the whole batch; {clips}; best of 3 "
            "each, back to back (asv reports the inverse); numba's default threads",
        )


def _model_rows():
    import bench_models as bm

    for model in bm.TrainThroughput.params[0]:
        suite = bm.TrainThroughput()
        suite.setup(model)
        yield (
            "bench_models.TrainThroughput.track_epoch_time_ratio",
            model,
            suite.track_epoch_time_ratio(model),
            f"seconds per epoch of the skorch estimator over a plain torch loop; {bm.N_CLIPS} clips, "
            f"{bm.THREADS} threads; medians of 3",
        )
        latency = bm.ProfileLatency()
        latency.setup(model)
        yield (
            "bench_models.ProfileLatency.track_latency_ratio",
            model,
            latency.track_latency_ratio(model),
            f"latency that skaudio.models.profile reports over a plain timed forward; one 5 s clip, "
            f"{bm.THREADS} threads; medians of 3",
        )


def _cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


#: group of benchmarks -> the file that holds them
GROUPS = {
    "io": "bench_io_ratios",
    "torch": "bench_torch_ratios",
    "descriptors": "bench_descriptors",
    "models": "bench_models",
}


def _merge(path, groups, new_rows):
    """The rows of ``path`` whose group was not run now, then the new ones, in GROUPS order."""
    old = []
    if path.exists():
        with open(path, newline="") as f:
            old = list(csv.reader(f))[1:]
    modules = {GROUPS[g] for g in groups}
    rows = [r for r in old if r[0].split(".", 1)[0] not in modules] + new_rows
    order = list(GROUPS.values())
    return sorted(rows, key=lambda r: order.index(r[0].split(".", 1)[0]))  # stable within a file


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the ESC-50-sized job on 200 files, not 2000")
    parser.add_argument("--models", action="store_true", help="also the model ratios (minutes of training)")
    parser.add_argument(
        "--only",
        choices=tuple(GROUPS),
        action="append",
        help="run these groups; the table keeps the other groups' rows from its last run",
    )
    parser.add_argument("--out", default=str(DOCS / "performance_ratios.csv"))
    args = parser.parse_args(argv)
    groups = args.only or ["io", "torch", "descriptors"] + (["models"] if args.models else [])
    runs = {
        "io": lambda: _io_rows(args.quick),
        "torch": _torch_rows,
        "descriptors": _descriptor_rows,
        "models": _model_rows,
    }
    out = Path(args.out)
    note_path = out.with_name(out.stem + "_run.txt")
    notes = {}
    if note_path.exists():  # one line per group: "* ``group``: ..."
        for line in note_path.read_text().splitlines():
            if line.startswith("* ``"):
                notes[line[4:].split("``", 1)[0]] = line
    for group in groups:
        load_before = os.getloadavg()
        start = datetime.datetime.now(datetime.timezone.utc)
        rows = []
        for name, params, ratio, compares in runs[group]():
            print(f"{name} [{params}]  {ratio:.2f}", flush=True)
            rows.append([name, params, f"{ratio:.2f}", compares])
        load_after = os.getloadavg()
        merged = _merge(out, [group], rows)
        with open(out, "w", newline="") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(["benchmark", "case", "skaudio / peer", "what is compared"])
            writer.writerows(merged)
        quick = " --quick" if args.quick and group == "io" else ""
        notes[group] = (
            f"* ``{group}``: ``python asv_bench/ratio_table.py --only {group}{quick}`` on {start:%Y-%m-%d} "
            f"from {start:%H:%M} UTC, {_cpu_name()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}; load average {load_before[0]:.1f} at the start and "
            f"{load_after[0]:.1f} at the end."
        )
        note_path.write_text("\n".join(notes[g] for g in GROUPS if g in notes) + "\n")
        print(notes[group], flush=True)


if __name__ == "__main__":
    main()
