"""Periodic reports: ``/reports`` (create), ``/reports/{id}`` (read, edit the narrative), the
workflow steps, and ``/reports/{id}/export`` (a signed link to the XLSX or PDF)."""

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from nguon.models.reports import (
    PERIOD_KEY_PATTERN,
    ExportLink,
    Report,
    ReportPatch,
    ReportRequest,
    ReportSummary,
    ReturnRequest,
    VersionBody,
)
from nguon.models.units import UNIT_CODE_PATTERN
from staff_api.dependencies import Caller, Reports
from staff_api.errors import error_responses

router = APIGatewayRouter()

ReportPath = Annotated[
    str, Path(pattern=r"^r-[0-9a-f]{1,32}$", description="Mã báo cáo, ví dụ r-3f9a1c2b4d5e")
]


@router.post(
    "/reports",
    summary="Tạo dự thảo báo cáo (điền sẵn số liệu) / Create a pre-filled report draft",
    tags=["reports"],
    status_code=201,
    responses=error_responses(401, 403, 404, 409, body=True),
)
def create_report(
    caller: Caller, reports: Reports, request: Annotated[ReportRequest, Body()]
) -> Report:
    return reports.create(caller, request)


@router.get(
    "/reports",
    summary="Báo cáo của một kỳ trong địa bàn / A period's reports in a unit's area",
    tags=["reports"],
    responses=error_responses(401, 403, 404),
)
def list_reports(
    caller: Caller,
    reports: Reports,
    period: Annotated[
        str,
        Query(
            pattern=PERIOD_KEY_PATTERN,
            description="YYYY-MM, YYYY-Qn, YYYY, hoặc adhoc: mọi yêu cầu đột xuất / every "
            "ad-hoc request",
        ),
    ],
    unit: Annotated[
        str | None,
        Query(pattern=UNIT_CODE_PATTERN, description="Mã đơn vị (mặc định: đơn vị của người dùng)"),
    ] = None,
) -> list[ReportSummary]:
    return reports.listing(caller, unit or caller.home_unit, period)


@router.get(
    "/reports/<report_id>",
    summary="Một báo cáo / A report",
    tags=["reports"],
    responses=error_responses(401, 403, 404),
)
def get_report(caller: Caller, reports: Reports, report_id: ReportPath) -> Report:
    return reports.get(caller, report_id)


@router.patch(
    "/reports/<report_id>",
    summary="Sửa phần thuyết minh / Edit the narrative",
    tags=["reports"],
    responses=error_responses(401, 403, 404, 409, body=True),
)
def edit_report(
    caller: Caller, reports: Reports, report_id: ReportPath, patch: Annotated[ReportPatch, Body()]
) -> Report:
    return reports.edit(caller, report_id, patch)


@router.post(
    "/reports/<report_id>/submit",
    summary="Gửi báo cáo lên cấp trên / Submit the report",
    tags=["reports"],
    responses=error_responses(401, 403, 404, 409, body=True),
)
def submit_report(
    caller: Caller,
    reports: Reports,
    report_id: ReportPath,
    body: Annotated[VersionBody | None, Body()] = None,
) -> Report:
    return reports.submit(caller, report_id, body.version if body else None)


@router.post(
    "/reports/<report_id>/accept",
    summary="Cấp trên chấp nhận báo cáo / The unit above accepts the report",
    tags=["reports"],
    responses=error_responses(401, 403, 404, 409, body=True),
)
def accept_report(
    caller: Caller,
    reports: Reports,
    report_id: ReportPath,
    body: Annotated[VersionBody | None, Body()] = None,
) -> Report:
    return reports.accept(caller, report_id, body.version if body else None)


@router.post(
    "/reports/<report_id>/return",
    summary="Cấp trên trả lại báo cáo kèm ý kiến / The unit above returns it with a comment",
    tags=["reports"],
    responses=error_responses(401, 403, 404, 409, body=True),
)
def return_report(
    caller: Caller,
    reports: Reports,
    report_id: ReportPath,
    body: Annotated[ReturnRequest, Body()],
) -> Report:
    return reports.send_back(caller, report_id, body.comment, body.version)


@router.get(
    "/reports/<report_id>/export",
    summary="Xuất báo cáo XLSX hoặc PDF (liên kết tải có chữ ký) / Export as XLSX or PDF",
    tags=["reports"],
    responses=error_responses(401, 403, 404),
)
def export_report(
    caller: Caller,
    reports: Reports,
    report_id: ReportPath,
    kind: Annotated[Literal["xlsx", "pdf"], Query(alias="format")] = "xlsx",
) -> ExportLink:
    return reports.export(caller, report_id, kind)
