"""The FPT.AI TTS v5 adapter against a local server that speaks that API's shape."""

import io
import json
import math
import threading
import wave
from array import array
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from nguon.speech.engines.base import Segment
from nguon.speech.engines.neural_http import SAMPLE_RATE, FptTtsEngine
from nguon.speech.errors import ServiceFailureException
from nguon.speech.plans import SynthesisRequest
from nguon.speech.synthesis import SpeechService
from tests.unit.speech.conftest import identity_normalizer

KEY = "test-api-key"


def wav(seconds: float, rate: int = 16000) -> bytes:
    samples = array(
        "h",
        (int(6000 * math.sin(2 * math.pi * 220 * i / rate)) for i in range(int(seconds * rate))),
    )
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(samples.tobytes())
    return out.getvalue()


class FakeFpt:
    """``POST /hmi/tts/v5`` answers {"async": url, "error": 0, ...}; the url is 404 for the
    first ``not_ready`` fetches, then the WAV (0.1 s per character, like a slow reader)."""

    def __init__(self, not_ready: int = 2) -> None:
        self.requests: list[dict] = []
        self.audio: dict[str, bytes] = {}
        self.fetches: dict[str, int] = {}
        self.not_ready = not_ready
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"])).decode("utf-8")
                fake.requests.append(
                    {"headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}
                )
                if self.headers.get("api_key") != KEY:
                    return self._json({"error": 1, "message": "Invalid api key"})
                if not 3 <= len(body) <= 5000:
                    return self._json({"error": 2, "message": "Text length is invalid"})
                name = f"/files/{len(fake.requests)}.wav"
                fake.audio[name] = wav(0.1 * len(body))
                return self._json(
                    {
                        "async": f"http://127.0.0.1:{fake.port}{name}",
                        "error": 0,
                        "message": "The content will be returned after a few seconds under "
                        "the async link.",
                        "request_id": f"req-{len(fake.requests)}",
                    }
                )

            def do_GET(self) -> None:
                seen = fake.fetches.get(self.path, 0)
                fake.fetches[self.path] = seen + 1
                if self.path not in fake.audio or seen < fake.not_ready:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                data = fake.audio[self.path]
                self.send_response(200)
                self.send_header("Content-Type", "audio/wav")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _json(self, answer: dict) -> None:
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hmi/tts/v5"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture
def fpt():
    server = FakeFpt()
    yield server
    server.close()


def engine_for(server: FakeFpt, key: str = KEY, timeout_s: float = 5.0) -> FptTtsEngine:
    return FptTtsEngine(server.url, lambda: key, poll_interval_s=0.01, timeout_s=timeout_s)


def test_voices_are_fpts_seven(fpt):
    voices = engine_for(fpt).voices()
    assert [v.engine_voice for v in voices] == [
        "banmai", "thuminh", "leminh", "myan", "giahuy", "lannhi", "linhsan",
    ]  # fmt: skip
    assert {v.supported_engines for v in voices} == {("neural",)}
    assert {v.language_code for v in voices} == {"vi-VN"}


def test_segments_are_posted_polled_decoded_with_estimated_marks(fpt):
    engine = engine_for(fpt)
    myan = next(v for v in engine.voices() if v.id == "MyAn")
    first = "Xin chào bà con. Hôm nay họp."  # 29 characters: 2.9 s of audio
    second = "Hết."  # 4 characters: 0.4 s

    pcm = engine.synthesize(
        [Segment(first, rate=1.6), Segment(second, pause_ms=500, volume_db=-6)], myan
    )

    assert [r["body"] for r in fpt.requests] == [first, second]
    headers = fpt.requests[0]["headers"]
    assert (headers["api_key"], headers["voice"], headers["format"]) == (KEY, "myan", "wav")
    assert headers["speed"] == "3"  # 1.6x is FPT's fastest step
    assert fpt.requests[1]["headers"]["speed"] == "0"
    assert all(count == 3 for count in fpt.fetches.values())  # 404, 404, then the audio
    assert pcm.sample_rate == SAMPLE_RATE
    assert abs(pcm.duration_ms - (2900 + 500 + 400)) <= 5
    assert pcm.segment_times_ms == [0, 2900]
    sentences = [(m.text_start, m.text_end, m.time_ms) for m in pcm.marks]
    joined = first + second
    assert [joined[a:b] for a, b, _ in sentences] == ["Xin chào bà con.", "Hôm nay họp.", "Hết."]
    assert sentences[0][2] == 0
    assert abs(sentences[1][2] - round(2900 * 17 / 29)) <= 1  # by character share
    assert sentences[2][2] == 2900 + 500


def test_the_service_offers_and_uses_them(fpt):
    service = SpeechService([engine_for(fpt)], lexicons=None, normalizer=identity_normalizer)
    assert [v["Id"] for v in service.describe_voices(engine="neural")["Voices"]][:2] == [
        "BanMai",
        "ThuMinh",
    ]
    result = service.synthesize(
        SynthesisRequest(text="Xin chào.", voice_id="GiaHuy", output_format="pcm")
    )
    assert abs(len(result.audio) / 2 / 16000 - 0.9) < 0.01
    # neural voices default to 24 kHz for mp3, as Polly's do
    plan = service.plan(SynthesisRequest(text="Xin", voice_id="GiaHuy", output_format="mp3"))
    assert plan.sample_rate == 24000


def test_refusals_and_timeouts_are_service_failures(fpt):
    lannhi = next(v for v in engine_for(fpt).voices() if v.id == "LanNhi")
    with pytest.raises(ServiceFailureException, match="Invalid api key"):
        engine_for(fpt, key="wrong").synthesize([Segment("Xin chào")], lannhi)
    fpt.not_ready = 10_000
    with pytest.raises(ServiceFailureException, match="not ready"):
        engine_for(fpt, timeout_s=0.2).synthesize([Segment("Xin chào")], lannhi)


def test_short_text_is_padded_to_the_apis_minimum(fpt):
    engine = engine_for(fpt)
    engine.synthesize([Segment("Ừ")], engine.voices()[0])
    assert len(fpt.requests[0]["body"]) >= 3


def test_the_key_comes_from_secrets_manager(aws):
    import boto3

    from nguon.speech.engines.neural_http import secret_key

    client = boto3.client("secretsmanager", region_name="ap-southeast-1")
    client.create_secret(Name="nguon/tts/fpt", SecretString=json.dumps({"api_key": "k1"}))
    client.create_secret(Name="nguon/tts/plain", SecretString="k2")
    assert secret_key("nguon/tts/fpt")() == "k1"
    assert secret_key("nguon/tts/plain")() == "k2"


def test_only_http_urls(fpt):
    with pytest.raises(ServiceFailureException):
        FptTtsEngine("file:///etc/passwd", lambda: KEY)
