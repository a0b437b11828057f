"""Bulletins through the local cloud with the seeded demo users: the issue's acceptance paths."""

from itertools import count
from pathlib import Path

import pytest

from tests.days import day_from_today

ROOT = Path(__file__).resolve().parents[2]
_days = count(1)
LATER = day_from_today(60)  # for bulletins whose day does not matter to the test


def fresh_day() -> str:
    """A future day no other test of this module uses, so programmes do not mix."""
    return day_from_today(next(_days))


def draft(api, as_user="xa-editor", **changes) -> dict:
    day = changes.pop("day", None) or fresh_day()
    body = {
        "title": "Thông báo lịch tiêm chủng",
        "body": "Trạm y tế phường Nhơn Bình thông báo lịch tiêm chủng mở rộng tháng 12.",
        "category": "health",
        "priority": "normal",
        "targets": ["21550"],
        "channels": ["speaker", "board"],
        "schedule": {"type": "daily", "times": ["06:00"], "from": day, "until": day},
    }
    body.update(changes)
    response = api.post("/bulletins", body, as_user=as_user)
    assert response.status_code == 201, response.text
    return response.json()


def step(api, bulletin_id, action, as_user, body=None):
    return api.post(f"/bulletins/{bulletin_id}/{action}", body, as_user=as_user)


def programme_ids(api, unit, day, as_user="tinh-viewer"):
    response = api.get(f"/units/{unit}/programme?date={day}", as_user=as_user)
    assert response.status_code == 200, response.text
    return {item["bulletin_id"] for item in response.json()["items"]}


def test_a_commune_bulletin_approved_by_the_district_plays_in_that_commune_only(api):
    day = fresh_day()
    created = draft(api, day=day)
    assert (created["status"], created["version"]) == ("draft", 1)

    assert step(api, created["id"], "submit", "xa-editor").json()["status"] == "pending"
    approved = step(api, created["id"], "approve", "huyen-approver")

    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    assert created["id"] in programme_ids(api, "21550", day)
    for elsewhere in ("21553", "21808", "540", "52"):
        assert created["id"] not in programme_ids(api, elsewhere, day)
    programme = api.get(f"/units/21550/programme?date={day}", as_user="xa-operator").json()
    [item] = [i for i in programme["items"] if i["bulletin_id"] == created["id"]]
    assert item["start"] == f"{day}T06:00:00+07:00"
    assert (item["priority"], item["layer"]) == ("normal", "commune")
    assert item["duration_s"] > 0
    assert set(programme) >= {"unit", "date", "items", "not_placed"}


def test_a_district_approver_cannot_approve_for_another_district(api):
    created = draft(api, as_user="tinh-editor", issuer_unit="547", targets=["547"])
    step(api, created["id"], "submit", "tinh-editor")

    refused = step(api, created["id"], "approve", "huyen-approver")

    assert refused.status_code == 403
    assert refused.json()["code"] == "out_of_scope"
    assert api.get(f"/bulletins/{created['id']}", as_user="tinh-viewer").json()["status"] == (
        "pending"
    )


def test_the_author_cannot_approve_their_own(api):
    created = draft(api, as_user="tinh-admin")
    step(api, created["id"], "submit", "tinh-admin")

    refused = step(api, created["id"], "approve", "tinh-admin")

    assert refused.status_code == 403
    assert refused.json()["code"] == "self_approval"
    assert refused.json()["message"] == "Không được tự duyệt bản tin của chính mình."


def test_a_stale_patch_is_409_and_the_first_edit_stays(api):
    created = draft(api)
    first = api.patch(
        f"/bulletins/{created['id']}",
        {"version": 1, "title": "Bản sửa thứ nhất"},
        as_user="xa-editor",
    )
    stale = api.patch(
        f"/bulletins/{created['id']}",
        {"version": 1, "title": "Bản sửa thứ hai"},
        as_user="xa-editor",
    )

    assert first.status_code == 200
    assert first.json()["version"] == 2
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale_version"
    current = api.get(f"/bulletins/{created['id']}", as_user="xa-editor").json()
    assert (current["title"], current["version"]) == ("Bản sửa thứ nhất", 2)


def test_history_lists_every_change_oldest_first(api):
    created = draft(api)
    api.patch(
        f"/bulletins/{created['id']}", {"version": 1, "title": "Tiêu đề mới"}, as_user="xa-editor"
    )
    step(api, created["id"], "submit", "xa-editor")
    step(api, created["id"], "reject", "huyen-approver", {"reason": "Cần ghi rõ địa điểm"})

    history = api.get(f"/bulletins/{created['id']}/history", as_user="xa-editor").json()

    assert [(e["action"], e["from_status"], e["to_status"]) for e in history] == [
        ("created", None, "draft"),
        ("updated", "draft", "draft"),
        ("submitted", "draft", "pending"),
        ("rejected", "pending", "rejected"),
    ]
    assert history[1]["changes"]["title"] == {
        "from": "Thông báo lịch tiêm chủng",
        "to": "Tiêu đề mới",
    }
    assert history[3]["actor"]["username"] == "huyen-approver"
    assert history[3]["reason"] == "Cần ghi rõ địa điểm"


def test_withdrawal_takes_a_bulletin_out_of_the_programme(api):
    day = fresh_day()
    created = draft(api, day=day)
    step(api, created["id"], "submit", "xa-editor")
    step(api, created["id"], "approve", "huyen-approver")
    assert created["id"] in programme_ids(api, "21550", day)

    withdrawn = step(api, created["id"], "withdraw", "huyen-approver", {"reason": "Hoãn lịch tiêm"})

    assert withdrawn.json()["status"] == "withdrawn"
    assert created["id"] not in programme_ids(api, "21550", day)


@pytest.mark.parametrize(
    ("changes", "status", "code"),
    [
        ({"targets": ["99999"]}, 422, "unknown_targets"),
        ({"targets": ["21808"]}, 403, "out_of_scope"),
        (
            {
                "schedule": {
                    "type": "daily",
                    "times": ["06:00"],
                    "from": day_from_today(9),
                    "until": day_from_today(1),
                }
            },
            422,
            "validation_error",
        ),
        ({"body": "Chữ " * 600}, 422, "validation_error"),  # 2,400 characters on a board
        ({"priority": "urgent"}, 422, "validation_error"),
    ],
)
def test_bad_bulletins_are_refused_with_a_clear_error_and_nothing_is_stored(
    api, changes, status, code
):
    before = api.get("/bulletins?unit=21550&status=draft&limit=100", as_user="xa-editor").json()
    body = {
        "title": "Tin thử",
        "body": "Nội dung.",
        "category": "other",
        "targets": ["21550"],
        "channels": ["speaker", "board"],
        "schedule": {"type": "once", "at": f"{LATER}T07:00:00"},
        **changes,
    }

    response = api.post("/bulletins", body, as_user="xa-editor")

    assert response.status_code == status, response.text
    assert response.json()["code"] == code
    after = api.get("/bulletins?unit=21550&status=draft&limit=100", as_user="xa-editor").json()
    assert len(after["items"]) == len(before["items"])


def test_field_problems_say_what_is_wrong_in_vietnamese(api):
    body = {
        "title": "Tin dài",
        "body": "Chữ " * 600,
        "category": "other",
        "targets": ["21550"],
        "channels": ["board"],
        "schedule": {"type": "once", "at": f"{LATER}T07:00:00"},
    }

    [problem] = api.post("/bulletins", body, as_user="xa-editor").json()["details"]

    assert problem["type"] == "body_too_long_for_board"
    assert problem["message"] == "Bản tin cho bảng điện tử tối đa 2000 ký tự; bản tin này có 2399."


def test_lists_filter_and_page(api):
    day = fresh_day()
    ids = [draft(api, day=day, title=f"Tin số {n}")["id"] for n in range(3)]
    step(api, ids[0], "submit", "xa-editor")

    pending = api.get("/bulletins?unit=540&status=pending", as_user="huyen-approver").json()
    first = api.get(
        f"/bulletins?unit=21550&from={day}&to={day}&limit=2", as_user="xa-editor"
    ).json()
    second = api.get(
        f"/bulletins?unit=21550&from={day}&to={day}&limit=2&next={first['next']}",
        as_user="xa-editor",
    ).json()

    assert ids[0] in {b["id"] for b in pending["items"]}
    assert len(first["items"]) == 2
    assert {b["id"] for b in first["items"] + second["items"]} == set(ids)
    assert api.get("/bulletins?unit=547", as_user="huyen-approver").status_code == 403


def test_the_commune_operator_orders_the_days_normal_items(api):
    day = fresh_day()
    first, second = draft(api, day=day, title="Một")["id"], draft(api, day=day, title="Hai")["id"]
    for bulletin_id in (first, second):
        step(api, bulletin_id, "submit", "xa-editor")
        step(api, bulletin_id, "approve", "huyen-approver")

    ordered = api.put(
        f"/units/21550/programme?date={day}",
        {"items": [{"bulletin_id": second}, {"bulletin_id": first, "start": "09:30"}]},
        as_user="xa-operator",
    )
    refused = api.put(f"/units/21550/programme?date={day}", {"items": []}, as_user="xa-editor")

    assert ordered.status_code == 200, ordered.text
    starts = {item["bulletin_id"]: item["start"] for item in ordered.json()["items"]}
    assert starts == {second: f"{day}T06:00:00+07:00", first: f"{day}T09:30:00+07:00"}
    assert refused.status_code == 403


def emergency(api, targets=("540",), day=None):
    day = day or fresh_day()
    created = draft(
        api,
        as_user="tinh-editor",
        title="Cảnh báo lũ quét",
        body="Mưa lớn gây nguy cơ lũ quét; người dân không qua ngầm, tràn.",
        category="disaster",
        priority="emergency",
        targets=list(targets),
        schedule={"type": "once", "at": f"{day}T08:00:00"},
        repeat={"count": 3, "interval_min": 10},
        cap={
            "event": "Lũ quét",
            "urgency": "Immediate",
            "severity": "Severe",
            "certainty": "Likely",
            "instruction": "Không qua ngầm, tràn.",
            "expires": f"{day}T20:00:00+07:00",
        },
    )
    step(api, created["id"], "submit", "tinh-editor")
    return created


def test_a_province_emergency_for_one_district_may_be_approved_by_that_district(api):
    day = fresh_day()
    created = emergency(api, day=day)

    approved = step(api, created["id"], "approve", "huyen-approver")

    assert approved.status_code == 200, approved.text
    programme = api.get(f"/units/21550/programme?date={day}", as_user="xa-operator").json()
    plays = [i for i in programme["items"] if i["bulletin_id"] == created["id"]]
    assert [p["start"][11:16] for p in plays] == ["08:00", "08:10", "08:20"]
    assert {p["layer"] for p in plays} == {"province"}


def test_an_emergency_exports_as_cap_xml(api):
    created = emergency(api)
    step(api, created["id"], "approve", "tinh-approver")

    response = api.get(f"/bulletins/{created['id']}/cap", as_user="tinh-viewer")

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/cap+xml")
    assert "<event>Lũ quét</event>" in response.text
    assert "<msgType>Alert</msgType>" in response.text
    assert "<value>540</value>" in response.text


def test_a_normal_bulletin_has_no_cap_form(api):
    created = draft(api)

    response = api.get(f"/bulletins/{created['id']}/cap", as_user="xa-editor")

    assert response.status_code == 409
    assert response.json()["code"] == "not_an_emergency"


def test_a_cap_alert_imports_once_as_a_pending_emergency_and_cancel_withdraws_it(api):
    storm = (ROOT / "events" / "cap-alert-storm.xml").read_bytes()
    headers = {"Content-Type": "application/cap+xml"}

    imported = api.call("POST", "/alerts/cap", as_user="tinh-editor", headers=headers, data=storm)
    again = api.call("POST", "/alerts/cap", as_user="tinh-editor", headers=headers, data=storm)

    assert imported.status_code == 201, imported.text
    bulletin = imported.json()
    assert (bulletin["status"], bulletin["priority"]) == ("pending", "emergency")
    assert bulletin["targets"] == ["540", "543", "545", "548", "550"]
    assert bulletin["cap"]["event"] == "Bão"
    assert (again.status_code, again.json()["id"]) == (200, bulletin["id"])

    cancel = (
        storm.decode()
        .replace("<identifier>urn:oid:2.49.0.1.704.52.2024.11.10.0530<", "<identifier>huy-bao-9<")
        .replace(
            "<msgType>Alert</msgType>",
            "<msgType>Cancel</msgType><references>canhbao@kttv-binhdinh.example.vn,"
            "urn:oid:2.49.0.1.704.52.2024.11.10.0530,2024-11-10T05:30:00+07:00</references>",
        )
    )
    cancelled = api.call(
        "POST", "/alerts/cap", as_user="tinh-approver", headers=headers, data=cancel.encode()
    )

    assert cancelled.status_code == 200, cancelled.text
    assert (cancelled.json()["id"], cancelled.json()["status"]) == (bulletin["id"], "withdrawn")


def test_malformed_cap_is_422_and_imports_nothing(api):
    response = api.call(
        "POST", "/alerts/cap", as_user="tinh-editor", data=b"<alert>not cap</alert>"
    )

    assert response.status_code == 422
    assert response.json()["code"] == "cap_malformed"


def test_errors_in_english_on_request(api):
    response = api.post(
        "/bulletins",
        {"title": "x", "body": "y", "category": "other", "targets": ["99999"],
         "schedule": {"type": "once", "at": f"{LATER}T07:00:00"}},
        as_user="xa-editor",
        headers={"Accept-Language": "en"},
    )  # fmt: skip

    assert response.status_code == 422
    assert response.json()["message"] == "No administrative unit has the code(s): 99999."
