"""The ingest queue's messages: S3 event notifications, one SQS message at a time.

S3 → SQS → Lambda. A message is acknowledged (the handler reports it as done) only once every
object it names is final, or has been handed to the dead-letter queue with its cause: on our
own failure the message raises, SQS delivers it again, and the media item's claim is taken
again. On the ``MAX_RECEIVES``-th delivery a failure is final: the message goes to the
dead-letter queue (``cause``, ``media_id``), the items become ``failed``, and it is
acknowledged. The queue's own redrive policy (``maxReceiveCount`` 5) is the backstop for a
worker that dies before it can do that (timeout, out of memory).

A rejected file is not a failure: it is final, acknowledged, and never dead-lettered.
"""

import json
from datetime import datetime
from typing import Protocol
from urllib.parse import unquote_plus

from nguon.observability import logger
from nguon.services.media import media_id_of
from nguon.services.media_ingest import IngestService, ObjectNotice, Outcome

MAX_RECEIVES = 3
"""The delivery on which the handler gives up (the queue's maxReceiveCount is 5)."""
CREATED = "ObjectCreated:"


class MalformedNotification(ValueError):
    """A message that is not an S3 event notification: retrying cannot help."""


class DeadLetters(Protocol):
    def send(self, body: str, *, cause: str, media_ids: list[str], receive_count: int) -> str: ...


def notices_of(body: str) -> list[ObjectNotice] | None:
    """The created objects a notification names; ``None`` for S3's ``s3:TestEvent`` (sent
    when the notification is configured). Keys arrive URL-encoded, spaces as ``+``."""
    try:
        message = json.loads(body)
    except ValueError as error:
        raise MalformedNotification("not JSON") from error
    if not isinstance(message, dict):
        raise MalformedNotification("not a JSON object")
    if message.get("Event") == "s3:TestEvent":
        return None
    records = message.get("Records")
    if not isinstance(records, list):
        raise MalformedNotification("no Records")
    notices = []
    for record in records:
        try:
            if not str(record.get("eventName", "")).startswith(CREATED):
                continue
            s3 = record["s3"]
            found = s3["object"]
            notices.append(
                ObjectNotice(
                    bucket=s3["bucket"]["name"],
                    key=unquote_plus(found["key"]),
                    size=found.get("size"),
                    etag=found.get("eTag"),
                    sequencer=found.get("sequencer"),
                    version_id=found.get("versionId") or None,
                )
            )
        except (KeyError, TypeError, AttributeError) as error:
            raise MalformedNotification(f"record without {error}") from error
    return notices


def cause_of(error: BaseException) -> str:
    """What went wrong in one line: the error's class and message, never a trace."""
    message = " ".join(str(error).split())
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


class IngestConsumer:
    """One SQS message of the ingest queue → outcomes, a retry (raise), or a dead letter."""

    def __init__(
        self, ingest: IngestService, dead_letters: DeadLetters, max_receives: int = MAX_RECEIVES
    ) -> None:
        self._ingest = ingest
        self._dead_letters = dead_letters
        self._max_receives = max_receives

    def handle(
        self, body: str, *, receive_count: int = 1, deadline: datetime | None = None
    ) -> list[Outcome]:
        """Process a message; raises (to be retried) on our failure before the last delivery."""
        try:
            notices = notices_of(body)
        except MalformedNotification as error:  # poison: no retry can read it
            self._dead_letter(body, error, [], receive_count)
            return [Outcome.DEAD_LETTERED]
        if notices is None:
            logger.info("S3 test event")
            return []
        outcomes: list[Outcome] = []
        try:
            for notice in notices:
                outcomes.append(self._ingest.ingest(notice, deadline=deadline))
        except Exception as error:
            if receive_count < self._max_receives:
                logger.warning(
                    "ingest failed; SQS will deliver it again",
                    extra={"cause": cause_of(error), "receive_count": receive_count},
                )
                raise
            media_ids = [i for i in (media_id_of(n.key) for n in notices) if i]
            self._dead_letter(body, error, media_ids, receive_count)
            for media_id in media_ids:
                self._ingest.give_up(media_id)
            return [*outcomes, Outcome.DEAD_LETTERED]
        return outcomes

    def _dead_letter(
        self, body: str, error: BaseException, media_ids: list[str], receive_count: int
    ) -> None:
        cause = cause_of(error)
        logger.error(
            "ingest gave up: dead-lettered",
            extra={"cause": cause, "media_ids": media_ids, "receive_count": receive_count},
        )
        self._dead_letters.send(body, cause=cause, media_ids=media_ids, receive_count=receive_count)
