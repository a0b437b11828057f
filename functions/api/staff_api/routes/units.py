"""Administrative units: ``/units``."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from nguon.models.units import UNIT_CODE_PATTERN, UnitView
from staff_api.dependencies import unit_service
from staff_api.identity import current_principal

router = APIGatewayRouter()

UnitCodePath = Annotated[
    str, Path(pattern=UNIT_CODE_PATTERN, description="Mã đơn vị hành chính (GSO), ví dụ 52")
]


@router.get(
    "/units/<code>",
    summary="Đơn vị hành chính và các đơn vị trực thuộc / A unit and its children",
    tags=["units"],
    responses={
        401: {"description": "Chưa đăng nhập / not signed in"},
        403: {"description": "Ngoài phạm vi quản lý / outside your area"},
        404: {"description": "Không có đơn vị / no such unit"},
    },
)
def get_unit(code: UnitCodePath) -> UnitView:
    return unit_service().view(current_principal(router.current_event), code)
