"""In-memory stand-ins for unit tests of rules and handlers (integration tests use moto)."""

from collections.abc import Iterable

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
