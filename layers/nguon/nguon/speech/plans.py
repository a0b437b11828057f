"""What a synthesis is asked, how it is planned, and what it answers: data only.

:class:`SynthesisRequest` is SynthesizeSpeech's (and StartSpeechSynthesisTask's) input, its
members checked for shape as Polly checks them (:meth:`SynthesisRequest.from_polly`); a
:class:`Plan` is a request checked and resolved against the engines and lexicons by
:meth:`nguon.speech.synthesis.SpeechService.plan`; :class:`SynthesisResult` is the answer.
The reading itself is :mod:`nguon.speech.synthesis`; these are kept apart so each file reads
in one sitting.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nguon.speech import audio
from nguon.speech.engines.base import SpeechEngine, Voice
from nguon.speech.errors import MaxLexiconsNumberExceededException, ValidationException
from nguon.speech.lexicons import MAX_LEXICONS_PER_REQUEST, AliasRewriter, check_name
from nguon.speech.ssml import Document

ENGINES = ("standard", "neural", "long-form", "generative")
MARK_TYPES = ("sentence", "ssml", "viseme", "word")
TEXT_TYPES = ("text", "ssml")


@dataclass(frozen=True)
class SynthesisRequest:
    """SynthesizeSpeech's (and StartSpeechSynthesisTask's) input, checked for shape."""

    text: str
    voice_id: str
    output_format: str
    text_type: str = "text"
    sample_rate: str | None = None
    speech_mark_types: tuple[str, ...] = ()
    lexicon_names: tuple[str, ...] = ()
    engine: str | None = None
    language_code: str | None = None

    @classmethod
    def from_polly(cls, body: Mapping[str, Any]) -> "SynthesisRequest":
        """From Polly's JSON members; missing or mistyped members are ValidationException."""
        for required in ("OutputFormat", "Text", "VoiceId"):
            if not isinstance(body.get(required), str):
                raise ValidationException(
                    f"1 validation error detected: Value at '{required[0].lower()}"
                    f"{required[1:]}' failed to satisfy constraint: Member must not be null",
                    field=required,
                )
        text_type = body.get("TextType") or "text"
        if text_type not in TEXT_TYPES:
            raise ValidationException(
                f"Value '{text_type}' at 'textType' failed to satisfy constraint: Member must "
                "satisfy enum value set: [ssml, text]",
                field="TextType",
            )
        engine = body.get("Engine")
        if engine is not None and engine not in ENGINES:
            raise ValidationException(
                f"Value '{engine}' at 'engine' failed to satisfy constraint: Member must "
                f"satisfy enum value set: [{', '.join(ENGINES)}]",
                field="Engine",
            )
        marks = _string_list(body.get("SpeechMarkTypes"), "SpeechMarkTypes", 4)
        for mark in marks:
            if mark not in MARK_TYPES:
                raise ValidationException(
                    f"Value '{mark}' at 'speechMarkTypes' failed to satisfy constraint: Member "
                    "must satisfy enum value set: [sentence, ssml, viseme, word]",
                    field="SpeechMarkTypes",
                )
        lexicons = _string_list(body.get("LexiconNames"), "LexiconNames", None)
        if len(lexicons) > MAX_LEXICONS_PER_REQUEST:
            raise MaxLexiconsNumberExceededException(
                f"At most {MAX_LEXICONS_PER_REQUEST} lexicons may be applied to one request."
            )
        for name in lexicons:
            check_name(name)
        rate = body.get("SampleRate")
        return cls(
            text=body["Text"],
            voice_id=body["VoiceId"],
            output_format=body["OutputFormat"],
            text_type=text_type,
            sample_rate=None if rate is None else str(rate),
            speech_mark_types=tuple(dict.fromkeys(marks)),
            lexicon_names=tuple(lexicons),
            engine=engine,
            language_code=body.get("LanguageCode"),
        )


def _string_list(value: object, member: str, maximum: int | None) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationException(f"{member} must be a list of strings.", field=member)
    if maximum is not None and len(value) > maximum:
        raise ValidationException(
            f"Value at '{member}' failed to satisfy constraint: Member must have length less "
            f"than or equal to {maximum}",
            field=member,
        )
    return value


@dataclass
class SynthesisResult:
    """SynthesizeSpeech's answer: the audio (or marks), its content type, billed characters."""

    audio: bytes
    content_type: str
    request_characters: int
    duration_ms: int = 0


@dataclass
class Plan:
    """A request checked and resolved, ready to read (synchronously or in a task)."""

    request: SynthesisRequest
    document: Document
    engine: SpeechEngine
    voice: Voice
    format: audio.AudioFormat | None
    """None for speech marks (``OutputFormat=json``)."""
    sample_rate: int
    rewriter: AliasRewriter

    @property
    def request_characters(self) -> int:
        return self.document.billed_characters

    @property
    def content_type(self) -> str:
        return self.format.content_type if self.format else audio.MARKS_CONTENT_TYPE

    @property
    def extension(self) -> str:
        return self.format.extension if self.format else audio.MARKS_EXTENSION
