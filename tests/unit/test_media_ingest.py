"""The media ingest on real files (made with ffmpeg) and AWS in moto: sniffing, loudness,
variants, rejections, duplicates, crashes, dead letters, and the function's batch answer."""

import importlib.util
import json
from datetime import timedelta
from pathlib import Path

import pytest
from moto import mock_aws

from nguon.errors import Conflict, InvalidInput
from nguon.models.media import MediaStatus, UploadRequest
from nguon.models.principal import Role
from nguon.services.ingest_queue import notices_of
from nguon.services.media import MediaService
from nguon.services.media_ingest import Outcome
from nguon.services.unit_catalogue import load_bundled_catalogue
from nguon.services.units import UnitService
from tests.factories import at, person
from tests.fakes import InMemoryUnitStore
from tests.unit import media_support as support

EDITOR = person("xa-editor", "21550", Role.EDITOR)


class Clock:
    def __init__(self) -> None:
        self.moment = at("09:00")

    def __call__(self):
        return self.moment

    def advance(self, **delta) -> None:
        self.moment += timedelta(**delta)


class Context:
    function_name = "nguon-dev-IngestFunction"
    memory_limit_in_mb = 3008
    invoked_function_arn = (
        "arn:aws:lambda:ap-southeast-1:123456789012:function:nguon-dev-IngestFunction"
    )
    aws_request_id = "req-ingest"

    def get_remaining_time_in_millis(self) -> int:
        return 600_000


@pytest.fixture(scope="session")
def files(tmp_path_factory):
    return support.make_fixtures(tmp_path_factory.mktemp("media"))


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def world(tmp_path, clock):
    with mock_aws():
        made = support.create_world()
        pipe = support.pipeline(made, clock, tmp_path)
        units = UnitService(InMemoryUnitStore(load_bundled_catalogue()))
        pipe.service = MediaService(units, pipe.store, pipe.objects, now=clock)
        yield pipe


def upload(world, path: Path, *, content_type: str, purpose: str, name=None, size=None):
    """Ask for a ticket as the ward editor, store the file under its key: the notification."""
    ticket = world.service.request_upload(
        EDITOR,
        UploadRequest(
            file_name=name or path.name,
            content_type=content_type,
            size=size or path.stat().st_size,
            purpose=purpose,
        ),
    )
    return ticket.media_id, support.put_upload(world.world["s3"], ticket.key, path, content_type)


def variant_file(world, media, name: str, tmp_path: Path) -> Path:
    [variant] = [v for v in media.variants if v.name == name]
    local = tmp_path / f"variant-{name}{Path(variant.key).suffix}"
    world.world["s3"].download_file(support.MEDIA, variant.key, str(local))
    return local


# --- sniffing and rejections -----------------------------------------------------------------


def test_a_wav_becomes_a_mono_mp3_at_minus_16_lufs(world, files, tmp_path):
    media_id, body = upload(world, files["tone.wav"], content_type="audio/wav", purpose="audio")
    original = world.world["s3"].get_object(
        Bucket=support.UPLOADS, Key=body["Records"][0]["s3"]["object"]["key"]
    )

    assert world.consumer.handle(json.dumps(body)) == [Outcome.READY]

    media = world.store.get(media_id)
    assert media.status is MediaStatus.READY
    assert media.detected_type == "audio/wav"
    assert media.duration_s == pytest.approx(10.0, abs=0.1)
    assert media.loudness_lufs == pytest.approx(-16.0, abs=1.0)
    [speaker] = media.variants
    assert speaker.key == f"media/{media_id}/speaker.mp3"
    assert (speaker.content_type, speaker.channels, speaker.sample_rate) == ("audio/mpeg", 1, 44100)
    produced = variant_file(world, media, "speaker", tmp_path)
    # Measured here, independently: ffmpeg's ebur128 on the MP3 as stored.
    assert support.measured_lufs(produced) == pytest.approx(-16.0, abs=1.0)
    assert support.measured_lufs(files["tone.wav"]) < -27  # it was far quieter
    [stream] = support.probe(produced)["streams"]
    assert (stream["codec_name"], stream["channels"], stream["sample_rate"]) == ("mp3", 1, "44100")
    # The original stays as uploaded.
    kept = world.world["s3"].get_object(Bucket=support.UPLOADS, Key=media.key)
    assert kept["Body"].read() == files["tone.wav"].read_bytes()
    assert kept["ETag"] == original["ETag"]


def test_a_wav_named_mp3_is_processed_as_the_wav_it_is(world, files):
    media_id, body = upload(
        world,
        files["tone.wav"],
        content_type="audio/mpeg",
        purpose="audio",
        name="Thông báo tiêm chủng.mp3",
    )

    assert world.consumer.handle(json.dumps(body)) == [Outcome.READY]

    media = world.store.get(media_id)
    assert media.content_type == "audio/mpeg"  # as declared
    assert media.detected_type == "audio/wav"  # as found, and processed
    assert media.key.endswith("/Thong-bao-tiem-chung.mp3")
    assert media.file_name == "Thông báo tiêm chủng.mp3"


def test_a_text_file_named_mp3_is_rejected_without_running_ffmpeg(world, files):
    media_id, body = upload(world, files["text.mp3"], content_type="audio/mpeg", purpose="audio")

    assert world.consumer.handle(json.dumps(body)) == [Outcome.REJECTED]

    media = world.store.get(media_id)
    assert media.status is MediaStatus.REJECTED
    assert media.reason.code == "media_type_unknown"
    assert media.variants == []
    assert world.ffmpeg.calls == []
    vi = world.service.view(media, "vi").reason.message
    en = world.service.view(media, "en").reason.message
    assert vi.startswith("Không nhận ra định dạng của tệp (khai báo là audio/mpeg)")
    assert en.startswith("The file's format is not one we know (declared audio/mpeg)")


def test_a_picture_declared_as_audio_is_rejected_as_what_it_is(world, files):
    media_id, body = upload(world, files["picture.png"], content_type="audio/mpeg", purpose="audio")

    assert world.consumer.handle(json.dumps(body)) == [Outcome.REJECTED]

    media = world.store.get(media_id)
    assert media.reason.code == "media_type_mismatch"
    assert media.reason.params == {
        "detected": "image/png",
        "declared": "audio/mpeg",
        "purpose": "audio",
    }
    assert media.detected_type == "image/png"


def test_a_truncated_mp3_is_rejected_as_undecodable(world, files):
    media_id, body = upload(
        world, files["truncated.mp3"], content_type="audio/mpeg", purpose="audio"
    )

    assert world.consumer.handle(json.dumps(body)) == [Outcome.REJECTED]

    media = world.store.get(media_id)
    assert (media.reason.code, media.detected_type) == ("media_undecodable", "audio/mpeg")
    assert world.ffmpeg.calls == ["ffprobe"]


def test_an_object_larger_than_declared_is_rejected_before_it_is_read(world, files):
    media_id, body = upload(
        world, files["tone.wav"], content_type="audio/wav", purpose="audio", size=100_000
    )

    assert world.consumer.handle(json.dumps(body)) == [Outcome.REJECTED]

    media = world.store.get(media_id)
    assert media.reason.code == "media_too_large"
    assert media.reason.params["size_bytes"] == files["tone.wav"].stat().st_size
    assert media.reason.params["limit_bytes"] == 100_000
    assert media.source.size == files["tone.wav"].stat().st_size
    assert world.ffmpeg.calls == []
    en = world.service.view(media, "en").reason.message
    assert en == "The uploaded file (1.7 MB) is larger than allowed (98 KB)."


# --- images, video, documents ----------------------------------------------------------------


def test_a_picture_gets_a_variant_of_each_board_size(world, files, tmp_path):
    media_id, body = upload(world, files["picture.png"], content_type="image/png", purpose="image")

    assert world.consumer.handle(json.dumps(body)) == [Outcome.READY]

    media = world.store.get(media_id)
    assert (media.width, media.height) == (640, 480)
    expected = {"fhd": (1920, 1080), "hd": (1280, 720), "led": (384, 192)}
    assert {v.name: (v.width, v.height) for v in media.variants} == expected
    for name, size in expected.items():
        [stream] = support.probe(variant_file(world, media, name, tmp_path))["streams"]
        assert (stream["codec_name"], stream["width"], stream["height"]) == ("png", *size)


def test_a_video_gets_h264_aac_board_variants_with_its_duration(world, files, tmp_path):
    media_id, body = upload(world, files["clip.mp4"], content_type="video/mp4", purpose="video")

    assert world.consumer.handle(json.dumps(body)) == [Outcome.READY]

    media = world.store.get(media_id)
    assert media.duration_s == pytest.approx(2.0, abs=0.1)
    # 320×240 gets no 1920×1080 variant: upscaled video only grows.
    assert [v.name for v in media.variants] == ["hd", "led"]
    found = support.probe(variant_file(world, media, "hd", tmp_path))
    codecs = {s["codec_type"]: s for s in found["streams"]}
    assert (codecs["video"]["codec_name"], codecs["video"]["width"]) == ("h264", 1280)
    assert (codecs["video"]["height"], codecs["audio"]["codec_name"]) == (720, "aac")
    assert float(found["format"]["duration"]) == pytest.approx(2.0, abs=0.15)


def test_a_pdf_is_kept_as_it_is(world, files, tmp_path):
    media_id, body = upload(
        world, files["document.pdf"], content_type="application/pdf", purpose="document"
    )

    assert world.consumer.handle(json.dumps(body)) == [Outcome.READY]

    media = world.store.get(media_id)
    assert [v.name for v in media.variants] == ["document"]
    copy = variant_file(world, media, "document", tmp_path)
    assert copy.read_bytes() == files["document.pdf"].read_bytes()
    assert world.ffmpeg.calls == []


# --- idempotency, crashes, dead letters ------------------------------------------------------


def test_a_duplicate_notification_is_processed_once(world, files):
    media_id, body = upload(world, files["tone.wav"], content_type="audio/wav", purpose="audio")

    assert world.consumer.handle(json.dumps(body)) == [Outcome.READY]
    calls, version = len(world.ffmpeg.calls), world.store.get(media_id).version
    assert world.consumer.handle(json.dumps(body)) == [Outcome.DUPLICATE]

    assert len(world.ffmpeg.calls) == calls
    assert world.store.get(media_id).version == version
    assert world.store.get(media_id).attempts == 1


def test_a_live_claim_is_left_alone_and_a_dead_one_taken_over(world, files, clock):
    media_id, body = upload(world, files["tone.wav"], content_type="audio/wav", purpose="audio")
    world.objects.failures = 1
    deadline = clock() + timedelta(minutes=15)
    # A worker that dies outright (no release): its claim holds until its deadline.
    world.ingest._release = lambda claimed: None
    with pytest.raises(ConnectionError):
        world.ingest.ingest(notices_of(json.dumps(body))[0], deadline=deadline)

    assert world.consumer.handle(json.dumps(body)) == [Outcome.BUSY]
    clock.advance(minutes=16)
    assert world.consumer.handle(json.dumps(body)) == [Outcome.READY]
    assert world.store.get(media_id).attempts == 2


def test_a_failure_mid_way_is_retried_by_sqs_and_then_ready(world, files, ingest_function):
    media_id, body = upload(world, files["tone.wav"], content_type="audio/wav", purpose="audio")
    world.objects.failures = 1  # storing the variant fails once

    first = ingest_function.lambda_handler(support.sqs_event(body), Context())

    assert first == {"batchItemFailures": [{"itemIdentifier": "msg-1"}]}
    media = world.store.get(media_id)
    assert (media.status, media.attempts, media.lease_until) == (MediaStatus.PROCESSING, 1, None)

    again = ingest_function.lambda_handler(support.sqs_event(body, receive_count=2), Context())

    assert again == {"batchItemFailures": []}
    media = world.store.get(media_id)
    assert (media.status, media.attempts) == (MediaStatus.READY, 2)
    assert _dead_letters(world) == []


def test_repeated_failure_goes_to_the_dead_letters_with_its_cause(world, files, ingest_function):
    media_id, body = upload(world, files["tone.wav"], content_type="audio/wav", purpose="audio")
    world.objects.failures = 99

    answers = [
        ingest_function.lambda_handler(support.sqs_event(body, receive_count=n), Context())
        for n in (1, 2, 3)
    ]

    assert [len(answer["batchItemFailures"]) for answer in answers] == [1, 1, 0]
    [letter] = _dead_letters(world)
    assert json.loads(letter["Body"]) == body  # replayable as it is
    attributes = {name: value["StringValue"] for name, value in letter["MessageAttributes"].items()}
    assert attributes["cause"] == "ConnectionError: S3 went away while storing a variant"
    assert attributes["media_id"] == media_id
    assert attributes["receive_count"] == "3"
    media = world.store.get(media_id)
    assert media.status is MediaStatus.FAILED
    assert (media.reason.code, media.reason.params) == ("media_processing_failed", {"attempts": 3})


def test_a_rejected_file_is_acknowledged_and_never_dead_lettered(world, files, ingest_function):
    _, body = upload(world, files["text.mp3"], content_type="audio/mpeg", purpose="audio")

    answer = ingest_function.lambda_handler(support.sqs_event(body, receive_count=3), Context())

    assert answer == {"batchItemFailures": []}
    assert _dead_letters(world) == []


def test_a_batch_with_the_same_notification_twice_processes_it_once(world, files, ingest_function):
    media_id, body = upload(world, files["tone.wav"], content_type="audio/wav", purpose="audio")

    answer = ingest_function.lambda_handler(support.sqs_event(body, body), Context())

    assert answer == {"batchItemFailures": []}
    assert world.ffmpeg.calls.count("ffmpeg") == 3  # measure, normalise, measure the result
    assert world.store.get(media_id).attempts == 1


def test_the_s3_test_event_is_acknowledged(world, ingest_function):
    test_event = {
        "Service": "Amazon S3",
        "Event": "s3:TestEvent",
        "Time": "2026-12-01T02:00:00.000Z",
        "Bucket": support.UPLOADS,
        "RequestId": "5582815E1AEA5ADF",
        "HostId": "8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3eKxsPzbB9wrR+YstdA6Knx4Ip8EXAMPLE",
    }

    answer = ingest_function.lambda_handler(support.sqs_event(test_event), Context())

    assert answer == {"batchItemFailures": []}
    assert world.ffmpeg.calls == []


def test_a_message_that_is_no_notification_is_dead_lettered_at_once(world, ingest_function):
    answer = ingest_function.lambda_handler(support.sqs_event("not json"), Context())

    assert answer == {"batchItemFailures": []}
    [letter] = _dead_letters(world)
    assert letter["MessageAttributes"]["cause"]["StringValue"].startswith("MalformedNotification")


def test_an_object_outside_the_uploads_of_record_is_ignored(world, files):
    body = support.put_upload(
        world.world["s3"], "uploads/21550/no-such-id/x.wav", files["tone.wav"], "audio/wav"
    )

    assert world.consumer.handle(json.dumps(body)) == [Outcome.IGNORED]


def test_give_up_never_undoes_a_final_state(world, files):
    media_id, body = upload(world, files["text.mp3"], content_type="audio/mpeg", purpose="audio")
    world.consumer.handle(json.dumps(body))

    assert world.ingest.give_up(media_id).status is MediaStatus.REJECTED


# --- notifications ---------------------------------------------------------------------------


def test_keys_arrive_url_encoded_with_plus_for_spaces():
    body = support.notification("uploads/21550/abc/x.mp3", size=10, etag="e")
    body["Records"][0]["s3"]["object"]["key"] = "uploads/21550/abc/b%E1%BA%A3n+tin+%281%29.mp3"
    body["Records"].append({**body["Records"][0], "eventName": "ObjectRemoved:Delete"})

    [notice] = notices_of(json.dumps(body))

    assert notice.key == "uploads/21550/abc/bản tin (1).mp3"
    assert (notice.bucket, notice.size, notice.etag) == (support.UPLOADS, 10, "e")


def test_the_sample_event_is_an_s3_notification_in_an_sqs_event():
    event = json.loads(
        (Path(__file__).parents[2] / "events" / "ingest-s3-via-sqs.json").read_text()
    )

    [record] = event["Records"]
    [notice] = notices_of(record["body"])

    assert record["eventSource"] == "aws:sqs"
    assert notice.key.startswith("uploads/21550/")


# --- the function ----------------------------------------------------------------------------


@pytest.fixture
def ingest_function(world, monkeypatch):
    """functions/ingest/app.py under a name of its own, on the test's pipeline."""
    path = Path(__file__).parents[2] / "functions" / "ingest" / "app.py"
    spec = importlib.util.spec_from_file_location("_ingest_app_under_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.consumer.cache_info().currsize == 0  # nothing built at import
    monkeypatch.setattr(module, "consumer", lambda: world.consumer)
    return module


def _dead_letters(world) -> list[dict]:
    sqs = world.world["sqs"]
    found = sqs.receive_message(
        QueueUrl=world.world["queue_url"],
        MaxNumberOfMessages=10,
        MessageAttributeNames=["All"],
        WaitTimeSeconds=0,
    )
    return found.get("Messages", [])


# --- the table -------------------------------------------------------------------------------


def test_the_table_lists_a_units_media_newest_first_in_pages(world, clock):
    ids = []
    for n in range(3):
        request = UploadRequest(
            file_name=f"{n}.wav", content_type="audio/wav", size=10, purpose="audio"
        )
        ids.append(world.service.request_upload(EDITOR, request).media_id)
        clock.advance(minutes=1)

    first, cursor = world.store.page("21550", limit=2, cursor=None)
    rest, end = world.store.page("21550", limit=2, cursor=cursor)

    assert [media.id for media in first + rest] == ids[::-1]
    assert end is None
    assert world.store.page("21808", limit=2, cursor=None) == ([], None)
    with pytest.raises(InvalidInput):
        world.store.page("21808", limit=2, cursor=cursor)


def test_a_write_on_a_stale_version_changes_nothing(world):
    request = UploadRequest(file_name="a.wav", content_type="audio/wav", size=10, purpose="audio")
    media = world.store.get(world.service.request_upload(EDITOR, request).media_id)
    claimed = media.model_copy(update={"status": MediaStatus.PROCESSING, "version": 2})
    world.store.replace(claimed, expected_version=1)

    with pytest.raises(Conflict):
        world.store.replace(media.model_copy(update={"version": 2}), expected_version=1)
    with pytest.raises(Conflict):
        world.store.create(media)

    assert world.store.get(media.id) == claimed
