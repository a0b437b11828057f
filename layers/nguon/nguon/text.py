"""Vietnamese text without its marks: file names, and search that ignores diacritics and case."""

import re
import unicodedata


def strip_marks(text: str) -> str:
    """``Thông báo tiêm chủng`` → ``Thong bao tiem chung``: the tone and vowel marks go, and
    đ/Đ (a letter of its own, which Unicode does not decompose) becomes d/D."""
    plain = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(char for char in plain if not unicodedata.combining(char))


def fold(text: str) -> str:
    """The form search compares: no marks, case-folded, runs of spaces as one."""
    return re.sub(r"\s+", " ", strip_marks(text).casefold()).strip()


def matches(query: str, *texts: str) -> bool:
    """Whether every word of ``query`` occurs in ``texts`` (marks and case ignored): "tiem
    chung" finds "Tiêm chủng", and so does "tiêm chủng"."""
    words = fold(query).split()
    haystack = " ".join(fold(text) for text in texts)
    return bool(words) and all(word in haystack for word in words)
