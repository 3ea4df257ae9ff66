"""Out-of-core extraction: chunked streaming over file lists, resumable memory-mapped output."""

import json

import numpy as np
import pytest
import soundfile as sf
from sklearn.pipeline import make_pipeline

from skaudio.features import (
    AudioLoader,
    MelSpectrogram,
    PoolingTransformer,
    extract_to_memmap,
    iter_transform,
    streaming,
)

SR = 8000
N_FILES = 11  # chunks of 4: 4 + 4 + 3, the last one short


def _mel():
    return MelSpectrogram(sr=SR, n_fft=256, hop_length=128, n_mels=24)


@pytest.fixture
def wav_files(tmp_path):
    rng = np.random.default_rng(0)
    t = np.arange(SR // 2) / SR
    files = []
    for i in range(N_FILES):
        y = 0.3 * np.sin(2 * np.pi * (200 + 90 * i) * t) + 0.02 * rng.standard_normal(t.size)
        path = tmp_path / f"clip{i:02d}.wav"
        sf.write(path, y.astype(np.float32), SR)
        files.append(str(path))
    return files


@pytest.fixture
def reference(wav_files):
    """The in-memory result every chunked run must equal."""
    return make_pipeline(AudioLoader(sr=SR), _mel()).fit_transform(wav_files)


# -- a transformer that records which chunks it computed and can fail on one --------------
CALLS = []
FAIL_ON = {"path": None}


class RecordingLoader(AudioLoader):
    """AudioLoader that logs the first file of every chunk it reads and fails on demand."""

    def transform(self, paths):
        CALLS.append(paths[0])
        if FAIL_ON["path"] == paths[0]:
            raise RuntimeError("interrupted on purpose")
        return super().transform(paths)


@pytest.fixture
def recording(wav_files):
    pipe = make_pipeline(RecordingLoader(sr=SR), _mel()).fit(wav_files[:2])
    CALLS.clear()
    FAIL_ON["path"] = None
    yield pipe
    CALLS.clear()
    FAIL_ON["path"] = None


def _progress(path):
    return json.loads((path.parent / (path.name + ".progress.json")).read_text())


# -- streaming --------------------------------------------------------------------------------
@pytest.mark.parametrize("chunk_size", [1, 4, N_FILES, 50])
def test_iter_transform_equals_in_memory(wav_files, reference, chunk_size):
    rows, parts = zip(*iter_transform(_mel(), wav_files, chunk_size=chunk_size, sr=SR))
    assert [r.start for r in rows] == list(range(0, N_FILES, chunk_size))
    assert all(len(p) <= chunk_size for p in parts)
    np.testing.assert_array_equal(np.concatenate(parts), reference)


def test_iter_transform_hands_paths_to_a_pipeline_without_sr(wav_files, reference):
    pipe = make_pipeline(AudioLoader(sr=SR), _mel())  # unfitted: a clone is fitted on the first chunk
    parts = [S for _, S in iter_transform(pipe, wav_files, chunk_size=3)]
    np.testing.assert_array_equal(np.concatenate(parts), reference)
    assert not hasattr(pipe[-1], "window_"), "the caller's transformer must stay unfitted"


def test_iter_transform_reads_one_chunk_at_a_time(wav_files, recording):
    stream = iter_transform(recording, wav_files, chunk_size=4)
    next(stream)
    assert CALLS == [wav_files[0]], "only the first chunk may have been read"
    list(stream)
    assert CALLS == [wav_files[0], wav_files[4], wav_files[8]]


def test_iter_transform_with_pooling_and_offset(wav_files):
    pipe = make_pipeline(_mel(), PoolingTransformer("max", axis="time"))
    parts = [F for _, F in iter_transform(pipe, wav_files, chunk_size=4, sr=SR, duration=0.25, offset=0.1)]
    X = AudioLoader(sr=SR, duration=0.25, offset=0.1).transform(wav_files)
    np.testing.assert_array_equal(np.concatenate(parts), pipe.fit(X).transform(X))


def test_audio_loader_needs_no_fit(wav_files):
    X = AudioLoader(sr=SR).transform(wav_files[:2])
    assert X.shape == (2, SR // 2)
    with pytest.raises(ValueError, match="sampling rate"):
        AudioLoader().transform(wav_files[:2])


# -- memmap output -------------------------------------------------------------------------
def test_extract_to_memmap_equals_in_memory(wav_files, reference, tmp_path):
    out = tmp_path / "feats.npy"
    S = extract_to_memmap(_mel(), wav_files, out, chunk_size=4, sr=SR)
    assert isinstance(S, np.memmap) and not S.flags.writeable
    np.testing.assert_array_equal(S, reference)
    np.testing.assert_array_equal(np.load(out), reference)
    state = _progress(out)
    assert state["done"] == [0, 1, 2] and state["shape"] == list(reference.shape)


def test_extract_to_memmap_does_nothing_when_finished(wav_files, recording, tmp_path):
    out = tmp_path / "feats.npy"
    first = np.array(extract_to_memmap(recording, wav_files, out, chunk_size=4))
    assert len(CALLS) == 3
    again = extract_to_memmap(recording, wav_files, out, chunk_size=4, n_jobs=2, verbose=False)
    assert len(CALLS) == 3, "a finished extraction must not compute anything"
    np.testing.assert_array_equal(again, first)


@pytest.mark.parametrize("fail_chunk", [0, 1, 2])
def test_resume_after_an_exception_recomputes_only_unfinished_chunks(
    wav_files, reference, recording, tmp_path, fail_chunk
):
    out = tmp_path / "feats.npy"
    FAIL_ON["path"] = wav_files[4 * fail_chunk]
    with pytest.raises(RuntimeError, match="interrupted on purpose"):
        extract_to_memmap(recording, wav_files, out, chunk_size=4)
    if fail_chunk:
        assert _progress(out)["done"] == list(range(fail_chunk))
    else:
        assert not out.exists(), "nothing was finished, so no data file yet"
    CALLS.clear()
    FAIL_ON["path"] = None
    S = extract_to_memmap(recording, wav_files, out, chunk_size=4)
    assert CALLS == [wav_files[4 * k] for k in range(fail_chunk, 3)], "finished chunks were recomputed"
    np.testing.assert_array_equal(S, reference)
    assert _progress(out)["done"] == [0, 1, 2]


def test_a_chunk_interrupted_while_being_written_is_not_marked_done(
    wav_files, reference, recording, tmp_path, monkeypatch
):
    out = tmp_path / "feats.npy"
    real_write = streaming._write_chunk

    def crash_halfway(path, rows, features):  # some rows of chunk 1 reach the file, then the process dies
        if rows.start == 4:
            real_write(path, slice(rows.start, rows.start + 2), features[:2])
            raise KeyboardInterrupt
        real_write(path, rows, features)

    monkeypatch.setattr(streaming, "_write_chunk", crash_halfway)
    with pytest.raises(KeyboardInterrupt):
        extract_to_memmap(recording, wav_files, out, chunk_size=4)
    assert _progress(out)["done"] == [0]
    monkeypatch.undo()
    CALLS.clear()
    S = extract_to_memmap(recording, wav_files, out, chunk_size=4)
    assert CALLS == [wav_files[4], wav_files[8]]
    np.testing.assert_array_equal(S, reference)


def test_a_crash_before_the_marker_is_written_recomputes_that_chunk(
    wav_files, reference, recording, tmp_path, monkeypatch
):
    out = tmp_path / "feats.npy"
    real = streaming._write_atomic
    writes = []

    def crash_on_second_mark(path, state):  # data of chunk 1 flushed, marker never written
        if len(state["done"]) == 2:
            raise SystemExit("killed")
        writes.append(list(state["done"]))
        real(path, state)

    monkeypatch.setattr(streaming, "_write_atomic", crash_on_second_mark)
    with pytest.raises(SystemExit):
        extract_to_memmap(recording, wav_files, out, chunk_size=4)
    assert _progress(out)["done"] == [0]
    monkeypatch.undo()
    CALLS.clear()
    S = extract_to_memmap(recording, wav_files, out, chunk_size=4)
    assert CALLS == [wav_files[4], wav_files[8]]
    np.testing.assert_array_equal(S, reference)


@pytest.mark.parametrize(
    "change, what",
    [
        (dict(chunk_size=3), "chunk_size"),
        (dict(transformer=MelSpectrogram(sr=SR, n_fft=256, hop_length=128, n_mels=16)), "transformer"),
        (dict(files_slice=slice(0, 10)), "files"),
        (dict(duration=0.5), "duration"),
    ],
)
def test_resume_refuses_different_settings(wav_files, tmp_path, change, what):
    out = tmp_path / "feats.npy"
    extract_to_memmap(_mel(), wav_files, out, chunk_size=4, sr=SR)
    kwargs = dict(transformer=_mel(), files=wav_files, chunk_size=4, sr=SR)
    kwargs.update(change)
    if "files_slice" in kwargs:
        kwargs["files"] = wav_files[kwargs.pop("files_slice")]
    with pytest.raises(ValueError, match=rf"different settings \(.*{what}.*resume=False"):
        extract_to_memmap(path=out, **kwargs)
    S = extract_to_memmap(path=out, resume=False, **kwargs)  # starting afresh is allowed
    assert S.shape[0] == len(kwargs["files"])


def test_resume_ignores_speed_only_parameters(wav_files, reference, tmp_path):
    out = tmp_path / "feats.npy"
    extract_to_memmap(_mel(), wav_files, out, chunk_size=4, sr=SR)
    fast = MelSpectrogram(sr=SR, n_fft=256, hop_length=128, n_mels=24, n_jobs=1, verbose=False)
    np.testing.assert_array_equal(
        extract_to_memmap(fast, wav_files, out, chunk_size=4, sr=SR, n_jobs=2), reference
    )


def test_resume_checks_the_data_file(wav_files, tmp_path):
    out = tmp_path / "feats.npy"
    extract_to_memmap(_mel(), wav_files, out, chunk_size=4, sr=SR)
    np.save(out, np.zeros((3, 2), np.float32))
    with pytest.raises(ValueError, match="shape"):
        extract_to_memmap(_mel(), wav_files, out, chunk_size=4, sr=SR)
    out.unlink()
    with pytest.raises(ValueError, match="cannot be read"):
        extract_to_memmap(_mel(), wav_files, out, chunk_size=4, sr=SR)
    (tmp_path / "feats.npy.progress.json").write_text("{not json")
    with pytest.raises(ValueError, match="cannot read the progress file"):
        extract_to_memmap(_mel(), wav_files, out, chunk_size=4, sr=SR)
    assert extract_to_memmap(_mel(), wav_files, out, chunk_size=4, sr=SR, resume=False).shape[0] == N_FILES


def test_a_fitted_transformer_is_used_as_given(wav_files, tmp_path):
    X = AudioLoader(sr=SR).transform(wav_files)
    mel = _mel().fit(X[:1])
    mel.window_ = mel.window_ * 0.5  # learned state that refitting would lose
    S = extract_to_memmap(mel, wav_files, tmp_path / "f.npy", chunk_size=4, sr=SR)
    np.testing.assert_array_equal(S, mel.transform(X))


def test_clips_of_different_lengths_need_duration(tmp_path, wav_files):
    longer = tmp_path / "long.wav"
    sf.write(longer, np.zeros(SR, np.float32), SR)
    files = wav_files[:4] + [str(longer)]
    with pytest.raises(ValueError, match="set duration="):  # within a chunk: AudioLoader says so
        extract_to_memmap(_mel(), files, tmp_path / "f.npy", chunk_size=5, sr=SR)
    with pytest.raises(ValueError, match="8000 features.*expecting 4000"):  # across chunks: the transformer
        extract_to_memmap(_mel(), files, tmp_path / "f.npy", chunk_size=4, sr=SR)
    S = extract_to_memmap(_mel(), files, tmp_path / "f.npy", chunk_size=4, sr=SR, duration=0.5, resume=False)
    assert S.shape[0] == 5


def test_verbose_shows_progress(wav_files, tmp_path, capsys):
    extract_to_memmap(_mel(), wav_files, tmp_path / "f.npy", chunk_size=4, sr=SR, verbose=True)
    assert "extract_to_memmap" in capsys.readouterr().err
    list(iter_transform(_mel(), wav_files, chunk_size=4, sr=SR, verbose=True))
    assert "iter_transform" in capsys.readouterr().err


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(files="a.wav"), TypeError, "sequence of audio file paths"),
        (dict(files=[]), ValueError, "files is empty"),
        (dict(files=[1, 2]), TypeError, "path-like"),
        (dict(chunk_size=0), ValueError, "chunk_size"),
        (dict(chunk_size=2.5), ValueError, "chunk_size"),
        (dict(sr=None, duration=1.0), ValueError, "needs sr"),
        (dict(sr=-1), ValueError, "sr must be"),
        (dict(transformer=np.mean), TypeError, "scikit-learn transformer"),
    ],
)
def test_argument_errors(wav_files, tmp_path, kwargs, error, match):
    args = dict(transformer=_mel(), files=wav_files, chunk_size=4, sr=SR)
    args.update(kwargs)
    with pytest.raises(error, match=match):
        extract_to_memmap(path=tmp_path / "f.npy", **args)
    with pytest.raises(error, match=match):
        iter_transform(**args)
    assert not (tmp_path / "f.npy").exists()
