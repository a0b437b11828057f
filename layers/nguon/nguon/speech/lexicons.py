"""Pronunciation lexicons as Polly takes them: W3C PLS 1.0 documents, checked and applied.

A lexicon is ``<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon"
alphabet="ipa|x-sampa" xml:lang="vi-VN">`` holding ``<lexeme>`` entries, each with one or
more ``<grapheme>`` and an ``<alias>`` and/or ``<phoneme>``.

Limits are Polly's: a name matches ``[0-9A-Za-z]{1,20}``; a document has at most 40,000
characters (``LexiconSizeExceededException``); an alias or phoneme at most 100
(``MaxLexemeLengthExceededException``); 100 lexicons stored; 5 named in one request
(``MaxLexiconsNumberExceededException``).

Applying: aliases replace whole words of the text *before* normalisation, so "UBND" with the
alias "uỷ ban nhân dân" is read as those words and its marks still point at "UBND". Matching
is case-sensitive, on word boundaries, longest grapheme first; when lexicons disagree, the
one named first wins (Polly's order). A lexicon applies to voices of its language.

Phonemes: Polly reads ``<phoneme>`` in IPA or X-SAMPA. espeak-ng reads only its own phoneme
mnemonics (``[[...]]``), and no faithful IPA→espeak-ng table for Vietnamese tones exists, so
phoneme-only lexemes are stored, validated and returned by GetLexicon but do not change what
espeak-ng reads; a lexeme with both uses its alias.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from xml.etree.ElementTree import Element  # the type only; parsing is defusedxml's

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from nguon.speech.errors import (
    InvalidLexiconException,
    LexiconSizeExceededException,
    MaxLexemeLengthExceededException,
    UnsupportedPlsAlphabetException,
    UnsupportedPlsLanguageException,
    ValidationException,
)
from nguon.speech.textmap import CharMap

PLS_NAMESPACE = "http://www.w3.org/2005/01/pronunciation-lexicon"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
NAME_PATTERN = re.compile(r"[0-9A-Za-z]{1,20}")
MAX_LEXICON_CHARACTERS = 40_000
MAX_REPLACEMENT_CHARACTERS = 100
MAX_LEXICONS_STORED = 100
MAX_LEXICONS_PER_REQUEST = 5
ALPHABETS = ("ipa", "x-sampa")


@dataclass(frozen=True)
class Lexeme:
    graphemes: tuple[str, ...]
    alias: str | None
    phonemes: tuple[str, ...]


@dataclass(frozen=True)
class Lexicon:
    """A stored lexicon: its document as given, and what was read from it."""

    name: str
    content: str
    alphabet: str
    language_code: str
    lexemes: tuple[Lexeme, ...]
    last_modified: float = 0.0
    """Seconds since the epoch (Polly's timestamps)."""
    owner_unit: str = ""
    owner_path: str = ""
    """The unit whose subtree it applies to, as a path (see :mod:`nguon.speech.owners`);
    empty for lexicons stored before owners: the province's."""

    @property
    def size(self) -> int:
        """Polly's ``Size``: the document's length in characters."""
        return len(self.content)

    def attributes(self, arn: str) -> dict[str, object]:
        """Polly's ``LexiconAttributes``."""
        return {
            "Alphabet": self.alphabet,
            "LanguageCode": self.language_code,
            "LastModified": self.last_modified,
            "LexemesCount": len(self.lexemes),
            "LexiconArn": arn,
            "Size": self.size,
        }

    def applies_to(self, language_code: str) -> bool:
        """A lexicon for ``vi`` or ``vi-VN`` applies to a ``vi-VN`` voice."""
        mine = self.language_code.lower()
        theirs = language_code.lower()
        return mine == theirs or mine == theirs.split("-")[0]


def check_name(name: str) -> str:
    """``name`` if it is a valid lexicon name, else Polly's ``ValidationException``."""
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        raise ValidationException(
            f"Value '{name}' at 'name' failed to satisfy constraint: Member must satisfy "
            "regular expression pattern: [0-9A-Za-z]{1,20}",
            field="Name",
        )
    return name


def _local(tag: str) -> tuple[str, str]:
    namespace, _, local = tag.rpartition("}")
    return namespace.lstrip("{"), local


def parse_lexicon(
    name: str, content: str, *, languages: Sequence[str] | None = None, last_modified: float = 0
) -> Lexicon:
    """Read and check a PLS document; ``languages`` are the language codes voices speak."""
    check_name(name)
    if not isinstance(content, str) or not content.strip():
        raise InvalidLexiconException("The lexicon content is empty.")
    if len(content) > MAX_LEXICON_CHARACTERS:
        raise LexiconSizeExceededException(
            f"The lexicon has {len(content)} characters; at most {MAX_LEXICON_CHARACTERS}."
        )
    try:
        root = ElementTree.fromstring(content.encode("utf-8"))
    except (ElementTree.ParseError, DefusedXmlException, ValueError) as error:
        raise InvalidLexiconException(f"The lexicon is not well-formed XML: {error}") from None
    namespace, local = _local(root.tag)
    if local != "lexicon" or namespace != PLS_NAMESPACE:
        raise InvalidLexiconException(
            f"The root element must be <lexicon> in the namespace {PLS_NAMESPACE}."
        )
    if root.get("version") != "1.0":
        raise InvalidLexiconException('The lexicon must have version="1.0".')
    alphabet = root.get("alphabet")
    if not alphabet:
        raise InvalidLexiconException("The lexicon has no alphabet attribute.")
    if alphabet.lower() not in ALPHABETS:
        raise UnsupportedPlsAlphabetException(
            f"Alphabet '{alphabet}' is not supported; use ipa or x-sampa."
        )
    language = root.get(XML_LANG)
    if not language:
        raise InvalidLexiconException("The lexicon has no xml:lang attribute.")
    if languages is not None and not any(
        language.lower() in (code.lower(), code.lower().split("-")[0]) for code in languages
    ):
        raise UnsupportedPlsLanguageException(
            f"Language '{language}' is not spoken by any voice here."
        )
    lexemes = tuple(_lexeme(element) for element in root if _local(element.tag)[1] == "lexeme")
    for element in root:
        if _local(element.tag)[1] not in ("lexeme", "meta", "metadata"):
            raise InvalidLexiconException(f"Unexpected element <{_local(element.tag)[1]}>.")
    return Lexicon(
        name=name,
        content=content,
        alphabet=alphabet.lower(),
        language_code=language,
        lexemes=lexemes,
        last_modified=last_modified,
    )


def _lexeme(element: Element) -> Lexeme:
    graphemes: list[str] = []
    aliases: list[str] = []
    phonemes: list[str] = []
    for child in element:
        kind = _local(child.tag)[1]
        value = (child.text or "").strip()
        if kind == "grapheme":
            if not value:
                raise InvalidLexiconException("A <grapheme> is empty.")
            graphemes.append(value)
        elif kind in ("alias", "phoneme"):
            if len(value) > MAX_REPLACEMENT_CHARACTERS:
                raise MaxLexemeLengthExceededException(
                    f"A <{kind}> has {len(value)} characters; at most {MAX_REPLACEMENT_CHARACTERS}."
                )
            if kind == "phoneme" and child.get("alphabet", "ipa").lower() not in ALPHABETS:
                raise UnsupportedPlsAlphabetException(
                    f"Alphabet '{child.get('alphabet')}' is not supported; use ipa or x-sampa."
                )
            (aliases if kind == "alias" else phonemes).append(value)
        elif kind != "example":
            raise InvalidLexiconException(f"Unexpected element <{kind}> in a lexeme.")
    if not graphemes:
        raise InvalidLexiconException("A lexeme has no <grapheme>.")
    if not aliases and not phonemes:
        raise InvalidLexiconException(
            f"The lexeme '{graphemes[0]}' has neither an <alias> nor a <phoneme>."
        )
    return Lexeme(tuple(graphemes), aliases[0] if aliases else None, tuple(phonemes))


class AliasRewriter:
    """The aliases of some lexicons, compiled once, applied to text with a map back."""

    def __init__(self, lexicons: Sequence[Lexicon]) -> None:
        self.aliases: dict[str, str] = {}
        for lexicon in lexicons:
            for lexeme in lexicon.lexemes:
                if lexeme.alias is None:
                    continue
                for grapheme in lexeme.graphemes:
                    self.aliases.setdefault(grapheme, lexeme.alias)
        self._pattern: re.Pattern[str] | None = None
        if self.aliases:
            ordered = sorted(self.aliases, key=len, reverse=True)
            alternatives = "|".join(re.escape(grapheme) for grapheme in ordered)
            self._pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")

    def __bool__(self) -> bool:
        return self._pattern is not None

    def apply(self, text: str) -> CharMap:
        """``text`` with every grapheme replaced by its alias; ``.text`` is the result."""
        mapped = CharMap()
        position = 0
        if self._pattern is not None:
            for match in self._pattern.finditer(text):
                mapped.literal(text[position : match.start()], position)
                mapped.replaced(self.aliases[match.group()], match.start(), match.end())
                position = match.end()
        mapped.literal(text[position:], position)
        return mapped


def render_lexicon(language_code: str, entries: dict[str, str], alphabet: str = "ipa") -> str:
    """A PLS document with one alias per grapheme (for tools and tests)."""
    from xml.sax.saxutils import escape

    lexemes = "".join(
        f"<lexeme><grapheme>{escape(grapheme)}</grapheme><alias>{escape(alias)}</alias></lexeme>"
        for grapheme, alias in entries.items()
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<lexicon version="1.0" xmlns="{PLS_NAMESPACE}" alphabet="{alphabet}" '
        f'xml:lang="{language_code}">{lexemes}</lexicon>'
    )
