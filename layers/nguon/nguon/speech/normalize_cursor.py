"""Where the reader of ``nguon.speech.normalize_rules`` stands in a text, and the small
questions every rule asks about the tokens around it.

The rules are mixed into :class:`~nguon.speech.normalize_rules.Reader` from
``normalize_words`` (words, the lexicon) and ``normalize_dates`` (days, months, dates); each
of those needs only this cursor, so imports point one way: rules → words and dates → cursor.
"""

from collections.abc import Iterable

from nguon.speech.normalize_tokens import WORD, LexiconIndex, Token

# Where the reader stands after a part, for what a following "-", "/" or "+" means.
_OTHER, _QUANTITY, _PHONE = 0, 1, 2

_DASHES = frozenset(["-", "–", "—"])
_FRACTION_OF = frozenset(["số", "diện", "dân", "tổng", "lượng", "khối", "trong"])


def _small(token: Token) -> int | None:
    """The value of a plain number of at most two digits (days, months, hours, minutes)."""
    text = token.text
    if len(text) <= 2 and text.isascii() and text.isdigit():
        return int(text)
    return None


def _year(token: Token) -> int | None:
    text = token.text
    if len(text) == 4 and text.isascii() and text.isdigit() and 1000 <= int(text) <= 2999:
        return int(text)
    return None


class Cursor:
    """The state of one reading (tokens, parts said so far) and the helpers the rules share."""

    def __init__(self, text: str, tokens: list[Token], lexicons: tuple[LexiconIndex, ...]):
        self.text = text
        self.tokens = tokens
        self.n = len(tokens)
        self.lexicons = lexicons
        self.parts: list[tuple[str, int, int, bool]] = []
        self.state = _OTHER
        self.day_at = -1  # the last token read as a day of the month without its month
        # ``doc_code`` found no code from a token up to this index, so none starts before it:
        # without this, "1/1/1/…" is rescanned from every number (quadratic).
        self.no_code_before = -1

    # -- helpers -------------------------------------------------------------------------

    def emit(self, text: str, start: int, end: int, state: int = _OTHER) -> None:
        self.parts.append((text, start, end, False))
        self.state = state

    def keep(self, token: Token) -> None:
        self.parts.append((token.text, token.start, token.end, True))
        self.state = _OTHER

    def attached(self, i: int, kind: str | None = None, texts: Iterable[str] = ()) -> bool:
        """Token ``i`` exists, follows the previous one without space, and is as asked."""
        if i >= self.n:
            return False
        token = self.tokens[i]
        if token.space or (kind is not None and token.kind != kind):
            return False
        return not texts or token.text in texts

    def word_at(self, i: int) -> str:
        if 0 <= i < self.n and self.tokens[i].kind == WORD:
            return self.tokens[i].text.lower()
        return ""

    def next_word(self, i: int) -> str:
        return self.word_at(i) if i < self.n and self.tokens[i].space else ""

    def listed_day(self, i: int) -> bool:
        """Token ``i`` follows a day of the month and "và", "hoặc" or a comma: "ngày 15 và
        16/9" → "ngày mười lăm và mười sáu tháng chín" (no second "ngày")."""
        return self.day_at == i - 2 and self.tokens[i - 1].text.lower() in ("và", "hoặc", ",")

    def index_after(self, i: int, offset: int) -> int:
        """The first token at or after ``i`` that starts at or after ``offset``."""
        while i < self.n and self.tokens[i].start < offset:
            i += 1
        return i
