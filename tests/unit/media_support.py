"""Media tests' world: real files made with ffmpeg, and AWS (DynamoDB, S3, SQS) in moto.

The table is created with the template's key schema; buckets and the dead-letter queue get
fixed names (the template's are for the deployment to choose).
"""

import json
import math
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from cfnlint.decode import cfn_yaml

from infra.localcloud.template import TEMPLATE_PATH
from nguon.adapters.dead_letters import DeadLetterQueue
from nguon.adapters.ffmpeg import Ffmpeg
from nguon.adapters.media_objects import MediaObjects, s3_client
from nguon.config import get_settings
from nguon.services.ingest_queue import IngestConsumer
from nguon.services.media_ingest import IngestService

REGION = "ap-southeast-1"
UPLOADS = "nguon-uploads-test"
MEDIA = "nguon-media-test"
DEAD_LETTERS = "nguon-ingest-dlq-test"

_TABLE_KEYS = ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes", "BillingMode")


def ffmpeg(*args: str) -> None:
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y", *args], check=True
    )


def make_fixtures(folder: Path) -> dict[str, Path]:
    """Every kind of file the tests upload, made once per session."""
    files = {}
    # 10 s of a 440 Hz tone alternating between two levels (a loudness range, as speech has),
    # stereo, about -30 LUFS: far below the -16 target.
    tone = folder / "tone.wav"
    ffmpeg(
        "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100:duration=10",
        "-af", r"volume='if(lt(mod(t\,4)\,2)\,0.23\,0.53)':eval=frame",
        "-ac", "2", "-c:a", "pcm_s16le", str(tone),
    )  # fmt: skip
    files["tone.wav"] = tone
    files["text.mp3"] = folder / "text.mp3"
    files["text.mp3"].write_text("Đây là một tệp văn bản, không phải âm thanh.\n" * 50)
    files["picture.png"] = folder / "picture.png"
    ffmpeg(
        "-f", "lavfi", "-i", "testsrc=size=640x480:rate=1", "-frames:v", "1",
        str(files["picture.png"]),
    )  # fmt: skip
    files["clip.mp4"] = folder / "clip.mp4"
    ffmpeg(
        "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25:duration=2",
        "-f", "lavfi", "-i", "sine=frequency=660:sample_rate=44100:duration=2",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-shortest", str(files["clip.mp4"]),
    )  # fmt: skip
    good = folder / "good.mp3"
    ffmpeg(
        "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100:duration=5",
        "-c:a", "libmp3lame", "-b:a", "128k", str(good),
    )  # fmt: skip
    files["truncated.mp3"] = folder / "truncated.mp3"
    files["truncated.mp3"].write_bytes(good.read_bytes()[:600])  # the tag and a broken frame
    files["document.pdf"] = folder / "document.pdf"
    files["document.pdf"].write_bytes(_tiny_pdf())
    return files


def _tiny_pdf() -> bytes:
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def create_world() -> dict[str, Any]:
    """Inside ``mock_aws``: the table, both buckets and the dead-letter queue."""
    resources = cfn_yaml.load(str(TEMPLATE_PATH))["Resources"]
    props = resources["MainTable"]["Properties"]
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    dynamodb.create_table(
        TableName=get_settings().table_name, **{k: props[k] for k in _TABLE_KEYS if k in props}
    )
    s3 = s3_client(REGION)
    for bucket in (UPLOADS, MEDIA):
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    sqs = boto3.client("sqs", region_name=REGION)
    queue_url = sqs.create_queue(QueueName=DEAD_LETTERS)["QueueUrl"]
    return {"s3": s3, "sqs": sqs, "queue_url": queue_url}


class CountingFfmpeg(Ffmpeg):
    """The real ffmpeg, counting its commands (``calls``: the binary name of each)."""

    def __init__(self) -> None:
        super().__init__("ffmpeg")
        self.calls: list[str] = []

    def run(self, args: list[str]) -> subprocess.CompletedProcess[str]:
        self.calls.append(Path(args[0]).name)
        return super().run(args)


class FlakyObjects(MediaObjects):
    """S3, except that storing a variant fails ``failures`` times first."""

    def __init__(self, *args: Any, failures: int = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.failures = failures

    def upload(self, path: Path, key: str, *, content_type: str) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("S3 went away while storing a variant")
        super().upload(path, key, content_type=content_type)


@dataclass
class Pipeline:
    """The ingest as the function builds it, on moto, with the test's clock and ffmpeg."""

    world: dict[str, Any]
    store: Any
    objects: FlakyObjects
    ffmpeg: CountingFfmpeg
    ingest: IngestService
    consumer: IngestConsumer
    sent: list[dict] = field(default_factory=list)


def pipeline(world: dict[str, Any], now: Any, tmp: Path) -> Pipeline:
    from nguon.storage.media import DynamoMediaStore

    store = DynamoMediaStore()
    objects = FlakyObjects(world["s3"], uploads_bucket=UPLOADS, media_bucket=MEDIA)
    tools = CountingFfmpeg()
    ingest = IngestService(store, objects, tools, now=now, workdir=tmp)
    consumer = IngestConsumer(ingest, DeadLetterQueue(world["sqs"], queue_url=world["queue_url"]))
    return Pipeline(world, store, objects, tools, ingest, consumer)


def put_upload(s3: Any, key: str, path: Path, content_type: str) -> dict[str, Any]:
    """Store an upload as the presigned POST would, and S3's notification of it."""
    s3.upload_file(str(path), UPLOADS, key, ExtraArgs={"ContentType": content_type})
    head = s3.head_object(Bucket=UPLOADS, Key=key)
    return notification(key, size=head["ContentLength"], etag=head["ETag"].strip('"'))


def notification(key: str, *, size: int, etag: str, sequencer: str = "0065A1B2C3D4E5F6A7") -> dict:
    """An S3 event notification (version 2.1) for one created object; the key URL-encoded."""
    from urllib.parse import quote_plus

    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": REGION,
                "eventTime": "2026-12-01T02:00:00.000Z",
                "eventName": "ObjectCreated:Post",
                "userIdentity": {"principalId": "AWS:AROAEXAMPLE:uploader"},
                "requestParameters": {"sourceIPAddress": "203.113.0.10"},
                "responseElements": {"x-amz-request-id": "C3D13FE58DE4C810", "x-amz-id-2": "x"},
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "configurationId": "media-ingest",
                    "bucket": {
                        "name": UPLOADS,
                        "ownerIdentity": {"principalId": "A3NL1KOZZKExample"},
                        "arn": f"arn:aws:s3:::{UPLOADS}",
                    },
                    "object": {
                        "key": quote_plus(key, safe="/"),
                        "size": size,
                        "eTag": etag,
                        "sequencer": sequencer,
                    },
                },
            }
        ]
    }


def sqs_event(*bodies: dict | str, receive_count: int = 1) -> dict[str, Any]:
    """The SQS event Lambda hands the function: one record per body."""
    return {
        "Records": [
            {
                "messageId": f"msg-{index}",
                "receiptHandle": f"handle-{index}",
                "body": body if isinstance(body, str) else json.dumps(body),
                "attributes": {
                    "ApproximateReceiveCount": str(receive_count),
                    "SentTimestamp": "1795683090000",
                    "SenderId": "AIDAIENQZJOLO23YVJ4VO",
                    "ApproximateFirstReceiveTimestamp": "1795683090001",
                },
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": f"arn:aws:sqs:{REGION}:123456789012:nguon-ingest-dev",
                "awsRegion": REGION,
            }
            for index, body in enumerate(bodies, 1)
        ]
    }


_EBUR128_I = re.compile(r"Integrated loudness:\s*\n\s*I:\s*(-?[\d.]+)\s*LUFS")


def measured_lufs(path: Path) -> float:
    """Integrated loudness measured here, independently of the service (ffmpeg's ebur128)."""
    done = subprocess.run(
        [
            "ffmpeg",
            "-hide_banner",
            "-nostats",
            "-i",
            str(path),
            "-af",
            "ebur128",
            "-f",
            "null",
            "-",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    found = _EBUR128_I.findall(done.stderr)
    assert found, done.stderr[-500:]
    value = float(found[-1])
    assert math.isfinite(value)
    return value


def probe(path: Path) -> dict[str, Any]:
    done = subprocess.run(
        ["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


class InMemoryMediaStore:
    """:class:`nguon.services.media.MediaStore` in a dict, with the same version conditions."""

    def __init__(self) -> None:
        self.items: dict[str, Any] = {}

    def get(self, media_id: str) -> Any:
        return self.items.get(media_id)

    def create(self, media: Any) -> None:
        from nguon.errors import Conflict

        if media.id in self.items:
            raise Conflict("conflict")
        self.items[media.id] = media

    def replace(self, media: Any, *, expected_version: int) -> None:
        from nguon.errors import Conflict

        current = self.items.get(media.id)
        if current is None or current.version != expected_version:
            raise Conflict("conflict")
        self.items[media.id] = media

    def page(self, unit: str, *, limit: int, cursor: str | None) -> tuple[list, str | None]:
        found = sorted(
            (media for media in self.items.values() if media.unit == unit),
            key=lambda media: (media.created_at, media.id),
            reverse=True,
        )
        start = int(cursor or 0)
        following = start + limit
        return found[start:following], str(following) if following < len(found) else None
