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
