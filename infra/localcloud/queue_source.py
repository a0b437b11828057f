"""SQS → Lambda: the event source mapping Lambda runs for ``Type: SQS`` events.

What the project relies on, as Lambda does it: messages are received (the receive count
grows), handed over in the ``aws:sqs`` record shape, and deleted only when the function
returns; with ``ReportBatchItemFailures`` only the records the function lists stay. A message
that stays becomes visible again after the queue's visibility timeout, and the queue's own
redrive policy moves it to its dead-letter queue after ``maxReceiveCount`` receives (moto does
that part). One liberty, for a machine where nobody waits 90 minutes: the visibility of a
message that failed is cut to ``retry_after_s`` seconds instead of the queue's timeout.
"""

import hashlib
import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from infra.localcloud.event_sources import Invoke, Poller
from infra.localcloud.template import QueueSourceSpec, Template

if TYPE_CHECKING:
    from types_boto3_sqs import SQSClient


log = logging.getLogger("localcloud.sqs")


class QueuePoller(Poller):
    name = "queue-poller"

    def __init__(
        self,
        spec: QueueSourceSpec,
        template: Template,
        sqs: "SQSClient",
        invoke: Invoke,
        retry_after_s: int = 1,
    ) -> None:
        self._spec = spec
        self._sqs = sqs
        self._invoke = invoke
        self._retry_after_s = retry_after_s
        self._url = template.physical_ids[spec.queue]
        self._arn = template.attributes[(spec.queue, "Arn")]
        self._region = template.region
        super().__init__(f"sqs-{spec.function}")

    def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                messages = self._sqs.receive_message(
                    QueueUrl=self._url,
                    MaxNumberOfMessages=min(self._spec.batch_size, 10),
                    WaitTimeSeconds=1,
                    AttributeNames=["All"],
                    MessageAttributeNames=["All"],
                ).get("Messages", [])
                if not messages:
                    self._idle.set()
                    continue
                self._deliver(messages)
            except Exception:
                if self._stopping.is_set():
                    return
                log.exception("queue poller for %s", self._spec.function)
                self._stopping.wait(1.0)

    def _deliver(self, messages: Sequence[Mapping[str, Any]]) -> None:
        records = [self._record(message) for message in messages]
        try:
            result = self._invoke(self._spec.function, {"Records": records})
        except Exception as error:
            if self._stopping.is_set():
                return  # shutting down: the messages come back on the next start
            log.warning("%s failed on %d messages: %s", self._spec.function, len(records), error)
            self._retry_later(messages)
            return
        failed = self._failed_ids(result, records)
        self._retry_later([m for m in messages if m["MessageId"] in failed])
        done = [m for m in messages if m["MessageId"] not in failed]
        if done:
            self._sqs.delete_message_batch(
                QueueUrl=self._url,
                Entries=[
                    {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(done)
                ],
            )

    def _failed_ids(self, result: Any, records: Sequence[Mapping[str, Any]]) -> set[str]:
        if not self._spec.report_batch_item_failures or not isinstance(result, Mapping):
            return set()
        failures = result.get("batchItemFailures") or []
        known = {record["messageId"] for record in records}
        failed = {str(item.get("itemIdentifier")) for item in failures}
        if failed - known:
            # Lambda treats an unknown or empty identifier as the whole batch failing.
            return known
        return failed

    def _retry_later(self, messages: Sequence[Mapping[str, Any]]) -> None:
        if not messages:
            return
        self._sqs.change_message_visibility_batch(
            QueueUrl=self._url,
            Entries=[
                {
                    "Id": str(n),
                    "ReceiptHandle": m["ReceiptHandle"],
                    "VisibilityTimeout": self._retry_after_s,
                }
                for n, m in enumerate(messages)
            ],
        )

    def _record(self, message: Mapping[str, Any]) -> dict[str, Any]:
        """The ``aws:sqs`` record Lambda builds from a received message."""
        attributes = message.get("Attributes", {})
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": {
                key: str(attributes[key])
                for key in (
                    "ApproximateReceiveCount",
                    "SentTimestamp",
                    "SenderId",
                    "ApproximateFirstReceiveTimestamp",
                )
                if key in attributes
            },
            "messageAttributes": {
                name: {
                    "stringValue": value.get("StringValue"),
                    "binaryValue": value.get("BinaryValue"),
                    "stringListValues": [],
                    "binaryListValues": [],
                    "dataType": value["DataType"],
                }
                for name, value in message.get("MessageAttributes", {}).items()
            },
            "md5OfBody": message.get("MD5OfBody")
            or hashlib.md5(message["Body"].encode(), usedforsecurity=False).hexdigest(),
            "eventSource": "aws:sqs",
            "eventSourceARN": self._arn,
            "awsRegion": self._region,
        }
