"""Classic audio descriptors as batched transformers: MFCC, deltas, chroma, spectral shape, HPSS.

Each transformer equals the librosa function of the same name on every clip of
a batch (``tests/features/test_mfcc.py``, ``test_deltas.py``, ``test_chroma.py``,
``test_spectral_descriptors.py`` and ``test_hpss.py`` check it on real ESC-10 clips
and on synthetic signals). MFCC and chroma read the spectra of skaudio's fused
numba STFT (:class:`~skaudio.features.MelSpectrogram`,
:class:`~skaudio.features.Spectrogram`); the spectral descriptors share one
librosa STFT per clip, whose float64 precision their quiet high bands need.
What follows the spectra is one vectorised call over the batch (a matrix
product, ``scipy.ndimage``, ``scipy.signal`` or librosa's own functions, which
accept ``(n_clips, ...)`` arrays), except where librosa's result on a batch is
not its per-clip result (chroma's tuning estimate, spectral contrast's dB
floor), which run clip by clip. Frame-wise outputs ``(n_clips, n_rows,
n_frames)`` can be summarised over time (``stats=("mean", "std")``) into 2-D
feature tables for classic estimators, named by ``get_feature_names_out``.

Each transformer has its own module, named for what it holds:
:mod:`~skaudio.features.mfcc` (:class:`MFCC`), :mod:`~skaudio.features.deltas`
(:class:`Deltas`), :mod:`~skaudio.features.chroma` (:class:`Chroma`),
:mod:`~skaudio.features.spectral_descriptors` (:class:`SpectralDescriptors`) and
:mod:`~skaudio.features.hpss` (:class:`HPSS`); what they share is in
``features/_descriptor_base.py``. This module re-exports them all, so
``skaudio.features.descriptors`` keeps importing as before.
"""

# summarise is not public API, but it was importable from here: it stays so
from skaudio.features._descriptor_base import STATISTICS, summarise  # noqa: F401
from skaudio.features.chroma import Chroma
from skaudio.features.deltas import Deltas
from skaudio.features.hpss import HPSS
from skaudio.features.mfcc import MFCC
from skaudio.features.spectral_descriptors import SPECTRAL_DESCRIPTORS, SpectralDescriptors

__all__ = ["MFCC", "Deltas", "Chroma", "SpectralDescriptors", "HPSS", "STATISTICS", "SPECTRAL_DESCRIPTORS"]
