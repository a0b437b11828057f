"""The services the routes use, built once per container on first use (not at import)."""

from functools import lru_cache

from nguon.services.units import UnitService


@lru_cache(maxsize=1)
def unit_service() -> UnitService:
    from nguon.storage.units import DynamoUnitStore  # binds the table from settings

    return UnitService(DynamoUnitStore())
