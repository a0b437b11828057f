"""The bulletins' voice service's ``Speaker`` (:mod:`nguon.services.voices`) on this service.

``speak(text, voice, on_progress)`` reads a bulletin in sentence chunks with
:meth:`SpeechService.synthesize_long` and answers MP3 (22,050 Hz mono, the standard voices'
default) and its duration; progress goes out as the fraction of characters read. ``voice`` is
a VoiceId or an espeak-ng voice name (``vi-vn-x-central``: what area settings hold).
"""

from collections.abc import Callable

from nguon.services.voices import SpokenAudio
from nguon.speech.synthesis import SpeechService


class ServiceSpeaker:
    """:class:`nguon.services.voices.Speaker` over a :class:`SpeechService`."""

    def __init__(self, speech: SpeechService) -> None:
        self.speech = speech

    def speak(self, text: str, voice: str, on_progress: Callable[[float], None]) -> SpokenAudio:
        def progress(done: int, total: int) -> None:
            on_progress(done / total if total else 1.0)

        result = self.speech.synthesize_long(text, voice, on_progress=progress)
        return SpokenAudio(mp3=result.audio, duration_s=result.duration_ms / 1000)
