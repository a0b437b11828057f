"""The speech service and its task side, built once per container on first use."""

from functools import lru_cache
from typing import TYPE_CHECKING

from nguon import assembly
from nguon.config import get_settings

if TYPE_CHECKING:
    from nguon.speech.tasks import SpeechTasks


# Built the same way for the bulletins' voices (the speech worker): nguon.assembly.
speech_service = assembly.speech_service


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
