"""A unit's overview (tổng quan): the console's first page in one call."""

from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from nguon.models.overview import UnitOverview
from staff_api.dependencies import Caller, Overview
from staff_api.errors import error_responses
from staff_api.routes.units import UnitCodePath

router = APIGatewayRouter()


@router.get(
    "/units/<code>/overview",
    summary="Tổng quan của một đơn vị / A unit's overview",
    description=(
        "Thiết bị trực tuyến/tổng số theo huyện (tỉnh) hoặc xã (huyện), cảnh báo mất kết nối "
        "đang mở, tin khẩn cấp trong ngày, bản tin chờ người gọi duyệt, lượt phát hôm nay so "
        "với kế hoạch. / Devices online/total by district (province) or commune (district), "
        "open alarms, today's emergencies, bulletins awaiting the caller's approval, today's "
        "plays against the programme."
    ),
    tags=["units"],  # one tag: Powertools keeps a route's tags in a frozenset (order varies by run)
    responses=error_responses(401, 403, 404),
)
def unit_overview(caller: Caller, overview: Overview, code: UnitCodePath) -> UnitOverview:
    return overview.overview(caller, code)
