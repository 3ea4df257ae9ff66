"""scikit-learn's own estimator checks over every skaudio estimator."""

import pytest
from sklearn.utils.estimator_checks import (
    check_get_params_invariance,
    check_no_attributes_set_in_init,
    check_parameters_default_constructible,
    check_set_params,
    parametrize_with_checks,
)

from skaudio.features import (
    HPSS,
    MFCC,
    AudioLoader,
    Chroma,
    Deltas,
    FixLength,
    MelSpectrogram,
    PowerToDb,
    SpectralDescriptors,
    Spectrogram,
    SpectrogramStandardizer,
)

_SHORT = "sklearn feeds clips of 1 sample; one analysis window needs n_fft samples"
_INT = "integer input is refused on purpose: integer PCM must be scaled to [-1, 1] explicitly"
_ANY_LENGTH = "FixLength exists to accept clips of any length in transform"

# Small analysis windows so sklearn's few-feature test data are long enough.
ESTIMATORS = [
    Spectrogram(n_fft=2, hop_length=1),
    MelSpectrogram(sr=1000, n_fft=2, hop_length=1, n_mels=1, norm=None),
    # the torch backend too: its transform once cached the module on the estimator
    Spectrogram(n_fft=2, hop_length=1, backend="torch"),
    MelSpectrogram(sr=1000, n_fft=2, hop_length=1, n_mels=1, norm=None, backend="torch"),
    PowerToDb(),
    SpectrogramStandardizer(),
    FixLength(),
    MFCC(sr=1000, n_fft=2, hop_length=1, n_mels=1, n_mfcc=1, mel_norm=None),
    MFCC(sr=1000, n_fft=2, hop_length=1, n_mels=1, n_mfcc=1, mel_norm=None, stats=("mean", "std")),
    Chroma(sr=1000, n_fft=2, hop_length=1, tuning=0.0),
    Chroma(sr=1000, n_fft=2, hop_length=1, stats=("mean",)),
    # contrast needs FFT bins in every octave band: tests/features/test_spectral_descriptors.py
    SpectralDescriptors(
        sr=1000,
        n_fft=2,
        hop_length=1,
        descriptors=("centroid", "bandwidth", "rolloff", "flatness", "zcr", "rms"),
    ),
    Deltas(width=3, mode="nearest"),
    Deltas(width=3, mode="nearest", stats=("mean", "max")),
    HPSS(kernel_size=3),
]


def expected_failed_checks(est):
    if isinstance(est, (MFCC, Chroma, SpectralDescriptors)):
        return {
            "check_fit2d_1feature": _SHORT,
            "check_estimators_dtypes": _INT,
        }
    if isinstance(est, (Deltas, HPSS)):
        return {"check_estimators_dtypes": "integer features are refused: they are floating-point data"}
    if isinstance(est, (Spectrogram,)):
        return {
            "check_fit2d_1feature": _SHORT,
            "check_estimators_dtypes": _INT,
        }
    if isinstance(est, PowerToDb):
        return {"check_estimators_dtypes": _INT}
    if isinstance(est, SpectrogramStandardizer):
        return {"check_estimators_dtypes": "integer spectrograms are refused: they are floating-point data"}
    if isinstance(est, FixLength):
        return {
            "check_estimators_dtypes": _INT,
            "check_n_features_in_after_fitting": _ANY_LENGTH,
            "check_transformer_general": _ANY_LENGTH,
            "check_transformer_preserve_dtypes": "audio batches are float32 by convention",
        }
    return {}


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=expected_failed_checks)
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.parametrize(
    "check",
    [
        check_parameters_default_constructible,
        check_no_attributes_set_in_init,
        check_get_params_invariance,
        check_set_params,
    ],
)
def test_audio_loader_api(check):
    # AudioLoader takes file paths, which sklearn's generic checks (numeric data) cannot feed;
    # these are the checks that do not need data. Its behaviour is tested in tests/test_io.py.
    check("AudioLoader", AudioLoader(sr=16000))
