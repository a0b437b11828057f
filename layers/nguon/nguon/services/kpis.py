"""KPIs against the plan's targets, from the counters the stream keeps (``nguon.services.stats``).

A board reads a few items of one partition (:mod:`nguon.counters`): activity counters over the
range as whole years, whole months and the ragged days at its edges; device counters as of the
range's end as the running state less what changed after the end. And the catalogue for the
denominators; it never reads the records counted. ``detail`` answers the list behind one
indicator: the communes, districts or departments counted, or for a ratio the unit's children
(each from its own counters) and the unit's own part.

How the 2-level structure reads: see :mod:`nguon.services.plan`.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from time import monotonic
from typing import Protocol

from nguon.clock import now
from nguon.counters import STATE, is_state, sort_keys, spans, spans_after
from nguon.errors import InvalidInput, NotFound
from nguon.models.kpis import Indicator, KpiBoard, KpiDetail, KpiItem
from nguon.models.principal import Principal
from nguon.models.units import AdminUnit, UnitLevel
from nguon.services.access import Permission, authorize
from nguon.services.plan import Plan, Target, load_plan
from nguon.services.stats import StatsStore
from nguon.services.units import UnitService

MAX_RANGE_DAYS = 366 * 5


RATIOS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "essential_info_on_system": (("approved_played",), ("approved",)),
    "play_time_vs_requested": (("play_s",), ("requested_s",)),
    "directives_and_reports_on_system": (
        ("reports_submitted", "directives_acknowledged"),
        ("reports_created", "directives_received"),
    ),
}
"""Ratio indicators: the counters summed into the numerator and into the denominator."""

_UNITS_WITH = {
    "communes_with_ip_radio": ("speaker", UnitLevel.COMMUNE),
    "wards_with_board": ("board", UnitLevel.COMMUNE),
    "communes_with_board": ("board", UnitLevel.COMMUNE),
    "towns_with_led_board": ("board", UnitLevel.DISTRICT),
    "districts_with_led_board": ("board", UnitLevel.DISTRICT),
}
""""Units with a device" indicators: the device kind and the tier counted."""


class StaffTraining(Protocol):
    """District and commune staff of an area (the user pool), for ``staff_trained_online``."""

    def staff_count(self, unit: AdminUnit, communes: list[AdminUnit]) -> int: ...

    def staff_items(self, unit: AdminUnit, communes: list[AdminUnit]) -> list[KpiItem]: ...


@dataclass
class Figures:
    """A unit's counters over a range: ``state`` as of the range's end, ``activity`` in it."""

    state: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    activity: dict[str, float] = field(default_factory=lambda: defaultdict(float))

    def get(self, name: str) -> float:
        return self.state.get(name) or self.activity.get(name) or 0.0

    def total(self, names: Iterable[str]) -> float:
        return sum(self.get(name) for name in names)

    def devices_in(self, kind: str, commune: str) -> int:
        return round(self.state.get(f"{kind}@{commune}", 0.0))


def read_figures(
    store: StatsStore, unit: str, first: date, last: date, newest: int | None = None
) -> Figures:
    """The unit's figures from one batch of item reads: the range's whole years, months and
    ragged days (activity), and the running state less what changed after ``last`` (up to the
    end of year ``newest``, by default next year: nothing is counted in the future)."""
    newest = newest if newest is not None else now().year + 1
    inside = sort_keys(spans(first, last))
    after = sort_keys(spans_after(last, newest))
    found = store.read(unit, [*inside, STATE, *after])
    figures = Figures()
    for key in inside:
        for name, amount in found.get(key, {}).items():
            if not is_state(name):
                figures.activity[name] += amount
    for name, amount in found.get(STATE, {}).items():
        figures.state[name] += amount
    for key in after:
        for name, amount in found.get(key, {}).items():
            if is_state(name):
                figures.state[name] -= amount
    return figures


def year_range(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


class KpiService:
    def __init__(
        self,
        units: UnitService,
        store: StatsStore,
        plan: Plan | None = None,
        clock: Callable[[], float] = monotonic,
        catalogue_ttl_s: float = 300.0,
        staff: StaffTraining | None = None,
    ) -> None:
        self._staff = staff
        self._units = units
        self._store = store
        self._plan = plan or load_plan()
        self._clock = clock
        self._ttl_s = catalogue_ttl_s
        self._communes: dict[str, tuple[float, list[AdminUnit]]] = {}

    @property
    def plan(self) -> Plan:
        return self._plan

    def area(self, principal: Principal, unit: str) -> AdminUnit:
        where = self._units.require(unit)
        authorize(principal, Permission.REPORTS_READ, where)
        return where

    def figures(self, unit: str, first: date, last: date) -> Figures:
        return read_figures(self._store, unit, first, last)

    def board(self, principal: Principal, unit: str, first: date, last: date) -> KpiBoard:
        _check_range(first, last)
        where = self.area(principal, unit)
        figures = self.figures(where.code, first, last)
        communes = self.communes_under(where)
        return KpiBoard(
            unit=where.code,
            unit_name=where.name,
            start=first,
            end=last,
            levels=_levels(where, communes),
            indicators=[
                self._indicator(target, where, figures, communes, first, last)
                for target in self._plan.targets
            ],
        )

    def detail(
        self, principal: Principal, indicator: str, unit: str, first: date, last: date
    ) -> KpiDetail:
        _check_range(first, last)
        target = self._plan.target(indicator)
        if target is None:
            raise NotFound("kpi_not_found", indicator=indicator)
        where = self.area(principal, unit)
        figures = self.figures(where.code, first, last)
        communes = self.communes_under(where)
        head = self._indicator(target, where, figures, communes, first, last)
        if target.id in _UNITS_WITH:
            items = self._units_with_items(target, where, figures, communes)
        elif target.id == "departments_supplying":
            items = self._department_items(figures) if where.level is UnitLevel.PROVINCE else []
        elif target.id == "staff_trained_online" and self._staff is not None:
            items = self._staff.staff_items(where, communes)
        elif target.id in RATIOS:
            items = self._ratio_items(target.id, where, figures, communes, first, last)
        else:
            items = []
        return KpiDetail(**head.model_dump(), unit=where.code, start=first, end=last, items=items)

    # --- the catalogue ----------------------------------------------------------------------

    def communes_under(self, unit: AdminUnit) -> list[AdminUnit]:
        """The unit's communes, remembered for a while (the catalogue changes rarely)."""
        cached = self._communes.get(unit.code)
        now = self._clock()
        if cached is None or now - cached[0] > self._ttl_s:
            cached = (now, self._units.communes_under(unit.code))
            self._communes[unit.code] = cached
        return cached[1]

    def _districts(self, unit: AdminUnit, communes: Iterable[AdminUnit]) -> list[AdminUnit]:
        if unit.level is UnitLevel.DISTRICT:
            return [unit]
        if unit.level is UnitLevel.COMMUNE:
            return []  # a commune's area holds no district
        codes = sorted({c.ancestors[1] for c in communes if len(c.ancestors) >= 2})
        return [self._units.require(code) for code in codes]

    # --- one indicator ----------------------------------------------------------------------

    def _indicator(
        self,
        target: Target,
        unit: AdminUnit,
        figures: Figures,
        communes: list[AdminUnit],
        first: date,
        last: date,
    ) -> Indicator:
        numerator: float | None
        denominator: float | None
        note = None
        if target.not_measured:
            numerator = denominator = None
            note = "Chưa đo được trên hệ thống / not measured by the system yet"
        elif target.id in _UNITS_WITH:
            counted = self._units_with(target, unit, figures, communes)
            numerator = sum(1 for _, n in counted if n > 0)
            denominator = len(counted)
            if not counted:
                note = _no_units_note(target, unit)
        elif target.id == "departments_supplying":
            if unit.level is UnitLevel.PROVINCE:
                numerator = sum(1 for d in self._plan.departments if figures.get(f"dept@{d}") > 0)
                denominator = len(self._plan.departments)
            else:
                numerator, denominator = None, None
                note = "Chỉ tiêu cấp tỉnh / a province indicator"
        elif target.id in RATIOS:
            top, bottom = RATIOS[target.id]
            numerator, denominator = _rounded(figures.total(top)), _rounded(figures.total(bottom))
        elif target.id == "staff_trained_online" and self._staff is not None:
            # Trained: counted once per person by the stream; staff: the user pool now.
            numerator = _rounded(figures.get("trained"))
            denominator = float(self._staff.staff_count(unit, communes))
        elif target.id == "device_uptime":
            devices = round(figures.get("devices"))
            seconds = ((last - first).days + 1) * 86400
            numerator = _rounded(devices * seconds - figures.get("offline_s"))
            denominator = float(devices * seconds)
        else:
            numerator = denominator = None
        value = round(numerator / denominator, 4) if numerator is not None and denominator else None
        return Indicator(
            id=target.id,
            title=target.title,
            target=target.target,
            comparison=target.comparison,
            value=value,
            numerator=numerator,
            denominator=denominator,
            met=_met(value, target),
            source=target.source,
            reading=target.reading,
            note=note,
        )

    def _units_with(
        self, target: Target, unit: AdminUnit, figures: Figures, communes: list[AdminUnit]
    ) -> list[tuple[AdminUnit, int]]:
        """Each unit the indicator counts, with its devices of the indicator's kind."""
        kind, level = _UNITS_WITH[target.id]
        if level is UnitLevel.COMMUNE:
            return [
                (c, figures.devices_in(kind, c.code))
                for c in communes
                if c.type in target.applies_to
            ]
        per_district: dict[str, int] = defaultdict(int)
        for commune in communes:
            if len(commune.ancestors) >= 2:
                per_district[commune.ancestors[1]] += figures.devices_in(kind, commune.code)
        return [
            (d, per_district.get(d.code, 0))
            for d in self._districts(unit, communes)
            if d.type in target.applies_to
        ]

    def _units_with_items(
        self, target: Target, unit: AdminUnit, figures: Figures, communes: list[AdminUnit]
    ) -> list[KpiItem]:
        return [
            KpiItem(code=u.code, name=u.name, numerator=n, counted=n > 0)
            for u, n in self._units_with(target, unit, figures, communes)
        ]

    def _department_items(self, figures: Figures) -> list[KpiItem]:
        known = set(self._plan.departments)
        typed = sorted(
            name.removeprefix("dept@")
            for name in figures.activity
            if name.startswith("dept@") and name.removeprefix("dept@") not in known
        )
        return [
            KpiItem(
                code=name,
                name=name,
                numerator=figures.get(f"dept@{name}"),
                counted=name in known and figures.get(f"dept@{name}") > 0,
            )
            for name in (*self._plan.departments, *typed)
        ]

    def _ratio_items(
        self,
        indicator: str,
        unit: AdminUnit,
        figures: Figures,
        communes: list[AdminUnit],
        first: date,
        last: date,
    ) -> list[KpiItem]:
        top, bottom = RATIOS[indicator]
        depth = len(unit.ancestors) + 1
        children = sorted(
            {(*c.ancestors, c.code)[depth] for c in communes if len((*c.ancestors, c.code)) > depth}
        )
        items = []
        rest_top, rest_bottom = figures.total(top), figures.total(bottom)
        for code in children:
            child = self._units.require(code)
            own = self.figures(code, first, last)
            items.append(
                KpiItem(
                    code=code,
                    name=child.name,
                    numerator=_rounded(own.total(top)),
                    denominator=_rounded(own.total(bottom)),
                )
            )
            rest_top -= own.total(top)
            rest_bottom -= own.total(bottom)
        # What the unit did itself (bulletins it issued, reports it wrote): not in a child.
        items.append(
            KpiItem(
                code=unit.code,
                name=unit.name,
                numerator=_rounded(rest_top),
                denominator=_rounded(rest_bottom),
            )
        )
        return items


def _rounded(value: float) -> float:
    return round(value, 3)


def _met(value: float | None, target: Target) -> bool | None:
    if value is None or target.target is None:
        return None
    return value > target.target if target.comparison == ">" else value >= target.target


def _levels(unit: AdminUnit, communes: list[AdminUnit]) -> int:
    if unit.level is UnitLevel.DISTRICT or any(len(c.ancestors) >= 2 for c in communes):
        return 3
    return 2


def _no_units_note(target: Target, unit: AdminUnit) -> str:
    if _UNITS_WITH[target.id][1] is UnitLevel.DISTRICT:
        return (
            "Không có đơn vị cấp huyện loại này trong địa bàn (danh mục 2 cấp: không còn cấp "
            "huyện) / no district-tier unit of these types in the area (2-level catalogue: "
            "there is no district tier)"
        )
    return f"Không có đơn vị loại {', '.join(target.applies_to)} trong {unit.name}"


def _check_range(first: date, last: date) -> None:
    if last < first:
        raise InvalidInput("range_ends_before_start", start=first.isoformat(), end=last.isoformat())
    if last - first > timedelta(days=MAX_RANGE_DAYS):
        raise InvalidInput("range_too_long", limit=MAX_RANGE_DAYS)
