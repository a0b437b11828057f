"""Text rules for citizens' feedback: masking contacts in public text, and searching without
diacritics."""

import re
import unicodedata

# A Vietnamese phone number as people write it: 0 or +84, then 8–10 more digits, in groups
# separated by spaces, dots or dashes ("0905 123 456", "+84.905.123.456").
_PHONE = re.compile(r"(?<![\w+])(?:\+?84|0)(?:[\s.-]?\d){8,10}(?!\d)")
_EMAIL = re.compile(r"[\w.+-]{1,64}@[\w-]+(?:\.[\w-]+)+")
PHONE_MASK = "[SĐT đã ẩn]"
EMAIL_MASK = "[email đã ẩn]"


def mask_contacts(text: str) -> str:
    """``text`` with phone numbers and e-mail addresses replaced, for any public view."""
    return _PHONE.sub(PHONE_MASK, _EMAIL.sub(EMAIL_MASK, text))


def fold(text: str) -> str:
    """Lowercase without diacritics ("Tiêm chủng" → "tiem chung"; đ → d), for search."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def matches(query: str, *texts: str) -> bool:
    """Every word of ``query`` occurs in one of ``texts``, ignoring diacritics and case."""
    haystack = " ".join(fold(text) for text in texts)
    return all(word in haystack for word in fold(query).split())
