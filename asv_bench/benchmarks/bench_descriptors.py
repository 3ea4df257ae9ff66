"""Classic descriptors (MFCC, deltas, chroma, spectral descriptors, HPSS) beside librosa.

For each ``descriptor``, one run times three ways to get the same numbers for a
batch of ESC-50-shaped clips (5 s at 44.1 kHz; ``SKAUDIO_BENCH_CLIPS`` clips,
16 by default):

- ``time_skaudio``: the skaudio transformer on the whole batch;
- ``time_librosa_per_clip``: librosa's function clip by clip, as its users call it;
- ``time_librosa_batched``: librosa's function once on the ``(n_clips, ...)`` batch
  (librosa accepts multi-channel arrays). For chroma that call estimates one
  tuning for the whole batch, which is not the per-clip result; for spectral
  contrast its dB floor follows the batch's loudest clip: it is the speed
  reference, not an equal result.

``track_per_clip_ratio`` and ``track_batched_ratio`` are librosa's time over
skaudio's, measured back to back inside one call (best of 3 each), so above 1
means skaudio is faster. The issue's targets: at least 1 against the batched
call, and at least 3 against the per-clip loop for MFCC.
"""

import os
import time

import librosa
import numpy as np

from skaudio.features import HPSS, MFCC, Chroma, Deltas, SpectralDescriptors

SR = 44100
N_CLIPS = int(os.environ.get("SKAUDIO_BENCH_CLIPS", 16))
DESCRIPTORS = ("mfcc", "deltas", "chroma", "spectral", "hpss")


def _batch(n_clips=N_CLIPS, seconds=5.0):
    rng = np.random.default_rng(0)
    t = np.arange(int(SR * seconds)) / SR
    tones = np.sin(2 * np.pi * rng.uniform(100, 4000, (n_clips, 1)) * t)
    clicks = (rng.random((n_clips, t.size)) < 2e-4).astype(np.float64)
    return (0.3 * tones + 0.3 * clicks + 0.05 * rng.standard_normal((n_clips, t.size))).astype(np.float32)


def _spectral_one(y):
    kw = dict(sr=SR)
    return [
        librosa.feature.spectral_centroid(y=y, **kw),
        librosa.feature.spectral_bandwidth(y=y, **kw),
        librosa.feature.spectral_rolloff(y=y, **kw),
        librosa.feature.spectral_flatness(y=y),
        librosa.feature.spectral_contrast(y=y, **kw),
        librosa.feature.zero_crossing_rate(y),
        librosa.feature.rms(y=y),
    ]


class DescriptorSuite:
    """Seconds for the whole batch; divide by N_CLIPS for seconds per clip."""

    params = [DESCRIPTORS]
    param_names = ["descriptor"]
    timeout = 600

    def setup(self, descriptor):
        self.X = _batch()
        # the spectrogram-domain steps take what their users feed them
        self.M = librosa.feature.mfcc(y=self.X, sr=SR)  # (n_clips, 20, n_frames)
        self.S = np.abs(librosa.stft(self.X[:, : SR * 2])).astype(np.float32)  # 2 s: hpss is slow
        est, data = {
            "mfcc": (MFCC(sr=SR), self.X),
            "deltas": (Deltas(order=2), self.M),
            "chroma": (Chroma(sr=SR), self.X),
            "spectral": (SpectralDescriptors(sr=SR, stats=None), self.X),
            "hpss": (HPSS(output="both"), self.S),
        }[descriptor]
        self.est, self.data = est.fit(data[:1]), data
        self.est.transform(data[:2])  # compile / warm up
        self._librosa_one(descriptor, data[0])

    @staticmethod
    def _librosa_one(descriptor, x):
        if descriptor == "mfcc":
            return librosa.feature.mfcc(y=x, sr=SR)
        if descriptor == "deltas":
            return librosa.feature.delta(x, order=2)
        if descriptor == "chroma":
            return librosa.feature.chroma_stft(y=x, sr=SR)
        if descriptor == "spectral":
            return _spectral_one(x)
        return librosa.decompose.hpss(x)

    def time_skaudio(self, descriptor):
        self.est.transform(self.data)

    def time_librosa_per_clip(self, descriptor):
        for x in self.data:
            self._librosa_one(descriptor, x)

    def time_librosa_batched(self, descriptor):
        self._librosa_one(descriptor, self.data)

    def _best(self, func, descriptor, repeat=3):
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            func(descriptor)
            times.append(time.perf_counter() - t0)
        return min(times)

    def track_per_clip_ratio(self, descriptor):
        """librosa clip by clip over skaudio on the batch (above 1: skaudio faster)."""
        ours = self._best(self.time_skaudio, descriptor)
        return self._best(self.time_librosa_per_clip, descriptor) / ours

    track_per_clip_ratio.unit = "ratio"

    def track_batched_ratio(self, descriptor):
        """librosa's batched call over skaudio on the batch (above 1: skaudio faster)."""
        ours = self._best(self.time_skaudio, descriptor)
        return self._best(self.time_librosa_batched, descriptor) / ours

    track_batched_ratio.unit = "ratio"


if __name__ == "__main__":  # a quick table without asv: python asv_bench/benchmarks/bench_descriptors.py
    for name in DESCRIPTORS:
        suite = DescriptorSuite()
        suite.setup(name)
        print(
            f"{name:<9s} per-clip ratio {suite.track_per_clip_ratio(name):6.2f}  "
            f"batched ratio {suite.track_batched_ratio(name):6.2f}"
        )
