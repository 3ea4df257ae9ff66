import warnings

import numpy as np
import pytest
import soundfile as sf

from skaudio.features import AudioLoader, FixLength
from skaudio.io import fix_length, load_audio, resample


def _tone(freq, sr, seconds, channels=1):
    t = np.arange(int(sr * seconds)) / sr
    y = 0.5 * np.sin(2 * np.pi * freq * t).astype(np.float32)
    return y if channels == 1 else np.stack([y, 0.5 * y], axis=1)


def _peak_hz(y, sr):
    spec = np.abs(np.fft.rfft(y * np.hanning(len(y))))
    return np.argmax(spec) * sr / len(y)


@pytest.mark.parametrize("fmt, ext", [("WAV", "wav"), ("FLAC", "flac"), ("OGG", "ogg"), ("MP3", "mp3")])
def test_formats_and_resampling(tmp_path, fmt, ext):
    path = tmp_path / f"tone.{ext}"
    sf.write(path, _tone(440.0, 22050, 1.0), 22050, format=fmt)
    y, sr = load_audio(path, sr=16000)
    assert sr == 16000 and y.dtype == np.float32
    assert abs(len(y) - 16000) <= 1200  # lossy codecs add encoder delay / padding
    assert abs(_peak_hz(y, sr) - 440.0) < 3.0


def test_native_rate_offset_duration_and_padding(tmp_path):
    path = tmp_path / "a.wav"
    ramp = np.linspace(-1, 1, 8000, dtype=np.float32)
    sf.write(path, ramp, 8000, subtype="FLOAT")
    y, sr = load_audio(path)
    assert sr == 8000
    np.testing.assert_array_equal(y, ramp)
    y, _ = load_audio(path, offset=0.5, duration=0.25)
    np.testing.assert_array_equal(y, ramp[4000:6000])
    y, _ = load_audio(path, offset=0.75, duration=1.0)  # past the end: zero-padded
    assert len(y) == 8000 and (y[2000:] == 0).all()
    with pytest.raises(ValueError, match="past the end"):
        load_audio(path, offset=5.0)


def test_stereo_mono_and_channels(tmp_path):
    path = tmp_path / "st.wav"
    sf.write(path, _tone(300.0, 8000, 0.5, channels=2), 8000)
    mono, _ = load_audio(path)
    both, _ = load_audio(path, mono=False)
    assert mono.shape == (4000,) and both.shape == (2, 4000)
    np.testing.assert_allclose(mono, both.mean(axis=0), atol=1e-4)
    both16, _ = load_audio(path, sr=16000, mono=False)
    assert both16.shape == (2, 8000)


def test_many_files_batch_or_list(tmp_path):
    paths = []
    for i, seconds in enumerate([0.5, 0.5, 0.75]):
        paths.append(tmp_path / f"{i}.wav")
        sf.write(paths[-1], _tone(200.0, 8000, seconds), 8000)
    batch, sr = load_audio(paths[:2])
    assert isinstance(batch, np.ndarray) and batch.shape == (2, 4000)
    clips, _ = load_audio(paths)
    assert isinstance(clips, list) and [len(c) for c in clips] == [4000, 4000, 6000]
    fixed, _ = load_audio(paths, duration=0.6)
    assert fixed.shape == (3, 4800)


def test_bad_files_named_or_skipped(tmp_path):
    good = tmp_path / "good.wav"
    sf.write(good, _tone(200.0, 8000, 0.5), 8000)
    text = tmp_path / "notes.wav"
    text.write_text("this is not audio")
    truncated = tmp_path / "cut.wav"
    truncated.write_bytes(good.read_bytes()[:30])
    for bad in (text, truncated, tmp_path / "missing.wav"):
        with pytest.raises(ValueError, match=bad.name):
            load_audio([good, bad])
    with pytest.warns(UserWarning, match="notes.wav"):
        y, _ = load_audio([good, text, good], on_error="warn")
    assert y.shape == (2, 4000)


def test_resample_identity_and_shape():
    y = np.random.default_rng(0).standard_normal(1000).astype(np.float32)
    assert resample(y, 8000, 8000) is y
    assert resample(np.zeros((2, 1000), np.float32), 8000, 4000).shape == (2, 500)


def test_resample_refuses_absurd_upsampling():
    assert resample(np.zeros(100, np.float32), 8000, 192000).shape == (2400,)  # 24-fold is fine
    with pytest.raises(ValueError, match="16000-fold upsampling.*40,000 samples would become 640,000,000"):
        resample(np.zeros(40000, np.float32), 1, 16000)
    with pytest.raises(ValueError, match="must be > 0"):
        resample(np.zeros(10, np.float32), 0, 16000)


def test_fix_length_modes():
    y = np.array([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(fix_length(y, 7, pad_mode="wrap"), [1, 2, 3, 1, 2, 3, 1])
    np.testing.assert_array_equal(fix_length(y, 5, align="end"), [0, 0, 1, 2, 3])
    np.testing.assert_array_equal(fix_length(y, 5, align="center", pad_mode="edge"), [1, 1, 2, 3, 3])
    np.testing.assert_array_equal(fix_length(y, 2, align="end"), [2, 3])
    out = fix_length(y, 3)
    out[0] = 99
    assert y[0] == 1.0  # a copy, never a view of the input
    with pytest.raises(ValueError, match="length"):
        fix_length(y, 0)
    with pytest.raises(ValueError, match="pad_mode"):
        fix_length(y, 5, pad_mode="zeros")


def test_audio_loader_in_pipeline(tmp_path):
    from sklearn.pipeline import make_pipeline

    from skaudio.features import MelSpectrogram

    paths = []
    for i, seconds in enumerate([0.4, 0.6]):
        paths.append(str(tmp_path / f"{i}.wav"))
        sf.write(paths[-1], _tone(500.0, 16000, seconds), 16000)
    pipe = make_pipeline(AudioLoader(sr=8000, duration=0.5), MelSpectrogram(sr=8000, n_fft=256, n_mels=16))
    S = pipe.fit_transform(paths)
    assert S.shape == (2, 16, 1 + 4000 // 64)
    with pytest.raises(ValueError, match="different lengths"):
        AudioLoader(sr=8000).fit_transform(paths)
    with pytest.raises(ValueError, match="sampling rate"):
        AudioLoader().fit(paths)
    with pytest.raises(TypeError, match="sequence"):
        AudioLoader(sr=8000).fit("one.wav")


def test_fix_length_transformer_on_ragged_list():
    clips = [np.ones(3, np.float32), np.ones(6, np.float32), np.ones(5, np.float32)]
    fl = FixLength().fit(clips)
    assert fl.length_ == 6
    out = fl.transform(clips)
    assert out.shape == (3, 6) and out.dtype == np.float32
    assert out[0, 3:].sum() == 0
    with pytest.raises(ValueError, match="1-D"):
        FixLength().fit([np.ones((2, 3)), np.ones(4)])
    with pytest.raises(ValueError, match="NaN"):
        FixLength().fit([np.ones(3), np.array([1.0, np.nan])])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        FixLength(length=4).fit_transform(np.ones((2, 8), np.float32))


# -- issue 28: values and parameters at their edges ---------------------------------------------


def test_resampling_a_loud_float_file_stays_finite(tmp_path):
    # finite float32 samples of 1e38 overflowed inside the resampler (1600 NaN, no word)
    path = tmp_path / "loud.wav"
    sf.write(path, np.full(800, 1e38, np.float32), 8000, subtype="FLOAT")
    y, sr = load_audio(path, sr=16000)
    assert sr == 16000 and y.shape == (1600,)
    assert np.isfinite(y).all()
    np.testing.assert_allclose(y[200:1400], 1e38, rtol=1e-3)  # away from the edges' ringing


def test_downmixing_loud_stereo_stays_finite(tmp_path):
    # the float32 mean of two channels at 3e38 summed to inf before dividing
    path = tmp_path / "loud_stereo.wav"
    sf.write(path, np.full((400, 2), 3e38, np.float32), 8000, subtype="FLOAT")
    y, _ = load_audio(path)
    np.testing.assert_allclose(y, 3e38, rtol=1e-6)


def test_resampling_beyond_float32_is_refused_naming_the_file(tmp_path):
    # the 3e38 clip: the filter's ringing at its edges reaches 3.41e38 (1600 NaN before)
    path = tmp_path / "peak.wav"
    sf.write(path, np.full(800, 3e38, np.float32), 8000, subtype="FLOAT")
    with pytest.raises(ValueError, match=r"peak\.wav.*float32"):
        load_audio(path, sr=16000)


def test_a_rate_too_low_for_the_clip_is_refused(tmp_path):
    path = tmp_path / "short.wav"
    sf.write(path, np.zeros(800, np.float32), 8000)  # 0.1 s
    with pytest.raises(ValueError, match=r"short\.wav.*sr=1\b.*no sample"):
        load_audio(path, sr=1)


@pytest.mark.parametrize(
    "kwargs, name",
    [
        (dict(sr=np.inf), "sr"),
        (dict(sr=np.nan), "sr"),
        (dict(sr=0), "sr"),
        (dict(sr=-1), "sr"),
        (dict(sr="16k"), "sr"),
        (dict(duration=np.inf), "duration"),
        (dict(duration=np.nan), "duration"),
        (dict(duration=1e300), "duration"),
        (dict(duration=1e-9), "duration"),
        (dict(sr=8000, duration=1e-9), "duration"),
        (dict(offset=np.nan), "offset"),
        (dict(offset=np.inf), "offset"),
        (dict(offset=1e300), "offset"),
        (dict(offset=-1.0), "offset"),
    ],
)
def test_bad_rates_offsets_and_durations_are_named(tmp_path, kwargs, name):
    # were an OverflowError (sr/duration=inf), the file blamed for offset=nan, and a
    # complaint about a "length" the caller never gave for duration=1e-9
    path = tmp_path / "tone.wav"
    sf.write(path, _tone(440, 8000, 0.1), 8000)
    with pytest.raises((ValueError, TypeError), match=rf"\b{name}\b"):
        load_audio(path, **kwargs)


# -- issue 26: read at the decoder's speed, with the same values -------------------------------


def _files(tmp_path, seconds, *, channels=1, subtype="PCM_16", sr=8000, seed=0):
    rng = np.random.default_rng(seed)
    paths = []
    for i, s in enumerate(seconds):
        paths.append(tmp_path / f"clip{i}_{channels}ch_{subtype}.wav")
        y = (0.3 * rng.standard_normal((int(sr * s), channels))).astype(np.float32)
        sf.write(paths[-1], y, sr, subtype=subtype)
    return paths


@pytest.mark.parametrize("subtype", ["FLOAT", "DOUBLE"])
@pytest.mark.parametrize("channels", [1, 2])
@pytest.mark.parametrize("kwargs", [{}, dict(sr=16000), dict(mono=False), dict(duration=1.0)])
def test_float_files_are_still_checked_for_nan(tmp_path, subtype, channels, kwargs):
    # integer PCM skips the NaN/inf pass; files that can hold NaN keep it on every path
    good = _files(tmp_path, [0.25], channels=channels, subtype=subtype)[0]
    data = sf.read(good, dtype="float32", always_2d=True)[0]
    data[100, channels - 1] = np.nan
    bad = tmp_path / f"nan_{subtype}.wav"
    sf.write(bad, data, 8000, subtype=subtype)
    with pytest.raises(ValueError, match=rf"nan_{subtype}\.wav.*1 NaN"):
        load_audio([good, bad], **kwargs)


@pytest.mark.parametrize("subtype, checked", [("PCM_16", False), ("PCM_24", False), ("FLOAT", True)])
def test_finiteness_pass_only_where_the_subtype_can_hold_nan(tmp_path, monkeypatch, subtype, checked):
    import skaudio.io

    calls = []
    real = skaudio.io._all_finite
    monkeypatch.setattr(skaudio.io, "_all_finite", lambda x: calls.append(x.size) or real(x))
    paths = _files(tmp_path, [0.25, 0.25], subtype=subtype)
    y, _ = load_audio(paths)
    y16, _ = load_audio(paths, sr=16000)
    assert bool(calls) == checked
    for i, path in enumerate(paths):  # the values do not depend on it
        np.testing.assert_array_equal(y[i], sf.read(path, dtype="float32")[0])
        assert y16.shape == (2, 4000) and np.isfinite(y16).all()


@pytest.mark.parametrize(
    "kwargs",
    [{}, dict(sr=11025), dict(duration=0.6), dict(mono=False), dict(mono=False, sr=4000, duration=0.3)],
)
@pytest.mark.parametrize("channels", [1, 2, 3])
def test_two_threads_give_the_same_clips_as_one(tmp_path, kwargs, channels):
    paths = _files(tmp_path, [0.5, 0.5, 0.5, 0.5, 0.75, 0.5], channels=channels)
    paths.insert(3, tmp_path / "missing.wav")
    with pytest.warns(UserWarning, match="missing.wav"):
        one, sr1, kept1 = load_audio(paths, n_jobs=1, on_error="warn", return_paths=True, **kwargs)
    with pytest.warns(UserWarning, match="missing.wav"):
        two, sr2, kept2 = load_audio(paths, n_jobs=2, on_error="warn", return_paths=True, **kwargs)
    assert sr1 == sr2 and kept1 == kept2 == paths[:3] + paths[4:]
    assert type(one) is type(two) and len(one) == len(two) == 6
    for a, b, path in zip(one, two, kept1):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(a, load_audio(path, **kwargs)[0])  # as read alone
    with pytest.raises(ValueError, match="missing.wav"):
        load_audio(paths, n_jobs=2, **kwargs)


# (not with sr=: soxr's output buffers are invisible to tracemalloc, before and after)
@pytest.mark.parametrize("kwargs", [{}, dict(duration=0.5), dict(mono=False)])
@pytest.mark.parametrize("channels", [1, 2])
def test_a_batch_is_written_in_place_without_a_stack_copy(tmp_path, kwargs, channels):
    import tracemalloc

    paths = _files(tmp_path, [0.5] * 24, channels=channels)
    load_audio(paths[:2], **kwargs)  # compile the kernels outside the measurement
    tracemalloc.start()
    try:
        X, _ = load_audio(paths, **kwargs)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(X, np.ndarray) and X.shape[0] == 24 and X.flags.c_contiguous
    # before: every clip on its own, then np.stack of them (2x the batch at the end)
    assert peak < 1.5 * X.nbytes, (peak, X.nbytes)


def test_clips_of_other_shapes_fall_back_to_a_list_or_a_stack(tmp_path):
    paths = _files(tmp_path, [0.5, 0.5, 0.25])
    clips, _ = load_audio(paths)
    assert isinstance(clips, list) and [len(c) for c in clips] == [4000, 4000, 2000]
    for c, p in zip(clips, paths):
        np.testing.assert_array_equal(c, sf.read(p, dtype="float32")[0])
    # a cut file announces more frames than it holds: its clip is shorter than its row
    cut = tmp_path / "cut.wav"
    cut.write_bytes(paths[2].read_bytes()[:-400])
    with pytest.warns(UserWarning, match="truncated"):
        clips, _ = load_audio([paths[0], cut, paths[1]])
    assert [len(c) for c in clips] == [4000, 1800, 4000]


def test_the_batch_is_read_clip_by_clip_when_no_array_can_hold_it():
    from skaudio.io import _Rows

    rows = _Rows(2**40)
    assert rows.row(0, (2**30,)) is None  # numpy refuses 2**72 bytes: no row, no error
    assert rows.out is None


@pytest.mark.parametrize(
    "n_jobs, error", [(0, ValueError), (1.5, TypeError), (True, TypeError), ("2", TypeError)]
)
def test_n_jobs_is_checked_naming_it(tmp_path, n_jobs, error):
    paths = _files(tmp_path, [0.1, 0.1])
    with pytest.raises(error, match="n_jobs"):
        load_audio(paths, n_jobs=n_jobs)
