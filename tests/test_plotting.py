"""The interpretation figures draw what they are given (matplotlib's Agg canvas, no pyplot)."""

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("matplotlib")

from skaudio.plotting import (  # noqa: E402
    plot_discriminative_components,
    plot_gradcam,
    plot_pooled_spectrograms,
    plot_reconstruction,
    plot_spectral_patterns,
    plot_spectrogram,
)


class FakeInterpreter:
    components_ = np.abs(np.random.default_rng(0).standard_normal((24, 6)))
    frequencies_ = np.geomspace(50, 8000, 24)


def test_spectral_patterns():
    ax = plot_spectral_patterns(FakeInterpreter(), components=[0, 2, 5], title="layer")
    img = ax.images[0].get_array()
    assert img.shape == (24, 3)
    np.testing.assert_allclose(img.max(axis=0), 1.0)  # each column scaled to its peak
    assert ax.get_ylabel() == "Hz" and ax.get_title() == "layer"
    lines = plot_spectral_patterns(FakeInterpreter.components_, kind="lines")
    np.testing.assert_allclose(lines.get_lines()[3].get_ydata(), FakeInterpreter.components_[:, 3])
    strengths = plot_spectral_patterns(FakeInterpreter(), scale="global").images[0].get_array()
    np.testing.assert_allclose(strengths, FakeInterpreter.components_ / FakeInterpreter.components_.max())
    with pytest.raises(ValueError, match="components must index"):
        plot_spectral_patterns(FakeInterpreter(), components=[6])
    with pytest.raises(ValueError, match="kind"):
        plot_spectral_patterns(FakeInterpreter(), kind="bars")


def test_reconstruction_in_db():
    V = np.random.default_rng(1).random((16, 30)) + 0.01
    axes = plot_reconstruction(V, V / 10, frequencies=np.linspace(100, 4000, 16))
    a, b = (ax.images[0].get_array() for ax in axes)
    np.testing.assert_allclose(np.asarray(a) - np.asarray(b), 10.0, atol=1e-9)  # a tenth is -10 dB
    assert np.asarray(a).max() == pytest.approx(0.0)
    with pytest.raises(ValueError, match="same shape"):
        plot_reconstruction(V, V[:, :5])
    several = plot_reconstruction(V, {"a": V, "b": V / 2}, db=False)
    assert [ax.get_title() for ax in several] == ["spectrogram V", "a", "b"]
    np.testing.assert_allclose(several[2].images[0].get_array(), V / 2)
    with pytest.raises(ValueError, match="3 panel titles"):
        plot_reconstruction(V, {"a": V, "b": V}, titles=["x", "y"])


def test_discriminative_components():
    table = pd.DataFrame(
        {
            "class": ["dog"] * 3 + ["rain"] * 3,
            "rank": [1, 2, 3] * 2,
            "component": [4, 1, 0, 2, 3, 4],
            "score": [2.0, 0.5, -1.0, 1.0, 0.2, -2.0],
        }
    )
    fig = plot_discriminative_components(table, FakeInterpreter(), n_top=2)
    assert len(fig.axes) == 4
    bars, shapes = fig.axes[0], fig.axes[1]
    ticks = {t.get_text(): y for t, y in zip(bars.get_yticklabels(), bars.get_yticks())}
    assert set(ticks) == {"#4", "#1"} and ticks["#4"] > ticks["#1"]  # rank 1 on top
    assert len(shapes.get_lines()) == 2
    with pytest.raises(ValueError, match="lacks the columns"):
        plot_discriminative_components(table.drop(columns="score"), FakeInterpreter())
    with pytest.raises(ValueError, match="not in the table"):
        plot_discriminative_components(table, FakeInterpreter(), classes=["cat"])


def test_gradcam_overlay():
    S = np.random.default_rng(2).random((16, 30))
    cam = np.zeros_like(S)
    cam[4:8, 10:20] = 1.0
    ax = plot_gradcam(S, cam, alpha=0.4)
    assert len(ax.images) == 2 and ax.images[1].get_alpha() == 0.4
    np.testing.assert_array_equal(ax.images[1].get_array(), cam)
    with pytest.raises(ValueError, match="same shape"):
        plot_gradcam(S, cam[:3])


def test_pooling_heatmap_has_one_fixed_scale_and_a_colour_bar():
    """0.996 and 0.997 both lie within 1 % of the ideal: same colour, even as the only two rows
    (a per-column min-max scaling drew them at the two ends of the colour map)."""
    from skaudio.plotting import plot_pooling_comparison

    table = pd.DataFrame(
        {
            "variance": [0.996, 0.997],
            "kl_divergence": [0.0, 0.5],
            "cosine_similarity": [0.9, np.inf],
            "compression_ratio": [4.0, 4.0],
        },
        index=pd.Index(["a", "b"], name="method"),
    )
    ax = plot_pooling_comparison(table)
    im = ax.images[0]
    rgba = im.to_rgba(im.get_array())
    np.testing.assert_allclose(rgba[0, 0], rgba[1, 0])  # variance: both at the best colour
    np.testing.assert_allclose(rgba[0, 0], rgba[0, 1])  # ... which KL = 0 (its ideal) also gets
    assert np.abs(rgba[1, 1] - rgba[0, 1]).max() > 0.3  # KL 0.5 is far from it
    assert np.abs(rgba[0, 2] - rgba[0, 0]).max() > 0.1  # cosine 0.9: 10 % off, a middle colour
    np.testing.assert_allclose(rgba[1, 2], im.cmap(1.0))  # inf: the worst colour, not grey
    assert np.ma.getmaskarray(im.get_array())[:, 3].all()  # compression has no ideal: grey
    bars = [a for a in ax.figure.axes if a is not ax]
    assert len(bars) == 1 and "ideal" in bars[0].get_ylabel()
    assert len(plot_pooling_comparison(table, colorbar=False).figure.axes) == 1
    with pytest.raises(ValueError, match="span"):
        plot_pooling_comparison(table, span=(0.0, 1.0))


SR, HOP = 16000, 256  # 16 ms frames
FREQS = np.geomspace(60, 7600, 16)


def _colour_bars(ax):
    return [a for a in ax.figure.axes if a.get_label() == "<colorbar>"]


def test_spectrogram_in_seconds_and_hz_with_a_colour_bar():
    S = -80 * np.random.default_rng(3).random((16, 63))
    ax = plot_spectrogram(S, sr=SR, hop_length=HOP, frequencies=FREQS, title="dog")
    np.testing.assert_allclose(ax.images[0].get_array(), S)
    assert ax.get_xlabel() == "time (s)" and ax.get_ylabel() == "Hz"
    np.testing.assert_allclose(ax.get_xlim(), (-0.008, 1.0))  # 63 frames of 16 ms, centred
    assert ax.get_yticklabels()[-1].get_text() == "7600"
    bars = _colour_bars(ax)
    assert len(bars) == 1 and bars[0].get_ylabel() == "dB"
    assert plot_spectrogram(S).get_xlabel() == "frame"  # without sr/hop_length: frame numbers
    with pytest.raises(ValueError, match="both sr and hop_length"):
        plot_spectrogram(S, sr=SR)
    with pytest.raises(ValueError, match="2-D"):
        plot_spectrogram(S[None])


def test_pooled_spectrograms_line_up_on_one_colour_scale():
    S = -80 * np.random.default_rng(4).random((16, 40))
    pooled = {
        "max 2x2": S.reshape(8, 2, 20, 2).max(axis=(1, 3)),
        "average 4x4": S.reshape(4, 4, 10, 4).mean(axis=(1, 3)),
    }
    axes = plot_pooled_spectrograms(S, pooled, sr=SR, hop_length=HOP, frequencies=FREQS)
    assert [ax.get_title() for ax in axes] == [
        "original (16 x 40)",
        "max 2x2 (8 x 20)",
        "average 4x4 (4 x 10)",
    ]
    extents = [ax.images[0].get_extent() for ax in axes]
    np.testing.assert_allclose(extents[1], extents[0])  # each pooled cell covers its region of S
    np.testing.assert_allclose(extents[2], extents[0])
    np.testing.assert_allclose(extents[0], (-0.008, 0.632, -0.5, 15.5))
    clims = {ax.images[0].get_clim() for ax in axes}
    assert clims == {(S.min(), S.max())}  # one colour scale
    assert len(_colour_bars(axes[0])) == 1 and all(ax.get_xlabel() == "time (s)" for ax in axes)
    with pytest.raises(ValueError, match="empty"):
        plot_pooled_spectrograms(S, {})
    with pytest.raises(ValueError, match="larger than S"):
        plot_pooled_spectrograms(S, {"up": np.zeros((32, 40))})


def test_interpretation_figures_in_seconds():
    V = np.random.default_rng(5).random((16, 30)) + 0.01
    axes = plot_reconstruction(V, V / 2, sr=SR, hop_length=HOP, frequencies=FREQS)
    assert all(ax.get_xlabel() == "time (s)" for ax in axes)
    np.testing.assert_allclose(axes[1].get_xlim(), (-0.008, 0.472))
    assert len(_colour_bars(axes[0])) == 1
    ax = plot_gradcam(V, V / V.max(), sr=SR, hop_length=HOP, frequencies=FREQS)
    assert ax.get_xlabel() == "time (s)" and ax.get_ylabel() == "Hz"
    np.testing.assert_allclose([im.get_extent() for im in ax.images], [(-0.008, 0.472, -0.5, 15.5)] * 2)
    assert [b.get_ylabel() for b in _colour_bars(ax)] == ["Grad-CAM"]


def test_figures_page_shows_committed_small_images():
    """The user guide's figures page exists, and every image it shows is committed and small."""
    import re
    from pathlib import Path

    docs = Path(__file__).resolve().parents[1] / "docs"
    page = docs / "user_guide" / "figures.rst"
    if not page.is_file():
        pytest.fail("docs/user_guide/figures.rst is missing")
    images = re.findall(r"\.\. image:: (\S+)", page.read_text(encoding="utf-8"))
    assert {Path(i).name for i in images} >= {
        "logmel.png",
        "pooled.png",
        "interpret_reconstruction.png",
        "interpret_gradcam.png",
    }
    for image in images:
        png = (page.parent / image).resolve()
        assert png.is_file() and png.stat().st_size < 300 * 1024, png


def test_plot_pooling_comparison_old_home_warns():
    """It moved from skaudio.metrics to skaudio.plotting (issue 27); the old name still works."""
    import skaudio.metrics
    import skaudio.plotting

    with pytest.warns(FutureWarning, match="skaudio.plotting.plot_pooling_comparison"):
        old = skaudio.metrics.plot_pooling_comparison
    assert old is skaudio.plotting.plot_pooling_comparison
