"""The local cloud's stream poller answers a function's ``batchItemFailures`` as Lambda does:
the records before the first one listed are done, the retry starts at that one."""

import json
from types import SimpleNamespace
from typing import Any

from infra.localcloud.event_sources import StreamPoller
from infra.localcloud.template import StreamSourceSpec

ARN = "arn:aws:dynamodb:ap-southeast-1:123456789012:table/Main/stream/x"


class Sqs:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def send_message(self, QueueUrl: str, MessageBody: str) -> None:
        self.sent.append(json.loads(MessageBody))


def poller(invoke, *, report: bool, retries: int = 2) -> tuple[StreamPoller, Sqs]:
    sqs = Sqs()
    spec = StreamSourceSpec(
        function="Fanout",
        table="Main",
        batch_size=50,
        maximum_retry_attempts=retries,
        filters=(),
        on_failure="DeadLetters",
        report_batch_item_failures=report,
    )
    template = SimpleNamespace(
        attributes={("Main", "StreamArn"): ARN}, physical_ids={"DeadLetters": "queue-url"}
    )
    clients = {"dynamodbstreams": object(), "sqs": sqs}
    found = StreamPoller(spec, template, clients.__getitem__, invoke, interval=0)
    found._shard = "shard-1"
    found._stopping.wait = lambda seconds: False  # no back-off in a unit test
    return found, sqs


def records(*numbers: str) -> list[dict[str, Any]]:
    return [{"eventName": "INSERT", "dynamodb": {"SequenceNumber": n}} for n in numbers]


def test_a_reported_failure_retries_from_that_record_and_the_records_before_are_done():
    calls: list[list[str]] = []

    def invoke(function, event):
        numbers = [r["dynamodb"]["SequenceNumber"] for r in event["Records"]]
        calls.append(numbers)
        if len(calls) == 1:  # "102" fails once; "103" is not listed but comes after it
            return {"batchItemFailures": [{"itemIdentifier": "102"}]}
        return {"batchItemFailures": []}

    found, sqs = poller(invoke, report=True)
    found._deliver(records("101", "102", "103"))

    assert calls == [["101", "102", "103"], ["102", "103"]]
    assert sqs.sent == []


def test_the_earliest_listed_record_is_where_the_retry_starts():
    calls: list[list[str]] = []

    def invoke(function, event):
        calls.append([r["dynamodb"]["SequenceNumber"] for r in event["Records"]])
        return {"batchItemFailures": [{"itemIdentifier": "104"}, {"itemIdentifier": "102"}]}

    found, sqs = poller(invoke, report=True, retries=1)
    found._deliver(records("101", "102", "103", "104"))

    assert calls[:2] == [["101", "102", "103", "104"], ["102", "103", "104"]]
    # Retries spent: bisected down to single records, each failing one to the destination.
    assert all("101" not in call for call in calls[1:])
    assert sqs.sent
    assert sqs.sent[0]["DDBStreamBatchInfo"]["startSequenceNumber"] == "102"


def test_an_unknown_identifier_fails_the_whole_batch():
    calls: list[list[str]] = []

    def invoke(function, event):
        calls.append([r["dynamodb"]["SequenceNumber"] for r in event["Records"]])
        return {"batchItemFailures": [{"itemIdentifier": "999"}]} if len(calls) == 1 else {}

    found, _ = poller(invoke, report=True)
    found._deliver(records("101", "102"))

    assert calls == [["101", "102"], ["101", "102"]]


def test_without_report_batch_item_failures_the_answer_is_not_read():
    calls: list[list[str]] = []

    def invoke(function, event):
        calls.append([r["dynamodb"]["SequenceNumber"] for r in event["Records"]])
        return {"batchItemFailures": [{"itemIdentifier": "101"}]}

    found, _ = poller(invoke, report=False)
    found._deliver(records("101", "102"))

    assert calls == [["101", "102"]]
