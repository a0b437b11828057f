"""Directives through the API on the template's table (moto): the DynamoDB store's conditions
(acknowledged once with the directive's counter, escalated once, closed once), its listings'
key patterns, and compliance read from the stats counters."""

from datetime import timedelta

import boto3
import pytest

from nguon.config import get_settings
from nguon.errors import Conflict
from nguon.models.bulletins import Actor
from nguon.models.directives import Box
from nguon.models.principal import Role
from nguon.services.directives import DirectiveService, Escalation
from nguon.services.stats import StatsService
from nguon.services.units import UnitService
from nguon.storage.bulletins import DynamoBulletinStore
from nguon.storage.directives import DynamoDirectiveStore
from nguon.storage.stats import DynamoStatsStore
from nguon.storage.units import DynamoUnitStore
from tests.api_events import call
from tests.days import day_from_today, today
from tests.factories import person
from tests.unit.api_world import seed_bulletins, world

DISTRICT_APPROVER = {"user": "huyen-lanh-dao", "groups": "approver", "unit": "540"}
COMMUNE_EDITOR = {"user": "xa-bien-tap", "groups": "editor", "unit": "21550"}
NEIGHBOUR_EDITOR = {"user": "xa-ben", "groups": "editor", "unit": "21553"}


@pytest.fixture(scope="module")
def api():
    with world():
        import app

        def request(method, path, who, **options):
            return call(app.lambda_handler, method, path, **who, **options)

        yield request


def issue(api, **more):
    body = {
        "title": "Tăng cường thông tin phòng chống bão",
        "text": "Phát bản tin phòng chống bão 3 lần mỗi ngày.",
        "due": today().isoformat(),
        "targets": ["21550", "21553"],
        **more,
    }
    status, made = api("POST", "/directives", DISTRICT_APPROVER, body=body)
    assert status == 201, made
    return made


def test_acknowledged_once_on_the_table(api):
    made = issue(api)
    status, first = api("POST", f"/directives/{made['id']}/acknowledge", COMMUNE_EDITOR, raw="")
    assert status == 200, first
    assert first["acknowledged"] == 1
    again_status, again = api(
        "POST", f"/directives/{made['id']}/acknowledge", COMMUNE_EDITOR, body={"unit": "21550"}
    )
    assert again_status == 200
    assert again["acknowledged"] == 1
    assert again["targets"][0] == first["targets"][0]

    # The store itself refuses a second acknowledgement (a lost race answers False).
    store = DynamoDirectiveStore()
    directive, acknowledged, _ = store.get(made["id"])
    actor = Actor(user_id="u", username="u", unit="21550")
    assert store.acknowledge(directive, "21550", actor, directive.created_at) is False
    assert store.get(made["id"])[1] == acknowledged == 1


def test_listings_by_key_pattern(api):
    made = issue(api, targets=["21556"])
    status, received = api("GET", "/directives", COMMUNE_EDITOR, query={"unit": "21550"})
    assert status == 200
    assert made["id"] not in [item["id"] for item in received["items"]]
    who = {**COMMUNE_EDITOR, "unit": "21556"}
    _, theirs = api("GET", "/directives", who, query={"unit": "21556"})
    assert [item["id"] for item in theirs["items"]] == [made["id"]]
    assert theirs["items"][0]["targets"][0]["unit"] == "21556"
    _, issued = api("GET", "/directives", DISTRICT_APPROVER, query={"box": "issued"})
    assert made["id"] in [item["id"] for item in issued["items"]]
    _, below = api("GET", "/directives", DISTRICT_APPROVER, query={"box": "below"})
    assert made["id"] in [item["id"] for item in below["items"]]
    _, own = api("GET", "/directives", DISTRICT_APPROVER, query={"box": "received"})
    assert own["items"] == []
    status, refused = api("GET", f"/directives/{made['id']}", NEIGHBOUR_EDITOR)
    assert (status, refused["code"]) == (403, "out_of_scope")


def test_escalated_once_and_closing_drops_what_is_owed(api):
    made = issue(api, targets=["21559", "21562"])
    closed = issue(api, targets=["21565"])
    assert api("POST", f"/directives/{closed['id']}/close", DISTRICT_APPROVER)[0] == 200
    store = DynamoDirectiveStore()
    owed = store.owed_before(today() + timedelta(days=1))
    assert {(d, u) for d, u, _ in owed} >= {(made["id"], "21559"), (made["id"], "21562")}
    assert not [row for row in owed if row[0] == closed["id"]]
    # A closed directive takes no acknowledgement, even past the service's own check.
    stored = store.get(closed["id"])[0]
    with pytest.raises(Conflict):
        store.acknowledge(
            stored, "21565", Actor(user_id="u", username="u", unit="21565"), stored.created_at
        )

    units = UnitService(DynamoUnitStore())
    later = DirectiveService(
        units,
        store,
        DynamoStatsStore(),
        bulletin=lambda p, b: None,
        media=lambda p, m: None,
        now=lambda: today_at_nine() + timedelta(days=2),
    )
    escalation = Escalation(units, store, now=lambda: today_at_nine() + timedelta(days=2))
    first = escalation.run()
    assert first >= 2
    assert escalation.run() == 0
    targets = {t.unit: t for t in store.get(made["id"])[2]}
    assert targets["21559"].escalated_to == "540"

    overdue = later.search(
        person("p", "540", Role.APPROVER), unit="540", box=Box.BELOW, overdue=True
    )
    assert made["id"] in [item.id for item in overdue.items]
    assert closed["id"] not in [item.id for item in overdue.items]


def today_at_nine():
    from datetime import datetime, time

    from nguon.clock import localize

    return localize(datetime.combine(today(), time(9, 0)))


def test_compliance_reads_the_counters(api):
    approved = seed_bulletins()[2]
    made = issue(
        api,
        targets=["21550"],
        bulletins=[{"bulletin_id": approved, "plays_per_day": 3, "until": day_from_today(3)}],
    )
    DynamoStatsStore().add_once("test|plays", {("21550", today()): {f"played@{approved}": 4}})
    status, view = api("GET", f"/directives/{made['id']}", COMMUNE_EDITOR)
    assert status == 200, view
    [measured] = view["compliance"]
    assert measured["targets"][0]["by_commune"][0]["daily"] == [4]
    assert measured["targets"][0]["plays"] == 4


def test_directives_received_and_acknowledged_count_toward_the_plans_indicator(api):
    # A district directive to two communes of Tây Sơn (547), acknowledged by one; the table's
    # target items reach StatsFunction as the stream delivers them (twice: counted once).
    who = {**DISTRICT_APPROVER, "unit": "547"}
    body = {
        "title": "Báo cáo tình hình mưa lũ",
        "text": "Xác nhận đã nhận.",
        "due": today().isoformat(),
    }
    status, made = api("POST", "/directives", who, body={**body, "targets": ["21808", "21811"]})
    assert status == 201, made
    acker = {**COMMUNE_EDITOR, "unit": "21808"}
    assert api("POST", f"/directives/{made['id']}/acknowledge", acker, raw="")[0] == 200
    client = boto3.client("dynamodb", region_name=get_settings().region)
    targets = client.query(
        TableName=get_settings().table_name,
        KeyConditionExpression="PK = :pk AND begins_with(SK, :sk)",
        ExpressionAttributeValues={
            ":pk": {"S": f"DIRECTIVE#{made['id']}"},
            ":sk": {"S": "TARGET#"},
        },
    )["Items"]
    records = [
        {"eventName": event, "dynamodb": {"Keys": {"PK": t["PK"], "SK": t["SK"]}, "NewImage": t}}
        for t in targets
        for event in ("INSERT", "MODIFY")  # the MODIFY of the one not acknowledged adds nothing
    ]
    stats = StatsService(UnitService(DynamoUnitStore()), DynamoBulletinStore(), DynamoStatsStore())
    counted = [stats.record(record) for record in records * 2]

    day = today().isoformat()
    viewer = {"user": "huyen-xem", "groups": "viewer", "unit": "547"}
    status, board = api("GET", "/kpis", viewer, query={"unit": "547", "from": day, "to": day})
    assert status == 200, board
    [indicator] = [i for i in board["indicators"] if i["id"] == "directives_and_reports_on_system"]

    assert sum(counted) == 3  # two received, one acknowledged; the redelivery adds nothing
    assert (indicator["numerator"], indicator["denominator"]) == (1, 2)
    assert indicator["value"] == 0.5


def test_bad_input_is_refused_in_words(api):
    status, body = api("POST", "/directives", DISTRICT_APPROVER, body={"title": "x"})
    assert status == 422
    assert body["message"]
    status, body = api("GET", "/directives/d-abc", DISTRICT_APPROVER)
    assert (status, body["code"]) == (404, "directive_not_found")
    status, body = api("GET", "/directives/nope", DISTRICT_APPROVER)
    assert status == 422
    status, body = api(
        "POST",
        "/directives",
        DISTRICT_APPROVER,
        body={
            "title": "Chỉ đạo",
            "text": "Nội dung",
            "due": day_from_today(-1),
            "targets": ["21550"],
        },
        **{"accept-language": "en"},
    )
    assert (status, body["code"]) == (422, "directive_due_past")
    assert "has passed" in body["message"]
