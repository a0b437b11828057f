"""Bulletins (bản tin): ``/bulletins`` and the workflow steps, history and CAP form."""

from datetime import datetime
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from pydantic import BaseModel, ConfigDict, Field

from nguon.models.bulletins import (
    AuditEvent,
    Bulletin,
    BulletinContent,
    BulletinPage,
    BulletinPatch,
    BulletinView,
    Priority,
    Reason,
    Status,
)
from nguon.models.schedules import DAYS_NOTE, Day
from nguon.models.units import UNIT_CODE_PATTERN
from staff_api.dependencies import Alerts, Bulletins, Caller, Now
from staff_api.errors import error_responses

router = APIGatewayRouter()

BulletinId = Annotated[str, Path(min_length=1, max_length=64, description="Mã bản tin")]


class VersionBody(BaseModel):
    """Optional body of ``/submit`` and ``/approve``: the version the person looked at."""

    model_config = ConfigDict(extra="forbid")

    version: int | None = Field(default=None, ge=1)


class ReasonBody(Reason):
    model_config = ConfigDict(extra="forbid")

    version: int | None = Field(default=None, ge=1)


def view(bulletin: Bulletin, moment: datetime) -> BulletinView:
    """A bulletin as people see it at ``moment``: expired once past its validity."""
    start, end = bulletin.validity()
    status = bulletin.status_at(moment)
    return BulletinView.model_validate(
        {
            **bulletin.model_dump(by_alias=True),
            "status": status,
            "effective_from": start,
            "effective_until": end,
            "expected_duration_s": bulletin.duration_on_air(),
            "on_air": status is Status.APPROVED and start <= moment,
        }
    )


@router.post(
    "/bulletins",
    status_code=201,
    summary="Soạn bản tin mới (nháp) / Compose a bulletin (draft)",
    tags=["bulletins"],
    responses=error_responses(400, 401, 403, body=True, success=201),
)
def create_bulletin(
    caller: Caller, bulletins: Bulletins, moment: Now, content: Annotated[BulletinContent, Body()]
) -> BulletinView:
    return view(bulletins.create(caller, content), moment)


@router.get(
    "/bulletins",
    summary="Danh sách bản tin của một đơn vị / Bulletins of a unit's area",
    tags=["bulletins"],
    responses=error_responses(401, 403, 404),
)
def list_bulletins(
    caller: Caller,
    bulletins: Bulletins,
    moment: Now,
    unit: Annotated[str | None, Query(pattern=UNIT_CODE_PATTERN)] = None,
    status: Annotated[Status | None, Query()] = None,
    priority: Annotated[Priority | None, Query()] = None,
    start: Annotated[Day | None, Query(alias="from", description=DAYS_NOTE)] = None,
    end: Annotated[Day | None, Query(alias="to", description=DAYS_NOTE)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 25,
    next_page: Annotated[str | None, Query(alias="next", max_length=2048)] = None,
) -> BulletinPage:
    found, cursor = bulletins.search(
        caller,
        unit=unit,
        status=status,
        priority=priority,
        start=start,
        end=end,
        limit=limit,
        cursor=next_page,
    )
    return BulletinPage(items=[view(bulletin, moment) for bulletin in found], next=cursor)


@router.get(
    "/bulletins/<bulletin_id>",
    summary="Một bản tin / One bulletin",
    tags=["bulletins"],
    responses=error_responses(401, 403, 404),
)
def get_bulletin(
    caller: Caller, bulletins: Bulletins, moment: Now, bulletin_id: BulletinId
) -> BulletinView:
    return view(bulletins.get(caller, bulletin_id), moment)


@router.patch(
    "/bulletins/<bulletin_id>",
    summary="Sửa bản tin nháp hoặc bị trả lại / Edit a draft or rejected bulletin",
    tags=["bulletins"],
    responses=error_responses(400, 401, 403, 404, 409, body=True),
)
def patch_bulletin(
    caller: Caller,
    bulletins: Bulletins,
    moment: Now,
    bulletin_id: BulletinId,
    patch: Annotated[BulletinPatch, Body()],
) -> BulletinView:
    return view(bulletins.update(caller, bulletin_id, patch), moment)


@router.post(
    "/bulletins/<bulletin_id>/submit",
    summary="Trình duyệt / Submit for approval",
    tags=["workflow"],
    responses=error_responses(400, 401, 403, 404, 409, body=True),
)
def submit_bulletin(
    caller: Caller,
    bulletins: Bulletins,
    moment: Now,
    bulletin_id: BulletinId,
    body: Annotated[VersionBody | None, Body()] = None,
) -> BulletinView:
    version = body.version if body else None
    return view(bulletins.submit(caller, bulletin_id, version), moment)


@router.post(
    "/bulletins/<bulletin_id>/approve",
    summary="Duyệt / Approve",
    tags=["workflow"],
    responses=error_responses(400, 401, 403, 404, 409, body=True),
)
def approve_bulletin(
    caller: Caller,
    bulletins: Bulletins,
    moment: Now,
    bulletin_id: BulletinId,
    body: Annotated[VersionBody | None, Body()] = None,
) -> BulletinView:
    version = body.version if body else None
    return view(bulletins.approve(caller, bulletin_id, version), moment)


@router.post(
    "/bulletins/<bulletin_id>/reject",
    summary="Trả lại, kèm lý do / Reject with a reason",
    tags=["workflow"],
    responses=error_responses(400, 401, 403, 404, 409, body=True),
)
def reject_bulletin(
    caller: Caller,
    bulletins: Bulletins,
    moment: Now,
    bulletin_id: BulletinId,
    body: Annotated[ReasonBody, Body()],
) -> BulletinView:
    return view(bulletins.reject(caller, bulletin_id, body.reason, body.version), moment)


@router.post(
    "/bulletins/<bulletin_id>/withdraw",
    summary="Thu hồi (dừng phát), kèm lý do / Withdraw (take off air)",
    tags=["workflow"],
    responses=error_responses(400, 401, 403, 404, 409, body=True),
)
def withdraw_bulletin(
    caller: Caller,
    bulletins: Bulletins,
    moment: Now,
    bulletin_id: BulletinId,
    body: Annotated[ReasonBody, Body()],
) -> BulletinView:
    return view(bulletins.withdraw(caller, bulletin_id, body.reason, body.version), moment)


@router.post(
    "/bulletins/<bulletin_id>/revise",
    status_code=201,
    summary="Tạo phiên bản mới thay bản đã duyệt / New version of an approved bulletin",
    tags=["workflow"],
    responses=error_responses(401, 403, 404, 409, success=201),
)
def revise_bulletin(
    caller: Caller, bulletins: Bulletins, moment: Now, bulletin_id: BulletinId
) -> BulletinView:
    return view(bulletins.revise(caller, bulletin_id), moment)


@router.get(
    "/bulletins/<bulletin_id>/history",
    summary="Lịch sử thay đổi, cũ trước / Audit events, oldest first",
    tags=["bulletins"],
    responses=error_responses(401, 403, 404),
)
def bulletin_history(
    caller: Caller, bulletins: Bulletins, bulletin_id: BulletinId
) -> list[AuditEvent]:
    return bulletins.history(caller, bulletin_id)


@router.get(
    "/bulletins/<bulletin_id>/cap",
    summary="Bản tin khẩn cấp dạng CAP 1.2 (XML) / The emergency as CAP 1.2 XML",
    tags=["alerts"],
    responses=error_responses(401, 403, 404, 409),
)
def bulletin_cap(caller: Caller, alerts: Alerts, bulletin_id: BulletinId) -> Response[str]:
    document = alerts.export(caller, bulletin_id)
    return Response(
        status_code=200, content_type="application/cap+xml; charset=utf-8", body=document
    )
