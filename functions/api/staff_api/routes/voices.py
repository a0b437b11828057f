"""Bulletins' generated speech and each area's voice.

``GET/POST /bulletins/{id}/voice``: the speech job (progress, failure and its cause) and a
retry; ``GET/PUT /units/{code}/voice``: the voice of an area (Bình Định: Central by default).
"""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from nguon.errors import NotFound
from nguon.models.voices import AreaVoice, AreaVoiceView, VoiceJob
from staff_api.dependencies import AreaVoiceSettings, Bulletins, Caller, Units, Voices
from staff_api.errors import error_responses
from staff_api.routes.bulletins import BulletinId
from staff_api.routes.units import UnitCodePath

router = APIGatewayRouter()


@router.get(
    "/bulletins/<bulletin_id>/voice",
    summary=(
        "Giọng đọc của bản tin: tiến độ, lỗi và nguyên nhân / The bulletin's generated "
        "speech: progress, failure and its cause"
    ),
    tags=["bulletins"],
    responses=error_responses(401, 403, 404),
)
def get_voice(
    caller: Caller, bulletins: Bulletins, voices: Voices, bulletin_id: BulletinId
) -> VoiceJob:
    bulletins.get(caller, bulletin_id)  # scope
    job = voices.status(bulletin_id)
    if job is None:
        raise NotFound("voice_not_found", bulletin=bulletin_id)
    return job


@router.post(
    "/bulletins/<bulletin_id>/voice",
    summary="Tạo lại giọng đọc (sau lỗi) / Generate the speech again (after a failure)",
    tags=["bulletins"],
    responses=error_responses(401, 403, 404, 409, success=202),
)
def retry_voice(caller: Caller, voices: Voices, bulletin_id: BulletinId) -> Response[VoiceJob]:
    job = voices.retry(caller, bulletin_id)
    return Response(status_code=202, content_type=content_types.APPLICATION_JSON, body=job)


@router.get(
    "/units/<code>/voice",
    summary="Giọng đọc của địa bàn / The voice used for an area",
    tags=["units"],
    responses=error_responses(401, 403, 404),
)
def get_area_voice(
    caller: Caller, units: Units, area_voices: AreaVoiceSettings, code: UnitCodePath
) -> AreaVoiceView:
    units.view(caller, code)  # scope
    return area_voices.area_voice(code)


@router.put(
    "/units/<code>/voice",
    summary=(
        "Đặt giọng đọc cho địa bàn (vi: Bắc, vi-vn-x-central: Trung, vi-vn-x-south: Nam) / "
        "Set the voice of an area"
    ),
    tags=["units"],
    responses=error_responses(400, 401, 403, 404, body=True),
)
def put_area_voice(
    caller: Caller,
    area_voices: AreaVoiceSettings,
    code: UnitCodePath,
    setting: Annotated[AreaVoice, Body()],
) -> AreaVoiceView:
    return area_voices.set_area_voice(caller, code, setting.voice)
