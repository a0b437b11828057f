"""Citizens' feedback on the public portal, no sign-in: the form of a unit, the tracking page,
reopening, the unit's public questions and answers, and Open311 GeoReport v2.

Pages work without JavaScript (plain HTML forms) and answer JSON to ``Accept:
application/json``. Open311 lives under ``/open311/v2/``: ``services``, ``requests`` (GET and a
form-encoded POST) and ``requests/{id}``, each as ``.json`` or ``.xml``.

Abuse: a form body is at most :data:`BODY_MAX` bytes; the form has a honeypot field (``website``,
hidden from people; a bot that fills it is refused and nothing is stored); intake is counted per
client (source IP) and per contact by the service, and a flood gets 429 with ``Retry-After``.

Services are built on first use (nothing talks to AWS at import); tests replace them with
``monkeypatch.setattr(feedback_routes, "feedback", lambda: fake)``.
"""

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from functools import lru_cache
from html import escape
from typing import Any
from urllib.parse import parse_qs

from chalice import Response
from chalice.app import Request
from pydantic import ValidationError

from chalicelib.blueprints import ReusableBlueprint
from nguon import assembly
from nguon.clock import localize
from nguon.config import Language, get_settings
from nguon.errors import (
    BadRequest,
    Conflict,
    InvalidInput,
    NguonError,
    NotFound,
    TooManyRequests,
)
from nguon.i18n import negotiate, translate
from nguon.models.feedback import (
    Channel,
    Feedback,
    FeedbackKind,
    FeedbackStatus,
    PublicFeedback,
    Reopen,
    Submission,
)
from nguon.services.feedback import FeedbackService, public_point

feedback_routes = ReusableBlueprint(__name__)

BODY_MAX = 16 * 1024
"""Bytes of a form or Open311 POST (a description is at most 4,000 characters)."""
HONEYPOT = "website"
FORM = "application/x-www-form-urlencoded"
OPEN311_DAYS = 90
OPEN311_MAX = 1000
"""Open311's defaults for ``GET requests``: the last 90 days, at most 1,000 requests."""
STATUS_VI = {
    FeedbackStatus.RECEIVED: "Đã nhận",
    FeedbackStatus.ACKNOWLEDGED: "Đã tiếp nhận, đang xử lý",
    FeedbackStatus.ANSWERED: "Đã trả lời",
    FeedbackStatus.RESOLVED: "Đã xử lý xong",
    FeedbackStatus.REOPENED: "Mở lại, đang xử lý",
}


@lru_cache(maxsize=1)
def feedback() -> FeedbackService:
    from nguon.storage.feedback import DynamoFeedbackStore

    return FeedbackService(assembly.units(), DynamoFeedbackStore())


def _request() -> Request:
    request = feedback_routes.current_request
    assert request is not None  # Chalice sets it for every routed call
    return request


def _language(request: Request) -> Language:
    return negotiate(request.headers.get("accept-language"), get_settings().default_language)


def _wants_json(request: Request) -> bool:
    accept = request.headers.get("accept") or ""
    return _query(request).get("format") == "json" or (
        "application/json" in accept and "text/html" not in accept
    )


def _client(request: Request) -> str | None:
    identity = (request.context or {}).get("identity") or {}
    source = identity.get("sourceIp")
    return str(source) if source else None


def _form(request: Request) -> dict[str, str]:
    """A form-encoded body as single values (the last of repeated fields)."""
    raw = _body(request)
    try:
        fields = parse_qs(raw.decode("utf-8"), keep_blank_values=True, max_num_fields=50)
    except (UnicodeDecodeError, ValueError):
        raise BadRequest("bad_request", reason="form") from None
    return {name: values[-1] for name, values in fields.items()}


class _TooLarge(Exception):
    pass


def _query(request: Request) -> dict[str, str]:
    return dict(request.query_params or {})


def _body(request: Request) -> bytes:
    """The raw body, refused past :data:`BODY_MAX` bytes."""
    raw = request.raw_body or b""
    data = raw if isinstance(raw, bytes) else raw.encode()
    if len(data) > BODY_MAX:
        raise _TooLarge()
    return data


def _json(body: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    return Response(
        body=json.dumps(body, ensure_ascii=False, default=str),
        status_code=status,
        headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})},
    )


def _html(
    title: str, body: str, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    page = (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{escape(title)}</h1>{body}</body></html>"
    )
    return Response(
        body=page,
        status_code=status,
        headers={
            "Content-Type": "text/html; charset=utf-8",
            "Cache-Control": "no-store",  # a form and a citizen's own report: never cached
            **(headers or {}),
        },
    )


_CSS = (
    "body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:0 auto;padding:0 .8rem}"
    "label{display:block;margin:.6rem 0 .2rem}textarea,input,select{width:100%;font:inherit}"
    "input[type=checkbox],input[type=radio]{width:auto}.hp{position:absolute;left:-9999px}"
    ".error{background:#fde8e8;border:1px solid #c00;padding:.5rem}.meta{color:#555}"
)


def _error(request: Request, error: NguonError, status: int) -> Response:
    language = _language(request)
    message = translate(error.code, language, **error.params)
    headers = {}
    if isinstance(error, TooManyRequests):
        headers["Retry-After"] = str(error.params.get("retry_after", 60))
    if _wants_json(request):
        return _json({"code": error.code, "message": message}, status, headers)
    return _html(
        "Chưa gửi được / Not sent", f'<p class="error">{escape(message)}</p>', status, headers
    )


def _status_of(error: NguonError) -> int:
    for kind, status in (
        (TooManyRequests, 429),
        (NotFound, 404),
        (Conflict, 409),
        (InvalidInput, 422),
    ):
        if isinstance(error, kind):
            return status
    return 400


class Refused(Exception):
    """Why a request was refused: the domain error to word and the HTTP status."""

    def __init__(self, error: NguonError, status: int) -> None:
        super().__init__(error.code)
        self.error = error
        self.status = status


def _refusal(handler: Callable[[], Response]) -> Response:
    """``handler()``, its refusals (domain errors, invalid input, oversize bodies) raised as
    :class:`Refused`."""
    try:
        return handler()
    except _TooLarge:
        raise Refused(InvalidInput("feedback_too_large", limit=BODY_MAX), 413) from None
    except ValidationError as invalid:
        fields = ", ".join(sorted({str(e["loc"][0]) for e in invalid.errors() if e["loc"]}))
        raise Refused(InvalidInput("feedback_invalid", fields=fields or "?"), 422) from None
    except NguonError as error:
        raise Refused(error, _status_of(error)) from None


def _guarded(handler: Callable[..., Response]) -> Callable[..., Response]:
    """Refusals as answers, in the reader's format."""

    def run(*args: str) -> Response:
        try:
            return _refusal(lambda: handler(*args))
        except Refused as refused:
            return _error(_request(), refused.error, refused.status)

    run.__name__ = handler.__name__
    return run


# --- the portal's form --------------------------------------------------------------------


@feedback_routes.route("/units/{code}/feedback", methods=["GET"])
def feedback_form(code: str) -> Response:
    return _guarded(_form_page)(code)


def _form_page(
    code: str, problem: str = "", values: Mapping[str, str] | None = None, status: int = 200
) -> Response:
    """The form; after a refusal, the message on top and what the citizen typed kept (but
    never the honeypot)."""
    values = values or {}
    service = feedback()
    unit = service.unit(code)

    def value(name: str) -> str:
        return escape(str(values.get(name) or ""))

    def option(code_: str, label: str, chosen: str | None) -> str:
        selected = " selected" if code_ == chosen else ""
        return f'<option value="{escape(code_)}"{selected}>{escape(label)}</option>'

    categories = "".join(
        option(c.code, c.name, values.get("category")) for c in service.categories().items
    )
    communes = [c for c in service.communes_under(code) if c.code != code]
    if communes:
        options = "".join(
            option(c.code, f"{c.type} {c.name}", values.get("unit")) for c in communes
        )
        where = (
            f'<label for="unit">Xã, phường</label><select id="unit" name="unit">{options}</select>'
        )
    else:
        where = f'<input type="hidden" name="unit" value="{escape(unit.code)}">'
    question = values.get("kind") == "question"
    error = f'<p class="error" role="alert">{escape(problem)}</p>' if problem else ""
    to = f"{escape(unit.type)} {escape(unit.name)}"
    body = f"""{error}<p>Gửi phản ánh, kiến nghị hoặc câu hỏi tới {to}.
Bạn nhận được mã tra cứu để theo dõi kết quả. Số điện thoại, email chỉ cán bộ xử lý thấy.</p>
<form method="post" action="/units/{escape(unit.code)}/feedback">
<fieldset><legend>Loại</legend>
<label><input type="radio" name="kind" value="report"{"" if question else " checked"}>
Phản ánh, kiến nghị</label>
<label><input type="radio" name="kind" value="question"{" checked" if question else ""}>
Câu hỏi</label></fieldset>
<label for="category">Lĩnh vực</label><select id="category" name="category">{categories}</select>
{where}
<label for="description">Nội dung (tối đa 4.000 ký tự)</label>
<textarea id="description" name="description" rows="6" maxlength="4000" required>{
        value("description")
    }</textarea>
<label for="address">Địa chỉ, nơi xảy ra</label>
<input id="address" name="address" maxlength="300" value="{value("address")}">
<label for="lat">Vĩ độ (nếu biết)</label>
<input id="lat" name="lat" inputmode="decimal" value="{value("lat")}">
<label for="lon">Kinh độ (nếu biết)</label>
<input id="lon" name="lon" inputmode="decimal" value="{value("lon")}">
<label for="name">Họ tên (không bắt buộc)</label>
<input id="name" name="name" maxlength="100" value="{value("name")}">
<label for="phone">Điện thoại (không bắt buộc)</label>
<input id="phone" name="phone" type="tel" value="{value("phone")}">
<label for="email">Email (không bắt buộc)</label>
<input id="email" name="email" type="email" value="{value("email")}">
<div class="hp" aria-hidden="true"><label for="{HONEYPOT}">Để trống ô này</label>
<input id="{HONEYPOT}" name="{HONEYPOT}" tabindex="-1" autocomplete="off"></div>
<label><input type="checkbox" name="consent" value="yes" required> Tôi đồng ý để cơ quan nhà nước
tiếp nhận, xử lý phản ánh này.</label>
<p><button type="submit">Gửi</button></p></form>"""
    return _html(f"Phản ánh, hỏi đáp — {unit.name}", body, status)


@feedback_routes.route(
    "/units/{code}/feedback", methods=["POST"], content_types=[FORM, "application/json"]
)
def submit_form(code: str) -> Response:
    request = _request()
    try:
        return _refusal(lambda: _submit(code))
    except Refused as refused:
        sent_json = (request.headers.get("content-type") or "").startswith("application/json")
        # (An unreadable or oversize body has nothing worth showing again.)
        if refused.status not in (409, 422, 429) or sent_json or _wants_json(request):
            return _error(request, refused.error, refused.status)
        # A person at a browser: the form again, with the reason and what they typed.
        values = {k: v for k, v in _form(request).items() if k != HONEYPOT}
        message = translate(refused.error.code, _language(request), **refused.error.params)
        status = refused.status
        page = _guarded(lambda c: _form_page(c, message, values, status))(code)
        if isinstance(refused.error, TooManyRequests):
            page.headers["Retry-After"] = str(refused.error.params.get("retry_after", 60))
        return page


def _submit(code: str) -> Response:
    request = _request()
    if (request.headers.get("content-type") or "").startswith("application/json"):
        raw = _body(request)
        try:
            data = json.loads(raw)
        except ValueError:
            raise BadRequest("bad_request", reason="JSON") from None
        if not isinstance(data, dict):
            raise BadRequest("bad_request", reason="JSON")
        fields = {k: v for k, v in data.items()}
    else:
        fields = dict(_form(request))
    if fields.get(HONEYPOT):
        raise InvalidInput("feedback_spam")
    service = feedback()
    service.unit(code)  # 404 for a unit that does not exist
    submission = Submission.model_validate(
        {
            "kind": fields.get("kind") or "report",
            "category": fields.get("category"),
            "description": fields.get("description"),
            "unit": fields.get("unit") or code,
            "point": _point(fields.get("lat"), fields.get("lon")),
            "address": fields.get("address") or None,
            "contact": _contact(fields),
            "consent": fields.get("consent") in ("yes", "on", "true", True),
        }
    )
    receipt = service.submit(submission, Channel.WEB, _client(request))
    link = f"/feedback/{receipt.tracking_code}"
    if _wants_json(request):
        return _json(receipt.model_dump(mode="json"), 201, {"Location": link})
    body = f"""<p>Đã nhận. Mã tra cứu của bạn: <strong>{escape(receipt.tracking_code)}</strong></p>
<p>Mã để mở lại phản ánh (giữ riêng): <strong>{escape(receipt.reopen_key)}</strong></p>
<p class="meta">Hạn tiếp nhận: {_when(receipt.acknowledge_due)};
hạn trả lời: {_when(receipt.answer_due)}.</p>
<p><a href="{link}">Theo dõi phản ánh</a></p>"""
    return _html("Đã gửi phản ánh", body, 201, {"Location": link})


def _point(lat: Any, lon: Any) -> dict[str, Any] | None:
    if lat in (None, "") and lon in (None, ""):
        return None
    try:
        return {"lat": float(lat), "lon": float(lon)}
    except (TypeError, ValueError):
        raise InvalidInput("feedback_invalid", fields="lat, lon") from None


def _contact(fields: Mapping[str, Any]) -> dict[str, Any] | None:
    contact = {
        "name": fields.get("name") or None,
        "phone": fields.get("phone") or None,
        "email": fields.get("email") or None,
    }
    return contact if any(contact.values()) else None


def _when(moment: datetime | None) -> str:
    return localize(moment).strftime("%H:%M %d/%m/%Y") if moment else "—"


# --- tracking and reopening ------------------------------------------------------------------


@feedback_routes.route("/feedback/{tracking_code}", methods=["GET"])
def tracking_page(tracking_code: str) -> Response:
    return _guarded(_tracking)(tracking_code)


def _tracking(tracking_code: str, notice: str = "") -> Response:
    service = feedback()
    public = service.public_view(service.find_public(tracking_code.upper()))
    if _wants_json(_request()):
        return _json(public.model_dump(mode="json"), headers={"Cache-Control": "no-store"})
    body = _tracking_body(public, notice, service.now())
    return _html(f"Phản ánh {public.tracking_code}", body)


def _tracking_body(public: PublicFeedback, notice: str, moment: datetime) -> str:
    answer = (
        f"<h2>Trả lời</h2><p>{escape(public.answer)}</p>"
        if public.answer
        else "<p>Chưa có trả lời công khai.</p>"
    )
    reopen = ""
    if public.reopen_until and moment <= public.reopen_until:
        until = _when(public.reopen_until)
        reopen = f"""<h2>Chưa hài lòng?</h2><p>Bạn có thể mở lại đến {until}.</p>
<form method="post" action="/feedback/{escape(public.tracking_code)}/reopen">
<label for="key">Mã mở lại</label><input id="key" name="key" required>
<label for="reason">Lý do</label>
<textarea id="reason" name="reason" rows="3" maxlength="1000"></textarea>
<p><button type="submit">Mở lại</button></p></form>"""
    shown = f"<p><strong>{escape(notice)}</strong></p>" if notice else ""
    return f"""{shown}<p class="meta">{escape(public.category_name)} · {escape(public.unit_name)} ·
nhận lúc {_when(public.received_at)}</p>
<p>Trạng thái: <strong>{escape(STATUS_VI[public.status])}</strong></p>
<p>{escape(public.description)}</p>{answer}{reopen}"""


@feedback_routes.route("/feedback/{tracking_code}/reopen", methods=["POST"], content_types=[FORM])
def reopen(tracking_code: str) -> Response:
    return _guarded(_reopen)(tracking_code)


def _reopen(tracking_code: str) -> Response:
    fields = _form(_request())
    request = Reopen.model_validate(
        {"key": fields.get("key", ""), "reason": fields.get("reason", "")}
    )
    feedback().reopen(tracking_code.upper(), request)
    return _tracking(tracking_code, notice="Đã mở lại phản ánh.")


# --- questions and answers ---------------------------------------------------------------


@feedback_routes.route("/units/{code}/questions", methods=["GET"])
def questions(code: str) -> Response:
    return _guarded(_questions)(code)


def _questions(code: str) -> Response:
    query = (_query(_request()).get("q") or "")[:200]
    found = feedback().public_questions(code, query or None)
    return _json(
        {"unit": code, "q": query, "items": [q.model_dump(mode="json") for q in found]},
        headers={"Cache-Control": "public, max-age=300"},
    )


# --- Open311 GeoReport v2 ------------------------------------------------------------------


def _open311(
    body: list[dict[str, Any]], root: str, item: str, fmt: str, status: int = 200
) -> Response:
    if fmt == "xml":
        return Response(
            body=_xml(root, item, body),
            status_code=status,
            headers={"Content-Type": "text/xml; charset=utf-8"},
        )
    return _json(body, status)


def _xml(root: str, item: str, rows: list[dict[str, Any]]) -> str:
    top = ET.Element(root)
    for row in rows:
        element = ET.SubElement(top, item)
        for name, value in row.items():
            child = ET.SubElement(element, name)
            if value is not None:
                child.text = str(value).lower() if isinstance(value, bool) else str(value)
    return '<?xml version="1.0" encoding="UTF-8"?>' + ET.tostring(top, encoding="unicode")


def _open311_error(fmt: str, status: int, description: str) -> Response:
    return _open311([{"code": status, "description": description}], "errors", "error", fmt, status)


def _format(name: str) -> tuple[str, str]:
    """``requests.json`` → (``requests``, ``json``); an unknown format is a 404 of Open311's."""
    stem, _, fmt = name.rpartition(".")
    return (stem, fmt) if fmt in ("json", "xml") and stem else (name, "")


def _open311_guarded(fmt: str, handler: Callable[[], Response]) -> Response:
    request = _request()
    language = _language(request)
    try:
        return handler()
    except _TooLarge:
        return _open311_error(fmt, 413, translate("feedback_too_large", language, limit=BODY_MAX))
    except ValidationError as invalid:
        fields = ", ".join(sorted({str(e["loc"][0]) for e in invalid.errors() if e["loc"]}))
        return _open311_error(fmt, 400, translate("feedback_invalid", language, fields=fields))
    except TooManyRequests as error:
        response = _open311_error(fmt, 429, translate(error.code, language, **error.params))
        response.headers["Retry-After"] = str(error.params.get("retry_after", 60))
        return response
    except NguonError as error:
        status = 404 if isinstance(error, NotFound) else 400
        return _open311_error(fmt, status, translate(error.code, language, **error.params))


@feedback_routes.route("/open311/v2/services.json", methods=["GET"])
def services_json() -> Response:
    return _open311(_services(), "services", "service", "json")


@feedback_routes.route("/open311/v2/services.xml", methods=["GET"])
def services_xml() -> Response:
    return _open311(_services(), "services", "service", "xml")


def _services() -> list[dict[str, Any]]:
    return [
        {
            "service_code": c.code,
            "service_name": c.name,
            "description": c.description,
            "metadata": False,
            "type": "realtime",
            "keywords": ",".join(c.keywords),
            "group": c.group,
        }
        for c in feedback().categories().items
    ]


@feedback_routes.route("/open311/v2/requests.json", methods=["GET"])
def requests_json() -> Response:
    return _open311_guarded("json", lambda: _list_requests("json"))


@feedback_routes.route("/open311/v2/requests.xml", methods=["GET"])
def requests_xml() -> Response:
    return _open311_guarded("xml", lambda: _list_requests("xml"))


# Open311 clients POST form-encoded (the spec's only body); separate routes from the GETs, whose
# requests carry no content type (Chalice checks the type of every call against the route's).
@feedback_routes.route("/open311/v2/requests.json", methods=["POST"], content_types=[FORM])
def post_request_json() -> Response:
    return _open311_guarded("json", lambda: _post_request("json"))


@feedback_routes.route("/open311/v2/requests.xml", methods=["POST"], content_types=[FORM])
def post_request_xml() -> Response:
    return _open311_guarded("xml", lambda: _post_request("xml"))


@feedback_routes.route("/open311/v2/requests/{document}", methods=["GET"])
def request_document(document: str) -> Response:
    request_id, fmt = _format(document)
    if not fmt:
        return _open311_error("json", 404, "Not found")
    return _open311_guarded(fmt, lambda: _one_request(request_id, fmt))


def _one_request(request_id: str, fmt: str) -> Response:
    service = feedback()
    report = service.find_public(request_id.upper())
    if report.kind is not FeedbackKind.REPORT:
        raise NotFound("feedback_not_found", tracking_code=request_id)
    return _open311([_as_open311(service, report)], "service_requests", "request", fmt)


def _list_requests(fmt: str) -> Response:
    query = _query(_request())
    service = feedback()
    until = _w3c(query.get("end_date")) or service.now()
    since = _w3c(query.get("start_date")) or until - timedelta(days=OPEN311_DAYS)
    found = service.public_reports(
        since=since, until=until, category=query.get("service_code") or None, limit=OPEN311_MAX
    )
    wanted_ids = {
        i.strip().upper() for i in (query.get("service_request_id") or "").split(",") if i.strip()
    }
    if wanted_ids:  # by id, whatever the dates (Open311: the other parameters are then ignored)
        found = [r for r in (_find(service, i) for i in sorted(wanted_ids)) if r is not None]
    wanted_status = {s.strip() for s in (query.get("status") or "").split(",") if s.strip()}
    rows = [_as_open311(service, report) for report in found]
    if wanted_status:
        rows = [row for row in rows if row["status"] in wanted_status]
    return _open311(rows, "service_requests", "request", fmt)


def _find(service: FeedbackService, request_id: str) -> Feedback | None:
    try:
        report = service.find_public(request_id)
    except NotFound:
        return None
    return report if report.kind is FeedbackKind.REPORT else None


def _w3c(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput("feedback_invalid", fields="start_date, end_date") from None
    return localize(moment)


def _post_request(fmt: str) -> Response:
    request = _request()
    fields = _form(request)
    name = " ".join(p for p in (fields.get("first_name"), fields.get("last_name")) if p)
    contact = _contact({"name": name, "phone": fields.get("phone"), "email": fields.get("email")})
    submission = Submission.model_validate(
        {
            "category": fields.get("service_code"),
            "description": fields.get("description"),
            # address_id: the GSO code of the commune (our master address list is the units').
            "unit": fields.get("address_id") or None,
            "point": _point(fields.get("lat"), fields.get("long")),
            "address": fields.get("address_string") or None,
            "contact": contact,
            "consent": True,  # sending it through an Open311 app is the citizen's own act
        }
    )
    receipt = feedback().submit(submission, Channel.OPEN311, _client(request))
    notice = (
        f"Mã tra cứu {receipt.tracking_code}; hạn trả lời {_when(receipt.answer_due)}. "
        f"Mã mở lại: {receipt.reopen_key}"
    )
    row = {
        "service_request_id": receipt.tracking_code,
        "service_notice": notice,
        "account_id": None,
    }
    return _open311([row], "service_requests", "request", fmt, 201)


def _w3c_out(moment: datetime | None) -> str | None:
    return localize(moment).isoformat(timespec="seconds") if moment else None


def _as_open311(service: FeedbackService, report: Feedback) -> dict[str, Any]:
    public = service.public_view(report)
    point = public_point(report.point)
    updated = max(
        m
        for m in (
            report.received_at,
            report.acknowledged_at,
            report.answered_at,
            report.resolved_at,
            report.reopened_at,
        )
        if m
    )
    return {
        "service_request_id": report.id,
        "status": "closed" if report.status is FeedbackStatus.RESOLVED else "open",
        "status_notes": public.answer,
        "service_name": public.category_name,
        "service_code": report.category,
        "description": public.description,
        "agency_responsible": report.department or public.unit_name,
        "service_notice": None,
        "requested_datetime": _w3c_out(report.received_at),
        "updated_datetime": _w3c_out(updated),
        "expected_datetime": _w3c_out(report.answer_due),
        "address": public.address,
        "address_id": report.unit,
        "zipcode": None,
        "lat": point.lat if point else None,
        "long": point.lon if point else None,
        "media_url": None,
    }
