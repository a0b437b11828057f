"""In-memory stand-ins for unit tests of rules and handlers (integration tests use moto)."""

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta

from nguon.clock import localize
from nguon.errors import Conflict
from nguon.models.bulletins import AuditEvent, Bulletin, Change, Status
from nguon.models.programme import ProgrammeOrder, ProgrammeSettings
from nguon.models.units import AdminUnit


class InMemoryUnitStore:
    def __init__(self, units: Iterable[AdminUnit] = ()) -> None:
        self.units = {unit.code: unit for unit in units}

    def get(self, code: str) -> AdminUnit | None:
        return self.units.get(code)

    def children(self, code: str) -> list[AdminUnit]:
        return [unit for unit in self.units.values() if unit.parent == code]

    def put_many(self, units: Iterable[AdminUnit]) -> int:
        stored = list(units)
        self.units.update((unit.code, unit) for unit in stored)
        return len(stored)


class InMemoryBulletinStore:
    """:class:`nguon.services.bulletins.BulletinStore` in dicts, with the same all-or-nothing
    commit and version conditions as the DynamoDB one."""

    def __init__(self) -> None:
        self.bulletins: dict[str, Bulletin] = {}
        self.events: dict[str, list[AuditEvent]] = {}
        self.index: dict[str, set[str]] = {}
        self.cap_keys: dict[str, str] = {}

    def get(self, bulletin_id: str) -> Bulletin | None:
        return self.bulletins.get(bulletin_id)

    def commit(self, changes: Sequence[Change], *, cap_key: str | None = None) -> None:
        for change in changes:
            current = self.bulletins.get(change.bulletin.id)
            if (current.version if current else None) != change.expected_version:
                raise Conflict(
                    "stale_version",
                    version=change.expected_version,
                    current=current.version if current else None,
                )
        if cap_key and cap_key in self.cap_keys:
            raise Conflict("cap_already_imported", bulletin=self.cap_keys[cap_key])
        for change in changes:
            bulletin = change.bulletin
            self.bulletins[bulletin.id] = bulletin
            self.events.setdefault(bulletin.id, []).append(change.event)
            self.index[bulletin.id] = set(change.index)
        if cap_key:
            self.cap_keys[cap_key] = changes[0].bulletin.id

    def history(self, bulletin_id: str) -> list[AuditEvent]:
        return list(self.events.get(bulletin_id, []))

    def page(self, unit, *, starting_by, limit, cursor):
        listed = sorted(
            (b for b in self.bulletins.values() if unit in self.index[b.id]),
            key=lambda b: (b.validity()[0], b.id),
            reverse=True,
        )
        if starting_by:
            listed = [b for b in listed if b.validity()[0].date() <= starting_by]
        offset = int(cursor or 0)
        rest = listed[offset : offset + limit]
        more = offset + limit < len(listed)
        return rest, str(offset + limit) if more else None

    def on_air(self, units, day):
        wanted = set(units)
        day_start = localize(datetime.combine(day, time()))
        day_end = day_start + timedelta(days=1)
        return [
            b
            for b in self.bulletins.values()
            if b.status is Status.APPROVED
            and wanted & set(b.targets)
            and b.validity()[0] < day_end
            and b.validity()[1] > day_start
        ]

    def by_cap_key(self, cap_key: str) -> Bulletin | None:
        bulletin_id = self.cap_keys.get(cap_key)
        return self.bulletins.get(bulletin_id) if bulletin_id else None


class InMemoryProgrammeStore:
    def __init__(self) -> None:
        self.orders: dict[tuple[str, date], ProgrammeOrder] = {}
        self.unit_settings: dict[str, ProgrammeSettings] = {}

    def order(self, unit: str, day: date) -> ProgrammeOrder | None:
        return self.orders.get((unit, day))

    def save_order(self, unit: str, day: date, order: ProgrammeOrder, expected: int | None) -> None:
        current = self.orders.get((unit, day))
        if expected is not None and (current.version if current else 0) != expected:
            raise Conflict("conflict")
        self.orders[(unit, day)] = order

    def settings(self, unit: str) -> ProgrammeSettings | None:
        return self.unit_settings.get(unit)

    def save_settings(self, unit: str, settings: ProgrammeSettings) -> None:
        self.unit_settings[unit] = settings
