"""The resolver, its routers and its OpenAPI description."""

import json
from functools import lru_cache
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer
from aws_lambda_powertools.shared.json_encoder import Encoder

from nguon.config import get_settings
from nguon.cors import console_cors
from staff_api import errors
from staff_api.routes import (
    alerts,
    bulletins,
    central,
    devices,
    directives,
    feedback,
    kpis,
    media,
    overview,
    programme,
    provisioning,
    reports,
    speech,
    training,
    units,
    users,
    voices,
)

API_TITLE = "Nguồn — Hệ thống thông tin nguồn cấp tỉnh"
API_VERSION = "0.1.0"


def _serialize(value: Any) -> str:
    # Vietnamese stays readable in responses (UTF-8), not \u-escaped.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), cls=Encoder)


# Only the console's origin may read answers from a browser (nguon.cors).
app = APIGatewayRestResolver(
    enable_validation=True, serializer=_serialize, cors=console_cors(get_settings())
)
app.configure_openapi(
    title=API_TITLE,
    version=API_VERSION,
    description=(
        "API cho cán bộ tỉnh, huyện, xã và các sở, ngành. Đăng nhập bằng Cognito; gửi IdToken "
        "trong `Authorization: Bearer`. Lỗi: `{code, message}`; tiếng Việt mặc định, tiếng Anh "
        "với `Accept-Language: en`.\n\nAPI for province, district and commune staff."
    ),
    security_schemes={"cognito": HTTPBearer(bearerFormat="JWT")},
    security=[{"cognito": []}],
)
app.include_router(units.router)
app.include_router(bulletins.router)
app.include_router(programme.router)
app.include_router(alerts.router)
app.include_router(devices.router)
app.include_router(provisioning.router)
app.include_router(voices.router)
app.include_router(speech.router)
app.include_router(media.router)
app.include_router(users.router)
app.include_router(feedback.router)
app.include_router(overview.router)
app.include_router(kpis.router)
app.include_router(reports.router)
app.include_router(central.router)
app.include_router(directives.router)
app.include_router(training.router)
errors.register(app)


@app.get("/openapi.json", include_in_schema=False)
def openapi_document() -> dict[str, Any]:
    """The generated OpenAPI document; public (``Auth: NONE`` in template.yaml)."""
    return _openapi_document()


@lru_cache(maxsize=1)
def _openapi_document() -> dict[str, Any]:
    return json.loads(app.get_openapi_json_schema())
