"""Media (tệp phương tiện): signed uploads (``POST /uploads``) and the items they become."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from nguon.models.media import MediaPage, MediaStatus, MediaView, UploadRequest, UploadTicket
from nguon.models.units import UNIT_CODE_PATTERN
from staff_api.dependencies import Caller, Media
from staff_api.errors import error_responses, request_language

router = APIGatewayRouter()

MediaId = Annotated[str, Path(min_length=1, max_length=64, description="Mã tệp phương tiện")]


@router.post(
    "/uploads",
    status_code=201,
    summary="Xin đường dẫn tải tệp lên / A signed upload (presigned POST) for one file",
    description=(
        "Gửi biểu mẫu `multipart/form-data` tới `url`: mọi trường trong `fields`, rồi trường "
        "`file` (cuối cùng). Đường dẫn dùng được 15 phút, đúng loại tệp và không quá `size` "
        "byte đã khai báo. Sau khi tải lên, tệp được kiểm tra và xử lý; xem `GET /media/{id}`."
        "\n\nPOST `fields` and then `file` (last) to `url` as multipart/form-data, within 15 "
        "minutes, with the declared type and at most the declared size."
    ),
    tags=["media"],
    responses=error_responses(400, 401, 403, body=True, success=201),
)
def request_upload(
    caller: Caller, service: Media, request: Annotated[UploadRequest, Body()]
) -> UploadTicket:
    return service.request_upload(caller, request)


@router.get(
    "/media",
    summary="Tệp phương tiện tải lên tại một đơn vị / Media uploaded at a unit, newest first",
    tags=["media"],
    responses=error_responses(400, 401, 403, 404),
)
def list_media(
    caller: Caller,
    service: Media,
    unit: Annotated[str | None, Query(pattern=UNIT_CODE_PATTERN)] = None,
    status: Annotated[MediaStatus | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 25,
    next_page: Annotated[str | None, Query(alias="next", max_length=2048)] = None,
) -> MediaPage:
    found, cursor = service.search(caller, unit=unit, status=status, limit=limit, cursor=next_page)
    language = request_language(router.current_event)
    return MediaPage(items=[service.view(media, language) for media in found], next=cursor)


@router.get(
    "/media/<id>",
    summary="Một tệp phương tiện: trạng thái, lý do, các bản đã xử lý / One media item",
    tags=["media"],
    responses=error_responses(401, 403, 404),
)
def get_media(caller: Caller, service: Media, id: MediaId) -> MediaView:  # the template's {id}
    media = service.get(caller, id)
    return service.view(media, request_language(router.current_event))
