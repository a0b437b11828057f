"""The speech service and its task side, built once per container on first use."""

from functools import lru_cache
from typing import TYPE_CHECKING

from nguon.config import get_settings

if TYPE_CHECKING:
    from nguon.speech.engines.base import SpeechEngine
    from nguon.speech.synthesis import SpeechService
    from nguon.speech.tasks import SpeechTasks


def engines() -> list["SpeechEngine"]:
    """espeak-ng always; FPT.AI's neural voices when ``NGUON_NEURAL_TTS_URL`` is set."""
    from nguon.speech.engines.espeak import EspeakEngine

    settings = get_settings()
    found: list[SpeechEngine] = [EspeakEngine()]
    if settings.neural_tts_url and settings.neural_tts_key_secret:
        from nguon.speech.engines.neural_http import FptTtsEngine, secret_key

        found.append(
            FptTtsEngine(settings.neural_tts_url, secret_key(settings.neural_tts_key_secret))
        )
    return found


@lru_cache(maxsize=1)
def speech_service() -> "SpeechService":
    from nguon.speech.synthesis import SpeechService
    from nguon.storage.speech import DynamoLexiconStore

    return SpeechService(engines(), DynamoLexiconStore())


@lru_cache(maxsize=1)
def speech_tasks() -> "SpeechTasks":
    from nguon.speech.tasks import SpeechTasks
    from nguon.storage.speech import DynamoSpeechTaskStore

    settings = get_settings()
    return SpeechTasks(
        speech_service(),
        DynamoSpeechTaskStore(),
        queue_url=settings.speech_tasks_queue,
        bucket=settings.media_bucket,
        region=settings.region,
    )
