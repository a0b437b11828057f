"""Citizens' alert subscriptions on the portal: subscribe, confirm with the code, unsubscribe.

A Chalice ``Blueprint`` the portal's app registers. Pages work without JavaScript (form posts,
small Vietnamese HTML) and the same routes answer JSON to JSON clients (``Accept:
application/json``, or a JSON body). Nothing here logs or echoes a contact: answers name the
subscription by its id (a keyed hash) and show its unit, channel and categories only.

- ``GET /subscriptions?unit=…``: the form (the unit's page links it).
- ``POST /subscriptions`` (form or JSON: ``unit``, ``channel`` ``email|sms``, ``address``,
  ``categories``): 202, a code on its way (sent from the table's stream). A flood from one
  client or at one contact is 429 with ``Retry-After``. A filled ``website`` field (a honeypot
  people never see) is answered the same and stores nothing.
- ``POST /subscriptions/confirm`` (``subscription``, ``code``): 200 once confirmed.
- ``GET /subscriptions/unsubscribe?token=…``: one click; the subscription and its contact are
  deleted (200 also when they already were).
"""

import json
from collections.abc import Mapping
from functools import lru_cache
from html import escape
from typing import Any
from urllib.parse import parse_qs

from aws_lambda_powertools.utilities import parameters
from chalice import Response
from chalice.app import Request
from pydantic import ValidationError

from chalicelib.blueprints import ReusableBlueprint
from nguon import assembly
from nguon.clock import now
from nguon.config import Language, get_settings
from nguon.errors import Conflict, InvalidInput, NguonError, NotFound
from nguon.i18n import negotiate, translate
from nguon.models.bulletins import Category
from nguon.models.subscriptions import Confirmation, ContactChannel, SubscriptionRequest
from nguon.services.subscriptions import (
    CODE_TTL,
    RateLimited,
    SubscriptionKeys,
    SubscriptionService,
)
from nguon.validation import plain_context

subscription_routes = ReusableBlueprint(__name__)

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
_BODY_MAX = 4096
_STATUS = {NotFound: 404, Conflict: 409, InvalidInput: 422, RateLimited: 429}
_MINUTES = int(CODE_TTL.total_seconds() // 60)
Headers = dict[str, str | list[str]]


@lru_cache(maxsize=1)
def subscription_service() -> SubscriptionService:
    """Built on first use (nothing talks to AWS at import time), once per container."""
    from nguon.storage.subscriptions import DynamoSubscriptionStore

    secret = get_settings().subscription_secret
    return SubscriptionService(
        store=DynamoSubscriptionStore(),
        units=assembly.units(),
        keys=SubscriptionKeys(lambda: str(parameters.get_secret(secret))),
        now=now,
    )


@subscription_routes.route("/subscriptions", methods=["GET"])
def subscription_form() -> Response:
    """The form for one unit (``?unit=``, the province by default), for its page to link;
    JSON: the choices."""
    request = subscription_routes.current_request
    params: Mapping[str, str] = request.query_params or {}
    try:
        unit = assembly.units().require(params.get("unit") or get_settings().province)
    except NguonError as error:
        return _error(request, error)
    language = _language(request)
    headers: Headers = {"Content-Language": language, "Cache-Control": "public, max-age=3600"}
    if _wants_json(request):
        choices = {
            "unit": unit.code,
            "channels": [str(c) for c in ContactChannel],
            "categories": [str(c) for c in Category],
        }
        return Response(json.dumps(choices), headers | _json(), 200)
    heading = translate("subscribe_heading", language)
    intro = translate("subscribe_intro", language, unit=unit.name)
    page = _page(
        language, heading, intro, None, request, _subscribe_form(language, request, unit.code)
    )
    return Response(page, headers | _html(), 200)


@subscription_routes.route("/subscriptions", methods=["POST"], content_types=[FORM, JSON])
def subscribe() -> Response:
    request = subscription_routes.current_request
    try:
        fields = _fields(request)
        if fields.get("website"):  # the honeypot: a bot filled what people never see
            return _answer(request, 202, "subscription_code_sent", {})
        wanted = _model(SubscriptionRequest, fields)
        subscription = subscription_service().subscribe(wanted, _client(request))
    except NguonError as error:
        return _error(request, error)
    # The same answer whether or not this contact was subscribed already: nobody learns
    # from it who subscribes to what (an active subscription gets no new code).
    body = {"id": subscription.id, "unit": subscription.unit}
    return _answer(request, 202, "subscription_code_sent", body, form=subscription.id)


@subscription_routes.route("/subscriptions/confirm", methods=["POST"], content_types=[FORM, JSON])
def confirm() -> Response:
    request = subscription_routes.current_request
    try:
        confirmation = _model(Confirmation, _fields(request))
        subscription = subscription_service().confirm(confirmation)
    except NguonError as error:
        return _error(request, error, form=_fields_or_empty(request).get("subscription"))
    unit = assembly.units().find(subscription.unit)
    name = unit.name if unit else subscription.unit
    return _answer(request, 200, "subscription_confirmed", subscription.public(), unit=name)


@subscription_routes.route("/subscriptions/unsubscribe", methods=["GET"])
def unsubscribe() -> Response:
    request = subscription_routes.current_request
    params: Mapping[str, str] = request.query_params or {}
    token = params.get("token") or ""
    try:
        removed = subscription_service().unsubscribe(token[:200])
    except NguonError as error:
        return _error(request, error)
    return _answer(request, 200, "unsubscribed", {"unsubscribed": True, "removed": removed})


# ---------------------------------------------------------------------- reading
def _fields(request: Request) -> dict[str, Any]:
    raw = request.raw_body or b""
    if isinstance(raw, str):
        raw = raw.encode()
    if len(raw) > _BODY_MAX:
        raise InvalidInput("bad_request", reason=f"body over {_BODY_MAX} bytes")
    if _content_type(request).startswith(JSON):
        try:
            value = json.loads(raw or b"null")
        except ValueError:
            raise InvalidInput("bad_request", reason="JSON") from None
        if not isinstance(value, dict):
            raise InvalidInput("bad_request", reason="JSON object")
        return value
    try:
        form = parse_qs(raw.decode(), keep_blank_values=False)
    except UnicodeDecodeError:
        raise InvalidInput("bad_request", reason="UTF-8") from None
    # A form repeats ``categories`` (checkboxes); everything else is one value.
    return {name: values if name == "categories" else values[0] for name, values in form.items()}


def _fields_or_empty(request: Request) -> dict[str, Any]:
    try:
        return _fields(request)
    except NguonError:
        return {}


def _model[M: (SubscriptionRequest, Confirmation)](kind: type[M], fields: Mapping[str, Any]) -> M:
    try:
        return kind.model_validate(dict(fields))
    except ValidationError as error:
        details = [
            {"loc": list(p["loc"]), "type": p["type"], **plain_context(p)}
            for p in error.errors(include_url=False, include_input=False)
        ]
        raise InvalidInput("validation_error", count=len(details), details=details) from None


def _client(request: Request) -> str:
    identity = (request.context or {}).get("identity") or {}
    return str(identity.get("sourceIp") or "unknown")


def _content_type(request: Request) -> str:
    return (request.headers.get("content-type") or "").split(";")[0].strip().lower()


# ---------------------------------------------------------------------- answering
def _language(request: Request) -> Language:
    return negotiate(request.headers.get("accept-language"), get_settings().default_language)


def _wants_json(request: Request) -> bool:
    accept = (request.headers.get("accept") or "").lower()
    if JSON in accept:
        return True
    return _content_type(request) == JSON and "text/html" not in accept


def _answer(
    request: Request,
    status: int,
    code: str,
    body: dict[str, Any],
    form: str | None = None,
    **params: object,
) -> Response:
    language = _language(request)
    text = translate(code, language, minutes=_MINUTES, **params)
    headers: Headers = {"Content-Language": language, "Cache-Control": "no-store"}
    if _wants_json(request):
        payload = {**body, "message": text}
        return Response(json.dumps(payload, ensure_ascii=False), headers | _json(), status)
    heading = translate(_HEADINGS.get(code, "subscribe_heading"), language)
    return Response(_page(language, heading, text, form, request), headers | _html(), status)


def _error(request: Request, error: NguonError, form: str | None = None) -> Response:
    status = next((s for kind, s in _STATUS.items() if isinstance(error, kind)), 400)
    language = _language(request)
    headers: Headers = {"Content-Language": language, "Cache-Control": "no-store"}
    if isinstance(error, RateLimited):
        headers["Retry-After"] = str(error.retry_after)
    text = translate(error.code, language, **error.params)
    details = error.params.get("details")
    if _wants_json(request):
        payload: dict[str, Any] = {"code": error.code, "message": text}
        if isinstance(details, list):
            payload["details"] = [
                {**d, "message": translate(d["type"], language)} if d["type"] in _WORDED else d
                for d in details
            ]
        return Response(json.dumps(payload, ensure_ascii=False), headers | _json(), status)
    if isinstance(details, list):
        worded = [translate(d["type"], language) for d in details if d["type"] in _WORDED]
        text = " ".join([text, *worded])
    heading = translate("confirm_heading" if form else "subscribe_heading", language)
    return Response(_page(language, heading, text, form, request), headers | _html(), status)


_WORDED = {"email_invalid", "phone_invalid"}
_HEADINGS = {
    "subscription_code_sent": "confirm_heading",
    "subscription_confirmed": "confirm_heading",
    "unsubscribed": "unsubscribe_heading",
}


def _json() -> Headers:
    return {"Content-Type": "application/json; charset=utf-8"}


def _html() -> Headers:
    return {"Content-Type": "text/html; charset=utf-8"}


def _route(request: Request, route: str) -> str:
    """A route's path as the browser sees it (with the API's stage, if any)."""
    path = str((request.context or {}).get("path") or "/subscriptions")
    return path.rsplit("/subscriptions", 1)[0] + route


def _code_form(language: Language, request: Request, subscription: str) -> str:
    return (
        f'<form method="post" action="{escape(_route(request, "/subscriptions/confirm"))}">'
        f'<input type="hidden" name="subscription" value="{escape(subscription)}">'
        f"<p><label>{escape(translate('code_label', language))} "
        '<input name="code" inputmode="numeric" pattern="[0-9]{6}" maxlength="6" '
        'autocomplete="one-time-code" required></label></p>'
        f"<p><button>{escape(translate('confirm_button', language))}</button></p></form>"
    )


def _subscribe_form(language: Language, request: Request, unit: str) -> str:
    def say(code: str) -> str:
        return escape(translate(code, language))

    channels = " ".join(
        f'<label><input type="radio" name="channel" value="{c}" required> '
        f"{say(f'channel_{c}')}</label>"
        for c in ContactChannel
    )
    categories = " ".join(
        f'<label><input type="checkbox" name="categories" value="{c}"> '
        f"{say(f'category_{c}')}</label>"
        for c in Category
    )
    # The honeypot: hidden from people (and screen readers), filled in by naive bots.
    honeypot = (
        '<div hidden aria-hidden="true"><label>Website '
        '<input name="website" tabindex="-1" autocomplete="off"></label></div>'
    )
    return (
        f'<form method="post" action="{escape(_route(request, "/subscriptions"))}">'
        f'<input type="hidden" name="unit" value="{escape(unit)}">'
        f"<p>{channels}</p>"
        f"<p><label>{say('address_label')} "
        '<input name="address" required maxlength="254"></label></p>'
        f"<fieldset><legend>{say('categories_label')}</legend>{categories}</fieldset>"
        f"{honeypot}<p><button>{say('subscribe_button')}</button></p></form>"
    )


def _page(
    language: Language,
    heading: str,
    text: str,
    form: str | None,
    request: Request,
    extra: str = "",
) -> str:
    """A small page that works without JavaScript; a code form when one is expected."""
    if form:
        extra += _code_form(language, request, form)
    return (
        f'<!doctype html><html lang="{language}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(heading)}</title></head><body><main>"
        f"<h1>{escape(heading)}</h1><p>{escape(text)}</p>{extra}</main></body></html>"
    )
