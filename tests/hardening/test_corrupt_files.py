"""Unreadable files given to load_audio, AudioLoader and the data set loaders: an error naming the file.

Every kind of bad file (zero bytes, a header cut short, a header only, random
bytes named .wav, a text file, a corrupt chunk id, half a FLAC or OGG stream,
a directory, a missing path, NaN or infinite float samples, a header rate that
would need absurd upsampling) is refused with a ``ValueError`` whose message
names the file; ``load_audio(on_error="warn")`` and the loaders' ``on_missing="skip"``
(``load_esc50``, ``load_urbansound8k`` and the others, each on its official layout) skip
them instead with one warning listing them. A WAV cut inside its data is read as far as
it goes, with a warning naming it. Valid audio behind an
unusual extension is read by its content.
"""

import os
import shutil
import warnings

import numpy as np
import pandas as pd
import pytest
import soundfile as sf
from hypothesis import given
from hypothesis import strategies as st

from skaudio import datasets
from skaudio.datasets import load_esc50
from skaudio.features import AudioLoader
from skaudio.io import load_audio
from tests.datasets import layouts
from tests.hardening._strategies import counted

SR = 8000


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("files")
    tone = (0.5 * np.sin(2 * np.pi * 440 * np.arange(SR) / SR)).astype(np.float32)
    good = d / "good.wav"
    sf.write(good, tone, SR)
    sf.write(d / "good.flac", tone, SR)
    sf.write(d / "good.ogg", tone, SR)
    raw = good.read_bytes()
    bad = {
        "zero_bytes.wav": b"",
        "cut_header.wav": raw[:20],
        "header_only.wav": raw[:44],
        "random_bytes.wav": np.random.default_rng(0).integers(0, 256, 4000, dtype=np.uint8).tobytes(),
        "notes.txt": b"this is a text file, not audio\n" * 20,
        "bad_chunk_id.wav": raw[:8] + b"XXXX" + raw[12:],
        "half.flac": (d / "good.flac").read_bytes()[: len((d / "good.flac").read_bytes()) // 2],
        "half.ogg": (d / "good.ogg").read_bytes()[: len((d / "good.ogg").read_bytes()) // 3],
    }
    for name, data in bad.items():
        (d / name).write_bytes(data)
    nan, inf = tone.copy(), tone.copy()
    nan[100] = np.nan
    inf[200:202] = [np.inf, -np.inf]
    sf.write(d / "nan_samples.wav", nan, SR, subtype="FLOAT")  # float WAVs can store them
    sf.write(d / "inf_samples.wav", inf, SR, subtype="DOUBLE")
    sf.write(d / "one_hz.wav", tone[:40], 1, subtype="FLOAT")  # a header claiming 1 Hz
    (d / "folder.wav").mkdir()
    (d / "cut_data.wav").write_bytes(raw[:1000])
    (d / "tone.unknown").write_bytes(raw)
    return {"dir": d, "good": good, "bad": sorted(bad) + ["folder.wav", "missing.wav"]}


BAD = [
    "zero_bytes.wav",
    "cut_header.wav",
    "header_only.wav",
    "random_bytes.wav",
    "notes.txt",
    "bad_chunk_id.wav",
    "half.flac",
    "half.ogg",
    "folder.wav",
    "missing.wav",
    "nan_samples.wav",
    "inf_samples.wav",
]


@pytest.mark.parametrize(
    "name, match", [("nan_samples.wav", "1 NaN and 0 infinite"), ("inf_samples.wav", "0 NaN and 2 infinite")]
)
def test_non_finite_samples_are_refused(files, name, match):
    with pytest.raises(ValueError, match=f"{name}.*{match}"):
        load_audio(files["dir"] / name, sr=SR, duration=1.0)


def test_absurd_sampling_rate_is_refused_before_reading(files):
    """A header claiming 1 Hz: resampling its 40 samples to 16 kHz would give 640,000 (a real
    40,000-sample clip: 640 million, 2.6 GB); refused with a message naming the file and the rate."""
    path = files["dir"] / "one_hz.wav"
    with pytest.raises(ValueError, match="one_hz.wav.*claims 1 Hz.*16000-fold upsampling"):
        load_audio(path, sr=16000)
    with pytest.raises(ValueError, match="one_hz.wav"):
        AudioLoader(sr=16000, duration=1.0).fit_transform([str(files["good"]), str(path)])
    with pytest.warns(UserWarning, match="skipped 1 unreadable.*one_hz.wav"):
        y, sr, kept = load_audio([files["good"], path], sr=16000, on_error="warn", return_paths=True)
    assert kept == [files["good"]] and sr == 16000
    y, sr = load_audio(path)  # without resampling it reads as it is
    assert sr == 1 and y.shape == (40,)


@pytest.mark.parametrize("name", BAD)
@pytest.mark.parametrize("entry", ["load_audio", "load_audio_list", "AudioLoader"])
def test_bad_file_is_named(files, name, entry):
    path = files["dir"] / name
    with pytest.raises(ValueError) as info:
        if entry == "load_audio":
            load_audio(path)
        elif entry == "load_audio_list":
            load_audio([files["good"], path, files["good"]], sr=SR)
        else:
            AudioLoader(sr=SR, duration=1.0).fit_transform([str(files["good"]), str(path)])
    assert name in str(info.value), str(info.value)


def test_bad_files_are_skipped_with_one_warning_listing_them(files):
    paths = [files["good"]] + [files["dir"] / n for n in BAD] + [files["good"]]
    with pytest.warns(UserWarning) as record:
        y, sr, kept = load_audio(paths, sr=SR, on_error="warn", return_paths=True)
    messages = " ".join(str(w.message) for w in record)
    assert f"skipped {len(BAD)} unreadable" in messages
    for name in BAD:
        assert name in messages
    assert y.shape == (2, SR) and kept == [files["good"], files["good"]]
    with pytest.raises(ValueError, match="none of the"), pytest.warns(UserWarning, match="skipped 3"):
        load_audio([files["dir"] / n for n in BAD[:3]], on_error="warn")


def test_cut_wav_is_read_with_a_warning_naming_it(files):
    path = files["dir"] / "cut_data.wav"
    with pytest.warns(UserWarning, match="cut_data.wav.*truncated"):
        y, sr = load_audio(path)
    assert sr == SR and 0 < len(y) < SR
    with pytest.warns(UserWarning, match="truncated"):
        X = AudioLoader(sr=SR, duration=1.0).fit_transform([str(path), str(files["good"])])
    assert X.shape == (2, SR) and (X[0, len(y) :] == 0).all()


def test_audio_behind_an_unknown_extension_is_read_by_content(files):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y, sr = load_audio(files["dir"] / "tone.unknown")
        ref, _ = load_audio(files["good"])
    np.testing.assert_array_equal(y, ref)


def test_non_path_items_are_named(files):
    with pytest.raises(ValueError, match="not a path"):
        load_audio([files["good"], 3.5])


@pytest.fixture
def esc_copy(files, tmp_path):
    """A three-clip ESC-50 layout, one clip of which is then damaged by each test."""
    root = tmp_path / "esc"
    (root / "meta").mkdir(parents=True)
    (root / "audio").mkdir()
    rows = []
    for i in range(3):
        name = f"1-{i}-A-{i}.wav"
        shutil.copy(files["good"], root / "audio" / name)
        rows.append(dict(filename=name, fold=1, target=i, category=f"c{i}", esc10=True, src_file=i, take="A"))
    pd.DataFrame(rows).to_csv(root / "meta" / "esc50.csv", index=False)
    return root


@pytest.mark.parametrize(
    "damage",
    ["zero_bytes.wav", "random_bytes.wav", "notes.txt", "half.flac", "folder.wav", "nan_samples.wav"],
)
def test_load_esc50_names_or_skips_a_damaged_clip(esc_copy, files, damage):
    target = esc_copy / "audio" / "1-1-A-1.wav"
    target.unlink()
    if damage == "folder.wav":
        target.mkdir()
    else:
        shutil.copy(files["dir"] / damage, target)
    with pytest.raises((ValueError, FileNotFoundError), match="1-1-A-1.wav"):
        load_esc50(esc_copy, sr=SR, duration=1.0)
    with pytest.warns(UserWarning, match="1-1-A-1.wav"):
        bunch = load_esc50(esc_copy, sr=SR, duration=1.0, on_missing="skip")
    assert bunch.data.shape == (2, SR)
    assert bunch.target.tolist() == [0, 2] and len(bunch.frame) == 2
    assert [os.path.basename(f) for f in bunch.filenames] == ["1-0-A-0.wav", "1-2-A-2.wav"]


#: loader name -> (layout builder, loader); the layouts are the loader tests' miniature copies
LAYOUTS = {
    "load_urbansound8k": (layouts.make_urbansound8k, datasets.load_urbansound8k),
    "load_ravdess": (layouts.make_ravdess, datasets.load_ravdess),
    "load_cremad": (layouts.make_cremad, datasets.load_cremad),
    "load_gtzan": (layouts.make_gtzan, datasets.load_gtzan),
    "load_fsdd": (layouts.make_fsdd, datasets.load_fsdd),
    "load_speech_commands": (layouts.make_speech_commands, datasets.load_speech_commands),
    "load_voxceleb1": (layouts.make_voxceleb1, datasets.load_voxceleb1),
    "load_vggsound": (layouts.make_vggsound, datasets.load_vggsound),
}


@pytest.mark.parametrize(
    "damage", ["zero_bytes.wav", "random_bytes.wav", "notes.txt", "half.flac", "folder.wav"]
)
@pytest.mark.parametrize("loader", LAYOUTS)
def test_dataset_loaders_name_or_skip_a_damaged_clip(files, tmp_path, loader, damage):
    make, load = LAYOUTS[loader]
    root = make(tmp_path / "data")
    kw = dict(sr=SR, duration=0.1, audio=True)
    listed = load(root, **kw)
    target = listed.filenames[-1]
    os.remove(target)
    if damage == "folder.wav":
        os.mkdir(target)
    else:
        shutil.copy(files["dir"] / damage, target)
    name = os.path.basename(target)
    with pytest.raises((ValueError, FileNotFoundError), match=name):
        load(root, **kw)
    with pytest.warns(UserWarning, match=name):
        bunch = load(root, on_missing="skip", **kw)
    assert len(bunch.target) == len(bunch.frame) == len(listed.target) - 1
    assert bunch.data.shape == (len(listed.target) - 1, SR // 10)
    np.testing.assert_array_equal(bunch.target, listed.target[:-1])


@given(
    st.integers(0, 2**32 - 1),
    st.integers(1, 3),
    st.integers(1, 400),
    st.sampled_from(["FLOAT", "PCM_16", "PCM_24"]),
    st.sampled_from([8000, 16000, 44100]),
)
@counted
def test_written_audio_reads_back(tmp_path_factory, seed, channels, n, subtype, rate):
    """Any clip soundfile writes comes back with its samples (to the subtype's precision)."""
    rng = np.random.default_rng(seed)
    data = rng.uniform(-1, 1, (n, channels)).astype(np.float32)
    path = tmp_path_factory.mktemp("rt") / "clip.wav"
    sf.write(path, data, rate, subtype=subtype)
    y, sr = load_audio(path, mono=False)
    assert sr == rate and y.shape == (channels, n) and y.dtype == np.float32
    tol = {"FLOAT": 0, "PCM_16": 2**-15, "PCM_24": 2**-23}[subtype]
    np.testing.assert_allclose(y, data.T, atol=tol)
    mono, _ = load_audio(path)
    np.testing.assert_allclose(mono, data.mean(axis=1), atol=tol + 1e-6)
    X = AudioLoader(sr=rate, duration=n / rate).fit_transform([str(path)])
    assert X.shape == (1, n)


@given(st.binary(min_size=0, max_size=300), st.sampled_from([".wav", ".flac", ".ogg", ".mp3", ".bin"]))
@counted
def test_random_bytes_never_crash(tmp_path_factory, data, suffix):
    """Arbitrary bytes: a clip, or a ValueError naming the file -- never another exception."""
    path = tmp_path_factory.mktemp("junk") / f"junk{suffix}"
    path.write_bytes(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "looks truncated" is allowed
            y, sr = load_audio(path)
    except ValueError as exc:
        assert "junk" in str(exc)
    else:
        assert y.ndim == 1 and len(y) > 0 and np.isfinite(y).all()


@pytest.fixture(scope="module")
def clip_files(tmp_path_factory):
    d = tmp_path_factory.mktemp("clips")
    rng = np.random.default_rng(1)
    paths = []
    for i in range(7):
        paths.append(str(d / f"c{i}.wav"))
        sf.write(paths[-1], (0.3 * rng.standard_normal(SR // 4)).astype(np.float32), SR, subtype="FLOAT")
    return paths


@given(st.integers(1, 8), st.integers(1, 7), st.booleans())
@counted
def test_streaming_equals_one_batch(tmp_path_factory, clip_files, chunk_size, n_files, to_memmap):
    """iter_transform / extract_to_memmap over any chunking give the one-batch features."""
    from skaudio.features import MelSpectrogram, extract_to_memmap, iter_transform

    files = clip_files[:n_files]
    mel = MelSpectrogram(sr=SR, n_fft=128, hop_length=64, n_mels=8)
    expected = mel.fit_transform(load_audio(files, sr=SR)[0])
    if to_memmap:
        path = tmp_path_factory.mktemp("npy") / "feats.npy"
        got = np.asarray(extract_to_memmap(mel, files, path, chunk_size=chunk_size, sr=SR))
    else:
        got = np.concatenate([F for _, F in iter_transform(mel, files, chunk_size=chunk_size, sr=SR)])
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", ["zero_bytes.wav", "notes.txt", "missing.wav"])
def test_streaming_names_a_bad_file(files, clip_files, tmp_path, name):
    from skaudio.features import MelSpectrogram, extract_to_memmap, iter_transform

    listed = clip_files[:3] + [str(files["dir"] / name)]
    mel = MelSpectrogram(sr=SR, n_fft=128, hop_length=64, n_mels=8)
    with pytest.raises(ValueError, match=name):
        list(iter_transform(mel, listed, chunk_size=2, sr=SR, duration=0.25))
    with pytest.raises(ValueError, match=name):
        extract_to_memmap(mel, listed, tmp_path / "f.npy", chunk_size=2, sr=SR, duration=0.25)


#: Public name -> the tests that exercise it (checked by test_public_api_coverage.py).
PROPERTY_TESTS = {
    "load_audio": [
        test_bad_file_is_named,
        test_written_audio_reads_back,
        test_random_bytes_never_crash,
        test_non_finite_samples_are_refused,
        test_absurd_sampling_rate_is_refused_before_reading,
    ],
    "AudioLoader": [test_bad_file_is_named, test_written_audio_reads_back],
    "load_esc50": [test_load_esc50_names_or_skips_a_damaged_clip],
    **{name: [test_dataset_loaders_name_or_skip_a_damaged_clip] for name in LAYOUTS},
    "iter_transform": [test_streaming_equals_one_batch, test_streaming_names_a_bad_file],
    "extract_to_memmap": [test_streaming_equals_one_batch, test_streaming_names_a_bad_file],
}
