import pickle

import joblib
import librosa
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.utils._param_validation import InvalidParameterError

from skaudio.features import MelSpectrogram, PowerToDb, Spectrogram, SpectrogramStandardizer

ESC = dict(sr=44100, n_fft=2048, hop_length=512, n_mels=128)


def librosa_logmel(X, top_db=80.0, **kw):
    return np.stack(
        [librosa.power_to_db(librosa.feature.melspectrogram(y=x, **kw), ref=np.max, top_db=top_db) for x in X]
    )


def librosa_mel_power(X, **kw):
    return np.stack([librosa.feature.melspectrogram(y=x, **kw) for x in X])


def assert_power_close(ours, ref, rtol):
    """Error relative to each clip's peak power, which is what dB and models see."""
    peak = ref.max(axis=tuple(range(1, ref.ndim)), keepdims=True)
    err = np.abs(ours - ref) / peak
    assert err.max() <= rtol, err.max()


@pytest.mark.parametrize("backend", ["numba", "torch", "librosa"])
def test_logmel_matches_librosa_on_real_clips(esc10_clips, backend):
    X = esc10_clips[:4]
    ours = MelSpectrogram(**ESC, backend=backend).fit_transform(X)
    ref = librosa_logmel(X, **ESC)
    assert ours.shape == ref.shape == (4, 128, 431)
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours, ref, atol=1e-3, rtol=0)  # within 1e-3 dB


@pytest.mark.parametrize("backend", ["numba", "torch"])
def test_mel_power_matches_librosa_on_real_clips(esc10_clips, backend):
    X = esc10_clips[4:8]
    ours = MelSpectrogram(**ESC, to_db=False, backend=backend).fit_transform(X)
    ref = librosa_mel_power(X, **ESC)
    assert_power_close(ours, ref, 1e-5)
    # bins within 60 dB of the peak also agree element by element
    loud = ref > 1e-6 * ref.max(axis=(1, 2), keepdims=True)
    assert (np.abs(ours - ref)[loud] / ref[loud]).max() < 1e-4


PARAMS = [
    dict(n_fft=512, hop_length=128),
    dict(n_fft=512, hop_length=160, win_length=400, window="hamming"),
    dict(n_fft=256, hop_length=64, center=False),
    dict(n_fft=256, hop_length=100, pad_mode="reflect", power=1.0),
    dict(n_fft=1024, hop_length=256, n_mels=40, fmin=50.0, fmax=6000.0, htk=True, norm=None),
]


@pytest.mark.parametrize("backend", ["numba", "torch"])
@pytest.mark.parametrize("params", PARAMS)
def test_mel_parameters_follow_librosa(noise_batch, params, backend):
    params = {"n_mels": 32, **params}
    ours = MelSpectrogram(sr=16000, to_db=False, backend=backend, **params).fit_transform(noise_batch)
    ref = librosa_mel_power(noise_batch, sr=16000, **params)
    assert ours.shape == ref.shape
    assert_power_close(ours, ref, 1e-5)


@pytest.mark.parametrize("backend", ["numba", "torch", "librosa"])
@pytest.mark.parametrize("power", [1.0, 2.0])
def test_linear_spectrogram_and_db(noise_batch, backend, power):
    est = Spectrogram(n_fft=512, hop_length=128, power=power, to_db=True, backend=backend, sr=16000)
    S = est.fit_transform(noise_batch)
    mag = np.abs(np.stack([librosa.stft(x, n_fft=512, hop_length=128) for x in noise_batch]))
    if power == 2.0:
        ref = np.stack([librosa.power_to_db(m**2, ref=np.max) for m in mag])
    else:
        ref = np.stack([librosa.amplitude_to_db(m, ref=np.max) for m in mag])
    np.testing.assert_allclose(S, ref, atol=1e-3, rtol=0)
    np.testing.assert_allclose(est.frequencies_, librosa.fft_frequencies(sr=16000, n_fft=512))


def test_frequencies_and_frames():
    X = np.zeros((1, 22050), np.float32)
    mel = MelSpectrogram(sr=22050, n_mels=64, fmax=8000.0).fit(X)
    np.testing.assert_allclose(mel.frequencies_, librosa.mel_frequencies(66, fmax=8000.0)[1:-1])
    assert mel.n_frames_ == mel.transform(X).shape[-1] == 1 + 22050 // 512
    assert mel.mel_basis_.shape == (64, 1025)


def test_silence_gives_finite_floor():
    S = MelSpectrogram(sr=16000, n_fft=512).fit_transform(np.zeros((2, 4000), np.float32))
    assert np.isfinite(S).all() and (S == 0).all()  # 0 dB relative to a silent clip's own floor


def test_batches_threads_and_no_mutation(noise_batch):
    X = noise_batch.copy()
    full = MelSpectrogram(sr=16000, n_fft=512, batch_size=64).fit_transform(X)
    split = MelSpectrogram(sr=16000, n_fft=512, batch_size=1, n_jobs=1).fit_transform(X)
    np.testing.assert_array_equal(full, split)
    np.testing.assert_array_equal(X, noise_batch)


def test_float64_and_list_input_accepted(noise_batch):
    ref = MelSpectrogram(sr=16000, n_fft=512).fit_transform(noise_batch)
    out = MelSpectrogram(sr=16000, n_fft=512).fit_transform(noise_batch.astype(np.float64).tolist())
    np.testing.assert_allclose(out, ref, atol=1e-3)


def test_verbose_shows_progress(noise_batch, capsys):
    MelSpectrogram(sr=16000, n_fft=512, batch_size=1, verbose=True).fit_transform(noise_batch)
    assert "MelSpectrogram" in capsys.readouterr().err


@pytest.mark.parametrize(
    "bad, exc, match",
    [
        (np.full((2, 4000), np.nan, np.float32), ValueError, "NaN"),
        (np.full((2, 4000), np.inf, np.float32), ValueError, "infinite"),
        (np.zeros(4000, np.float32), ValueError, "1-D"),
        (np.zeros((2, 2, 4000), np.float32), ValueError, "multi-channel"),
        (np.zeros((2, 4000), np.int16), TypeError, "Integer PCM"),
        (np.zeros((0, 4000), np.float32), ValueError, "empty"),
        (np.zeros((2, 100), np.float32), ValueError, "shorter than"),
        (np.zeros((2, 4000), np.complex64), ValueError, "Complex data not supported"),
        ("audio.wav", TypeError, "string"),
    ],
)
def test_bad_waveforms(bad, exc, match):
    with pytest.raises(exc, match=match):
        MelSpectrogram(sr=16000, n_fft=512).fit(bad)


def test_bad_parameters(noise_batch):
    with pytest.raises(ValueError, match="sampling rate"):
        MelSpectrogram().fit(noise_batch)
    with pytest.raises(InvalidParameterError, match="backend"):
        MelSpectrogram(sr=16000, backend="cuda").fit(noise_batch)
    with pytest.raises(ValueError, match="fmax"):
        MelSpectrogram(sr=16000, fmax=9000.0).fit(noise_batch)
    with pytest.raises(ValueError, match="win_length"):
        Spectrogram(n_fft=256, win_length=512).fit(noise_batch)
    with pytest.raises(InvalidParameterError, match="pad_mode"):
        Spectrogram(pad_mode="mirror").fit(noise_batch)


def test_transform_checks_length(noise_batch):
    mel = MelSpectrogram(sr=16000, n_fft=512).fit(noise_batch)
    with pytest.raises(ValueError, match="features"):
        mel.transform(noise_batch[:, :3000])


@pytest.mark.parametrize(
    "est",
    [
        MelSpectrogram(sr=16000, n_fft=512),
        MelSpectrogram(sr=16000, n_fft=512, backend="torch"),
        Spectrogram(n_fft=256),
        PowerToDb(),
        SpectrogramStandardizer(),
    ],
)
def test_clone_pickle_joblib_roundtrip(est, noise_batch, tmp_path):
    X = (
        noise_batch
        if not isinstance(est, (PowerToDb, SpectrogramStandardizer))
        else MelSpectrogram(sr=16000, n_fft=512, to_db=False).fit_transform(noise_batch)
    )
    fitted = clone(est).fit(X)
    expected = fitted.transform(X)
    again = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(again.transform(X), expected)
    joblib.dump(fitted, tmp_path / "est.joblib")
    np.testing.assert_array_equal(joblib.load(tmp_path / "est.joblib").transform(X), expected)


def test_power_to_db_matches_librosa():
    rng = np.random.default_rng(1)
    S = rng.gamma(0.5, 1.0, size=(3, 20, 30)).astype(np.float32) ** 4
    S[1] = 0.0
    S_copy = S.copy()
    for kw in [{}, dict(top_db=None), dict(ref=2.0, top_db=40.0), dict(amin=1e-5)]:
        ours = PowerToDb(**kw).fit_transform(S)
        ref_kw = {"ref": np.max, **kw}
        ref = np.stack([librosa.power_to_db(s, **ref_kw) for s in S])
        np.testing.assert_allclose(ours, ref, atol=1e-3)
    np.testing.assert_array_equal(S, S_copy)
    with pytest.raises(ValueError, match="negative"):
        PowerToDb().fit(-S - 1)


def test_standardizer():
    rng = np.random.default_rng(2)
    S = (rng.standard_normal((4, 8, 10)) * 5 + 3).astype(np.float32)
    Z = SpectrogramStandardizer().fit_transform(S)
    np.testing.assert_allclose(Z.mean(axis=(1, 2)), 0, atol=1e-5)
    np.testing.assert_allclose(Z.std(axis=(1, 2)), 1, atol=1e-4)
    const = SpectrogramStandardizer().fit_transform(np.full((2, 3, 4), 7.0, np.float32))
    assert (const == 0).all()


@pytest.mark.parametrize("backend", ["numba", "torch", "librosa"])
@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_transform_refuses_non_finite(noise_batch, backend, value):
    mel = MelSpectrogram(sr=16000, n_fft=512, backend=backend).fit(noise_batch)
    bad = noise_batch.copy()
    bad[1, 123] = value
    with pytest.raises(ValueError, match="NaN"):
        mel.transform(bad)


@pytest.mark.parametrize(
    "est",
    [
        Spectrogram(n_fft=512, hop_length=160),
        Spectrogram(n_fft=512, hop_length=160, center=False),
        MelSpectrogram(sr=16000, n_fft=512, hop_length=160, n_mels=8, fmax=400.0),
        MelSpectrogram(sr=16000, n_fft=512, hop_length=160, n_mels=8, fmax=400.0, center=False),
    ],
    ids=["spec", "spec-nocenter", "narrow-mel", "narrow-mel-nocenter"],
)
@pytest.mark.parametrize("where", [0, 1, 2000, -2, -1])
@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_numba_backend_finds_non_finite_anywhere(noise_batch, est, where, value):
    # the numba path checks the output (plus the samples after the last frame), so a bad
    # sample must be caught at the edges, in the tail no frame covers, and under narrow bands
    bad = noise_batch.copy()
    bad[2, where] = value
    est = clone(est).fit(noise_batch)
    with pytest.raises(ValueError, match="NaN"):
        est.transform(bad)
    assert np.isfinite(est.transform(noise_batch)).all()


# -- device (issue 19 item 6) ----------------------------------------------------------
@pytest.mark.parametrize("cls", [Spectrogram, MelSpectrogram])
@pytest.mark.parametrize("backend", ["numba", "librosa"])
def test_cpu_backends_refuse_another_device(noise_batch, cls, backend):
    # device="cuda" used to compute on the CPU without a word
    est = cls(sr=8000, n_fft=256, backend=backend, device="cuda")
    with pytest.raises(ValueError, match=f"device='cuda' needs backend='torch'; the '{backend}' backend"):
        est.fit(noise_batch)
    assert cls(sr=8000, n_fft=256, backend=backend, device="cpu").fit(noise_batch).n_frames_ == 63


@pytest.mark.skipif(__import__("torch").cuda.is_available(), reason="checks the error where CUDA is absent")
@pytest.mark.parametrize(
    "device, match",
    [
        ("cuda", "device='cuda' but CUDA is not available here"),
        ("cuda:0", "CUDA is not available"),
        ("meta", "holds no data"),
        ("gpu", "'gpu' is not a torch device"),
    ],
)
def test_torch_backend_refuses_absent_devices(noise_batch, device, match):
    with pytest.raises(ValueError, match=match):
        MelSpectrogram(sr=8000, n_fft=256, backend="torch", device=device).fit(noise_batch)


def test_torch_backend_runs_on_the_given_device(noise_batch):
    ref = MelSpectrogram(sr=8000, n_fft=256).fit_transform(noise_batch)
    mel = MelSpectrogram(sr=8000, n_fft=256, backend="torch", device="cpu").fit(noise_batch)
    assert {p.device.type for p in mel._module.buffers()} == {"cpu"}
    np.testing.assert_allclose(mel.transform(noise_batch), ref, atol=1e-3)


# -- torch transform leaves the estimator unchanged (issue 19 item 10) -------------------
@pytest.mark.parametrize(
    "est",
    [
        Spectrogram(n_fft=2, hop_length=1, backend="torch"),
        MelSpectrogram(sr=1000, n_fft=2, hop_length=1, n_mels=1, norm=None, backend="torch"),
    ],
    ids=["spec", "mel"],
)
def test_torch_backend_transform_keeps_state(est, noise_batch):
    from sklearn.utils.estimator_checks import check_dict_unchanged

    check_dict_unchanged(type(est).__name__, est)
    # also after a pickle round trip, which drops the torch module
    fitted = pickle.loads(pickle.dumps(clone(est).fit(noise_batch)))
    before = dict(fitted.__dict__)
    fitted.transform(noise_batch)
    assert fitted.__dict__.keys() == before.keys() and fitted._module is None


# -- issue 28: parameters at their edges ----------------------------------------------------------


def test_standardizer_eps_zero_maps_a_constant_map_to_zeros():
    # 0 / (0 + eps) with eps=0 was NaN in every cell
    S = np.full((2, 8, 10), 3.0, np.float32)
    Z = SpectrogramStandardizer(eps=0).fit_transform(S)
    np.testing.assert_array_equal(Z, 0.0)


@pytest.mark.parametrize("n_fft", [2, 3])
def test_smallest_n_fft_gets_a_hop_of_at_least_one(n_fft):
    # the default hop n_fft // 4 was 0: ZeroDivisionError counting frames
    X = np.random.default_rng(0).standard_normal((2, 64)).astype(np.float32)
    S = Spectrogram(n_fft=n_fft).fit_transform(X)
    ref = librosa.stft(X[0], n_fft=n_fft, hop_length=1, center=True, pad_mode="constant")
    np.testing.assert_allclose(S[0], np.abs(ref) ** 2, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize(
    "window", [("tukey", np.nan), ("tukey", np.inf), ("kaiser", np.nan), ("gaussian", -np.inf)]
)
def test_window_parameters_must_be_finite(window):
    # ("tukey", nan) surfaced scipy's "cannot convert float NaN to integer"
    X = np.random.default_rng(0).standard_normal((2, 64)).astype(np.float32)
    with pytest.raises(ValueError, match="window"):
        Spectrogram(n_fft=16, window=window).fit(X)
