"""Directives: ``/directives`` (issue, list), ``/directives/{id}`` (with each target's
acknowledgement and compliance), ``/acknowledge`` by a target, ``/close`` by the issuer."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from nguon.models.directives import (
    DIRECTIVE_ID_PATTERN,
    AcknowledgeRequest,
    Box,
    DirectiveList,
    DirectiveRequest,
    DirectiveStatus,
    DirectiveView,
)
from nguon.models.units import UNIT_CODE_PATTERN
from staff_api.dependencies import Caller, Directives
from staff_api.errors import error_responses

router = APIGatewayRouter()

DirectivePath = Annotated[
    str, Path(pattern=DIRECTIVE_ID_PATTERN, description="Mã chỉ đạo, ví dụ d-3f9a1c2b4d5e")
]


@router.post(
    "/directives",
    summary="Ban hành chỉ đạo cho đơn vị cấp dưới / Issue a directive to units below",
    tags=["directives"],
    status_code=201,
    responses=error_responses(401, 403, 404, 409, body=True, success=201),
)
def issue_directive(
    caller: Caller, directives: Directives, request: Annotated[DirectiveRequest, Body()]
) -> DirectiveView:
    return directives.issue(caller, request)


@router.get(
    "/directives",
    summary="Chỉ đạo nhận được, đã ban hành hoặc gửi cấp dưới / Directives received, issued, "
    "or addressed below",
    tags=["directives"],
    responses=error_responses(401, 403, 404),
)
def list_directives(
    caller: Caller,
    directives: Directives,
    unit: Annotated[str | None, Query(pattern=UNIT_CODE_PATTERN)] = None,
    box: Annotated[Box, Query()] = Box.RECEIVED,
    overdue: Annotated[bool | None, Query()] = None,
    status: Annotated[DirectiveStatus | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> DirectiveList:
    return directives.search(
        caller, unit=unit, box=box, overdue=overdue, status=status, limit=limit
    )


@router.get(
    "/directives/<directive_id>",
    summary="Một chỉ đạo: tiếp nhận và thực hiện của từng đơn vị / A directive, per target",
    tags=["directives"],
    responses=error_responses(401, 403, 404),
)
def get_directive(
    caller: Caller, directives: Directives, directive_id: DirectivePath
) -> DirectiveView:
    return directives.get(caller, directive_id)


@router.post(
    "/directives/<directive_id>/acknowledge",
    summary="Đơn vị nhận xác nhận đã tiếp nhận / A target acknowledges",
    tags=["directives"],
    responses=error_responses(401, 403, 404, 409, body=True),
)
def acknowledge_directive(
    caller: Caller,
    directives: Directives,
    directive_id: DirectivePath,
    body: Annotated[AcknowledgeRequest | None, Body()] = None,
) -> DirectiveView:
    return directives.acknowledge(caller, directive_id, body.unit if body else None)


@router.post(
    "/directives/<directive_id>/close",
    summary="Đơn vị ban hành kết thúc chỉ đạo / The issuer closes the directive",
    tags=["directives"],
    responses=error_responses(401, 403, 404, 409),
)
def close_directive(
    caller: Caller, directives: Directives, directive_id: DirectivePath
) -> DirectiveView:
    return directives.close(caller, directive_id)
