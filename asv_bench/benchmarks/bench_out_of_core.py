"""Peak memory of out-of-core log-mel extraction: bounded by one chunk, not by the number of clips.

``ExtractToMemmapSuite.peakmem_extract_to_memmap`` extracts ESC-50-shaped
log-mels (5-s clips at 44.1 kHz, ``n_fft=2048``, ``hop_length=512``, 128 mels)
from WAV files into a ``.npy`` file with :func:`skaudio.features.extract_to_memmap`
(64 files per chunk), for 200 and 2000 clips; read the two numbers side by
side: they should match. ``peakmem_in_memory`` is what a user would otherwise
do, ``make_pipeline(AudioLoader, MelSpectrogram).fit_transform(files)``, which
grows with the number of clips (about 1.8 GB of audio for 2000 clips).

The 2000 WAV files (16-bit, 880 MB) are written once per asv run in
``setup_cache``. Without asv, for a quick table::

    python asv_bench/benchmarks/bench_out_of_core.py [--clips 200 2000] [--folder DIR]

runs each measurement in a fresh process and prints its peak resident memory
(``getrusage`` maxrss) and the memory right after the imports.
"""

import os
import shutil
import tempfile

import numpy as np

SR, SECONDS, N_FFT, HOP, N_MELS = 44100, 5.0, 2048, 512, 128
CHUNK = 64
N_MAX = 2000


def write_clips(folder, n_clips=N_MAX):
    """Write ``n_clips`` 5-s 16-bit WAV files (a tone in noise each) into ``folder``; keep existing ones."""
    import soundfile as sf

    os.makedirs(folder, exist_ok=True)
    t = np.arange(int(SR * SECONDS)) / SR
    files = []
    for i in range(n_clips):
        path = os.path.join(folder, f"clip{i:05d}.wav")
        if not os.path.exists(path):
            rng = np.random.default_rng(i)
            y = 0.3 * np.sin(2 * np.pi * rng.uniform(100, 4000) * t) + 0.05 * rng.standard_normal(t.size)
            sf.write(path, y.astype(np.float32), SR, subtype="PCM_16")
        files.append(path)
    return files


def _mel():
    from skaudio.features import MelSpectrogram

    return MelSpectrogram(sr=SR, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS)


def extract(files, out):
    from skaudio.features import extract_to_memmap

    return extract_to_memmap(_mel(), files, out, chunk_size=CHUNK, sr=SR, duration=SECONDS)


def in_memory(files):
    from sklearn.pipeline import make_pipeline

    from skaudio.features import AudioLoader

    return make_pipeline(AudioLoader(sr=SR, duration=SECONDS), _mel()).fit_transform(files)


class ExtractToMemmapSuite:
    """Peak resident memory of the benchmark process (bytes)."""

    params = [200, 2000]
    param_names = ["n_clips"]
    timeout = 1800

    def setup_cache(self):
        return write_clips(os.path.abspath("clips"))

    def setup(self, files, n_clips):
        self.files = files[:n_clips]
        self.out = tempfile.mkdtemp()

    def teardown(self, files, n_clips):
        shutil.rmtree(self.out, ignore_errors=True)

    def peakmem_extract_to_memmap(self, files, n_clips):
        extract(self.files, os.path.join(self.out, "logmel.npy"))

    def peakmem_in_memory(self, files, n_clips):
        in_memory(self.files)


def _measure(kind, folder, n_clips):
    """Run one extraction in this (fresh) process; print its peak memory."""
    import resource
    import time

    import skaudio.features  # noqa: F401  (imports counted in the baseline)

    files = sorted(os.path.join(folder, f) for f in os.listdir(folder) if f.endswith(".wav"))[:n_clips]
    assert len(files) == n_clips, f"{folder} has {len(files)} clips, need {n_clips}"
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    out = tempfile.mkdtemp()
    try:
        if kind == "memmap":
            S = extract(files, os.path.join(out, "logmel.npy"))
        else:
            S = in_memory(files)
        shape = S.shape
        del S
    finally:
        shutil.rmtree(out, ignore_errors=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{kind:8s} {n_clips:5d} clips  peak {peak:7.1f} MiB  after imports {base:6.1f} MiB  "
        f"{time.perf_counter() - start:6.1f} s  output {shape}",
        flush=True,
    )


if __name__ == "__main__":
    import argparse
    import subprocess
    import sys

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clips", type=int, nargs="+", default=[200, 2000])
    parser.add_argument("--folder", default=os.path.join(tempfile.gettempdir(), "skaudio_bench_clips"))
    parser.add_argument("--in-memory", action="store_true", help="also measure the in-memory pipeline")
    parser.add_argument("--measure", nargs=3, metavar=("KIND", "FOLDER", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        _measure(args.measure[0], args.measure[1], int(args.measure[2]))
        sys.exit(0)
    write_clips(args.folder, max(args.clips))
    kinds = ["memmap", "memory"] if args.in_memory else ["memmap"]
    for kind in kinds:
        for n in args.clips:
            subprocess.run([sys.executable, __file__, "--measure", kind, args.folder, str(n)], check=True)
