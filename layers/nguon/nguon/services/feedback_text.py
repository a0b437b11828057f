"""Text rules for citizens' feedback: contacts masked in public text (search without
diacritics is :mod:`nguon.text`'s)."""

import re

# A Vietnamese phone number as people write it: 0 or +84, then 8–10 more digits, in groups
# separated by spaces, dots or dashes ("0905 123 456", "+84.905.123.456").
_PHONE = re.compile(r"(?<![\w+])(?:\+?84|0)(?:[\s.-]?\d){8,10}(?!\d)")
_EMAIL = re.compile(r"[\w.+-]{1,64}@[\w-]+(?:\.[\w-]+)+")
PHONE_MASK = "[SĐT đã ẩn]"
EMAIL_MASK = "[email đã ẩn]"


def mask_contacts(text: str) -> str:
    """``text`` with phone numbers and e-mail addresses replaced, for any public view."""
    return _PHONE.sub(PHONE_MASK, _EMAIL.sub(EMAIL_MASK, text))
