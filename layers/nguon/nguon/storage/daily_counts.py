"""Per commune and day: plays the devices played and plays the programme asks of them, kept
as they happen so a unit's overview reads counters, never every device's plays nor every
commune's programme.

Key patterns (single table; ``<day>`` is the local date ``YYYY-MM-DD``):

- played: PK ``UNIT#<commune>`` SK ``PLAYED#<day>``, ``plays`` (ADD by telemetry for each new
  proof of play with result ``ok``, after its conditional put: a record delivered twice counts
  once; a function stopped between the two leaves one play uncounted, never one too many);
- planned: PK ``UNIT#<commune>`` SK ``PLANNED#<day>#<kind>``, ``plays`` (put by the fan-out with
  each manifest it builds: that day's items of the commune's programme on the kind's channel).

An overview of a province reads them with batch gets (3 keys a commune).
"""

from collections.abc import Iterable, Mapping
from datetime import date

from pynamodb.attributes import NumberAttribute

from nguon.models.overview import CommuneDay
from nguon.storage.table import TableItem, table_meta

KINDS = ("speaker", "board")


class DayCountItem(TableItem):
    """PK ``UNIT#<commune>``  SK ``PLAYED#<day>`` or ``PLANNED#<day>#<kind>``."""

    Meta = table_meta()
    plays = NumberAttribute(default=0)


class DynamoDailyCounts:
    def add_played(self, counts: Mapping[tuple[str, date], int]) -> None:
        """Add new ``ok`` plays per (commune, day)."""
        for (commune, day), plays in counts.items():
            if plays:
                DayCountItem(pk=f"UNIT#{commune}", sk=f"PLAYED#{day.isoformat()}").update(
                    actions=[DayCountItem.plays.add(plays)]
                )

    def set_planned(self, commune: str, day: date, kind: str, plays: int) -> None:
        DayCountItem(
            pk=f"UNIT#{commune}", sk=f"PLANNED#{day.isoformat()}#{kind}", plays=plays
        ).save()

    def of_day(self, communes: Iterable[str], day: date) -> dict[str, CommuneDay]:
        """The counts of ``day`` for each commune (zeros where nothing was counted)."""
        stamp = day.isoformat()
        codes = list(dict.fromkeys(communes))
        keys = [
            (f"UNIT#{code}", sk)
            for code in codes
            for sk in (f"PLAYED#{stamp}", *(f"PLANNED#{stamp}#{kind}" for kind in KINDS))
        ]
        found = {(item.pk, item.sk): int(item.plays) for item in DayCountItem.batch_get(keys)}
        return {
            code: CommuneDay(
                played=found.get((f"UNIT#{code}", f"PLAYED#{stamp}"), 0),
                planned={
                    kind: found.get((f"UNIT#{code}", f"PLANNED#{stamp}#{kind}"), 0)
                    for kind in KINDS
                },
            )
            for code in codes
        }
