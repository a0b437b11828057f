"""Vietnamese number reading: cardinals, decimals, digit strings, ordinals, days, months, Roman.

Written here rather than taken from a package because the rules are few and the readings must
match what a commune loudspeaker announcer says, consistently (``normalize`` builds on them):

- units: không một hai ba bốn năm sáu bảy tám chín; ten is "mười", tens from twenty "mươi";
- after "mươi" a 1 is "mốt" (21 hai mươi mốt), a 4 is "tư" (24 hai mươi tư) and a 5 is "lăm"
  (25 hai mươi lăm); after "mười" only the 5 changes (15 mười lăm, 11 mười một, 14 mười bốn);
- an empty tens place inside a number is "linh" (never "lẻ"), and the unit after it keeps its
  plain name: 105 một trăm linh năm, 101 một trăm linh một, 104 một trăm linh bốn;
- groups of three are "nghìn" (not "ngàn"), "triệu", "tỷ"; a group after the first one is read
  in full, so an empty hundreds place is "không trăm": 1.005 một nghìn không trăm linh năm,
  2025 hai nghìn không trăm hai mươi lăm; a group that is all zeros is not read at all:
  1.000.000 một triệu, 1.000.500 một triệu năm trăm, 1.000.005 một triệu không trăm linh năm;
- above a thousand million the count of "tỷ" is itself a number: 1.200.000.000.000 một nghìn
  hai trăm tỷ;
- decimals use "phẩy"; a fractional part of one or two digits without a leading zero is read
  as a number (37,5 ba mươi bảy phẩy năm; 1,25 một phẩy hai mươi lăm), any other digit by
  digit (2,05 hai phẩy không năm; 3,125 ba phẩy một hai năm).
"""

import re

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")

# The unit's name after "mươi" (twenty and up), where it differs from the plain digit.
_AFTER_MUOI = {1: "mốt", 4: "tư", 5: "lăm"}

_BILLION = 10**9
# Longer numbers are read digit by digit: nobody says a count of "tỷ tỷ", and converting a
# pasted run of thousands of digits to an int is slow (quadratic) and, past 4,300 digits,
# refused by Python.
_MAX_CARDINAL_DIGITS = 15
_THOUSANDS_DOTTED = re.compile(r"(\d{1,3}(?:\.\d{3})+)(?:,(\d+))?")
_PLAIN = re.compile(r"(\d+)(?:,(\d+))?")
_DOTTED_OTHER = re.compile(r"\d+(?:\.\d+)+")
_ROMAN = re.compile(r"(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def _triple(n: int, full: bool) -> list[str]:
    """0 < n < 1000; ``full`` reads an empty hundreds place ("không trăm") and "linh"."""
    hundreds, rest = divmod(n, 100)
    tens, unit = divmod(rest, 10)
    words: list[str] = []
    if full or hundreds:
        words += [DIGITS[hundreds], "trăm"]
    if tens == 0:
        if unit:
            if words:
                words.append("linh")
            words.append(DIGITS[unit])
    elif tens == 1:
        words.append("mười")
        if unit:
            words.append("lăm" if unit == 5 else DIGITS[unit])
    else:
        words += [DIGITS[tens], "mươi"]
        if unit:
            words.append(_AFTER_MUOI.get(unit, DIGITS[unit]))
    return words


def _below_billion(n: int, full: bool) -> list[str]:
    words: list[str] = []
    for group, name in (
        ((n // 1_000_000) % 1000, "triệu"),
        ((n // 1000) % 1000, "nghìn"),
        (n % 1000, ""),
    ):
        if group:
            words += _triple(group, full or bool(words))
            if name:
                words.append(name)
    return words


def _words(n: int, full: bool = False) -> list[str]:
    if n >= _BILLION:
        high, low = divmod(n, _BILLION)
        return [*_words(high, full), "tỷ", *(_below_billion(low, True) if low else [])]
    return _below_billion(n, full)


def read_number(n: int) -> str:
    """An integer in words: 1005 → "một nghìn không trăm linh năm", 21 → "hai mươi mốt"."""
    if n < 0:
        return "âm " + read_number(-n)
    if n == 0:
        return DIGITS[0]
    return " ".join(_words(n))


def read_digits(digits: str) -> str:
    """Every digit by its name, for phone numbers and codes: "0256" → "không hai năm sáu"."""
    return " ".join(DIGITS[int(c)] for c in digits if "0" <= c <= "9")


def read_fraction_digits(digits: str) -> str:
    """The part after "phẩy": one or two digits without a leading zero as a number, else digits."""
    if len(digits) <= 2 and not digits.startswith("0"):
        return read_number(int(digits))
    return read_digits(digits)


def _read_integer_text(digits: str) -> str:
    """Leading zeros of short numbers are not read ("05 người" → "năm người"); a longer run
    that starts with zero is a code and is read digit by digit ("0256" → "không hai năm sáu").
    """
    if len(digits) > 1 and digits.startswith("0") and len(digits) >= 4:
        return read_digits(digits)
    if len(digits) > _MAX_CARDINAL_DIGITS:
        return read_digits(digits)
    return read_number(int(digits))


def read_numeral(text: str) -> str:
    """A number as written in Vietnamese text: "1.500.000", "37,5", "2.025", "05", "1.2".

    A dot followed by groups of exactly three digits separates thousands and a comma is the
    decimal mark (the Vietnamese convention); any other dotted number is a section or version
    number and is read with "chấm" ("1.2" → "một chấm hai").
    """
    match = _THOUSANDS_DOTTED.fullmatch(text)
    if match:
        digits = match.group(1).replace(".", "")
        if len(digits) > _MAX_CARDINAL_DIGITS:
            integer = read_digits(digits)
        else:
            integer = read_number(int(digits))
    else:
        match = _PLAIN.fullmatch(text)
        if match:
            integer = _read_integer_text(match.group(1))
        elif _DOTTED_OTHER.fullmatch(text):
            return " chấm ".join(_read_integer_text(part) for part in text.split("."))
        else:  # "1,2,3": a list without spaces; read each piece
            return " phẩy ".join(read_numeral(part) for part in text.split(",") if part)
    fraction = match.group(2)
    if fraction is None:
        return integer
    return f"{integer} phẩy {read_fraction_digits(fraction)}"


def numeral_value(text: str) -> int | None:
    """The integer a numeral token stands for ("1.500" → 1500, "07" → 7), None for decimals."""
    digits = text.replace(".", "")
    if len(digits) > _MAX_CARDINAL_DIGITS:
        return None
    if _THOUSANDS_DOTTED.fullmatch(text) and "," not in text:
        return int(digits)
    if text.isascii() and text.isdigit():
        return int(text)
    return None


def read_ordinal(n: int) -> str:
    """After "thứ": 1 → "nhất", 4 → "tư", any other number as a cardinal ("thứ hai", "thứ ba")."""
    return {1: "nhất", 4: "tư"}.get(n) or read_number(n)


def read_day(n: int, mung: bool = True) -> str:
    """A day of the month: days 1 to 10 take "mùng" ("mùng một"), unless it was written."""
    if mung and 1 <= n <= 10:
        return "mùng " + read_number(n)
    return read_number(n)


def read_month(n: int) -> str:
    """A month: "tư" for April ("tháng tư"), else the cardinal ("tháng một", "tháng mười hai")."""
    return "tư" if n == 4 else read_number(n)


def roman_value(text: str) -> int | None:
    """The value of a Roman numeral of I, V, X and L (1–89), None if ``text`` is not one."""
    if not text or not _ROMAN.fullmatch(text):
        return None
    total = 0
    for i, char in enumerate(text):
        value = _ROMAN_VALUES[char]
        following = _ROMAN_VALUES[text[i + 1]] if i + 1 < len(text) else 0
        total += -value if value < following else value
    return total
