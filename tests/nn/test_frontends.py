import numpy as np
import torch

from skaudio.features import MelSpectrogram
from skaudio.nn import STFT, MelSpectrogramModule, power_to_db


def test_module_matches_transformer(noise_batch):
    mod = MelSpectrogramModule(sr=16000, n_fft=512, hop_length=128, n_mels=40)
    with torch.inference_mode():
        ours = mod(torch.from_numpy(noise_batch)).numpy()
    ref = MelSpectrogram(sr=16000, n_fft=512, hop_length=128, n_mels=40).fit_transform(noise_batch)
    np.testing.assert_allclose(ours, ref, atol=1e-3)


def test_gradients_flow_through_the_front_end():
    x = torch.randn(2, 4000, requires_grad=True)
    mod = MelSpectrogramModule(sr=16000, n_fft=256, hop_length=64, n_mels=16, to_db=False)
    mod(x).sum().backward()
    assert x.grad is not None and torch.isfinite(x.grad).all() and x.grad.abs().sum() > 0


def test_stft_shapes_and_extra_leading_dims():
    stft = STFT(n_fft=256, hop_length=64, power=None)
    out = stft(torch.randn(2, 3, 1000))
    assert out.shape == (2, 3, 129, 1 + 1000 // 64) and out.is_complex()
    assert stft.n_frames(1000) == out.shape[-1]


def test_power_to_db_per_clip():
    S = torch.tensor([[[1.0, 0.1]], [[100.0, 1e-20]]])
    db = power_to_db(S, top_db=80.0)
    np.testing.assert_allclose(db.numpy(), [[[0.0, -10.0]], [[0.0, -80.0]]], atol=1e-5)
