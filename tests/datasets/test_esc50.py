import functools
import hashlib
import http.server
import threading
import zipfile

import numpy as np
import pandas as pd
import pytest
import soundfile as sf

from skaudio.datasets import fetch_esc50, load_esc50
from skaudio.datasets._esc50 import _safe_extract

CLASSES = [(0, "dog", True), (1, "rooster", True), (14, "chirping_birds", False)]


def make_layout(root, n_per_class=2, sr=8000):
    """A miniature ESC-50 in the official layout: audio/*.wav + meta/esc50.csv."""
    (root / "audio").mkdir(parents=True)
    (root / "meta").mkdir()
    rows = []
    rng = np.random.default_rng(0)
    for target, category, esc10 in CLASSES:
        for k in range(n_per_class):
            fold = 1 + (k % 5)
            name = f"{fold}-{100 + target}-A-{k}.wav"
            sf.write(root / "audio" / name, (0.1 * rng.standard_normal(sr * 5)).astype(np.float32), sr)
            rows.append(
                dict(
                    filename=name,
                    fold=fold,
                    target=target,
                    category=category,
                    esc10=esc10,
                    src_file=100 + target,
                    take="A",
                )
            )
    pd.DataFrame(rows).to_csv(root / "meta" / "esc50.csv", index=False)
    return root


def test_load_layout(tmp_path):
    root = make_layout(tmp_path / "ESC-50-master")
    esc = load_esc50(root, sr=8000)
    assert esc.data.shape == (6, 40000) and esc.data.dtype == np.float32
    assert list(esc.target_names) == ["dog", "rooster", "chirping_birds"]
    assert set(esc.fold) == {1, 2}
    assert list(esc.frame.columns[:7]) == [
        "filename",
        "fold",
        "target",
        "category",
        "esc10",
        "src_file",
        "take",
    ]
    sub = load_esc50(root, sr=4000, subset="esc10", folds=[1])
    assert sub.data.shape == (2, 20000) and set(sub.target) == {0, 1}
    X, y = load_esc50(root, sr=8000, return_X_y=True)
    assert X.shape[0] == y.shape[0] == 6


def test_partial_copy(tmp_path):
    root = make_layout(tmp_path / "esc")
    (root / "audio" / "1-100-A-0.wav").unlink()
    with pytest.raises(FileNotFoundError, match="1 of 6 audio files"):
        load_esc50(root, sr=8000)
    with pytest.warns(UserWarning, match="1-100-A-0.wav"):
        esc = load_esc50(root, sr=8000, on_missing="skip")
    assert len(esc.target) == 5 and len(esc.frame) == 5


@pytest.mark.parametrize(
    "edit, match",
    [
        (lambda f: f.drop(columns=["fold"]), "lacks the column"),
        (lambda f: f.assign(fold=7), "folds are 1 to 5"),
        (lambda f: f.assign(category="dog"), "inconsistently"),
        (lambda f: pd.concat([f, f.iloc[:1]]), "more than once"),
    ],
)
def test_inconsistent_metadata(tmp_path, edit, match):
    root = make_layout(tmp_path / "esc")
    csv = root / "meta" / "esc50.csv"
    edit(pd.read_csv(csv)).to_csv(csv, index=False)
    with pytest.raises(ValueError, match=match):
        load_esc50(root)


@pytest.mark.parametrize(
    "content, match",
    [
        (b"", "esc50.csv: it is empty"),
        (
            np.random.default_rng(0).integers(128, 256, 3000, dtype=np.uint8).tobytes(),
            "esc50.csv: not a UTF-8 CSV",
        ),
        (b"\x00\x01\x02 binary\n\xff\xfe", "esc50.csv"),
    ],
)
def test_unreadable_metadata_names_the_csv(tmp_path, content, match):
    root = make_layout(tmp_path / "esc")
    (root / "meta" / "esc50.csv").write_bytes(content)
    with pytest.raises(ValueError, match=match):
        load_esc50(root)


@pytest.mark.parametrize(
    "column, match",
    [
        ("filename", "empty 'filename' cell on line\\(s\\) \\[3\\]"),
        ("fold", "empty cells in the column\\(s\\) \\['fold'\\]"),
    ],
)
def test_empty_metadata_cells_name_the_csv(tmp_path, column, match):
    root = make_layout(tmp_path / "esc")
    csv = root / "meta" / "esc50.csv"
    frame = pd.read_csv(csv)
    frame[column] = frame[column].astype(object)
    frame.loc[1, column] = ""
    frame.to_csv(csv, index=False)
    with pytest.raises(ValueError, match="esc50.csv.*" + match):
        load_esc50(root)


@pytest.mark.parametrize("folds", [1.7, 1.0, [1, 2.5], True, "1", []])
def test_non_integer_folds_are_refused(tmp_path, folds):
    root = make_layout(tmp_path / "esc")
    with pytest.raises(ValueError, match="folds must be an integer 1..5"):
        load_esc50(root, folds=folds)


def test_missing_layout_and_bad_arguments(tmp_path):
    with pytest.raises(FileNotFoundError, match="esc50.csv"):
        load_esc50(tmp_path)
    root = make_layout(tmp_path / "esc")
    with pytest.raises(ValueError, match="folds"):
        load_esc50(root, folds=[6])
    with pytest.raises(ValueError, match="subset"):
        load_esc50(root, subset="esc20")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def file_server(tmp_path):
    """Serve ``tmp_path / 'www'`` on a loopback port for the duration of a test."""
    www = tmp_path / "www"
    www.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(www))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield www, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _zip_dir(src, archive, prefix):
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(src.rglob("*")):
            zf.write(path, f"{prefix}/{path.relative_to(src)}")


def test_fetch_from_local_server(tmp_path, file_server):
    www, base = file_server
    src = make_layout(tmp_path / "src")
    archive = www / "master.zip"
    _zip_dir(src, archive, "ESC-50-master")
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    home = tmp_path / "home"
    esc = fetch_esc50(home, url=f"{base}/master.zip", sha256=digest, sr=8000, progressbar=False)
    assert esc.data.shape == (6, 40000)
    assert (home / "ESC-50-master" / "meta" / "esc50.csv").is_file()
    assert not (home / "ESC-50-master.zip").exists()  # the archive is removed after unpacking
    archive.unlink()  # a second call must not download again
    again = fetch_esc50(home, url=f"{base}/master.zip", sha256=digest, sr=8000, subset="esc10")
    assert again.data.shape == (4, 40000)


def test_fetch_refuses_bad_checksum_and_offline(tmp_path, file_server):
    www, base = file_server
    src = make_layout(tmp_path / "src")
    _zip_dir(src, www / "master.zip", "ESC-50-master")
    with pytest.raises(ValueError, match="(?i)hash"):
        fetch_esc50(tmp_path / "home", url=f"{base}/master.zip", sha256="0" * 64, progressbar=False)
    assert not (tmp_path / "home" / "ESC-50-master").exists()
    with pytest.raises(FileNotFoundError, match="download_if_missing"):
        fetch_esc50(tmp_path / "other", download_if_missing=False)


def test_fetch_recovers_from_an_incomplete_copy(tmp_path, file_server):
    """``ESC-50-master/`` without ``meta/``, a ``.partial`` folder and the archive left by a
    failed call (``OSError: Directory not empty`` on every retry before): the next call
    replaces the incomplete copy and leaves only the complete one."""
    www, base = file_server
    src = make_layout(tmp_path / "src")
    archive = www / "master.zip"
    _zip_dir(src, archive, "ESC-50-master")
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    home = tmp_path / "home"
    (home / "ESC-50-master" / "audio").mkdir(parents=True)
    (home / "ESC-50-master" / "audio" / "1-100-A-0.wav").write_bytes(b"half a file")
    (home / "ESC-50-master.partial" / "ESC-50-master" / "audio").mkdir(parents=True)
    (home / "ESC-50-master.zip").write_bytes(archive.read_bytes())  # verified, kept by the failed call
    with pytest.warns(UserWarning, match="replacing the incomplete ESC-50 copy"):
        esc = fetch_esc50(home, url=f"{base}/master.zip", sha256=digest, sr=8000, progressbar=False)
    assert esc.data.shape == (6, 40000)
    assert sorted(p.name for p in home.iterdir()) == ["ESC-50-master"]
    assert (home / "ESC-50-master" / "meta" / "esc50.csv").is_file()


def test_fetch_of_an_archive_without_metadata_leaves_nothing_behind(tmp_path, file_server):
    www, base = file_server
    src = make_layout(tmp_path / "src")
    (src / "meta" / "esc50.csv").unlink()
    archive = www / "master.zip"
    _zip_dir(src, archive, "ESC-50-master")
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    home = tmp_path / "home"
    with pytest.raises(ValueError, match="has no ESC-50-master/meta/esc50.csv"):
        fetch_esc50(home, url=f"{base}/master.zip", sha256=digest, progressbar=False)
    assert list(home.iterdir()) == []  # no .partial folder, no archive that would fail again


def test_extraction_refuses_escaping_members(tmp_path):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("ESC-50-master/meta/esc50.csv", "filename\n")
        zf.writestr("../../outside.txt", "gotcha")
    target = tmp_path / "out"
    with pytest.raises(ValueError, match="outside"):
        _safe_extract(archive, target)
    assert not (tmp_path / "outside.txt").exists()
    absolute = tmp_path / "abs.zip"
    with zipfile.ZipFile(absolute, "w") as zf:
        info = zipfile.ZipInfo("/etc/evil")
        zf.writestr(info, "x")
    with pytest.raises(ValueError, match="outside"):  # absolute names are refused too
        _safe_extract(absolute, target)


def test_esc10_protocol_on_real_copy(esc10_dir):
    """The ESC-50 protocol (leave one predefined fold out) on the real ESC-10 clips."""
    from sklearn.model_selection import LeaveOneGroupOut, cross_validate
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer, StandardScaler
    from sklearn.svm import SVC

    from skaudio.features import MelSpectrogram

    esc = load_esc50(esc10_dir, sr=16000)
    assert esc.data.shape == (400, 80000)
    assert np.bincount(esc.fold)[1:].tolist() == [80] * 5
    assert len(esc.target_names) == 10

    def band_stats(S):
        return np.concatenate([S.mean(-1), S.std(-1)], axis=1)

    pipe = make_pipeline(
        MelSpectrogram(sr=16000, n_fft=1024, hop_length=512, n_mels=64),
        FunctionTransformer(band_stats),
        StandardScaler(),
        SVC(C=10.0),
    )
    res = cross_validate(pipe, esc.data, esc.target, groups=esc.fold, cv=LeaveOneGroupOut())
    assert len(res["test_score"]) == 5
    assert res["test_score"].mean() > 0.5  # chance is 0.1


def _rename_first(root, name):
    meta = root / "meta" / "esc50.csv"
    frame = pd.read_csv(meta)
    frame.loc[0, "filename"] = name
    frame.to_csv(meta, index=False)


@pytest.mark.parametrize(
    "name",
    [
        "../../private/secret.wav",  # climbs out of the dataset
        "../meta/esc50.csv",  # out of audio/, still inside the dataset
        "/etc/shadow",  # absolute, existing
        "/no/such/file.wav",  # absolute, missing: the same refusal, so nothing can be probed
        "sub/../../outside.wav",
    ],
)
def test_metadata_cannot_name_files_outside_the_audio_folder(tmp_path, name):
    """Before: the row was read (another folder's samples as clip 0) or opened (/etc/shadow)."""
    root = make_layout(tmp_path / "ESC-50-master")
    private = tmp_path / "private"
    private.mkdir()
    sf.write(private / "secret.wav", np.ones(8000 * 5, np.float32), 8000)
    _rename_first(root, name)
    with pytest.raises(ValueError, match=r"esc50.csv, line 2: the file name .* leads outside"):
        load_esc50(root, sr=8000)
    with pytest.raises(ValueError, match="leads outside"):  # skipping is no way round it
        load_esc50(root, sr=8000, on_missing="skip")


def test_symlinks_out_of_the_folder_are_refused_and_inside_ones_kept(tmp_path):
    root = make_layout(tmp_path / "ESC-50-master")
    outside = tmp_path / "elsewhere.wav"
    sf.write(outside, np.ones(8000 * 5, np.float32), 8000)
    (root / "audio" / "link-out.wav").symlink_to(outside)
    _rename_first(root, "link-out.wav")
    with pytest.raises(ValueError, match="line 2: the file name 'link-out.wav' leads outside"):
        load_esc50(root, sr=8000)
    # a link that stays inside the audio folder is an ordinary file of the dataset
    first = sorted((root / "audio").glob("1-*.wav"))[0]
    (root / "audio" / "link-in.wav").symlink_to(first)
    _rename_first(root, "link-in.wav")
    assert load_esc50(root, sr=8000).data.shape == (6, 40000)


def test_the_refusal_names_the_metadata_line_after_filtering(tmp_path):
    root = make_layout(tmp_path / "ESC-50-master")
    meta = root / "meta" / "esc50.csv"
    frame = pd.read_csv(meta)
    last = len(frame) - 1
    frame.loc[last, "filename"] = "../x.wav"
    frame.to_csv(meta, index=False)
    with pytest.raises(ValueError, match=rf"line {last + 2}:"):
        load_esc50(root, sr=8000, folds=[int(frame.loc[last, "fold"])])


@pytest.mark.parametrize("value", ["1.5", "1e30", "-1", "x"])
def test_targets_must_be_class_indices(tmp_path, value):
    """Before: 1.5 merged with 1, 1e30 became INT64_MIN, -1 was accepted, 'x' a bare pandas error."""
    root = make_layout(tmp_path / "ESC-50-master")
    meta = root / "meta" / "esc50.csv"
    lines = meta.read_text().splitlines()
    cells = lines[1].split(",")
    cells[2] = value  # the target of the first clip
    lines[1] = ",".join(cells)
    meta.write_text("\n".join(lines) + "\n")
    with pytest.raises(
        ValueError, match=r"esc50.csv: the column 'target' must hold class indices.*line\(s\) \[2\]"
    ):
        load_esc50(root, sr=8000)


def test_no_folder_reads_the_fetched_copy(tmp_path, monkeypatch):
    monkeypatch.setenv("SKAUDIO_DATA", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="ESC-50-master"):  # before: a pathlib TypeError
        load_esc50(None)
    make_layout(tmp_path / "ESC-50-master")
    assert load_esc50(None, sr=8000).data.shape == (6, 40000)


def test_audio_false_gives_metadata_and_paths(tmp_path):
    root = make_layout(tmp_path / "esc")
    full = load_esc50(root, sr=8000)
    meta = load_esc50(root, audio=False)
    assert meta.data is None and meta.frame.equals(full.frame)
    np.testing.assert_array_equal(meta.filenames, full.filenames)
    X, y = load_esc50(root, audio=False, return_X_y=True)
    np.testing.assert_array_equal(X, full.filenames)
    np.testing.assert_array_equal(y, full.target)
