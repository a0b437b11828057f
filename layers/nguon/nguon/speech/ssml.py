"""Polly's SSML subset, read safely, into segments of text with one prosody each.

Parsing is expat's, hardened as defusedxml hardens it (no DTD, no entity declarations, no
external entities: each raises), and without namespace processing, because Polly accepts
``<amazon:effect>`` without an ``xmlns:amazon`` declaration. Expat's byte positions give
every character its place in the input, so speech marks can point back into the SSML as
Polly's do (a sentence's ``value`` is the SSML between its first and last character).

Tags:

- ``<speak>`` (the root), ``<p>``, ``<s>``: structure; a sentence ends at ``</s>`` (350 ms),
  a paragraph at ``</p>`` (700 ms) when more text follows.
- ``<break time="500ms|2s" strength="none|x-weak|weak|medium|strong|x-strong">``: real
  silence (0, 0, 250, 250, 350, 700 ms by strength; ``time`` wins; at most 10 s).
- ``<prosody rate volume pitch>``: rate ``x-slow|slow|medium|fast|x-fast`` (0.6, 0.8, 1,
  1.25, 1.6) or ``N%`` (20–200); volume ``silent|x-soft|soft|medium|loud|x-loud`` (-60, -10,
  -6, 0, +6, +10 dB) or ``±NdB``; pitch ``x-low|low|medium|high|x-high`` (0.6, 0.8, 1, 1.2,
  1.4) or ``±N%``. Nested values compose (rates and pitches multiply, decibels add).
- ``<emphasis level="strong|moderate|reduced">``: strong 0.9× rate +3 dB, moderate +2 dB,
  reduced 1.1× rate -3 dB.
- ``<sub alias>``: the alias is read; ``<say-as interpret-as>``: ``characters``/``spell-out``
  (one character at a time), ``digits``, ``telephone`` (digits, groups kept), ``cardinal``,
  ``ordinal`` ("thứ nhất", "thứ tư", "thứ N"), ``date`` with ``format`` (dmy default, mdy,
  ymd, dm, md, ym, my, d, m, y) as "ngày D tháng M năm Y"; other values read the text as is.
  Numbers stay digits: reading them is the normaliser's job.
- ``<mark name>``: an ``ssml`` speech mark at that point.
- ``<lang xml:lang>``: passed to the engine (espeak-ng switches language); ``<phoneme>``,
  ``<w>``: their text is read (phonemes are not); ``<amazon:effect>``, ``<amazon:domain>``,
  ``<amazon:auto-breaths>``, ``<amazon:emotion>``, ``<amazon:breath>``: accepted, no effect.

Anything else, XML that is not well-formed, a bad attribute value, or elements nested more
than ``MAX_DEPTH`` deep is ``InvalidSsmlException`` (400, as Polly answers bad SSML).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NoReturn
from xml.parsers import expat

from nguon.speech.errors import InvalidSsmlException
from nguon.speech.textmap import ByteOffsets, CharMap

MAX_BREAK_MS = 10_000
# Elements inside elements, <speak> counted: real SSML nests a handful (speak, p, s, prosody,
# emphasis, say-as); the reading walks the tree recursively, so a deeper document would
# otherwise end in a RecursionError and a 500.
MAX_DEPTH = 32
SENTENCE_PAUSE_MS = 350
PARAGRAPH_PAUSE_MS = 700
_BREAK_STRENGTHS = {
    "none": 0,
    "x-weak": 0,
    "weak": 250,
    "medium": 250,
    "strong": SENTENCE_PAUSE_MS,
    "x-strong": PARAGRAPH_PAUSE_MS,
}
_RATES = {"x-slow": 0.6, "slow": 0.8, "medium": 1.0, "default": 1.0, "fast": 1.25, "x-fast": 1.6}
_VOLUMES = {
    "silent": -60.0,
    "x-soft": -10.0,
    "soft": -6.0,
    "medium": 0.0,
    "default": 0.0,
    "loud": 6.0,
    "x-loud": 10.0,
}
_PITCHES = {"x-low": 0.6, "low": 0.8, "medium": 1.0, "default": 1.0, "high": 1.2, "x-high": 1.4}
_EMPHASIS = {"strong": (0.9, 3.0), "moderate": (1.0, 2.0), "reduced": (1.1, -3.0)}
_STRUCTURE = {"speak", "p", "s"}
_IGNORED = {"amazon:effect", "amazon:domain", "amazon:auto-breaths", "amazon:emotion", "w"}
_TEXT_ONLY = {"sub", "say-as", "phoneme"}
_EMPTY = {"break", "mark", "amazon:breath"}
_KNOWN = _STRUCTURE | _IGNORED | _TEXT_ONLY | _EMPTY | {"prosody", "emphasis", "lang"}


@dataclass(frozen=True)
class SsmlMark:
    """A ``<mark name>``: its name and where the tag is in the input (characters)."""

    name: str
    source_start: int
    source_end: int


@dataclass
class TextSegment:
    """Text read with one prosody, mapped back to the input, with what comes before it."""

    text: str
    map: CharMap
    rate: float = 1.0
    volume_db: float = 0.0
    pitch: float = 1.0
    language: str | None = None
    pause_ms: int = 0
    """Silence before the text."""
    marks: list[SsmlMark] = field(default_factory=list)
    """SSML marks at the start of this segment (before its pause)."""
    sentence_start: bool = False
    """A sentence begins with this segment's text (document start, ``<s>``, ``<p>``...)."""


@dataclass
class Document:
    """What a request asks to be read: its segments and its billed characters."""

    segments: list[TextSegment]
    billed_characters: int
    source: str


def plain_text(text: str) -> Document:
    """A ``TextType=text`` request: one segment, read as written."""
    segment = TextSegment(text=text, map=CharMap.identity(text), sentence_start=True)
    return Document(segments=[segment], billed_characters=len(text), source=text)


# ---------------------------------------------------------------- parsing


@dataclass
class _Text:
    data: str
    byte_start: int
    byte_end: int = -1


@dataclass
class _Element:
    tag: str
    attributes: dict[str, str]
    byte_start: int
    start_tag_end: int = -1
    byte_end: int = -1
    children: list["_Element | _Text"] = field(default_factory=list)


def _forbidden(*_: Any) -> NoReturn:
    raise InvalidSsmlException("Invalid SSML request: DTDs and entities are not allowed.")


def _tag_end(data: bytes, start: int) -> int:
    """The byte after the ``>`` closing the tag that starts at ``start`` (quotes respected)."""
    quote = 0
    for index in range(start, len(data)):
        byte = data[index]
        if quote:
            if byte == quote:
                quote = 0
        elif byte in (0x22, 0x27):
            quote = byte
        elif byte == 0x3E:
            return index + 1
    return len(data)


def _parse_tree(source: str) -> tuple[_Element, bytes]:
    data = source.encode("utf-8")
    parser = expat.ParserCreate("UTF-8")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _forbidden
    parser.EntityDeclHandler = _forbidden
    parser.UnparsedEntityDeclHandler = _forbidden
    parser.ExternalEntityRefHandler = _forbidden
    stack: list[_Element] = []
    roots: list[_Element] = []
    texts: list[_Text] = []
    # Each text chunk ends where the next event begins (entities, \r\n: not 1:1).
    pending: list[_Text] = []

    def close_pending(position: int) -> None:
        for chunk in pending:
            chunk.byte_end = position
        pending.clear()

    def start(tag: str, attributes: dict[str, str]) -> None:
        if len(stack) >= MAX_DEPTH:
            raise InvalidSsmlException(
                f"Invalid SSML request: elements are nested more than {MAX_DEPTH} deep."
            )
        position = parser.CurrentByteIndex
        close_pending(position)
        element = _Element(tag, attributes, position, _tag_end(data, position))
        (stack[-1].children if stack else roots).append(element)
        stack.append(element)

    def end(tag: str) -> None:
        position = parser.CurrentByteIndex
        close_pending(position)
        element = stack.pop()
        if position >= element.start_tag_end and data[position : position + 2] == b"</":
            element.byte_end = _tag_end(data, position)
        else:  # an empty-element tag: expat reports its end after the tag
            element.byte_end = element.start_tag_end

    def text(chunk: str) -> None:
        position = parser.CurrentByteIndex
        close_pending(position)
        if not stack:
            return
        node = _Text(chunk, position)
        stack[-1].children.append(node)
        texts.append(node)
        pending.append(node)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    try:
        parser.Parse(data, True)
    except expat.ExpatError as error:
        raise InvalidSsmlException(
            f"Invalid SSML request: {expat.errors.messages.get(error.code, 'not well-formed')}"
            f" (line {error.lineno}, column {error.offset})."
        ) from None
    close_pending(len(data))
    if len(roots) != 1 or roots[0].tag != "speak":
        raise InvalidSsmlException("Invalid SSML request: the root element must be <speak>.")
    return roots[0], data


# ---------------------------------------------------------------- attribute values


def _number(value: str, suffix: str, what: str) -> float:
    match = re.fullmatch(rf"\s*([+-]?\d+(?:\.\d+)?)\s*{suffix}\s*", value, flags=re.IGNORECASE)
    if not match:
        raise InvalidSsmlException(f"Invalid SSML request: {what} value '{value}' is not valid.")
    return float(match.group(1))


def _break_ms(attributes: dict[str, str]) -> int:
    if "time" in attributes:
        value = attributes["time"].strip().lower()
        if value.endswith("ms"):
            milliseconds = _number(value, "ms", "break time")
        else:
            milliseconds = _number(value, "s", "break time") * 1000
        if milliseconds < 0 or milliseconds > MAX_BREAK_MS:
            raise InvalidSsmlException(
                "Invalid SSML request: a break lasts at most 10 seconds (10000ms)."
            )
        return round(milliseconds)
    strength = attributes.get("strength", "medium")
    if strength not in _BREAK_STRENGTHS:
        raise InvalidSsmlException(f"Invalid SSML request: break strength '{strength}'.")
    return _BREAK_STRENGTHS[strength]


def _rate(value: str) -> float:
    if value in _RATES:
        return _RATES[value]
    percent = _number(value, "%", "prosody rate")
    return min(max(percent, 20.0), 200.0) / 100


def _volume(value: str) -> float:
    if value in _VOLUMES:
        return _VOLUMES[value]
    return _number(value, "db", "prosody volume")


def _pitch(value: str) -> float:
    if value in _PITCHES:
        return _PITCHES[value]
    percent = _number(value, "%", "prosody pitch")
    return max(1 + percent / 100, 0.1)


# ---------------------------------------------------------------- say-as


def _spaced(text: str) -> str:
    return " ".join(char for char in text if not char.isspace())


def _telephone(text: str) -> str:
    groups = [group for group in re.split(r"[^\d+]+", text) if group]
    return ", ".join(_spaced(group) for group in groups)


def _ordinal(text: str) -> str:
    number = text.strip()
    special = {"1": "nhất", "4": "tư"}
    return f"thứ {special.get(number, number)}"


_DATE_FORMATS = {"dmy", "mdy", "ymd", "ydm", "dm", "md", "ym", "my", "d", "m", "y"}


def _date(text: str, date_format: str) -> str:
    date_format = date_format.lower() or "dmy"
    if date_format not in _DATE_FORMATS:
        raise InvalidSsmlException(f"Invalid SSML request: say-as date format '{date_format}'.")
    parts = [part for part in re.split(r"[^\d]+", text) if part]
    if len(parts) != len(date_format):
        return text
    fields = dict(zip(date_format, parts, strict=True))
    words = []
    if "d" in fields:
        words.append(f"ngày {_without_leading_zeros(fields['d'])}")
    if "m" in fields:
        words.append(f"tháng {_without_leading_zeros(fields['m'])}")
    if "y" in fields:
        words.append(f"năm {fields['y']}")
    return " ".join(words)


def _without_leading_zeros(digits: str) -> str:
    """ "05" → "5"; a run too long to be a day or a month is left as written (Python's int()
    refuses past 4,300 digits)."""
    return str(int(digits)) if len(digits) <= 4 else digits


def _say_as(text: str, attributes: dict[str, str]) -> str:
    kind = attributes.get("interpret-as", "").strip().lower()
    if not kind:
        raise InvalidSsmlException("Invalid SSML request: say-as needs interpret-as.")
    transforms: dict[str, Callable[[str], str]] = {
        "characters": _spaced,
        "spell-out": _spaced,
        "digits": _spaced,
        "telephone": _telephone,
        "ordinal": _ordinal,
        "cardinal": str.strip,
        "number": str.strip,
        "date": lambda value: _date(value, attributes.get("format", "dmy")),
    }
    return transforms.get(kind, str)(text)


# ---------------------------------------------------------------- segments


@dataclass(frozen=True)
class _Prosody:
    rate: float = 1.0
    volume_db: float = 0.0
    pitch: float = 1.0
    language: str | None = None


class _Builder:
    def __init__(self, offsets: ByteOffsets) -> None:
        self.offsets = offsets
        self.segments: list[TextSegment] = []
        self.current: TextSegment | None = None
        self.pause_ms = 0
        self.structural_pause_ms = 0
        self.marks: list[SsmlMark] = []
        self.sentence_start = True

    def _open(self, prosody: _Prosody, *, silent: bool = False) -> TextSegment:
        segment = TextSegment(
            text="",
            map=CharMap(),
            rate=prosody.rate,
            volume_db=prosody.volume_db,
            pitch=prosody.pitch,
            language=prosody.language,
            pause_ms=self.pause_ms + self.structural_pause_ms,
            marks=self.marks,
            sentence_start=self.sentence_start and not silent,
        )
        self.segments.append(segment)
        self.pause_ms = self.structural_pause_ms = 0
        self.marks = []
        if not silent:  # a silent segment leaves the sentence start to the text after it
            self.sentence_start = False
        return segment

    def _target(self, prosody: _Prosody) -> CharMap:
        current = self.current
        boundary = self.pause_ms or self.structural_pause_ms or self.marks
        if (
            current is None
            or boundary
            or (current.rate, current.volume_db, current.pitch, current.language)
            != (prosody.rate, prosody.volume_db, prosody.pitch, prosody.language)
        ):
            current = self.current = self._open(prosody)
        return current.map

    def literal(self, node: _Text, data: bytes, prosody: _Prosody) -> None:
        target = self._target(prosody)
        start = self.offsets.char_of(node.byte_start)
        encoded = node.data.encode("utf-8")
        after = node.byte_start + len(encoded)
        # Literal when the bytes are the text and nothing but markup follows them ("&" is
        # not literal in "&amp;", though its first byte is).
        if data[node.byte_start : after] == encoded and (
            after in (node.byte_end, len(data)) or data[after : after + 1] == b"<"
        ):
            target.literal(node.data, start)
        else:  # an entity or a normalised line break: the chunk stands for its bytes
            target.replaced(node.data, start, self.offsets.char_of(node.byte_end))

    def replaced(self, text: str, byte_start: int, byte_end: int, prosody: _Prosody) -> None:
        if not text:
            return
        self._target(prosody).replaced(
            text, self.offsets.char_of(byte_start), self.offsets.char_of(byte_end)
        )

    def pause(self, milliseconds: int) -> None:
        self.current = None
        self.pause_ms += milliseconds

    def boundary(self, milliseconds: int = 0) -> None:
        """A sentence or paragraph boundary: a new segment, a sentence, a pause if text
        follows."""
        self.current = None
        self.sentence_start = True
        self.structural_pause_ms = max(self.structural_pause_ms, milliseconds)

    def mark(self, name: str, byte_start: int, byte_end: int) -> None:
        if self.pause_ms:  # the pause comes first: it becomes its own (silent) segment
            self._open(_Prosody(), silent=True)
        self.current = None
        self.marks.append(
            SsmlMark(name, self.offsets.char_of(byte_start), self.offsets.char_of(byte_end))
        )

    def finish(self) -> list[TextSegment]:
        if self.pause_ms or self.marks:
            self.structural_pause_ms = 0
            self._open(_Prosody(), silent=True)
        for segment in self.segments:
            segment.text = segment.map.text
        return self.segments


def _inner_text(element: _Element) -> tuple[str, int, int]:
    """The text of an element that may hold only text, and its byte span."""
    texts: list[_Text] = []
    for child in element.children:
        if isinstance(child, _Element):
            raise InvalidSsmlException(
                f"Invalid SSML request: <{element.tag}> may contain only text."
            )
        texts.append(child)
    if not texts:
        return "", element.start_tag_end, element.start_tag_end
    return "".join(t.data for t in texts), texts[0].byte_start, texts[-1].byte_end


def parse_ssml(source: str) -> Document:
    """A ``TextType=ssml`` request as segments; ``InvalidSsmlException`` when it is not
    Polly's SSML."""
    root, data = _parse_tree(source)
    builder = _Builder(ByteOffsets(source))
    billed = 0

    def walk(element: _Element, prosody: _Prosody) -> None:
        nonlocal billed
        tag, attributes = element.tag, element.attributes
        if tag not in _KNOWN:
            raise InvalidSsmlException(f"Invalid SSML request: unsupported tag <{tag}>.")
        if tag == "speak" and element is not root:
            raise InvalidSsmlException("Invalid SSML request: <speak> inside <speak>.")
        if tag == "break":
            builder.pause(_break_ms(attributes))
            if attributes.get("strength") in ("strong", "x-strong"):
                builder.sentence_start = True
            return
        if tag == "mark":
            name = attributes.get("name")
            if not name:
                raise InvalidSsmlException("Invalid SSML request: <mark> needs a name.")
            builder.mark(name, element.byte_start, element.byte_end)
            return
        if tag == "amazon:breath":
            return
        if tag in ("sub", "say-as"):
            text, start, end = _inner_text(element)
            billed += len(text)
            if tag == "sub":
                if "alias" not in attributes:
                    raise InvalidSsmlException("Invalid SSML request: <sub> needs an alias.")
                spoken = attributes["alias"]
            else:
                spoken = _say_as(text, attributes)
            builder.replaced(spoken, start, end, prosody)
            return
        if tag == "prosody":
            prosody = _Prosody(
                prosody.rate * (_rate(attributes["rate"]) if "rate" in attributes else 1.0),
                prosody.volume_db
                + (_volume(attributes["volume"]) if "volume" in attributes else 0),
                prosody.pitch * (_pitch(attributes["pitch"]) if "pitch" in attributes else 1.0),
                prosody.language,
            )
        elif tag == "emphasis":
            level = attributes.get("level", "moderate")
            if level not in _EMPHASIS:
                raise InvalidSsmlException(f"Invalid SSML request: emphasis level '{level}'.")
            rate, gain = _EMPHASIS[level]
            prosody = _Prosody(
                prosody.rate * rate, prosody.volume_db + gain, prosody.pitch, prosody.language
            )
        elif tag == "lang":
            language = attributes.get("xml:lang")
            if not language:
                raise InvalidSsmlException("Invalid SSML request: <lang> needs xml:lang.")
            prosody = _Prosody(prosody.rate, prosody.volume_db, prosody.pitch, language)
        elif tag in ("s", "p"):
            builder.boundary()
        for child in element.children:
            if isinstance(child, _Text):
                billed += len(child.data)
                builder.literal(child, data, prosody)
            else:
                walk(child, prosody)
        if tag == "s":
            builder.boundary(SENTENCE_PAUSE_MS)
        elif tag == "p":
            builder.boundary(PARAGRAPH_PAUSE_MS)

    walk(root, _Prosody())
    return Document(segments=builder.finish(), billed_characters=billed, source=source)


def count_billed_ssml(source: str) -> int:
    """Billed characters of an SSML request (its text, not its tags)."""
    return parse_ssml(source).billed_characters
