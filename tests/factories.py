"""Bulletins and people for rule tests, with the least typing that still reads like the rule."""

from datetime import datetime
from functools import cache
from itertools import count
from typing import Any

from nguon.models.bulletins import Actor, Bulletin, Status
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
