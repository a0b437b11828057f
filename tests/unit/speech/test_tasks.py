"""Synthesis tasks and lexicons on DynamoDB (moto): claims, redelivery, failures, paging."""

import json
from itertools import count

import pytest

from nguon.speech.engines.base import SpeechEngine, Voice
from nguon.speech.engines.espeak import EspeakEngine
from nguon.speech.errors import (
    InvalidNextTokenException,
    InvalidSnsTopicArnException,
    ServiceFailureException,
)
from nguon.speech.lexicons import parse_lexicon, render_lexicon
from nguon.speech.owners import SpeechOwner
from nguon.speech.speaker import ServiceSpeaker
from nguon.speech.synthesis import SpeechService
from nguon.speech.tasks import LEASE_S, MAX_ATTEMPTS, SpeechTasks, TaskBusy
from tests.unit.speech.conftest import identity_normalizer


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


class Flaky(SpeechEngine):
    """espeak-ng's voices, failing the first ``failures`` readings."""

    name = "flaky"

    def __init__(self, failures: int) -> None:
        self.inner = EspeakEngine()
        self.failures = failures

    def voices(self):
        return self.inner.voices()

    def synthesize(self, segments, voice, *, engine=None):
        if self.failures:
            self.failures -= 1
            raise OSError("disk full")
        return self.inner.synthesize(segments, voice)


@pytest.fixture
def stores(aws):
    from nguon.storage.speech import DynamoLexiconStore, DynamoSpeechTaskStore

    return DynamoLexiconStore(page_size=2), DynamoSpeechTaskStore()


def make_tasks(aws, stores, engine=None, clock=None):
    lexicons, tasks = stores
    service = SpeechService([engine or EspeakEngine()], lexicons, normalizer=identity_normalizer)
    settings = aws["settings"]
    return SpeechTasks(
        service,
        tasks,
        queue_url=settings.speech_tasks_queue,
        bucket=settings.media_bucket,
        region=settings.region,
        clock=clock or Clock(),
    )


_people = count(1)
PROVINCE = SpeechOwner(user="u0", unit="52", path="52/")


def start(tasks, aws, **extra):
    body = {
        "Text": "Xin chào bà con.",
        "VoiceId": "Bac",
        "OutputFormat": "mp3",
        "OutputS3BucketName": aws["settings"].media_bucket,
        **extra,
    }
    # One person per task: the per-user quota is tested in test_speech_scope.py.
    return tasks.start(body, owner=SpeechOwner(user=f"u{next(_people)}", unit="52", path="52/"))


def test_a_completed_task_is_not_redone(aws, stores):
    tasks = make_tasks(aws, stores)
    task = start(tasks, aws)

    assert tasks.run(task["TaskId"]) == "completed"
    head = aws["s3"].head_object(
        Bucket=aws["settings"].media_bucket, Key=f"synthesis/52/{task['TaskId']}.mp3"
    )
    assert tasks.run(task["TaskId"]) == "skipped"
    again = aws["s3"].head_object(
        Bucket=aws["settings"].media_bucket, Key=f"synthesis/52/{task['TaskId']}.mp3"
    )
    assert again["LastModified"] == head["LastModified"]
    assert tasks.run("not-a-task") == "missing"
    stored = stores[1].get(task["TaskId"])
    assert stored.request["RequestedBy"] == "u1"
    assert stored.attempts == 1


def test_a_held_task_comes_back_later_and_a_dead_workers_is_taken_over(aws, stores):
    clock = Clock()
    tasks = make_tasks(aws, stores, clock=clock)
    task_id = start(tasks, aws)["TaskId"]

    def claim(stored):
        stored.task["TaskStatus"] = "inProgress"
        stored.started_at = clock.now

    stores[1].change(task_id, expected_status="scheduled", update=claim)  # another worker
    with pytest.raises(TaskBusy):
        tasks.run(task_id)
    clock.now += LEASE_S + 1  # that worker died with its Lambda
    assert tasks.run(task_id) == "completed"
    assert tasks.get(task_id, PROVINCE)["TaskStatus"] == "completed"


def test_conditional_changes_lose_races(aws, stores):
    tasks = make_tasks(aws, stores)
    task_id = start(tasks, aws)["TaskId"]

    def to(status):
        def update(stored):
            stored.task["TaskStatus"] = status

        return update

    assert stores[1].change(task_id, expected_status="scheduled", update=to("inProgress"))
    assert stores[1].change(task_id, expected_status="scheduled", update=to("failed")) is None
    assert (
        stores[1].change(
            task_id, expected_status="inProgress", expected_started_at=99.0, update=to("failed")
        )
        is None
    )
    assert tasks.get(task_id, PROVINCE)["TaskStatus"] == "inProgress"


def test_unexpected_errors_are_retried_then_fail_the_task(aws, stores):
    tasks = make_tasks(aws, stores, engine=Flaky(failures=MAX_ATTEMPTS))
    task_id = start(tasks, aws)["TaskId"]

    for _ in range(MAX_ATTEMPTS - 1):
        with pytest.raises(ServiceFailureException, match="speech engine failed"):
            tasks.run(task_id)
        assert tasks.get(task_id, PROVINCE)["TaskStatus"] == "scheduled"
    assert tasks.run(task_id) == "failed"
    failed = tasks.get(task_id, PROVINCE)
    assert failed["TaskStatus"] == "failed"
    assert failed["TaskStatusReason"]


def test_engine_failures_retry_and_succeed(aws, stores):
    tasks = make_tasks(aws, stores, engine=Flaky(failures=1))
    task_id = start(tasks, aws)["TaskId"]
    with pytest.raises(ServiceFailureException):
        tasks.run(task_id)
    assert tasks.run(task_id) == "completed"


def test_a_request_that_cannot_be_read_fails_with_its_reason(aws, stores):
    lexicons, _ = stores
    lexicons.put(parse_lexicon("Tam", render_lexicon("vi-VN", {"A": "a"})))
    tasks = make_tasks(aws, stores)
    task_id = start(tasks, aws, LexiconNames=["Tam"])["TaskId"]
    lexicons.delete("Tam")  # gone before the worker reads it

    assert tasks.run(task_id) == "failed"
    failed = tasks.get(task_id, PROVINCE)
    assert failed["TaskStatusReason"] == "Lexicon not found: Tam"


def test_task_shape_and_checks(aws, stores):
    tasks = make_tasks(aws, stores)
    task = start(
        tasks,
        aws,
        OutputFormat="pcm",
        SampleRate="8000",
        OutputS3KeyPrefix="a/b/",
        Engine="standard",
    )
    assert set(task) == {
        "TaskId", "TaskStatus", "OutputUri", "CreationTime", "RequestCharacters",
        "OutputFormat", "TextType", "VoiceId", "Engine", "LanguageCode", "SampleRate",
    }  # fmt: skip
    assert task["OutputUri"].endswith(f"/a/b/{task['TaskId']}.pcm")
    assert task["CreationTime"] == 1_800_000_000.0
    with pytest.raises(InvalidSnsTopicArnException):
        start(tasks, aws, SnsTopicArn="arn:aws:sqs:ap-southeast-1:123456789012:q")
    queued = aws["sqs"].receive_message(
        QueueUrl=aws["settings"].speech_tasks_queue, MaxNumberOfMessages=10
    )["Messages"]
    assert [json.loads(m["Body"]) for m in queued] == [{"task_id": task["TaskId"]}]


def test_a_task_that_cannot_be_queued_fails(aws, stores):
    tasks = make_tasks(aws, stores)
    tasks.queue_url = aws["settings"].speech_tasks_queue + "-missing"
    with pytest.raises(ServiceFailureException):
        start(tasks, aws)
    listed = tasks.list(PROVINCE)["SynthesisTasks"]
    assert [task["TaskStatus"] for task in listed] == ["failed"]


def test_listing_filters_by_status_and_pages(aws, stores):
    clock = Clock()
    tasks = make_tasks(aws, stores, clock=clock)
    ids = []
    for _ in range(5):
        clock.now += 1
        ids.append(start(tasks, aws)["TaskId"])
    tasks.run(ids[1])
    tasks.run(ids[3])

    done = tasks.list(PROVINCE, status="completed")["SynthesisTasks"]
    assert [task["TaskId"] for task in done] == [ids[3], ids[1]]
    seen, token = [], None
    while True:
        page = tasks.list(PROVINCE, status="scheduled", max_results=2, next_token=token)
        seen += [task["TaskId"] for task in page["SynthesisTasks"]]
        token = page.get("NextToken")
        if not token:
            break
    assert seen == [ids[4], ids[2], ids[0]]
    with pytest.raises(InvalidNextTokenException):
        tasks.list(PROVINCE, next_token="!!")


def test_lexicon_store_pages_by_name(stores):
    lexicons, _ = stores
    for name in ("Cc", "Aa", "Bb"):
        lexicons.put(parse_lexicon(name, render_lexicon("vi-VN", {"X": "y"}), last_modified=5))
    first, token = lexicons.page(None)
    second, last = lexicons.page(token)
    assert [lexicon.name for lexicon in first + second] == ["Aa", "Bb", "Cc"]
    assert last is None
    assert lexicons.count() == 3
    assert lexicons.get("Aa").last_modified == 5
    assert lexicons.delete("Aa") is True
    assert lexicons.delete("Aa") is False
    with pytest.raises(InvalidNextTokenException):
        lexicons.page("eyJQSyI6IHt9fQ==")


def test_the_bulletin_speaker_reads_long_text_with_progress(aws, stores):
    service = SpeechService([EspeakEngine()], stores[0], normalizer=identity_normalizer)
    service.chunk_characters = 300
    fractions = []
    spoken = ServiceSpeaker(service).speak(
        "Trạm y tế xã thông báo lịch tiêm chủng. " * 40, "vi-vn-x-central", fractions.append
    )
    assert spoken.mp3[:3] == b"ID3" or spoken.mp3[0] == 0xFF
    assert 30 < spoken.duration_s < 200
    assert fractions == sorted(fractions)
    assert fractions[-1] == 1.0
    assert len(fractions) > 3


def test_voice_ids_of_voices_are_unique():
    ids = [voice.id for voice in EspeakEngine().voices()]
    assert len(ids) == len(set(ids))
    assert all(isinstance(voice, Voice) for voice in EspeakEngine().voices())
