"""A unit's programme (lịch phát): ``/units/{code}/programme`` and its settings."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from nguon.i18n import translate
from nguon.models.bulletins import Channel
from nguon.models.programme import Programme, ProgrammeOrder, ProgrammeSettings
from nguon.models.schedules import DAYS_NOTE, Day
from staff_api.dependencies import Caller, Programmes
from staff_api.errors import error_responses, request_language
from staff_api.routes.units import UnitCodePath

router = APIGatewayRouter()

QueryDay = Annotated[Day, Query(alias="date", description=f"YYYY-MM-DD, giờ Việt Nam, {DAYS_NOTE}")]


def _explained(programme: Programme) -> Programme:
    """Each unplaced item's reason in the reader's language."""
    language = request_language(router.current_event)
    return programme.model_copy(
        update={
            "not_placed": [
                missing.model_copy(update={"message": translate(missing.reason, language)})
                for missing in programme.not_placed
            ]
        }
    )


@router.get(
    "/units/<code>/programme",
    summary="Lịch phát trong ngày của đơn vị / The unit's programme for a day",
    tags=["programme"],
    responses=error_responses(401, 403, 404),
)
def get_programme(
    caller: Caller,
    programmes: Programmes,
    code: UnitCodePath,
    day: QueryDay,
    channel: Annotated[Channel, Query()] = Channel.SPEAKER,
) -> Programme:
    return _explained(programmes.day(caller, code, day, channel))


@router.put(
    "/units/<code>/programme",
    summary="Xếp thứ tự / đặt giờ các bản tin trong ngày / Order the day's items",
    tags=["programme"],
    responses=error_responses(400, 401, 403, 404, 409, body=True),
)
def put_programme(
    caller: Caller,
    programmes: Programmes,
    code: UnitCodePath,
    day: QueryDay,
    order: Annotated[ProgrammeOrder, Body()],
) -> Programme:
    return _explained(programmes.order(caller, code, day, order))


@router.get(
    "/units/<code>/programme/settings",
    summary="Khung giờ phát của đơn vị / The unit's broadcast windows",
    tags=["programme"],
    responses=error_responses(401, 403, 404),
)
def get_programme_settings(
    caller: Caller, programmes: Programmes, code: UnitCodePath
) -> ProgrammeSettings:
    return programmes.settings(caller, code)


@router.put(
    "/units/<code>/programme/settings",
    summary="Đổi khung giờ phát / Change the broadcast windows",
    tags=["programme"],
    responses=error_responses(400, 401, 403, 404, body=True),
)
def put_programme_settings(
    caller: Caller,
    programmes: Programmes,
    code: UnitCodePath,
    settings: Annotated[ProgrammeSettings, Body()],
) -> ProgrammeSettings:
    return programmes.change_settings(caller, code, settings)
