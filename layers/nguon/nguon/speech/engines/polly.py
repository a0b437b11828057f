"""Amazon Polly itself, for the languages it has (it has no Vietnamese voice).

Each segment is sent as SSML (``<prosody>`` for its rate, volume and pitch) twice: once for
16 kHz PCM, once for its sentence and word speech marks, whose byte offsets into that SSML are
mapped back to the segment's characters. Polly's own limits apply per call (3,000 billed
characters: the service's chunks are smaller). Voices are Polly's DescribeVoices, read once
per engine; ``engine`` is passed through (standard, neural, long-form, generative).
"""

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from nguon.speech.engines.base import Mark, Pcm, PcmBuilder, Segment, SpeechEngine, Voice
from nguon.speech.errors import ServiceFailureException

if TYPE_CHECKING:
    from types_boto3_polly import PollyClient


SAMPLE_RATE = 16_000


class PollyEngine(SpeechEngine):
    """Polly's voices through a boto3 ``polly`` client (exact marks, Polly's own)."""

    name = "polly"
    exact_marks = True

    def __init__(
        self, client: "PollyClient | None" = None, *, languages: Sequence[str] | None = None
    ) -> None:
        if client is None:
            import boto3

            from nguon.config import get_settings

            client = boto3.client("polly", region_name=get_settings().region)
        self._client = client
        self._languages = {code.lower() for code in languages} if languages else None
        self._voices: list[Voice] | None = None

    def voices(self) -> list[Voice]:
        if self._voices is None:
            found: list[Voice] = []
            token: str | None = None
            while True:
                more: dict[str, Any] = {"NextToken": token} if token else {}
                page = self._client.describe_voices(IncludeAdditionalLanguageCodes=True, **more)
                for voice in page.get("Voices", []):
                    if self._languages and voice["LanguageCode"].lower() not in self._languages:
                        continue
                    found.append(
                        Voice(
                            id=voice["Id"],
                            name=voice.get("Name", voice["Id"]),
                            gender=voice.get("Gender", "Female"),
                            language_code=voice["LanguageCode"],
                            language_name=voice.get("LanguageName", voice["LanguageCode"]),
                            supported_engines=tuple(voice.get("SupportedEngines", ["standard"])),
                            engine_voice=voice["Id"],
                            additional_language_codes=tuple(
                                voice.get("AdditionalLanguageCodes", [])
                            ),
                        )
                    )
                token = page.get("NextToken")
                if not token:
                    break
            self._voices = found
        return list(self._voices)

    def synthesize(
        self, segments: Sequence[Segment], voice: Voice, *, engine: str | None = None
    ) -> Pcm:
        builder = PcmBuilder(SAMPLE_RATE)
        chosen = engine or voice.supported_engines[0]
        offset = 0
        for segment in segments:
            builder.begin_segment()
            builder.silence(segment.pause_ms)
            if segment.text.strip():
                ssml, char_at = _ssml(segment, pitch=chosen == "standard")
                start_ms = builder.time_ms
                common: dict[str, Any] = {
                    "Text": ssml,
                    "TextType": "ssml",
                    "VoiceId": voice.engine_voice,
                }
                common["Engine"] = chosen
                try:
                    spoken = self._client.synthesize_speech(
                        OutputFormat="pcm", SampleRate=str(SAMPLE_RATE), **common
                    )
                    samples = spoken["AudioStream"].read()
                    marked = self._client.synthesize_speech(
                        OutputFormat="json", SpeechMarkTypes=["sentence", "word"], **common
                    )
                    lines = marked["AudioStream"].read().decode("utf-8").splitlines()
                except Exception as error:  # botocore's ClientError, connection errors
                    raise ServiceFailureException("Amazon Polly did not answer.") from error
                for line in lines:
                    if not line.strip():
                        continue
                    mark = json.loads(line)
                    if mark.get("type") not in ("sentence", "word"):
                        continue
                    builder.marks.append(
                        Mark(
                            mark["type"],
                            start_ms + int(mark["time"]),
                            offset + char_at(mark["start"]),
                            offset + char_at(mark["end"]),
                        )
                    )
                builder.audio(samples)
            offset += len(segment.text)
        return builder.build()


def _ssml(segment: Segment, *, pitch: bool) -> tuple[str, Any]:
    """The segment as Polly SSML, and a function from a byte offset in it to a character of
    the segment's text."""
    attributes = []
    if segment.rate != 1.0:
        attributes.append(f'rate="{round(min(max(segment.rate, 0.2), 2.0) * 100)}%"')
    if segment.volume_db:
        attributes.append(f'volume="{segment.volume_db:+g}dB"')
    if pitch and segment.pitch != 1.0:
        attributes.append(f'pitch="{round((segment.pitch - 1) * 100):+d}%"')
    opening = "<speak>" + (f"<prosody {' '.join(attributes)}>" if attributes else "")
    closing = ("</prosody>" if attributes else "") + "</speak>"
    prefix = len(opening.encode("utf-8"))
    # byte offset (from the text's start) -> character index, per escaped character
    starts = [0]
    pieces = []
    for char in segment.text:
        piece = escape(char, {'"': "&quot;"})
        pieces.append(piece)
        starts.append(starts[-1] + len(piece.encode("utf-8")))

    def char_at(byte_offset: int) -> int:
        from bisect import bisect_right

        relative = byte_offset - prefix
        if relative <= 0:
            return 0
        return min(bisect_right(starts, relative) - 1, len(segment.text))

    return opening + "".join(pieces) + closing, char_at
