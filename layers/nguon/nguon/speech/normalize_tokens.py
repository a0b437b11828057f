"""Tokens and tables for ``nguon.speech.normalize``: the tokeniser, letter names, units, the
lexicon index and the spelling of acronyms and web addresses.

Kept apart from the rules (``normalize_rules`` and the modules it mixes in) because they are
data more than logic: an operator who wants another unit or letter name edits this file only.
"""

import re
import unicodedata
from collections.abc import Mapping

from nguon.speech import numbers as num

TOKEN = re.compile(r"(\d+(?:[.,]\d+)*)|([^\W\d_]+)|(\.{2,}|…)|(\S)")
NUM, WORD, SYM, LINK = "n", "w", "s", "l"
# E-mail and web addresses, taken whole before anything else cuts them at "." and "/". A bare
# domain needs a lower-case top-level name so that "TP.HCM" and "12.3.2025" are not domains.
# The tokeniser tries these at every token, so each try must stay short, or a long run of "-",
# "a." or digits (a paste, or an attack) is rescanned from every position and tokenising takes
# quadratic time (100 KB of hyphens: minutes). Hence the bounds the address standards set
# anyway (RFC 5321: a local part of at most 64 characters, a label of at most 63) and at most
# ten labels before a bare domain's top-level name ("soyte.binhdinh.gov.vn" has three). The
# quantifiers are possessive ("{1,63}+"): the character after a label or a local part is
# never in its class, so giving characters back could not make a match, only cost time.
_LABEL = r"{1,63}+"
_LINK = (
    r"[A-Za-z0-9._%+-]{1,64}+@[A-Za-z0-9-]" + _LABEL + r"(?:\.[A-Za-z0-9-]" + _LABEL + "){1,126}"
    r"|(?:https?://|www\.)[^\s]*[A-Za-z0-9/]"
    r"|[a-z0-9-]" + _LABEL + r"(?:\.[a-z0-9-]" + _LABEL + r"){0,10}"
    r"\.(?:vn|com|net|org|gov|edu|info)(?![A-Za-z0-9])(?:/[^\s]*[A-Za-z0-9/])?"
)
_TOKENS = re.compile(f"({_LINK})|" + TOKEN.pattern)
_KINDS = (SYM, LINK, NUM, WORD, SYM, SYM)  # by the number of the group that matched
_LINK_PIECES = re.compile(r"[A-Za-z]+|\d+|[^A-Za-z\d]")
_LINK_WORDS = {
    "www": "vê kép vê kép vê kép", "vn": "vê en", "com": "com", "gov": "gốp", "org": "o rờ gờ",
    "net": "nét", "edu": "e đu", "info": "in phô", ".": "chấm", "@": "a còng",
    "/": "gạch chéo", "-": "gạch ngang", "_": "gạch dưới",
}  # fmt: skip

CLOSING = frozenset([".", ",", ";", ":", "?", "!", "...", "…", ")", "]", "}", "”", "’", "»"])
OPENING = frozenset(["(", "[", "{", "“", "‘", "«"])
LETTER_NAMES = {
    "A": "a", "Ă": "á", "Â": "ớ", "B": "bê", "C": "xê", "D": "đê", "Đ": "đê", "E": "e",
    "Ê": "ê", "F": "ép", "G": "gờ", "H": "hát", "I": "i", "J": "gi", "K": "ca", "L": "lờ",
    "M": "mờ", "N": "nờ", "O": "o", "Ô": "ô", "Ơ": "ơ", "P": "pê", "Q": "quy", "R": "rờ",
    "S": "ét", "T": "tê", "U": "u", "Ư": "ư", "V": "vê", "W": "vê kép", "X": "ích", "Y": "i",
    "Z": "dét",
}  # fmt: skip
VOWEL_LETTERS = frozenset("AĂÂEÊIOÔƠUƯY")

# Units after a number: (reading, is money). Longest first where one is a prefix of another.
# The flag: "/" after it means "per item", said "một" ("đồng/kg" → "đồng một ki lô gam").
UNITS: dict[str, tuple[str, bool]] = {
    "%": ("phần trăm", True),  # "0,5%/tháng": per month is "một tháng", as after money
    "đ": ("đồng", True),
    "đồng": ("đồng", True),
    "VNĐ": ("đồng", True),
    "VND": ("đồng", True),
    "vnđ": ("đồng", True),
    "USD": ("đô la mỹ", True),
    "km/h": ("ki lô mét trên giờ", False),
    "km²": ("ki lô mét vuông", False),
    "km2": ("ki lô mét vuông", False),
    "km": ("ki lô mét", False),
    "Km": ("ki lô mét", False),
    "m/s": ("mét trên giây", False),
    "m³/s": ("mét khối trên giây", False),
    "m3/s": ("mét khối trên giây", False),
    "m²": ("mét vuông", False),
    "m2": ("mét vuông", False),
    "m³": ("mét khối", False),
    "m3": ("mét khối", False),
    "m": ("mét", False),
    "cm": ("xen ti mét", False),
    "mm": ("mi li mét", False),
    "ha": ("héc ta", False),
    "kg": ("ki lô gam", False),
    "g": ("gam", False),
    "mg": ("mi li gam", False),
    "tấn": ("tấn", False),
    "tạ": ("tạ", False),
    "l": ("lít", False),
    "lít": ("lít", False),
    "ml": ("mi li lít", False),
    "°C": ("độ xê", False),
    "oC": ("độ xê", False),
    "°": ("độ", False),
    "MW": ("mê ga oát", False),
    "MWh": ("mê ga oát giờ", False),
    "kW": ("ki lô oát", False),
    "KW": ("ki lô oát", False),
    "kWh": ("ki lô oát giờ", False),
    "KWh": ("ki lô oát giờ", False),
    "W": ("oát", False),
    "kVA": ("ki lô vôn am pe", False),
    "KVA": ("ki lô vôn am pe", False),
    "kV": ("ki lô vôn", False),
    "KV": ("ki lô vôn", False),
    "V": ("vôn", False),
    "h": ("giờ", False),
    "ph": ("phút", False),
    "mb": ("mi li ba", False),
    "kHz": ("ki lô héc", False),
    "MHz": ("mê ga héc", False),
    "Hz": ("héc", False),
    "cc": ("phân khối", False),
    "hPa": ("héc tô pát xcan", False),
}


def _syllable_pattern() -> re.Pattern[str]:
    vowels = "aăâeêioôơuưy"
    marks = "\u0300\u0301\u0303\u0309\u0323"  # the five tones
    toned = {unicodedata.normalize("NFC", v + mark) for v in vowels for mark in marks}
    vowel = "[" + vowels + "".join(sorted(toned)) + "]"
    onset = "(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?"
    return re.compile(onset + vowel + "{1,3}" + "(?:ng|nh|ch|[cmnpt])?")


SYLLABLE = _syllable_pattern()
TRIPLE = re.compile(r"(.)\1\1")  # "III" is no syllable


class Token:
    """A token: text, source offsets, kind, and whether a space or a line break came before."""

    __slots__ = ("end", "kind", "newline", "space", "start", "text")

    def __init__(self, text: str, start: int, end: int, kind: str, space: bool, newline: bool):
        self.text, self.start, self.end = text, start, end
        self.kind, self.space, self.newline = kind, space, newline


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text`` (already NFC); whitespace is not a token but is remembered."""
    tokens: list[Token] = []
    previous_end = 0
    kinds = _KINDS
    for match in _TOKENS.finditer(text):
        start, end = match.span()
        space = start > previous_end
        newline = space and "\n" in text[previous_end:start]
        assert match.lastindex is not None  # every alternative of the pattern is a group
        tokens.append(Token(match.group(), start, end, kinds[match.lastindex], space, newline))
        previous_end = end
    return tokens


class LexiconIndex:
    """A lexicon ready for matching at a token: entries by their first token, longest first."""

    __slots__ = ("by_first",)

    def __init__(self, entries: Mapping[str, str]) -> None:
        by_first: dict[str, list[tuple[str, str]]] = {}
        for raw_key, reading in entries.items():
            key = unicodedata.normalize("NFC", raw_key.strip())
            first = TOKEN.search(key)
            if first is None or not reading.strip():
                continue
            by_first.setdefault(first.group(), []).append((key, " ".join(reading.split())))
        for candidates in by_first.values():
            candidates.sort(key=lambda entry: -len(entry[0]))
        self.by_first = by_first


UNIT_INDEX = LexiconIndex({key: key for key in UNITS})


def read_link(link: str) -> str:
    """An e-mail or web address: "ubnd@binhdinh.gov.vn" → "ubnd a còng binhdinh chấm gốp chấm
    vê en". Names are left for the engine; digits are read one by one; "http://" is not said."""
    words = []
    for piece in _LINK_PIECES.findall(re.sub(r"^https?://", "", link)):
        if piece.isdigit():
            words.append(num.read_digits(piece))
        elif piece.lower() in _LINK_WORDS:
            words.append(_LINK_WORDS[piece.lower()])
        elif piece.isalpha():
            words.append(piece.lower())
    return " ".join(words) or link


def same_class(a: str, b: str) -> bool:
    """Both letters or both digits: a match ending between them would cut a word."""
    return (a.isalpha() and b.isalpha()) or (a.isdigit() and b.isdigit())


def spell(letters: str) -> str:
    """An acronym letter by letter with Vietnamese letter names: "WHO" → "vê kép hát o"."""
    return " ".join(LETTER_NAMES.get(char, char.lower()) for char in letters)
