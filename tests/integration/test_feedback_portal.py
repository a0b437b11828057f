"""Citizens' feedback through the local cloud: Open311 by raw HTTP as the GeoReport v2 spec
shows it, a portal form report answered by its commune's staff, the scope of staff, and a
flood refused. The portal at ``portal_url`` (no sign-in), the staff API at ``api_url``."""

import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import pytest
import requests

pytestmark = pytest.mark.integration

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture(scope="module")
def portal(endpoints) -> str:
    return endpoints["portal_url"].rstrip("/")


def test_open311_round_trip_by_raw_http(portal):
    # GET services.json: the service list
    services = requests.get(f"{portal}/open311/v2/services.json", timeout=10)
    assert services.status_code == 200
    assert services.headers["Content-Type"].startswith("application/json")
    codes = [service["service_code"] for service in services.json()]
    assert "ha-tang" in codes
    # POST requests.json, form-encoded, as the spec's example
    body = urlencode(
        {
            "service_code": "ha-tang",
            "lat": "13.7765",
            "long": "109.2237",
            "address_string": "Trước chợ Lớn, Quy Nhơn",
            "email": "nguoidan@example.vn",
            "first_name": "Văn",
            "last_name": "An",
            "phone": "0905 777 888",
            "description": "Ổ gà lớn giữa đường, xe máy dễ ngã.",
        }
    )
    created = requests.post(
        f"{portal}/open311/v2/requests.json", data=body, headers=FORM, timeout=10
    )
    assert created.status_code == 201, created.text
    (receipt,) = created.json()
    request_id = receipt["service_request_id"]
    assert receipt["service_notice"]
    # GET requests/{id}.json
    found = requests.get(f"{portal}/open311/v2/requests/{request_id}.json", timeout=10)
    assert found.status_code == 200
    (report,) = found.json()
    assert report["service_request_id"] == request_id
    assert report["status"] == "open"
    assert report["service_code"] == "ha-tang"
    assert report["address_id"] == "540"  # the point's district: Quy Nhơn
    assert report["requested_datetime"].endswith("+07:00")
    for private in ("nguoidan@example.vn", "0905 777 888", "An"):
        assert private not in {str(value) for value in report.values()}
    xml = requests.get(f"{portal}/open311/v2/requests/{request_id}.xml", timeout=10)
    assert xml.headers["Content-Type"].startswith("text/xml")
    assert ET.fromstring(xml.content).findtext("request/service_request_id") == request_id


def test_a_form_report_reaches_its_commune_is_answered_and_shown_without_the_contact(portal, api):
    # Given a citizen's report from the district's form, naming their commune
    form = urlencode(
        {
            "kind": "report",
            "category": "moi-truong",
            "unit": "21550",
            "description": "Rác đổ trộm ở bờ kè, gọi tôi: 0912 345 678",
            "phone": "0912 345 678",
            "email": "chi.ba@example.vn",
            "name": "Lê Thị Ba",
            "consent": "yes",
            "website": "",
        }
    )
    sent = requests.post(
        f"{portal}/units/540/feedback",
        data=form,
        headers={**FORM, "Accept": "application/json"},
        timeout=10,
    )
    assert sent.status_code == 201, sent.text
    code = sent.json()["tracking_code"]

    # Then it waits in the commune's queue, not elsewhere
    queue = api.get("/feedback?unit=21550", as_user="xa-editor")
    assert queue.status_code == 200, queue.text
    assert code in [item["report"]["id"] for item in queue.json()["items"]]
    mine = api.get(f"/feedback/{code}", as_user="xa-editor").json()
    assert mine["contact"]["phone"] == "0912 345 678"  # staff in scope see the contact

    # When its staff acknowledge and answer it
    acknowledged = api.post(f"/feedback/{code}/acknowledge", {"version": 1}, as_user="xa-editor")
    assert acknowledged.status_code == 200, acknowledged.text
    answered = api.post(
        f"/feedback/{code}/answer",
        {
            "version": 2,
            "public_answer": "Đã thu gom rác, sẽ lắp biển cấm.",
            "private_answer": "Cảm ơn chị",
        },
        as_user="xa-editor",
    )
    assert answered.status_code == 200, answered.text

    # Then the tracking page shows the answer, and never the contact
    page = requests.get(f"{portal}/feedback/{code}", timeout=10)
    public = requests.get(
        f"{portal}/feedback/{code}", headers={"Accept": "application/json"}, timeout=10
    )
    assert page.status_code == public.status_code == 200
    assert "Đã thu gom rác" in page.text
    assert public.json()["answer"] == "Đã thu gom rác, sẽ lắp biển cấm."
    assert public.json()["status"] == "answered"
    for private in ("0912 345 678", "chi.ba@example.vn", "Lê Thị Ba", "Cảm ơn chị"):
        assert private not in page.text
        assert private not in public.text


def test_staff_out_of_scope_are_refused(portal, api):
    code = _report(portal, "21550", phone="0933 000 111")
    refused = api.get(f"/feedback/{code}", as_user="xa-tayson-operator")
    assert refused.status_code == 403
    assert refused.json()["code"] == "out_of_scope"
    stranger = api.post(
        f"/feedback/{code}/acknowledge", {"version": 1}, as_user="xa-tayson-operator"
    )
    assert stranger.status_code == 403


def test_a_flood_from_one_contact_is_refused_with_429_and_nothing_stored(portal, api):
    phone = "0977 123 999"
    marker = "Cầu tạm ở thôn Tân Hòa bị nứt"
    codes = [_report(portal, "21550", phone=phone, description=marker) for _ in range(5)]
    flood = requests.post(
        f"{portal}/units/21550/feedback",
        data=_form("21550", phone, marker),
        headers={**FORM, "Accept": "application/json"},
        timeout=10,
    )
    assert flood.status_code == 429
    assert int(flood.headers["Retry-After"]) > 0
    listed = api.get("/feedback?unit=21550&view=all", as_user="xa-editor").json()["items"]
    mine = [i for i in listed if i["report"]["description"] == marker]
    assert sorted(i["report"]["id"] for i in mine) == sorted(codes)


def _form(unit: str, phone: str, description: str) -> str:
    return urlencode(
        {
            "category": "an-ninh",
            "unit": unit,
            "description": description,
            "phone": phone,
            "consent": "yes",
        }
    )


def _report(portal: str, unit: str, phone: str, description: str = "Nước lũ tràn qua đường") -> str:
    sent = requests.post(
        f"{portal}/units/{unit}/feedback",
        data=_form(unit, phone, description),
        headers={**FORM, "Accept": "application/json"},
        timeout=10,
    )
    assert sent.status_code == 201, sent.text
    return sent.json()["tracking_code"]
