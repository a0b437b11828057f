"""The speech service: Polly's SynthesizeSpeech and DescribeVoices over our engines.

Text goes: SSML (or plain text) → lexicon aliases → Vietnamese normalisation → engine →
encoder. Long text is read in chunks of whole sentences (at most ``CHUNK_CHARACTERS`` each),
encoded as it comes, so a 100,000-character task never holds its PCM whole; the same path
serves the 3,000-character synchronous call.

Speech marks are Polly's: one JSON object a line, ``{"time","type","start","end","value"}``,
``start``/``end`` being UTF-8 *byte* offsets into the request's ``Text`` (for SSML, into the
SSML: a sentence's value is the SSML from its first to its last character, tags inside
included, as Polly's). Engine offsets go back through the normaliser's map, the lexicon map
and the SSML map (:mod:`nguon.speech.textmap`). ``viseme`` marks are accepted and none are
given (no engine here computes visemes).

Limits are Polly's: 3,000 billed characters and 6,000 in all for SynthesizeSpeech, 100,000
and 200,000 for tasks (billed: the text, not the SSML tags).

The request side (:class:`SynthesisRequest`, :class:`Plan`, :class:`SynthesisResult`) is data
only and lives in :mod:`nguon.speech.plans`, so each file reads in one sitting.
"""

import io
import json
import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, BinaryIO, Protocol

from nguon.i18n import translate
from nguon.speech import audio
from nguon.speech.engines.base import Mark, Segment, SpeechEngine, Voice
from nguon.speech.errors import (
    AccessDeniedException,
    BreakTimeExceededException,
    EngineNotSupportedException,
    InvalidNextTokenException,
    LanguageNotSupportedException,
    LexiconNotFoundException,
    MarksNotSupportedForFormatException,
    MaxLexiconsNumberExceededException,
    OutputDurationExceededException,
    ServiceFailureException,
    SsmlMarksNotSupportedForTextTypeException,
    TextLengthExceededException,
    ValidationException,
)
from nguon.speech.lexicons import (
    MAX_LEXICONS_STORED,
    AliasRewriter,
    Lexicon,
    check_name,
    parse_lexicon,
)
from nguon.speech.owners import SpeechOwner
from nguon.speech.plans import ENGINES, Plan, SynthesisRequest, SynthesisResult
from nguon.speech.ssml import Document, SsmlMark, TextSegment, parse_ssml, plain_text
from nguon.speech.textmap import ByteOffsets, Chain, CharMap, Joined, SourceMap

SYNC_BILLED_LIMIT = 3_000
SYNC_TOTAL_LIMIT = 6_000
TASK_BILLED_LIMIT = 100_000
TASK_TOTAL_LIMIT = 200_000
MAX_LEXICONS_PER_UNIT = 10
"""Lexicons one unit may own (Polly's 100 are shared by the whole province)."""
MAX_BREAK_TOTAL_MS = 120_000
"""Silence one request may ask for with ``<break>`` (and paragraph pauses), in all."""
SYNC_MAX_OUTPUT_MS = 10 * 60_000
TASK_MAX_OUTPUT_MS = 3 * 3600_000
"""The longest reading of one request, estimated before reading (a bulletin's longest is 3 h)."""
CHARACTERS_PER_SECOND = 15
"""Vietnamese read at the normal rate, for the estimate (about 4 syllables a second)."""
CHUNK_CHARACTERS = 2_000
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]»]*\s*$")

Progress = Callable[[int, int], None]
"""``on_progress(done_characters, total_characters)`` after each chunk."""


class Normalized(Protocol):
    """What the normaliser answers (``nguon.speech.normalize.Normalized``)."""

    @property
    def text(self) -> str: ...

    def source_range(self, output_start: int, output_end: int) -> tuple[int, int]: ...


Normalizer = Callable[[str], Normalized]


class LexiconStore(Protocol):
    def get(self, name: str) -> Lexicon | None: ...

    def put(self, lexicon: Lexicon) -> None: ...

    def delete(self, name: str) -> bool: ...

    def page(self, next_token: str | None) -> tuple[list[Lexicon], str | None]: ...

    def count(self) -> int: ...

    def count_owned(self, unit: str) -> int:
        """Lexicons ``unit`` owns (for the per-unit quota)."""


class _Unchanged:
    """The text as given, when no normaliser is installed (see :func:`default_normalizer`)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def source_range(self, out_start: int, out_end: int) -> tuple[int, int]:
        return out_start, out_end


def default_normalizer() -> Normalizer:
    """``nguon.speech.normalize.normalize_with_map``, imported when first needed."""
    try:
        from nguon.speech.normalize import normalize_with_map
    except ImportError:  # not installed yet: read the text as written
        from nguon.observability import logger

        logger.warning("no Vietnamese normaliser installed; text is read as written")
        return _Unchanged
    return normalize_with_map


@dataclass
class _Piece:
    """A part of a text segment read in one chunk (long segments are cut at sentences)."""

    segment: TextSegment
    text: str
    offset: int
    """Where ``text`` starts in the segment's text."""
    first: bool
    """The segment's first piece: it carries the pause and the SSML marks."""
    sentence_start: bool


class _Shifted:
    """A map of part of a text: offsets into the part, to the whole text's map."""

    __slots__ = ("_inner", "_shift")

    def __init__(self, inner: SourceMap, shift: int) -> None:
        self._inner, self._shift = inner, shift

    def source_range(self, out_start: int, out_end: int) -> tuple[int, int]:
        return self._inner.source_range(out_start + self._shift, out_end + self._shift)


@dataclass
class _Reading:
    """What reading a plan produced: its marks (already Polly's dicts) and its length."""

    marks: list[dict[str, Any]] = field(default_factory=list)
    duration_ms: int = 0


def _visible(lexicon: Lexicon, owner: SpeechOwner | None) -> bool:
    """Seen by ``owner``: one that applies to them (above or at their unit), or one in the
    area they look after."""
    return owner is None or owner.lies_under(lexicon.owner_path) or owner.holds(lexicon.owner_path)


def estimated_ms(document: Document) -> tuple[int, int]:
    """``(silence from breaks and pauses, whole reading)`` in milliseconds, before reading:
    text at ``CHARACTERS_PER_SECOND`` divided by its prosody rate, plus every pause."""
    pauses = sum(segment.pause_ms for segment in document.segments)
    speech = sum(
        len(segment.text) * 1000 / (CHARACTERS_PER_SECOND * max(segment.rate, 0.01))
        for segment in document.segments
    )
    return pauses, round(pauses + speech)


def _check_length(document: Document, *, task: bool) -> None:
    """Caps on silence and length: 6 KB of ten-second breaks made 52 minutes of audio."""
    pauses, total = estimated_ms(document)
    if pauses > MAX_BREAK_TOTAL_MS:
        raise BreakTimeExceededException(
            translate(
                "speech_breaks_too_long",
                "en",
                seconds=pauses // 1000,
                limit=MAX_BREAK_TOTAL_MS // 1000,
            )
        )
    limit = TASK_MAX_OUTPUT_MS if task else SYNC_MAX_OUTPUT_MS
    if total > limit:
        raise OutputDurationExceededException(
            translate(
                "speech_output_too_long", "en", minutes=total // 60_000, limit=limit // 60_000
            )
        )


class SpeechService:
    """Polly's synthesis and lexicon operations, on the engines given (espeak-ng first)."""

    def __init__(
        self,
        engines: Sequence[SpeechEngine],
        lexicons: LexiconStore,
        *,
        normalizer: Normalizer | None = None,
        chunk_characters: int = CHUNK_CHARACTERS,
    ) -> None:
        self.engines = list(engines)
        self.lexicons = lexicons
        self._normalizer = normalizer
        self.chunk_characters = chunk_characters
        self._voices: dict[str, tuple[SpeechEngine, Voice]] = {}
        for engine in self.engines:
            for voice in engine.voices():
                self._voices.setdefault(voice.id, (engine, voice))
                for alias in voice.aliases:
                    self._voices.setdefault(alias, (engine, voice))

    @property
    def normalize(self) -> Normalizer:
        if self._normalizer is None:
            self._normalizer = default_normalizer()
        return self._normalizer

    # ------------------------------------------------------------ voices

    def voices(self) -> list[Voice]:
        seen: dict[str, Voice] = {}
        for engine in self.engines:
            for voice in engine.voices():
                seen.setdefault(voice.id, voice)
        return list(seen.values())

    def languages(self) -> list[str]:
        return sorted({voice.language_code for voice in self.voices()})

    def describe_voices(
        self,
        language_code: str | None = None,
        *,
        engine: str | None = None,
        include_additional_language_codes: bool = False,
        next_token: str | None = None,
    ) -> dict[str, Any]:
        """DescribeVoices: every voice here (one page: there are few), filtered as Polly does."""
        if next_token:
            raise InvalidNextTokenException("The NextToken is not valid.")
        if engine is not None and engine not in ENGINES:
            raise ValidationException(
                f"Value '{engine}' at 'engine' failed to satisfy constraint: Member must "
                f"satisfy enum value set: [{', '.join(ENGINES)}]",
                field="Engine",
            )
        listed = []
        for voice in self.voices():
            if engine and engine not in voice.supported_engines:
                continue
            if language_code:
                matches = voice.language_code.lower() == language_code.lower() or (
                    include_additional_language_codes and voice.speaks(language_code)
                )
                if not matches:
                    continue
            listed.append(voice.describe(include_additional=include_additional_language_codes))
        return {"Voices": listed}

    def voice(self, voice_id: str) -> tuple[SpeechEngine, Voice]:
        """The engine and voice called ``voice_id`` (an Id or an engine voice name)."""
        found = self._voices.get(voice_id)
        if found is None:
            names = ", ".join(voice.id for voice in self.voices())
            raise ValidationException(
                f"1 validation error detected: Value '{voice_id}' at 'voiceId' failed to "
                f"satisfy constraint: Member must satisfy enum value set: [{names}]",
                field="VoiceId",
            )
        return found

    # ------------------------------------------------------------ lexicons

    # ``owner``: the caller's place (an API request); None for the system itself (bulletins'
    # voices), which sees every lexicon. A lexicon outside the caller's view is "not found".

    def put_lexicon(
        self, name: str, content: str, *, now: float, owner: SpeechOwner | None = None
    ) -> Lexicon:
        lexicon = parse_lexicon(name, content, languages=self.languages(), last_modified=now)
        existing = self.lexicons.get(name)
        if owner is not None:
            if existing is not None and not owner.holds(existing.owner_path):
                raise AccessDeniedException(
                    translate("lexicon_not_yours", "en", name=name, unit=existing.owner_unit)
                )
            if existing is None:
                lexicon = replace(lexicon, owner_unit=owner.unit, owner_path=owner.path)
                if self.lexicons.count_owned(owner.unit) >= MAX_LEXICONS_PER_UNIT:
                    raise MaxLexiconsNumberExceededException(
                        translate("lexicons_per_unit", "en", limit=MAX_LEXICONS_PER_UNIT)
                    )
            else:  # rewritten by someone above: it stays the unit's it was
                lexicon = replace(
                    lexicon, owner_unit=existing.owner_unit, owner_path=existing.owner_path
                )
        if existing is None and self.lexicons.count() >= MAX_LEXICONS_STORED:
            raise MaxLexiconsNumberExceededException(
                f"At most {MAX_LEXICONS_STORED} lexicons may be stored."
            )
        self.lexicons.put(lexicon)
        return lexicon

    def get_lexicon(self, name: str, owner: SpeechOwner | None = None) -> Lexicon:
        check_name(name)
        lexicon = self.lexicons.get(name)
        if lexicon is None or not _visible(lexicon, owner):
            raise LexiconNotFoundException(f"Lexicon not found: {name}")
        return lexicon

    def delete_lexicon(self, name: str, owner: SpeechOwner | None = None) -> None:
        lexicon = self.get_lexicon(name, owner)
        if owner is not None and not owner.holds(lexicon.owner_path):
            raise AccessDeniedException(
                translate("lexicon_not_yours", "en", name=name, unit=lexicon.owner_unit)
            )
        if not self.lexicons.delete(name):
            raise LexiconNotFoundException(f"Lexicon not found: {name}")

    def list_lexicons(
        self, next_token: str | None = None, owner: SpeechOwner | None = None
    ) -> tuple[list[Lexicon], str | None]:
        lexicons, token = self.lexicons.page(next_token)
        return [lexicon for lexicon in lexicons if _visible(lexicon, owner)], token

    # ------------------------------------------------------------ synthesis

    def plan(
        self, request: SynthesisRequest, *, task: bool = False, owner: SpeechOwner | None = None
    ) -> Plan:
        """Check a request as Polly would, before any audio is made."""
        engine, voice = self.voice(request.voice_id)
        if request.engine and request.engine not in voice.supported_engines:
            raise EngineNotSupportedException(
                f"This voice is not compatible with the {request.engine} engine. Voice "
                f"{voice.id} supports: {', '.join(voice.supported_engines)}."
            )
        if request.language_code and not voice.speaks(request.language_code):
            raise LanguageNotSupportedException(
                f"Voice {voice.id} does not speak {request.language_code}."
            )
        marks = request.speech_mark_types
        if request.output_format == "json":
            if not marks:
                raise MarksNotSupportedForFormatException(
                    "OutputFormat json needs at least one SpeechMarkTypes value."
                )
            fmt = None
            rate = 0
        else:
            fmt = audio.audio_format(request.output_format)
            if marks:
                raise MarksNotSupportedForFormatException(
                    f"Speech marks are given only with OutputFormat json, not "
                    f"{request.output_format}."
                )
            neural = (request.engine or voice.supported_engines[0]) != "standard"
            rate = audio.sample_rate(fmt, request.sample_rate, neural=neural)
        if "ssml" in marks and request.text_type != "ssml":
            raise SsmlMarksNotSupportedForTextTypeException(
                "SSML speech marks are not supported for plain text."
            )
        billed_limit, total_limit = (
            (TASK_BILLED_LIMIT, TASK_TOTAL_LIMIT) if task else (SYNC_BILLED_LIMIT, SYNC_TOTAL_LIMIT)
        )
        if len(request.text) > total_limit:
            raise TextLengthExceededException(
                f"Maximum text length has been exceeded: {len(request.text)} characters, at "
                f"most {total_limit} in all."
            )
        document = (
            parse_ssml(request.text) if request.text_type == "ssml" else plain_text(request.text)
        )
        if document.billed_characters > billed_limit:
            raise TextLengthExceededException(
                f"Maximum text length has been exceeded: {document.billed_characters} billed "
                f"characters, at most {billed_limit}."
            )
        _check_length(document, task=task)
        lexicons = []
        for name in request.lexicon_names:
            lexicon = self.lexicons.get(name)
            # Only lexicons of the caller's own place and above apply to their speech.
            if lexicon is None or (owner is not None and not owner.lies_under(lexicon.owner_path)):
                raise LexiconNotFoundException(f"Lexicon not found: {name}")
            if lexicon.applies_to(voice.language_code):
                lexicons.append(lexicon)
        return Plan(request, document, engine, voice, fmt, rate, AliasRewriter(lexicons))

    def synthesize(
        self, request: SynthesisRequest, owner: SpeechOwner | None = None
    ) -> SynthesisResult:
        """SynthesizeSpeech: the audio (or speech marks) in one piece."""
        plan = self.plan(request, owner=owner)
        out = io.BytesIO()
        reading = self.render(plan, out)
        return SynthesisResult(
            out.getvalue(), plan.content_type, plan.request_characters, reading.duration_ms
        )

    def synthesize_long(
        self,
        text: str,
        voice_id: str,
        *,
        output_format: str = "mp3",
        sample_rate: str | None = None,
        text_type: str = "text",
        lexicon_names: Sequence[str] = (),
        on_progress: Progress | None = None,
    ) -> SynthesisResult:
        """Long text (a bulletin, up to the task limit of 100,000 billed characters) read in
        sentence chunks, ``on_progress(done_characters, total_characters)`` after each."""
        request = SynthesisRequest(
            text=text,
            voice_id=voice_id,
            output_format=output_format,
            text_type=text_type,
            sample_rate=sample_rate,
            lexicon_names=tuple(lexicon_names),
        )
        plan = self.plan(request, task=True)
        out = io.BytesIO()
        reading = self.render(plan, out, on_progress)
        return SynthesisResult(
            out.getvalue(), plan.content_type, plan.request_characters, reading.duration_ms
        )

    def render(self, plan: Plan, out: BinaryIO, on_progress: Progress | None = None) -> _Reading:
        """Read ``plan`` chunk by chunk, writing audio (or marks) to ``out`` as it comes."""
        chunks = self._chunks(plan.document.segments)
        total = sum(len(piece.text) for chunk in chunks for piece in chunk)
        offsets = ByteOffsets(plan.document.source)
        reading = _Reading()
        sink: audio.AudioSink | None = None
        native_rate = 0
        done = 0
        elapsed_ms = 0.0  # exact (from sample counts), so marks do not drift over chunks
        try:
            for number, chunk in enumerate(chunks, start=1):
                segments, maps = self._prepare(chunk, plan.rewriter, last=number == len(chunks))
                pcm = self._read(plan, segments)
                if plan.format is not None:
                    if sink is None:
                        native_rate = pcm.sample_rate
                        sink = audio.open_sink(plan.format, native_rate, plan.sample_rate, out)
                    samples = pcm.samples
                    if pcm.sample_rate != native_rate:
                        samples = audio.resample(samples, pcm.sample_rate, native_rate)
                    sink.write(samples)
                else:
                    reading.marks += self._marks(
                        plan, chunk, segments, maps, pcm, round(elapsed_ms), offsets
                    )
                elapsed_ms += len(pcm.samples) / 2 * 1000 / pcm.sample_rate
                done += sum(len(piece.text) for piece in chunk)
                if on_progress is not None:
                    on_progress(done, total)
        except BaseException:
            if sink is not None:
                sink.abort()
            raise
        if sink is not None:
            sink.close()
        if plan.format is None:
            out.write("".join(_mark_line(mark) for mark in reading.marks).encode("utf-8"))
        reading.duration_ms = round(elapsed_ms)
        return reading

    @staticmethod
    def _read(plan: Plan, segments: Sequence[Segment]) -> Any:
        """The engine's PCM; anything it raises other than our own errors is a failure."""
        try:
            return plan.engine.synthesize(segments, plan.voice, engine=plan.request.engine)
        except ServiceFailureException:
            raise
        except Exception as error:
            from nguon.observability import logger

            logger.exception("speech engine failed", extra={"engine": plan.engine.name})
            raise ServiceFailureException("The speech engine failed.") from error

    # ------------------------------------------------------------ internals

    def _chunks(self, segments: Sequence[TextSegment]) -> list[list[_Piece]]:
        """Pieces of at most about ``chunk_characters``, cut where sentences end."""
        pieces: list[_Piece] = []
        for segment in segments:
            cuts = _sentence_cuts(segment.text, self.chunk_characters)
            for index, (start, end) in enumerate(cuts):
                pieces.append(
                    _Piece(
                        segment,
                        segment.text[start:end],
                        start,
                        first=index == 0,
                        sentence_start=segment.sentence_start if index == 0 else True,
                    )
                )
        chunks: list[list[_Piece]] = []
        current: list[_Piece] = []
        size = 0
        for piece in pieces:
            starts_sentence = piece.sentence_start or (
                bool(current) and bool(_SENTENCE_END.search(current[-1].text))
            )
            if current and starts_sentence and size + len(piece.text) > self.chunk_characters:
                chunks.append(current)
                current, size = [], 0
            current.append(piece)
            size += len(piece.text)
        if current:
            chunks.append(current)
        return chunks

    def _prepare(
        self, chunk: Sequence[_Piece], rewriter: AliasRewriter, *, last: bool = True
    ) -> tuple[list[Segment], list[tuple[int, SourceMap]]]:
        """Engine segments for a chunk (aliases applied, normalised) and their maps back."""
        segments: list[Segment] = []
        maps: list[tuple[int, SourceMap]] = []
        for piece in chunk:
            segment = piece.segment
            piece_map: SourceMap = _Shifted(segment.map, piece.offset)
            if piece.text.strip():
                aliased = rewriter.apply(piece.text) if rewriter else CharMap.identity(piece.text)
                normalized = self.normalize(aliased.text)
                text = normalized.text
                mapping: SourceMap = Chain(normalized, aliased, piece_map)
            else:
                text, mapping = piece.text, piece_map
            segments.append(
                Segment(
                    text=text,
                    rate=segment.rate,
                    volume_db=segment.volume_db,
                    pitch=segment.pitch,
                    pause_ms=segment.pause_ms if piece.first else 0,
                    language=segment.language,
                )
            )
            maps.append((len(text), mapping))
        if not last:  # the text goes on in the next chunk: end as a sentence ends within text
            spoken = [i for i, segment in enumerate(segments) if segment.text.strip()]
            if spoken:
                segments[spoken[-1]] = replace(segments[spoken[-1]], end_pause=True)
        return segments, maps

    def _marks(
        self,
        plan: Plan,
        chunk: Sequence[_Piece],
        segments: Sequence[Segment],
        maps: Sequence[tuple[int, SourceMap]],
        pcm: Any,
        elapsed_ms: int,
        offsets: ByteOffsets,
    ) -> list[dict[str, Any]]:
        wanted = set(plan.request.speech_mark_types)
        source = plan.document.source
        joined = Joined(maps)
        starts = []  # where each segment's text starts in the joined text
        position = 0
        for segment in segments:
            starts.append(position)
            position += len(segment.text)
        # A sentence mark at the start of a segment that continues a sentence (a prosody
        # change mid-sentence) is not a new sentence: it extends the previous one.
        continues = []
        previous_text = ""
        for piece, segment in zip(chunk, segments, strict=True):
            continues.append(
                not piece.sentence_start and not _SENTENCE_END.search(previous_text or ".")
            )
            if segment.text.strip():
                previous_text = segment.text
        sentences: list[Mark] = []
        words: list[Mark] = []
        for mark in pcm.marks:
            if mark.kind == "word":
                words.append(mark)
                continue
            # The last segment starting at or before the mark (a bisection: a scan per mark is
            # quadratic in a chunk of many small segments).
            index = max(bisect_right(starts, mark.text_start) - 1, 0)
            head = segments[index].text
            leading = len(head) - len(head.lstrip())
            if sentences and continues[index] and mark.text_start <= starts[index] + leading:
                last = sentences[-1]
                sentences[-1] = Mark("sentence", last.time_ms, last.text_start, mark.text_end)
            else:
                sentences.append(mark)
        found: list[tuple[int, int, dict[str, Any]]] = []
        if "sentence" in wanted:
            for mark in sentences:
                found.append((mark.time_ms, 0, self._span_mark(mark, joined, source, offsets)))
        if "word" in wanted:
            last_span = None
            for mark in words:
                shaped = self._span_mark(mark, joined, source, offsets)
                span = (shaped["start"], shaped["end"])
                if span == last_span:  # "12" read as "mười hai": one word of the input
                    continue
                last_span = span
                found.append((mark.time_ms, 1, shaped))
        if "ssml" in wanted:
            for index, piece in enumerate(chunk):
                if not piece.first:
                    continue
                for ssml_mark in piece.segment.marks:
                    time_ms = pcm.segment_times_ms[index] if pcm.segment_times_ms else 0
                    found.append((time_ms, 2, _ssml_mark(ssml_mark, offsets)))
        found.sort(key=lambda item: (item[0], item[1]))
        for time_ms, _, shaped in found:
            shaped["time"] = time_ms + elapsed_ms
        return [shaped for _, _, shaped in found]

    @staticmethod
    def _span_mark(mark: Mark, joined: Joined, source: str, offsets: ByteOffsets) -> dict[str, Any]:
        start, end = joined.source_range(mark.text_start, mark.text_end)
        return {
            "time": mark.time_ms,
            "type": mark.kind,
            "start": offsets(start),
            "end": offsets(end),
            "value": source[start:end],
        }


def _ssml_mark(mark: SsmlMark, offsets: ByteOffsets) -> dict[str, Any]:
    return {
        "time": 0,
        "type": "ssml",
        "start": offsets(mark.source_start),
        "end": offsets(mark.source_end),
        "value": mark.name,
    }


def _mark_line(mark: dict[str, Any]) -> str:
    ordered = {key: mark[key] for key in ("time", "type", "start", "end", "value")}
    return json.dumps(ordered, ensure_ascii=False, separators=(",", ":")) + "\n"


_CUT = re.compile(r"[.!?…][\"'”’)\]»]*\s+|\n\s*\n\s*")


def _sentence_cuts(text: str, limit: int) -> list[tuple[int, int]]:
    """``text`` as consecutive spans of whole sentences, each at most about ``limit``."""
    if len(text) <= limit:
        return [(0, len(text))]
    ends = [match.end() for match in _CUT.finditer(text)]
    cuts: list[tuple[int, int]] = []
    start = 0
    last_end = 0
    for end in [*ends, len(text)]:
        if end - start > limit and last_end > start:
            cuts.append((start, last_end))
            start = last_end
        last_end = end
    if start < len(text):
        cuts.append((start, len(text)))
    return cuts
