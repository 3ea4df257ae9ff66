"""SpectrogramSegmenter: library equality, event spans of synthetic events, regions, morphology."""

import numpy as np
import pandas as pd
import pytest
import scipy.ndimage as ndi
import skimage.morphology as morph
from skimage.filters import apply_hysteresis_threshold, threshold_otsu
from skimage.segmentation import felzenszwalb

from skaudio.datasets import make_sound_events
from skaudio.features import MelSpectrogram
from skaudio.features.image import SpectrogramSegmenter, hysteresis_batch, morphology_batch


@pytest.fixture(scope="module")
def S():
    rng = np.random.default_rng(0)
    S = (-60 + 5 * rng.standard_normal((4, 30, 60))).astype(np.float32)
    S[:, 8:14, 20:45] += 40
    S[1, 20:24, 5:12] += 35
    return S


def test_otsu_matches_skimage(S):
    mask = SpectrogramSegmenter("otsu").fit_transform(S)
    ref = np.stack([c > threshold_otsu(c) for c in S])
    np.testing.assert_array_equal(mask, ref.astype(np.float32))


@pytest.mark.parametrize("connectivity", [1, 2])
def test_region_growing_matches_hysteresis(S, connectivity):
    low, high = -45.0, -22.0
    out = SpectrogramSegmenter("region_growing", low=low, high=high, connectivity=connectivity).fit_transform(
        S
    )
    if connectivity == 1:
        ref = np.stack([apply_hysteresis_threshold(c, low, high) for c in S])
    else:  # skimage has no connectivity argument: the same rule with 8-neighbour labels
        ref = []
        for c in S:
            lab, n = ndi.label(c > low, structure=np.ones((3, 3)))
            keep = np.zeros(n + 1, bool)
            keep[lab[c > high]] = True
            keep[0] = False
            ref.append(keep[lab])
    np.testing.assert_array_equal(out.astype(bool), np.stack(ref))


def test_hysteresis_never_links_clips():
    S = np.zeros((2, 3, 4), dtype=np.float32)
    S[:, 1, :] = 1.0
    S[0, 1, 0] = 5.0  # seed only in clip 0; clip 1 has the same shape but no seed
    mask = hysteresis_batch(S, 0.5, 4.0)
    assert mask[0, 1].all() and not mask[1].any()


def test_graph_matches_felzenszwalb(S):
    out = SpectrogramSegmenter("graph", scale=50, sigma=0.5, min_size=10).fit_transform(S).astype(bool)
    for c, m in zip(S, out):
        seg = felzenszwalb(c.astype(np.float64), scale=50, sigma=0.5, min_size=10)
        means = ndi.mean(c, seg, np.arange(seg.max() + 1))
        np.testing.assert_array_equal(m, (np.asarray(means) > threshold_otsu(c))[seg])


def test_kmeans_finds_the_loud_block_and_is_reproducible(S):
    seg = SpectrogramSegmenter("kmeans", random_state=3)
    a = seg.fit_transform(S)
    b = SpectrogramSegmenter("kmeans", random_state=3).fit_transform(S)
    np.testing.assert_array_equal(a, b)
    assert a[:, 8:14, 20:45].mean() > 0.95 and a[0, :5, :15].mean() < 0.05
    # a clip's mask does not depend on the clips beside it
    np.testing.assert_array_equal(seg.transform(S[2:3]), a[2:3])


@pytest.mark.parametrize("ops", ["erosion", "dilation", "opening", "closing", ("opening", "closing")])
def test_morphology_matches_skimage_clip_by_clip(S, ops):
    mask = S > -40
    out = morphology_batch(mask, ops, footprint=(3, 5))
    ref = []
    for m in mask:
        for op in (ops,) if isinstance(ops, str) else ops:
            m = getattr(morph, op)(m, np.ones((3, 5), bool))
        ref.append(m)
    np.testing.assert_array_equal(out, np.stack(ref))


def test_opening_removes_specks_closing_fills_holes():
    m = np.zeros((1, 20, 30), bool)
    m[0, 5:15, 5:25] = True
    m[0, 9, 14] = False  # a hole
    m[0, 0, 0] = True  # a speck
    assert not morphology_batch(m, "opening")[0, 0, 0]
    assert morphology_batch(m, "closing")[0, 9, 14]


def test_masked_output_fills_background_with_clip_minimum(S):
    seg = SpectrogramSegmenter("otsu", output="masked").fit(S)
    out = seg.transform(S)
    mask = SpectrogramSegmenter("otsu").fit_transform(S).astype(bool)
    np.testing.assert_array_equal(out[mask], S[mask])
    np.testing.assert_array_equal(
        out[~mask], np.broadcast_to(S.min(axis=(1, 2), keepdims=True), S.shape)[~mask]
    )
    out0 = SpectrogramSegmenter("otsu", output="masked", fill_value=-100).fit_transform(S)
    assert np.all(out0[~mask] == -100)


def test_regions_table(S):
    seg = SpectrogramSegmenter("otsu", morphology="opening").fit(S)
    tab = seg.regions(S, frame_rate=100.0, frequencies=np.arange(30) * 10.0)
    assert isinstance(tab, pd.DataFrame)
    assert list(tab.columns[:10]) == [
        "clip",
        "region",
        "onset_frame",
        "offset_frame",
        "low_bin",
        "high_bin",
        "n_bins",
        "energy",
        "mean",
        "peak",
    ]
    big = tab.loc[tab.groupby("clip")["n_bins"].idxmax()]
    assert big["onset_frame"].tolist() == [20] * 4 and big["offset_frame"].tolist() == [45] * 4
    assert big["low_bin"].tolist() == [8] * 4 and big["high_bin"].tolist() == [14] * 4
    assert np.allclose(big["onset_s"], 0.2) and np.allclose(big["low_hz"], 80.0)
    second = tab[(tab["clip"] == 1) & (tab["onset_frame"] == 5)]
    assert len(second) == 1 and second["high_bin"].item() == 24
    # energy sums the values of S over the region; in_db sums 10 ** (S / 10)
    mask = seg.transform(S).astype(bool)
    lab, n = ndi.label(mask[0])
    x = S[0].astype(np.float64)
    energy = ndi.sum_labels(x, lab, np.arange(1, n + 1))
    np.testing.assert_allclose(np.sort(tab.loc[tab["clip"] == 0, "energy"]), np.sort(energy))
    tab_db = seg.regions(S, in_db=True)
    energy_db = ndi.sum_labels(10 ** (x / 10), lab, np.arange(1, n + 1))
    np.testing.assert_allclose(np.sort(tab_db.loc[tab_db["clip"] == 0, "energy"]), np.sort(energy_db))


@pytest.fixture(scope="module")
def events():
    # classes 0 (harmonic) and 1 (chirp) are continuous events: their span is well defined
    b = make_sound_events(40, 5, sr=16000, duration=2.0, snr_db=10.0, random_state=0, return_bunch=True)
    keep = np.isin(b.target, [0, 1])
    mel = MelSpectrogram(sr=16000, n_fft=512, hop_length=160, n_mels=64).fit(b.data)
    return mel.transform(b.data[keep]), b.onsets[keep], b.offsets[keep], b.target[keep]


@pytest.mark.parametrize("method", ["otsu", "region_growing"])
def test_event_span_of_synthetic_events_is_recovered(events, method):
    S, onsets, offsets, target = events
    seg = SpectrogramSegmenter(method, background="median").fit(S)
    active = seg.transform(S).sum(axis=1) >= 3  # frames with at least 3 foreground bands
    frame_rate = 16000 / 160
    est_on = np.array([np.flatnonzero(a)[0] for a in active]) / frame_rate
    est_off = (np.array([np.flatnonzero(a)[-1] for a in active]) + 1) / frame_rate
    err = np.maximum(np.abs(est_on - onsets), np.abs(est_off - offsets))
    chirps = target == 1
    assert np.all(err[chirps] < 0.02), err[chirps]  # every chirp within 20 ms (2 frames)
    assert np.mean(err < 0.02) >= 0.75, err  # a few quiet harmonic tones are cut short
    assert np.median(err) < 0.01, err


def test_background_median_is_needed_under_pink_noise(events):
    S, onsets, offsets, _ = events
    active = SpectrogramSegmenter("otsu").fit_transform(S).sum(axis=1) >= 3
    # without removing the stationary background, low bands are "foreground" all along
    assert np.mean(active) > 0.9


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(method="watershed"), "method"),
        (dict(morphology="thinning"), "morphology"),
        (dict(morphology="opening", footprint=(0, 3)), "footprint"),
        (dict(low=-10.0, high=-20.0), "low"),
        (dict(output="labels"), "output"),
    ],
)
def test_bad_parameters(S, params, match):
    with pytest.raises(ValueError, match=match):
        SpectrogramSegmenter(**params).fit(S)


def test_bad_input(S):
    with pytest.raises(ValueError, match="infinite"):
        SpectrogramSegmenter().fit(np.where(S > -20, np.inf, S))
    seg = SpectrogramSegmenter().fit(S)
    with pytest.raises(ValueError, match="frame_rate"):
        seg.regions(S, frame_rate=0)
    with pytest.raises(ValueError, match="frequencies"):
        seg.regions(S, frequencies=np.arange(5))


def test_regions_hu_moments_match_skimage_regionprops(S):
    from skimage.measure import label, regionprops

    seg = SpectrogramSegmenter("otsu").fit(S)
    plain = seg.regions(S)
    table = seg.regions(S, hu_moments=True)
    assert table.columns.tolist() == plain.columns.tolist() + [f"hu_{k}" for k in range(7)]
    masks = seg.transform(S).astype(bool)
    ref = [r.moments_hu for m in masks for r in regionprops(label(m, connectivity=1))]
    got = table[[f"hu_{k}" for k in range(7)]].to_numpy()
    assert len(ref) == len(table) > 1
    np.testing.assert_allclose(got, np.array(ref), rtol=1e-7, atol=1e-12)
    empty = SpectrogramSegmenter("otsu").fit(np.zeros((1, 3, 4), np.float32))
    assert len(empty.regions(np.zeros((1, 3, 4), np.float32), hu_moments=True)) == 0
