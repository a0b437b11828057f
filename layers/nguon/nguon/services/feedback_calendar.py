"""Working days for feedback time limits: Monday to Friday, less Vietnam's public holidays.

The holidays are data (``nguon/data/vn-public-holidays.json``), edited when the Government
announces a year's days off (Tết and the substitute days move every year). A limit of ``n``
working days ends at the end of the ``n``-th working day after the day the report arrived, in
local time: a report on Friday afternoon is due to be acknowledged by the end of Monday, one on
Saturday too.
"""

import json
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from importlib import resources

from nguon.clock import localize

HOLIDAYS_FILE = "vn-public-holidays.json"


class WorkingCalendar:
    def __init__(self, holidays: Mapping[date, str]) -> None:
        self._holidays = dict(holidays)

    @classmethod
    def bundled(cls) -> "WorkingCalendar":
        return _bundled()

    @property
    def holidays(self) -> Mapping[date, str]:
        return self._holidays

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self._holidays

    def nth_working_day_after(self, day: date, n: int) -> date:
        """The ``n``-th working day after ``day`` (``day`` itself not counted)."""
        found = 0
        while found < n:
            day += timedelta(days=1)
            if self.is_working_day(day):
                found += 1
        return day

    def due(self, received: datetime, working_days: int) -> datetime:
        """The end (local time) of the ``working_days``-th working day after ``received``."""
        last = self.nth_working_day_after(localize(received).date(), working_days)
        return localize(datetime.combine(last, time(23, 59, 59)))


@lru_cache(maxsize=1)
def _bundled() -> WorkingCalendar:
    text = resources.files("nguon.data").joinpath(HOLIDAYS_FILE).read_text(encoding="utf-8")
    days = json.loads(text)["days"]
    return WorkingCalendar({date.fromisoformat(day): name for day, name in days.items()})
