"""The 16 preservation metrics: skaudio's numba kernels beside numpy/scipy/librosa per clip.

``time_skaudio_all`` and ``time_peer_all`` compute the same 16 numbers per clip
for a batch of log-mel-like maps against their 2x2 average-pooled version; the
ratio of the two is the speed-up. The peer is what a user would write without
skaudio: numpy and scipy.stats for the statistics, ``numpy.histogram`` and
``scipy.stats.entropy`` for entropy and KL, ``librosa.feature.spectral_*`` for
the spectral descriptors, clip by clip, and ``scipy.spatial.distance.cdist``
for the Lipschitz estimate over pairs of clips.
"""

import librosa
import numpy as np
import scipy.spatial.distance as ssd
import scipy.stats

from skaudio.metrics import preservation_metrics


def _logmel_like(n_clips, n_mels=128, n_frames=431, seed=0):
    """dB-re-max maps with a floor at -80 dB, a spectral tilt and sparse events."""
    rng = np.random.default_rng(seed)
    power = rng.gamma(0.3, size=(n_clips, n_mels, n_frames))
    power *= np.linspace(1.0, 0.01, n_mels)[None, :, None]
    power[:, :, ::7] *= 20.0
    S = 10 * np.log10(power + 1e-12)
    S -= S.max(axis=(1, 2), keepdims=True)
    return np.maximum(S, -80.0).astype(np.float32)


def _avg_pool(S):
    n, F, T = S.shape
    return (
        S[:, : F // 2 * 2, : T // 2 * 2].reshape(n, F // 2, 2, T // 2, 2).mean(axis=(2, 4)).astype(np.float32)
    )


def _upsample(p, F, T):
    up = np.repeat(np.repeat(p, 2, axis=0), 2, axis=1)
    up = np.pad(up, ((0, max(0, F - up.shape[0])), (0, max(0, T - up.shape[1]))), mode="edge")
    return up[:F, :T]


def _gini(x):
    x = np.sort(x.ravel())
    return (x.size + 1 - 2 * (np.cumsum(x) / x.sum()).sum()) / x.size


def _frame_mean(fn, S, freqs, **kw):
    values = fn(S=S, freq=freqs, **kw)[0]
    return values[S.sum(axis=0) > 0].mean()


def _peer_clip(s, p, freqs, pfreqs, sr, n_bins=64, eps=1e-10, tol=0.01):
    s = s.astype(np.float64)
    p = p.astype(np.float64)
    off = min(0.0, s.min(), p.min())
    rng = (min(s.min(), p.min()), max(s.max(), p.max()))
    hs = np.histogram(s, bins=n_bins, range=rng)[0]
    hp = np.histogram(p, bins=n_bins, range=rng)[0]
    thr = s.min() + tol * (s.max() - s.min())
    up = _upsample(p, *s.shape)
    cen = librosa.feature.spectral_centroid
    bw = librosa.feature.spectral_bandwidth
    con = librosa.feature.spectral_contrast
    return {
        "variance": np.var(p) / np.var(s),
        "mean": np.mean(p) / np.mean(s),
        "skewness": scipy.stats.skew(p.ravel()) / scipy.stats.skew(s.ravel()),
        "kurtosis": scipy.stats.kurtosis(p.ravel(), fisher=False)
        / scipy.stats.kurtosis(s.ravel(), fisher=False),
        "entropy": scipy.stats.entropy(hp) / scipy.stats.entropy(hs),
        "sparsity": np.mean(p <= thr) / np.mean(s <= thr),
        "gini": _gini(p - off) / _gini(s - off),
        "kl_divergence": scipy.stats.entropy(hs / hs.sum() + eps, hp / hp.sum() + eps),
        "cosine_similarity": 1.0 - ssd.cosine(s.ravel(), up.ravel()),
        "correlation": np.corrcoef(s.ravel(), up.ravel())[0, 1],
        "temporal_variance": np.var(p.mean(axis=0)) / np.var(s.mean(axis=0)),
        "spectral_centroid": _frame_mean(cen, p - off, pfreqs) / _frame_mean(cen, s - off, freqs),
        "spectral_bandwidth": _frame_mean(bw, p - off, pfreqs) / _frame_mean(bw, s - off, freqs),
        "spectral_contrast": (
            con(S=p - off, freq=pfreqs, sr=sr, linear=True).mean()
            / con(S=s - off, freq=freqs, sr=sr, linear=True).mean()
        ),
        "compression_ratio": s.size / p.size,
    }


def peer_all(S, P, freqs, sr):
    """The 16 metrics composed from numpy/scipy/librosa, clip by clip."""
    pfreqs = freqs[: 2 * P.shape[1]].reshape(-1, 2).mean(axis=1)
    rows = [_peer_clip(s, p, freqs, pfreqs, sr) for s, p in zip(S, P)]
    out = {k: np.array([r[k] for r in rows]) for k in rows[0]}
    n = S.shape[0]
    ds = ssd.cdist(S.reshape(n, -1), S.reshape(n, -1)) / np.sqrt(S[0].size)
    dp = ssd.cdist(P.reshape(n, -1), P.reshape(n, -1)) / np.sqrt(P[0].size)
    q = dp / np.where(ds > 0, ds, np.inf)
    np.fill_diagonal(q, -np.inf)
    out["lipschitz"] = q.max(axis=1)
    return out


class PreservationMetrics:
    """All 16 metrics for a (n_clips, 128, 431) batch against its 2x2-pooled version."""

    params = [[40, 400]]
    param_names = ["n_clips"]
    number = 1
    repeat = (1, 3, 60.0)
    timeout = 900

    def setup(self, n_clips):
        self.S = _logmel_like(n_clips)
        self.P = _avg_pool(self.S)
        self.sr = 16000
        self.freqs = librosa.mel_frequencies(128 + 2, fmax=self.sr / 2)[1:-1]
        # compile the kernels outside the timing
        preservation_metrics(self.S[:2], self.P[:2], freqs=self.freqs, sr=self.sr)

    def time_skaudio_all(self, n_clips):  # all cores, explicitly (None keeps numba's setting)
        preservation_metrics(self.S, self.P, freqs=self.freqs, sr=self.sr, n_jobs=-1)

    def time_skaudio_all_one_thread(self, n_clips):
        preservation_metrics(self.S, self.P, freqs=self.freqs, sr=self.sr, n_jobs=1)

    def time_peer_all(self, n_clips):
        peer_all(self.S, self.P, self.freqs, self.sr)

    def peakmem_skaudio_all(self, n_clips):
        preservation_metrics(self.S, self.P, freqs=self.freqs, sr=self.sr, n_jobs=-1)


class SingleMetrics:
    """The costliest single metrics on 400 clips, skaudio beside its peer."""

    number = 1
    repeat = (1, 3, 30.0)
    timeout = 300

    def setup(self):
        self.S = _logmel_like(400)
        self.P = _avg_pool(self.S)
        preservation_metrics(self.S[:2], self.P[:2])

    def time_skaudio_spectral_contrast(self):
        preservation_metrics(self.S, self.P, ["spectral_contrast"], sr=16000)

    def time_librosa_spectral_contrast(self):
        freqs = librosa.fft_frequencies(sr=16000, n_fft=2 * (self.S.shape[1] - 1))
        pfreqs = freqs[: 2 * self.P.shape[1]].reshape(-1, 2).mean(axis=1)
        for s, p in zip(self.S, self.P):
            off = min(0.0, float(s.min()), float(p.min()))
            librosa.feature.spectral_contrast(S=s - off, freq=freqs, sr=16000, linear=True).mean()
            librosa.feature.spectral_contrast(S=p - off, freq=pfreqs, sr=16000, linear=True).mean()

    def time_skaudio_lipschitz(self):
        preservation_metrics(self.S, self.P, ["lipschitz"])

    def time_scipy_lipschitz(self):
        n = self.S.shape[0]
        ssd.cdist(self.S.reshape(n, -1), self.S.reshape(n, -1))
        ssd.cdist(self.P.reshape(n, -1), self.P.reshape(n, -1))
