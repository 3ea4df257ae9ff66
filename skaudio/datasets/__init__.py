"""Data sets in their official layouts, their evaluation protocols, and a synthetic generator."""

from skaudio.datasets._emotion import load_cremad, load_ravdess
from skaudio.datasets._esc50 import ESC50_SHA256, ESC50_URL, fetch_esc50, get_data_home, load_esc50
from skaudio.datasets._gtzan import load_gtzan
from skaudio.datasets._protocols import protocol_cv
from skaudio.datasets._speech import load_fsdd, load_speech_commands, load_voxceleb1
from skaudio.datasets._synthetic import SOUND_EVENT_KINDS, make_sound_events
from skaudio.datasets._urbansound8k import load_urbansound8k
from skaudio.datasets._vggsound import load_vggsound

__all__ = [
    "load_esc50",
    "fetch_esc50",
    "get_data_home",
    "load_urbansound8k",
    "load_ravdess",
    "load_cremad",
    "load_gtzan",
    "load_fsdd",
    "load_speech_commands",
    "load_voxceleb1",
    "load_vggsound",
    "protocol_cv",
    "make_sound_events",
    "SOUND_EVENT_KINDS",
    "ESC50_URL",
    "ESC50_SHA256",
]
