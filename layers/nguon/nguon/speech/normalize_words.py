"""The word rules of ``nguon.speech.normalize``: lexicon entries, Roman numerals, provincial
roads, words in capitals (lower-cased or spelt)."""

from nguon.speech import numbers as num
from nguon.speech.normalize_cursor import _QUANTITY, Cursor, _year
from nguon.speech.normalize_tokens import (
    NUM,
    SYLLABLE,
    SYM,
    TRIPLE,
    VOWEL_LETTERS,
    WORD,
    same_class,
    spell,
)

# Words before a Roman numeral that make it one ("Quý II", "thế kỷ XXI", "Đại hội XIII").
_ROMAN_BEFORE = frozenset(
    ["quý", "chương", "điều", "mục", "phần", "khóa", "khoá", "thứ", "kỷ", "kỳ", "hội", "đợt",
     "đoạn", "tập", "lục", "cấp", "hạng", "loại", "vùng", "nhóm", "độ", "khu", "tiểu", "lớp"]
)  # fmt: skip


class WordRules(Cursor):
    """Rules that start on a word; numbers and symbols try the lexicon here first."""

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
