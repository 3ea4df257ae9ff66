"""The torch side against the torch built-ins and librosa, as ratios from one run (issue 26).

Each ``track_*_ratio`` times skaudio and its peer interleaved in the same process, one
thread, and returns the median of skaudio's times over the median of the peer's
(below 1: skaudio is faster). ``python asv_bench/benchmarks/bench_torch_ratios.py``
prints every ratio without asv.
"""

import numpy as np

try:  # asv imports the benchmarks as a package; run as a script, this folder is on sys.path
    from ._timing import interleaved_ratio
except ImportError:
    from _timing import interleaved_ratio

POOL_SHAPE = (64, 1, 128, 430)
SR, N_FFT, HOP, N_MELS, N_CLIPS, SECONDS = 44100, 2048, 512, 128, 32, 5.0
#: the built-in each learnable method is held against
POOL_PEER = {"lnp": "lp"}


def _one_thread():
    import torch

    torch.set_num_threads(1)


class TorchPoolingRatio:
    """``skaudio.nn.Pool2d`` forward + backward over the nearest torch built-in (``LPPool2d``
    for lnp, ``AvgPool2d`` otherwise), 2x2 regions (tiled) and 3x3 stride 2 (overlapping)."""

    params = [
        ("mixed", "lsp", "esp", "auto", "lnp", "lse", "power", "entropy", "attention"),
        ("tiled", "overlapping"),
    ]
    param_names = ["method", "regions"]
    timeout = 300

    def setup(self, method, regions):
        import torch

        from skaudio.nn import Pool2d

        _one_thread()
        rng = np.random.default_rng(0)
        power = rng.gamma(0.5, 1.0, POOL_SHAPE).astype(np.float32)
        x = power if method in ("lsp", "power", "entropy", "lnp") else 10 * np.log10(power + 1e-8)
        self.x = torch.from_numpy(x.astype(np.float32))
        geo = dict(kernel_size=2) if regions == "tiled" else dict(kernel_size=3, stride=2)
        self.layer = Pool2d(method, **geo)
        if POOL_PEER.get(method) == "lp":
            self.peer = torch.nn.LPPool2d(2.0, geo["kernel_size"], geo.get("stride"))
        else:
            self.peer = torch.nn.AvgPool2d(geo["kernel_size"], geo.get("stride"))

    def _step(self, module):
        x = self.x.clone().requires_grad_()
        module(x).sum().backward()

    def track_pool2d_over_builtin_ratio(self, method, regions):
        return interleaved_ratio(lambda: self._step(self.layer), lambda: self._step(self.peer))

    track_pool2d_over_builtin_ratio.unit = "ratio"

    def track_pool2d_map_passes(self, method, regions):
        """Work of one forward + backward in passes over the input map (see :func:`map_passes`);
        independent of machine load, unlike the ratio."""
        return map_passes(lambda: self._step(self.layer))

    track_pool2d_map_passes.unit = "passes"


class TorchFrontendRatio:
    """``MelSpectrogramModule`` forward on CPU (32 clips of 5 s at 44.1 kHz, log-mel) over
    librosa's per-clip loop, and over the floor: a bare ``torch.fft.rfft`` of the framed,
    windowed signal plus the mel product."""

    timeout = 300

    def setup(self):
        import torch
        import torch.nn.functional as F

        from skaudio.nn import MelSpectrogramModule

        _one_thread()
        rng = np.random.default_rng(0)
        self.X = (0.1 * rng.standard_normal((N_CLIPS, int(SR * SECONDS)))).astype(np.float32)
        self.xt = torch.from_numpy(self.X)
        self.module = MelSpectrogramModule(sr=SR, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS)
        window, basis = self.module.stft.window, self.module.mel.basis.T.contiguous()

        def floor():
            padded = F.pad(self.xt, (N_FFT // 2, N_FFT // 2))
            spec = torch.fft.rfft(padded.unfold(-1, N_FFT, HOP) * window)
            return torch.view_as_real(spec).square().sum(-1) @ basis

        self.floor = floor

    def _module(self):
        import torch

        with torch.inference_mode():
            self.module(self.xt)

    def _librosa_loop(self):
        import librosa

        for y in self.X:
            S = librosa.feature.melspectrogram(y=y, sr=SR, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS)
            librosa.power_to_db(S, ref=np.max)

    def _floor(self):
        import torch

        with torch.inference_mode():
            self.floor()

    def track_mel_module_over_librosa_loop_ratio(self):
        return interleaved_ratio(self._module, self._librosa_loop)

    track_mel_module_over_librosa_loop_ratio.unit = "ratio"

    def track_mel_module_over_rfft_floor_ratio(self):
        return interleaved_ratio(self._module, self._floor)

    track_mel_module_over_rfft_floor_ratio.unit = "ratio"


#: ops that only make views or allocate (no pass over the data)
_NO_PASS = {
    "aten::empty",
    "aten::empty_strided",
    "aten::empty_like",
    "aten::view",
    "aten::reshape",
    "aten::_unsafe_view",
    "aten::select",
    "aten::slice",
    "aten::expand",
    "aten::as_strided",
    "aten::permute",
    "aten::unsqueeze",
    "aten::squeeze",
    "aten::alias",
    "aten::detach",
    "aten::lift_fresh",
    "aten::resolve_conj",
    "aten::resolve_neg",
    "aten::item",
    "aten::_local_scalar_dense",
}


def map_passes(step):
    """Sum over the leaf torch ops of ``step()`` of their largest input, in units of the
    input map (``POOL_SHAPE``): an elementwise op over the map counts 1, one over a quarter
    map 0.25 (the largest input stands for the op's reads and writes)."""
    from torch.profiler import ProfilerActivity, profile

    step()
    with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
        step()
    total = 0
    for ev in prof.events():
        if not ev.name.startswith("aten::") or ev.name in _NO_PASS or ev.cpu_children:
            continue
        sizes = [int(np.prod(sh)) for sh in ev.input_shapes if isinstance(sh, list | tuple) and sh]
        total += max(sizes, default=0)
    return round(total / float(np.prod(POOL_SHAPE)), 1)


if __name__ == "__main__":
    import itertools

    suite = TorchFrontendRatio()
    suite.setup()
    print(f"mel module / librosa loop  {suite.track_mel_module_over_librosa_loop_ratio():.2f}", flush=True)
    print(f"mel module / rfft floor    {suite.track_mel_module_over_rfft_floor_ratio():.2f}", flush=True)
    pools = TorchPoolingRatio()
    for method, regions in itertools.product(*TorchPoolingRatio.params):
        pools.setup(method, regions)
        ratio = pools.track_pool2d_over_builtin_ratio(method, regions)
        ours, peer = (
            pools.track_pool2d_map_passes(method, regions),
            map_passes(lambda: pools._step(pools.peer)),
        )
        passes = f"{ours} / {peer}"
        print(f"Pool2d({method}) {regions:12s} / built-in  {ratio:.2f}  map passes {passes}", flush=True)
