"""``POST /speech/normalize``: how a text will be read aloud, for editors to check first."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from pydantic import BaseModel, ConfigDict, Field

from staff_api.dependencies import Caller
from staff_api.errors import error_responses

router = APIGatewayRouter()


class ReadingRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=100_000, description="Văn bản bản tin")


class Reading(BaseModel):
    text: str
    """What the speech engine reads: numbers, dates, units and abbreviations in words."""


@router.post(
    "/speech/normalize",
    summary=(
        "Xem trước cách đọc: số, ngày giờ, đơn vị, chữ viết tắt thành lời / Preview the "
        "reading: numbers, dates, units and abbreviations as words"
    ),
    tags=["speech"],
    responses=error_responses(400, 401, body=True),
)
def preview_reading(
    _caller: Caller,  # any signed-in staff member
    request: Annotated[ReadingRequest, Body()],
) -> Reading:
    from nguon.speech.normalize import normalize  # its rules load on first use, not cold start

    return Reading(text=normalize(request.text))
