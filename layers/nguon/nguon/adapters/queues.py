"""Sending work to an SQS queue (JSON bodies)."""

import json
from functools import cached_property
from typing import TYPE_CHECKING, Any

import boto3

from nguon.config import get_settings

if TYPE_CHECKING:
    from types_boto3_sqs import SQSClient


class SqsSender:
    def __init__(self, queue_url: str, client: "SQSClient | None" = None) -> None:
        self.queue_url = queue_url
        if client is not None:
            self.__dict__["_client"] = client

    @cached_property
    def _client(self) -> "SQSClient":
        return boto3.client("sqs", region_name=get_settings().region)

    def send(self, message: dict[str, Any]) -> None:
        self._client.send_message(
            QueueUrl=self.queue_url, MessageBody=json.dumps(message, ensure_ascii=False)
        )
