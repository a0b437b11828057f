"""Devices (thiết bị) and their monitoring: ``/devices``, ``/alarms``, and a unit's device
summary and station statistics. (Registering and decommissioning devices: provisioning.)"""

from datetime import date, datetime
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from nguon.models.device_commands import CommandRecord, CommandRequest
from nguon.models.devices import (
    THING_PATTERN,
    DeviceKind,
    DevicePage,
    DeviceStatus,
    DeviceSummary,
    DeviceView,
)
from nguon.models.monitoring import AlarmPage, PlayRecord, StationReport
from nguon.models.schedules import DAYS_NOTE, Day
from nguon.models.units import UNIT_CODE_PATTERN
from staff_api.dependencies import Caller, Devices, Now
from staff_api.errors import error_responses
from staff_api.routes.units import UnitCodePath

router = APIGatewayRouter()

ThingPath = Annotated[
    str, Path(pattern=THING_PATTERN, description="Mã thiết bị (tên thing), ví dụ spk-21550-01")
]
FromDay = Annotated[
    Day | None, Query(alias="from", description=f"YYYY-MM-DD (mặc định: hôm nay), {DAYS_NOTE}")
]
ToDay = Annotated[
    Day | None, Query(alias="to", description=f"YYYY-MM-DD (mặc định: như from), {DAYS_NOTE}")
]


def _days(start: date | None, end: date | None, moment: datetime) -> tuple[date, date]:
    first = start or end or moment.date()
    return first, end or first


@router.get(
    "/devices",
    summary="Thiết bị trong địa bàn của một đơn vị / Devices of a unit's area",
    tags=["devices"],
    responses=error_responses(400, 401, 403, 404),
)
def list_devices(
    caller: Caller,
    devices: Devices,
    unit: Annotated[str | None, Query(pattern=UNIT_CODE_PATTERN)] = None,
    kind: Annotated[DeviceKind | None, Query()] = None,
    online: Annotated[bool | None, Query()] = None,
    status: Annotated[DeviceStatus, Query()] = DeviceStatus.ACTIVE,
    limit: Annotated[int, Query(ge=1, le=100)] = 25,
    next_page: Annotated[str | None, Query(alias="next", max_length=2048)] = None,
) -> DevicePage:
    found, cursor = devices.list(
        caller,
        unit=unit,
        kind=kind,
        online=online,
        status=status,
        limit=limit,
        cursor=next_page,
    )
    return DevicePage(items=[DeviceView.of(device) for device in found], next=cursor)


@router.get(
    "/devices/<thing>",
    summary="Một thiết bị và trạng thái của nó / One device and its state",
    tags=["devices"],
    responses=error_responses(401, 403, 404),
)
def get_device(caller: Caller, devices: Devices, thing: ThingPath) -> DeviceView:
    return DeviceView.of(devices.get(caller, thing))


@router.post(
    "/devices/<thing>/commands",
    status_code=202,
    summary="Gửi lệnh tới thiết bị / Send a command (volume, power, reboot, play_now, stop)",
    tags=["devices"],
    responses=error_responses(400, 401, 403, 404, 409, body=True, success=202),
)
def send_command(
    caller: Caller, devices: Devices, thing: ThingPath, request: Annotated[CommandRequest, Body()]
) -> CommandRecord:
    return devices.command(caller, thing, request)


@router.get(
    "/devices/<thing>/commands/<command_id>",
    summary="Một lệnh đã gửi và kết quả / A command sent and what became of it",
    description=(
        "`status` là `sent` cho tới khi thiết bị báo giá trị (âm lượng, nguồn) hoặc trả lời "
        "(các lệnh khác), rồi `done` hoặc `failed`. / `sent` until the device reports the "
        "value (volume, power) or answers (the others), then `done` or `failed`."
    ),
    tags=["devices"],
    responses=error_responses(401, 403, 404),
)
def command_status(
    caller: Caller,
    devices: Devices,
    thing: ThingPath,
    command_id: Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")],
) -> CommandRecord:
    return devices.command_status(caller, thing, command_id)


@router.get(
    "/devices/<thing>/plays",
    summary="Nhật ký phát của thiết bị / The device's proof of play",
    tags=["devices"],
    responses=error_responses(401, 403, 404),
)
def device_plays(
    caller: Caller,
    devices: Devices,
    moment: Now,
    thing: ThingPath,
    start: FromDay = None,
    end: ToDay = None,
) -> list[PlayRecord]:
    first, last = _days(start, end, moment)
    return devices.plays(caller, thing, first, last)


@router.get(
    "/alarms",
    summary="Cảnh báo mất kết nối trong địa bàn / Offline alarms of a unit's area",
    tags=["devices"],
    responses=error_responses(400, 401, 403, 404),
)
def list_alarms(
    caller: Caller,
    devices: Devices,
    unit: Annotated[str | None, Query(pattern=UNIT_CODE_PATTERN)] = None,
    is_open: Annotated[bool | None, Query(alias="open")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    next_page: Annotated[str | None, Query(alias="next", max_length=2048)] = None,
) -> AlarmPage:
    found, cursor = devices.alarms(caller, unit=unit, open=is_open, limit=limit, cursor=next_page)
    return AlarmPage(items=found, next=cursor)


@router.get(
    "/units/<code>/devices/summary",
    summary="Số thiết bị trực tuyến / tổng số theo loại / Devices online and in total, per kind",
    tags=["devices"],
    responses=error_responses(401, 403, 404),
)
def devices_summary(caller: Caller, devices: Devices, code: UnitCodePath) -> DeviceSummary:
    return devices.summary(caller, code)


@router.get(
    "/units/<code>/stations",
    summary="Thống kê phát theo trạm / Per-station statistics of the programme and plays",
    tags=["devices"],
    responses=error_responses(401, 403, 404),
)
def stations(
    caller: Caller,
    devices: Devices,
    moment: Now,
    code: UnitCodePath,
    start: FromDay = None,
    end: ToDay = None,
) -> StationReport:
    first, last = _days(start, end, moment)
    return devices.stations(caller, code, first, last)
