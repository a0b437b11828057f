"""Administrative units (đơn vị hành chính): province, district and commune.

The hierarchy is data: a three-level set (province → district → commune, Bình Định's plan) and
a two-level set (province → commune, the structure since 1 July 2025) both load and work.
"""

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

UNIT_CODE_PATTERN = r"^\d{2,5}$"
"""GSO codes: 2 digits for a province, 3 for a district, 5 for a commune."""

UnitCode = Annotated[str, StringConstraints(pattern=UNIT_CODE_PATTERN)]


class UnitLevel(StrEnum):
    """The tier of a unit: cấp tỉnh, cấp huyện, cấp xã."""

    PROVINCE = "province"
    DISTRICT = "district"
    COMMUNE = "commune"


class UnitSummary(BaseModel):
    """What a list of units shows of each."""

    model_config = ConfigDict(frozen=True)

    code: UnitCode
    name: str
    type: str
    """The official kind in Vietnamese: Tỉnh, Thành phố, Thị xã, Huyện, Phường, Xã, Thị trấn."""
    level: UnitLevel


class AdminUnit(UnitSummary):
    """One administrative unit, with its place in the tree."""

    parent: UnitCode | None = None
    ancestors: tuple[UnitCode, ...] = ()
    """Codes from the root down to the parent; empty for the province."""

    def is_within(self, root: str) -> bool:
        """True when this unit lies in the subtree of ``root`` (itself included)."""
        return self.code == root or root in self.ancestors

    def summary(self) -> UnitSummary:
        return UnitSummary(code=self.code, name=self.name, type=self.type, level=self.level)


class UnitView(UnitSummary):
    """``GET /units/{code}``: a unit, its parent and its direct children."""

    parent: UnitCode | None
    children: list[UnitSummary]
