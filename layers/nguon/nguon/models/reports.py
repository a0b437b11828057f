"""Periodic reports (báo cáo định kỳ): commune → district → province, and ad-hoc requests.

```
 draft ──submit──► submitted ──accept──► accepted
   ▲                  │ return(comment)
   └── edit ◄── returned ──submit──► submitted
```
"""

import re
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from nguon.errors import InvalidInput
from nguon.models.bulletins import Actor
from nguon.models.devices import LocalTime
from nguon.models.schedules import Day
from nguon.models.units import UnitCode, UnitLevel

MONTH_PATTERN = r"^20\d\d-(0[1-9]|1[0-2])$"
QUARTER_PATTERN = r"^20\d\d-Q[1-4]$"
NARRATIVE_MAX = 20_000


class Period(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    ANNUAL = "annual"
    """The December report the plan asks of every level (mục III)."""
    ADHOC = "adhoc"
    """Asked by a higher unit, for a range it chooses, by a due date."""


class ReportStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    RETURNED = "returned"


Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=NARRATIVE_MAX)]

NARRATIVE_TITLES = {
    "situation": "Tình hình chung / General situation",
    "results": "Kết quả nổi bật / Main results",
    "difficulties": "Khó khăn, vướng mắc / Difficulties",
    "proposals": "Đề xuất, kiến nghị / Proposals",
}


class Narrative(BaseModel):
    """What the unit writes itself: the report's four customary sections."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    situation: Text = ""
    results: Text = ""
    difficulties: Text = ""
    proposals: Text = ""


class NarrativePatch(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    situation: Text | None = None
    results: Text | None = None
    difficulties: Text | None = None
    proposals: Text | None = None


class ReportRequest(BaseModel):
    """``POST /reports``: the unit, the period, and for ad-hoc requests the range and due date."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    unit: UnitCode
    period: Period
    month: Annotated[str, StringConstraints(pattern=MONTH_PATTERN)] | None = None
    quarter: Annotated[str, StringConstraints(pattern=QUARTER_PATTERN)] | None = None
    year: Annotated[int, Field(ge=2000, le=2099)] | None = None
    start: Day | None = Field(default=None, alias="from")
    end: Day | None = Field(default=None, alias="to")
    due: Day | None = None
    """Ad-hoc only (required there); regular periods have their own due dates."""
    title: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=200)]
        | None
    ) = None

    @model_validator(mode="after")
    def _one_period(self) -> Self:
        given = {
            "month": self.month is not None,
            "quarter": self.quarter is not None,
            "year": self.year is not None,
            "from": self.start is not None or self.end is not None,
        }
        wanted = {
            Period.MONTHLY: "month",
            Period.QUARTERLY: "quarter",
            Period.ANNUAL: "year",
            Period.ADHOC: "from",
        }[self.period]
        extra = sorted(name for name, present in given.items() if present and name != wanted)
        if not given[wanted] or extra:
            raise InvalidInput("report_period_fields", period=self.period.value, wanted=wanted)
        if self.period is Period.ADHOC:
            if self.start is None or self.end is None or self.due is None:
                raise InvalidInput("report_adhoc_fields")
            if self.end < self.start:
                raise InvalidInput(
                    "range_ends_before_start",
                    start=self.start.isoformat(),
                    end=self.end.isoformat(),
                )
        elif self.due is not None:
            raise InvalidInput("report_due_adhoc_only")
        return self


def period_key(request: ReportRequest) -> str:
    if request.period is Period.MONTHLY:
        return str(request.month)
    if request.period is Period.QUARTERLY:
        return str(request.quarter)
    if request.period is Period.ANNUAL:
        return str(request.year)
    return f"adhoc-{request.start}-{request.end}"


def parse_quarter(text: str) -> tuple[int, int]:
    found = re.fullmatch(r"(\d{4})-Q([1-4])", text)
    assert found is not None  # the request's pattern
    return int(found[1]), int(found[2])


class ReportPatch(BaseModel):
    """``PATCH /reports/{id}``: the narrative's changed sections, on the version read."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(ge=1)
    narrative: NarrativePatch


class ReturnRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    comment: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=2000)]
    version: int | None = Field(default=None, ge=1)


class VersionBody(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int | None = Field(default=None, ge=1)


class Comment(BaseModel):
    model_config = ConfigDict(frozen=True)

    by: Actor
    at: LocalTime
    action: ReportStatus
    comment: str | None = None


class Row(BaseModel):
    """One line of a section: a label, a number (or null: not measured), its unit."""

    key: str
    label: str
    value: float | None
    unit: str = ""


class Section(BaseModel):
    key: str
    title: str
    rows: list[Row]


class ChildReport(BaseModel):
    """One unit below in a consolidated report."""

    code: UnitCode
    name: str
    report_id: str | None
    status: ReportStatus | None
    """None: no report made for the period (missing)."""
    submitted_at: datetime | None
    late: bool
    """Submitted after the due date, or not submitted and the due date has passed."""
    figures: dict[str, float] = Field(default_factory=dict)
    """The accepted report's figures (empty unless accepted)."""


class Consolidation(BaseModel):
    children: list[ChildReport]
    accepted: list[UnitCode]
    missing: list[UnitCode]
    """Units below with no accepted report (none made, or not accepted yet)."""
    late: list[UnitCode]
    totals: dict[str, float]
    """Sums of the accepted reports' figures."""


class Report(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str
    unit: UnitCode
    unit_name: str
    level: UnitLevel
    path: list[UnitCode]
    period: Period
    period_key: str
    title: str
    start: date = Field(serialization_alias="from")
    end: date = Field(serialization_alias="to")
    due: date
    status: ReportStatus
    version: int
    created_at: LocalTime
    created_by: Actor
    requested_by: Actor | None = None
    submitted_at: LocalTime | None = None
    late: bool = False
    figures: dict[str, float]
    sections: list[Section]
    narrative: Narrative = Field(default_factory=Narrative)
    consolidation: Consolidation | None = None
    history: list[Comment] = Field(default_factory=list)

    def stored(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


ADHOC_LISTING = "adhoc"
"""The listing key of every ad-hoc report (each has its own period key, ``adhoc-<from>-<to>``)."""

PERIOD_KEY_PATTERN = r"^(20\d\d(-(0[1-9]|1[0-2])|-Q[1-4])?|adhoc)$"


class ReportSummary(BaseModel):
    """One line of ``GET /reports``: a report of the period in the unit's area."""

    id: str
    unit: UnitCode
    unit_name: str
    level: UnitLevel
    period: Period
    period_key: str
    title: str
    due: date
    status: ReportStatus
    version: int
    submitted_at: LocalTime | None = None
    late: bool = False

    @classmethod
    def of(cls, report: "Report") -> "ReportSummary":
        return cls.model_validate(report.model_dump(include=set(cls.model_fields)))


class ExportLink(BaseModel):
    format: str
    file_name: str
    url: str
    expires_in_s: int
    size: int
    generated_ms: int
