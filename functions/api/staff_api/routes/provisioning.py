"""Adding and retiring devices: ``POST /devices``, ``DELETE /devices/{thing}``."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from nguon.models.devices import DeviceRegistration, DeviceView
from nguon.services.provisioning import ProvisioningBundle
from staff_api.dependencies import Caller, Provisioning
from staff_api.errors import error_responses

router = APIGatewayRouter()


@router.post(
    "/devices",
    summary=(
        "Đăng ký thiết bị (cụm loa, bảng tin): tạo thing, chứng thư và trả gói cài đặt một lần "
        "duy nhất / Provision a device: returns its bundle (with the private key) exactly once"
    ),
    tags=["devices"],
    responses=error_responses(400, 401, 403, 404, 409, 422, body=True, success=201),
)
def provision(
    caller: Caller,
    provisioning: Provisioning,
    registration: Annotated[DeviceRegistration, Body()],
) -> Response[ProvisioningBundle]:
    bundle = provisioning.provision(caller, registration)
    return Response(
        status_code=201,
        content_type=content_types.APPLICATION_JSON,
        body=bundle,
        # The private key must not linger in any cache between here and the technician.
        headers={"Cache-Control": "no-store", "Location": f"/devices/{bundle.thing}"},
    )


@router.delete(
    "/devices/<thing>",
    summary=(
        "Ngừng sử dụng thiết bị: thu hồi chứng thư / Decommission a device: revokes its "
        "certificate; its plays and alarms stay"
    ),
    tags=["devices"],
    responses=error_responses(401, 403, 404, 409),
)
def decommission(
    caller: Caller, provisioning: Provisioning, thing: Annotated[str, Path(max_length=128)]
) -> DeviceView:
    device = provisioning.decommission(caller, thing)
    return DeviceView.of(device)
