"""The provincial plan's targets and the province's departments, as data
(``nguon/data/plan-targets.json``, each target with its line and quote from the plan).

How the 2-level structure changes a target's reading (the file's ``two_level_note``): the
hierarchy is data (``nguon.services.unit_catalogue`` loads a 3-level or a 2-level catalogue),
so the KPIs count what the catalogue holds. A commune target (``unit_level: commune``) counts
every commune-tier unit whose official type it names (``applies_to``): in a 2-level catalogue
there are no townships (thị trấn), so "wards and townships" is the wards. A district target
counts the district-tier units of the types it names: a 2-level catalogue has none, so the
indicator answers denominator 0 and value ``null`` with a note instead of a made-up figure.
Department and activity targets do not depend on the tiers.
"""

import json
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

PLAN_TARGETS = "plan-targets.json"


@dataclass(frozen=True)
class Target:
    id: str
    title: str
    target: float | None
    comparison: str
    unit_level: str
    source: str
    reading: str
    applies_to: tuple[str, ...] = ()
    not_measured: bool = False


@dataclass(frozen=True)
class Plan:
    source: str
    two_level_note: str
    targets: tuple[Target, ...]
    departments: tuple[str, ...]

    def target(self, target_id: str) -> Target | None:
        return next((t for t in self.targets if t.id == target_id), None)

    def department(self, name: str | None) -> str | None:
        """The department's name as the list spells it; the name as typed (tidied) when the
        list does not know it; None for no department."""
        if not name or not name.strip():
            return None
        wanted = _folded(name)
        for known in self.departments:
            if _folded(known) == wanted:
                return known
        return " ".join(name.split())


def _folded(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


@cache
def load_plan(name: str = PLAN_TARGETS) -> Plan:
    text = resources.files("nguon.data").joinpath(name).read_text(encoding="utf-8")
    document: dict[str, Any] = json.loads(text)
    return Plan(
        source=document["source"],
        two_level_note=document["two_level_note"],
        targets=tuple(
            Target(
                id=t["id"],
                title=t["title"],
                target=t["target"],
                comparison=t["comparison"],
                unit_level=t["unit_level"],
                source=t["source"],
                reading=t["reading"],
                applies_to=tuple(t.get("applies_to", ())),
                not_measured=bool(t.get("not_measured", False)),
            )
            for t in document["targets"]
        ),
        departments=tuple(document["departments"]),
    )
