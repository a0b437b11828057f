"""KPIs against the plan's targets (chỉ tiêu kế hoạch), as the API answers them."""

from datetime import date

from pydantic import BaseModel, Field

from nguon.models.units import UnitCode


class Indicator(BaseModel):
    """One indicator for a unit and a range: ``value = numerator / denominator`` (``null`` when
    the denominator is 0 or the system does not measure it yet, with a ``note``)."""

    id: str
    title: str
    target: float | None
    """The plan's figure as a fraction (0.7 = 70 %); ``null`` where the plan sets none."""
    comparison: str
    """How ``value`` meets ``target``: ``>=`` or ``>`` (the plan's "trên 70 %")."""
    value: float | None
    numerator: float | None
    denominator: float | None
    met: bool | None
    source: str
    """The plan's line and words the target comes from."""
    reading: str
    """How the figure is counted (and, where it matters, read in a 2-level catalogue)."""
    note: str | None = None


class KpiBoard(BaseModel):
    unit: UnitCode
    unit_name: str
    start: date = Field(serialization_alias="from")
    end: date = Field(serialization_alias="to")
    levels: int
    """3 (province → district → commune) or 2 (province → commune): how targets read."""
    indicators: list[Indicator]


class KpiItem(BaseModel):
    """One line behind an indicator: a unit or a department, with its own figures."""

    code: str
    name: str
    numerator: float | None = None
    denominator: float | None = None
    counted: bool | None = None
    """For "units with …" indicators: whether this one counts in the numerator."""


class KpiDetail(Indicator):
    unit: UnitCode
    start: date = Field(serialization_alias="from")
    end: date = Field(serialization_alias="to")
    items: list[KpiItem]
    """The list behind the figure: summing ``numerator`` over ``items`` gives the indicator's
    (for ratio indicators the unit's own row is listed under its own code)."""
