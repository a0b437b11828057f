"""CAP 1.2 (OASIS Common Alerting Protocol): emergency bulletins out, warnings in.

Out: :func:`to_cap_xml` writes an approved (or draft) emergency as one CAP ``alert`` that the
OASIS XSD accepts, so national and international aggregators can read our warnings.
In: :func:`parse_cap` reads a CAP document from an outside agency (the hydro-meteorological
service, disaster committees); :func:`cap_targets` turns its areas into our unit codes and
:func:`cap_to_content` into the fields of a new bulletin, which then goes through the usual
validation and approval.

Input is untrusted: it is parsed with defusedxml (no DTDs, no entity expansion), limited in
size, and any defect is one ``InvalidInput("cap_malformed", reason=...)``.
"""

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

import defusedxml.ElementTree as DefusedET
from defusedxml import DefusedXmlException
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from nguon.clock import localize
from nguon.errors import Conflict, InvalidInput
from nguon.models.bulletins import (
    BOARD_BODY_MAX,
    BODY_MAX,
    CAP_CATEGORY_OF,
    CAP_EVENT_MAX,
    CAP_INSTRUCTION_MAX,
    TITLE_MAX,
    Bulletin,
    CapCategory,
    CapCertainty,
    CapSeverity,
    CapUrgency,
    Category,
    Status,
)
from nguon.models.units import AdminUnit
from nguon.services.geo import DistrictBoundaries

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
CAP_11_NS = "urn:oasis:names:tc:emergency:cap:1.1"
MAX_CAP_BYTES = 256 * 1024
"""Real alerts are a few KiB; anything bigger is a mistake or an attack."""
EMERGENCY_REPEAT = {"count": 3, "interval_min": 10}
"""An imported emergency plays three times, ten minutes apart: people who missed the first
play (in the field, indoors) hear a later one before the hazard arrives."""
EMERGENCY_CHANNELS = ["speaker", "board", "web"]
GEOCODE_NAMES = frozenset({"gso", "vn-gso", "unit", "ma_dvhc"})
"""valueNames under which senders put Vietnam's GSO unit codes (mã đơn vị hành chính)."""

MsgType = Literal["Alert", "Update", "Cancel", "Ack", "Error"]
_PUBLISHED = frozenset({Status.APPROVED, Status.EXPIRED, Status.WITHDRAWN})
_CATEGORY_FROM_CAP: dict[str, Category] = {
    **dict.fromkeys(
        ("Met", "Geo", "Env", "Fire", "Rescue", "Infra", "Transport"), Category.DISASTER
    ),
    "Health": Category.HEALTH,
    **dict.fromkeys(("Security", "Safety", "CBRNE"), Category.SECURITY),
}
# Characters XML 1.0 cannot carry at all; a stray one would make the whole alert unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ELEMENT_OF_FIELD = {
    "msg_type": "msgType",
    "infos": "info",
    "categories": "category",
    "areas": "area",
    "desc": "areaDesc",
}


# --- The parsed alert -------------------------------------------------------------------------


class CapReference(BaseModel):
    """One earlier message this one updates or cancels."""

    model_config = ConfigDict(frozen=True)

    sender: str
    identifier: str
    sent: str


class CapArea(BaseModel):
    model_config = ConfigDict(frozen=True)

    desc: str
    geocodes: list[tuple[str, str]] = Field(default_factory=list)
    """(valueName, value) pairs."""
    polygons: list[list[tuple[float, float]]] = Field(default_factory=list)
    """Closed rings of (lat, lon), WGS 84, as CAP writes them."""
    circles: list[tuple[float, float, float]] = Field(default_factory=list)
    """(lat, lon, radius in km)."""


class CapInfoBlock(BaseModel):
    model_config = ConfigDict(frozen=True)

    language: str = "en-US"
    """CAP's default when the element is absent."""
    categories: Annotated[list[CapCategory], Field(min_length=1)]
    event: Annotated[str, Field(min_length=1)]
    urgency: CapUrgency
    severity: CapSeverity
    certainty: CapCertainty
    headline: str | None = None
    description: str | None = None
    instruction: str | None = None
    effective: AwareDatetime | None = None
    onset: AwareDatetime | None = None
    expires: AwareDatetime | None = None
    areas: list[CapArea] = Field(default_factory=list)


class CapAlert(BaseModel):
    model_config = ConfigDict(frozen=True)

    identifier: Annotated[str, Field(min_length=1)]
    sender: Annotated[str, Field(min_length=1)]
    sent: AwareDatetime
    status: Literal["Actual", "Exercise", "System", "Test", "Draft"]
    msg_type: MsgType
    scope: Literal["Public", "Restricted", "Private"]
    references: list[CapReference] = Field(default_factory=list)
    infos: list[CapInfoBlock] = Field(default_factory=list)

    @model_validator(mode="after")
    def _rules(self) -> "CapAlert":
        if self.msg_type in ("Update", "Cancel") and not self.references:
            raise PydanticCustomError("cap", "<references> required for Update/Cancel")
        if self.msg_type in ("Alert", "Update") and not self.infos:
            raise PydanticCustomError("cap", "<info> required for Alert/Update")
        return self


# --- Writing ----------------------------------------------------------------------------------


def to_cap_xml(
    bulletin: Bulletin,
    *,
    units: Mapping[str, AdminUnit],
    sender: str,
    sent: datetime,
    msg_type: MsgType | None = None,
    references: list[str] | None = None,
    identifier: str | None = None,
) -> str:
    """The emergency ``bulletin`` as a CAP 1.2 alert document (UTF-8 XML text).

    ``references`` are ``"sender,identifier,sent"`` triples of the messages this one updates or
    cancels; CAP requires them for Update and Cancel (and :func:`parse_cap` refuses such a
    message without them), so callers should pass them whenever the bulletin supersedes another
    or is withdrawn.
    """
    if bulletin.cap is None:
        raise Conflict("not_an_emergency", bulletin=bulletin.id)
    if msg_type is None:
        if bulletin.status is Status.WITHDRAWN:
            msg_type = "Cancel"
        elif bulletin.supersedes:
            msg_type = "Update"
        else:
            msg_type = "Alert"
    start, end = bulletin.validity()
    issuer = units.get(bulletin.issuer_unit)
    sender_name = issuer.name if issuer else bulletin.issuer_unit
    if bulletin.department:
        sender_name = f"{bulletin.department} - {sender_name}"

    alert = ET.Element(_tag("alert"))
    # Children are added in the order of the XSD's sequences; the schema rejects any other.
    _add(alert, "identifier", identifier or cap_identifier_of(bulletin))
    _add(alert, "sender", sender)
    _add(alert, "sent", cap_time(sent))
    _add(alert, "status", "Actual" if bulletin.status in _PUBLISHED else "Draft")
    _add(alert, "msgType", msg_type)
    _add(alert, "scope", "Public")
    if references:
        _add(alert, "references", " ".join(references))
    info = ET.SubElement(alert, _tag("info"))
    _add(info, "language", "vi-VN")
    _add(info, "category", bulletin.cap.category or CAP_CATEGORY_OF[bulletin.category])
    _add(info, "event", bulletin.cap.event)
    _add(info, "urgency", bulletin.cap.urgency)
    _add(info, "severity", bulletin.cap.severity)
    _add(info, "certainty", bulletin.cap.certainty)
    _add(info, "effective", cap_time(bulletin.valid_from or _first_play(bulletin) or start))
    _add(info, "expires", cap_time(bulletin.cap.expires or end))
    _add(info, "senderName", sender_name)
    _add(info, "headline", bulletin.title)
    _add(info, "description", bulletin.body)
    if bulletin.cap.instruction:
        _add(info, "instruction", bulletin.cap.instruction)
    area = ET.SubElement(info, _tag("area"))
    names = [units[code].name if code in units else code for code in bulletin.targets]
    _add(area, "areaDesc", ", ".join(names))
    for code in bulletin.targets:
        geocode = ET.SubElement(area, _tag("geocode"))
        _add(geocode, "valueName", "GSO")
        _add(geocode, "value", code)
    ET.indent(alert)
    body = ET.tostring(alert, encoding="unicode", default_namespace=CAP_NS)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def cap_identifier_of(bulletin: Bulletin) -> str:
    """The identifier the bulletin's Alert went out (or came in) under."""
    return bulletin.cap_identifier or f"nguon-{bulletin.id}"


def _first_play(bulletin: Bulletin) -> datetime | None:
    """When it first goes on air; the validity window starts at midnight, which would make a
    CAP reader think the warning was in force hours before it was issued."""
    first, last = bulletin.schedule.first_day(), bulletin.schedule.last_day()
    for offset in range((last - first).days + 1):
        plays = bulletin.schedule.occurrences_on(first + timedelta(days=offset))
        if plays:
            return plays[0]
    return None


def _tag(name: str) -> str:
    return f"{{{CAP_NS}}}{name}"


def _add(parent: ET.Element, name: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, _tag(name))
    element.text = _NOT_XML.sub("", text)
    return element


def cap_time(moment: datetime) -> str:
    """CAP's one form: local time with a ``+07:00`` offset, whole seconds, never ``Z``."""
    return localize(moment).replace(microsecond=0).isoformat()


# --- Reading ----------------------------------------------------------------------------------


def parse_cap(document: bytes | str) -> CapAlert:
    """A CAP 1.2 alert read from untrusted text; any defect raises ``cap_malformed``."""
    size = len(document.encode("utf-8") if isinstance(document, str) else document)
    if size > MAX_CAP_BYTES:
        raise InvalidInput("cap_too_large", limit=MAX_CAP_BYTES)
    try:
        root = DefusedET.fromstring(document, forbid_dtd=True)
    except DefusedXmlException as error:
        raise _malformed(f"forbidden XML construct ({type(error).__name__})") from error
    except ET.ParseError as error:
        raise _malformed(f"not XML ({error})") from error
    if root.tag == f"{{{CAP_11_NS}}}alert":
        raise _malformed("not CAP 1.2")
    if root.tag != _tag("alert"):
        raise _malformed(f"root element is {root.tag[:80]}, not a CAP 1.2 <alert>")
    fields = _present(
        identifier=_text(root, "identifier"),
        sender=_text(root, "sender"),
        sent=_moment(root, "sent"),
        status=_text(root, "status"),
        msg_type=_text(root, "msgType"),
        scope=_text(root, "scope"),
        references=_references(_text(root, "references")),
        infos=[_info(element) for element in root.findall(_tag("info"))],
    )
    try:
        return CapAlert.model_validate(fields)
    except ValidationError as error:
        raise _malformed(_reason(error)) from error


def _malformed(reason: str) -> InvalidInput:
    return InvalidInput("cap_malformed", reason=reason)


def _present(**fields: Any) -> dict[str, Any]:
    """Leave absent elements out, so the model reports them as missing, by name."""
    return {name: value for name, value in fields.items() if value is not None}


def _text(parent: ET.Element, name: str) -> str | None:
    element = parent.find(_tag(name))
    if element is None or element.text is None or not element.text.strip():
        return None
    return element.text.strip()


def _moment(parent: ET.Element, name: str) -> datetime | None:
    # Parsed here rather than by pydantic, which would also take a bare number as a timestamp.
    text = _text(parent, name)
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise _malformed(f"bad <{name}> {text[:40]!r}: a date-time with offset is required")
    return moment


def _references(text: str | None) -> list[CapReference] | None:
    if text is None:
        return None
    references = []
    for triple in text.split():
        parts = triple.split(",")
        if len(parts) != 3 or not all(parts):
            raise _malformed(f"bad <references> entry {triple[:80]!r}: sender,identifier,sent")
        references.append(CapReference(sender=parts[0], identifier=parts[1], sent=parts[2]))
    return references


def _info(element: ET.Element) -> dict[str, Any]:
    categories = [child.text.strip() for child in element.findall(_tag("category")) if child.text]
    return _present(
        language=_text(element, "language"),
        categories=categories or None,
        event=_text(element, "event"),
        urgency=_text(element, "urgency"),
        severity=_text(element, "severity"),
        certainty=_text(element, "certainty"),
        headline=_text(element, "headline"),
        description=_text(element, "description"),
        instruction=_text(element, "instruction"),
        effective=_moment(element, "effective"),
        onset=_moment(element, "onset"),
        expires=_moment(element, "expires"),
        areas=[_area(area) for area in element.findall(_tag("area"))],
    )


def _area(element: ET.Element) -> dict[str, Any]:
    geocodes = []
    for geocode in element.findall(_tag("geocode")):
        name, value = _text(geocode, "valueName"), _text(geocode, "value")
        if name is None or value is None:
            raise _malformed("<geocode> needs <valueName> and <value>")
        geocodes.append((name, value))
    return _present(
        desc=_text(element, "areaDesc"),
        geocodes=geocodes,
        polygons=[_polygon(child.text or "") for child in element.findall(_tag("polygon"))],
        circles=[_circle(child.text or "") for child in element.findall(_tag("circle"))],
    )


def _polygon(text: str) -> list[tuple[float, float]]:
    points = [_point(pair, "polygon") for pair in text.split()]
    if len(points) < 4:
        raise _malformed("bad <polygon>: at least 4 points are required")
    if points[0] != points[-1]:
        raise _malformed("bad <polygon>: the first and last points must be the same")
    return points


def _circle(text: str) -> tuple[float, float, float]:
    parts = text.split()
    if len(parts) != 2:
        raise _malformed("bad <circle>: 'lat,lon radius' is required")
    lat, lon = _point(parts[0], "circle")
    radius = _number(parts[1], "circle")
    if radius < 0:
        raise _malformed("bad <circle>: negative radius")
    return lat, lon, radius


def _point(pair: str, element: str) -> tuple[float, float]:
    parts = pair.split(",")
    if len(parts) != 2:
        raise _malformed(f"bad <{element}> point {pair[:40]!r}: 'lat,lon' is required")
    lat, lon = _number(parts[0], element), _number(parts[1], element)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise _malformed(f"bad <{element}> point {pair[:40]!r}: out of range")
    return lat, lon


def _number(text: str, element: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if value != value or value in (float("inf"), float("-inf")):  # NaN or infinite
        raise _malformed(f"bad <{element}> number {text[:40]!r}")
    return value


def _reason(error: ValidationError) -> str:
    """A short English reason naming the CAP element, from pydantic's first complaint."""
    first = error.errors()[0]
    if first["type"] == "cap":
        return first["msg"]
    names = [part for part in first["loc"] if isinstance(part, str)]
    element = _ELEMENT_OF_FIELD.get(names[-1], names[-1]) if names else "alert"
    if first["type"] == "missing":
        return f"missing <{element}>"
    return f"bad <{element}> {str(first.get('input'))[:40]!r}"


# --- Into a bulletin --------------------------------------------------------------------------


def cap_targets(
    info: CapInfoBlock, units: Mapping[str, AdminUnit], boundaries: DistrictBoundaries
) -> list[str]:
    """Our unit codes for the areas of ``info``, each unit at most once through its subtree.

    Geocodes naming a known GSO code are taken as they are; polygons and circles reach whole
    districts (see :mod:`nguon.services.geo`). Unknown geocodes and places outside the
    catalogue are ignored; if nothing is left, ``cap_no_known_area``.
    """
    chosen: set[str] = set()
    for area in info.areas:
        for name, value in area.geocodes:
            if name.strip().lower() in GEOCODE_NAMES and value.strip() in units:
                chosen.add(value.strip())
        for polygon in area.polygons:
            chosen.update(boundaries.districts_touching(polygon))
        for lat, lon, radius in area.circles:
            chosen.update(boundaries.districts_near_circle(lat, lon, radius))
    # A boundary file may hold districts the catalogue does not.
    chosen = {code for code in chosen if code in units}
    # A commune inside a chosen district is already reached through the district.
    kept = sorted(code for code in chosen if not chosen.intersection(units[code].ancestors))
    if not kept:
        raise InvalidInput("cap_no_known_area")
    return kept


def main_info(alert: CapAlert) -> CapInfoBlock:
    """The ``info`` to import: the Vietnamese one when there is one, else the first."""
    info = next((i for i in alert.infos if i.language.lower().startswith("vi")), None)
    info = info or (alert.infos[0] if alert.infos else None)
    if info is None:
        raise _malformed("no <info> to import")
    return info


def cap_to_content(alert: CapAlert, targets: list[str]) -> dict[str, Any]:
    """The JSON-able fields of a new emergency bulletin, for ``BulletinContent.model_validate``.

    Takes :func:`main_info`. Text is kept as sent (Vietnamese diacritics untouched), only cut
    to our limits.
    """
    info = main_info(alert)
    body = (info.description or info.event)[:BODY_MAX]
    channels = list(EMERGENCY_CHANNELS)
    if len(body) > BOARD_BODY_MAX:
        # A scrolling board cannot show a long text; speakers and the web still carry it.
        channels.remove("board")
    category = info.categories[0]
    content: dict[str, Any] = {
        "title": (info.headline or info.event)[:TITLE_MAX],
        "body": body,
        "category": _CATEGORY_FROM_CAP.get(category, Category.OTHER).value,
        "priority": "emergency",
        "targets": list(targets),
        "channels": channels,
        "schedule": {
            "type": "once",
            "at": (info.effective or info.onset or alert.sent).isoformat(),
        },
        "repeat": dict(EMERGENCY_REPEAT),
        "cap": {
            "event": info.event[:CAP_EVENT_MAX],
            "category": category,
            "urgency": info.urgency,
            "severity": info.severity,
            "certainty": info.certainty,
            "instruction": info.instruction[:CAP_INSTRUCTION_MAX] if info.instruction else None,
            "expires": info.expires.isoformat() if info.expires else None,
        },
    }
    if info.expires:
        content["valid_until"] = info.expires.isoformat()
    return content
