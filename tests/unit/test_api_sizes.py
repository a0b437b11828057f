"""Every size has a limit with a 4xx and a message; the largest allowed fits DynamoDB.

Through the API handler on moto, which refuses items over 400 KB as DynamoDB does.
"""

import json
from datetime import timedelta

import pytest
from werkzeug.test import Client

from nguon.clock import now
from nguon.models.bulletins import (
    BODY_MAX,
    CONTENT_BYTES_MAX,
    VARIANTS_MAX,
    Variant,
    content_bytes,
)
from tests.unit.api_world import application, world

WIDE = "ệ"  # three bytes of UTF-8, as much of Vietnamese is
TAGS = ["en", "bnr", "cja", "hre", "km"]  # English, Ba Na, Chăm, H're, Khmer


@pytest.fixture(scope="module")
def client():
    with world():
        yield Client(application())


def send(client, method, path, body=None, language="vi"):
    response = client.open(path, method=method, json=body, headers={"Accept-Language": language})
    return response.status_code, json.loads(response.get_data(as_text=True))


def content(body: str, variants: dict[str, dict[str, str]]) -> dict:
    first = now().date()
    return {
        "title": "Thông báo lịch tiêm chủng",
        "body": body,
        "category": "health",
        "targets": ["52"],
        "schedule": {
            "type": "daily",
            "times": ["06:00"],
            "from": first.isoformat(),
            "until": (first + timedelta(days=6)).isoformat(),
        },
        "variants": variants,
    }


def largest(letter: str) -> tuple[str, dict[str, dict[str, str]]]:
    """A body and five variants, all in three-byte letters, just under the byte limit."""
    body = letter * BODY_MAX
    room = CONTENT_BYTES_MAX - len("Thông báo lịch tiêm chủng".encode()) - len(body.encode())
    per_variant = room // VARIANTS_MAX - 64
    variants = {
        tag: {"title": tag, "body": letter * (per_variant // len(letter.encode()))} for tag in TAGS
    }
    return body, variants


def test_the_largest_text_allowed_is_stored_and_replaced_whole(client):
    body, variants = largest(WIDE)
    as_variants = {tag: Variant(**value) for tag, value in variants.items()}
    size = content_bytes("Thông báo lịch tiêm chủng", body, as_variants)
    assert CONTENT_BYTES_MAX - 1_000 < size <= CONTENT_BYTES_MAX

    status, created = send(client, "POST", "/bulletins", content(body, variants))
    assert status == 201, created

    # The audit record of this edit holds the old and the new text of every language.
    other_body, other_variants = largest("ộ")
    status, patched = send(
        client,
        "PATCH",
        f"/bulletins/{created['id']}",
        {"version": created["version"], "body": other_body, "variants": other_variants},
    )
    assert status == 200, patched
    status, history = send(client, "GET", f"/bulletins/{created['id']}/history")
    assert status == 200
    assert [event["action"] for event in history] == ["created", "updated"]


def test_text_over_the_byte_limit_is_refused_with_a_message(client):
    body, variants = largest(WIDE)
    variants["en"]["body"] += WIDE * 400

    status, answer = send(client, "POST", "/bulletins", content(body, variants), language="en")

    assert status == 422
    (problem,) = answer["details"]
    assert problem["type"] == "content_too_large"
    assert problem["message"].startswith("The bulletin's text (with its other languages) is ")
    assert problem["message"].endswith(f"bytes; at most {CONTENT_BYTES_MAX}.")


def test_a_patch_over_the_byte_limit_is_refused_and_the_draft_stays(client):
    status, created = send(client, "POST", "/bulletins", content("Nội dung ngắn.", {}))
    assert status == 201
    body, variants = largest(WIDE)
    variants["km"]["body"] += WIDE * 400

    status, answer = send(
        client,
        "PATCH",
        f"/bulletins/{created['id']}",
        {"version": 1, "body": body, "variants": variants},
    )

    assert status == 422
    assert answer["details"][0]["type"] == "content_too_large"
    assert "tối đa 160000" in answer["details"][0]["message"]
    assert send(client, "GET", f"/bulletins/{created['id']}")[1]["version"] == 1


def test_more_variants_than_allowed_are_refused_not_a_500(client):
    # Twenty languages of a full body were 600 KB: past DynamoDB's 400 KB item, a 500.
    variants = {f"x{chr(97 + i)}": {"title": "t", "body": WIDE * BODY_MAX} for i in range(20)}

    status, answer = send(client, "POST", "/bulletins", content("Nội dung.", variants))

    assert status == 422
    problems = {(tuple(p["loc"]), p["type"]) for p in answer["details"]}
    assert (("body", "variants"), "too_long") in problems


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/bulletins", {"media": ["m"] * 21}, "media"),
        ("/bulletins", {"media": ["m" * 65]}, "media"),
        ("/bulletins", {"variants": {"en-" + "a" * 40: {"title": "t", "body": "b"}}}, "variants"),
    ],
)
def test_lists_and_strings_in_bodies_have_limits(client, path, body, field):
    status, answer = send(client, "POST", path, {**content("Nội dung.", {}), **body})

    assert status == 422
    assert any(problem["loc"][:2] == ["body", field] for problem in answer["details"])


def test_a_programme_order_entry_names_a_bulletin_of_bounded_length(client):
    today = now().date().isoformat()
    status, answer = send(
        client,
        "PUT",
        f"/units/21550/programme?date={today}",
        {"items": [{"bulletin_id": "b" * 65}]},
    )

    assert status == 422
    assert answer["details"][0]["loc"][:3] == ["body", "items", 0]


@pytest.mark.parametrize(
    "path",
    [
        "/units/52/programme?date=0001-01-01",
        "/units/52/programme?date=9999-12-31",
        "/bulletins?from=0001-01-01",
        "/units/52/stations?from=9999-12-31",
    ],
)
def test_days_outside_the_service_range_are_422_not_a_500(client, path):
    status, answer = send(client, "GET", path, language="en")

    assert status == 422
    assert answer["details"][0]["type"] == "date_out_of_range"
    assert "is outside 2000-01-01 … 2099-12-31" in answer["details"][0]["message"]


@pytest.mark.parametrize(
    ("at", "status"),
    [
        ("2000-01-01T00:30:00+08:00", 422),  # 1999-12-31 in Vietnam: refused, never stored
        ("2000-01-01T00:30:00+07:00", 201),
        ("0001-01-01T00:00:00+14:00", 422),
        ("9999-12-31T23:59:59-12:00", 422),
    ],
)
def test_a_time_is_in_range_as_stored_in_local_time(client, at, status):
    body = {**content("Nội dung.", {}), "schedule": {"type": "once", "at": at}}

    answer_status, answer = send(client, "POST", "/bulletins", body)

    assert answer_status == status, answer
    if status == 422:
        assert answer["details"][0]["type"] == "date_out_of_range"
