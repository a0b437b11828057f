"""The speech service and its task side, built once per container on first use."""

from functools import lru_cache
from typing import TYPE_CHECKING

from nguon import assembly
from nguon.config import get_settings

if TYPE_CHECKING:
    from nguon.speech.tasks import SpeechTasks


# Built the same way for the bulletins' voices (the speech worker): nguon.assembly.
speech_service = assembly.speech_service
unit_service = assembly.units  # whose tasks and lexicons: the caller's place in the tree


@lru_cache(maxsize=1)
def speech_tasks() -> "SpeechTasks":
    from nguon.speech.tasks import SpeechTasks
    from nguon.storage.speech import DynamoSpeechTaskStore

    settings = get_settings()
    return SpeechTasks(
        speech_service(),
        DynamoSpeechTaskStore(),
        # Polly-style tasks on their own queue, apart from bulletins' voices (falls back to
        # the shared one until the template wires NGUON_SYNTHESIS_TASKS_QUEUE).
        queue_url=settings.synthesis_tasks_queue or settings.speech_tasks_queue,
        bucket=settings.media_bucket,
        region=settings.region,
    )
