"""The portal's pages and feeds (a Blueprint): units, bulletins, search, Atom and CAP.

The same URL answers HTML, or JSON to ``Accept: application/json`` (``Vary: Accept``).
Caching is for CloudFront and browsers: a unit's page carries its active alerts, so it is
cached as briefly as the alert feeds (an emergency shows within a minute: at most
``ALERT_MAX_AGE`` at the edge plus as much in the browser); a bulletin's own page and the
bulletin feeds may be kept longer.
"""

import json
from typing import Any

from chalice import Response

from chalicelib import render, services
from chalicelib.blueprints import ReusableBlueprint
from nguon.clock import now
from nguon.errors import NotFound
from nguon.models.portal import PublicUnit
from nguon.observability import logger

pages = ReusableBlueprint(__name__)

ALERT_MAX_AGE = 30
"""Seconds the alert feeds and the pages that show alerts may be cached (edge and browser
each: 60 s at worst end to end)."""
PAGE_MAX_AGE = 120
"""Browser seconds for pages without alerts (a bulletin, search results) and bulletin feeds."""
EDGE_MAX_AGE = 300
"""CloudFront seconds for those."""
QUERY_MAX = 200
"""Characters of a search query (longer ones are cut, not refused)."""

_ALERTS = f"public, max-age={ALERT_MAX_AGE}, s-maxage={ALERT_MAX_AGE}"
_PAGES = f"public, max-age={PAGE_MAX_AGE}, s-maxage={EDGE_MAX_AGE}"


def _wants_json() -> bool:
    accept = (pages.current_request.headers.get("accept") or "").lower()
    first = accept.split(",")[0].split(";")[0].strip()
    return first == "application/json" or (
        "application/json" in accept and "text/html" not in accept
    )


def _respond(html: str, data: Any, cache: str, status: int = 200) -> Response:
    headers = {"Cache-Control": cache, "Vary": "Accept"}
    if _wants_json():
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        return Response(
            body,
            status_code=status,
            headers={**headers, "Content-Type": "application/json; charset=utf-8"},
        )
    return Response(
        html, status_code=status, headers={**headers, "Content-Type": "text/html; charset=utf-8"}
    )


def _not_found(error: NotFound) -> Response:
    data = {"code": error.code, "message": "Không tìm thấy. / Not found."}
    html = render.message_page("Không tìm thấy", "Trang bạn tìm không có hoặc đã hết hiệu lực.")
    return _respond(html, data, _ALERTS, status=404)


def _base() -> str:
    """This request's scheme and host, for the absolute links feeds need."""
    headers = pages.current_request.headers
    host = headers.get("host") or "localhost"
    local = host.startswith(("127.0.0.1", "localhost"))
    scheme = headers.get("x-forwarded-proto") or ("http" if local else "https")
    return f"{scheme}://{host}"


def _province() -> PublicUnit:
    portal = services.portal()
    unit = portal.unit(portal.province)
    return PublicUnit(code=unit.code, name=unit.name, type=unit.type, level=unit.level)


@pages.route("/", methods=["GET"])
def home() -> Response:
    return unit(services.portal().province)


@pages.route("/units/{code}", methods=["GET"])
def unit(code: str) -> Response:
    try:
        page = services.portal().page(code)
    except NotFound as error:
        return _not_found(error)
    html = render.unit_page(page, _province())
    return _respond(html, page.model_dump(mode="json"), _ALERTS)


@pages.route("/bulletins/{bulletin_id}", methods=["GET"])
def bulletin(bulletin_id: str) -> Response:
    try:
        found = services.portal().bulletin(bulletin_id)
    except NotFound as error:
        return _not_found(error)
    html = render.bulletin_page(found, _province())
    return _respond(html, found.model_dump(mode="json"), _PAGES)


@pages.route("/search", methods=["GET"])
def search() -> Response:
    params = dict(pages.current_request.query_params or {})
    query = (params.get("q") or "")[:QUERY_MAX]
    portal = services.portal()
    try:
        scope = portal.unit(params.get("unit") or portal.province)
        results = portal.search(query, scope.code) if query.strip() else []
    except NotFound as error:
        return _not_found(error)
    where = PublicUnit(code=scope.code, name=scope.name, type=scope.type, level=scope.level)
    html = render.search_page(query, where, results, _province())
    data = {
        "query": query,
        "unit": scope.code,
        "items": [r.model_dump(mode="json") for r in results],
    }
    return _respond(html, data, _PAGES)


def _atom(body: str, cache: str) -> Response:
    return Response(
        body,
        headers={"Content-Type": "application/atom+xml; charset=utf-8", "Cache-Control": cache},
    )


@pages.route("/units/{code}/feed.atom", methods=["GET"])
def unit_feed(code: str) -> Response:
    """What the unit's page lists (its alerts first), as Atom."""
    try:
        page = services.portal().page(code)
    except NotFound as error:
        return _not_found(error)
    name = f"{page.unit.name}"
    return _atom(
        render.atom_feed(
            base=_base(),
            self_path=f"/units/{code}/feed.atom",
            html_path=f"/units/{code}",
            title=f"Bản tin {name}",
            author=f"Ủy ban nhân dân {name}",
            entries=[*page.alerts, *page.bulletins],
            generated_at=page.generated_at,
        ),
        _ALERTS,
    )


@pages.route("/units/{code}/subtree.atom", methods=["GET"])
def subtree_feed(code: str) -> Response:
    """Everything public issued in or aimed into the unit's subtree, newest first."""
    portal = services.portal()
    try:
        where = portal.unit(code)
        entries = portal.subtree(code)
    except NotFound as error:
        return _not_found(error)
    name = f"{where.name}"
    return _atom(
        render.atom_feed(
            base=_base(),
            self_path=f"/units/{code}/subtree.atom",
            html_path=f"/units/{code}",
            title=f"Bản tin {name} và các đơn vị trực thuộc",
            author=f"Ủy ban nhân dân {name}",
            entries=entries,
            generated_at=max((e.published_at for e in entries), default=now()),
        ),
        _PAGES,
    )


@pages.route("/alerts/cap.atom", methods=["GET"])
def cap_feed() -> Response:
    """Active public emergencies as the Atom index alert aggregators read: each entry links
    its CAP 1.2 document."""
    found = services.portal().alerts()
    province = _province()
    name = f"{province.name}"
    return _atom(
        render.atom_feed(
            base=_base(),
            self_path="/alerts/cap.atom",
            html_path="/",
            title=f"Cảnh báo khẩn cấp (CAP) {name}",
            author=f"Ủy ban nhân dân {name}",
            entries=[view for view, _ in found],
            generated_at=now(),
            cap_links=True,
        ),
        _ALERTS,
    )


@pages.route("/alerts/{bulletin_id}/cap.xml", methods=["GET"])
def cap_document(bulletin_id: str) -> Response:
    try:
        found = services.portal().alert_bulletin(bulletin_id)
    except NotFound as error:
        return _not_found(error)
    logger.debug("CAP document served", extra={"bulletin": bulletin_id})
    return Response(
        services.alerts().document(found),
        headers={"Content-Type": "application/cap+xml; charset=utf-8", "Cache-Control": _ALERTS},
    )
