"""The date rules of ``nguon.speech.normalize``: written dates, ranges of days, months of a
year, and numbers read by the word before them ("thứ 4", "ngày 5", "tháng 4")."""

import re

from nguon.speech import numbers as num
from nguon.speech.normalize_cursor import _DASHES, _FRACTION_OF, _QUANTITY, Cursor, _small, _year
from nguon.speech.normalize_tokens import NUM, SYM

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


class DateRules(Cursor):
    """Rules that read a number as a day, a month or a date."""

    # -- dates ---------------------------------------------------------------------------

    def peek_date(self, i: int) -> tuple[int, int, int | None, int] | None:
        """A written date at token ``i``: (day, month, year or None, index after it)."""
        tokens = self.tokens
        token = tokens[i] if i < self.n else None
        if token is None or token.kind != NUM:
            return None
        match = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", token.text)
        if match:
            dd, mm, yyyy = (int(g) for g in match.groups())
            return (dd, mm, yyyy, i + 1) if 1 <= dd <= 31 and 1 <= mm <= 12 else None
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
