"""Models: training throughput of the skorch estimators beside a plain PyTorch loop.

The issue's target: each estimator trains within 10 % of a hand-written PyTorch loop
training the same network on the same data (same batch size, optimiser, no
augmentation, no validation split). Each ``time_fit_*`` trains ``EPOCHS`` epochs on
``N_CLIPS`` clips, so clips per second = ``EPOCHS * N_CLIPS / time``; read the ratio
``time_fit_estimator / time_fit_plain_torch`` for each ``model`` (the whole ``fit``,
with its one-off batch-norm re-estimation pass) and ``track_epoch_time_ratio`` (the
training epochs alone). ``time_predict_one``
is the inference latency for one 5 s clip (22.05 kHz input; spectrograms for the
spectrogram networks). ``ProfileLatency`` checks that :func:`skaudio.models.profile`
reports the latency a plain forward pass has: ``track_latency_ratio`` should stay near 1.
"""

import numpy as np

N_CLIPS = 64
EPOCHS = 2
BATCH = 16
THREADS = 2
SR = 22050

# CPU-default networks; the input of each as the transformers produce it for 5 s at 22.05 kHz
_INPUTS = {
    "secnn": (64, 216),  # MelSpectrogram(n_fft=1024, hop_length=512, n_mels=64)
    "degram": (257, 431),  # Spectrogram(n_fft=512, hop_length=256), power
    "dual": (5 * SR,),  # waveform
}


def _setup_common(model):
    import torch

    torch.set_num_threads(THREADS)
    rng = np.random.default_rng(0)
    shape = _INPUTS[model]
    X = rng.random((N_CLIPS, *shape), dtype=np.float32)
    if model == "dual":
        X = X - 0.5
    y = np.arange(N_CLIPS) % 10
    return X, y


def _estimator(model):
    from skaudio.models import DEGramNetClassifier, DualBranchClassifier, SECNNClassifier

    plain = dict(
        max_epochs=EPOCHS,
        batch_size=BATCH,
        early_stopping=False,
        lr_schedule=None,
        noise=None,
        time_shift_prob=0.0,
        mixup_alpha=0.0,
        random_crop=None,
        random_state=0,
        n_jobs=THREADS,  # the estimators use 1 thread unless told; the plain loop has THREADS
    )
    if model != "dual":
        plain["spec_augment"] = None
    if model == "secnn":
        return SECNNClassifier(**plain)
    if model == "degram":
        return DEGramNetClassifier(module__sr=SR, module__freq_masks=0, module__time_masks=0, **plain)
    return DualBranchClassifier(module__freq_masks=0, module__time_masks=0, **plain)


def _network(model):
    from skaudio.nn import SECNN, DEGramNet, DualBranchNet

    if model == "secnn":
        return SECNN(n_classes=10)
    if model == "degram":
        return DEGramNet(n_classes=10, n_freqs=257, sr=SR, freq_masks=0, time_masks=0)
    return DualBranchNet(n_classes=10)


def plain_torch_fit(model, X, y, epochs=EPOCHS, batch_size=BATCH, seed=0):
    """The reference: a hand-written PyTorch loop, AdamW, shuffled mini-batches."""
    import torch

    torch.manual_seed(seed)
    net = _network(model)
    opt = torch.optim.AdamW(net.parameters(), lr=1e-3, weight_decay=1e-2)
    loss_fn = torch.nn.CrossEntropyLoss()
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y.astype(np.int64))
    net.train()
    for _ in range(epochs):
        perm = torch.randperm(len(Xt))
        for start in range(0, len(Xt), batch_size):
            idx = perm[start : start + batch_size]
            opt.zero_grad()
            loss = loss_fn(net(Xt[idx]), yt[idx])
            loss.backward()
            opt.step()
    return net


class TrainThroughput:
    """Training time of the estimator and of the plain loop, same network and data."""

    params = [("secnn", "degram", "dual")]
    param_names = ["model"]
    timeout = 600
    number = 1
    repeat = 3

    def setup(self, model):
        self.X, self.y = _setup_common(model)

    def time_fit_estimator(self, model):
        _estimator(model).fit(self.X, self.y)

    def time_fit_plain_torch(self, model):
        plain_torch_fit(model, self.X, self.y)

    def track_epoch_time_ratio(self, model):
        """Seconds per training epoch, estimator over plain loop (interleaved, medians of 3).

        The estimator's epochs come from skorch's history (``dur``: batches, loss
        bookkeeping and callbacks); what ``fit`` does once besides the epochs (building
        the network, re-estimating the batch norms with one forward pass over the
        training clips) is left out here and included in ``time_fit_estimator``.
        """
        import time

        est, plain = [], []
        for _ in range(3):
            clf = _estimator(model).fit(self.X, self.y)
            est.append(np.median(clf.history_[:, "dur"]))
            t0 = time.perf_counter()
            plain_torch_fit(model, self.X, self.y)
            plain.append((time.perf_counter() - t0) / EPOCHS)
        return float(np.median(est) / np.median(plain))

    track_epoch_time_ratio.unit = "ratio"


class InferenceLatency:
    """Prediction for one 5 s clip with a fitted estimator."""

    params = [("secnn", "degram", "dual")]
    param_names = ["model"]
    timeout = 600

    def setup(self, model):
        X, y = _setup_common(model)
        self.clf = _estimator(model).set_params(max_epochs=1).fit(X[:20], y[:20])
        self.one = X[:1]

    def time_predict_one(self, model):
        self.clf.predict_proba(self.one)


PROFILE_REPEATS = 5


def _clip(model):
    """One 5 s clip of ``model``'s input, as a torch batch of one."""
    import torch

    x = np.random.default_rng(0).random((1, *_INPUTS[model]), dtype=np.float32)
    return torch.from_numpy(x - 0.5 if model == "dual" else x)


def plain_latency_ms(net, x, repeats=PROFILE_REPEATS, warmup=2):
    """The reference: median of ``repeats`` timed ``net(x)`` in inference mode, in ms."""
    import time

    import torch

    net.eval()
    times = []
    with torch.inference_mode():
        for _ in range(warmup):
            net(x)
        for _ in range(repeats):
            t0 = time.perf_counter()
            net(x)
            times.append(time.perf_counter() - t0)
    return 1e3 * float(np.median(times))


class ProfileLatency:
    """Latency per clip (batch 1, 5 s) that ``profile`` reports, beside a plain forward pass.

    ``time_forward`` is asv's own timing of ``net(x)``; ``track_profile_latency_ms``
    what ``profile`` measures for the same network and clip; ``track_latency_ratio``
    the two measured in one run, interleaved, medians of 3 (profile over plain).
    """

    params = [("secnn", "degram", "dual")]
    param_names = ["model"]
    timeout = 600

    def setup(self, model):
        import torch

        torch.set_num_threads(THREADS)
        torch.manual_seed(0)
        self.net = _network(model).eval()
        self.x = _clip(model)

    def _profiled_ms(self):
        from skaudio.models import profile

        table = profile(self.net, self.x, batch_sizes=(1,), repeats=PROFILE_REPEATS, n_jobs=THREADS)
        return float(table["latency_ms_batch1"].iloc[0])

    def time_forward(self, model):
        import torch

        with torch.inference_mode():
            self.net(self.x)

    def track_profile_latency_ms(self, model):
        return self._profiled_ms()

    track_profile_latency_ms.unit = "ms"

    def track_latency_ratio(self, model):
        profiled, plain = [], []
        for _ in range(3):
            profiled.append(self._profiled_ms())
            plain.append(plain_latency_ms(self.net, self.x))
        return float(np.median(profiled) / np.median(plain))

    track_latency_ratio.unit = "ratio"
