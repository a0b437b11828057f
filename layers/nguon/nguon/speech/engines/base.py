"""The one interface every speech engine offers: its voices, and text segments to PCM.

An engine receives text that is already final (SSML resolved, lexicon aliases applied,
normalised): it only reads it aloud. It answers 16-bit little-endian mono PCM at its own
sample rate, the time each segment started, and the sentence and word marks it knows, with
offsets into the segments' texts joined end to end. Format conversion, resampling and the
mapping of marks back to the caller's input are the service's business, not the engine's.
"""

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Gender = Literal["Female", "Male"]
MarkKind = Literal["sentence", "word"]


@dataclass(frozen=True)
class Voice:
    """A voice in Polly's ``Voice`` shape, plus what its engine calls it."""

    id: str
    name: str
    gender: Gender
    language_code: str
    language_name: str
    supported_engines: tuple[str, ...]
    engine_voice: str
    """The engine's own name for it (espeak-ng ``vi-vn-x-central+f2``, FPT.AI ``banmai``)."""
    aliases: tuple[str, ...] = ()
    """Other names accepted for ``VoiceId`` (the espeak-ng voice names, for settings)."""
    additional_language_codes: tuple[str, ...] = ()

    def describe(self, *, include_additional: bool = False) -> dict[str, Any]:
        """The Polly ``Voice`` structure DescribeVoices answers."""
        described: dict[str, Any] = {
            "Gender": self.gender,
            "Id": self.id,
            "LanguageCode": self.language_code,
            "LanguageName": self.language_name,
            "Name": self.name,
            "SupportedEngines": list(self.supported_engines),
        }
        if include_additional and self.additional_language_codes:
            described["AdditionalLanguageCodes"] = list(self.additional_language_codes)
        return described

    def speaks(self, language_code: str) -> bool:
        codes = (self.language_code, *self.additional_language_codes)
        return language_code.lower() in {code.lower() for code in codes}


@dataclass(frozen=True)
class Segment:
    """A run of text read with one prosody, after ``pause_ms`` of silence."""

    text: str
    rate: float = 1.0
    """Speaking rate relative to the voice's normal rate (SSML ``prosody rate``)."""
    volume_db: float = 0.0
    """Gain relative to the voice's normal volume."""
    pitch: float = 1.0
    """Pitch relative to the voice's normal pitch."""
    pause_ms: int = 0
    """Silence before the text (an SSML ``<break>``, a sentence or paragraph boundary)."""
    language: str | None = None
    """An SSML ``<lang xml:lang>`` override; engines may ignore it."""
    end_pause: bool = False
    """A sentence ends here and the reading goes on in the next call (long text is read in
    chunks): pause as the engine would between two sentences of one text."""


@dataclass(frozen=True)
class Mark:
    """Where a sentence or word starts in the audio, and which characters it reads.

    ``text_start``/``text_end`` are character offsets into the segments' texts joined.
    """

    kind: MarkKind
    time_ms: int
    text_start: int
    text_end: int


@dataclass
class Pcm:
    """Audio as the engine made it: s16le mono samples at ``sample_rate``."""

    samples: bytes
    sample_rate: int
    marks: list[Mark] = field(default_factory=list)
    segment_times_ms: list[int] = field(default_factory=list)
    """When each segment began (before its pause), one per segment given."""

    @property
    def duration_ms(self) -> int:
        return len(self.samples) * 1000 // (2 * self.sample_rate) if self.sample_rate else 0


class PcmBuilder:
    """Collects audio piece by piece and knows the time at its end (engines' shared helper)."""

    def __init__(self, sample_rate: int) -> None:
        self.sample_rate = sample_rate
        self._chunks: list[bytes] = []
        self._samples = 0
        self.marks: list[Mark] = []
        self.segment_times_ms: list[int] = []

    @property
    def time_ms(self) -> int:
        return self._samples * 1000 // self.sample_rate

    def begin_segment(self) -> None:
        self.segment_times_ms.append(self.time_ms)

    def audio(self, samples: bytes) -> None:
        if len(samples) % 2:
            samples = samples[:-1]
        self._chunks.append(samples)
        self._samples += len(samples) // 2

    def silence(self, milliseconds: int) -> None:
        if milliseconds > 0:
            self.audio(bytes(2 * (milliseconds * self.sample_rate // 1000)))

    def build(self) -> Pcm:
        return Pcm(
            samples=b"".join(self._chunks),
            sample_rate=self.sample_rate,
            marks=sorted(self.marks, key=lambda mark: (mark.time_ms, mark.kind != "sentence")),
            segment_times_ms=self.segment_times_ms,
        )


class SpeechEngine(ABC):
    """A text-to-speech engine: espeak-ng in-process, Amazon Polly, or an HTTP service."""

    name: str
    """Short name for logs and metrics (``espeak``, ``polly``, ``fpt``)."""
    exact_marks: bool = True
    """False when marks are estimated (engines that give none: proportion of characters)."""

    @abstractmethod
    def voices(self) -> list[Voice]:
        """The voices this engine offers, in a stable order."""

    @abstractmethod
    def synthesize(
        self, segments: Sequence[Segment], voice: Voice, *, engine: str | None = None
    ) -> Pcm:
        """Read the segments aloud with ``voice``; ``engine`` is Polly's Engine when it has
        several (standard, neural...)."""


def estimated_sentence_marks(text: str, start_ms: int, duration_ms: int, offset: int) -> list[Mark]:
    """Sentence marks for an engine that gives none: each sentence starts at the share of the
    audio that the characters before it take (a fair guess for one voice at one rate)."""
    marks: list[Mark] = []
    total = len(text.strip())
    if not total:
        return marks
    leading = len(text) - len(text.lstrip())
    for start, end in sentence_spans(text):
        share = (start - leading) / total
        marks.append(
            Mark("sentence", start_ms + round(share * duration_ms), offset + start, offset + end)
        )
    return marks


_SENTENCE_ENDS = ".!?…"


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentences of ``text`` as ``(start, end)``: ends after ``.!?…`` (and closing quotes or
    brackets) followed by white space, or at a blank line; white space trimmed."""
    spans: list[tuple[int, int]] = []
    start = None
    position = 0
    size = len(text)
    while position < size:
        char = text[position]
        if start is None:
            if not char.isspace():
                start = position
            position += 1
            continue
        boundary = None
        if char in _SENTENCE_ENDS:
            end = position + 1
            while end < size and text[end] in _SENTENCE_ENDS + "\"'”’)]»":
                end += 1
            if end >= size or text[end].isspace():
                boundary = end
        elif char == "\n" and text[position + 1 : position + 2] == "\n":
            boundary = position
        if boundary is not None:
            spans.append((start, len(text[:boundary].rstrip())))
            start = None
            position = boundary
            continue
        position += 1
    if start is not None:
        spans.append((start, len(text.rstrip())))
    return spans
