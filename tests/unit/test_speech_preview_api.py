"""``POST /speech/normalize``: editors preview how a text will be read."""

import app

from tests.unit.test_media_api import call


def test_the_reading_comes_back_in_words():
    status, body = call(
        app.lambda_handler,
        "POST",
        "/speech/normalize",
        body={"text": "Lúc 7h30 ngày 12/3, UBND xã họp."},
        groups="viewer",
    )
    assert status == 200
    assert body == {
        "text": "Lúc bảy giờ ba mươi phút ngày mười hai tháng ba, ủy ban nhân dân xã họp."
    }


def test_an_empty_text_is_422():
    status, body = call(app.lambda_handler, "POST", "/speech/normalize", body={"text": ""})
    assert status == 422
    assert body["code"]


def test_the_issues_hostile_texts_are_read_at_the_largest_size_allowed():
    """Minutes of backtracking before (20,000 hyphens took 7 s); linear now (the timing is
    tests/unit/speech/test_normalize_linear.py's: here, the API answers them)."""
    for text in ("-" * 100_000, "a." * 50_000, "1/" * 50_000, "1" * 100_000):
        status, body = call(
            app.lambda_handler, "POST", "/speech/normalize", body={"text": text}, groups="viewer"
        )
        assert status == 200
        assert body["text"]


def test_a_text_over_the_limit_is_422_with_a_message():
    status, body = call(
        app.lambda_handler, "POST", "/speech/normalize", body={"text": "a" * 100_001}
    )
    assert status == 422
    assert body["code"]
    assert body["message"]
