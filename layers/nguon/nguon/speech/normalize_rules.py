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
from collections.abc import Iterable

from nguon.speech import numbers as num
from nguon.speech.normalize_tokens import (
    CLOSING,
    LINK,
    NUM,
    SYLLABLE,
    SYM,
    TRIPLE,
    UNIT_INDEX,
    UNITS,
    VOWEL_LETTERS,
    WORD,
    LexiconIndex,
    Token,
    read_link,
    same_class,
    spell,
)

# Where the reader stands after a part, for what a following "-", "/" or "+" means.
_OTHER, _QUANTITY, _PHONE = 0, 1, 2

_SENTENCE_END = frozenset([".", ";", "?", "!", "...", "…"])
_DASHES = frozenset(["-", "–", "—"])

_POINT_DECIMAL = re.compile(r"\d+\.\d{1,2}")
_MULTIPLIERS = frozenset(["nghìn", "ngàn", "triệu", "tỷ", "tỉ", "trăm", "vạn"])

# Words before a Roman numeral that make it one ("Quý II", "thế kỷ XXI", "Đại hội XIII").
_ROMAN_BEFORE = frozenset(
    ["quý", "chương", "điều", "mục", "phần", "khóa", "khoá", "thứ", "kỷ", "kỳ", "hội", "đợt",
     "đoạn", "tập", "lục", "cấp", "hạng", "loại", "vùng", "nhóm", "độ", "khu", "tiểu", "lớp"]
)  # fmt: skip
_DAY_BEFORE = frozenset(["ngày", "mùng", "mồng"])
# "Sáng 15/4", "đêm 27/10": the announcer says no "ngày" there ("đêm ngày" means "always").
_NO_DAY_WORD = frozenset(["ngày", "mùng", "mồng", "sáng", "trưa", "chiều", "tối", "đêm", "hôm"])
# "mỗi ngày 2 lần": after "ngày" a number followed by a counting word is a count, not a date.
_COUNTERS = frozenset(
    ["lần", "viên", "bữa", "người", "giờ", "tiếng", "chuyến", "cữ", "ca", "suất", "lượt",
     "liều", "gói", "hộ", "con", "tấn", "lít", "đợt", "phút", "km", "buổi", "xe", "cuộc"]
)  # fmt: skip
_FRACTION_BEFORE = frozenset(
    ["đạt", "được", "chiếm", "khoảng", "gần", "hơn", "còn", "có",
     "nhà", "hẻm", "kiệt", "ngõ", "ngách"]  # "số nhà 25/7" is an address, not a date
)  # fmt: skip
_FRACTION_OF = frozenset(["số", "diện", "dân", "tổng", "lượng", "khối", "trong"])
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


class Reader:
    """Reads one text: ``run()`` returns parts ``(text, source_start, source_end, untouched)``."""

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

    def peek_date(self, i: int) -> tuple[int, int, int | None, int] | None:
        """A written date at token ``i``: (day, month, year or None, index after it)."""
        tokens = self.tokens
        token = tokens[i] if i < self.n else None
        if token is None or token.kind != NUM:
            return None
        match = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", token.text)
        if match:
            day, month, year = (int(g) for g in match.groups())
            return (day, month, year, i + 1) if 1 <= day <= 31 and 1 <= month <= 12 else None
        day = _small(token)
        if day is None or not 1 <= day <= 31:
            return None
        for sep in ("/", "-"):
            if self.attached(i + 1, SYM, (sep,)) and self.attached(i + 2, NUM):
                month = _small(tokens[i + 2])
                if month is None or not 1 <= month <= 12:
                    return None
                if self.attached(i + 3, SYM, (sep,)) and self.attached(i + 4, NUM):
                    year = _year(tokens[i + 4])
                    return (day, month, year, i + 5) if year else None
                return day, month, None, i + 3
        return None

    def emit_date(self, i: int, date: tuple[int, int, int | None, int], say_day: bool) -> None:
        """Say a date found by ``peek_date`` at ``i``: "[ngày] mùng một tháng năm [năm …]"."""
        day, month, year, following = date
        tokens = self.tokens
        first = tokens[i]
        day_span = month_span = year_span = (first.start, first.end)
        if following > i + 1:  # "12/3/2025" rather than "12.3.2025"
            month_span = (tokens[i + 1].start, tokens[i + 2].end)
            if year is not None:
                year_span = (tokens[i + 3].start, tokens[i + 4].end)
        before = self.word_at(i - 1)
        if say_day and before not in _NO_DAY_WORD and not self.listed_day(i):
            self.emit("ngày", *day_span)
        self.emit(num.read_day(day, before not in ("mùng", "mồng")), *day_span)
        self.emit("tháng " + num.read_month(month), *month_span, _QUANTITY)
        if year is not None:
            self.emit("năm " + num.read_number(year), *year_span, _QUANTITY)

    def date(self, i: int) -> int:
        """ "12/3/2025", "12.3.2025", "ngày 12-3", "5-7/3" (days 5 to 7), "3/2025" (a month)."""
        tokens = self.tokens
        before = self.word_at(i - 1)
        date = self.peek_date(i)
        if date is not None:
            _, _, year, following = date
            if year is None and following == i + 3 and tokens[i + 1].text == "-":
                # "12-3" is a date only right after "ngày"/"mùng" ("các ngày 7-10" is a range),
                # and not when a month follows ("ngày 5-7 tháng 3", "ngày 5-7/3").
                plural = self.word_at(i - 2) in ("các", "những")
                if (
                    before not in _DAY_BEFORE
                    or plural
                    or self.attached(following, SYM, ("/",))
                    or self.next_word(following) == "tháng"
                ):
                    return self.day_range(i)
            elif year is None and (
                before in _FRACTION_BEFORE
                or self.next_word(following) in _FRACTION_OF
                or (
                    tokens[i].text == "24"
                    and tokens[i + 2].text == "7"
                    and before not in _NO_DAY_WORD
                )
            ):
                return 0  # a fraction: "đạt 1/3", "1/3 diện tích", "phản ánh 24/7"
            self.emit_date(i, date, True)
            return following
        following = self.day_range(i)
        if following:
            return following
        # "3/2025", "tháng 3/2025", "quý 2/2025": a month (or quarter) of a year.
        month = _small(tokens[i])
        if (
            month is not None
            and 1 <= month <= 12
            and self.attached(i + 1, SYM, ("/", "-"))
            and self.attached(i + 2, NUM)
            and _year(tokens[i + 2])
            and before not in _DAY_BEFORE
        ):
            year = _year(tokens[i + 2])
            assert year is not None
            token = tokens[i]
            if before == "quý":
                self.emit(num.read_number(month), token.start, token.end)
            else:
                if before != "tháng":
                    self.emit("tháng", token.start, token.end)
                self.emit(num.read_month(month), token.start, token.end)
            self.emit("năm " + num.read_number(year), tokens[i + 1].start, tokens[i + 2].end)
            self.state = _QUANTITY
            return i + 3
        return 0

    def day_range(self, i: int) -> int:
        """ "5-7/3", "5 - 7/3/2025": days of one month, read "mùng năm đến mùng bảy tháng ba"."""
        tokens = self.tokens
        day = _small(tokens[i])
        if day is None or not 1 <= day <= 31 or i + 2 >= self.n:
            return 0
        if tokens[i + 1].text not in _DASHES:
            return 0
        date = self.peek_date(i + 2)
        if date is None or date[0] <= day or "." in tokens[i + 2].text:
            return 0
        token = tokens[i]
        before = self.word_at(i - 1)
        if before not in _NO_DAY_WORD:
            self.emit("ngày", token.start, token.end)
        self.emit(num.read_day(day, before not in ("mùng", "mồng")), token.start, token.end)
        self.emit("đến", tokens[i + 1].start, tokens[i + 1].end)
        self.emit_date(i + 2, date, False)
        return date[3]

    def in_context(self, i: int) -> int:
        """A number read by the word before it: "thứ 4", "ngày 5", "tháng 4", "mùng 1"."""
        tokens = self.tokens
        token = tokens[i]
        value = num.numeral_value(token.text)
        before = self.word_at(i - 1)
        listed = self.listed_day(i)
        if value is None or not (before or listed) or tokens[i - 1].end == token.start:
            return 0
        if before == "thứ":
            self.emit(num.read_ordinal(value), token.start, token.end, _QUANTITY)
            return i + 1
        if (
            (before in _DAY_BEFORE or listed)
            and 1 <= value <= 31
            and self.next_word(i + 1) not in _COUNTERS
        ):
            mung = before != "mùng" and before != "mồng"
            self.emit(num.read_day(value, mung), token.start, token.end, _QUANTITY)
            self.day_at = i
            following = i + 1
            # "ngày 12-15": a range of days; the second day reads like the first.
            if following + 1 < self.n and tokens[following].text in _DASHES:
                end = _small(tokens[following + 1])
                if end is not None and value < end <= 31:
                    self.emit("đến", tokens[following].start, tokens[following].end)
                    second = tokens[following + 1]
                    self.emit(num.read_day(end, mung), second.start, second.end, _QUANTITY)
                    following += 2
            return following
        if before == "tháng" and 1 <= value <= 12:
            self.emit(num.read_month(value), token.start, token.end, _QUANTITY)
            following = i + 1
            if following + 1 < self.n and tokens[following].text in _DASHES:
                end = _small(tokens[following + 1])
                if end is not None and value < end <= 12:
                    self.emit("đến", tokens[following].start, tokens[following].end)
                    second = tokens[following + 1]
                    words = "tháng " + num.read_month(end)
                    self.emit(words, second.start, second.end, _QUANTITY)
                    following += 2
            return following
        return 0

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

    # -- words ---------------------------------------------------------------------------

    def word(self, i: int) -> int:
        tokens = self.tokens
        token = tokens[i]
        text = token.text
        if text == "ĐT" and i + 1 < self.n:
            # "ĐT 638", "ĐT.639" are provincial roads; "ĐT: 0256…" is a telephone.
            k = i + 2 if self.attached(i + 1, SYM, (".",)) else i + 1
            road = tokens[k] if k < self.n else None
            if road is not None and road.kind == NUM and len(road.text) <= 3:
                self.emit("đường tỉnh", token.start, tokens[k - 1].end)
                self.emit(num.read_numeral(road.text), road.start, road.end, _QUANTITY)
                return k + 1
        value = num.roman_value(text)
        before = self.word_at(i - 1)
        if value is not None and before in _ROMAN_BEFORE and token.space:
            words = num.read_ordinal(value) if before == "thứ" else num.read_number(value)
            self.emit(words, token.start, token.end, _QUANTITY)
            if self.attached(i + 1, SYM, ("/",)) and self.attached(i + 2, NUM):
                year = _year(tokens[i + 2])
                if year:
                    self.emit(
                        "năm " + num.read_number(year), tokens[i + 1].start, tokens[i + 2].end
                    )
                    return i + 3
            return i + 1
        return self.letters(i, len(self.text))

    def lexicon_at(self, i: int) -> int:
        return self.lexicon(i, len(self.text))

    def lexicon(self, i: int, limit: int) -> int:
        """The longest lexicon entry written at token ``i`` (the caller's lexicon wins ties)."""
        token = self.tokens[i]
        text = self.text
        best: tuple[str, str] | None = None
        for index in self.lexicons:
            for key, reading in index.by_first.get(token.text, ()):
                if best is not None and len(key) <= len(best[0]):
                    break
                end = token.start + len(key)
                if end > limit or not text.startswith(key, token.start):
                    continue
                if end < len(text) and same_class(key[-1], text[end]):
                    continue  # "TT" is not "TTr"; "QL" is in "QL1A"
                if key[-1] == "." and len(key) > 1 and not self.name_follows(i, end):
                    continue  # "TP." at the end of a sentence: "TP" and a full stop
                best = key, reading
                break
        if best is None:
            return 0
        end = token.start + len(best[0])
        self.emit(best[1], token.start, end)
        return self.index_after(i, end)

    def name_follows(self, i: int, offset: int) -> bool:
        """A capitalised word or a number starts right after ``offset`` ("TP. Quy Nhơn")."""
        k = self.index_after(i, offset)
        if k >= self.n:
            return False
        following = self.tokens[k]
        return following.kind == NUM or (following.kind == WORD and following.text[0].isupper())

    def letters(self, i: int, limit: int, code: bool = False) -> int:
        """A word: the lexicon, else a capitalised word lower-cased or an acronym spelt."""
        following = self.lexicon(i, limit)
        if following:
            return following
        token = self.tokens[i]
        text = token.text
        if text.isupper() and (len(text) > 1 or text not in VOWEL_LETTERS):
            if not code and self.capitalised_word(i):
                self.emit(text.lower(), token.start, token.end)  # "THÔNG BÁO" in a title
            else:
                self.emit(spell(text), token.start, token.end)
            return i + 1
        self.keep(token)
        return i + 1

    def capitalised_word(self, i: int) -> bool:
        """An all-capitals token that is a Vietnamese word, not an acronym: it is a syllable,
        and it has a diacritic ("KHẨN") or stands among other capitalised words ("TIN VUI");
        "SYT" alone is an acronym, though "syt" would pass for a syllable."""
        text = self.tokens[i].text
        lower = text.lower()
        if len(text) < 2 or not SYLLABLE.fullmatch(lower) or TRIPLE.search(lower):
            return False
        if not text.isascii():
            return True
        for k in (i - 1, i + 1):
            if 0 <= k < self.n and (self.tokens[k].space if k > i else self.tokens[i].space):
                neighbour = self.tokens[k].text
                if self.tokens[k].kind == WORD and len(neighbour) > 1 and neighbour.isupper():
                    return True
        return False

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
