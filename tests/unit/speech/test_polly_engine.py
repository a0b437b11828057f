"""The Amazon Polly adapter against botocore's Stubber (no network, Polly's real shapes)."""

import io
import json

import boto3
import pytest
from botocore.response import StreamingBody
from botocore.stub import ANY, Stubber

from nguon.speech.engines.base import Segment
from nguon.speech.engines.polly import PollyEngine
from nguon.speech.errors import ServiceFailureException
from nguon.speech.plans import SynthesisRequest
from nguon.speech.synthesis import SpeechService
from tests.unit.speech.conftest import identity_normalizer

VOICES = {
    "Voices": [
        {
            "Gender": "Female",
            "Id": "Joanna",
            "LanguageCode": "en-US",
            "LanguageName": "US English",
            "Name": "Joanna",
            "SupportedEngines": ["neural", "standard"],
        },
        {
            "Gender": "Male",
            "Id": "Takumi",
            "LanguageCode": "ja-JP",
            "LanguageName": "Japanese",
            "Name": "Takumi",
            "SupportedEngines": ["standard"],
        },
    ]
}


def stream(data: bytes) -> StreamingBody:
    return StreamingBody(io.BytesIO(data), len(data))


@pytest.fixture
def polly():
    client = boto3.client(
        "polly",
        region_name="ap-southeast-1",
        aws_access_key_id="x",
        aws_secret_access_key="y",
    )
    with Stubber(client) as stubber:
        yield client, stubber


def marks_body(ssml: str, words: list[tuple[str, int]]) -> bytes:
    """Polly's json marks for ``words`` (text, time) found in ``ssml``, byte offsets."""
    encoded = ssml.encode()
    lines = []
    position = 0
    first = encoded.index(words[0][0].encode())
    last_word = words[-1][0].encode()
    end = encoded.index(last_word, first) + len(last_word)
    lines.append({"time": 0, "type": "sentence", "start": first, "end": end, "value": "x"})
    for word, time_ms in words:
        start = encoded.index(word.encode(), position)
        position = start + len(word.encode())
        lines.append(
            {"time": time_ms, "type": "word", "start": start, "end": position, "value": word}
        )
    return "\n".join(json.dumps(line) for line in lines).encode()


def test_voices_come_from_describe_voices(polly):
    client, stubber = polly
    stubber.add_response(
        "describe_voices", {**VOICES, "NextToken": "more"}, {"IncludeAdditionalLanguageCodes": True}
    )
    stubber.add_response(
        "describe_voices",
        {"Voices": []},
        {"IncludeAdditionalLanguageCodes": True, "NextToken": "more"},
    )
    engine = PollyEngine(client, languages=["en-US"])

    voices = engine.voices()
    assert [v.id for v in voices] == ["Joanna"]
    assert voices[0].supported_engines == ("neural", "standard")
    assert engine.voices() == voices  # read once
    stubber.assert_no_pending_responses()


def test_segments_become_ssml_pcm_and_marks_mapped_to_characters(polly):
    client, stubber = polly
    stubber.add_response("describe_voices", VOICES, {"IncludeAdditionalLanguageCodes": True})
    engine = PollyEngine(client)
    joanna = engine.voices()[0]
    text = 'Tom & "Jerry" café'
    ssml = (
        '<speak><prosody rate="80%" volume="+6dB">'
        "Tom &amp; &quot;Jerry&quot; café</prosody></speak>"
    )
    audio = bytes(range(256)) * 10  # 1,280 samples: 80 ms at 16 kHz
    stubber.add_response(
        "synthesize_speech",
        {"AudioStream": stream(audio), "ContentType": "audio/pcm", "RequestCharacters": 18},
        {
            "Text": ssml,
            "TextType": "ssml",
            "VoiceId": "Joanna",
            "Engine": "neural",
            "OutputFormat": "pcm",
            "SampleRate": "16000",
        },
    )
    body = marks_body(ssml, [("Tom", 5), ("&amp;", 200), ("Jerry", 300), ("café", 600)])
    stubber.add_response(
        "synthesize_speech",
        {"AudioStream": stream(body), "ContentType": "application/x-json-stream"},
        {
            "Text": ssml,
            "TextType": "ssml",
            "VoiceId": "Joanna",
            "Engine": "neural",
            "OutputFormat": "json",
            "SpeechMarkTypes": ["sentence", "word"],
        },
    )

    pcm = engine.synthesize(
        [Segment(text, rate=0.8, volume_db=6, pitch=1.2, pause_ms=100)], joanna, engine="neural"
    )

    stubber.assert_no_pending_responses()
    assert pcm.sample_rate == 16000
    assert pcm.duration_ms == 100 + 80
    words = [(text[m.text_start : m.text_end], m.time_ms) for m in pcm.marks if m.kind == "word"]
    assert words == [("Tom", 105), ("&", 300), ("Jerry", 400), ("café", 700)]
    sentence = next(m for m in pcm.marks if m.kind == "sentence")
    assert text[sentence.text_start : sentence.text_end] == text


def test_the_service_reads_english_through_polly(polly):
    client, stubber = polly
    stubber.add_response("describe_voices", VOICES, {"IncludeAdditionalLanguageCodes": True})
    service = SpeechService([PollyEngine(client)], lexicons=None, normalizer=identity_normalizer)
    stubber.add_response(
        "synthesize_speech",
        {"AudioStream": stream(bytes(32000)), "ContentType": "audio/pcm"},
        {
            "Text": "<speak>Hello there.</speak>",
            "TextType": "ssml",
            "VoiceId": "Takumi",
            "Engine": "standard",
            "OutputFormat": "pcm",
            "SampleRate": "16000",
        },
    )
    stubber.add_response(
        "synthesize_speech",
        {"AudioStream": stream(b""), "ContentType": "application/x-json-stream"},
        {
            "Text": ANY,
            "TextType": "ssml",
            "VoiceId": "Takumi",
            "Engine": "standard",
            "OutputFormat": "json",
            "SpeechMarkTypes": ["sentence", "word"],
        },
    )

    result = service.synthesize(
        SynthesisRequest(text="Hello there.", voice_id="Takumi", output_format="pcm")
    )
    assert len(result.audio) == 32000  # 1 s at 16 kHz, Polly's pcm rate: untouched
    assert [v["Id"] for v in service.describe_voices("ja-JP")["Voices"]] == ["Takumi"]


def test_a_polly_error_is_a_service_failure(polly):
    client, stubber = polly
    stubber.add_response("describe_voices", VOICES, {"IncludeAdditionalLanguageCodes": True})
    engine = PollyEngine(client)
    stubber.add_client_error("synthesize_speech", "ThrottlingException", http_status_code=400)
    with pytest.raises(ServiceFailureException):
        engine.synthesize([Segment("Hi")], engine.voices()[0])
