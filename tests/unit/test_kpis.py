"""KPIs: the counters the stream keeps give the same numbers as a count over the records
themselves (a seeded province in moto), a redelivered stream changes nothing, and the API
answers the board and the list behind an indicator in scope only."""

from datetime import timedelta
from pathlib import Path

import pytest

from infra.localcloud import moto_transactions
from nguon.adapters.staff_directory import CognitoStaffDirectory
from nguon.models.bulletins import Status
from nguon.models.monitoring import PlayResult
from nguon.models.principal import Role
from nguon.services.kpis import KpiService
from nguon.services.plan import load_plan
from nguon.services.stats import StatsService
from nguon.services.training import TrainingService
from nguon.services.units import UnitService
from nguon.storage.bulletins import DynamoBulletinStore
from nguon.storage.stats import DynamoStatsStore
from nguon.storage.training import DynamoTrainingStore
from nguon.storage.units import DynamoUnitStore
from tests.api_events import call
from tests.days import day_from_today, today
from tests.factories import person
from tests.unit.api_world import world
from tests.unit.kpi_support import COMMUNES, UNITS, in_service, of_type, seed_province, stream

PROVINCE = person("tinh", "52", Role.VIEWER)


@pytest.fixture(scope="module")
def province():
    # moto deep-copies the whole table for each transaction; the local cloud's undo log
    # (same semantics) keeps the counting at the cost of the items it touches.
    moto_transactions.install()
    with world():
        seeded = seed_province(communes=24)
        units = UnitService(DynamoUnitStore())
        stats = StatsService(units, DynamoBulletinStore(), DynamoStatsStore())
        records = list(stream())
        first = sum(stats.record(r) for r in records)
        again = sum(stats.record(r) for r in records)  # the stream delivers everything twice
        # Staff from the user pool, as the API builds it (nguon.services.training).
        staff = TrainingService(units, DynamoTrainingStore(), CognitoStaffDirectory())
        yield seeded, KpiService(units, DynamoStatsStore(), staff=staff), (first, again)


def indicators(board):
    return {i.id: i for i in board.indicators}


def test_a_redelivered_stream_adds_nothing(province):
    _, _, (first, again) = province
    assert first > 0
    assert again == 0


def test_device_indicators_equal_a_count_of_the_devices(province):
    seeded, kpis, _ = province
    board = indicators(kpis.board(PROVINCE, "52", seeded.first, seeded.last))
    speakers = in_service(seeded, "speaker", seeded.last)
    boards = in_service(seeded, "board", seeded.last)
    radio = board["communes_with_ip_radio"]
    assert (radio.numerator, radio.denominator) == (len(speakers), len(COMMUNES))
    assert radio.value == round(len(speakers) / len(COMMUNES), 4)
    rural = of_type("Xã")
    assert board["communes_with_board"].numerator == len({c.code for c in rural} & boards)
    assert board["communes_with_board"].denominator == len(rural)
    wards = of_type("Phường", "Thị trấn")
    assert board["wards_with_board"].numerator == len({c.code for c in wards} & boards)
    assert board["wards_with_board"].denominator == len(wards)
    towns = {c.ancestors[1] for c in COMMUNES if c.code in boards}
    towns_of_type = {d for d in towns if UNITS[d].type in ("Thành phố", "Thị xã")}
    assert board["towns_with_led_board"].numerator == len(towns_of_type)
    assert board["towns_with_led_board"].denominator == 3  # Quy Nhơn, An Nhơn, Hoài Nhơn
    # The decommissioned speaker's commune and the one added after the range are not counted.
    gone = next(iter(seeded.decommissioned))
    assert next(d.unit for d in seeded.devices if d.thing == gone) not in speakers
    assert COMMUNES[-1].code not in speakers


def test_activity_indicators_equal_a_count_of_the_records(province):
    seeded, kpis, _ = province
    board = indicators(kpis.board(PROVINCE, "52", seeded.first, seeded.last))
    in_range = [p for p in seeded.plays if seeded.first <= p.started_at.date() <= seeded.last]
    ok = [p for p in in_range if p.result is PlayResult.OK]
    played = board["play_time_vs_requested"]
    assert played.numerator == pytest.approx(sum(p.duration_s for p in ok))
    assert played.denominator == pytest.approx(sum(p.requested_s for p in in_range))
    approved = [
        b
        for b in seeded.bulletins
        if b.status is Status.APPROVED and seeded.first <= b.approved_at.date() <= seeded.last
    ]
    played_ids = {p.bulletin_id for p in seeded.plays if p.result is PlayResult.OK}
    essential = board["essential_info_on_system"]
    assert essential.denominator == len(approved)
    assert essential.numerator == len([b for b in approved if b.id in played_ids])
    plan = load_plan()
    used = {plan.department(b.department) for b in approved if b.department}
    departments = board["departments_supplying"]
    assert departments.numerator == len(used & set(plan.departments)) == 2  # "sở  y tế" is Sở Y tế
    assert departments.denominator == len(plan.departments)
    assert departments.met is False


def test_a_district_counts_its_own_area_only(province):
    seeded, kpis, _ = province
    district = "540"
    board = indicators(
        kpis.board(person("h", district, Role.VIEWER), district, seeded.first, seeded.last)
    )
    mine = [c for c in COMMUNES if c.parent == district]
    speakers = in_service(seeded, "speaker", seeded.last)
    radio = board["communes_with_ip_radio"]
    assert radio.denominator == len(mine)
    assert radio.numerator == len({c.code for c in mine} & speakers)
    in_area = [
        p
        for p in seeded.plays
        if UNITS[p.unit].parent == district and seeded.first <= p.started_at.date() <= seeded.last
    ]
    assert board["play_time_vs_requested"].denominator == pytest.approx(
        sum(p.requested_s for p in in_area)
    )
    assert board["departments_supplying"].value is None  # a province indicator


def test_the_list_behind_an_indicator_adds_up(province):
    seeded, kpis, _ = province
    detail = kpis.detail(PROVINCE, "communes_with_ip_radio", "52", seeded.first, seeded.last)
    assert len(detail.items) == detail.denominator
    assert sum(1 for i in detail.items if i.counted) == detail.numerator
    ratio = kpis.detail(PROVINCE, "play_time_vs_requested", "52", seeded.first, seeded.last)
    assert sum(i.numerator for i in ratio.items) == pytest.approx(ratio.numerator)
    assert sum(i.denominator for i in ratio.items) == pytest.approx(ratio.denominator)
    departments = kpis.detail(PROVINCE, "departments_supplying", "52", seeded.first, seeded.last)
    names = {i.code: i for i in departments.items}
    assert names["Sở Y tế"].numerator == 1  # the other was approved before the range
    assert names["Sở Y tế"].counted
    # A department the list does not know is shown, and not counted.
    assert not names["Phòng Văn hóa huyện"].counted


def test_measures_that_do_not_exist_yet_say_so(province):
    seeded, kpis, _ = province
    board = indicators(kpis.board(PROVINCE, "52", seeded.first, seeded.last))
    for missing in ("feedback_handled_in_system", "fm_stations_converted"):
        assert board[missing].value is None
        assert board[missing].note


def test_every_target_quotes_the_plan():
    seed = Path("/work/shared/seed/ke-hoach-thong-tin-co-so-binh-dinh-2025.txt")
    plan = load_plan()
    assert {t.id for t in plan.targets} >= {
        "communes_with_ip_radio",
        "communes_with_board",
        "departments_supplying",
        "feedback_handled_in_system",
    }
    for target in plan.targets:
        assert "dòng" in target.source or "No figure" in target.source, target.id
    if seed.exists():  # the plan's text, where the repository's shared folder is at hand
        text = " ".join(seed.read_text(encoding="utf-8").split())
        assert "100% sở, ngành cấp tỉnh cung cấp thông tin thiết yếu" in text
        assert "trên 70% xã có bảng tin điện tử" in text


def test_the_api_answers_the_board_in_scope_only(province):
    import app

    seeded, kpis, _ = province
    ok, board = call(
        app.lambda_handler,
        "GET",
        "/kpis",
        user="h",
        groups="viewer",
        unit="540",
        query={"unit": "540", "from": seeded.first.isoformat(), "to": seeded.last.isoformat()},
    )
    assert ok == 200, board
    assert (board["unit"], board["from"], board["to"]) == (
        "540",
        seeded.first.isoformat(),
        seeded.last.isoformat(),
    )
    ids = {i["id"] for i in board["indicators"]}
    assert {"communes_with_ip_radio", "communes_with_board", "departments_supplying"} <= ids
    for field in ("title", "target", "value", "numerator", "denominator", "source"):
        assert field in board["indicators"][0]
    direct = kpis.board(person("h", "540", Role.VIEWER), "540", seeded.first, seeded.last)
    assert board["indicators"] == [i.model_dump(mode="json") for i in direct.indicators]
    whole_year, year_board = call(
        app.lambda_handler,
        "GET",
        "/kpis",
        user="h",
        groups="viewer",
        unit="540",
        query={"year": str(today().year)},
    )
    assert whole_year == 200, year_board
    assert year_board["from"] == f"{today().year}-01-01"
    refused, body = call(
        app.lambda_handler,
        "GET",
        "/kpis",
        user="h",
        groups="viewer",
        unit="540",
        query={"unit": "547"},
    )
    assert (refused, body["code"]) == (403, "out_of_scope")
    detail_status, detail = call(
        app.lambda_handler,
        "GET",
        "/kpis/communes_with_ip_radio",
        user="h",
        groups="viewer",
        unit="540",
        query={"unit": "540", "from": day_from_today(-30), "to": day_from_today(0)},
    )
    assert detail_status == 200, detail
    assert len(detail["items"]) == detail["denominator"]


def test_a_commune_has_no_district_to_count(province):
    seeded, kpis, _ = province
    commune = COMMUNES[0].code
    board = indicators(
        kpis.board(person("x", commune, Role.VIEWER), commune, seeded.first, seeded.last)
    )
    for district_target in ("towns_with_led_board", "districts_with_led_board"):
        assert board[district_target].denominator == 0
        assert board[district_target].value is None
        assert board[district_target].note
    assert board["communes_with_ip_radio"].denominator == 1


@pytest.mark.parametrize("back", [35, 400])
def test_a_range_with_ragged_edges_equals_a_count_of_the_records(province, back):
    # Whole months (and for 400 days a whole year) read from the roll-ups, the edges from days.
    seeded, kpis, _ = province
    first = seeded.first - timedelta(days=back)
    board = indicators(kpis.board(PROVINCE, "52", first, seeded.last))
    in_range = [p for p in seeded.plays if first <= p.started_at.date() <= seeded.last]
    played = board["play_time_vs_requested"]
    assert played.numerator == pytest.approx(
        sum(p.duration_s for p in in_range if p.result is PlayResult.OK)
    )
    assert played.denominator == pytest.approx(sum(p.requested_s for p in in_range))
    assert len(in_range) == len(seeded.plays)  # the plays before the seeded range are in it
    approved = [b for b in seeded.bulletins if first <= b.approved_at.date() <= seeded.last]
    assert board["essential_info_on_system"].denominator == len(approved)
    speakers = in_service(seeded, "speaker", seeded.last)
    assert board["communes_with_ip_radio"].numerator == len(speakers)


def test_devices_as_of_a_range_ending_in_the_past(province):
    # The state as of the end: the running state less what changed after it (the
    # decommissioning inside the seeded range, the device added today).
    seeded, kpis, _ = province
    last = seeded.first + timedelta(days=1)  # before the decommissioning
    board = indicators(kpis.board(PROVINCE, "52", seeded.first - timedelta(days=4), last))
    speakers = in_service(seeded, "speaker", last)
    gone = next(iter(seeded.decommissioned))
    assert next(d.unit for d in seeded.devices if d.thing == gone) in speakers
    assert board["communes_with_ip_radio"].numerator == len(speakers)
    boards = in_service(seeded, "board", last)
    rural = {c.code for c in of_type("Xã")}
    assert board["communes_with_board"].numerator == len(rural & boards)
