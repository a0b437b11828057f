"""Issue 11's scope cases, each through the staff API in-process (in-memory stores, no AWS).

The area tree used: province 52 → district 540 (communes 21550, 21553) and district 547
(commune 21808). Every case names the hole it closes; the authorization matrix
(``test_authorization_matrix.py``) covers every route × role × place.
"""

from datetime import datetime, timedelta
from itertools import count
from pathlib import Path

import pytest

from nguon.clock import localize
from nguon.models.bulletins import Actor, Status
from nguon.services.alerts import AlertService
from nguon.services.bulletins import BulletinService
from nguon.services.unit_catalogue import load_bundled_catalogue
from nguon.services.units import UnitService
from tests.api_events import call as api_call
from tests.fakes import InMemoryBulletinStore, InMemoryUnitStore

ROOT = Path(__file__).resolve().parents[2]
STORM = (ROOT / "events" / "cap-alert-storm.xml").read_text()
ORIGINAL = "urn:oid:2.49.0.1.704.52.2024.11.10.0530"
AGENCY = "canhbao@kttv-binhdinh.example.vn"
# The clock of the sample storm alert (its effective and expiry times are in the file).
NOW = localize(datetime(2024, 11, 10, 5, 45))
DAY = NOW.date()

PROVINCE_EDITOR = {"user": "tinh-editor", "groups": "editor", "unit": "52"}
PROVINCE_APPROVER = {"user": "tinh-approver", "groups": "approver", "unit": "52"}
DISTRICT_APPROVER = {"user": "huyen-approver", "groups": "approver", "unit": "540"}
DISTRICT_VIEWER = {"user": "huyen-viewer", "groups": "viewer", "unit": "540"}
COMMUNE_EDITOR = {"user": "xa-editor", "groups": "editor", "unit": "21550"}
COMMUNE_APPROVER = {"user": "xa-approver", "groups": "approver", "unit": "21550"}
TAYSON_VIEWER = {"user": "tayson-viewer", "groups": "viewer", "unit": "21808"}
TAYSON_EDITOR = {"user": "tayson-editor", "groups": "editor", "unit": "21808"}


@pytest.fixture
def world(monkeypatch):
    import app
    from staff_api.routes import alerts, bulletins

    store = InMemoryBulletinStore()
    ids = count(1)
    units = UnitService(InMemoryUnitStore(load_bundled_catalogue()))
    service = BulletinService(units, store, now=lambda: NOW, new_id=lambda: f"b{next(ids)}")
    cap = AlertService(units, service, store, sender="nguon@binhdinh.gov.vn", clock=lambda: NOW)
    monkeypatch.setattr(bulletins, "bulletin_service", lambda: service)
    monkeypatch.setattr(bulletins, "alert_service", lambda: cap)
    monkeypatch.setattr(alerts, "alert_service", lambda: cap)
    return app.lambda_handler, store


def call(handler, method, path, who, **options):
    # The Cognito sub follows the username, so one person keeps one id across roles and units.
    return api_call(handler, method, path, **who, sub=f"sub-{who['user']}", **options)


def content(targets, *, priority="normal", issuer=None, days=1):
    body = {
        "title": "Cảnh báo lũ" if priority == "emergency" else "Lịch tiêm chủng",
        "body": "Thông báo của Ủy ban nhân dân.",
        "category": "disaster" if priority == "emergency" else "health",
        "priority": priority,
        "targets": targets,
        "schedule": {
            "type": "daily",
            "times": ["06:00"],
            "from": (DAY + timedelta(days=days)).isoformat(),
            "until": (DAY + timedelta(days=days + 3)).isoformat(),
        },
    }
    if priority == "emergency":
        body["cap"] = {"event": "Lũ"}
    if issuer:
        body["issuer_unit"] = issuer
    return body


def draft(handler, author, targets, **options):
    status, created = call(handler, "POST", "/bulletins", author, body=content(targets, **options))
    assert status == 201, created
    return created["id"]


def pending(handler, author, targets, **options):
    bulletin_id = draft(handler, author, targets, **options)
    status, _ = call(handler, "POST", f"/bulletins/{bulletin_id}/submit", author, raw="")
    assert status == 200
    return bulletin_id


def approved(handler, author, approver, targets, **options):
    bulletin_id = pending(handler, author, targets, **options)
    status, body = call(handler, "POST", f"/bulletins/{bulletin_id}/approve", approver, raw="")
    assert status == 200, body
    return bulletin_id


def refused(answer, code):
    status, body = answer
    assert (status, body.get("code")) == (403, code), body


def commune_update_of_the_storm(identifier: str = "bao-9-xa") -> str:
    """An ``Update`` of the province's storm alert whose only area is Phường Nhơn Bình."""
    start = STORM.index("<polygon>")
    end = STORM.index("</polygon>") + len("</polygon>")
    return (
        (STORM[:start] + STORM[end:])
        .replace(f"<identifier>{ORIGINAL}<", f"<identifier>{identifier}<")
        .replace(
            "<msgType>Alert</msgType>",
            "<msgType>Update</msgType>"
            f"<references>{AGENCY},{ORIGINAL},2024-11-10T05:30:00+07:00</references>",
        )
    )


def province_storm_on_air(handler) -> str:
    status, imported = call(handler, "POST", "/alerts/cap", PROVINCE_EDITOR, raw=STORM)
    assert status == 201, imported
    status, _ = call(handler, "POST", f"/bulletins/{imported['id']}/approve", PROVINCE_APPROVER)
    assert status == 200
    return imported["id"]


# --- 1. A commune cannot take a province emergency off the air --------------------------------


def test_1_a_commune_cap_update_cannot_supersede_the_province_emergency(world):
    handler, store = world
    storm = province_storm_on_air(handler)

    answer = call(handler, "POST", "/alerts/cap", COMMUNE_EDITOR, raw=commune_update_of_the_storm())

    refused(answer, "supersede_out_of_scope")
    assert store.get(storm).status is Status.APPROVED
    assert len(store.bulletins) == 1  # nothing pending to approve later


def test_1_a_revision_made_before_the_rule_cannot_supersede_at_approval(world):
    handler, store = world
    storm = province_storm_on_air(handler)
    # A commune revision of the province's storm, pending (as the old import made them).
    revision_id = pending(handler, COMMUNE_EDITOR, ["21550"], priority="emergency")
    store.bulletins[revision_id] = store.get(revision_id).model_copy(update={"supersedes": storm})

    answer = call(handler, "POST", f"/bulletins/{revision_id}/approve", COMMUNE_APPROVER)

    refused(answer, "supersede_out_of_scope")
    assert store.get(storm).status is Status.APPROVED
    assert store.get(revision_id).status is Status.PENDING


def test_1_revise_is_for_those_who_could_approve_and_withdraw_the_original(world):
    handler, store = world
    storm = province_storm_on_air(handler)

    refused(call(handler, "POST", f"/bulletins/{storm}/revise", COMMUNE_EDITOR), "out_of_scope")
    status, revision = call(handler, "POST", f"/bulletins/{storm}/revise", PROVINCE_EDITOR)
    call(handler, "POST", f"/bulletins/{revision['id']}/submit", PROVINCE_EDITOR)
    # The district approver may approve a province emergency aimed at the district only, but
    # could not withdraw the province's original: the revision waits for the province.
    store.bulletins[revision["id"]] = store.get(revision["id"]).model_copy(
        update={"targets": ["540"]}
    )
    refused(
        call(handler, "POST", f"/bulletins/{revision['id']}/approve", DISTRICT_APPROVER),
        "supersede_out_of_scope",
    )
    status, _ = call(handler, "POST", f"/bulletins/{revision['id']}/approve", PROVINCE_APPROVER)

    assert status == 200
    assert store.get(storm).status is Status.WITHDRAWN


def test_1_a_province_cap_update_still_supersedes_the_province_emergency(world):
    handler, store = world
    storm = province_storm_on_air(handler)
    update = commune_update_of_the_storm("bao-9-tinh")

    status, revision = call(handler, "POST", "/alerts/cap", PROVINCE_EDITOR, raw=update)
    approval, _ = call(handler, "POST", f"/bulletins/{revision['id']}/approve", PROVINCE_APPROVER)

    assert (status, approval) == (201, 200)
    assert store.get(storm).superseded_by == revision["id"]


# --- 2. Reading reaches no further than the reader's area ------------------------------------


def test_2_a_province_draft_for_another_district_is_not_readable(world):
    handler, _ = world
    bulletin_id = draft(handler, PROVINCE_EDITOR, ["547"])

    refused(call(handler, "GET", f"/bulletins/{bulletin_id}", DISTRICT_VIEWER), "out_of_scope")
    refused(
        call(handler, "GET", f"/bulletins/{bulletin_id}/history", DISTRICT_VIEWER), "out_of_scope"
    )
    # Nor one aimed at the reader's own area, while it is a draft: only once approved.
    own = draft(handler, PROVINCE_EDITOR, ["540"])
    refused(call(handler, "GET", f"/bulletins/{own}", DISTRICT_VIEWER), "out_of_scope")
    _, listed = call(handler, "GET", "/bulletins", DISTRICT_VIEWER)
    assert listed["items"] == []


def test_2_an_approved_province_bulletin_reaches_the_areas_it_targets_only(world):
    handler, _ = world
    for_tayson = approved(handler, PROVINCE_EDITOR, PROVINCE_APPROVER, ["547"])
    for_everyone = approved(handler, PROVINCE_EDITOR, PROVINCE_APPROVER, ["52"])

    status, _ = call(handler, "GET", f"/bulletins/{for_tayson}", TAYSON_VIEWER)
    everyone, _ = call(handler, "GET", f"/bulletins/{for_everyone}", DISTRICT_VIEWER)
    refused(call(handler, "GET", f"/bulletins/{for_tayson}", DISTRICT_VIEWER), "out_of_scope")
    # A list shows what is issued in or aimed inside the listed unit's subtree.
    _, tayson = call(handler, "GET", "/bulletins", {**TAYSON_VIEWER, "unit": "547"})

    assert (status, everyone) == (200, 200)
    assert [item["id"] for item in tayson["items"]] == [for_tayson]


def test_2_what_a_commune_issues_is_readable_above_it_while_a_draft(world):
    handler, _ = world
    bulletin_id = draft(handler, COMMUNE_EDITOR, ["21550"])

    status, _ = call(handler, "GET", f"/bulletins/{bulletin_id}/history", DISTRICT_VIEWER)
    _, listed = call(handler, "GET", "/bulletins", DISTRICT_VIEWER)

    assert status == 200
    assert [item["id"] for item in listed["items"]] == [bulletin_id]


def test_2_an_approver_sees_the_pending_emergency_they_may_approve(world):
    handler, _ = world
    bulletin_id = pending(handler, PROVINCE_EDITOR, ["540"], priority="emergency")

    status, _ = call(handler, "GET", f"/bulletins/{bulletin_id}", DISTRICT_APPROVER)

    assert status == 200
    refused(call(handler, "GET", f"/bulletins/{bulletin_id}", DISTRICT_VIEWER), "out_of_scope")


# --- 3. A CAP replay answers only to those who may read the bulletin -------------------------


def test_3_replaying_a_known_cap_alert_does_not_hand_it_to_outsiders(world):
    handler, store = world
    status, imported = call(handler, "POST", "/alerts/cap", PROVINCE_EDITOR, raw=STORM)

    answer = call(handler, "POST", "/alerts/cap", TAYSON_EDITOR, raw=STORM)
    again, same = call(handler, "POST", "/alerts/cap", PROVINCE_EDITOR, raw=STORM)

    assert status == 201
    refused(answer, "out_of_scope")
    assert (again, same["id"]) == (200, imported["id"])
    assert len(store.bulletins) == 1


# --- 4. Withdrawing is no wider than approving ------------------------------------------------


def test_4_the_emergency_clause_is_for_approval_only(world):
    handler, store = world
    on_air = approved(handler, PROVINCE_EDITOR, PROVINCE_APPROVER, ["540"], priority="emergency")
    waiting = pending(handler, PROVINCE_EDITOR, ["540"], priority="emergency")
    reason = {"reason": "Không còn nguy hiểm"}

    refused(
        call(handler, "POST", f"/bulletins/{on_air}/withdraw", DISTRICT_APPROVER, body=reason),
        "out_of_scope",
    )
    refused(
        call(handler, "POST", f"/bulletins/{waiting}/reject", DISTRICT_APPROVER, body=reason),
        "out_of_scope",
    )
    status, _ = call(handler, "POST", f"/bulletins/{waiting}/approve", DISTRICT_APPROVER)

    assert status == 200
    assert store.get(on_air).status is Status.APPROVED


def test_4_an_author_withdraws_only_with_their_current_role_and_unit(world):
    handler, store = world
    bulletin_id = approved(handler, COMMUNE_EDITOR, DISTRICT_APPROVER, ["21550"])
    reason = {"reason": "Nhầm ngày"}
    demoted = {**COMMUNE_EDITOR, "groups": "viewer"}
    moved = {**COMMUNE_EDITOR, "unit": "21808"}

    refused(
        call(handler, "POST", f"/bulletins/{bulletin_id}/withdraw", demoted, body=reason),
        "role_missing",
    )
    refused(
        call(handler, "POST", f"/bulletins/{bulletin_id}/withdraw", moved, body=reason),
        "out_of_scope",
    )
    status, _ = call(
        handler, "POST", f"/bulletins/{bulletin_id}/withdraw", COMMUNE_EDITOR, body=reason
    )

    assert status == 200
    assert store.get(bulletin_id).withdrawal.by == Actor(
        user_id="sub-xa-editor", username="xa-editor", unit="21550"
    )


def test_4_revise_says_nothing_about_a_bulletin_out_of_scope(world):
    handler, _ = world
    bulletin_id = draft(handler, COMMUNE_EDITOR, ["21550"])

    refused(
        call(handler, "POST", f"/bulletins/{bulletin_id}/revise", TAYSON_EDITOR), "out_of_scope"
    )
    status, body = call(handler, "POST", f"/bulletins/{bulletin_id}/revise", COMMUNE_EDITOR)

    assert (status, body["code"]) == (409, "wrong_status")


# --- 7. An operator plays approved bulletins only ---------------------------------------------

SPEAKER = "spk-21550-01"
CITY_OPERATOR = {"user": "huyen-operator", "groups": "operator", "unit": "540"}


@pytest.fixture
def speakers(world, monkeypatch):
    from staff_api.routes import devices

    from nguon.services.devices import DeviceService
    from nguon.services.programmes import ProgrammeService
    from tests.factories import device
    from tests.fakes import FakeIotDataPlane, InMemoryDeviceStore, InMemoryProgrammeStore

    handler, store = world
    from staff_api.routes import bulletins

    units = UnitService(InMemoryUnitStore(load_bundled_catalogue()))
    iot = FakeIotDataPlane()
    service = DeviceService(
        units,
        InMemoryDeviceStore([device(SPEAKER, online=True)]),
        iot,
        now=lambda: NOW,
        programmes=ProgrammeService(units, store, InMemoryProgrammeStore()),
        playable=bulletins.bulletin_service().playable,
    )
    monkeypatch.setattr(devices, "device_service", lambda: service)
    return handler, iot


def play_now(handler, who, **args):
    return call(
        handler,
        "POST",
        f"/devices/{SPEAKER}/commands",
        who,
        body={"command": "play_now", "args": args},
    )


def test_7_free_text_is_not_read_out(speakers):
    handler, iot = speakers

    status, body = play_now(handler, CITY_OPERATOR, text="Mời bà con ra đình họp gấp.")

    assert status == 422
    assert body["details"][0]["type"] == "play_now_text_refused"
    assert iot.published == []


def test_7_play_now_takes_an_approved_bulletin_valid_now_for_the_devices_area(speakers):
    handler, iot = speakers
    today = {"days": 0}
    unapproved = pending(handler, COMMUNE_EDITOR, ["21550"], **today)
    later = approved(handler, COMMUNE_EDITOR, DISTRICT_APPROVER, ["21550"], days=2)
    elsewhere = approved(handler, COMMUNE_EDITOR, DISTRICT_APPROVER, ["21550"], **today)
    on_air = approved(handler, PROVINCE_EDITOR, PROVINCE_APPROVER, ["540"], **today)
    tayson = approved(handler, PROVINCE_EDITOR, PROVINCE_APPROVER, ["547"], **today)
    next_door = approved(handler, PROVINCE_EDITOR, PROVINCE_APPROVER, ["21553"], **today)

    not_yet = play_now(handler, CITY_OPERATOR, bulletin_id=unapproved)
    future = play_now(handler, CITY_OPERATOR, bulletin_id=later)
    wrong_area = play_now(handler, CITY_OPERATOR, bulletin_id=tayson)
    not_here = play_now(handler, CITY_OPERATOR, bulletin_id=next_door)
    played = play_now(handler, CITY_OPERATOR, bulletin_id=on_air)

    assert (not_yet[0], not_yet[1]["code"]) == (409, "play_now_not_on_air")
    assert (future[0], future[1]["code"]) == (409, "play_now_not_on_air")
    assert (wrong_area[0], wrong_area[1]["code"]) == (403, "out_of_scope")
    assert (not_here[0], not_here[1]["code"]) == (422, "play_now_not_for_this_device")
    assert played[0] == 202
    assert elsewhere  # a commune bulletin of the device's own commune plays too:
    assert play_now(handler, CITY_OPERATOR, bulletin_id=elsewhere)[0] == 202
    assert [message["args"] for _, message, _ in iot.published] == [
        {"bulletin_id": on_air},
        {"bulletin_id": elsewhere},
    ]
