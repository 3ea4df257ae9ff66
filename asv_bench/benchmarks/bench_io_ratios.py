"""Reading audio files against the loops users would write instead, as ratios from one run (issue 26).

Each ``track_*_ratio`` times skaudio and its peer interleaved in the same process and
returns the median of skaudio's times over the median of the peer's (medians of 7;
below 1: skaudio is faster):

- ``LoadAudioRatio.track_native_over_soundfile_loop_ratio``: ``load_audio(files)`` at the
  files' own rate (one ``(n_files, n_samples)`` array) over ``[soundfile.read(f,
  dtype="float32") for f in files]`` (a list, not even stacked);
- ``LoadAudioRatio.track_resampled_over_librosa_loop_ratio``: ``load_audio(files,
  sr=22050)`` over ``[librosa.load(f, sr=22050) for f in files]`` (both resample with
  soxr HQ);
- both with ``n_jobs`` 1 and 2 (threads) for ``load_audio``; the peers run on one thread;
- ``Esc50JobRatio.track_esc50_job_over_librosa_ratio``: the ESC-50-sized job, 2000 files
  read at 22.05 kHz, log-mel (2048/512, 128 bands, dB re the clip's max) and its mean and
  max over time, with ``load_audio`` + :class:`~skaudio.features.MelSpectrogram` over the
  librosa way (``librosa.load`` + ``melspectrogram`` + ``power_to_db`` per file), one thread.

The files are ESC-10's clips (5 s, 44.1 kHz, 16-bit mono WAV) from the shared data folder
(``$SKAUDIO_SHARED_DATA`` or ``../shared/data`` beside the repository), repeated to reach
the count (2000 for the job: ESC-10 has 400); without that folder, synthetic WAVs of the
same format are written to a temporary folder. ``SKAUDIO_BENCH_FILES`` and
``SKAUDIO_BENCH_JOB_FILES`` change the counts (32 and 2000).

``python asv_bench/benchmarks/bench_io_ratios.py`` prints every ratio without asv
(``--quick``: the job on 200 files); ``python asv_bench/ratio_table.py`` writes them, with
every other ratio, for the performance page of the docs.
"""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

try:  # asv imports the benchmarks as a package; run as a script, this folder is on sys.path
    from ._timing import interleaved_ratio
except ImportError:
    from _timing import interleaved_ratio

N_FILES = int(os.environ.get("SKAUDIO_BENCH_FILES", 32))
N_JOB_FILES = int(os.environ.get("SKAUDIO_BENCH_JOB_FILES", 2000))
SR, SECONDS, TARGET_SR = 44100, 5.0, 22050
N_FFT, HOP, N_MELS = 2048, 512, 128


def _one_thread():
    import numba
    from threadpoolctl import threadpool_limits

    numba.set_num_threads(1)
    threadpool_limits(1)  # librosa's mel product goes through BLAS


def _shared_esc10():
    root = os.environ.get("SKAUDIO_SHARED_DATA")
    root = Path(root) if root else Path(__file__).resolve().parents[3] / "shared" / "data"
    return sorted((root / "esc10" / "audio").glob("*.wav"))


_synthetic_dir = None


def _synthetic(n):
    """``n`` WAVs like ESC-10's (5 s, 44.1 kHz, PCM_16, mono) in a temporary folder."""
    global _synthetic_dir
    import soundfile as sf

    if _synthetic_dir is None:
        _synthetic_dir = tempfile.mkdtemp(prefix="skaudio_bench_io_")
        atexit.register(shutil.rmtree, _synthetic_dir, ignore_errors=True)
    rng = np.random.default_rng(0)
    t = np.arange(int(SR * SECONDS)) / SR
    paths = []
    for i in range(n):
        path = Path(_synthetic_dir) / f"clip{i:03d}.wav"
        if not path.exists():
            y = 0.3 * np.sin(2 * np.pi * rng.uniform(100, 4000) * t) + 0.05 * rng.standard_normal(t.size)
            sf.write(path, y.astype(np.float32), SR, subtype="PCM_16")
        paths.append(path)
    return paths


def files(n):
    """``n`` paths of 5 s clips: ESC-10's, repeated if needed, or synthetic ones."""
    real = _shared_esc10()
    pool = real if real else _synthetic(min(n, 400))
    return [str(pool[i % len(pool)]) for i in range(n)]


class LoadAudioRatio:
    """``load_audio`` over a per-file loop of ``soundfile.read`` / ``librosa.load`` (32 files)."""

    params = [(1, 2)]
    param_names = ["n_jobs"]
    timeout = 300

    def setup(self, n_jobs):
        _one_thread()
        self.files = files(N_FILES)

    def track_native_over_soundfile_loop_ratio(self, n_jobs):
        import soundfile as sf

        from skaudio.io import load_audio

        return interleaved_ratio(
            lambda: load_audio(self.files, n_jobs=n_jobs),
            lambda: [sf.read(f, dtype="float32")[0] for f in self.files],
        )

    track_native_over_soundfile_loop_ratio.unit = "ratio"

    def track_resampled_over_librosa_loop_ratio(self, n_jobs):
        import librosa

        from skaudio.io import load_audio

        return interleaved_ratio(
            lambda: load_audio(self.files, sr=TARGET_SR, n_jobs=n_jobs),
            lambda: [librosa.load(f, sr=TARGET_SR)[0] for f in self.files],
        )

    track_resampled_over_librosa_loop_ratio.unit = "ratio"


def skaudio_job(paths, n_jobs=1):
    """Mean and max over time of each file's log-mel at 22.05 kHz: ``(n_files, 2 * N_MELS)``."""
    from skaudio.features import MelSpectrogram
    from skaudio.io import load_audio

    X, _ = load_audio(paths, sr=TARGET_SR, n_jobs=n_jobs)
    mel = MelSpectrogram(sr=TARGET_SR, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS, n_jobs=n_jobs)
    S = mel.fit_transform(X)
    return np.concatenate([S.mean(axis=2), S.max(axis=2)], axis=1)


def librosa_job(paths):
    """The same features the librosa way, file by file."""
    import librosa

    rows = []
    for path in paths:
        y, _ = librosa.load(path, sr=TARGET_SR)
        S = librosa.feature.melspectrogram(y=y, sr=TARGET_SR, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS)
        S = librosa.power_to_db(S, ref=np.max)
        rows.append(np.concatenate([S.mean(axis=1), S.max(axis=1)]))
    return np.stack(rows)


class Esc50JobRatio:
    """The ESC-50-sized job (2000 files -> 22.05 kHz -> log-mel -> mean and max over time)."""

    timeout = 1800
    number = 1
    repeat = 1

    def setup(self):
        _one_thread()
        self.files = files(N_JOB_FILES)

    def track_esc50_job_over_librosa_ratio(self):
        return interleaved_ratio(lambda: skaudio_job(self.files), lambda: librosa_job(self.files))

    track_esc50_job_over_librosa_ratio.unit = "ratio"


if __name__ == "__main__":
    import sys

    suite = LoadAudioRatio()
    for n_jobs in LoadAudioRatio.params[0]:
        suite.setup(n_jobs)
        ratio = suite.track_native_over_soundfile_loop_ratio(n_jobs)
        print(f"load_audio n_jobs={n_jobs} / soundfile.read loop     {ratio:.2f}", flush=True)
        ratio = suite.track_resampled_over_librosa_loop_ratio(n_jobs)
        print(f"load_audio sr=22050 n_jobs={n_jobs} / librosa.load loop  {ratio:.2f}", flush=True)
    job = Esc50JobRatio()
    job.setup()
    if "--quick" in sys.argv:
        job.files = job.files[:200]
    ratio = job.track_esc50_job_over_librosa_ratio()
    print(f"ESC-50-sized job ({len(job.files)} files) / the librosa way  {ratio:.2f}", flush=True)
