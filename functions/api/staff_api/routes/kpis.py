"""KPIs against the plan's targets: ``/kpis`` (the board) and ``/kpis/{id}`` (the list behind
one indicator). Figures come from the stream's counters (``nguon.services.kpis``)."""

from datetime import date, datetime
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from nguon.errors import InvalidInput
from nguon.models.kpis import KpiBoard, KpiDetail
from nguon.models.schedules import DAYS_NOTE, Day
from nguon.models.units import UNIT_CODE_PATTERN
from nguon.services.kpis import year_range
from staff_api.dependencies import Caller, Kpis, Now
from staff_api.errors import error_responses

router = APIGatewayRouter()

UnitQuery = Annotated[
    str | None,
    Query(pattern=UNIT_CODE_PATTERN, description="Mã đơn vị (mặc định: đơn vị của người dùng)"),
]
Year = Annotated[int | None, Query(ge=2000, le=2099, description="Năm (1/1–31/12)")]
FromDay = Annotated[Day | None, Query(alias="from", description=f"YYYY-MM-DD, {DAYS_NOTE}")]
ToDay = Annotated[Day | None, Query(alias="to", description=f"YYYY-MM-DD, {DAYS_NOTE}")]
IndicatorPath = Annotated[
    str, Path(pattern=r"^[a-z_]{1,64}$", description="Mã chỉ tiêu, ví dụ communes_with_ip_radio")
]


def kpi_range(
    year: int | None, start: date | None, end: date | None, moment: datetime
) -> tuple[date, date]:
    """``year`` (1 January – 31 December), or ``from``/``to`` (either alone: to the end of its
    year, from the start of its year), or the current year."""
    if year is not None:
        if start or end:
            raise InvalidInput("kpi_year_and_range")
        return year_range(year)
    if start is None and end is None:
        return year_range(moment.year)
    first = start or date((end or moment.date()).year, 1, 1)
    last = end or date(first.year, 12, 31)
    return first, last


@router.get(
    "/kpis",
    summary="Chỉ tiêu kế hoạch của một đơn vị / The plan's KPIs for a unit and a range",
    tags=["kpis"],
    responses=error_responses(401, 403, 404),
)
def kpi_board(
    caller: Caller,
    kpis: Kpis,
    moment: Now,
    unit: UnitQuery = None,
    year: Year = None,
    start: FromDay = None,
    end: ToDay = None,
) -> KpiBoard:
    first, last = kpi_range(year, start, end, moment)
    return kpis.board(caller, unit or caller.home_unit, first, last)


@router.get(
    "/kpis/<indicator>",
    summary="Danh sách sau một chỉ tiêu / The list behind one indicator",
    tags=["kpis"],
    responses=error_responses(401, 403, 404),
)
def kpi_detail(
    caller: Caller,
    kpis: Kpis,
    moment: Now,
    indicator: IndicatorPath,
    unit: UnitQuery = None,
    year: Year = None,
    start: FromDay = None,
    end: ToDay = None,
) -> KpiDetail:
    first, last = kpi_range(year, start, end, moment)
    return kpis.detail(caller, indicator, unit or caller.home_unit, first, last)
