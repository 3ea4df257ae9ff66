"""Torch thread count of the classifiers: one by default (joblib's None), restored after."""

import numpy as np
import pytest
import torch
from skorch.callbacks import Callback

from skaudio.models import SECNNClassifier


class _RecordThreads(Callback):
    def __init__(self):
        self.seen = []

    def on_batch_begin(self, net, batch=None, training=None, **kwargs):
        self.seen.append(torch.get_num_threads())


@pytest.mark.parametrize("n_jobs,expected", [(None, 1), (2, 2)])
def test_fit_and_predict_use_n_jobs_threads_and_restore_the_callers(n_jobs, expected):
    rng = np.random.default_rng(0)
    S = rng.standard_normal((8, 16, 20)).astype(np.float32)
    y = np.repeat([0, 1], 4)
    rec = _RecordThreads()
    clf = SECNNClassifier(
        module__width=2,
        module__n_blocks=1,
        module__head=(4,),
        max_epochs=1,
        batch_size=4,
        random_state=0,
        n_jobs=n_jobs,
        callbacks=[rec],
    )
    before = torch.get_num_threads()
    torch.set_num_threads(3)  # the caller's own setting
    try:
        clf.fit(S, y)
        assert set(rec.seen) == {expected}
        assert torch.get_num_threads() == 3
        clf.predict_proba(S)
        assert torch.get_num_threads() == 3
    finally:
        torch.set_num_threads(before)
