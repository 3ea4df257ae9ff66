"""checkpoint_dir: a fit killed in the middle of an epoch resumes to the uninterrupted weights."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest
import torch

from skaudio.models import SECNNClassifier

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# every piece of state that crosses epochs: shuffling, dropout, the whole augmentation
# recipe (mixup, crops, SpecAugment, shifts, noise), the one-cycle schedule, the balanced
# sampler's generator, the weight average and early stopping's counters and hold-out
SETUP = """
import numpy as np
from skaudio.models import SECNNClassifier

rng = np.random.default_rng(0)
X = rng.standard_normal((44, 16, 24)).astype(np.float32)
y = np.array(["a"] * 20 + ["b"] * 14 + ["c"] * 10)
X[y == "b", :4] += 2.0

def make(**kw):
    params = dict(module__width=4, max_epochs=5, batch_size=8, random_state=3, ema_decay=0.8,
                  balance="undersample", early_stopping=True, patience=50, noise="pink")
    return SECNNClassifier(**{**params, **kw})
"""

KILLED = """
import sys, time
from skorch.callbacks import Callback

class Stall(Callback):
    # in epoch 3, after its second batch (epoch 2's checkpoint is on disk): signal, then wait
    def on_batch_end(self, net, training=False, **kwargs):
        if training and len(net.history) == 3 and len(net.history[-1, "batches"]) == 2:
            open(sys.argv[2], "w").close()
            time.sleep(120)

make(checkpoint_dir=sys.argv[1], callbacks=[Stall()]).fit(X, y)
"""


def _weights(clf):
    return {k: v.clone() for k, v in clf.module_.state_dict().items()}


def test_killed_fit_resumes_to_the_uninterrupted_weights(tmp_path):
    ns = {}
    exec(SETUP, ns)
    script = tmp_path / "train.py"
    script.write_text(textwrap.dedent(SETUP + KILLED))
    ckpt, mark = tmp_path / "ckpt", tmp_path / "mid-epoch-3"
    env = {
        **os.environ,
        "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""),
        "OMP_NUM_THREADS": "1",
    }
    proc = subprocess.Popen(
        [sys.executable, str(script), str(ckpt), str(mark)], env=env, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 120
        while not mark.exists():
            assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
            assert time.monotonic() < deadline, "the training subprocess never reached epoch 3"
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert sorted(p.name for p in ckpt.iterdir()) == ["epoch-000002", "latest.json"]

    resumed = ns["make"](checkpoint_dir=ckpt).fit(ns["X"], ns["y"])
    assert len(resumed.history) == 5
    assert resumed.history[:, "epoch"] == [1, 2, 3, 4, 5]
    whole = ns["make"]().fit(ns["X"], ns["y"])
    a, b = _weights(whole), _weights(resumed)
    assert a.keys() == b.keys()
    for k in a:
        assert torch.equal(a[k], b[k]), k
    np.testing.assert_array_equal(whole.predict_proba(ns["X"]), resumed.predict_proba(ns["X"]))
    # a second fit finds the finished run: no epoch left, same model
    again = ns["make"](checkpoint_dir=ckpt).fit(ns["X"], ns["y"])
    np.testing.assert_array_equal(again.predict_proba(ns["X"]), whole.predict_proba(ns["X"]))


def test_checkpoint_of_other_settings_is_refused(tmp_path):
    ns = {}
    exec(SETUP, ns)
    ns["make"](checkpoint_dir=tmp_path, max_epochs=1).fit(ns["X"], ns["y"])
    with pytest.raises(ValueError, match=r"other settings \(differing: lr\)"):
        ns["make"](checkpoint_dir=tmp_path, max_epochs=1, lr=1e-2).fit(ns["X"], ns["y"])
    with pytest.raises(ValueError, match="labels_sha1"):
        ns["make"](checkpoint_dir=tmp_path, max_epochs=1).fit(ns["X"], ns["y"][::-1])


def test_partial_fit_writes_no_checkpoint(tmp_path):
    ns = {}
    exec(SETUP, ns)
    clf = ns["make"](checkpoint_dir=tmp_path, max_epochs=1).fit(ns["X"], ns["y"])
    before = (tmp_path / "latest.json").read_text()
    clf.partial_fit(ns["X"], ns["y"])
    assert (tmp_path / "latest.json").read_text() == before
    assert isinstance(clf, SECNNClassifier)


def test_ctrl_c_mid_epoch_then_fit_again_resumes(tmp_path):
    # skorch ends training quietly on KeyboardInterrupt (fit returns); the next fit resumes
    from skorch.callbacks import Callback

    ns = {}
    exec(SETUP, ns)

    class CtrlC(Callback):
        def on_batch_end(self, net, training=False, **kwargs):
            if training and len(net.history) == 4 and len(net.history[-1, "batches"]) == 1:
                raise KeyboardInterrupt

    cut = ns["make"](checkpoint_dir=tmp_path, callbacks=[CtrlC()]).fit(ns["X"], ns["y"])
    assert len(cut.history) == 4  # stopped in epoch 4, after the checkpoint of epoch 3
    resumed = ns["make"](checkpoint_dir=tmp_path).fit(ns["X"], ns["y"])
    whole = ns["make"]().fit(ns["X"], ns["y"])
    a, b = _weights(whole), _weights(resumed)
    assert all(torch.equal(a[k], b[k]) for k in a)
