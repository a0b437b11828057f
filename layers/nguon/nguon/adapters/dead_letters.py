"""The ingest's dead-letter queue: notifications it gave up on, with why, for people to see.

The message body is the notification as it arrived, so a redrive to the ingest queue replays
it; the attributes say what failed (``cause``: the error's class and message, never a trace)
and which media items it concerned.
"""

from functools import cached_property
from typing import TYPE_CHECKING

import boto3

from nguon.config import get_settings

if TYPE_CHECKING:
    from types_boto3_sqs import SQSClient
    from types_boto3_sqs.type_defs import MessageAttributeValueTypeDef


CAUSE_MAX = 1_000
"""Characters of the cause kept (SQS attributes are small, and a cause is one sentence)."""


class DeadLetterQueue:
    def __init__(self, client: "SQSClient | None" = None, *, queue_url: str | None = None) -> None:
        if client is not None:
            self.__dict__["_client"] = client
        self._queue_url = queue_url

    @cached_property
    def _client(self) -> "SQSClient":
        return boto3.client("sqs", region_name=get_settings().region)

    @property
    def queue_url(self) -> str:
        return self._queue_url or get_settings().ingest_dead_letters

    def send(self, body: str, *, cause: str, media_ids: list[str], receive_count: int) -> str:
        """Park ``body``; the new message's id."""
        attributes: dict[str, MessageAttributeValueTypeDef] = {
            "cause": {"DataType": "String", "StringValue": cause[:CAUSE_MAX] or "unknown"},
            "receive_count": {"DataType": "Number", "StringValue": str(receive_count)},
        }
        if media_ids:
            attributes["media_id"] = {"DataType": "String", "StringValue": ",".join(media_ids)}
        sent = self._client.send_message(
            QueueUrl=self.queue_url, MessageBody=body, MessageAttributes=attributes
        )
        return sent["MessageId"]
