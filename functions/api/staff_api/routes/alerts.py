"""CAP alerts from outside agencies: ``POST /alerts/cap`` (XML body)."""

import base64

from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from nguon.errors import BadRequest
from nguon.models.bulletins import BulletinView
from staff_api.dependencies import Now, alert_service
from staff_api.errors import error_responses
from staff_api.identity import current_principal
from staff_api.routes.bulletins import view

router = APIGatewayRouter()


@router.post(
    "/alerts/cap",
    summary=(
        "Nhập cảnh báo CAP 1.2 (XML) thành bản tin khẩn cấp chờ duyệt / Import a CAP 1.2 alert "
        "as a pending emergency (Update: a pending revision; Cancel: withdraws the original)"
    ),
    tags=["alerts"],
    responses=error_responses(400, 401, 403, 409),
)
def import_cap(moment: Now) -> tuple[BulletinView, int]:
    event = router.current_event
    body = event.body or ""
    document = base64.b64decode(body) if event.is_base64_encoded else body.encode()
    if not document.strip():
        raise BadRequest("bad_request", reason="CAP XML")
    bulletin, created = alert_service().import_alert(current_principal(event), document)
    return view(bulletin, moment), 201 if created else 200
