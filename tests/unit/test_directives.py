"""Directives' rules: who issues and to whom, who reads, acknowledged once, overdue and escalated
once, closing, and compliance that follows the plays the stream counted."""

import random
from datetime import datetime, time, timedelta
from itertools import count

import pytest

from nguon.clock import localize
from nguon.errors import Conflict, Forbidden, InvalidInput, NotFound
from nguon.models.bulletins import BulletinContent
from nguon.models.directives import Box, DirectiveRequest
from nguon.models.monitoring import PlayRecord, PlayResult
from nguon.models.principal import Role
from nguon.services.bulletins import BulletinService
from nguon.services.directives import DirectiveService, Escalation
from nguon.services.stats import StatsService
from nguon.services.unit_catalogue import load_bundled_catalogue
from nguon.services.units import UnitService
from tests.days import today
from tests.factories import person
from tests.fakes import InMemoryBulletinStore, InMemoryUnitStore
from tests.unit.directive_support import InMemoryDirectiveStore
from tests.unit.kpi_support import InMemoryStatsStore

CATALOGUE = load_bundled_catalogue()
DISTRICT, COMMUNE, NEIGHBOUR, ELSEWHERE = "540", "21550", "21553", "21808"

district_approver = person("huyen-lanh-dao", DISTRICT, Role.APPROVER)
district_editor = person("huyen-bien-tap", DISTRICT, Role.EDITOR)
province_approver = person("tinh-lanh-dao", "52", Role.APPROVER)
commune_editor = person("xa-bien-tap", COMMUNE, Role.EDITOR)
commune_approver = person("xa-lanh-dao", COMMUNE, Role.APPROVER)
commune_viewer = person("xa-xem", COMMUNE, Role.VIEWER)
neighbour_editor = person("xa-ben-bien-tap", NEIGHBOUR, Role.EDITOR)


class Clock:
    def __init__(self) -> None:
        self.moment = localize(datetime.combine(today(), time(9, 0)))

    def __call__(self) -> datetime:
        return self.moment


class World:
    def __init__(self) -> None:
        self.clock = Clock()
        self.units = UnitService(InMemoryUnitStore(CATALOGUE))
        self.bulletin_store = InMemoryBulletinStore()
        ids = count(1)
        self.bulletins = BulletinService(
            self.units, self.bulletin_store, now=self.clock, new_id=lambda: f"b{next(ids)}"
        )
        self.store = InMemoryDirectiveStore()
        self.stats_store = InMemoryStatsStore()
        self.stats = StatsService(self.units, self.bulletin_store, self.stats_store)
        directive_ids = count(1)

        def no_media(principal, media_id):
            raise NotFound("media_not_found", media=media_id)

        self.directives = DirectiveService(
            self.units,
            self.store,
            self.stats_store,
            bulletin=self.bulletins.get,
            media=no_media,
            now=self.clock,
            new_id=lambda: f"d-{next(directive_ids):06x}",
        )
        self.escalation = Escalation(self.units, self.store, now=self.clock)

    def storm_bulletin(self) -> str:
        start = today() - timedelta(days=10)
        content = BulletinContent.model_validate(
            {
                "title": "Phòng chống bão số 15",
                "body": "Bà con chằng chống nhà cửa, không ra khơi.",
                "category": "disaster",
                "targets": [DISTRICT],
                "schedule": {
                    "type": "daily",
                    "times": ["06:00", "11:00", "17:00"],
                    "from": start.isoformat(),
                    "until": (today() + timedelta(days=10)).isoformat(),
                },
            }
        )
        made = self.bulletins.create(person("bien-tap", "52", Role.EDITOR), content, submit=True)
        self.bulletins.approve(province_approver, made.id)
        return made.id

    def issue(self, issuer=district_approver, targets=(COMMUNE, NEIGHBOUR), due_in=2, **more):
        request = DirectiveRequest.model_validate(
            {
                "title": "Tăng cường thông tin phòng chống bão",
                "text": "Các xã phát bản tin phòng chống bão 3 lần mỗi ngày đến khi có lệnh mới.",
                "due": (self.clock().date() + timedelta(days=due_in)).isoformat(),
                "targets": list(targets),
                **more,
            }
        )
        return self.directives.issue(issuer, request)


@pytest.fixture
def world() -> World:
    return World()


# --- issuing ---------------------------------------------------------------------------------


def test_a_district_issues_to_its_communes_only(world):
    made = world.issue()
    assert made.issuer_unit == DISTRICT
    assert [t.unit for t in made.targets] == [COMMUNE, NEIGHBOUR]
    assert made.acknowledged == 0
    assert made.overdue == 0

    with pytest.raises(Forbidden) as outside:
        world.issue(targets=[ELSEWHERE])
    assert outside.value.code == "out_of_scope"
    with pytest.raises(InvalidInput) as itself:
        world.issue(targets=[DISTRICT])
    assert itself.value.code == "directive_target_not_below"
    with pytest.raises(Forbidden) as editor:
        world.issue(issuer=district_editor)
    assert editor.value.code == "role_missing"
    with pytest.raises(InvalidInput) as past:
        world.issue(due_in=-1)
    assert past.value.code == "directive_due_past"


def test_a_commune_cannot_issue_and_the_province_reaches_any_unit(world):
    with pytest.raises(InvalidInput):
        world.issue(issuer=commune_approver, targets=[COMMUNE])
    made = world.issue(issuer=province_approver, targets=[DISTRICT, ELSEWHERE])
    assert made.issuer_path == ["52"]


# --- reading ---------------------------------------------------------------------------------


def test_read_where_issued_or_addressed_never_by_a_unit_beside(world):
    to_commune = world.issue(targets=[COMMUNE])
    to_district = world.issue(issuer=province_approver, targets=[DISTRICT])

    assert world.directives.get(commune_viewer, to_commune.id).id == to_commune.id
    assert world.directives.get(province_approver, to_commune.id).id == to_commune.id
    with pytest.raises(Forbidden) as beside:
        world.directives.get(neighbour_editor, to_commune.id)
    assert beside.value.code == "out_of_scope"
    with pytest.raises(Forbidden):
        world.directives.get(person("x", ELSEWHERE, Role.ADMIN), to_commune.id)
    # A directive to the district reaches the communes it holds.
    assert world.directives.get(commune_viewer, to_district.id).id == to_district.id
    with pytest.raises(NotFound):
        world.directives.get(commune_viewer, "d-ffffff")


def test_listings_received_issued_and_below(world):
    mine = world.issue(targets=[COMMUNE])
    other = world.issue(targets=[NEIGHBOUR])
    from_province = world.issue(issuer=province_approver, targets=[DISTRICT])

    def ids(principal, unit, box, **more):
        found = world.directives.search(principal, unit=unit, box=box, **more)
        return [item.id for item in found.items]

    assert ids(commune_viewer, COMMUNE, Box.RECEIVED) == [mine.id]
    assert ids(district_approver, DISTRICT, Box.RECEIVED) == [from_province.id]
    assert set(ids(district_approver, DISTRICT, Box.ISSUED)) == {mine.id, other.id}
    assert set(ids(province_approver, "52", Box.ISSUED)) == {mine.id, other.id, from_province.id}
    assert set(ids(district_approver, DISTRICT, Box.BELOW)) == {mine.id, other.id}
    with pytest.raises(Forbidden):
        world.directives.search(commune_viewer, unit=NEIGHBOUR)


# --- acknowledging ---------------------------------------------------------------------------


def test_acknowledged_once_and_again_answers_the_first(world):
    made = world.issue()
    first = world.directives.acknowledge(commune_editor, made.id)
    target = next(t for t in first.targets if t.unit == COMMUNE)
    assert target.acknowledged_by.username == commune_editor.username
    assert first.acknowledged == 1

    world.clock.moment += timedelta(hours=1)
    again = world.directives.acknowledge(commune_approver, made.id)
    same = next(t for t in again.targets if t.unit == COMMUNE)
    assert (same.acknowledged_at, same.acknowledged_by) == (
        target.acknowledged_at,
        target.acknowledged_by,
    )
    assert again.acknowledged == 1
    assert world.store.acks[made.id] == 1


def test_who_may_acknowledge(world):
    made = world.issue(targets=[COMMUNE])
    with pytest.raises(Forbidden) as viewer:
        world.directives.acknowledge(commune_viewer, made.id)
    assert viewer.value.code == "role_missing"
    with pytest.raises(Forbidden) as beside:
        world.directives.acknowledge(neighbour_editor, made.id)
    assert beside.value.code == "out_of_scope"
    with pytest.raises(Forbidden) as issuer:
        world.directives.acknowledge(district_editor, made.id, COMMUNE)
    assert issuer.value.code == "directive_acknowledge_from_issuer"
    with pytest.raises(InvalidInput) as not_target:
        world.directives.acknowledge(district_editor, made.id)
    assert not_target.value.code == "directive_not_target"

    # From the province, the district may acknowledge for its commune (it lies below).
    from_province = world.issue(issuer=province_approver, targets=[COMMUNE])
    done = world.directives.acknowledge(district_editor, from_province.id, COMMUNE)
    assert done.targets[0].acknowledged_by.unit == DISTRICT


# --- overdue, escalation, closing ------------------------------------------------------------


def test_overdue_shows_to_the_parent_and_escalates_once(world):
    made = world.issue(due_in=1)
    world.directives.acknowledge(commune_editor, made.id)
    assert world.escalation.run() == 0  # nothing due yet

    world.clock.moment += timedelta(days=1)  # the due day itself: not overdue yet
    assert world.directives.get(district_approver, made.id).overdue == 0
    assert world.escalation.run() == 0

    world.clock.moment += timedelta(days=1)
    view = world.directives.get(district_approver, made.id)
    assert {t.unit: t.overdue for t in view.targets} == {COMMUNE: False, NEIGHBOUR: True}
    assert view.overdue == 1

    overdue = world.directives.search(district_approver, unit=DISTRICT, box=Box.BELOW, overdue=True)
    assert [item.id for item in overdue.items] == [made.id]
    assert [t.unit for t in overdue.items[0].targets if t.overdue] == [NEIGHBOUR]
    mine = world.directives.search(commune_viewer, unit=COMMUNE, overdue=True)
    assert mine.items == []

    assert world.escalation.run() == 1
    assert world.escalation.run() == 0  # once
    escalated = {t.unit: t for t in world.directives.get(district_approver, made.id).targets}
    assert escalated[NEIGHBOUR].escalated_to == DISTRICT
    assert escalated[NEIGHBOUR].escalated_at == world.clock()
    assert escalated[COMMUNE].escalated_at is None

    # Acknowledged late: no longer overdue, the escalation stays on record.
    late = world.directives.acknowledge(neighbour_editor, made.id)
    assert late.overdue == 0
    assert late.acknowledged == 2
    assert next(t for t in late.targets if t.unit == NEIGHBOUR).escalated_to == DISTRICT


def test_closed_by_the_issuer_stops_acknowledgements_and_escalation(world):
    made = world.issue(due_in=0)
    with pytest.raises(Forbidden):
        world.directives.close(commune_approver, made.id)
    with pytest.raises(Forbidden):
        world.directives.close(district_editor, made.id)
    closed = world.directives.close(district_approver, made.id)
    assert closed.status == "closed"
    assert closed.closed_by.unit == DISTRICT
    with pytest.raises(Conflict):
        world.directives.close(district_approver, made.id)
    with pytest.raises(Conflict) as ack:
        world.directives.acknowledge(commune_editor, made.id)
    assert ack.value.code == "directive_closed"

    world.clock.moment += timedelta(days=3)
    assert world.escalation.run() == 0
    assert world.directives.get(district_approver, made.id).overdue == 0


# --- compliance ------------------------------------------------------------------------------


def _stream_record(play: PlayRecord) -> dict:
    return {
        "eventName": "INSERT",
        "dynamodb": {
            "Keys": {"PK": {"S": f"DEVICE#{play.thing}"}, "SK": {"S": f"PLAY#{play.play_id}"}},
            "NewImage": {"doc": {"S": play.model_dump_json()}},
        },
    }


def test_compliance_follows_the_plays(world):
    bulletin_id = world.storm_bulletin()
    other_id = world.storm_bulletin()
    world.clock.moment -= timedelta(days=6)
    made = world.issue(
        targets=[COMMUNE, NEIGHBOUR],
        bulletins=[
            {
                "bulletin_id": bulletin_id,
                "plays_per_day": 2,
                "until": (today() + timedelta(days=5)).isoformat(),
            }
        ],
    )
    first = world.clock().date()
    world.clock.moment += timedelta(days=6)

    rng = random.Random(15)
    plays: list[PlayRecord] = []
    serial = count(1)
    communes = [u.code for u in CATALOGUE if u.parent == DISTRICT][:4]  # two targeted, two not
    for offset in range(-2, 7):  # before the directive too: not counted
        day = first + timedelta(days=offset)
        for commune in communes:
            for _ in range(rng.randint(0, 4)):
                start = localize(datetime.combine(day, time(rng.randint(5, 21), 0)))
                result = rng.choice(
                    [PlayResult.OK, PlayResult.OK, PlayResult.OK, PlayResult.FAILED]
                )
                plays.append(
                    PlayRecord(
                        thing=f"loa-{commune}-000001",
                        unit=commune,
                        play_id=f"p{next(serial)}",
                        bulletin_id=rng.choice([bulletin_id, bulletin_id, other_id]),
                        started_at=start,
                        ended_at=start + timedelta(seconds=90),
                        result=result,
                    )
                )
    for play in plays:
        world.stats.record(_stream_record(play))
    world.stats.record(_stream_record(plays[0]))  # delivered again: counted once

    view = world.directives.get(district_approver, made.id)
    [measured] = view.compliance
    span = [first + timedelta(days=n) for n in range((today() - first).days + 1)]
    assert measured.days == len(span) - 1  # today is still in progress
    for target in measured.targets:
        [row] = target.by_commune
        expected_daily = [
            sum(
                1
                for p in plays
                if p.unit == row.code
                and p.bulletin_id == bulletin_id
                and p.result is PlayResult.OK
                and p.started_at.date() == day
            )
            for day in span
        ]
        assert row.daily == expected_daily
        assert row.plays == sum(expected_daily)
        assert row.days_met == sum(1 for n in expected_daily[:-1] if n >= 2)
        assert target.expected == 2 * measured.days
        assert target.communes_met == (1 if row.days_met == measured.days else 0)
    assert sum(t.plays for t in measured.targets) > 0  # the seed did play


def test_compliance_of_a_district_target_lists_its_communes(world):
    bulletin_id = world.storm_bulletin()
    made = world.issue(
        issuer=province_approver,
        targets=[DISTRICT],
        bulletins=[{"bulletin_id": bulletin_id, "until": today().isoformat()}],
    )
    [measured] = world.directives.get(province_approver, made.id).compliance
    [target] = measured.targets
    assert target.communes == len([u for u in CATALOGUE if u.parent == DISTRICT])
    assert target.plays == 0
    assert target.communes_played == 0
    assert measured.days == 0


def test_a_linked_bulletin_must_be_readable_and_still_running(world):
    bulletin_id = world.storm_bulletin()
    with pytest.raises(InvalidInput) as ended:
        world.issue(
            bulletins=[
                {"bulletin_id": bulletin_id, "until": (today() - timedelta(days=1)).isoformat()}
            ]
        )
    assert ended.value.code == "directive_until_past"
    with pytest.raises(NotFound):
        world.issue(bulletins=[{"bulletin_id": "b-none", "until": today().isoformat()}])
