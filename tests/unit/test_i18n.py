from string import Formatter

import pytest

from nguon.i18n import MESSAGES, negotiate, translate


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(template) if name}


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_message_exists_in_vietnamese_and_english_with_the_same_fields(code):
    assert set(MESSAGES[code]) == {"vi", "en"}
    assert _fields(MESSAGES[code]["vi"]) == _fields(MESSAGES[code]["en"])


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "vi"),
        ("", "vi"),
        ("en", "en"),
        ("en-US,en;q=0.9", "en"),
        ("fr-FR, en;q=0.5", "en"),
        ("vi-VN,vi;q=0.9,en;q=0.8", "vi"),
        ("en;q=0.2, vi;q=0.8", "vi"),
        ("de", "vi"),
        ("en;q=0", "vi"),
        ("en;q=abc", "vi"),
    ],
)
def test_accept_language_negotiation(header, language):
    assert negotiate(header) == language


def test_message_keeps_diacritics_and_fills_parameters():
    assert translate("unit_not_found", "vi", unit="99") == "Không có đơn vị hành chính mã 99."


def test_unknown_code_falls_back_to_the_generic_message():
    assert translate("no_such_code", "en") == "An error occurred."


def test_missing_parameter_does_not_raise():
    assert "?" in translate("unit_not_found", "vi")
