"""Staff accounts: ``PUT /users/{username}/unit`` (admins set a user's home unit)."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from nguon.services.users import UnitAssignment, UserUnit
from staff_api.dependencies import Caller, Users
from staff_api.errors import error_responses

router = APIGatewayRouter()

# Cognito usernames: 1-128 characters without whitespace (the pool's own rule).
Username = Annotated[str, Path(pattern=r"^\S{1,128}$", description="Tên đăng nhập / username")]


@router.put(
    "/users/<username>/unit",
    summary=(
        "Đặt đơn vị của tài khoản (quản trị; cả đơn vị cũ và mới trong phạm vi của mình) / "
        "Set a user's home unit (admins; the current and the new unit both in their area)"
    ),
    tags=["users"],
    responses=error_responses(400, 401, 403, 404, body=True),
)
def put_user_unit(
    caller: Caller, users: Users, username: Username, assignment: Annotated[UnitAssignment, Body()]
) -> UserUnit:
    return users.set_unit(caller, username, assignment.unit)
