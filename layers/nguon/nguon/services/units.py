"""Reading and loading administrative units."""

from collections.abc import Callable, Iterable, Iterator, Mapping
from time import monotonic
from typing import Protocol

from nguon.errors import NotFound
from nguon.models.principal import Principal
from nguon.models.units import AdminUnit, UnitLevel, UnitView
from nguon.services.access import Permission, authorize


class UnitStore(Protocol):
    """Where units live (DynamoDB in :mod:`nguon.storage.units`)."""

    def get(self, code: str) -> AdminUnit | None: ...

    def children(self, code: str) -> list[AdminUnit]: ...

    def put_many(self, units: Iterable[AdminUnit]) -> int: ...


class UnitService:
    def __init__(self, store: UnitStore) -> None:
        self._store = store

    def find(self, code: str) -> AdminUnit | None:
        """The unit with ``code``, if there is one."""
        return self._store.get(code)

    def require(self, code: str) -> AdminUnit:
        """The unit with ``code``, or :class:`NotFound`."""
        unit = self.find(code)
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

    def children(self, code: str) -> list[AdminUnit]:
        """The units directly under ``code``, by code."""
        return sorted(self._store.children(code), key=lambda child: child.code)

    def communes_under(self, code: str) -> list[AdminUnit]:
        """The communes (the tier devices belong to) in the subtree of ``code``, itself included."""
        unit = self.require(code)
        found, frontier = [], [unit]
        while frontier:
            current = frontier.pop()
            if current.level is UnitLevel.COMMUNE:
                found.append(current)
            else:
                frontier.extend(self._store.children(current.code))
        return sorted(found, key=lambda commune: commune.code)

    def load(self, units: Iterable[AdminUnit]) -> int:
        """Store a catalogue; loading the same catalogue again changes nothing."""
        return self._store.put_many(units)


class CachedUnitStore:
    """A :class:`UnitStore` that remembers units for a while: every request checks several
    units' places in the tree, and the catalogue changes a few times a year at most."""

    def __init__(
        self, store: UnitStore, ttl_s: float = 300.0, clock: Callable[[], float] = monotonic
    ) -> None:
        self._store = store
        self._ttl_s = ttl_s
        self._clock = clock
        self._units: dict[str, tuple[float, AdminUnit | None]] = {}

    def get(self, code: str) -> AdminUnit | None:
        now = self._clock()
        cached = self._units.get(code)
        if cached is None or now - cached[0] > self._ttl_s:
            cached = (now, self._store.get(code))
            self._units[code] = cached
        return cached[1]

    def children(self, code: str) -> list[AdminUnit]:
        return self._store.children(code)

    def put_many(self, units: Iterable[AdminUnit]) -> int:
        self._units.clear()
        return self._store.put_many(units)


class UnitLookup(Mapping[str, AdminUnit]):
    """Units by code as a read-only mapping, fetched on demand (never listed whole)."""

    def __init__(self, units: UnitService) -> None:
        self._units = units
        self._seen: dict[str, AdminUnit] = {}

    def __getitem__(self, code: str) -> AdminUnit:
        if code not in self._seen:
            unit = self._units.find(code)
            if unit is None:
                raise KeyError(code)
            self._seen[code] = unit
        return self._seen[code]

    def __iter__(self) -> Iterator[str]:
        return iter(self._seen)  # only what was looked up: the catalogue is not listed

    def __len__(self) -> int:
        return len(self._seen)
