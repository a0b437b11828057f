"""Reading an administrative unit catalogue into units with their place in the tree.

Two shapes are accepted, both as published by the GSO catalogue:
- three levels: ``{"code", "name", "type", "districts": [{..., "communes": [...]}]}``
- two levels: ``{"code", "name", "type", "communes": [...]}``
"""

import json
from collections.abc import Iterable, Mapping
from importlib import resources
from typing import Any

from pydantic import ValidationError

from nguon.errors import InvalidInput
from nguon.models.units import AdminUnit, UnitLevel

BINH_DINH_CATALOGUE = "binh-dinh-admin-units.json"


def parse_catalogue(document: Mapping[str, Any]) -> list[AdminUnit]:
    """All units of a catalogue, parents before children; rejects duplicate or bad codes."""
    try:
        province = _unit(document, UnitLevel.PROVINCE, ())
        units = [province]
        if "districts" in document:
            for district_doc in document["districts"]:
                district = _unit(district_doc, UnitLevel.DISTRICT, (province.code,))
                units.append(district)
                units += _communes(district_doc, (province.code, district.code))
        else:
            units += _communes(document, (province.code,))
    except (KeyError, TypeError, ValidationError) as error:
        raise InvalidInput("invalid_catalogue", reason=str(error)) from error
    _reject_duplicates(units)
    return units


def load_bundled_catalogue(name: str = BINH_DINH_CATALOGUE) -> list[AdminUnit]:
    """The catalogue shipped in ``nguon/data`` (Bình Định by default)."""
    text = resources.files("nguon.data").joinpath(name).read_text(encoding="utf-8")
    return parse_catalogue(json.loads(text))


def _communes(parent_doc: Mapping[str, Any], ancestors: tuple[str, ...]) -> list[AdminUnit]:
    return [_unit(doc, UnitLevel.COMMUNE, ancestors) for doc in parent_doc.get("communes", [])]


def _unit(doc: Mapping[str, Any], level: UnitLevel, ancestors: tuple[str, ...]) -> AdminUnit:
    return AdminUnit(
        code=str(doc["code"]),
        name=doc["name"],
        type=doc["type"],
        level=level,
        parent=ancestors[-1] if ancestors else None,
        ancestors=ancestors,
    )


def _reject_duplicates(units: Iterable[AdminUnit]) -> None:
    seen: set[str] = set()
    for unit in units:
        if unit.code in seen:
            raise InvalidInput("invalid_catalogue", reason=f"duplicate code {unit.code}")
        seen.add(unit.code)
