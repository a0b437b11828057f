"""The outbox to the national source information system: ``GET /central/outbox`` (its items
by status) and ``POST /central/outbox/{id}/retry`` (send a dead item again). The province's
staff only."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from nguon.models.central import OUTBOX_ID_PATTERN, OutboxItem, OutboxStatus, OutboxView
from staff_api.dependencies import Caller, CentralOutboxes
from staff_api.errors import error_responses

router = APIGatewayRouter()


@router.get(
    "/central/outbox",
    summary="Tình trạng gửi Trung ương / Items sent to the national system, by status",
    tags=["central"],
    responses=error_responses(401, 403),
)
def list_outbox(
    caller: Caller,
    outbox: CentralOutboxes,
    status: Annotated[OutboxStatus | None, Query(description="pending, sent, failed, dead")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(alias="next", max_length=2000)] = None,
) -> OutboxView:
    return outbox.list(caller, status, limit, cursor)


@router.post(
    "/central/outbox/<item_id>/retry",
    summary="Gửi lại một mục đã dừng / Send a dead item again",
    tags=["central"],
    responses=error_responses(401, 403, 404, 409),
)
def retry_outbox_item(
    caller: Caller,
    outbox: CentralOutboxes,
    item_id: Annotated[str, Path(pattern=OUTBOX_ID_PATTERN, description="Mã mục gửi")],
) -> OutboxItem:
    return outbox.retry(caller, item_id)
