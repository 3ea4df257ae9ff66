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
    "pool": lambda: [AudioLoader(sr=SR, duration=0.5), _mel(), PoolingTransformer(mode="max", axis="time")],
    "no-duration": lambda: [AudioLoader(sr=SR), _mel(), PoolingTransformer(mode="average", axis="time")],
    "flatten": lambda: [AudioLoader(sr=SR), FixLength(length=2000), _mel(), Flatten()],
    "db-standardize": lambda: [AudioLoader(sr=SR), MelSpectrogram(sr=SR, n_fft=256, n_mels=8, to_db=False),
                               PowerToDb(), SpectrogramStandardizer(), PoolingTransformer(axis="time")],
    "image": lambda: [AudioLoader(sr=SR), _mel(), SpectrogramImageFeatures()],
    "sincgram": lambda: [AudioLoader(sr=SR), Spectrogram(n_fft=256), SincGramTransformer(sr=SR, n_filters=6),
                         PoolingTransformer(mode="max", axis="time")],
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


TWO_D = [PowerToDb(), SpectrogramStandardizer(), FixLength(), SincGramTransformer(sr=SR, n_filters=2)]


@pytest.mark.parametrize("check", [
    check_set_output_transform, check_set_output_transform_pandas, check_global_output_transform_pandas,
    check_transformer_get_feature_names_out, check_transformer_get_feature_names_out_pandas,
    check_get_feature_names_out_error,
])
@pytest.mark.parametrize("est", TWO_D, ids=lambda e: type(e).__name__)
def test_sklearn_output_checks_on_2d_output(est, check):
    check(type(est).__name__, est)


@pytest.mark.parametrize("est", [Spectrogram(n_fft=2, hop_length=1),
                                 MelSpectrogram(sr=1000, n_fft=2, hop_length=1, n_mels=1, norm=None)],
                         ids=["Spectrogram", "MelSpectrogram"])
@pytest.mark.parametrize("check", [check_set_output_transform, check_transformer_get_feature_names_out,
                                   check_get_feature_names_out_error])
def test_sklearn_output_checks_on_3d_output(est, check):
    check(type(est).__name__, est)


@pytest.mark.xfail(strict=True, reason="hand-off: skaudio/features/image/* and pooling.py (other owners) still "
                                       "need ArrayOutputMixin and get_feature_names_out for their 3-D output")
@pytest.mark.parametrize("middle", [lambda: SpectrogramFilter("gaussian", sigma=0.5), lambda: PoolingTransformer(),
                                    lambda: SpectrogramSegmenter()], ids=["filter", "regional-pool", "segmenter"])
def test_other_three_d_steps_in_the_middle(paths, middle):
    pipe = make_pipeline(AudioLoader(sr=SR), MelSpectrogram(sr=SR, n_fft=256, n_mels=8, to_db=False), middle(),
                         Flatten()).set_output(transform="pandas")
    assert isinstance(pipe.fit_transform(paths), pd.DataFrame)
