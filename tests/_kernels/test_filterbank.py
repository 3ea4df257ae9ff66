"""The numpy mel filterbank and window equal librosa's (the reference)."""

import subprocess
import sys

import librosa
import numpy as np
import pytest
import scipy.signal

from skaudio._kernels.filterbank import (
    analysis_window,
    fft_frequencies,
    hz_to_mel,
    mel_filterbank,
    mel_frequencies,
    mel_to_hz,
)


@pytest.mark.parametrize("htk", [False, True])
def test_mel_scale_matches_librosa(htk):
    hz = np.concatenate([[0.0, 1.0, 999.999, 1000.0, 1000.001], np.geomspace(5, 96000, 200)])
    np.testing.assert_allclose(hz_to_mel(hz, htk=htk), librosa.hz_to_mel(hz, htk=htk), rtol=1e-12)
    mels = hz_to_mel(hz, htk=htk)
    np.testing.assert_allclose(mel_to_hz(mels, htk=htk), librosa.mel_to_hz(mels, htk=htk), rtol=1e-12)
    np.testing.assert_allclose(mel_to_hz(mels, htk=htk), hz, rtol=1e-9, atol=1e-9)
    assert float(hz_to_mel(1000.0)) == pytest.approx(librosa.hz_to_mel(1000.0))  # scalar in, scalar out
    np.testing.assert_allclose(
        mel_frequencies(40, 30.0, 7000.0, htk=htk),
        librosa.mel_frequencies(40, fmin=30.0, fmax=7000.0, htk=htk),
        rtol=1e-12,
    )


@pytest.mark.parametrize(
    "sr,n_fft,n_mels,fmin,fmax",
    [
        (22050, 2048, 128, 0.0, None),
        (16000, 1024, 64, 50.0, 7600.0),
        (44100, 2048, 128, 0.0, 11025.0),
        (8000, 255, 20, 0.0, None),
        (16000, 400, 40, 20.0, 8000.0),
    ],
)
@pytest.mark.parametrize("htk", [False, True])
@pytest.mark.parametrize("norm", ["slaney", None, 1, 2.0, np.inf])
def test_mel_filterbank_matches_librosa(sr, n_fft, n_mels, fmin, fmax, htk, norm):
    ours = mel_filterbank(sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax, htk=htk, norm=norm)
    ref = librosa.filters.mel(
        sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax, htk=htk, norm=norm, dtype=np.float32
    )
    assert ours.dtype == np.float32 and ours.shape == ref.shape
    np.testing.assert_allclose(ours, ref, rtol=1e-5, atol=1e-7 * ref.max())
    assert np.array_equal(ours > 0, ref > 0)


def test_mel_filterbank_float64_and_errors():
    ref = librosa.filters.mel(sr=16000, n_fft=512, n_mels=40, dtype=np.float64)
    np.testing.assert_allclose(mel_filterbank(16000, 512, 40, dtype=np.float64), ref, rtol=1e-12)
    with pytest.warns(UserWarning, match="Empty filters"):
        mel_filterbank(sr=16000, n_fft=64, n_mels=128)
    for bad in ("htk", -1.0, True):
        with pytest.raises(ValueError, match="norm"):
            mel_filterbank(16000, 512, norm=bad)


@pytest.mark.parametrize(
    "window,win_length,n_fft",
    [
        ("hann", 1024, 1024),
        ("hann", 400, 512),
        ("hamming", 511, 1024),
        (("kaiser", 8.0), 300, 301),
        ("blackman", 256, 256),
        (4.0, 100, 128),
        (scipy.signal.windows.tukey, 200, 256),
        (np.linspace(0, 1, 64), 64, 128),
    ],
)
def test_analysis_window_matches_librosa(window, win_length, n_fft):
    ref = librosa.util.pad_center(librosa.filters.get_window(window, win_length, fftbins=True), size=n_fft)
    np.testing.assert_array_equal(analysis_window(window, win_length, n_fft), ref)


def test_analysis_window_errors():
    with pytest.raises(ValueError, match="expected"):
        analysis_window(np.ones(10), 12, 16)
    with pytest.raises(ValueError, match="must not exceed"):
        analysis_window("hann", 20, 16)
    with pytest.raises(ValueError, match="window must be"):
        analysis_window({"hann": 1}, 16, 16)


def test_fft_frequencies_match_librosa():
    np.testing.assert_array_equal(fft_frequencies(22050, 2048), librosa.fft_frequencies(sr=22050, n_fft=2048))


def test_a_mel_spectrogram_does_not_import_librosas_compiled_parts():
    # librosa.filters / librosa.core compile librosa's numba functions on first use
    # (seconds on a fresh install): the default backends must not need them
    code = (
        "import sys, numpy as np\n"
        "from skaudio.features import MelSpectrogram, Spectrogram\n"
        "from skaudio.nn import MelSpectrogramModule, SincGramModule\n"
        "import torch\n"
        "X = np.random.default_rng(0).standard_normal((2, 4000)).astype(np.float32)\n"
        "MelSpectrogram(sr=8000, n_fft=256, n_mels=20).fit_transform(X)\n"
        "Spectrogram(n_fft=256).fit(X)\n"
        "MelSpectrogramModule(sr=8000, n_fft=256, n_mels=20)(torch.as_tensor(X))\n"
        "SincGramModule(129, n_filters=8, sr=8000)\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(('librosa.filters', 'librosa.util.utils',"
        " 'librosa.core')))\n"
        "print(loaded)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout
