"""Reading and loading administrative units."""

from collections.abc import Iterable
from typing import Protocol

from nguon.errors import NotFound
from nguon.models.principal import Principal
from nguon.models.units import AdminUnit, UnitView
from nguon.services.access import Permission, authorize


class UnitStore(Protocol):
    """Where units live (DynamoDB in :mod:`nguon.storage.units`)."""

    def get(self, code: str) -> AdminUnit | None: ...

    def children(self, code: str) -> list[AdminUnit]: ...

    def put_many(self, units: Iterable[AdminUnit]) -> int: ...


class UnitService:
    def __init__(self, store: UnitStore) -> None:
        self._store = store

    def require(self, code: str) -> AdminUnit:
        """The unit with ``code``, or :class:`NotFound`."""
        unit = self._store.get(code)
        if unit is None:
            raise NotFound("unit_not_found", unit=code)
        return unit

    def view(self, principal: Principal, code: str) -> UnitView:
        """A unit and its children, as seen by a staff member in whose area it lies."""
        unit = self.require(code)
        authorize(principal, Permission.UNITS_READ, unit)
        children = sorted(self._store.children(code), key=lambda child: child.code)
        return UnitView(
            **unit.summary().model_dump(),
            parent=unit.parent,
            children=[child.summary() for child in children],
        )

    def load(self, units: Iterable[AdminUnit]) -> int:
        """Store a catalogue; loading the same catalogue again changes nothing."""
        return self._store.put_many(units)
