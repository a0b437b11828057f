"""The portal's feedback blueprint through Chalice's test client, in the portal's own app: the
form, the tracking page, reopening, the Q&A listing and Open311 GeoReport v2 (JSON and XML), on
an in-memory store."""

import importlib
import xml.etree.ElementTree as ET
from datetime import datetime, time
from itertools import count
from urllib.parse import urlencode

import pytest
from chalice.test import Client

from nguon.clock import localize
from nguon.models.feedback import Answer
from nguon.models.principal import Role
from nguon.services.feedback import FeedbackService, Limits
from nguon.services.feedback_calendar import WorkingCalendar
from nguon.services.unit_catalogue import load_bundled_catalogue
from nguon.services.units import UnitService
from tests.days import today
from tests.factories import person
from tests.fakes import InMemoryUnitStore
from tests.unit.feedback_support import InMemoryFeedbackStore
from tests.unit.portal_support import load_app

# The app as Lambda loads it (its code directory on the path); each test builds a fresh one,
# since a Blueprint answers through the app it was last registered in.
PORTAL = load_app()
feedback_routes = importlib.import_module("chalicelib.feedback_routes")

CATALOGUE = load_bundled_catalogue()
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
JSON = {"Accept": "application/json"}
COMMUNE_EDITOR = person("xa", "21550", Role.EDITOR)


class Clock:
    def __init__(self) -> None:
        day = WorkingCalendar.bundled().nth_working_day_after(today(), 1)
        self.moment = localize(datetime.combine(day, time(9)))

    def __call__(self) -> datetime:
        return self.moment


@pytest.fixture
def portal(monkeypatch):
    ids = count(1)
    store = InMemoryFeedbackStore()
    service = FeedbackService(
        UnitService(InMemoryUnitStore(CATALOGUE)),
        store,
        now=Clock(),
        new_id=lambda: f"PA-{next(ids):010X}",
        limits=Limits(per_client=100, per_contact=3),
        root="52",
    )
    monkeypatch.setattr(feedback_routes, "feedback", lambda: service)
    with Client(PORTAL.create_app()) as client:
        yield client, service, store


def form(**fields) -> str:
    base = {
        "kind": "report",
        "category": "ha-tang",
        "description": "Đèn đường hỏng, gọi 0905 123 456",
        "unit": "21550",
        "phone": "0905 123 456",
        "name": "Trần Thị B",
        "consent": "yes",
        "website": "",
    }
    return urlencode({**base, **fields})


def test_the_form_page_works_without_javascript(portal):
    client, _, _ = portal
    page = client.http.get("/units/540/feedback")
    text = page.body.decode()
    assert page.status_code == 200
    assert '<form method="post" action="/units/540/feedback">' in text
    assert 'name="website"' in text  # the honeypot
    assert "<script" not in text
    assert 'value="21550"' in text  # a district page lets the citizen choose the commune
    assert len(page.body) < 100_000


def test_a_form_report_reaches_its_commune_and_the_tracking_page_hides_the_contact(portal):
    client, service, store = portal
    sent = client.http.post("/units/540/feedback", headers=FORM, body=form())
    assert sent.status_code == 201, sent.body
    code = sent.headers["Location"].rsplit("/", 1)[-1]
    assert store.reports[code].unit == "21550"
    service.answer(COMMUNE_EDITOR, code, Answer(version=1, public_answer="Đã thay bóng đèn"))
    page = client.http.get(f"/feedback/{code}").body.decode()
    assert "Đã thay bóng đèn" in page
    as_json = client.http.get(f"/feedback/{code}", headers=JSON).json_body
    assert as_json["answer"] == "Đã thay bóng đèn"
    for shown in (page, str(as_json)):
        assert "0905 123 456" not in shown
        assert "Trần Thị B" not in shown


def test_the_honeypot_refuses_and_stores_nothing(portal):
    client, _, store = portal
    sent = client.http.post(
        "/units/21550/feedback", headers=FORM, body=form(website="http://spam.example")
    )
    assert sent.status_code == 422
    assert not store.reports


def test_an_oversize_form_is_refused(portal):
    client, _, store = portal
    sent = client.http.post(
        "/units/21550/feedback", headers=FORM, body=form(description="x" * 20_000)
    )
    assert sent.status_code == 413
    assert not store.reports


def test_a_flood_from_one_contact_gets_429_with_retry_after(portal):
    client, _, store = portal
    answers = [
        client.http.post("/units/21550/feedback", headers={**FORM, **JSON}, body=form())
        for _ in range(4)
    ]
    assert [a.status_code for a in answers] == [201, 201, 201, 429]
    assert int(answers[-1].headers["Retry-After"]) > 0
    assert answers[-1].json_body["code"] == "feedback_rate_limited"
    assert len(store.reports) == 3


def test_invalid_input_is_422_naming_the_fields(portal):
    client, _, _ = portal
    sent = client.http.post(
        "/units/21550/feedback", headers={**FORM, **JSON}, body=form(description="", consent="")
    )
    assert sent.status_code == 422
    assert "description" in sent.json_body["message"]


def test_the_citizen_reopens_with_the_key(portal):
    client, service, _ = portal
    receipt = client.http.post(
        "/units/21550/feedback", headers={**FORM, **JSON}, body=form()
    ).json_body
    code = receipt["tracking_code"]
    service.answer(COMMUNE_EDITOR, code, Answer(version=1, public_answer="Xong"))
    wrong = client.http.post(f"/feedback/{code}/reopen", headers=FORM, body="key=khong-dung-1")
    assert wrong.status_code == 422
    done = client.http.post(
        f"/feedback/{code}/reopen",
        headers=FORM,
        body=urlencode({"key": receipt["reopen_key"], "reason": "Chưa sửa"}),
    )
    assert done.status_code == 200
    assert client.http.get(f"/feedback/{code}", headers=JSON).json_body["status"] == "reopened"


def test_public_questions_are_searchable_without_diacritics(portal):
    client, service, _ = portal
    code = client.http.post(
        "/units/21550/feedback",
        headers={**FORM, **JSON},
        body=form(kind="question", category="y-te", description="Khi nào tiêm chủng đợt tới?"),
    ).json_body["tracking_code"]
    service.answer(
        COMMUNE_EDITOR, code, Answer(version=1, public_answer="Thứ Hai tuần sau", publish=True)
    )
    found = client.http.get("/units/21550/questions?q=tiem%20chung").json_body
    assert [q["tracking_code"] for q in found["items"]] == [code]
    assert client.http.get("/units/21550/questions?q=hoc%20phi").json_body["items"] == []


# --- Open311 --------------------------------------------------------------------------------


def test_open311_services_in_json_and_xml(portal):
    client, _, _ = portal
    services = client.http.get("/open311/v2/services.json").json_body
    assert {"service_code", "service_name", "metadata", "type"} <= set(services[0])
    assert services[0]["type"] == "realtime"
    root = ET.fromstring(client.http.get("/open311/v2/services.xml").body)
    assert root.tag == "services"
    assert root.find("service/service_code").text == services[0]["service_code"]


def test_open311_post_then_get_by_id(portal):
    client, _, store = portal
    body = urlencode(
        {
            "service_code": "ha-tang",
            "lat": "13.77",
            "long": "109.22",
            "address_string": "Trước chợ",
            "description": "Ổ gà lớn",
            "email": "dan@example.vn",
            "first_name": "An",
        }
    )
    created = client.http.post("/open311/v2/requests.json", headers=FORM, body=body)
    assert created.status_code == 201, created.body
    (row,) = created.json_body
    request_id = row["service_request_id"]
    assert store.reports[request_id].unit == "540"  # the point's district
    (found,) = client.http.get(f"/open311/v2/requests/{request_id}.json").json_body
    assert found["status"] == "open"
    assert found["service_code"] == "ha-tang"
    assert "dan@example.vn" not in str(found)
    xml = ET.fromstring(client.http.get(f"/open311/v2/requests/{request_id}.xml").body)
    assert xml.find("request/service_request_id").text == request_id
    listed = client.http.get("/open311/v2/requests.json?status=open").json_body
    assert [r["service_request_id"] for r in listed] == [request_id]


def test_open311_errors_are_in_the_specs_shape(portal):
    client, _, _ = portal
    missing = client.http.post(
        "/open311/v2/requests.json", headers=FORM, body="service_code=ha-tang"
    )
    assert missing.status_code == 400
    assert set(missing.json_body[0]) == {"code", "description"}
    unknown = client.http.get("/open311/v2/requests/PA-0000000000.xml")
    assert unknown.status_code == 404
    assert ET.fromstring(unknown.body).tag == "errors"


def test_a_refused_form_comes_back_with_the_reason_and_what_was_typed(portal):
    client, _, store = portal
    sent = client.http.post(
        "/units/540/feedback",
        headers=FORM,
        body=form(
            unit="21808", description="Cống thoát nước bị tắc ở tổ 5", lat="13.77", lon="109.22"
        ),
    )
    page = sent.body.decode()
    assert sent.status_code == 422
    assert 'role="alert"' in page
    assert "21808" in page
    assert "Cống thoát nước bị tắc ở tổ 5</textarea>" in page
    assert 'value="0905 123 456"' in page
    assert not store.reports
