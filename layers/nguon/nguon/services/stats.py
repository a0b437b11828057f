"""Statistics from the table's stream: each record counted once into per-unit, per-day counters.

``StatsFunction`` hands every stream record (filtered in template.yaml) to
:meth:`StatsService.record`. A record becomes zero or more :class:`Count` s: a ``marker`` (what
makes it once-only), the units whose counters move (the unit of the record and every unit
above it, so an area's figure is one item, never a sum read over its communes), the local day,
and the amounts. :class:`StatsStore` adds a count and puts its marker in one transaction on
condition that the marker is new: a record the stream delivers again adds nothing.

What is counted (counter names; ``<c>`` a commune code, ``<d>`` a department):

- a device added: ``devices`` +1 and ``<kind>@<c>`` +1 on its creation day; decommissioned:
  the same −1 on that day. Summed up to a day, they give the devices in service that day.
  (The store rolls every day's additions up into its month and year, and these state counters
  into a running state: :mod:`nguon.counters`.)
- a bulletin approved: ``approved`` (and ``approved_emergency``, ``dept@<d>``) in the
  issuer's chain on the approval day; its first successful play anywhere: ``approved_played``
  in the same chain on the same approval day (same population as ``approved``).
- a proof of play: ``plays``, ``plays_ok``, ``plays_emergency``, ``play_s`` (seconds played
  successfully), ``requested_s`` (what the device was asked to play) in the commune's chain
  on the play's day; and ``played@<bulletin>`` +1 for a successful one, in the commune's own
  item only (a directive's compliance: which communes played a bulletin, how often a day).
- an alarm opened: ``outages``; closed: ``offline_s`` (its length) on the closing day.
- a report created: ``reports_created``; first submitted: ``reports_submitted`` (on the
  creation day, so the ratio compares one population).
- a directive's target (a unit it was sent to): ``directives_received``; acknowledged:
  ``directives_acknowledged``, both in the target's chain on the directive's issue day (one
  population): with the reports, the plan's "directives and reports through the system".
- a training record stored for an online course: ``trained`` and ``trained@<tier>``
  (``district`` or ``commune``, the person's home unit's tier) in the person's unit chain on
  the completion day, once per person (the marker is the person's, not the record's): the
  number of district and commune staff trained online.

Adding an indicator (feedback, training) is a branch in :meth:`StatsService.counts` for its
item's key, the template's filter for that key, and its row in ``plan-targets.json`` and
:mod:`nguon.services.kpis`: counters need no schema.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Protocol

from boto3.dynamodb.types import TypeDeserializer

from nguon.clock import local_zone
from nguon.models.bulletins import AuditAction, Bulletin, Priority
from nguon.models.monitoring import PlayRecord, PlayResult
from nguon.models.units import UnitLevel
from nguon.observability import logger
from nguon.services.plan import Plan, load_plan
from nguon.services.units import UnitService


class StatsStore(Protocol):
    def add_once(
        self, marker: str, additions: Mapping[tuple[str, date], Mapping[str, float]]
    ) -> bool: ...

    def days(
        self, unit: str, last: date, first: date | None = None
    ) -> list[tuple[date, dict[str, float]]]: ...

    # The roll-ups add_once keeps alongside the days (nguon.counters), by sort key; a key
    # with no item is left out.
    def read(self, unit: str, sort_keys: list[str]) -> dict[str, dict[str, float]]: ...


class BulletinReader(Protocol):
    def get(self, bulletin_id: str) -> Bulletin | None: ...


@dataclass(frozen=True)
class Count:
    marker: str
    units: tuple[str, ...]
    day: date
    values: Mapping[str, float]
    own: Mapping[str, float] = field(default_factory=dict)
    """Added to the record's own unit only (the last of ``units``)."""

    def additions(self) -> dict[tuple[str, date], Mapping[str, float]]:
        found = {(unit, self.day): self.values for unit in self.units}
        if self.own and self.units:
            mine = (self.units[-1], self.day)
            found[mine] = {**found[mine], **self.own}
        return found


def played_counter(bulletin_id: str) -> str:
    """A commune's day counter of successful plays of one bulletin."""
    return f"played@{bulletin_id}"


_deserializer = TypeDeserializer()


def _image(raw: Mapping[str, Any]) -> dict[str, Any]:
    image = raw.get("dynamodb", {}).get("NewImage") or {}
    return {name: _deserializer.deserialize(value) for name, value in image.items()}


def local_day(moment: datetime | str) -> date:
    if isinstance(moment, str):
        moment = parse_time(moment)
    return moment.astimezone(local_zone()).date()


def parse_time(text: str) -> datetime:
    """An ISO time as the models write it, or PynamoDB's UTC form (``…+0000``)."""
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class StatsService:
    def __init__(
        self,
        units: UnitService,
        bulletins: BulletinReader,
        store: StatsStore,
        plan: Plan | None = None,
    ) -> None:
        self._units = units
        self._bulletins = bulletins
        self._store = store
        self._plan = plan or load_plan()

    def record(self, raw: Mapping[str, Any]) -> int:
        """Count one stream record; the number of counts added (0 for one counted before)."""
        added = 0
        for count in self.counts(raw):
            if self._store.add_once(count.marker, count.additions()):
                added += 1
        return added

    def counts(self, raw: Mapping[str, Any]) -> list[Count]:
        keys = raw["dynamodb"]["Keys"]
        pk, sk = keys["PK"]["S"], keys["SK"]["S"]
        event = raw.get("eventName")
        image = _image(raw)
        if not image:
            return []
        key = f"{pk}|{sk}"
        if sk.startswith("EVENT#") and event == "INSERT":
            return self._audit(key, json.loads(image["doc"]))
        if sk == "DEVICE":
            return self._device(key, event, image)
        if sk.startswith("PLAY#") and event == "INSERT":
            return self._play(key, PlayRecord.model_validate_json(image["doc"]))
        if sk.startswith("ALARM#"):
            return self._alarm(key, event, image)
        if sk == "REPORT":
            return self._report(key, event, image)
        if sk.startswith("TARGET#") and pk.startswith("DIRECTIVE#"):
            return self._directive_target(key, event, image)
        if sk.startswith("TRAINING#") and event == "INSERT":
            return self._training(json.loads(image["doc"]))
        return []

    # --- per kind of record -----------------------------------------------------------------

    def _chain(self, unit: str) -> tuple[str, ...]:
        found = self._units.find(unit)
        if found is None:
            logger.warning("stats: unknown unit", extra={"unit": unit})
            return ()
        return (*found.ancestors, found.code)

    def _audit(self, key: str, audit: Mapping[str, Any]) -> list[Count]:
        if audit["action"] != AuditAction.APPROVED.value:
            return []
        bulletin = self._bulletins.get(audit["bulletin_id"])
        if bulletin is None:
            return []
        values: dict[str, float] = {"approved": 1}
        if bulletin.priority is Priority.EMERGENCY:
            values["approved_emergency"] = 1
        department = self._plan.department(bulletin.department)
        if department:
            values[f"dept@{department}"] = 1
        return [
            Count(
                f"{key}|approved", self._chain(bulletin.issuer_unit), local_day(audit["at"]), values
            )
        ]

    def _device(self, key: str, event: str | None, image: Mapping[str, Any]) -> list[Count]:
        path = tuple(image["path"])
        commune = image["unit"]
        values = {"devices": 1.0, f"{image['kind']}@{commune}": 1.0}
        if event == "INSERT":
            return [Count(f"{key}|added", path, local_day(image["created_at"]), values)]
        if image.get("status") == "decommissioned" and image.get("decommissioned_at"):
            minus = {name: -amount for name, amount in values.items()}
            day = local_day(image["decommissioned_at"])
            return [Count(f"{key}|decommissioned", path, day, minus)]
        return []

    def _play(self, key: str, play: PlayRecord) -> list[Count]:
        ok = play.result is PlayResult.OK
        played_s = play.duration_s if ok else 0.0
        values: dict[str, float] = {
            "plays": 1,
            "plays_ok": 1 if ok else 0,
            "plays_emergency": 1 if play.emergency else 0,
            "play_s": played_s,
            "requested_s": play.requested_s if play.requested_s is not None else play.duration_s,
        }
        own = {played_counter(play.bulletin_id): 1.0} if ok else {}
        day = local_day(play.started_at)
        counts = [Count(f"{key}|play", self._chain(play.unit), day, values, own)]
        if ok:
            bulletin = self._bulletins.get(play.bulletin_id)
            if bulletin is not None and bulletin.approved_at is not None:
                counts.append(
                    Count(
                        f"BULLETIN#{bulletin.id}|played",
                        self._chain(bulletin.issuer_unit),
                        local_day(bulletin.approved_at),
                        {"approved_played": 1},
                    )
                )
        return counts

    def _alarm(self, key: str, event: str | None, image: Mapping[str, Any]) -> list[Count]:
        path = tuple(image["path"])
        if event == "INSERT":
            return [Count(f"{key}|opened", path, local_day(image["opened_at"]), {"outages": 1})]
        if image.get("open") is False and image.get("closed_at"):
            opened, closed = parse_time(image["opened_at"]), parse_time(image["closed_at"])
            seconds = max(0.0, (closed - opened).total_seconds())
            return [Count(f"{key}|closed", path, local_day(closed), {"offline_s": seconds})]
        return []

    def _report(self, key: str, event: str | None, image: Mapping[str, Any]) -> list[Count]:
        path = tuple(image["path"])
        day = local_day(image["created_at"])
        if event == "INSERT":
            return [Count(f"{key}|created", path, day, {"reports_created": 1})]
        if image.get("submitted"):
            return [Count(f"{key}|submitted", path, day, {"reports_submitted": 1})]
        return []

    def _directive_target(
        self, key: str, event: str | None, image: Mapping[str, Any]
    ) -> list[Count]:
        if not image.get("issued_at"):
            return []  # a target stored before targets carried their directive's issue time
        path, day = tuple(image["path"]), local_day(image["issued_at"])
        if event == "INSERT":
            return [Count(f"{key}|received", path, day, {"directives_received": 1})]
        if image.get("acknowledged_at"):  # an escalation changes a target too: not counted
            return [Count(f"{key}|acknowledged", path, day, {"directives_acknowledged": 1})]
        return []

    def _training(self, record: Mapping[str, Any]) -> list[Count]:
        if not record.get("online") or not record.get("username"):
            return []
        unit = self._units.find(record["unit"])
        if unit is None or unit.level not in (UnitLevel.DISTRICT, UnitLevel.COMMUNE):
            return []
        return [
            Count(
                f"TRAINEE#{record['username']}|trained_online",
                (*unit.ancestors, unit.code),
                date.fromisoformat(record["completed_on"]),
                {"trained": 1, f"trained@{unit.level.value}": 1},
            )
        ]
