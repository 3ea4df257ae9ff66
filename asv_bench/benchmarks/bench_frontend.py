"""Log-mel front end on an ESC-50-shaped batch, beside its peers.

Read the ratios from one run: ``MelSpectrogramSuite.time_skaudio_*`` against
``time_librosa_per_clip`` (librosa warmed up, one clip per call, as its users
call it) and against ``time_fft_floor`` (a batched, multi-threaded real FFT of
the same windowed frames, the least any STFT-based front end must do).
"""

import os

import librosa
import numpy as np
import scipy.fft

from skaudio.features import MelSpectrogram

SR, N_FFT, HOP, N_MELS = 44100, 2048, 512, 128
N_CLIPS = int(os.environ.get("SKAUDIO_BENCH_CLIPS", 64))


def _batch(n_clips=N_CLIPS, seconds=5.0):
    rng = np.random.default_rng(0)
    t = np.arange(int(SR * seconds)) / SR
    tones = np.sin(2 * np.pi * rng.uniform(100, 4000, (n_clips, 1)) * t)
    return (0.3 * tones + 0.05 * rng.standard_normal((n_clips, t.size))).astype(np.float32)


class MelSpectrogramSuite:
    """Seconds for the whole batch; divide by N_CLIPS for seconds per clip."""

    timeout = 300

    def setup(self):
        self.X = _batch()
        self.mel = {
            b: MelSpectrogram(sr=SR, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS, backend=b).fit(self.X[:1])
            for b in ("numba", "torch")
        }
        for est in self.mel.values():
            est.transform(self.X[:2])  # compile / warm up
        self._librosa_one(self.X[0])
        padded = np.pad(self.X, ((0, 0), (N_FFT // 2, N_FFT // 2)))
        frames = np.lib.stride_tricks.sliding_window_view(padded, N_FFT, axis=1)[:, ::HOP]
        self.frames = np.ascontiguousarray(
            frames * librosa.filters.get_window("hann", N_FFT).astype(np.float32)
        )

    @staticmethod
    def _librosa_one(y):
        S = librosa.feature.melspectrogram(y=y, sr=SR, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS)
        return librosa.power_to_db(S, ref=np.max)

    def time_skaudio_numba(self):
        self.mel["numba"].transform(self.X)

    def time_skaudio_torch(self):
        self.mel["torch"].transform(self.X)

    def time_librosa_per_clip(self):
        for y in self.X:
            self._librosa_one(y)

    def time_fft_floor(self):
        scipy.fft.rfft(self.frames, axis=-1, workers=-1)

    def peakmem_skaudio_numba(self):
        self.mel["numba"].transform(self.X)


if __name__ == "__main__":  # a quick table without asv: python asv_bench/benchmarks/bench_frontend.py
    import timeit

    suite = MelSpectrogramSuite()
    suite.setup()
    res = {}
    for name in ("time_fft_floor", "time_skaudio_numba", "time_skaudio_torch", "time_librosa_per_clip"):
        res[name] = min(timeit.repeat(getattr(suite, name), number=1, repeat=5)) / N_CLIPS * 1e3
        print(f"{name:<24s} {res[name]:7.3f} ms/clip")
    print(f"librosa / skaudio-numba: {res['time_librosa_per_clip'] / res['time_skaudio_numba']:.2f}x")
    print(f"skaudio-numba / FFT floor: {res['time_skaudio_numba'] / res['time_fft_floor']:.2f}x")
