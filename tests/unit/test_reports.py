"""Periodic reports: pre-filled from the counters (equal to a count over the records), the
workflow and its scope, a district's consolidation with missing and late communes, and the
XLSX and PDF exports (opened with openpyxl; rendered with pdftoppm, read with pdftotext)."""

import re
import shutil
import subprocess
from datetime import timedelta
from io import BytesIO
from itertools import count
from pathlib import Path

import boto3
import pytest
import requests

from infra.localcloud import moto_transactions
from nguon.adapters.report_files import ReportFiles
from nguon.config import get_settings
from nguon.errors import Conflict, Forbidden
from nguon.models.monitoring import PlayResult
from nguon.models.principal import Role
from nguon.models.reports import ReportPatch, ReportRequest, ReportStatus
from nguon.services import report_exports
from nguon.services.kpis import KpiService
from nguon.services.reports import ReportService
from nguon.services.stats import StatsService
from nguon.services.units import UnitService
from nguon.storage.bulletins import DynamoBulletinStore
from nguon.storage.reports import DynamoReportStore
from nguon.storage.stats import DynamoStatsStore
from nguon.storage.units import DynamoUnitStore
from tests.api_events import call
from tests.days import today
from tests.factories import person
from tests.unit.api_world import world
from tests.unit.kpi_support import COMMUNES, seed_province, stream

DISTRICT = "540"
MINE = [c.code for c in COMMUNES if c.parent == DISTRICT]


def month_of(day):
    return day.strftime("%Y-%m")


def months_ago(n):
    day = today().replace(day=1)
    for _ in range(n):
        day = (day - timedelta(days=1)).replace(day=1)
    return day


@pytest.fixture(scope="module")
def reports():
    moto_transactions.install()
    with world():
        seeded = seed_province(communes=12, plays_per_device=3)
        units = UnitService(DynamoUnitStore())
        stats = StatsService(units, DynamoBulletinStore(), DynamoStatsStore())
        for record in stream():
            stats.record(record)
        ids = count(1)
        service = ReportService(
            units,
            KpiService(units, DynamoStatsStore()),
            DynamoReportStore(),
            ReportFiles(),
            new_id=lambda: f"r-{next(ids):06x}",
        )
        yield seeded, service


def editor(code):
    return person(f"editor-{code}", code, Role.EDITOR)


def approver(code):
    return person(f"approver-{code}", code, Role.APPROVER)


def test_a_draft_is_prefilled_with_the_counted_figures(reports):
    seeded, service = reports
    commune = seeded.plays[0].unit
    month = month_of(seeded.last)
    report = service.create(
        editor(commune), ReportRequest(unit=commune, period="monthly", month=month)
    )
    assert report.status is ReportStatus.DRAFT
    mine = [
        p
        for p in seeded.plays
        if p.unit == commune and report.start <= p.started_at.date() <= report.end
    ]
    assert report.figures["plays"] == len(mine)
    assert report.figures["plays_ok"] == len([p for p in mine if p.result is PlayResult.OK])
    expected_hours = sum(p.duration_s for p in mine if p.result is PlayResult.OK) / 3600
    assert report.figures["play_hours"] == pytest.approx(round(expected_hours, 2))
    in_service = [
        d
        for d in seeded.devices
        if d.unit == commune
        and d.thing not in seeded.decommissioned
        and d.created_at.date() <= report.end
    ]
    assert report.figures["devices"] == len(in_service)
    assert [s.key for s in report.sections] == ["bulletins", "plays", "devices", "people"]
    with pytest.raises(Conflict) as again:  # one report per unit and period
        service.create(editor(commune), ReportRequest(unit=commune, period="monthly", month=month))
    assert again.value.params["report"] == report.id


def test_the_workflow_and_its_scope(reports):
    _, service = reports
    commune, other = MINE[0], MINE[1]
    month = month_of(months_ago(3))
    report = service.create(
        editor(commune), ReportRequest(unit=commune, period="monthly", month=month)
    )
    with pytest.raises(Forbidden) as elsewhere:  # a commune never reads another's report
        service.get(person("viewer", other, Role.VIEWER), report.id)
    assert elsewhere.value.code == "out_of_scope"
    assert service.get(person("viewer", DISTRICT, Role.VIEWER), report.id).id == report.id
    edited = service.edit(
        editor(commune),
        report.id,
        ReportPatch(version=report.version, narrative={"situation": "Hệ thống loa hoạt động tốt."}),
    )
    assert edited.narrative.situation == "Hệ thống loa hoạt động tốt."
    with pytest.raises(Conflict):
        service.edit(editor(commune), report.id, ReportPatch(version=1, narrative={}))
    submitted = service.submit(editor(commune), report.id)
    assert submitted.status is ReportStatus.SUBMITTED
    assert submitted.late  # three months ago: past its due date
    with pytest.raises(Forbidden) as own:  # the unit does not accept its own report
        service.accept(approver(commune), report.id)
    assert own.value.code == "report_own_unit"
    returned = service.send_back(approver(DISTRICT), report.id, "Bổ sung số liệu thiết bị.")
    assert returned.status is ReportStatus.RETURNED
    assert returned.history[-1].comment == "Bổ sung số liệu thiết bị."
    service.submit(editor(commune), report.id)
    accepted = service.accept(approver(DISTRICT), report.id)
    assert accepted.status is ReportStatus.ACCEPTED
    with pytest.raises(Conflict):
        service.edit(
            editor(commune), report.id, ReportPatch(version=accepted.version, narrative={})
        )


def test_a_district_consolidates_and_shows_missing_and_late_communes(reports):
    _, service = reports
    month = month_of(months_ago(2))
    on_time, late, unaccepted = MINE[0], MINE[1], MINE[2]
    made = {}
    for code in (on_time, late, unaccepted):
        made[code] = service.create(
            editor(code), ReportRequest(unit=code, period="monthly", month=month)
        )
        service.submit(editor(code), made[code].id)
    service.accept(approver(DISTRICT), made[on_time].id)
    service.accept(approver(DISTRICT), made[late].id)
    district = service.create(
        editor(DISTRICT), ReportRequest(unit=DISTRICT, period="monthly", month=month)
    )
    consolidation = district.consolidation
    assert consolidation is not None
    assert [c.code for c in consolidation.children] == MINE
    assert set(consolidation.accepted) == {on_time, late}
    assert set(consolidation.missing) == set(MINE) - {on_time, late}
    # Everything submitted now for two months ago is late; so is every commune with none.
    assert set(consolidation.late) == set(MINE)
    rows = {c.code: c for c in consolidation.children}
    assert rows[unaccepted].status is ReportStatus.SUBMITTED
    assert rows[MINE[3]].report_id is None
    accepted = [made[on_time], made[late]]
    assert consolidation.totals["plays"] == sum(r.figures["plays"] for r in accepted)


def test_an_adhoc_report_is_asked_from_above_with_a_due_date(reports):
    _, service = reports
    start = today() - timedelta(days=10)
    request = ReportRequest.model_validate(
        {
            "unit": MINE[4],
            "period": "adhoc",
            "from": start.isoformat(),
            "to": today().isoformat(),
            "due": (today() + timedelta(days=3)).isoformat(),
            "title": "Báo cáo nhanh công tác phòng chống bão",
        }
    )
    with pytest.raises(Forbidden):  # the commune cannot ask itself
        service.create(approver(MINE[4]), request)
    asked = service.create(approver(DISTRICT), request)
    assert asked.requested_by is not None
    assert asked.requested_by.unit == DISTRICT
    assert asked.due == today() + timedelta(days=3)

    # The asked commune finds every request to it, whatever its range; so does the district.
    earlier = request.model_copy(update={"start": start - timedelta(days=30)})
    also = service.create(approver(DISTRICT), earlier)
    asked_ids = {asked.id, also.id}
    commune_view = service.listing(person("v", MINE[4], Role.VIEWER), MINE[4], "adhoc")
    district_view = service.listing(person("v", DISTRICT, Role.VIEWER), DISTRICT, "adhoc")
    beside = service.listing(person("v", MINE[3], Role.VIEWER), MINE[3], "adhoc")
    assert {r.id for r in commune_view} == asked_ids
    assert asked_ids <= {r.id for r in district_view}
    assert not asked_ids & {r.id for r in beside}
    # A range's own key still finds only that range's (the consolidation reads it).
    assert [r.id for r in service.listing(approver(DISTRICT), MINE[4], asked.period_key)] == [
        asked.id
    ]


def _district_report(service):
    month = month_of(months_ago(2))
    found = service._store.existing(DISTRICT, month)
    if found is None:
        return service.create(
            editor(DISTRICT), ReportRequest(unit=DISTRICT, period="monthly", month=month)
        )
    return service.get(editor(DISTRICT), found)


def test_the_xlsx_has_a_sheet_per_section_and_the_apis_totals(reports):
    from openpyxl import load_workbook

    _, service = reports
    report = _district_report(service)
    book = load_workbook(BytesIO(report_exports.to_xlsx(report)))
    assert book.sheetnames == [
        "Thông tin chung",
        "Bản tin",
        "Phát thanh",
        "Thiết bị",
        "Phản ánh, đào tạo",
        "Tổng hợp cấp dưới",
        "Thuyết minh",
    ]
    plays = book["Phát thanh"]
    assert plays["A1"].value == "Chỉ tiêu"
    assert plays["A2"].value == "Lượt phát ghi nhận"
    assert isinstance(plays["B2"].value, (int, float))
    assert plays["B2"].value == report.figures["plays"]
    summary = book["Tổng hợp cấp dưới"]
    headings = [cell.value for cell in summary[1]]
    totals = [cell.value for cell in summary[summary.max_row]]
    for name, heading in report_exports.CONSOLIDATION_HEADINGS.items():
        column = headings.index(heading)
        assert totals[column] == report.consolidation.totals[name]
        listed = [
            row[column].value for row in summary.iter_rows(min_row=2, max_row=summary.max_row - 1)
        ]
        assert sum(v for v in listed if v is not None) == pytest.approx(
            report.consolidation.totals[name]
        )


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils (make deps)")
def test_the_pdf_renders_with_vietnamese_text(reports, tmp_path: Path):
    _, service = reports
    report = _district_report(service)
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(report_exports.to_pdf(report))
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) >= 2
    assert all(page.stat().st_size > 1000 for page in pages)  # not blank
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    assert re.search(rf"^Pages:\s+{len(pages)}$", info.stdout, re.MULTILINE)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for wanted in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "BÁO CÁO",
        report.unit_name.upper(),
        f"{report.start:%d/%m/%Y}",
        "Tổng hợp báo cáo của đơn vị cấp dưới",
        "THỦ TRƯỞNG ĐƠN VỊ",
    ):
        assert wanted in text, wanted


def test_the_api_creates_reads_and_exports_behind_a_signed_link(reports):
    import app

    _, _service = reports
    commune = MINE[5]
    month = month_of(months_ago(4))
    created, report = call(
        app.lambda_handler,
        "POST",
        "/reports",
        user="xa",
        groups="editor",
        unit=commune,
        body={"unit": commune, "period": "monthly", "month": month},
    )
    assert created == 201, report
    assert report["id"].startswith("r-")
    assert report["from"] == f"{month}-01"
    status, refused = call(
        app.lambda_handler,
        "GET",
        f"/reports/{report['id']}",
        user="x",
        groups="viewer",
        unit=MINE[6],
    )
    assert (status, refused["code"]) == (403, "out_of_scope")
    status, link = call(
        app.lambda_handler,
        "GET",
        f"/reports/{report['id']}/export",
        user="h",
        groups="viewer",
        unit=DISTRICT,
        query={"format": "xlsx"},
    )
    assert status == 200, link
    assert link["expires_in_s"] <= 15 * 60
    key = link["url"].split("?")[0].split(".amazonaws.com/")[1]
    body = (
        boto3.client("s3", region_name=get_settings().region)
        .get_object(Bucket=get_settings().delivery_bucket, Key=requests.utils.unquote(key))["Body"]
        .read()
    )
    assert body[:2] == b"PK"  # a zip: the XLSX
    assert len(body) == link["size"]


def test_a_periods_list_shows_the_area_only(reports):
    _, service = reports
    month = month_of(months_ago(5))
    mine, other = MINE[2], next(c.code for c in COMMUNES if c.parent != DISTRICT)
    made = [
        service.create(editor(code), ReportRequest(unit=code, period="monthly", month=month))
        for code in (mine, other, DISTRICT)
    ]
    district = service.listing(person("v", DISTRICT, Role.VIEWER), DISTRICT, month)
    assert [r.id for r in district] == [made[2].id, made[0].id]  # its own first, then below
    commune = service.listing(person("v", mine, Role.VIEWER), mine, month)
    assert [r.unit for r in commune] == [mine]
    with pytest.raises(Forbidden):
        service.listing(person("v", mine, Role.VIEWER), other, month)
    assert service.listing(person("v", "52", Role.VIEWER), "52", month_of(months_ago(30))) == []
