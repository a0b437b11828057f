"""The local gateway's binary media types behave as API Gateway's (REST, proxy integration)."""

import base64
import json

from werkzeug.test import Client

from infra.localcloud.gateway import ApiGateway
from infra.localcloud.template import ApiRoute


class Host:
    def __init__(self):
        self.events = []

    def invoke(self, function, event):
        self.events.append(event)
        return {
            "statusCode": 200,
            "headers": {"Content-Type": "audio/mpeg"},
            "body": base64.b64encode(b"ID3\x00\xff").decode(),
            "isBase64Encoded": True,
        }


def _client(host):
    gateway = ApiGateway(
        api_id="api",
        stage="dev",
        routes=[ApiRoute("Speech", "Api", "/tts/v1/{proxy+}", "ANY", None)],
        authorizers={},
        gateway_responses={},
        host=host,
        binary_media_types=["audio~1mpeg", "application~1x-json-stream"],
    )
    return Client(gateway)


def test_base64_bodies_become_bytes_only_for_a_binary_accept():
    client = _client(Host())
    binary = client.post("/tts/v1/speech", json={"Text": "x"}, headers={"Accept": "audio/mpeg"})
    assert binary.data == b"ID3\x00\xff"
    # No Accept (botocore's default): API Gateway hands the base64 text through.
    text = client.post("/tts/v1/speech", json={"Text": "x"})
    assert text.data == base64.b64encode(b"ID3\x00\xff")


def test_request_bodies_of_a_binary_type_arrive_base64_encoded():
    host = Host()
    client = _client(host)
    client.post("/tts/v1/x", data=b"\x00\x01", headers={"Content-Type": "audio/mpeg"})
    client.post("/tts/v1/x", json={"a": "á"})
    binary, textual = host.events
    assert binary["isBase64Encoded"] is True
    assert base64.b64decode(binary["body"]) == b"\x00\x01"
    assert textual["isBase64Encoded"] is False
    assert json.loads(textual["body"]) == {"a": "á"}
