"""The speech tasks queue's consumer: one SQS record, one piece of speech work.

Messages:

- ``{"task_id": "..."}``: a Polly-style synthesis task (:meth:`SpeechTasks.run`). A task
  another worker holds raises, so the record is reported failed and SQS brings it back after
  the visibility timeout; a finished task is acknowledged and not redone.
- ``{"kind": "bulletin_voice", "bulletin_id": ...}``: a bulletin's voice
  (:meth:`nguon.services.voices.VoiceService.generate`; its failures stay on the job).

Anything else is reported failed (SQS redrives it to the dead-letter queue after three
receipts), so no message is silently dropped.
"""

import json
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from nguon.observability import logger
from speech_api.dependencies import speech_tasks


def _bulletin_voice(message: dict[str, Any]) -> None:
    from nguon.assembly import voice_service

    job = voice_service().generate(str(message["bulletin_id"]))
    logger.info(
        "bulletin voice",
        extra={"bulletin_id": message["bulletin_id"], "status": job.status if job else None},
    )


HANDLERS: dict[str, Callable[[dict[str, Any]], None]] = {"bulletin_voice": _bulletin_voice}
"""Other work on the queue, by the message's ``kind``."""


class UnreadableMessage(Exception):
    """A record this worker cannot act on."""


def handle_record(record: SQSRecord) -> str:
    """Do what one record asks; raising marks it failed for the batch."""
    try:
        message = json.loads(record.body)
    except ValueError:
        raise UnreadableMessage("not JSON") from None
    if not isinstance(message, dict):
        raise UnreadableMessage("not a JSON object")
    if isinstance(message.get("task_id"), str):
        outcome = speech_tasks().run(message["task_id"])
        logger.info("speech task", extra={"task_id": message["task_id"], "outcome": outcome})
        return outcome
    handler = HANDLERS.get(str(message.get("kind")))
    if handler is None:
        raise UnreadableMessage(f"no handler for {message.get('kind')!r}")
    handler(message)
    return "handled"
