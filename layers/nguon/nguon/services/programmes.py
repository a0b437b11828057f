"""A unit's programme as staff see and order it: loads and saves around the pure resolver
(:mod:`nguon.services.programme_resolver`)."""

from datetime import date
from typing import Protocol

from nguon.errors import Conflict, InvalidInput
from nguon.models.bulletins import Bulletin, Channel, Priority
from nguon.models.principal import Principal
from nguon.models.programme import Programme, ProgrammeOrder, ProgrammeSettings
from nguon.models.units import AdminUnit
from nguon.services.access import Permission, authorize
from nguon.services.bulletins import BulletinStore
from nguon.services.programme_resolver import resolve_programme
from nguon.services.units import UnitService


class ProgrammeStore(Protocol):
    """Where units keep their programme choices (DynamoDB in :mod:`nguon.storage.programme`)."""

    def order(self, unit: str, day: date) -> ProgrammeOrder | None: ...

    def save_order(
        self, unit: str, day: date, order: ProgrammeOrder, expected: int | None
    ) -> None: ...

    def settings(self, unit: str) -> ProgrammeSettings | None: ...

    def save_settings(self, unit: str, settings: ProgrammeSettings) -> None: ...


class ProgrammeService:
    def __init__(self, units: UnitService, bulletins: BulletinStore, store: ProgrammeStore) -> None:
        self._units = units
        self._bulletins = bulletins
        self._store = store

    def day(
        self, principal: Principal, code: str, day: date, channel: Channel = Channel.SPEAKER
    ) -> Programme:
        unit = self._units.require(code)
        authorize(principal, Permission.BULLETINS_READ, unit)
        order = self._store.order(code, day)
        return self._resolve(unit, day, self._candidates(unit, day), order, channel)

    def order(self, principal: Principal, code: str, day: date, order: ProgrammeOrder) -> Programme:
        """Set the unit's order of ``day``; every entry must be a bulletin of that day."""
        unit = self._units.require(code)
        authorize(principal, Permission.PROGRAMME_ORDER, unit)
        on_air = self._candidates(unit, day)
        candidates = {bulletin.id: bulletin for bulletin in on_air}
        for entry in order.items:
            bulletin = candidates.get(entry.bulletin_id)
            if bulletin is None:
                raise InvalidInput("not_in_programme", bulletin=entry.bulletin_id, date=day)
            if entry.start and bulletin.priority is not Priority.NORMAL:
                raise InvalidInput("fixed_time_item", bulletin=entry.bulletin_id)
        current = self._store.order(code, day)
        current_version = (current.version or 0) if current else 0
        if order.version is not None and order.version != current_version:
            raise Conflict("stale_version", version=order.version, current=current_version)
        saved = order.model_copy(update={"version": current_version + 1})
        self._store.save_order(
            code, day, saved, current_version if order.version is not None else None
        )
        return self._resolve(unit, day, on_air, saved, Channel.SPEAKER)

    def settings(self, principal: Principal, code: str) -> ProgrammeSettings:
        authorize(principal, Permission.BULLETINS_READ, self._units.require(code))
        return self._store.settings(code) or ProgrammeSettings()

    def change_settings(
        self, principal: Principal, code: str, settings: ProgrammeSettings
    ) -> ProgrammeSettings:
        authorize(principal, Permission.PROGRAMME_ORDER, self._units.require(code))
        self._store.save_settings(code, settings)
        return settings

    def for_delivery(
        self, unit: AdminUnit, day: date, channel: Channel
    ) -> tuple[Programme, dict[str, Bulletin]]:
        """What devices of ``unit`` play on ``day`` (no staff member asking: the fan-out), with
        the bulletins it places, by id, for their text and media."""
        on_air = self._candidates(unit, day)
        programme = self._resolve(unit, day, on_air, self._store.order(unit.code, day), channel)
        return programme, {bulletin.id: bulletin for bulletin in on_air}

    def _candidates(self, unit: AdminUnit, day: date) -> list[Bulletin]:
        return self._bulletins.on_air([unit.code, *unit.ancestors], day)

    def _resolve(
        self,
        unit: AdminUnit,
        day: date,
        on_air: list[Bulletin],
        order: ProgrammeOrder | None,
        channel: Channel,
    ) -> Programme:
        settings = self._store.settings(unit.code)
        return resolve_programme(unit, day, on_air, settings=settings, order=order, channel=channel)
