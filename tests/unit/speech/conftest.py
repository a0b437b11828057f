"""Speech test support: moto for AWS, the speech function loaded by path, a Polly client.

The function's handler file is ``functions/speech/app.py``; the API's is ``app.py`` too, so it
is loaded under a name of its own (as the local cloud does), with its directory on the path
for ``speech_api``. The Polly client talks HTTP to a small server on 127.0.0.1 that turns
each request into an API Gateway REST proxy event (the claims an authorizer would pass) and
calls ``lambda_handler``: botocore's own serializer and parser are what is tested.
"""

import base64
import importlib.util
import json
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from urllib.parse import parse_qsl, urlsplit

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from cfnlint.decode import cfn_yaml
from moto import mock_aws

from infra.localcloud.template import TEMPLATE_PATH
from nguon.config import get_settings

ROOT = Path(__file__).resolve().parents[3]
SPEECH_FUNCTION = ROOT / "functions" / "speech"
CLAIMS = {"sub": "u1", "cognito:username": "t", "cognito:groups": "editor", "custom:unit": "52"}


class Context:
    function_name = "nguon-dev-SpeechFunction"
    memory_limit_in_mb = 1024
    invoked_function_arn = (
        "arn:aws:lambda:ap-southeast-1:123456789012:function:nguon-dev-SpeechFunction"
    )
    aws_request_id = "req-speech"

    def get_remaining_time_in_millis(self) -> int:
        return 29_000


def identity_normalizer(text: str):
    """The text as written (tests that must not depend on the normaliser's rules)."""
    from nguon.speech.synthesis import _Unchanged

    return _Unchanged(text)


def audio_info(data: bytes, suffix: str) -> dict:
    """ffprobe's view of encoded audio: sample rate, channels, duration in seconds."""
    done = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-show_entries",
            "stream=sample_rate,channels,codec_name:format=duration",
            "-of",
            "json",
            "-i",
            "pipe:0",
        ],
        input=data,
        capture_output=True,
        check=True,
    )
    info = json.loads(done.stdout)
    stream = info["streams"][0]
    decoded = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", "pipe:0", "-f", "s16le", "-ac", "1", "pipe:1"],
        input=data,
        capture_output=True,
        check=True,
    ).stdout
    rate = int(stream["sample_rate"])
    return {
        "codec": stream["codec_name"],
        "sample_rate": rate,
        "channels": int(stream["channels"]),
        "duration_s": len(decoded) / 2 / rate,
    }


@pytest.fixture
def aws(monkeypatch) -> Iterator[dict]:
    """moto with the template's table, the media bucket and the speech tasks queue."""
    settings = get_settings()
    with mock_aws():
        table = cfn_yaml.load(str(TEMPLATE_PATH))["Resources"]["MainTable"]["Properties"]
        dynamodb = boto3.client("dynamodb", region_name=settings.region)
        dynamodb.create_table(
            TableName=settings.table_name,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=table["AttributeDefinitions"],
            KeySchema=table["KeySchema"],
            GlobalSecondaryIndexes=table["GlobalSecondaryIndexes"],
        )
        s3 = boto3.client("s3", region_name=settings.region)
        s3.create_bucket(
            Bucket=settings.media_bucket,
            CreateBucketConfiguration={"LocationConstraint": settings.region},
        )
        sqs = boto3.client("sqs", region_name=settings.region)
        # Bulletins' voices and people's synthesis tasks, each on its queue (template.yaml).
        for queue_url in (settings.speech_tasks_queue, settings.synthesis_tasks_queue):
            url = sqs.create_queue(QueueName=queue_url.rsplit("/", 1)[-1])["QueueUrl"]
            assert url == queue_url
        # Tasks and lexicons belong to units: the speech function reads the tree.
        from nguon.services.unit_catalogue import load_bundled_catalogue
        from nguon.storage.units import DynamoUnitStore

        DynamoUnitStore().put_many(load_bundled_catalogue())
        yield {"s3": s3, "sqs": sqs, "dynamodb": dynamodb, "settings": settings}


@pytest.fixture
def speech_app(monkeypatch) -> ModuleType:
    """functions/speech/app.py under a name of its own, its services rebuilt for the test."""
    if str(SPEECH_FUNCTION) not in sys.path:
        sys.path.append(str(SPEECH_FUNCTION))
    spec = importlib.util.spec_from_file_location(
        f"_speech_app_under_test_{uuid.uuid4().hex}", SPEECH_FUNCTION / "app.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    from speech_api import dependencies

    dependencies.speech_service.cache_clear()
    dependencies.speech_tasks.cache_clear()
    yield module
    dependencies.speech_service.cache_clear()
    dependencies.speech_tasks.cache_clear()


def rest_event(method: str, url: str, headers: dict, body: bytes, claims: dict | None) -> dict:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    # The speech API's binary media type is */*: API Gateway base64-encodes every body.
    encoded = base64.b64encode(body).decode("ascii") if body else None
    context = {
        "accountId": "123456789012",
        "apiId": "local",
        "httpMethod": method,
        "path": f"/dev{parts.path}",
        "requestId": str(uuid.uuid4()),
        "resourcePath": "/tts/v1/{proxy+}",
        "stage": "dev",
        "identity": {"sourceIp": "127.0.0.1"},
    }
    if claims is not None:
        context["authorizer"] = {"claims": claims}
    return {
        "resource": "/tts/v1/{proxy+}",
        "path": parts.path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} or None,
        "pathParameters": {"proxy": parts.path.removeprefix("/tts/")},
        "stageVariables": None,
        "requestContext": context,
        "body": encoded,
        "isBase64Encoded": encoded is not None,
    }


class Gateway:
    """An HTTP server on 127.0.0.1 doing what API Gateway does for the speech function."""

    def __init__(self, handler, claims: dict | None = None) -> None:
        self.handler = handler
        self.claims = dict(CLAIMS) if claims is None else claims
        self.events: list[dict] = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                event = rest_event(
                    self.command, self.path, dict(self.headers.items()), body, gateway.claims
                )
                gateway.events.append(event)
                answer = gateway.handler(event, Context())
                payload = answer.get("body") or ""
                data = (
                    base64.b64decode(payload)
                    if answer.get("isBase64Encoded")
                    else payload.encode("utf-8")
                )
                self.send_response(answer["statusCode"])
                headers = dict(answer.get("headers") or {})
                for name, values in (answer.get("multiValueHeaders") or {}).items():
                    headers[name] = values[-1]
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _serve

            def log_message(self, *args) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> "Gateway":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


def polly_client(endpoint: str, token: str = "test-token"):
    """boto3's polly client pointed at our API, with a bearer token instead of SigV4."""
    client = boto3.client(
        "polly",
        endpoint_url=f"{endpoint}/tts",
        region_name="ap-southeast-1",
        config=Config(signature_version=UNSIGNED, retries={"max_attempts": 1}),
    )

    def bearer(request, **_):
        request.headers["Authorization"] = f"Bearer {token}"

    client.meta.events.register("before-send.polly.*", bearer)
    return client


@pytest.fixture
def gateway(aws, speech_app) -> Iterator[Gateway]:
    with Gateway(speech_app.lambda_handler) as running:
        yield running


@pytest.fixture
def polly(gateway):
    return polly_client(gateway.url)
