"""Data sets: ESC-50 and its fold protocol, and the synthetic sound-event generator."""

from skaudio.datasets._esc50 import ESC50_SHA256, ESC50_URL, fetch_esc50, get_data_home, load_esc50
from skaudio.datasets._synthetic import SOUND_EVENT_KINDS, make_sound_events

__all__ = [
    "load_esc50",
    "fetch_esc50",
    "get_data_home",
    "make_sound_events",
    "SOUND_EVENT_KINDS",
    "ESC50_URL",
    "ESC50_SHA256",
]
