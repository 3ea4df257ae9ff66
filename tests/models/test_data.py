"""Training from disk: memory-mapped arrays and AudioFileDataset."""

import json
import os
import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import soundfile as sf
import torch

from skaudio.features import MelSpectrogram, Spectrogram
from skaudio.models import AudioFileDataset, DEGramNetClassifier, DualBranchClassifier, SECNNClassifier
from skaudio.models.data import _MemmapRows

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SR = 8000


def _same_weights(a, b):
    sa, sb = a.module_.state_dict(), b.module_.state_dict()
    return sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)


def _memmap(tmp_path, X, name="x.npy"):
    np.save(tmp_path / name, X)
    return np.load(tmp_path / name, mmap_mode="r")


@pytest.fixture(scope="module")
def spectra():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 16, 12)).astype(np.float32)
    y = np.repeat(["a", "b", "c"], 10)
    X[y == "b", :4] += 2.0
    return X, y


SMALL = {
    SECNNClassifier: dict(module__width=4),
    DEGramNetClassifier: dict(module__width=4, module__n_filters=8),
    DualBranchClassifier: dict(module__width=4),
}


@pytest.mark.parametrize("cls", list(SMALL))
def test_memmap_fit_equals_in_memory_fit(cls, tmp_path, spectra):
    X, y = spectra
    if cls is DEGramNetClassifier:
        X = np.abs(X) ** 2
    elif cls is DualBranchClassifier:
        X = np.random.default_rng(1).uniform(-0.5, 0.5, (30, 2000)).astype(np.float32)
    kw = dict(SMALL[cls], max_epochs=2, batch_size=8, random_state=0)
    a = cls(**kw).fit(X, y)
    Xm = _memmap(tmp_path, X)
    b = cls(**kw).fit(Xm, y)
    assert _same_weights(a, b)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(Xm))
    assert b.score(Xm, y) == a.score(X, y)


def test_memmap_with_workers_early_stopping_and_balance(tmp_path, spectra):
    X, y = spectra
    kw = dict(
        module__width=4,
        max_epochs=2,
        batch_size=8,
        random_state=0,
        early_stopping=True,
        balance="undersample",
    )
    a = SECNNClassifier(**kw).fit(X, y)
    Xm = _memmap(tmp_path, X)
    b = SECNNClassifier(**kw, iterator_train__num_workers=2, iterator_valid__num_workers=1).fit(Xm, y)
    assert _same_weights(a, b)
    assert a.history[:, "valid_acc"] == b.history[:, "valid_acc"]


def test_memmap_with_spawned_workers(tmp_path, spectra):
    # spawn (macOS's and Windows' default) pickles the dataset into each worker
    X, y = spectra
    kw = dict(module__width=4, max_epochs=1, batch_size=8, random_state=0)
    a = SECNNClassifier(**kw).fit(X, y)
    b = SECNNClassifier(
        **kw, iterator_train__num_workers=1, iterator_train__multiprocessing_context="spawn"
    ).fit(_memmap(tmp_path, X), y)
    assert _same_weights(a, b)


def test_memmap_pickles_as_its_path(tmp_path, spectra):
    X, _ = spectra
    Xm = _memmap(tmp_path, np.concatenate([X] * 40))  # 40 * 23 kB
    rows = _MemmapRows(Xm)
    blob = pickle.dumps(rows)
    assert len(blob) < 2000  # the path and layout, not 920 kB of data (pickling the memmap copies it)
    again = pickle.loads(blob)
    np.testing.assert_array_equal(again[37], Xm[37])
    np.testing.assert_array_equal(again.rows(5, 9), Xm[5:9])


def test_memmap_views_and_fallbacks(tmp_path, spectra):
    X, _ = spectra
    path = tmp_path / "x.npy"
    np.save(path, X)
    Xm = np.load(path, mmap_mode="r")
    for view in (Xm[7:], Xm[::3], Xm[2:20:4]):  # offsets and strides read from the file
        r = _MemmapRows(view)
        assert r.filename is not None
        np.testing.assert_array_equal(r.rows(0, len(view)), view)
    Xc = np.load(path, mmap_mode="c")
    Xc[0] = 5.0  # copy-on-write: only in memory, so it is indexed, not read from the file
    r = _MemmapRows(Xc)
    assert r.filename is None
    np.testing.assert_array_equal(r[0], Xc[0])
    np.testing.assert_array_equal(_MemmapRows(Xm[:, ::2]).rows(0, 3), Xm[:3, ::2])  # rows not contiguous


def test_memmap_checks_name_the_row(tmp_path, spectra):
    X, y = spectra
    bad = X.copy()
    bad[17, 3, 4] = np.nan
    with pytest.raises(ValueError, match="first at row 17"):
        SECNNClassifier(max_epochs=1).fit(_memmap(tmp_path, bad, "nan.npy"), y)
    with pytest.raises(ValueError, match=r"Negative values .*row 0"):
        DEGramNetClassifier(max_epochs=1).fit(_memmap(tmp_path, X, "neg.npy"), y)
    with pytest.raises(TypeError, match="floating-point"):
        SECNNClassifier(max_epochs=1).fit(_memmap(tmp_path, (X * 10).astype(np.int16), "int.npy"), y)
    with pytest.raises(ValueError, match="must be 2-D or 3-D"):
        SECNNClassifier(max_epochs=1).fit(_memmap(tmp_path, X[..., None], "4d.npy"), y)
    big = np.full((30, 16, 12), 1e300)
    with pytest.raises(ValueError, match="beyond the float32 range"):
        SECNNClassifier(max_epochs=1).fit(_memmap(tmp_path, big, "big.npy"), y)


def test_memmap_float64_and_2d(tmp_path, spectra):
    X, y = spectra
    kw = dict(module__width=4, max_epochs=1, batch_size=8, random_state=0)
    a = SECNNClassifier(**kw).fit(X, y)
    b = SECNNClassifier(**kw).fit(_memmap(tmp_path, X.astype(np.float64), "f64.npy"), y)
    assert _same_weights(a, b)
    X2 = X[:, :, 0]
    a = SECNNClassifier(**kw).fit(X2, y)
    b = SECNNClassifier(**kw).fit(_memmap(tmp_path, X2, "2d.npy"), y)
    assert _same_weights(a, b)


@pytest.fixture(scope="module")
def wav_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("wavs")
    rng = np.random.default_rng(0)
    files, y = [], []
    for i in range(12):
        label = "lo" if i % 2 else "hi"
        t = np.arange(int(0.3 * SR)) / SR
        clip = 0.3 * np.sin(2 * np.pi * (300 if label == "lo" else 2500) * t) + 0.01 * rng.standard_normal(
            t.size
        )
        files.append(str(folder / f"{i:02d}.wav"))
        sf.write(files[-1], clip.astype(np.float32), SR)
        y.append(label)
    return files, np.array(y)


def test_audio_file_dataset_fits_with_workers_like_the_array(wav_files):
    files, y = wav_files
    mel = MelSpectrogram(sr=SR, n_fft=256, hop_length=128, n_mels=16)
    ds = AudioFileDataset(files, sr=SR, duration=0.25, frontend=mel)
    assert ds.shape == (12, 16, 16)
    X = np.stack([ds[i] for i in range(len(ds))])
    kw = dict(module__width=4, max_epochs=2, batch_size=4, random_state=0)
    a = SECNNClassifier(**kw).fit(X, y)
    b = SECNNClassifier(**kw, iterator_train__num_workers=2).fit(ds, y)
    assert _same_weights(a, b)
    np.testing.assert_array_equal(a.predict(X), b.predict(ds))
    # waveforms (no front end) for the end-to-end network; DEGramNet on power spectrograms
    wave = AudioFileDataset(files, sr=SR, duration=0.25)
    assert wave.shape == (12, 2000)
    DualBranchClassifier(module__width=4, max_epochs=1, batch_size=4).fit(wave, y)
    power = AudioFileDataset(
        files, sr=SR, duration=0.25, frontend=Spectrogram(n_fft=128, hop_length=64, power=2.0)
    )
    DEGramNetClassifier(module__width=4, module__n_filters=8, max_epochs=1, batch_size=4).fit(power, y)


def test_audio_file_dataset_errors(wav_files, tmp_path):
    files, y = wav_files
    with pytest.raises(ValueError, match="sr must be a positive"):
        AudioFileDataset(files, sr=0)
    with pytest.raises(TypeError, match="frontend must be a transformer"):
        AudioFileDataset(files, sr=SR, frontend=np.abs)
    with pytest.raises(TypeError, match="sequence of audio file paths"):
        AudioFileDataset(files[0], sr=SR)
    with pytest.raises(ValueError, match="takes spectrograms"):
        SECNNClassifier(max_epochs=1).fit(AudioFileDataset(files, sr=SR, duration=0.25), y)
    with pytest.raises(ValueError, match="takes waveforms"):
        DualBranchClassifier(max_epochs=1).fit(
            AudioFileDataset(
                files, sr=SR, duration=0.25, frontend=MelSpectrogram(sr=SR, n_fft=256, n_mels=8)
            ),
            y,
        )
    longer = str(tmp_path / "long.wav")
    sf.write(longer, np.zeros(4000, dtype=np.float32), SR)
    ds = AudioFileDataset(files[:3] + [longer], sr=SR)  # whole files of two lengths
    with pytest.raises(ValueError, match=r"long\.wav gives an item of shape \(4000,\).*set duration="):
        DualBranchClassifier(max_epochs=1, batch_size=2).fit(ds, y[:4])
    logmel = AudioFileDataset(
        files, sr=SR, duration=0.25, frontend=MelSpectrogram(sr=SR, n_fft=256, n_mels=8)
    )
    with pytest.raises(ValueError, match=r"Negative values in X \(.*\.wav\)"):
        DEGramNetClassifier(max_epochs=1).fit(logmel, y)


RSS_SCRIPT = """
import json, sys
import numpy as np
import torch
from skaudio.models import AudioNetClassifier

class Tiny(torch.nn.Module):  # the data path is measured, not the network
    def __init__(self, n_classes):
        super().__init__()
        self.pool = torch.nn.AdaptiveAvgPool2d((4, 4))
        self.out = torch.nn.Linear(16, n_classes)
    def forward(self, x):
        return self.out(self.pool(x[:, None]).flatten(1))

X = np.load(sys.argv[1], mmap_mode="r")
y = np.arange(len(X)) % 2
def peak_kib():
    # the high-water mark of this process's own memory; ru_maxrss would also count the
    # parent's (pytest's) resident memory at the fork that started this interpreter
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))

# a first fit on 64 clips in memory: imports and torch's own start-up happen here
AudioNetClassifier(Tiny, max_epochs=1, batch_size=64, random_state=0).fit(np.array(X[:64]), np.arange(64) % 2)
before = peak_kib()
clf = AudioNetClassifier(Tiny, max_epochs=1, batch_size=64, random_state=0).fit(X, y)
after = peak_kib()
print(json.dumps({"before_kib": before, "peak_kib": after, "batches": clf.history[-1, "train_batch_count"]}))
"""


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="reads VmHWM from Linux's /proc")
def test_memmap_fit_peak_memory_stays_below_the_array(tmp_path):
    # 2048 clips of 128 x 512 float32 (a 6-s log-mel at hop 512, 44.1 kHz): 512 MiB on disk
    n, shape = 2048, (128, 512)
    path = tmp_path / "big.npy"
    header = np.lib.format.header_data_from_array_1_0(np.empty((0,) + shape, np.float32))
    header["shape"] = (n,) + shape
    rng = np.random.default_rng(0)
    with open(path, "wb") as f:  # written in chunks: the test process holds no copy either
        np.lib.format.write_array_header_1_0(f, header)
        block = rng.standard_normal((64,) + shape).astype(np.float32)
        for _ in range(n // 64):
            f.write(block.tobytes())
    size_kib = n * np.prod(shape) * 4 // 1024
    script = tmp_path / "fit.py"
    script.write_text(textwrap.dedent(RSS_SCRIPT))
    env = {
        **os.environ,
        "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""),
        "OMP_NUM_THREADS": "1",
    }
    out = subprocess.run(
        [sys.executable, str(script), str(path)], env=env, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr[-2000:]
    rss = json.loads(out.stdout.strip().splitlines()[-1])
    assert rss["batches"] == 32
    grown = rss["peak_kib"] - rss["before_kib"]
    # measured on the development machine: 524288 KiB array, grown by about 70 MiB
    # (batches of 128 clips are 32 MiB; the up-front check reads 64 MiB at a time)
    assert grown < size_kib / 4, (grown, size_kib, rss)
    print(f"memmap {size_kib} KiB, before fit {rss['before_kib']} KiB, peak {rss['peak_kib']} KiB")
