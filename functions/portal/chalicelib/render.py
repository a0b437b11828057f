"""HTML pages and feeds of the portal, written with the standard library only.

Pages work without JavaScript and stay under :data:`PAGE_BUDGET` bytes before audio: long texts
show as excerpts with a link, and a list stops (with a link to the rest) before the budget is
spent. Every page names its feeds for autodiscovery (``<link rel="alternate">``).
"""

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape

from nguon.clock import localize
from nguon.models.bulletins import Category, Priority
from nguon.models.portal import PublicBulletin, PublicUnit, UnitPage

PAGE_BUDGET = 100_000
"""Bytes of HTML a page may have (a phone on 3G; audio loads only when played)."""
_RESERVE = 6_000
"""Kept for what follows the lists (programme, children, footer)."""
EXCERPT = 400
"""Characters of a bulletin's text shown in a list; the rest is on its own page."""
ALERT_TEXT = 2_000
ATOM_NS = "http://www.w3.org/2005/Atom"

CATEGORY_VI = {
    Category.POLICY: "Chính sách, pháp luật",
    Category.DISASTER: "Thiên tai",
    Category.HEALTH: "Y tế",
    Category.SECURITY: "An ninh, trật tự",
    Category.AGRICULTURE: "Nông nghiệp",
    Category.CULTURE: "Văn hóa, xã hội",
    Category.OTHER: "Khác",
}
PRIORITY_VI = {Priority.NORMAL: "", Priority.PRIORITY: "Ưu tiên", Priority.EMERGENCY: "Khẩn cấp"}
SEVERITY_VI = {
    "Extreme": "Cực kỳ nguy hiểm",
    "Severe": "Nguy hiểm",
    "Moderate": "Trung bình",
    "Minor": "Nhẹ",
    "Unknown": "Chưa rõ",
}

_CSS = (
    "body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:0 auto;padding:0 .8rem;"
    "color:#111}a{color:#0645ad}h1{font-size:1.5rem;margin:.4rem 0}h2{font-size:1.2rem}"
    "nav,small,.meta{color:#555;font-size:.9rem}article{border-bottom:1px solid #ddd;"
    "padding:.4rem 0}.alert{background:#fde8e8;border:2px solid #c00;padding:.6rem;"
    "margin:.6rem 0}.alert h2{color:#a00;margin:0}audio{width:100%}ol{padding-left:1.2rem}"
    "form{margin:.5rem 0}input[type=search]{width:60%}footer{margin:1rem 0;font-size:.9rem}"
)


@dataclass(frozen=True)
class Feed:
    title: str
    href: str


def unit_feeds(unit: PublicUnit, province: PublicUnit) -> list[Feed]:
    code = unit.code
    return [
        Feed(f"Bản tin {unit.name}", f"/units/{code}/feed.atom"),
        Feed(
            f"Bản tin {unit.name} và các đơn vị trực thuộc",
            f"/units/{code}/subtree.atom",
        ),
        Feed(f"Cảnh báo khẩn cấp (CAP) {province.name}", "/alerts/cap.atom"),
    ]


def _time(moment: datetime) -> str:
    return localize(moment).strftime("%H:%M %d/%m/%Y")


def _excerpt(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"


def _paragraphs(text: str) -> str:
    return "".join(f"<p>{escape(part)}</p>" for part in text.split("\n") if part.strip())


def _head(title: str, feeds: Sequence[Feed]) -> str:
    links = "".join(
        f'<link rel="alternate" type="application/atom+xml" title="{escape(f.title)}"'
        f' href="{escape(f.href)}">'
        for f in feeds
    )
    return (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title>{links}<style>{_CSS}</style></head><body>"
    )


def _search_form(unit: str | None, query: str = "") -> str:
    hidden = f'<input type="hidden" name="unit" value="{escape(unit)}">' if unit else ""
    return (
        '<form action="/search" method="get" role="search">'
        f'<input type="search" name="q" value="{escape(query)}" aria-label="Tìm bản tin"'
        ' placeholder="Tìm bản tin, ví dụ: tiêm chủng">'
        f'{hidden} <button type="submit">Tìm</button></form>'
    )


def _audio(bulletin: PublicBulletin) -> str:
    if bulletin.audio is None:
        return ""
    return (
        f'<audio controls preload="none" src="{escape(bulletin.audio.url)}">'
        f'<a href="{escape(bulletin.audio.url)}">Nghe bản tin</a></audio>'
    )


def _meta(bulletin: PublicBulletin) -> str:
    parts = [f"{escape(bulletin.issuer.name)}"]
    if bulletin.department:
        parts.append(escape(bulletin.department))
    parts.append(CATEGORY_VI[bulletin.category])
    if PRIORITY_VI[bulletin.priority]:
        parts.append(PRIORITY_VI[bulletin.priority])
    when = f"từ {_time(bulletin.valid_from)} đến {_time(bulletin.valid_until)}"
    return f'<div class="meta">{" · ".join(parts)} · {when}</div>'


def _alert(bulletin: PublicBulletin) -> str:
    alert = bulletin.alert
    assert alert is not None
    instruction = (
        f"<p><b>Hướng dẫn:</b> {escape(alert.instruction)}</p>" if alert.instruction else ""
    )
    return (
        f'<article class="alert"><h2>⚠ {escape(bulletin.title)}</h2>'
        f'<div class="meta">{escape(alert.event)} · Mức độ: '
        f"{SEVERITY_VI.get(alert.severity, alert.severity)}</div>"
        f"{_paragraphs(_excerpt(bulletin.body, ALERT_TEXT))}{instruction}{_audio(bulletin)}"
        f'<a href="/bulletins/{escape(bulletin.id)}">Chi tiết</a></article>'
    )


def _item(bulletin: PublicBulletin) -> str:
    return (
        f'<article><h3><a href="/bulletins/{escape(bulletin.id)}">{escape(bulletin.title)}</a>'
        f"</h3>{_meta(bulletin)}<p>{escape(_excerpt(bulletin.body, EXCERPT))}</p>"
        f"{_audio(bulletin)}</article>"
    )


def _within(parts: list[str], items: Iterable[str], budget: int, more: str) -> int:
    """Append ``items`` while the page stays within ``budget`` bytes; then ``more``."""
    size = sum(len(part.encode()) for part in parts)
    for item in items:
        length = len(item.encode())
        if size + length > budget:
            parts.append(more)
            return size
        parts.append(item)
        size += length
    return size


def unit_page(page: UnitPage, province: PublicUnit) -> str:
    unit = page.unit
    name = f"{unit.name}"
    crumbs = " › ".join(
        f'<a href="/units/{escape(p.code)}">{escape(p.name)}</a>' for p in page.parents
    )
    parts = [
        _head(f"{name} — Cổng thông tin", unit_feeds(unit, province)),
        f"<header><nav>{crumbs}</nav><h1>{escape(name)}</h1>{_search_form(unit.code)}</header>",
    ]
    more = f'<p><a href="/search?unit={escape(unit.code)}&amp;q=">Xem thêm bản tin</a></p>'
    if page.alerts:
        parts.append('<section aria-label="Cảnh báo khẩn cấp">')
        _within(parts, map(_alert, page.alerts), PAGE_BUDGET // 2, more)
        parts.append("</section>")
    parts.append("<section><h2>Bản tin</h2>")
    if not page.bulletins:
        parts.append("<p>Hiện chưa có bản tin.</p>")
    _within(parts, map(_item, page.bulletins), PAGE_BUDGET - _RESERVE, more)
    parts.append("</section>")
    tail = [f"<section><h2>Lịch phát hôm nay ({page.programme_date:%d/%m/%Y})</h2>"]
    if page.programme:
        tail.append("<ol>")
        tail.extend(
            f"<li>{localize(item.start):%H:%M}–{localize(item.end):%H:%M} "
            f'<a href="/bulletins/{escape(item.bulletin_id)}">{escape(item.title)}</a></li>'
            for item in page.programme[:60]
        )
        tail.append("</ol>")
    else:
        tail.append("<p>Hôm nay không có lịch phát.</p>")
    tail.append("</section>")
    if page.children:
        tail.append("<section><h2>Đơn vị trực thuộc</h2><p>")
        tail.append(
            " · ".join(
                f'<a href="/units/{escape(c.code)}">{escape(c.name)}</a>' for c in page.children
            )
        )
        tail.append("</p></section>")
    tail.append(_footer(unit, province))
    return "".join(parts + tail)


def _footer(unit: PublicUnit, province: PublicUnit) -> str:
    feeds = " · ".join(
        f'<a href="{escape(f.href)}">{escape(f.title)}</a>' for f in unit_feeds(unit, province)
    )
    return (
        f"<footer><p><b>Ủy ban nhân dân {escape(unit.name)}</b> · "
        f'<a href="/units/{escape(unit.code)}/feedback">Gửi phản ánh, kiến nghị</a></p>'
        f"<p><small>Nguồn tin: {feeds}</small></p></footer></body></html>"
    )


def bulletin_page(bulletin: PublicBulletin, province: PublicUnit) -> str:
    issuer = bulletin.issuer
    parts = [
        _head(f"{bulletin.title} — {issuer.name}", unit_feeds(issuer, province)),
        f'<header><nav><a href="/units/{escape(issuer.code)}">{escape(issuer.type)} '
        f"{escape(issuer.name)}</a></nav><h1>{escape(bulletin.title)}</h1></header>",
        _meta(bulletin),
    ]
    if bulletin.alert:
        parts.append(
            f'<p class="alert">{escape(bulletin.alert.event)} · Mức độ: '
            f"{SEVERITY_VI.get(bulletin.alert.severity, bulletin.alert.severity)}</p>"
        )
    parts += [_audio(bulletin), _paragraphs(bulletin.body)]
    if bulletin.alert and bulletin.alert.instruction:
        parts.append(f"<p><b>Hướng dẫn:</b> {escape(bulletin.alert.instruction)}</p>")
    for tag, variant in bulletin.variants.items():
        parts.append(
            f'<section lang="{escape(tag)}"><h2>{escape(variant.title)}</h2>'
            f"{_paragraphs(variant.body)}</section>"
        )
    parts.append(_footer(issuer, province))
    return "".join(parts)


def search_page(
    query: str, unit: PublicUnit, results: list[PublicBulletin], province: PublicUnit
) -> str:
    parts = [
        _head(f"Tìm “{query}” — {unit.name}", unit_feeds(unit, province)),
        f'<header><nav><a href="/units/{escape(unit.code)}">{escape(unit.type)} '
        f"{escape(unit.name)}</a></nav><h1>Tìm bản tin</h1>"
        f"{_search_form(unit.code, query)}</header><section>",
    ]
    if query.strip():
        parts.append(f"<p>{len(results)} bản tin khớp “{escape(query)}”.</p>")
    _within(parts, map(_item, results), PAGE_BUDGET - _RESERVE, "<p>Hãy thu hẹp từ khóa.</p>")
    parts.append("</section>")
    parts.append(_footer(unit, province))
    return "".join(parts)


def message_page(title: str, text: str) -> str:
    return (
        _head(title, [Feed("Cảnh báo khẩn cấp (CAP)", "/alerts/cap.atom")])
        + f"<h1>{escape(title)}</h1><p>{escape(text)}</p>"
        + '<p><a href="/">Trang chủ</a></p></body></html>'
    )


# --- Atom ---------------------------------------------------------------------------------------


def _atom_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _sub(parent: ET.Element, name: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, name, attributes)
    if text is not None:
        element.text = text
    return element


def atom_feed(
    *,
    base: str,
    self_path: str,
    html_path: str,
    title: str,
    author: str,
    entries: Sequence[PublicBulletin],
    generated_at: datetime,
    cap_links: bool = False,
) -> str:
    """An Atom 1.0 feed (RFC 4287) of public bulletins. With ``cap_links``, each entry also
    links its CAP document (``type="application/cap+xml"``): the index form alert aggregators
    read."""
    # Unprefixed names under a declared default namespace (ElementTree's default_namespace
    # option refuses unqualified attributes such as rel and href).
    feed = ET.Element("feed", {"xmlns": ATOM_NS, "xml:lang": "vi"})
    _sub(feed, "id", f"{base}{self_path}")
    _sub(feed, "title", title)
    updated = max((e.published_at for e in entries), default=generated_at)
    _sub(feed, "updated", _atom_time(updated))
    _sub(feed, "link", rel="self", type="application/atom+xml", href=f"{base}{self_path}")
    _sub(feed, "link", rel="alternate", type="text/html", href=f"{base}{html_path}")
    _sub(_sub(feed, "author"), "name", author)
    _sub(feed, "generator", "Nguồn")
    for bulletin in entries:
        entry = _sub(feed, "entry")
        _sub(entry, "id", f"{base}/bulletins/{bulletin.id}")
        _sub(entry, "title", bulletin.title)
        _sub(entry, "updated", _atom_time(bulletin.published_at))
        _sub(entry, "published", _atom_time(bulletin.published_at))
        _sub(_sub(entry, "author"), "name", f"{bulletin.issuer.name}")
        _sub(
            entry, "link", rel="alternate", type="text/html", href=f"{base}/bulletins/{bulletin.id}"
        )
        if cap_links:
            _sub(
                entry,
                "link",
                rel="alternate",
                type="application/cap+xml",
                href=f"{base}/alerts/{bulletin.id}/cap.xml",
            )
        _sub(entry, "category", term=bulletin.category.value, label=CATEGORY_VI[bulletin.category])
        _sub(entry, "summary", _excerpt(bulletin.body, EXCERPT))
        _sub(entry, "content", bulletin.body, type="text")
    ET.indent(feed)
    body = ET.tostring(feed, encoding="unicode")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n"
