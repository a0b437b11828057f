"""Media and speech through the local cloud: signed uploads to ready media, Polly's API with
boto3's own client, and an approved bulletin getting its voice."""

import json
import subprocess
import time
from pathlib import Path

import boto3
import pytest
import requests
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.days import day_from_today
from tests.integration.test_bulletins_api import draft, step

pytestmark = pytest.mark.integration


def wait_for(probe, timeout=60.0, every=0.25):
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(every)


# ------------------------------------------------------------------ uploads and ingest
def _upload(api, path: Path, content_type: str, purpose: str, as_user="xa-editor") -> str:
    ticket = api.post(
        "/uploads",
        {
            "file_name": path.name,
            "content_type": content_type,
            "size": path.stat().st_size,
            "purpose": purpose,
        },
        as_user=as_user,
    )
    assert ticket.status_code == 201, ticket.text
    ticket = ticket.json()
    with path.open("rb") as body:
        posted = requests.post(
            ticket["url"], data=ticket["fields"], files={"file": (path.name, body)}, timeout=30
        )
    assert posted.status_code in (200, 204), posted.text
    return ticket["media_id"]


def _settled(api, media_id):
    def probe():
        media = api.get(f"/media/{media_id}", as_user="xa-editor").json()
        return media if media["status"] in ("ready", "rejected", "failed") else None

    return wait_for(probe)


def test_a_quiet_recording_becomes_a_loudness_normalised_speaker_mp3(api, tmp_path):
    recording = tmp_path / "ban-tin.wav"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=300:duration=8",
            "-af",
            "volume=-28dB,tremolo=f=3:d=0.7",
            "-ac",
            "2",
            str(recording),
        ],
        check=True,
    )
    media = _settled(api, _upload(api, recording, "audio/wav", "audio"))
    assert media["status"] == "ready", media
    assert abs(media["loudness_lufs"] - (-16.0)) <= 1.0
    assert 7.5 <= media["duration_s"] <= 8.5
    (speaker,) = [v for v in media["variants"] if v["name"] == "speaker"]
    assert (speaker["content_type"], speaker["channels"]) == ("audio/mpeg", 1)


def test_a_text_file_named_mp3_is_rejected_with_a_reason(api, tmp_path):
    fake = tmp_path / "thong-bao.mp3"
    fake.write_text("Đây không phải là tệp âm thanh.\n" * 20)
    media = _settled(api, _upload(api, fake, "audio/mpeg", "audio"))
    assert media["status"] == "rejected"
    assert media["reason"]["code"] == "media_type_unknown"  # no audio signature in the bytes
    assert media["reason"]["message"]


# ------------------------------------------------------------------ Polly's API
@pytest.fixture
def polly(endpoints, sign_in):
    client = boto3.client(
        "polly",
        endpoint_url=endpoints["polly_url"],
        region_name=endpoints["region"],
        config=Config(signature_version=UNSIGNED, retries={"max_attempts": 1}),
    )
    token = sign_in("tinh-editor")

    def bearer(request, **_):
        # Only the token: no Accept, as boto3 sends none (the speech API answers bytes anyway).
        request.headers["Authorization"] = f"Bearer {token}"

    client.meta.events.register("before-send.polly.*", bearer)
    return client


def _probe(audio: bytes, tmp_path: Path, suffix: str, *input_options: str) -> dict:
    """ffprobe's format (name, duration) and first stream of the bytes."""
    file = tmp_path / f"out{suffix}"
    file.write_bytes(audio)
    entries = "format=format_name,duration:stream=codec_name,sample_rate"
    probe = subprocess.run(
        ["ffprobe", "-v", "error", *input_options, "-show_entries", entries, "-of", "json", file],
        check=True,
        capture_output=True,
        text=True,
    )
    found = json.loads(probe.stdout)
    return {**found["format"], **found["streams"][0]}


def _duration(audio: bytes, tmp_path: Path, suffix: str) -> float:
    return float(_probe(audio, tmp_path, suffix)["duration"])


def test_boto3_polly_client_lists_voices_and_speaks_vietnamese(polly, tmp_path):
    voices = {v["Id"]: v for v in polly.describe_voices(LanguageCode="vi-VN")["Voices"]}
    assert {"Bac", "Trung", "Nam"} <= set(voices)
    spoken = polly.synthesize_speech(
        Text="Ngày 12/3/2025, UBND tỉnh Bình Định tổ chức tiêm chủng lúc 7h30.",
        VoiceId="Trung",
        OutputFormat="mp3",
    )
    audio = spoken["AudioStream"].read()
    assert spoken["ContentType"] == "audio/mpeg"
    assert 2.0 < _duration(audio, tmp_path, ".mp3") < 20.0


@pytest.mark.parametrize(
    ("output_format", "content_type", "format_name", "codec", "raw_input"),
    [
        ("mp3", "audio/mpeg", "mp3", "mp3", ()),
        ("ogg_vorbis", "audio/ogg", "ogg", "vorbis", ()),
        # Polly's pcm is headerless signed 16-bit little-endian mono at 16 kHz by default.
        ("pcm", "audio/pcm", "s16le", "pcm_s16le", ("-f", "s16le", "-ar", "16000", "-ac", "1")),
    ],
)
def test_every_audio_format_reaches_an_unmodified_client_as_bytes(
    polly, tmp_path, output_format, content_type, format_name, codec, raw_input
):
    spoken = polly.synthesize_speech(
        Text="Xin chào bà con. Hôm nay trời mưa to, bà con chú ý an toàn.",
        VoiceId="Bac",
        OutputFormat=output_format,
    )
    audio = spoken["AudioStream"].read()
    assert spoken["ContentType"] == content_type
    # Base64 text would be printable ASCII only; audio is not.
    assert not audio.isascii()
    found = _probe(audio, tmp_path, f".{output_format}", *raw_input)
    assert (found["format_name"], found["codec_name"]) == (format_name, codec)
    assert 1.5 < float(found["duration"]) < 15.0


def test_the_speech_api_is_an_api_of_its_own_with_the_same_sign_in(endpoints):
    assert not endpoints["polly_url"].startswith(endpoints["api_url"])
    anonymous = boto3.client(
        "polly",
        endpoint_url=endpoints["polly_url"],
        region_name=endpoints["region"],
        config=Config(signature_version=UNSIGNED, retries={"max_attempts": 1}),
    )
    with pytest.raises(ClientError) as refused:
        anonymous.describe_voices()
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 401
    assert refused.value.response["Error"]["Message"].startswith("Chưa đăng nhập")


def test_speech_marks_and_polly_errors(polly):
    marks = polly.synthesize_speech(
        Text="Xin chào bà con. Hôm nay trời mưa.",
        VoiceId="Nam",
        OutputFormat="json",
        SpeechMarkTypes=["sentence", "word"],
    )["AudioStream"].read()
    lines = [json.loads(line) for line in marks.decode().splitlines()]
    assert [m["type"] for m in lines].count("sentence") == 2
    with pytest.raises(polly.exceptions.TextLengthExceededException):
        polly.synthesize_speech(Text="a" * 3001, VoiceId="Bac", OutputFormat="mp3")


def test_a_synthesis_task_ends_in_s3(polly, endpoints):
    started = polly.start_speech_synthesis_task(
        Text="Thông báo của Ủy ban nhân dân xã về lịch tiêm chủng.",
        VoiceId="Trung",
        OutputFormat="mp3",
        OutputS3BucketName=endpoints["delivery_bucket"],
        OutputS3KeyPrefix="tts/",
    )["SynthesisTask"]

    def done():
        task = polly.get_speech_synthesis_task(TaskId=started["TaskId"])["SynthesisTask"]
        return task if task["TaskStatus"] in ("completed", "failed") else None

    task = wait_for(done)
    assert task["TaskStatus"] == "completed", task
    s3 = boto3.client("s3", endpoint_url=endpoints["aws_endpoint_url"])
    # Under the owner's unit, apart from bulletins' voices (issue 11).
    key = started["OutputUri"].split(f"/{endpoints['delivery_bucket']}/", 1)[1]
    assert key.startswith("synthesis/")
    assert key.endswith(f"/tts/{started['TaskId']}.mp3")
    assert s3.head_object(Bucket=endpoints["delivery_bucket"], Key=key)["ContentLength"] > 1000


# ------------------------------------------------------------------ bulletins' voices
def test_an_approved_bulletin_gets_its_voice_and_the_programme_its_length(api):
    day = day_from_today(40)  # no other test of the session plays in 21550 that day
    created = draft(
        api, day=day, body="Trạm y tế phường Nhơn Bình thông báo: ngày 12/12 tiêm vắc-xin."
    )
    step(api, created["id"], "submit", "xa-editor")
    assert step(api, created["id"], "approve", "huyen-approver").status_code == 200

    def ready():
        job = api.get(f"/bulletins/{created['id']}/voice", as_user="xa-editor")
        return job.json() if job.status_code == 200 and job.json()["status"] == "ready" else None

    job = wait_for(ready, timeout=90)
    assert job, api.get(f"/bulletins/{created['id']}/voice", as_user="xa-editor").text
    assert list(job["media"]) == ["vi-vn-x-central"]  # Bình Định speaks Central by default
    bulletin = api.get(f"/bulletins/{created['id']}", as_user="xa-editor").json()
    assert bulletin["voice_media"] == job["media"]
    assert bulletin["duration_s"] == round(job["duration_s"])
    media = api.get(f"/media/{job['media']['vi-vn-x-central']}", as_user="xa-editor").json()
    assert media["status"] == "ready"
    assert abs(media["loudness_lufs"] - (-16.0)) <= 1.0
    # The on-air copy follows: the programme places the measured length.
    programme = api.get(f"/units/21550/programme?date={day}", as_user="xa-operator").json()
    (item,) = [i for i in programme["items"] if i["bulletin_id"] == created["id"]]
    assert item["duration_s"] == bulletin["duration_s"]
