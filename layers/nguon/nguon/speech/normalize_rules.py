"""The rules behind ``nguon.speech.normalize``: text cut into tokens, tokens read as speech.

The reader walks the tokens left to right. A token is a run of digits (with the "." and ","
inside a number), a run of letters, or one other character; each remembers whether blank
space came before it, because "12/3" and "12 / 3", "7h30" and "7 h" are not the same thing.
Each rule looks at the token it starts on, the word before it and the tokens after it, and
emits *parts*: a spoken text and the source range it stands for. ``normalize.py`` joins the
parts into the reading and the span map.

The choices (what an announcer on a commune loudspeaker says) are listed in
``normalize.py``'s docstring; comments here say why a rule looks where it looks.
"""

import re

from nguon.speech import numbers as num
from nguon.speech.normalize_cursor import _DASHES, _FRACTION_OF, _OTHER, _PHONE, _QUANTITY, _small
from nguon.speech.normalize_dates import DateRules
from nguon.speech.normalize_tokens import (
    CLOSING,
    LINK,
    NUM,
    SYM,
    UNIT_INDEX,
    UNITS,
    WORD,
    Token,
    read_link,
)
from nguon.speech.normalize_words import WordRules

_SENTENCE_END = frozenset([".", ";", "?", "!", "...", "…"])

_POINT_DECIMAL = re.compile(r"\d+\.\d{1,2}")
_MULTIPLIERS = frozenset(["nghìn", "ngàn", "triệu", "tỷ", "tỉ", "trăm", "vạn"])
_RANGE_WORDS = frozenset(["thứ", "ngày", "tháng", "mùng", "năm"])
_PHONE_CUES = frozenset(["hotline", "đài", "thoại", "đt", "sđt", "gọi", "zalo", "fax"])
_EMERGENCY = frozenset(["111", "112", "113", "114", "115", "116"])


def _digit_groups(token: Token) -> list[tuple[str, int]]:
    """The digit groups of a number token written with dots ("0912.345.678"), with offsets;
    empty if it has a comma or is not a number."""
    if token.kind != NUM or "," in token.text:
        return []
    groups, offset = [], token.start
    for piece in token.text.split("."):
        groups.append((piece, offset))
        offset += len(piece) + 1
    return groups


class Reader(DateRules, WordRules):
    """Reads one text: ``run()`` returns parts ``(text, source_start, source_end, untouched)``."""

    # -- the walk ------------------------------------------------------------------------

    def run(self) -> list[tuple[str, int, int, bool]]:
        i = 0
        while i < self.n:
            token = self.tokens[i]
            if token.newline and self.parts and self.parts[-1][0] not in CLOSING:
                # A line break ends a title or a list item: the announcer pauses there.
                self.emit(".", token.start, token.start)
            if token.kind == NUM:
                i = self.number(i)
            elif token.kind == WORD:
                i = self.word(i)
            elif token.kind == LINK:
                self.emit(read_link(token.text), token.start, token.end)
                i += 1
            else:
                i = self.symbol(i)
        return self.parts

    # -- numbers -------------------------------------------------------------------------

    def number(self, i: int) -> int:
        # A lexicon entry may start with a digit ("5G", "4.0"): it wins over the rules.
        for rule in (
            self.lexicon_at,
            self.doc_code,
            self.phone,
            self.clock,
            self.date,
            self.in_context,
        ):
            following = rule(i)
            if following:
                return following
        token = self.tokens[i]
        following = self.fraction(i)
        if not following:
            words = num.read_numeral(token.text)
            if _POINT_DECIMAL.fullmatch(token.text) and (
                self.next_word(i + 1) in _MULTIPLIERS or self.match_unit(i + 1)
            ):
                words = words.replace(" chấm ", " phẩy ")  # "2.3 triệu": a decimal point
            self.emit(words, token.start, token.end, _QUANTITY)
            following = i + 1
        return self.unit_tail(following)

    def doc_code(self, i: int) -> int:
        """ "1381/QĐ-BTTTT", "13/2023/NĐ-CP", "57-NQ/TW": a number joined to capital letters.

        Read part by part: numbers as numbers, "/" as "trên", "-" silent, letter groups
        through the lexicon or spelt.
        """
        tokens = self.tokens
        if i < self.no_code_before or not self.attached(i + 1, SYM, ("/", "-")):
            return 0
        # Where the scan stops depends only on the tokens it meets, and a later start sees a
        # subset of them: a failure here is a failure from every start before the stop.
        j, end, slash, letters = i + 1, i + 1, False, False
        while j < self.n and not tokens[j].space:
            token = tokens[j]
            if token.kind == SYM:
                if token.text not in "/-&" or not self.attached(j + 1) or tokens[j + 1].kind == SYM:
                    break
                slash = slash or token.text == "/"
            elif token.kind == WORD:
                if not any(char.isupper() for char in token.text):
                    self.no_code_before = j
                    return 0
                letters, end = True, j + 1
            else:
                end = j + 1
            j += 1
        if not (slash and letters):
            self.no_code_before = j
            return 0
        limit = tokens[end - 1].end
        k = i
        while k < end:
            token = tokens[k]
            if token.kind == NUM:
                self.emit(num.read_numeral(token.text), token.start, token.end)
            elif token.text == "/":
                self.emit("trên", token.start, token.end)
            elif token.text == "&":
                self.emit("và", token.start, token.end)
            elif token.kind == WORD:
                k = self.letters(k, limit, code=True)
                continue
            k += 1
        self.state = _OTHER
        return end

    def phone_cue(self, i: int) -> bool:
        """A phone-number word shortly before token ``i`` in the same sentence."""
        tokens = self.tokens
        if self.state == _PHONE and tokens[i - 1].text in ("/", ",", "-", "–"):
            return True  # "113/114/115", "0256 3822 123 - 0905 123 456": a list of numbers
        for k in range(i - 1, max(-1, i - 11), -1):
            text = tokens[k].text.lower()
            if text in _SENTENCE_END:
                return False
            if text in _PHONE_CUES or (text == "nóng" and self.word_at(k - 1) == "dây"):
                return True
        return False

    def phone(self, i: int) -> int:
        """Telephone numbers, digit by digit, a pause (comma) between the written groups.

        Groups are written with spaces, dots or hyphens between them: "0256 3822 123",
        "0912.345.678", "0905-123-456".
        """
        tokens = self.tokens
        token = tokens[i]
        groups = _digit_groups(token)
        if not groups:
            return 0
        first = groups[0][0]
        total = sum(len(g) for g, _ in groups)
        service = first in ("1800", "1900") or (len(first) == 8 and first[:4] in ("1800", "1900"))
        if first.startswith("0") and len(first) >= 3:
            target = 11 if first.startswith("02") else 10
        elif service:
            target = 8
        elif self.phone_cue(i) and len(first) >= 3 and "." not in token.text:
            target = len(first)
        elif token.text in _EMERGENCY and self.word_at(i - 1) in ("số", "gọi"):
            target = 3
        else:
            return 0
        j = i + 1
        while total < target and j < self.n:
            nxt = tokens[j]
            if nxt.kind == NUM and nxt.space and not nxt.newline:
                step = 1
            elif nxt.text in ("-", ".") and not nxt.space and self.attached(j + 1, NUM):
                nxt, step = tokens[j + 1], 2
            else:
                break
            more = _digit_groups(nxt)
            length = sum(len(g) for g, _ in more)
            if not more or total + length > 11:
                break
            groups += more
            total += length
            j += step
        if total < target or (service and total > 10):
            return 0
        for index, (digits, start) in enumerate(groups):
            if index:
                self.emit(",", start, start)
            self.emit(num.read_digits(digits), start, start + len(digits), _PHONE)
        return j

    def clock(self, i: int) -> int:
        """ "7h30", "7h", "19:00", "7g30", "7h30p": hours and minutes."""
        tokens = self.tokens
        token = tokens[i]
        hour = _small(token)
        if hour is None or hour > 24 or not self.attached(i + 1):
            return 0
        marker = tokens[i + 1]
        minute_at = i + 2
        if marker.text == ":":
            if not (self.attached(i + 2, NUM) and re.fullmatch(r"\d\d", tokens[i + 2].text)):
                return 0
        elif marker.text not in ("h", "H", "g", "G"):
            return 0
        minutes = _small(tokens[minute_at]) if self.attached(minute_at, NUM) else None
        if minutes is not None and minutes > 59:
            return 0
        if minutes is None and marker.text in "gG:":
            return 0  # "500g" is grams
        self.emit(num.read_number(hour) + " giờ", token.start, marker.end, _QUANTITY)
        following = i + 2
        if minutes is not None:
            following = minute_at + 1
            if self.attached(following, WORD, ("p", "ph", "phút")):
                following += 1
            if minutes:
                end = tokens[following - 1].end
                words = num.read_number(minutes) + " phút"
                self.emit(words, tokens[minute_at].start, end, _QUANTITY)
        return following

    def fraction(self, i: int) -> int:
        """ "1/3 diện tích" → "một phần ba", "đạt 8/10 tiêu chí" → "tám trên mười"."""
        tokens = self.tokens
        if not (self.attached(i + 1, SYM, ("/",)) and self.attached(i + 2, NUM)):
            return 0
        top, bottom = num.numeral_value(tokens[i].text), num.numeral_value(tokens[i + 2].text)
        if top is None or bottom is None:
            return 0
        joint = "phần" if self.next_word(i + 3) in _FRACTION_OF else "trên"
        words = f"{num.read_number(top)} {joint} {num.read_number(bottom)}"
        self.emit(words, tokens[i].start, tokens[i + 2].end, _QUANTITY)
        return i + 3

    def match_unit(self, i: int) -> tuple[str, bool, int] | None:
        """The unit written at token ``i`` (reading, is money, index after), if any."""
        if i >= self.n or self.tokens[i].kind == NUM or self.tokens[i].newline:
            return None
        token = self.tokens[i]
        for key, _ in UNIT_INDEX.by_first.get(token.text, ()):
            end = token.start + len(key)
            if self.text.startswith(key, token.start) and (
                end >= len(self.text) or not self.text[end].isalnum()
            ):
                reading, money = UNITS[key]
                return reading, money, self.index_after(i, end)
        return None

    def unit_tail(self, i: int) -> int:
        """After a quantity: "nghìn"/"triệu", then a unit, then "/kg" or "/h" after it."""
        tokens = self.tokens
        while i < self.n and tokens[i].space and tokens[i].text in _MULTIPLIERS:
            self.keep(tokens[i])
            self.state = _QUANTITY
            i += 1
        unit = self.match_unit(i)
        if unit is not None:
            reading, per_item, following = unit
            self.emit(reading, tokens[i].start, tokens[following - 1].end, _QUANTITY)
        elif (
            i < self.n
            and tokens[i].kind == WORD
            and tokens[i].space
            and self.attached(i + 1, SYM, ("/",))
            and self.attached(i + 2, WORD)
        ):
            self.keep(tokens[i])  # "2 lần/tuần", "3.000 con/m2": a counted thing per …
            per_item, following = False, i + 1
        else:
            return i
        return self.per(following, per_item)

    def per(self, i: int, per_item: bool) -> int:
        """ "/" after a quantity: "một" before an ordinary word or after money and "%"
        ("đồng/người" → "đồng một người", "lần/tuần" → "lần một tuần"), "trên" between
        measures ("tạ/ha" → "tạ trên héc ta", "con/m2" → "con trên mét vuông")."""
        tokens = self.tokens
        while self.attached(i, SYM, ("/",)) and self.attached(i + 1):
            nxt = tokens[i + 1]
            unit = self.match_unit(i + 1)
            measure = unit is not None
            if unit is not None:
                words, following = unit[0], unit[2]
            elif nxt.kind == WORD:
                words, following = nxt.text, i + 2
            elif nxt.kind == NUM:
                words, following, measure = num.read_numeral(nxt.text), i + 2, True
                if self.attached(following, WORD, ("h",)):
                    words, following = words + " giờ", following + 1
            else:
                break
            joint = "trên" if measure and not per_item else "một"
            self.emit(f"{joint} {words}", tokens[i].start, tokens[following - 1].end, _QUANTITY)
            i = following
        return i

    # -- symbols -------------------------------------------------------------------------

    def range_follows(self, i: int) -> bool:
        """After a dash at ``i``: a number, or "thứ 6" / "ngày 15" ("thứ 2 - thứ 6")."""
        if i + 1 >= self.n:
            return False
        following = self.tokens[i + 1]
        if following.kind == NUM:
            return True
        return (
            self.word_at(i + 1) in _RANGE_WORDS
            and i + 2 < self.n
            and self.tokens[i + 2].kind == NUM
        )

    def symbol(self, i: int) -> int:
        following = self.lexicon_at(i)
        if following:
            return following
        tokens = self.tokens
        token = tokens[i]
        text = token.text
        state = self.state
        if text in _DASHES:
            if state == _QUANTITY and self.range_follows(i):
                self.emit("đến", token.start, token.end)
                return i + 1
            if state == _PHONE and i + 1 < self.n and tokens[i + 1].kind == NUM:
                self.emit(",", token.start, token.end, _PHONE)
                return i + 1
            if text == "-" and (i == 0 or token.space) and self.attached(i + 1, NUM):
                self.emit("âm", token.start, token.end)  # "-2°C"
                return i + 1
            if not token.space and self.attached(i + 1) and i > 0:
                kinds = {tokens[i - 1].kind, tokens[i + 1].kind}
                if kinds == {NUM, WORD}:
                    return i + 1  # "Covid-19", "F0-F1": the hyphen is not said
        elif text == "/":
            if state == _PHONE and i + 1 < self.n and tokens[i + 1].kind == NUM:
                self.emit(",", token.start, token.end, _PHONE)
                return i + 1
            if not token.space and self.attached(i + 1) and i > 0:
                return i + 1  # "và/hoặc", "NQ/TW": not said
        elif text == "&":
            self.emit("và", token.start, token.end)
            return i + 1
        elif text == ":" and state == _QUANTITY and not token.space and self.attached(i + 1, NUM):
            self.emit("trên", token.start, token.end)  # a scale, "tỷ lệ 1:500"
            return i + 1
        elif text == "+" and state == _QUANTITY and i + 1 < self.n and tokens[i + 1].kind == NUM:
            self.emit("cộng", token.start, token.end)
            return i + 1
        elif text == "%" and state == _QUANTITY:
            self.emit("phần trăm", token.start, token.end, _QUANTITY)
            return i + 1
        elif text in ("~", "≈") and i + 1 < self.n and tokens[i + 1].kind == NUM:
            self.emit("khoảng", token.start, token.end)
            return i + 1
        self.keep(token)
        return i + 1
