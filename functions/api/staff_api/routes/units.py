"""Administrative units: ``/units``."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from nguon.models.units import UNIT_CODE_PATTERN, UnitView
from staff_api.dependencies import Caller, Units
from staff_api.errors import error_responses

router = APIGatewayRouter()

UnitCodePath = Annotated[
    str, Path(pattern=UNIT_CODE_PATTERN, description="Mã đơn vị hành chính (GSO), ví dụ 52")
]


@router.get(
    "/units/<code>",
    summary="Đơn vị hành chính và các đơn vị trực thuộc / A unit and its children",
    tags=["units"],
    responses=error_responses(401, 403, 404),
)
def get_unit(caller: Caller, units: Units, code: UnitCodePath) -> UnitView:
    return units.view(caller, code)
