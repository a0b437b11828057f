"""Citizens' feedback for staff (phản ánh, hỏi đáp): the inbox, one report and its handling,
reports entered on a citizen's behalf, the services list and the statistics."""

from datetime import date
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from pydantic import BaseModel

from nguon.models.feedback import (
    Acknowledge,
    Answer,
    Assign,
    Categories,
    CategoryCode,
    FeedbackEvent,
    FeedbackKind,
    FeedbackPage,
    FeedbackStats,
    FeedbackStatus,
    FeedbackView,
    NoteInput,
    Receipt,
    Resolve,
    StaffSubmission,
)
from nguon.models.units import UNIT_CODE_PATTERN
from staff_api.dependencies import Caller, Feedbacks, Now
from staff_api.errors import error_responses

router = APIGatewayRouter()

FeedbackId = Annotated[
    str, Path(pattern=r"^PA-[0-9A-Z]{10}$", description="Mã phản ánh (mã tra cứu) / Tracking code")
]
UnitQuery = Annotated[str, Query(pattern=UNIT_CODE_PATTERN, description="Mã đơn vị")]


class History(BaseModel):
    items: list[FeedbackEvent]


@router.get(
    "/feedback",
    summary="Hộp thư phản ánh của đơn vị / A unit's feedback inbox, newest first",
    description=(
        "`view=queue` (mặc định): phản ánh đơn vị phải trả lời, gồm phản ánh quá hạn của đơn vị "
        "cấp dưới chuyển lên; `view=all`: mọi phản ánh trong địa bàn.\n\n`view=queue` (default):"
        " what the unit must answer, with the overdue reports of the units under it escalated "
        "to it; `view=all`: everything in its area."
    ),
    tags=["feedback"],
    responses=error_responses(401, 403, 404),
)
def list_feedback(
    caller: Caller,
    feedback: Feedbacks,
    moment: Now,
    unit: UnitQuery,
    view: Annotated[str, Query(pattern="^(queue|all)$")] = "queue",
    status: Annotated[FeedbackStatus | None, Query()] = None,
    category: Annotated[CategoryCode | None, Query()] = None,
    kind: Annotated[FeedbackKind | None, Query()] = None,
    overdue: Annotated[bool | None, Query()] = None,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> FeedbackPage:
    items = feedback.inbox(
        caller,
        unit,
        queue=view == "queue",
        status=status,
        category=category,
        kind=kind,
        overdue=overdue,
        start=start,
        end=end,
        limit=limit,
        at=moment,
    )
    return FeedbackPage(items=items)


@router.post(
    "/feedback",
    status_code=201,
    summary="Nhập phản ánh thay người dân (điện thoại, tiếp dân) / Enter a report for a citizen",
    tags=["feedback"],
    responses=error_responses(401, 403, 404, body=True),
)
def enter_feedback(
    caller: Caller, feedback: Feedbacks, moment: Now, body: Annotated[StaffSubmission, Body()]
) -> Receipt:
    return feedback.enter(caller, body, at=moment)


@router.get(
    "/feedback/stats",
    summary="Thống kê phản ánh theo đơn vị và kỳ / Feedback statistics of a unit and period",
    tags=["feedback"],
    responses=error_responses(401, 403, 404),
)
def feedback_stats(
    caller: Caller,
    feedback: Feedbacks,
    moment: Now,
    unit: UnitQuery,
    start: Annotated[date, Query(alias="from")],
    end: Annotated[date, Query(alias="to")],
) -> FeedbackStats:
    return feedback.stats(caller, unit, start, end, at=moment)


@router.get(
    "/feedback/services",
    summary="Danh mục lĩnh vực phản ánh / The services list (categories)",
    tags=["feedback"],
    responses=error_responses(401),
)
def get_services(caller: Caller, feedback: Feedbacks) -> Categories:
    return feedback.categories()


@router.put(
    "/feedback/services",
    summary="Sửa danh mục lĩnh vực (cấp tỉnh) / Replace the services list (the province)",
    tags=["feedback"],
    responses=error_responses(401, 403, 404, body=True),
)
def put_services(
    caller: Caller, feedback: Feedbacks, body: Annotated[Categories, Body()]
) -> Categories:
    return feedback.save_categories(caller, body)


@router.get(
    "/feedback/<feedback_id>",
    summary="Một phản ánh, liên hệ và phản ánh có thể trùng / One report, its contact, duplicates",
    tags=["feedback"],
    responses=error_responses(401, 403, 404),
)
def get_feedback(
    caller: Caller, feedback: Feedbacks, moment: Now, feedback_id: FeedbackId
) -> FeedbackView:
    return feedback.get(caller, feedback_id, at=moment)


@router.get(
    "/feedback/<feedback_id>/history",
    summary="Lịch sử xử lý / Every step, oldest first",
    tags=["feedback"],
    responses=error_responses(401, 403, 404),
)
def feedback_history(caller: Caller, feedback: Feedbacks, feedback_id: FeedbackId) -> History:
    return History(items=feedback.history(caller, feedback_id))


@router.post(
    "/feedback/<feedback_id>/acknowledge",
    summary="Tiếp nhận / Acknowledge",
    tags=["feedback"],
    responses=error_responses(401, 403, 404, 409, body=True),
)
def acknowledge(
    caller: Caller,
    feedback: Feedbacks,
    moment: Now,
    feedback_id: FeedbackId,
    body: Annotated[Acknowledge, Body()],
) -> FeedbackView:
    return feedback.acknowledge(caller, feedback_id, body.version, at=moment)


@router.post(
    "/feedback/<feedback_id>/assign",
    summary="Chuyển cho đơn vị hoặc sở, ngành / Assign to a unit or a province department",
    tags=["feedback"],
    responses=error_responses(401, 403, 404, 409, body=True),
)
def assign(
    caller: Caller,
    feedback: Feedbacks,
    moment: Now,
    feedback_id: FeedbackId,
    body: Annotated[Assign, Body()],
) -> FeedbackView:
    return feedback.assign(caller, feedback_id, body, at=moment)


@router.post(
    "/feedback/<feedback_id>/answer",
    summary="Trả lời công khai và/hoặc riêng / Answer publicly and/or privately",
    tags=["feedback"],
    responses=error_responses(401, 403, 404, 409, body=True),
)
def answer(
    caller: Caller,
    feedback: Feedbacks,
    moment: Now,
    feedback_id: FeedbackId,
    body: Annotated[Answer, Body()],
) -> FeedbackView:
    return feedback.answer(caller, feedback_id, body, at=moment)


@router.post(
    "/feedback/<feedback_id>/resolve",
    summary="Kết thúc xử lý / Resolve",
    tags=["feedback"],
    responses=error_responses(401, 403, 404, 409, body=True),
)
def resolve(
    caller: Caller,
    feedback: Feedbacks,
    moment: Now,
    feedback_id: FeedbackId,
    body: Annotated[Resolve, Body()],
) -> FeedbackView:
    return feedback.resolve(caller, feedback_id, body.version, at=moment)


@router.post(
    "/feedback/<feedback_id>/notes",
    status_code=201,
    summary="Ghi chú nội bộ (không công khai) / An internal note",
    tags=["feedback"],
    responses=error_responses(401, 403, 404, 409, body=True),
)
def add_note(
    caller: Caller,
    feedback: Feedbacks,
    moment: Now,
    feedback_id: FeedbackId,
    body: Annotated[NoteInput, Body()],
) -> FeedbackView:
    return feedback.note(caller, feedback_id, body.text, at=moment)
