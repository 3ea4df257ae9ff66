"""Training throughput on one GPU: the skaudio classifier against a plain torch loop, fp32 and AMP.

Trains the same network (SE-CNN, skaudio's default size) on the same synthetic
ESC-50-shaped log-mel batches (128 mel bands x 431 frames, 10 classes) with the same
batch size, optimiser and DataLoader settings, twice over:

* a plain torch loop: ``DataLoader`` (pinned memory, workers), ``AdamW``, cross-entropy,
  ``optimizer.step()``, nothing else;
* :class:`skaudio.models.SECNNClassifier` with ``device="cuda"``, its augmentation
  switched off so that both do the same arithmetic, the one-cycle schedule kept (a
  scheduler step per batch).

each in fp32, with float16 autocast and grad scaling (the loop: ``torch.autocast`` +
``GradScaler``; the classifier: ``amp=True``) and with bfloat16 autocast (``amp="bf16"``).
The number per run is clips per second per epoch, the median over the epochs after the
first (which includes cuDNN's algorithm search and the workers' start); the classifier's
epoch time is skorch's own ``history[:, "dur"]``, the loop's is timed the same way
(``torch.cuda.synchronize`` before reading the clock).

Without CUDA the script says so and exits with status 0. It has not been run on a GPU yet.

Run: ``python examples/gpu_throughput.py [--clips 4096] [--epochs 4] [--batch-size 64]
[--workers 4] [--out results.json]``
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import numpy as np
import torch


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--clips", type=int, default=4096, help="training clips (default 4096)")
    p.add_argument("--epochs", type=int, default=4, help="epochs per run; the first is not counted")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--workers", type=int, default=4, help="DataLoader workers")
    p.add_argument("--frames", type=int, default=431, help="frames per clip (5 s at hop 512, 44.1 kHz)")
    p.add_argument("--out", default=None, help="also write the results to this JSON file")
    return p.parse_args(argv)


def synthetic(n_clips, n_frames, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_clips, 128, n_frames), dtype=np.float32)
    y = rng.integers(0, 10, n_clips)
    return X, y


def plain_loop(X, y, *, epochs, batch_size, workers, amp):
    """Seconds per epoch of a bare torch training loop over skaudio's SECNN."""
    from skaudio.nn import SECNN

    torch.manual_seed(0)
    net = SECNN(n_classes=10).cuda()
    opt = torch.optim.AdamW(net.parameters(), lr=3e-3, weight_decay=1e-2)
    loss_fn = torch.nn.CrossEntropyLoss()
    data = torch.utils.data.TensorDataset(torch.from_numpy(X), torch.from_numpy(y))
    loader = torch.utils.data.DataLoader(
        data, batch_size=batch_size, shuffle=True, pin_memory=True, num_workers=workers
    )
    scaler = torch.amp.GradScaler("cuda") if amp is True else None
    dtype = {True: torch.float16, "bf16": torch.bfloat16}.get(amp)
    times = []
    for _ in range(epochs):
        torch.cuda.synchronize()
        start = time.perf_counter()
        net.train()
        for xb, yb in loader:
            xb, yb = xb.cuda(non_blocking=True), yb.cuda(non_blocking=True)
            opt.zero_grad(set_to_none=True)
            with torch.autocast("cuda", dtype=dtype, enabled=dtype is not None):
                loss = loss_fn(net(xb).float(), yb)
            if scaler is not None:
                scaler.scale(loss).backward()
                scaler.step(opt)
                scaler.update()
            else:
                loss.backward()
                opt.step()
        torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    return times


def classifier(X, y, *, epochs, batch_size, workers, amp):
    """Seconds per epoch of SECNNClassifier on the GPU (skorch's epoch timer)."""
    from skaudio.models import SECNNClassifier

    clf = SECNNClassifier(
        device="cuda",
        amp=amp,
        max_epochs=epochs,
        batch_size=batch_size,
        random_state=0,
        iterator_train__num_workers=workers,
        # the plain loop augments nothing: neither does this run
        time_shift_prob=0.0,
        mixup_alpha=0.0,
        random_crop=None,
        spec_augment=None,
    )
    clf.fit(X, y)
    return list(clf.history[:, "dur"])


def main(argv=None):
    args = parse_args(argv)
    if not torch.cuda.is_available():
        print("CUDA is not available here: nothing to measure (this script needs a GPU).")
        return None
    X, y = synthetic(args.clips, args.frames)
    kw = dict(epochs=args.epochs, batch_size=args.batch_size, workers=args.workers)
    rows = []
    for amp in (False, True, "bf16"):
        if amp == "bf16" and not torch.cuda.is_bf16_supported():
            print("bfloat16 is not supported on this GPU: skipped")
            continue
        for name, run in (("plain torch loop", plain_loop), ("SECNNClassifier", classifier)):
            times = run(X, y, amp=amp, **kw)
            steady = times[1:] or times
            rows.append(
                {
                    "runner": name,
                    "precision": {False: "fp32", True: "fp16 AMP", "bf16": "bf16 AMP"}[amp],
                    "clips_per_s": args.clips / statistics.median(steady),
                    "epoch_s": times,
                }
            )
            print(f"{name:>17}  {rows[-1]['precision']:>8}  {rows[-1]['clips_per_s']:9.0f} clips/s")
    device = torch.cuda.get_device_name()
    shape = f"{args.clips} clips of 128 x {args.frames}, batch {args.batch_size}"
    print(f"\n{device}, torch {torch.__version__}, {shape}")
    if args.out:
        with open(args.out, "w") as f:
            json.dump(
                {"device": device, "torch": torch.__version__, "args": vars(args), "rows": rows}, f, indent=1
            )
    return rows


if __name__ == "__main__":
    main()
