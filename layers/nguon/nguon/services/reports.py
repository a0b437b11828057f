"""Periodic reports: pre-filled from the statistics counters, written by the unit, reviewed by
the unit above, consolidated upwards, exported as XLSX and PDF.

- **Who.** Editors (and admins) of a unit create, fill in and submit its reports
  (``reports:write``, unit in their area). Approvers (and admins) of a unit *above* accept or
  return them with a comment (``reports:review``: the report's unit strictly inside their
  area, never their own unit's report), and ask a unit below for an ad-hoc report with a due
  date. Every role reads the reports and KPIs of its area (``reports:read``): a commune never
  reads another commune's report, a district reads its communes'.
- **Periods.** monthly (``YYYY-MM``), quarterly (``YYYY-Qn``), annual (``YYYY``: the December
  report of the plan), one report per unit and period (409 ``report_exists`` with its id);
  ad-hoc: any range, as many as asked. Due dates: a commune's monthly report on the 5th of the
  next month, quarterly on the 10th after the quarter, annual on 15 December; each level up
  three days later (a district consolidates its communes first).
- **Pre-fill.** Figures come from the counters for the unit's area and range
  (:mod:`nguon.services.kpis`); while a report is a draft or returned, reading it computes
  them (and the consolidation) afresh; submitting freezes them.
- **Consolidation.** A unit with units below lists each child's report of the same period:
  accepted (its figures added into ``totals``), not accepted yet or missing, and late.
"""

import secrets
from calendar import monthrange
from collections.abc import Callable
from datetime import date, datetime, timedelta
from time import perf_counter
from typing import Protocol

from nguon.clock import now as wall_clock
from nguon.errors import Conflict, Forbidden, NotFound
from nguon.models.bulletins import Actor
from nguon.models.central import OutboxItem
from nguon.models.principal import Principal
from nguon.models.reports import (
    ChildReport,
    Comment,
    Consolidation,
    ExportLink,
    Narrative,
    Period,
    Report,
    ReportPatch,
    ReportRequest,
    ReportStatus,
    ReportSummary,
    Row,
    Section,
    parse_quarter,
    period_key,
)
from nguon.models.units import AdminUnit, UnitLevel
from nguon.services import central
from nguon.services.access import Permission, authorize
from nguon.services.kpis import KpiService
from nguon.services.units import UnitService

_LEVEL_DELAY = {UnitLevel.COMMUNE: 0, UnitLevel.DISTRICT: 3, UnitLevel.PROVINCE: 6}
_EDITABLE = (ReportStatus.DRAFT, ReportStatus.RETURNED)

CONSOLIDATED = (
    "bulletins_approved",
    "bulletins_emergency",
    "plays",
    "plays_ok",
    "play_hours",
    "requested_hours",
    "devices",
    "outages",
    "offline_hours",
)
"""Figures a consolidation adds up over the accepted reports below."""


class ReportStore(Protocol):
    def create(self, report: Report, *, unique: bool) -> None: ...

    def get(self, report_id: str) -> Report | None: ...

    def save(self, report: Report, expected_version: int, outbox: OutboxItem | None = None) -> None:
        """Both or neither: the report and (a province's submission) its outbox item."""

    def in_period(self, period_key: str, path: list[str]) -> list[Report]: ...


class Files(Protocol):
    def put(self, key: str, body: bytes, content_type: str) -> None: ...

    def link(self, key: str, file_name: str) -> tuple[str, int]: ...


def period_range(request: ReportRequest) -> tuple[date, date]:
    if request.period is Period.MONTHLY:
        year, month = (int(part) for part in str(request.month).split("-"))
        return date(year, month, 1), date(year, month, monthrange(year, month)[1])
    if request.period is Period.QUARTERLY:
        year, quarter = parse_quarter(str(request.quarter))
        first_month = 3 * (quarter - 1) + 1
        last_month = first_month + 2
        return date(year, first_month, 1), date(year, last_month, monthrange(year, last_month)[1])
    if request.period is Period.ANNUAL:
        return date(int(request.year or 0), 1, 1), date(int(request.year or 0), 12, 31)
    assert request.start is not None
    assert request.end is not None
    return request.start, request.end


def due_date(period: Period, end: date, level: UnitLevel) -> date:
    """When a regular report of ``level`` for a period ending ``end`` is due."""
    if period is Period.ANNUAL:
        due = date(end.year, 12, 15)
    else:
        after = end + timedelta(days=1)
        due = after.replace(day=5 if period is Period.MONTHLY else 10)
    return due + timedelta(days=_LEVEL_DELAY[level])


def _title(request: ReportRequest, unit: AdminUnit) -> str:
    if request.title:
        return request.title
    what = {
        Period.MONTHLY: f"tháng {request.month}",
        Period.QUARTERLY: f"quý {request.quarter}",
        Period.ANNUAL: f"năm {request.year}",
        Period.ADHOC: f"từ {request.start} đến {request.end}",
    }[request.period]
    return f"Báo cáo công tác thông tin cơ sở {what} — {unit.name}"


def _hours(seconds: float) -> float:
    return round(seconds / 3600, 2)


class ReportService:
    def __init__(
        self,
        units: UnitService,
        kpis: KpiService,
        store: ReportStore,
        files: Files,
        now: Callable[[], datetime] = wall_clock,
        new_id: Callable[[], str] = lambda: f"r-{secrets.token_hex(6)}",
    ) -> None:
        self._units = units
        self._kpis = kpis
        self._store = store
        self._files = files
        self._now = now
        self._new_id = new_id

    # --- the workflow -----------------------------------------------------------------------

    def create(self, principal: Principal, request: ReportRequest) -> Report:
        unit = self._units.require(request.unit)
        requested_by = None
        if request.period is Period.ADHOC:
            self._review_scope(principal, unit)
            requested_by = Actor.of(principal)
        else:
            authorize(principal, Permission.REPORTS_WRITE, unit)
        start, end = period_range(request)
        due = request.due or due_date(request.period, end, unit.level)
        moment = self._now()
        report = Report(
            id=self._new_id(),
            unit=unit.code,
            unit_name=unit.name,
            level=unit.level,
            path=[*unit.ancestors, unit.code],
            period=request.period,
            period_key=period_key(request),
            title=_title(request, unit),
            start=start,
            end=end,
            due=due,
            status=ReportStatus.DRAFT,
            version=1,
            created_at=moment,
            created_by=Actor.of(principal),
            requested_by=requested_by,
            figures={},
            sections=[],
        )
        report = self._prefilled(report)
        self._store.create(report, unique=request.period is not Period.ADHOC)
        return report

    def get(self, principal: Principal, report_id: str) -> Report:
        report = self._require(report_id)
        authorize(principal, Permission.REPORTS_READ, self._units.require(report.unit))
        return self._prefilled(report) if report.status in _EDITABLE else report

    def listing(self, principal: Principal, unit_code: str, key: str) -> list[ReportSummary]:
        """The reports of period ``key`` (``YYYY-MM``, ``YYYY-Qn``, ``YYYY``, or ``adhoc`` for
        every ad-hoc request) in the unit's area: its own and those of the units below, the
        unit's first, then by path."""
        unit = self._units.require(unit_code)
        authorize(principal, Permission.REPORTS_READ, unit)
        found = self._store.in_period(key, [*unit.ancestors, unit.code])
        found.sort(key=lambda r: (len(r.path), r.path, r.created_at))
        return [ReportSummary.of(report) for report in found]

    def edit(self, principal: Principal, report_id: str, patch: ReportPatch) -> Report:
        report = self._writable(principal, report_id, patch.version, "edit")
        narrative = Narrative(
            **{
                **report.narrative.model_dump(),
                **patch.narrative.model_dump(exclude_none=True),
            }
        )
        changed = report.model_copy(update={"narrative": narrative, "version": report.version + 1})
        self._store.save(changed, report.version)
        return self._prefilled(changed)

    def submit(self, principal: Principal, report_id: str, version: int | None = None) -> Report:
        report = self._writable(principal, report_id, version, "submit")
        moment = self._now()
        done = self._prefilled(report).model_copy(
            update={
                "status": ReportStatus.SUBMITTED,
                "version": report.version + 1,
                "submitted_at": moment,
                "late": moment.date() > report.due,
                "history": [
                    *report.history,
                    Comment(by=Actor.of(principal), at=moment, action=ReportStatus.SUBMITTED),
                ],
            }
        )
        # A province report goes to the ministry as it is submitted: its outbox item is
        # written with it (nguon.services.central).
        self._store.save(done, report.version, central.report_entry(done, moment))
        return done

    def accept(self, principal: Principal, report_id: str, version: int | None = None) -> Report:
        return self._review(principal, report_id, version, ReportStatus.ACCEPTED, None)

    def send_back(
        self, principal: Principal, report_id: str, comment: str, version: int | None = None
    ) -> Report:
        return self._review(principal, report_id, version, ReportStatus.RETURNED, comment)

    def export(self, principal: Principal, report_id: str, kind: str) -> ExportLink:
        from nguon.services import report_exports

        report = self.get(principal, report_id)
        started = perf_counter()
        body, content_type = report_exports.render(report, kind)
        generated_ms = round((perf_counter() - started) * 1000)
        stamp = self._now().strftime("%Y%m%dT%H%M%S")
        key = f"{report.unit}/{report.id}/v{report.version}-{stamp}.{kind}"
        file_name = f"bao-cao-{report.unit}-{report.period_key}-{report.id}.{kind}"
        self._files.put(key, body, content_type)
        url, lifetime = self._files.link(key, file_name)
        return ExportLink(
            format=kind,
            file_name=file_name,
            url=url,
            expires_in_s=lifetime,
            size=len(body),
            generated_ms=generated_ms,
        )

    # --- rules ------------------------------------------------------------------------------

    def _require(self, report_id: str) -> Report:
        report = self._store.get(report_id)
        if report is None:
            raise NotFound("report_not_found", report=report_id)
        return report

    def _writable(
        self, principal: Principal, report_id: str, version: int | None, action: str
    ) -> Report:
        report = self._require(report_id)
        authorize(principal, Permission.REPORTS_WRITE, self._units.require(report.unit))
        if report.status not in _EDITABLE:
            raise Conflict("report_wrong_status", action=action, status=report.status.value)
        if version is not None and version != report.version:
            raise Conflict("report_stale_version", version=version, current=report.version)
        return report

    def _review_scope(self, principal: Principal, unit: AdminUnit) -> None:
        authorize(principal, Permission.REPORTS_REVIEW, unit)
        if unit.code == principal.home_unit:
            raise Forbidden("report_own_unit", unit=unit.code)

    def _review(
        self,
        principal: Principal,
        report_id: str,
        version: int | None,
        status: ReportStatus,
        comment: str | None,
    ) -> Report:
        report = self._require(report_id)
        self._review_scope(principal, self._units.require(report.unit))
        if report.status is not ReportStatus.SUBMITTED:
            raise Conflict("report_wrong_status", action=status.value, status=report.status.value)
        if version is not None and version != report.version:
            raise Conflict("report_stale_version", version=version, current=report.version)
        done = report.model_copy(
            update={
                "status": status,
                "version": report.version + 1,
                "history": [
                    *report.history,
                    Comment(by=Actor.of(principal), at=self._now(), action=status, comment=comment),
                ],
            }
        )
        self._store.save(done, report.version)
        return done

    # --- the pre-fill -----------------------------------------------------------------------

    def _prefilled(self, report: Report) -> Report:
        unit = self._units.require(report.unit)
        figures = self._figures(unit, report.start, report.end)
        consolidation = self._consolidation(unit, report)
        return report.model_copy(
            update={
                "figures": figures,
                "sections": sections(figures),
                "consolidation": consolidation,
            }
        )

    def _figures(self, unit: AdminUnit, first: date, last: date) -> dict[str, float]:
        raw = self._kpis.figures(unit.code, first, last)
        speakers = sum(v for k, v in raw.state.items() if k.startswith("speaker@"))
        boards = sum(v for k, v in raw.state.items() if k.startswith("board@"))
        devices = round(raw.get("devices"))
        seconds = ((last - first).days + 1) * 86400
        offline = raw.get("offline_s")
        figures = {
            "bulletins_approved": raw.get("approved"),
            "bulletins_emergency": raw.get("approved_emergency"),
            "bulletins_played": raw.get("approved_played"),
            "plays": raw.get("plays"),
            "plays_ok": raw.get("plays_ok"),
            "plays_emergency": raw.get("plays_emergency"),
            "play_hours": _hours(raw.get("play_s")),
            "requested_hours": _hours(raw.get("requested_s")),
            "devices": float(devices),
            "speakers": round(speakers),
            "boards": round(boards),
            "outages": raw.get("outages"),
            "offline_hours": _hours(offline),
        }
        if raw.get("requested_s"):
            figures["play_ratio"] = round(raw.get("play_s") / raw.get("requested_s"), 4)
        if devices:
            figures["uptime"] = round(1 - offline / (devices * seconds), 4)
        return figures

    def _consolidation(self, unit: AdminUnit, report: Report) -> Consolidation | None:
        if unit.level is UnitLevel.COMMUNE:
            return None
        communes = self._kpis.communes_under(unit)
        depth = len(unit.ancestors) + 1
        children = sorted(
            {(*c.ancestors, c.code)[depth] for c in communes if len((*c.ancestors, c.code)) > depth}
        )
        if not children:
            return None
        found: dict[str, Report] = {}
        for other in self._store.in_period(report.period_key, report.path):
            # The latest made, if a unit has several (ad-hoc keys can repeat).
            if (other.unit in children and other.id != report.id) and (
                other.unit not in found or other.created_at > found[other.unit].created_at
            ):
                found[other.unit] = other
        today = self._now().date()
        rows, totals = [], dict.fromkeys(CONSOLIDATED, 0.0)
        for code in children:
            child = self._units.require(code)
            theirs = found.get(code)
            if theirs is None:
                due = due_date(report.period, report.end, child.level)
                if report.period is Period.ADHOC:
                    due = report.due
                rows.append(
                    ChildReport(
                        code=code,
                        name=child.name,
                        report_id=None,
                        status=None,
                        submitted_at=None,
                        late=today > due,
                    )
                )
                continue
            accepted = theirs.status is ReportStatus.ACCEPTED
            late = theirs.late if theirs.submitted_at else today > theirs.due
            if accepted:
                for name in CONSOLIDATED:
                    totals[name] += theirs.figures.get(name, 0.0)
            rows.append(
                ChildReport(
                    code=code,
                    name=child.name,
                    report_id=theirs.id,
                    status=theirs.status,
                    submitted_at=theirs.submitted_at,
                    late=late,
                    figures={n: theirs.figures.get(n, 0.0) for n in CONSOLIDATED}
                    if accepted
                    else {},
                )
            )
        return Consolidation(
            children=rows,
            accepted=[r.code for r in rows if r.status is ReportStatus.ACCEPTED],
            missing=[r.code for r in rows if r.status is not ReportStatus.ACCEPTED],
            late=[r.code for r in rows if r.late],
            totals={name: round(value, 2) for name, value in totals.items()},
        )


def sections(figures: dict[str, float]) -> list[Section]:
    """The report's numeric sections, each a sheet in the XLSX and a table in the PDF."""

    def row(key: str, label: str, unit: str = "") -> Row:
        return Row(key=key, label=label, value=figures.get(key), unit=unit)

    return [
        Section(
            key="bulletins",
            title="Bản tin",
            rows=[
                row("bulletins_approved", "Bản tin được duyệt phát hành", "bản tin"),
                row("bulletins_emergency", "Trong đó: bản tin khẩn cấp", "bản tin"),
                row("bulletins_played", "Bản tin đã phát ít nhất một lần", "bản tin"),
            ],
        ),
        Section(
            key="plays",
            title="Phát thanh",
            rows=[
                row("plays", "Lượt phát ghi nhận", "lượt"),
                row("plays_ok", "Lượt phát thành công", "lượt"),
                row("plays_emergency", "Lượt phát khẩn cấp", "lượt"),
                row("play_hours", "Thời lượng đã phát", "giờ"),
                row("requested_hours", "Thời lượng yêu cầu", "giờ"),
                row("play_ratio", "Tỷ lệ đã phát / yêu cầu", "tỷ lệ"),
            ],
        ),
        Section(
            key="devices",
            title="Thiết bị",
            rows=[
                row("devices", "Thiết bị đang hoạt động cuối kỳ", "thiết bị"),
                row("speakers", "Cụm loa IP", "cụm"),
                row("boards", "Bảng tin điện tử", "bảng"),
                row("outages", "Sự cố mất kết nối", "lần"),
                row("offline_hours", "Thời gian mất kết nối (đã khắc phục)", "giờ"),
                row("uptime", "Tỷ lệ thời gian hoạt động", "tỷ lệ"),
            ],
        ),
        Section(
            key="people",
            title="Phản ánh, đào tạo",
            rows=[
                row("feedback_handled", "Ý kiến phản ánh được xử lý đúng hạn (chưa có dữ liệu)"),
                row("staff_trained", "Cán bộ được đào tạo trực tuyến (chưa có dữ liệu)", "người"),
            ],
        ),
    ]
