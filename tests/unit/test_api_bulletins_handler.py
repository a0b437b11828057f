"""The bulletin routes in-process from the sample event in events/ (in-memory stores, no AWS)."""

import copy
import json
from datetime import timedelta
from pathlib import Path

import pytest

from nguon.services.bulletins import BulletinService
from nguon.services.unit_catalogue import load_bundled_catalogue
from nguon.services.units import UnitService
from tests import factories
from tests.fakes import InMemoryBulletinStore, InMemoryUnitStore
from tests.unit.test_api_handler import Context

EVENT = json.loads((Path(__file__).parents[2] / "events" / "api-post-bulletin.json").read_text())


@pytest.fixture
def store():
    return InMemoryBulletinStore()


@pytest.fixture
def handler(monkeypatch, store):
    import app
    from staff_api import application, dependencies

    units = UnitService(InMemoryUnitStore(load_bundled_catalogue()))
    service = BulletinService(units, store)
    monkeypatch.setitem(
        application.app.dependency_overrides, dependencies.bulletin_service, lambda: service
    )
    return app.lambda_handler


@pytest.fixture
def api_clock():
    """Sets the API's one clock (``staff_api.dependencies.current_time``) for a test."""
    from staff_api.application import app
    from staff_api.dependencies import current_time

    def set_to(moment):
        app.dependency_overrides[current_time] = lambda: moment

    yield set_to
    app.dependency_overrides.pop(current_time, None)


def call(handler, method="POST", path="/bulletins", body=None, **headers):
    event = copy.deepcopy(EVENT)
    event.update(httpMethod=method, path=path)
    if body is not None:
        event["body"] = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    event["headers"].update(headers)
    event["multiValueHeaders"].update({name: [value] for name, value in headers.items()})
    response = handler(event, Context())
    return response["statusCode"], json.loads(response["body"])


def test_the_sample_event_creates_a_draft(handler):
    status, body = call(handler)

    assert status == 201
    assert (body["status"], body["version"], body["issuer_unit"]) == ("draft", 1, "21550")
    assert body["schedule"] == {
        "type": "daily", "times": ["06:00"], "from": "2026-12-01", "until": "2026-12-07",
    }  # fmt: skip
    assert body["effective_from"] == "2026-12-01T00:00:00+07:00"
    assert body["expected_duration_s"] > 3
    assert body["title"] == "Lịch tiêm chủng tháng 12"


def test_a_created_bulletin_reads_back_and_its_history_starts(handler):
    _, created = call(handler)

    status, read = call(handler, "GET", f"/bulletins/{created['id']}", body="")
    _, history = call(handler, "GET", f"/bulletins/{created['id']}/history", body="")

    assert status == 200
    assert read["id"] == created["id"]
    assert [event["action"] for event in history] == ["created"]


def test_unreadable_json_is_400(handler):
    status, body = call(handler, body='{"title": ')

    assert status == 400
    assert body["code"] == "bad_request"


def test_an_unknown_field_is_named(handler):
    sample = json.loads(EVENT["body"])

    status, body = call(handler, body={**sample, "shedule": sample["schedule"]})

    assert status == 422
    assert {"loc": ["body", "shedule"], "type": "extra_forbidden"} in body["details"]


def test_submit_without_a_body_works_and_a_stale_version_is_409(handler):
    _, created = call(handler)

    stale, problem = call(handler, "POST", f"/bulletins/{created['id']}/submit", {"version": 7})
    status, body = call(handler, "POST", f"/bulletins/{created['id']}/submit", body="")

    assert (stale, problem["code"]) == (409, "stale_version")
    assert (status, body["status"]) == (200, "pending")


def test_a_board_body_over_the_limit_says_so_in_english_on_request(handler):
    sample = json.loads(EVENT["body"])

    status, body = call(handler, body={**sample, "body": "x " * 1500}, **{"Accept-Language": "en"})

    assert status == 422
    [problem] = body["details"]
    assert (
        problem["message"]
        == "A bulletin for boards has at most 2000 characters; this one has 2999."
    )


def test_a_bulletin_reads_as_on_air_then_expired_by_the_apis_clock(handler, store, api_clock):
    approved = factories.bulletin(issuer="21550", times=["06:00"])  # valid on the factory's day
    store.bulletins[approved.id] = approved
    start, end = approved.validity()

    api_clock(start + timedelta(hours=1))
    _, during = call(handler, "GET", f"/bulletins/{approved.id}", body="")
    api_clock(end + timedelta(seconds=1))
    _, after = call(handler, "GET", f"/bulletins/{approved.id}", body="")

    assert (during["status"], during["on_air"]) == ("approved", True)
    assert (after["status"], after["on_air"]) == ("expired", False)


def test_editing_a_pending_bulletin_is_409_naming_its_status(handler):
    # The error's own parameter is called status: it once collided with the HTTP status and
    # the error handler itself failed (no JSON answer at all).
    _, created = call(handler)
    call(handler, "POST", f"/bulletins/{created['id']}/submit", body="")

    status, body = call(handler, "PATCH", f"/bulletins/{created['id']}", {"version": 2})

    assert status == 409
    assert body["code"] == "not_editable"
    assert "pending" in body["message"]
