"""SQS → function as Lambda's event source mapping does it, and S3 → SQS from the template.

Against a moto server provisioned from template.yaml, with a recording function in place of
the real one: what is pinned is the mapping's contract (record shape, delete on success,
redelivery on error, partial batch failures, the queue's redrive to its DLQ).
"""

import json
import threading
import time
from urllib.parse import unquote_plus

import pytest

from infra.localcloud.provision import Provisioner
from infra.localcloud.queue_source import QueuePoller
from infra.localcloud.services import MotoService
from infra.localcloud.template import TEMPLATE_PATH, Template

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def aws():
    server = MotoService()  # its own process, as the local cloud runs it
    server.start()
    template = Template.load(TEMPLATE_PATH, region="ap-southeast-1")
    provisioner = Provisioner(template, server.url)
    provisioner.provision()
    yield template, provisioner
    server.stop()


class Recorder:
    def __init__(self, answer=None):
        self.events: list[dict] = []
        self.answer = answer or (lambda event: None)
        self.arrived = threading.Condition()

    def __call__(self, function, event):
        with self.arrived:
            self.events.append(event)
            self.arrived.notify_all()
        return self.answer(event)

    def wait_for(self, count, timeout=15.0):
        with self.arrived:
            assert self.arrived.wait_for(lambda: len(self.events) >= count, timeout), self.events
        return self.events


def _spec(template, function, event=None):
    (spec,) = [
        s
        for s in template.queue_sources()
        if s.function == function and (event is None or s.name == event)
    ]
    return spec


def _drain(sqs, url):
    # Not PurgeQueue: SQS allows one a minute per queue.
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
        sqs.delete_message_batch(
            QueueUrl=url,
            Entries=[
                {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(messages)
            ],
        )


def _poller(aws, recorder, function="IngestFunction", event=None):
    template, provisioner = aws
    spec = _spec(template, function, event)
    poller = QueuePoller(spec, template, provisioner.client("sqs"), recorder)
    poller.start()
    return poller


def test_the_template_declares_its_queue_sources(aws):
    template, _ = aws
    ingest = _spec(template, "IngestFunction")
    assert ingest.queue == "IngestQueue"
    assert ingest.batch_size == 1
    assert ingest.report_batch_item_failures


def test_an_upload_under_uploads_reaches_the_ingest_queue_as_an_s3_event(aws):
    template, provisioner = aws
    s3, sqs = provisioner.client("s3"), provisioner.client("sqs")
    queue = template.physical_ids["IngestQueue"]
    _drain(sqs, queue)
    bucket = template.physical_ids["UploadsBucket"]
    s3.put_object(Bucket=bucket, Key="elsewhere/x.txt", Body=b"not watched")
    s3.put_object(Bucket=bucket, Key="uploads/52/m1/ban tin.wav", Body=b"RIFF....")
    bodies = []
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not bodies:
        for message in sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1).get("Messages", []):
            body = json.loads(message["Body"])
            if "Records" in body:
                bodies.append(body)
    (body,) = bodies
    (record,) = body["Records"]
    assert record["eventName"].startswith("ObjectCreated:")
    assert record["s3"]["bucket"]["name"] == bucket
    # Keys in notifications are form-encoded (a space becomes '+'); moto also encodes '/',
    # which S3 leaves alone: unquote_plus reads both, and that is what the handler does.
    assert "+" in record["s3"]["object"]["key"]
    assert unquote_plus(record["s3"]["object"]["key"]) == "uploads/52/m1/ban tin.wav"


def test_a_message_is_delivered_in_lambdas_shape_and_deleted_after_success(aws):
    template, provisioner = aws
    sqs = provisioner.client("sqs")
    queue = template.physical_ids["IngestQueue"]
    _drain(sqs, queue)
    recorder = Recorder()
    poller = _poller(aws, recorder)
    try:
        sqs.send_message(
            QueueUrl=queue,
            MessageBody='{"hello": "xin chào"}',
            MessageAttributes={"cause": {"DataType": "String", "StringValue": "x"}},
        )
        (event,) = recorder.wait_for(1)
        (record,) = event["Records"]
        assert record["eventSource"] == "aws:sqs"
        assert record["eventSourceARN"].endswith(":nguon-ingest-dev")
        assert json.loads(record["body"]) == {"hello": "xin chào"}
        assert record["attributes"]["ApproximateReceiveCount"] == "1"
        assert record["messageAttributes"]["cause"]["stringValue"] == "x"
        assert poller.wait_idle()
        time.sleep(1.5)  # past the retry delay: a message not deleted would be back
        assert len(recorder.events) == 1
    finally:
        poller.stop()


def test_an_error_brings_the_message_back_and_the_redrive_policy_ends_in_the_dlq(aws):
    template, provisioner = aws
    sqs = provisioner.client("sqs")
    queue = template.physical_ids["IngestQueue"]
    dead = template.physical_ids["IngestDeadLetters"]
    _drain(sqs, queue)
    _drain(sqs, dead)

    def fail(event):
        raise RuntimeError("ffmpeg crashed")

    recorder = Recorder(fail)
    poller = _poller(aws, recorder)
    try:
        sqs.send_message(QueueUrl=queue, MessageBody='{"n": 1}')
        events = recorder.wait_for(5, timeout=30)
        counts = [e["Records"][0]["attributes"]["ApproximateReceiveCount"] for e in events[:5]]
        assert counts == ["1", "2", "3", "4", "5"]  # maxReceiveCount 5 in the template
        deadline = time.monotonic() + 10
        moved = []
        while time.monotonic() < deadline and not moved:
            moved = sqs.receive_message(QueueUrl=dead, WaitTimeSeconds=1).get("Messages", [])
        assert [json.loads(m["Body"]) for m in moved] == [{"n": 1}]
        assert len(recorder.events) == 5
    finally:
        poller.stop()


def test_only_the_reported_failures_come_back(aws):
    template, provisioner = aws
    sqs = provisioner.client("sqs")
    queue = template.physical_ids["SpeechTasks"]
    _drain(sqs, queue)
    seen: dict[str, int] = {}

    def answer(event):
        failures = []
        for record in event["Records"]:
            body = json.loads(record["body"])
            seen[body["id"]] = seen.get(body["id"], 0) + 1
            if body["id"] == "bad" and seen["bad"] == 1:
                failures.append({"itemIdentifier": record["messageId"]})
        return {"batchItemFailures": failures}

    recorder = Recorder(answer)
    poller = _poller(aws, recorder, "SpeechTaskFunction", "Tasks")
    try:
        for name in ("good", "bad"):
            sqs.send_message(QueueUrl=queue, MessageBody=json.dumps({"id": name}))
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and seen.get("bad", 0) < 2:
            time.sleep(0.1)
        assert poller.wait_idle()
        time.sleep(1.5)
        assert seen == {"good": 1, "bad": 2}
    finally:
        poller.stop()
