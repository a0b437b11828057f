"""Bulletins and people for rule tests, with the least typing that still reads like the rule."""

from datetime import datetime
from functools import cache
from itertools import count
from typing import Any

from nguon.models.bulletins import Actor, Bulletin, Status
from nguon.models.devices import Device
from nguon.models.principal import Principal, Role
from nguon.models.units import AdminUnit
from nguon.services.unit_catalogue import load_bundled_catalogue

DAY = "2026-12-01"
_ids = count(1)


@cache
def catalogue() -> dict[str, AdminUnit]:
    return {unit.code: unit for unit in load_bundled_catalogue()}


def unit(code: str) -> AdminUnit:
    return catalogue()[code]


def at(clock: str, day: str = DAY) -> datetime:
    """A local time on the test day, as the resolver returns it."""
    from nguon.clock import localize

    return localize(datetime.fromisoformat(f"{day}T{clock}"))


def person(username: str, home_unit: str, *roles: Role) -> Principal:
    return Principal(
        user_id=f"sub-{username}", username=username, roles=frozenset(roles), home_unit=home_unit
    )


def bulletin(
    *,
    priority: str = "normal",
    times: list[str] | None = None,
    at_time: str | None = None,
    targets: list[str] | None = None,
    issuer: str = "21550",
    duration_s: int = 300,
    status: Status = Status.APPROVED,
    **fields: Any,
) -> Bulletin:
    """An approved bulletin for the test day. ``at_time`` makes a ``once`` schedule,
    ``times`` a daily one over the test day."""
    number = next(_ids)
    if at_time:
        schedule: dict[str, Any] = {"type": "once", "at": f"{DAY}T{at_time}:00"}
    else:
        schedule = {"type": "daily", "times": times or ["06:00"], "from": DAY, "until": DAY}
    issuing = unit(issuer)
    author = Actor(user_id="sub-author", username="author", unit=issuer)
    data: dict[str, Any] = {
        "id": fields.pop("id", f"b{number:03d}"),
        "title": f"Bản tin {number}",
        "body": "Thông báo của Ủy ban nhân dân.",
        "category": "other",
        "priority": priority,
        "targets": targets or [issuer],
        "channels": ["speaker"],
        "schedule": schedule,
        "duration_s": duration_s,
        "status": status,
        "version": 1,
        "issuer_unit": issuer,
        "layer": issuing.level,
        "author": author,
        "created_at": at("00:00", "2026-11-20"),
        "updated_at": at("00:00", "2026-11-20"),
        "approved_at": at("00:00", "2026-11-21"),
    }
    data.update(fields)
    return Bulletin.model_validate(data)


def device(
    thing: str | None = None,
    *,
    unit_code: str = "21550",
    kind: str = "speaker",
    **fields: Any,
) -> Device:
    """An active device of a commune, created on the test day by a province admin; monitoring
    fields (``online``, ``last_seen``...) as given."""
    commune = unit(unit_code)
    prefix = "spk" if kind == "speaker" else "led"
    data: dict[str, Any] = {
        "thing": thing or f"{prefix}-{unit_code}-{next(_ids):02d}",
        "kind": kind,
        "unit": unit_code,
        "path": [*commune.ancestors, commune.code],
        "name": f"Cụm loa {commune.name}" if kind == "speaker" else f"Bảng tin {commune.name}",
        "location": {"lat": 13.78, "lon": 109.22},
        "vendor": "Nguồn Audio",
        "model": "NA-4G",
        "speakers": 4 if kind == "speaker" else 0,
        "created_at": at("00:00", "2026-11-20"),
        "created_by": Actor(user_id="sub-admin", username="tinh-admin", unit="52"),
    }
    data.update(fields)
    return Device.model_validate(data)
