"""Vietnamese text normalisation for text-to-speech: bulletin text as an announcer reads it.

TTS engines read what they are given: espeak-ng spells "7h30" letter by letter and Polly reads
"UBND" as letters. Before any engine sees a bulletin, ``normalize`` turns every number, date,
time, unit, code and abbreviation into Vietnamese words, keeping the sentence punctuation
(. , ; : ? ! and "...") that engines use for pauses. ``normalize_with_map`` also says which
part of the input each output word came from, so an engine's word marks can be shown on the
text the operator wrote.

The readings, chosen as a commune loudspeaker announcer in Bình Định says them:

- numbers: see ``nguon.speech.numbers`` (mốt, tư, lăm; "linh"; "không trăm"; nghìn, triệu,
  tỷ). "." between groups of three digits separates thousands, "," is the decimal mark read
  "phẩy" ("2.3 triệu", a decimal point before a multiplier or unit, too); other dotted
  numbers are read with "chấm" ("4.0"); short numbers lose their leading zeros ("05");
- dates: "ngày" is said before a date unless written or after sáng/trưa/chiều/tối/đêm/hôm
  ("12/3/2025" → "ngày mười hai tháng ba năm hai nghìn không trăm hai mươi lăm", "sáng 5/3"
  → "sáng mùng năm tháng ba"); days 1–10 take "mùng" ("ngày 1/5" → "ngày mùng một tháng
  năm"); April is "tháng tư", January "tháng một"; "5-7/3" → "ngày mùng năm đến mùng bảy
  tháng ba"; "3/2025" → "tháng ba năm …"; "ngày 12-3" is a date only after "ngày"; "a/b"
  is a fraction after đạt, được, chiếm, khoảng, … or before số, diện tích, … ("1/3 diện
  tích" → "một phần ba diện tích", "đạt 17/19" → "mười bảy trên mười chín"), and in an
  address ("số nhà 25/7");
- times: "7h30" → "bảy giờ ba mươi phút", "19:00" → "mười chín giờ", "7h" → "bảy giờ";
- ranges: a dash between quantities is "đến" ("7-10 ngày", "19h-21h", "20-25°C", "thứ 2 -
  thứ 6"); a dash before a number elsewhere is "âm" ("-2°C"); "1:500" is "một trên năm trăm";
- units after a number from a table (km → "ki lô mét", m² → "mét vuông", °C → "độ xê",
  % → "phần trăm", đ/VNĐ/VND → "đồng"). "/" is "trên" between measures ("km/h" → "ki lô
  mét trên giờ", "tạ/ha", "con/m2") and "một" after money or % and before an ordinary word
  ("20.000đ/kg" → "hai mươi nghìn đồng một ki lô gam", "2 lần/tuần" → "hai lần một tuần");
- ordinals: after "thứ", 1 is "nhất" and 4 is "tư" ("thứ 4" → "thứ tư"), others cardinal;
- Roman numerals only after words that take them (Quý, Chương, Điều, khóa, thứ, thế kỷ, Đại
  hội, giai đoạn, …): cardinal ("Quý IV" → "quý bốn"), ordinal after "thứ" ("lần thứ IX" →
  "lần thứ chín"); an "I" elsewhere is a letter;
- telephone numbers digit by digit, a comma (a short pause) between the groups as written
  with spaces, dots or hyphens ("0912.345.678" → "không chín một hai, ba bốn năm, sáu bảy
  tám"): numbers starting with 0 of 10 digits (11 for 02x landlines), 1800/1900 numbers, any
  number of three or more digits shortly after "hotline", "đường dây nóng", "tổng đài",
  "điện thoại", "gọi", and 111–116 after "số";
- document numbers ("Quyết định số 1381/QĐ-BTTTT"): the number, then "trên" for each "/",
  the letter codes through the lexicon (else spelt), "-" not said: "một nghìn ba trăm tám
  mươi mốt trên quyết định bộ thông tin và truyền thông"; "13/2023/NĐ-CP" → "mười ba trên
  hai nghìn không trăm hai mươi ba trên nghị định chính phủ". Announcers either read the code
  or drop it; reading it keeps the number checkable, and the lexicon makes it speakable;
- abbreviations from ``nguon/data/abbreviations.tsv`` and the caller's lexicon (which wins
  where both match the same text; the longest match wins otherwise). A word in capitals that
  is a Vietnamese syllable and has a diacritic or stands among other capitalised words ("THÔNG
  BÁO KHẨN", "TIN VUI") is lower-cased; any other unknown word in capitals is spelt with
  Vietnamese letter names (B "bê", C "xê", D "đê", G "gờ", H "hát", K "ca", L "lờ", M "mờ", N
  "nờ", R "rờ", S "ét", W "vê kép", X "ích", …): "ATM" becomes "a tê mờ", "GDP" "gờ đê pê";
  acronyms said as words (COVID, OCOP) and common ones (HTX, WHO) are in the lexicon. A
  single capital vowel ("khu A") is left as it is;
- e-mail and web addresses: "a còng", "chấm", "gạch chéo"; "vn" "vê en", "gov" "gốp";
- "&" → "và", "+" between numbers → "cộng", "~" before a number → "khoảng"; a hyphen between
  letters and digits ("Covid-19") is not said, nor one inside a code that was read out
  ("QĐ-UBND"); whitespace is collapsed and a line break where no punctuation ends the line
  becomes a full stop (the announcer's pause after a title).

Everything is pure Python; the only shared state is the cached lexicon file.
"""

import argparse
import bisect
import sys
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path

from nguon.speech.normalize_rules import Reader
from nguon.speech.normalize_tokens import CLOSING, OPENING, LexiconIndex, tokenize

__all__ = ["Normalized", "Span", "load_lexicon", "normalize", "normalize_with_map"]

LEXICON_FILE = "abbreviations.tsv"

# Characters that look like others in pasted text: the Icelandic eth for "Đ", invisible spaces.
_LOOKALIKES = {"\u00d0": "\u0110", "\u200b": " ", "\ufeff": " ", "\u00ad": " "}


def _fix_lookalikes(text: str) -> str:
    for char, replacement in _LOOKALIKES.items():
        if char in text:  # str.translate is slow on long texts; these are rare
            text = text.replace(char, replacement)
    return text


@dataclass(frozen=True)
class Span:
    """One output token and the input it was read from (character offsets, end exclusive)."""

    source_start: int
    source_end: int
    output_start: int
    output_end: int


@dataclass(frozen=True)
class Normalized:
    """The reading of a text and, for every output token in order, its source range."""

    text: str
    spans: tuple[Span, ...]

    def source_range(self, output_start: int, output_end: int) -> tuple[int, int]:
        """The input range that ``text[output_start:output_end]`` was read from.

        The union of the source ranges of the output tokens the range touches. A range that
        touches none (a space, or an empty range between tokens) gives the empty range where
        the next token's source starts, or where the last one's ends.
        """
        spans = self.spans
        if not spans:
            return 0, 0
        if output_end < output_start:
            output_start, output_end = output_end, output_start
        stop = max(output_end, output_start + 1)
        k = max(0, bisect.bisect_right(self._starts, output_start) - 1)
        if spans[k].output_end <= output_start:
            k += 1
        first = k
        source_start, source_end = -1, -1
        while k < len(spans) and spans[k].output_start < stop:
            span = spans[k]
            if source_start < 0 or span.source_start < source_start:
                source_start = span.source_start
            source_end = max(source_end, span.source_end)
            k += 1
        if source_start >= 0:
            return source_start, source_end
        if first < len(spans):
            return spans[first].source_start, spans[first].source_start
        return spans[-1].source_end, spans[-1].source_end

    @cached_property
    def _starts(self) -> list[int]:
        return [span.output_start for span in self.spans]


def normalize(text: str, lexicon: Mapping[str, str] | None = None) -> str:
    """``text`` as words a TTS engine reads correctly (see the module docstring)."""
    return _assemble(_read(text, lexicon)[0], None, spans=False).text


def normalize_with_map(text: str, lexicon: Mapping[str, str] | None = None) -> Normalized:
    """The reading of ``text`` and where each of its tokens came from in ``text``."""
    parts, origin = _read(text, lexicon)
    return _assemble(parts, origin)


def _read(
    text: str, lexicon: Mapping[str, str] | None
) -> tuple[list[tuple[str, int, int, bool]], tuple[list[int], list[int]] | None]:
    clean, origin = _nfc(text)
    lexicons = (_index(tuple(lexicon.items())), _base_index()) if lexicon else (_base_index(),)
    return Reader(clean, tokenize(clean), lexicons).run(), origin


def load_lexicon(path: Path | None = None) -> dict[str, str]:
    """The abbreviations of ``path`` (default: the bundled ``abbreviations.tsv``), cached.

    Format: abbreviation TAB reading, one a line; "#" starts a comment line. Returns a new dict
    each call, so callers may change it freely.
    """
    return dict(_read_lexicon(None if path is None else str(Path(path).resolve())))


@lru_cache(maxsize=16)
def _read_lexicon(path: str | None) -> tuple[tuple[str, str], ...]:
    if path is None:
        data = resources.files("nguon.data").joinpath(LEXICON_FILE).read_text(encoding="utf-8")
    else:
        data = Path(path).read_text(encoding="utf-8")
    entries: dict[str, str] = {}
    for number, line in enumerate(data.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, tab, reading = line.partition("\t")
        if not tab or not key.strip() or not reading.strip():
            raise ValueError(
                f"{path or LEXICON_FILE}:{number}: expected 'abbreviation<TAB>reading'"
            )
        entries[unicodedata.normalize("NFC", key.strip())] = unicodedata.normalize(
            "NFC", reading.strip()
        )
    return tuple(entries.items())


@lru_cache(maxsize=32)
def _index(entries: tuple[tuple[str, str], ...]) -> LexiconIndex:
    """A caller's lexicon, indexed once: an operator's lexicon comes back with every bulletin."""
    return LexiconIndex(dict(entries))


@lru_cache(maxsize=1)
def _base_index() -> LexiconIndex:
    return LexiconIndex(dict(_read_lexicon(None)))


def _nfc(text: str) -> tuple[str, tuple[list[int], list[int]] | None]:
    """``text`` in NFC with look-alikes fixed, and (if NFC changed it) the way back.

    The way back gives, for each character of the NFC text, the start and end of the
    character cluster (a base and its combining marks) it came from in ``text``.
    """
    if unicodedata.is_normalized("NFC", text):
        return _fix_lookalikes(text), None
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    cluster_start = 0
    for index in range(1, len(text) + 1):
        if index == len(text) or not unicodedata.combining(text[index]):
            composed = unicodedata.normalize("NFC", text[cluster_start:index])
            out.append(composed)
            starts += [cluster_start] * len(composed)
            ends += [index] * len(composed)
            cluster_start = index
    return _fix_lookalikes("".join(out)), (starts, ends)


def _drop_stray_hyphens(
    parts: list[tuple[str, int, int, bool]],
) -> list[tuple[str, int, int, bool]]:
    """A hyphen written between two words is kept ("Nhơn-Bình") unless one of them was read
    out differently ("QĐ-UBND" → "quyết định ủy ban nhân dân", no hyphen inside the reading)."""
    kept = []
    for k, part in enumerate(parts):
        if part[3] and part[0] == "-" and 0 < k < len(parts) - 1:
            before, after = parts[k - 1], parts[k + 1]
            joined = before[2] == part[1] and after[1] == part[2]
            if joined and not (before[3] and after[3]):
                continue
        kept.append(part)
    return kept


def _assemble(
    parts: list[tuple[str, int, int, bool]],
    origin: tuple[list[int], list[int]] | None,
    spans: bool = True,
) -> Normalized:
    """Join the parts with single spaces (none before closing or after opening punctuation,
    none where the source had none around a symbol) and map each output word to its source."""
    pieces: list[str] = []
    found: list[Span] = []
    position = 0
    previous: tuple[str, int, int, bool] | None = None
    for part in _drop_stray_hyphens(parts):
        text, start, end, _ = part
        if not text:
            continue
        if previous is not None:
            gap = " "
            before = previous[0]
            if text in CLOSING or before in OPENING:
                gap = ""
            elif previous[2] == start and (
                not text[0].isalnum() or not (before[0].isalnum() or before in CLOSING)
            ):
                gap = ""  # "Nhơn-Bình", quotes around a word, "(" before an expansion
            pieces.append(gap)
            position += len(gap)
        previous = part
        if not spans:
            pieces.append(text)
            continue
        if origin is not None:
            start, end = _source_offset(origin, start, end)
        for index, word in enumerate(text.split(" ")):
            if index:
                pieces.append(" ")
                position += 1
            pieces.append(word)
            found.append(Span(start, end, position, position + len(word)))
            position += len(word)
    return Normalized("".join(pieces), tuple(found))


def _source_offset(origin: tuple[list[int], list[int]], start: int, end: int) -> tuple[int, int]:
    starts, ends = origin
    if not starts:
        return 0, 0
    source_start = starts[start] if start < len(starts) else ends[-1]
    source_end = ends[end - 1] if end > start else source_start
    return source_start, source_end


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m nguon.speech.normalize [--lexicon FILE] [TEXT...]``: print the reading."""
    parser = argparse.ArgumentParser(
        prog="python -m nguon.speech.normalize",
        description="Print Vietnamese text as a TTS engine should read it.",
    )
    parser.add_argument("text", nargs="*", help="the text (default: standard input)")
    parser.add_argument(
        "--lexicon",
        action="append",
        type=Path,
        default=[],
        metavar="FILE",
        help="extra abbreviations (abbreviation TAB reading); may be repeated",
    )
    args = parser.parse_args(argv)
    extra: dict[str, str] = {}
    for path in args.lexicon:
        extra.update(load_lexicon(path))
    text = " ".join(args.text) if args.text else sys.stdin.read()
    print(normalize(text, extra or None))
    return 0


if __name__ == "__main__":
    sys.exit(main())
