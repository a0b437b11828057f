"""FPT.AI Text to Speech (API v5), a Vietnamese neural engine, configured by the operator.

The API (docs.fpt.ai, "FPT.AI Speech - Text to Speech"):

- ``POST {NGUON_NEURAL_TTS_URL}`` (``https://api.fpt.ai/hmi/tts/v5``), the text as the UTF-8
  request body (3 to 5,000 characters), headers ``api_key`` (the key), ``voice`` (``banmai``,
  ``thuminh``, ``leminh``, ``myan``, ``giahuy``, ``lannhi``, ``linhsan``), ``speed`` (-3 slowest
  … +3 fastest, 0 normal) and ``format`` (``mp3`` or ``wav``).
- The answer is JSON: ``{"async": "<url of the audio>", "error": 0, "message": "...",
  "request_id": "..."}``; ``error`` other than 0 is a failure. The audio is made in the
  background: the ``async`` URL answers 404 until it exists (seconds to two minutes), so it is
  polled with a growing interval up to ``timeout_s``.

We ask for WAV (no lossy step before our own encoder) and decode it with :mod:`wave`, or with
ffmpeg when it is not 16-bit mono. The key is read once from Secrets Manager
(``NGUON_NEURAL_TTS_KEY_SECRET``: the secret string itself, or JSON with ``api_key``).

The service gives no timings, so marks are estimated: sentence marks at the share of each
segment's audio that the characters before the sentence take; no word marks
(``exact_marks = False``). Speed maps SSML rates to FPT's steps (``round((rate - 1) * 5)``,
clamped to -3…3); volume is applied to the samples; pitch is not offered by the API.
"""

import io
import json
import time
import urllib.error
import urllib.request
import wave
from collections.abc import Callable, Sequence
from urllib.parse import urlsplit

from nguon.speech import audio
from nguon.speech.engines.base import (
    Gender,
    Pcm,
    PcmBuilder,
    Segment,
    SpeechEngine,
    Voice,
    estimated_sentence_marks,
)
from nguon.speech.errors import ServiceFailureException

SAMPLE_RATE = 22_050
MAX_CHARACTERS = 5_000
MIN_CHARACTERS = 3

_VOICES: tuple[tuple[str, str, Gender, str], ...] = (
    ("BanMai", "banmai", "Female", "Ban Mai (miền Bắc, nữ)"),
    ("ThuMinh", "thuminh", "Female", "Thu Minh (miền Bắc, nữ)"),
    ("LeMinh", "leminh", "Male", "Lê Minh (miền Bắc, nam)"),
    ("MyAn", "myan", "Female", "Mỹ An (miền Trung, nữ)"),
    ("GiaHuy", "giahuy", "Male", "Gia Huy (miền Trung, nam)"),
    ("LanNhi", "lannhi", "Female", "Lan Nhi (miền Nam, nữ)"),
    ("LinhSan", "linhsan", "Female", "Linh San (miền Nam, nữ)"),
)


def secret_key(secret_name: str) -> Callable[[], str]:
    """The API key from Secrets Manager, through Powertools parameters (which keep it for
    ``POWERTOOLS_PARAMETERS_MAX_AGE`` seconds): a JSON ``{"api_key": ...}`` or the bare key."""

    def read() -> str:
        from aws_lambda_powertools.utilities import parameters  # boto3: not at cold start

        value = str(parameters.get_secret(secret_name))
        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = value
        return str(parsed["api_key"]) if isinstance(parsed, dict) else str(parsed)

    return read


class FptTtsEngine(SpeechEngine):
    """FPT.AI's seven Vietnamese voices (engine ``neural``), marks estimated."""

    name = "fpt"
    exact_marks = False

    def __init__(
        self,
        base_url: str,
        api_key: Callable[[], str],
        *,
        poll_interval_s: float = 1.0,
        timeout_s: float = 120.0,
        request_timeout_s: float = 30.0,
    ) -> None:
        _check_url(base_url)
        self._url = base_url
        self._api_key = api_key
        self._poll_interval_s = poll_interval_s
        self._timeout_s = timeout_s
        self._request_timeout_s = request_timeout_s

    def voices(self) -> list[Voice]:
        return [
            Voice(
                id=voice_id,
                name=name,
                gender=gender,
                language_code="vi-VN",
                language_name="Vietnamese",
                supported_engines=("neural",),
                engine_voice=engine_voice,
            )
            for voice_id, engine_voice, gender, name in _VOICES
        ]

    def synthesize(
        self, segments: Sequence[Segment], voice: Voice, *, engine: str | None = None
    ) -> Pcm:
        builder = PcmBuilder(SAMPLE_RATE)
        offset = 0
        for segment in segments:
            builder.begin_segment()
            builder.silence(segment.pause_ms)
            if segment.text.strip():
                start_ms = builder.time_ms
                samples = b"".join(
                    self._speak(part, voice, segment.rate) for part in _parts(segment.text)
                )
                samples = audio.apply_gain(samples, segment.volume_db)
                builder.audio(samples)
                duration_ms = builder.time_ms - start_ms
                builder.marks += estimated_sentence_marks(
                    segment.text, start_ms, duration_ms, offset
                )
            offset += len(segment.text)
        return builder.build()

    def _speak(self, text: str, voice: Voice, rate: float) -> bytes:
        body = text if len(text.strip()) >= MIN_CHARACTERS else text.strip() + " ..."
        headers = {
            "api_key": self._api_key(),
            "voice": voice.engine_voice,
            "speed": str(min(max(round((rate - 1) * 5), -3), 3)),
            "format": "wav",
            "Content-Type": "text/plain; charset=utf-8",
            "Cache-Control": "no-cache",
        }
        request = urllib.request.Request(  # noqa: S310 - the URL's scheme is checked
            self._url, data=body.encode("utf-8"), headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self._request_timeout_s) as answer:  # noqa: S310
                reply = json.loads(answer.read().decode("utf-8"))
        except (urllib.error.URLError, OSError, ValueError) as error:
            raise ServiceFailureException("The neural speech service did not answer.") from error
        if not isinstance(reply, dict) or reply.get("error") != 0 or not reply.get("async"):
            message = reply.get("message") if isinstance(reply, dict) else None
            raise ServiceFailureException(f"The neural speech service refused: {message}")
        return self._fetch(str(reply["async"]))

    def _fetch(self, url: str) -> bytes:
        _check_url(url)
        deadline = time.monotonic() + self._timeout_s
        wait = self._poll_interval_s
        while True:
            try:
                with urllib.request.urlopen(url, timeout=self._request_timeout_s) as answer:  # noqa: S310
                    return _pcm(answer.read())
            except urllib.error.HTTPError as error:
                if error.code not in (403, 404):  # S3 answers 403 or 404 before it exists
                    raise ServiceFailureException("The neural speech audio failed.") from error
            except (urllib.error.URLError, OSError) as error:
                raise ServiceFailureException("The neural speech audio failed.") from error
            if time.monotonic() + wait > deadline:
                raise ServiceFailureException("The neural speech audio was not ready in time.")
            time.sleep(wait)
            wait = min(wait * 1.5, 5.0)


def _check_url(url: str) -> None:
    if urlsplit(url).scheme not in ("https", "http"):
        raise ServiceFailureException("The neural speech service URL must be http(s).")


def _parts(text: str) -> list[str]:
    """The text in pieces the API takes (5,000 characters), cut at spaces."""
    parts = []
    while len(text) > MAX_CHARACTERS:
        cut = text.rfind(" ", 0, MAX_CHARACTERS)
        cut = cut if cut > 0 else MAX_CHARACTERS
        parts.append(text[:cut])
        text = text[cut:]
    parts.append(text)
    return parts


def _pcm(data: bytes) -> bytes:
    """WAV (or anything ffmpeg reads) as s16le mono at ``SAMPLE_RATE``."""
    try:
        with wave.open(io.BytesIO(data)) as reader:
            if (
                reader.getnchannels() == 1
                and reader.getsampwidth() == 2
                and reader.getcomptype() == "NONE"
            ):
                frames = reader.readframes(reader.getnframes())
                return audio.resample(frames, reader.getframerate(), SAMPLE_RATE)
    except (wave.Error, EOFError):
        pass
    return audio.decode(data, SAMPLE_RATE)
