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


class JsonHost(Host):
    def invoke(self, function, event):
        self.events.append(event)
        return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": "{}"}


def _client(host, binary_media_types=("audio~1mpeg", "application~1x-json-stream")):
    gateway = ApiGateway(
        api_id="api",
        stage="dev",
        routes=[ApiRoute("Speech", "Api", "/tts/v1/{proxy+}", "ANY", None)],
        authorizers={},
        gateway_responses={},
        host=host,
        binary_media_types=list(binary_media_types),
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


def test_a_client_wildcard_accept_does_not_match_a_listed_type():
    client = _client(Host())
    answer = client.post("/tts/v1/speech", json={"Text": "x"}, headers={"Accept": "*/*"})
    assert answer.data == base64.b64encode(b"ID3\x00\xff")


def test_with_every_type_binary_audio_leaves_as_bytes_whatever_the_accept():
    client = _client(Host(), binary_media_types=["*~1*"])
    for accept in (None, "*/*", "application/json", "text/html, audio/mpeg"):
        headers = {"Accept": accept} if accept else {}
        answer = client.post("/tts/v1/speech", json={"Text": "x"}, headers=headers)
        assert answer.data == b"ID3\x00\xff", accept
    # A body the function did not base64-encode goes out as it is.
    assert _client(JsonHost(), binary_media_types=["*~1*"]).get("/tts/v1/voices").json == {}


def test_with_every_type_binary_every_request_body_arrives_base64_encoded():
    host = JsonHost()
    client = _client(host, binary_media_types=["*~1*"])
    client.post("/tts/v1/speech", json={"Text": "á"})
    client.post("/tts/v1/speech", data=b"plain", headers={"Content-Type": ""})
    client.get("/tts/v1/voices")
    as_json, untyped, empty = host.events
    assert as_json["isBase64Encoded"] is True
    assert json.loads(base64.b64decode(as_json["body"])) == {"Text": "á"}
    assert (untyped["isBase64Encoded"], base64.b64decode(untyped["body"])) == (True, b"plain")
    assert (empty["body"], empty["isBase64Encoded"]) == (None, False)
