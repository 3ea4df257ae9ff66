"""set_output(transform="pandas") and get_feature_names_out across feature pipelines."""

import numpy as np
import pandas as pd
import pytest
import sklearn
import soundfile as sf
from sklearn.pipeline import make_pipeline
from sklearn.utils.estimator_checks import (
    check_get_feature_names_out_error,
    check_global_output_transform_pandas,
    check_set_output_transform,
    check_set_output_transform_pandas,
    check_transformer_get_feature_names_out,
    check_transformer_get_feature_names_out_pandas,
)

from skaudio.features import (
    AudioLoader,
    FixLength,
    Flatten,
    MelSpectrogram,
    PoolingTransformer,
    PowerToDb,
    SincGramTransformer,
    Spectrogram,
    SpectrogramFilter,
    SpectrogramImageFeatures,
    SpectrogramSegmenter,
    SpectrogramStandardizer,
)
from skaudio.features._output import ArrayOutputMixin

SR = 8000


@pytest.fixture(scope="module")
def paths(tmp_path_factory):
    d = tmp_path_factory.mktemp("wav")
    rng = np.random.default_rng(0)
    out = []
    for i in range(3):
        p = d / f"{i}.wav"
        sf.write(p, (0.1 * rng.standard_normal(4000)).astype(np.float32), SR)
        out.append(str(p))
    return out


def _mel():
    return MelSpectrogram(sr=SR, n_fft=256, hop_length=128, n_mels=8)


PIPELINES = {
    "pool": lambda: [AudioLoader(sr=SR, duration=0.5), _mel(), PoolingTransformer(method="max", axis="time")],
    "no-duration": lambda: [AudioLoader(sr=SR), _mel(), PoolingTransformer(method="average", axis="time")],
    "flatten": lambda: [AudioLoader(sr=SR), FixLength(length=2000), _mel(), Flatten()],
    "db-standardize": lambda: [
        AudioLoader(sr=SR),
        MelSpectrogram(sr=SR, n_fft=256, n_mels=8, to_db=False),
        PowerToDb(),
        SpectrogramStandardizer(),
        PoolingTransformer(axis="time"),
    ],
    "image": lambda: [AudioLoader(sr=SR), _mel(), SpectrogramImageFeatures()],
    "sincgram": lambda: [
        AudioLoader(sr=SR),
        Spectrogram(n_fft=256),
        SincGramTransformer(sr=SR, n_filters=6),
        PoolingTransformer(method="max", axis="time"),
    ],
}


@pytest.mark.parametrize("steps", PIPELINES.values(), ids=PIPELINES.keys())
def test_pipeline_from_audio_loader_gives_named_dataframe(paths, steps):
    plain = make_pipeline(*steps()).fit(paths)
    expected = plain.transform(paths)
    names = plain.get_feature_names_out()
    assert names.dtype == object and len(names) == expected.shape[1]

    pipe = make_pipeline(*steps()).set_output(transform="pandas")
    df = pipe.fit_transform(paths)
    assert isinstance(df, pd.DataFrame)
    assert list(df.columns) == list(names)
    np.testing.assert_allclose(df.to_numpy(), expected, rtol=1e-6)
    assert isinstance(pipe.transform(paths), pd.DataFrame)


def test_three_d_output_passes_through_as_array(paths):
    X = AudioLoader(sr=SR).fit_transform(paths)
    mel = _mel().set_output(transform="pandas")
    S = mel.fit_transform(X)
    assert isinstance(S, np.ndarray) and S.shape == (3, 8, 32)
    assert isinstance(mel.transform(X), np.ndarray)
    # the frequency rows (axis 1) carry the names
    assert mel.get_feature_names_out().tolist() == [f"melspectrogram{i}" for i in range(8)]
    with sklearn.config_context(transform_output="pandas"):
        assert isinstance(_mel().fit_transform(X), np.ndarray)
        assert isinstance(AudioLoader(sr=SR).fit_transform(paths), pd.DataFrame)


def test_audio_loader_names_the_samples(paths):
    loader = AudioLoader(sr=SR).fit(paths)
    assert loader.n_samples_out_ == 4000
    names = loader.get_feature_names_out()
    assert names[0] == "audioloader0" and len(names) == 4000
    assert AudioLoader(sr=2 * SR, duration=0.25).fit(paths).get_feature_names_out().shape == (4000,)
    df = AudioLoader(sr=SR).set_output(transform="pandas").fit_transform(paths)
    assert df.shape == (3, 4000) and df.columns[-1] == "audioloader3999"
    # stateless: transform without fit, as before, also under pandas output
    df = AudioLoader(sr=SR, duration=0.25).set_output(transform="pandas").transform(paths)
    assert df.shape == (3, 2000) and df.columns[-1] == "audioloader1999"


TWO_D = [
    PowerToDb(),
    SpectrogramStandardizer(),
    FixLength(),
    SincGramTransformer(sr=SR, n_filters=2),
    # 2-D input is a batch of one-band maps for these; before, they lacked set_output and
    # get_feature_names_out, or ignored input_features and DataFrame column names
    SpectrogramFilter("median"),
    SpectrogramSegmenter(output="masked"),
    SpectrogramImageFeatures("edges"),
    Flatten(),
    PoolingTransformer(kernel_size=(1, 2)),
    PoolingTransformer(method="max", axis="time"),
]


@pytest.mark.parametrize(
    "check",
    [
        check_set_output_transform,
        check_set_output_transform_pandas,
        check_global_output_transform_pandas,
        check_transformer_get_feature_names_out,
        check_transformer_get_feature_names_out_pandas,
        check_get_feature_names_out_error,
    ],
)
@pytest.mark.parametrize("est", TWO_D, ids=lambda e: type(e).__name__)
def test_sklearn_output_checks_on_2d_output(est, check):
    check(type(est).__name__, est)


@pytest.mark.parametrize(
    "est",
    [Spectrogram(n_fft=2, hop_length=1), MelSpectrogram(sr=1000, n_fft=2, hop_length=1, n_mels=1, norm=None)],
    ids=["Spectrogram", "MelSpectrogram"],
)
@pytest.mark.parametrize(
    "check",
    [check_set_output_transform, check_transformer_get_feature_names_out, check_get_feature_names_out_error],
)
def test_sklearn_output_checks_on_3d_output(est, check):
    check(type(est).__name__, est)


MIDDLE = {
    "filter": lambda: SpectrogramFilter("gaussian", sigma=0.5),
    "regional-pool": lambda: PoolingTransformer(),
    "segmenter": lambda: SpectrogramSegmenter(output="masked"),
}


@pytest.mark.parametrize("middle", MIDDLE.values(), ids=MIDDLE.keys())
def test_other_three_d_steps_in_the_middle(paths, middle):
    # before: set_output raised "Unable to configure output" (filter, segmenter) or
    # "get_feature_names_out needs 2-D output" (regional pooling)
    def steps():
        return [
            AudioLoader(sr=SR),
            MelSpectrogram(sr=SR, n_fft=256, n_mels=8, to_db=False),
            middle(),
            Flatten(),
        ]

    plain = make_pipeline(*steps()).fit(paths)
    expected, names = plain.transform(paths), plain.get_feature_names_out()
    pipe = make_pipeline(*steps()).set_output(transform="pandas")
    df = pipe.fit_transform(paths)
    assert isinstance(df, pd.DataFrame) and list(df.columns) == list(names)
    np.testing.assert_allclose(df.to_numpy(), expected, rtol=1e-6)
    assert isinstance(pipe.transform(paths), pd.DataFrame)
    with sklearn.config_context(transform_output="pandas"):
        assert isinstance(make_pipeline(*steps()).fit_transform(paths), pd.DataFrame)


def test_every_feature_transformer_and_nmf_share_one_output_mechanism():
    import skaudio.features as features
    from skaudio.interpret import NMFInterpreter

    classes = [
        getattr(features, name) for name in features.__all__ if isinstance(getattr(features, name), type)
    ]
    assert len(classes) == 17  # the twelve before issue 27, and its five classic descriptors
    for cls in classes + [NMFInterpreter]:
        assert issubclass(cls, ArrayOutputMixin), cls
        assert hasattr(cls, "get_feature_names_out") and hasattr(cls, "set_output"), cls
        assert getattr(cls.transform, "_skaudio_2d_output", False), cls


def _maps(n_clips=3, n_freqs=8, n_frames=12):
    return np.abs(np.random.default_rng(0).standard_normal((n_clips, n_freqs, n_frames))).astype(np.float32)


@pytest.mark.parametrize(
    "est, names",
    [
        (SpectrogramFilter("median"), [f"x{i}" for i in range(8)]),
        (SpectrogramSegmenter(), [f"x{i}" for i in range(8)]),
        (PoolingTransformer(method="max"), [f"max_f{i}" for i in range(4)]),
        (
            PoolingTransformer(method="lse", kernel_size=(3, 2), stride=(2, 2)),
            [f"lse_f{i}" for i in range(3)],
        ),
    ],
    ids=["filter", "segmenter", "regional-pool", "strided-pool"],
)
def test_three_d_steps_name_their_rows_and_stay_arrays(est, names):
    S = _maps()
    est = est.set_output(transform="pandas")
    out = est.fit_transform(S)
    assert isinstance(out, np.ndarray) and out.ndim == 3 and isinstance(est.transform(S), np.ndarray)
    assert est.get_feature_names_out().tolist() == names and len(names) == out.shape[1]
    # a pipeline hands the rows' names on: kept where the rows are kept; wrong ones are refused
    given = [f"melspectrogram{i}" for i in range(8)]
    assert est.get_feature_names_out(given).tolist() == (given if names[0] == "x0" else names)
    with pytest.raises(ValueError, match="input_features should have length equal"):
        est.get_feature_names_out(["a", "b"])


def test_pipeline_feature_names_follow_the_rows(paths):
    pipe = make_pipeline(
        AudioLoader(sr=SR),
        _mel(),
        SpectrogramFilter("gaussian", sigma=0.5),
        PoolingTransformer(method="max", axis="time"),
    ).fit(paths)
    assert pipe[:3].get_feature_names_out().tolist() == [f"melspectrogram{i}" for i in range(8)]
    assert pipe.get_feature_names_out().tolist() == [f"max_f{i}" for i in range(8)]
    pipe = make_pipeline(AudioLoader(sr=SR), _mel(), PoolingTransformer(method="average"), Flatten()).fit(
        paths
    )
    assert pipe[:3].get_feature_names_out().tolist() == [f"average_f{i}" for i in range(4)]
    assert pipe.get_feature_names_out()[:2].tolist() == ["f0_t0", "f0_t1"]
    assert len(pipe.get_feature_names_out()) == 4 * 16


def test_two_d_input_keeps_dataframe_names():
    X = pd.DataFrame(_maps()[:, 0, :], columns=[f"frame{j}" for j in range(12)], index=[10, 11, 12])
    for est in (Flatten(), SpectrogramFilter("median"), SpectrogramSegmenter(output="masked")):
        out = est.set_output(transform="pandas").fit_transform(X)
        assert list(out.columns) == list(X.columns) and list(out.index) == [10, 11, 12], est
        assert est.feature_names_in_.tolist() == list(X.columns)
    pool = PoolingTransformer(method="max", kernel_size=(1, 3)).set_output(transform="pandas").fit(X)
    assert pool.feature_names_in_.tolist() == list(X.columns)
    assert list(pool.transform(X).columns) == [f"max_t{j}" for j in range(4)]
    with pytest.raises(ValueError, match="input_features is not equal to feature_names_in_"):
        pool.get_feature_names_out([f"bad{j}" for j in range(12)])
