"""When a bulletin plays: once, daily, weekly or monthly, within a date range.

The times of a ``priority`` or ``emergency`` bulletin are the issuer's times; for a ``normal``
bulletin each time asks for one play that day and the commune decides where it goes.
"""

from datetime import date, datetime, time, timedelta
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from nguon.clock import localize

MAX_TIMES_PER_DAY = 24
MAX_RANGE_DAYS = 366
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2099, 12, 31)
"""Days the system takes (schedules, validity, queries): past them, local and UTC arithmetic
would leave what ``datetime`` can hold (year 1, year 9999)."""
TIME_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d$"

ClockTime = Annotated[
    str, StringConstraints(pattern=TIME_PATTERN), Field(examples=["06:00", "17:15"])
]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


_SLACK = timedelta(days=2)  # more than any UTC offset moves a day


def _in_service(day: date) -> None:
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise PydanticCustomError(
            "date_out_of_range",
            "{value} is outside {earliest} … {latest}",
            {
                "value": day.isoformat(),
                "earliest": EARLIEST_DAY.isoformat(),
                "latest": LATEST_DAY.isoformat(),
            },
        )


def _day_in_service(day: date) -> date:
    _in_service(day)
    return day


def _moment_in_service(moment: datetime) -> datetime:
    # Far outside first: localizing year 1 or 9999 would overflow. Then the local day, which
    # is what is stored: a time checked as given could turn into 1999 once localized, and
    # fail when the stored bulletin is read back.
    if not EARLIEST_DAY - _SLACK <= moment.date() <= LATEST_DAY + _SLACK:
        _in_service(moment.date())
    _in_service(localize(moment).date())
    return moment


DAYS_NOTE = f"{EARLIEST_DAY.isoformat()} … {LATEST_DAY.isoformat()} (giờ Việt Nam / Vietnam time)"
# JSON Schema has no minimum for dates: the document states the range as a pattern on top of
# the format (2000–2099), so clients and generators know it.
_IN_RANGE = {"pattern": r"^20\d\d-"}
Day = Annotated[date, AfterValidator(_day_in_service), Field(json_schema_extra=_IN_RANGE)]
Moment = Annotated[datetime, AfterValidator(_moment_in_service), Field(json_schema_extra=_IN_RANGE)]
"""Input dates and times: checked before any arithmetic on them (localize, to UTC, +1 day)."""


def _tag_required(schema: dict) -> None:
    """The ``type`` tag has a default in Python but selects the variant: clients must send it."""
    required = schema.setdefault("required", [])
    if "type" not in required:
        required.insert(0, "type")


def _sorted_unique(values: list) -> list:
    return sorted(set(values))


def parse_clock(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


Times = Annotated[
    list[ClockTime],
    Field(min_length=1, max_length=MAX_TIMES_PER_DAY),
    AfterValidator(_sorted_unique),
]


class _Schedule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra=_tag_required)

    def occurrences_on(self, day: date) -> list[datetime]:
        """The local start times this schedule asks for on ``day``, in order."""
        raise NotImplementedError

    def first_day(self) -> date:
        raise NotImplementedError

    def last_day(self) -> date:
        raise NotImplementedError


class OnceSchedule(_Schedule):
    type: Literal["once"] = "once"
    at: Moment = Field(description=f"ISO-8601, {DAYS_NOTE}")
    """ISO-8601; without an offset it is local time (Asia/Ho_Chi_Minh)."""

    @field_validator("at")
    @classmethod
    def _local(cls, at: datetime) -> datetime:
        return localize(at)

    def occurrences_on(self, day: date) -> list[datetime]:
        return [self.at] if self.at.date() == day else []

    def first_day(self) -> date:
        return self.at.date()

    def last_day(self) -> date:
        return self.at.date()


class _RangeSchedule(_Schedule):
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        populate_by_name=True,
        json_schema_extra=_tag_required,
    )

    times: Times
    from_: Day = Field(alias="from", description=f"YYYY-MM-DD, {DAYS_NOTE}")
    until: Day = Field(
        description=f"YYYY-MM-DD, from … from + {MAX_RANGE_DAYS - 1} ngày / days, {DAYS_NOTE}"
    )

    @model_validator(mode="after")
    def _range(self) -> "_RangeSchedule":
        if self.until < self.from_:
            raise PydanticCustomError(
                "schedule_ends_before_start",
                "the schedule ends ({until}) before it starts ({start})",
                {"until": self.until.isoformat(), "start": self.from_.isoformat()},
            )
        if (self.until - self.from_).days >= MAX_RANGE_DAYS:
            raise PydanticCustomError(
                "schedule_too_long",
                "a schedule covers at most {limit} days",
                {"limit": MAX_RANGE_DAYS},
            )
        return self

    def plays_on(self, day: date) -> bool:
        raise NotImplementedError

    def occurrences_on(self, day: date) -> list[datetime]:
        if not (self.from_ <= day <= self.until and self.plays_on(day)):
            return []
        return [localize(datetime.combine(day, parse_clock(at))) for at in self.times]

    def first_day(self) -> date:
        return self.from_

    def last_day(self) -> date:
        return self.until


class DailySchedule(_RangeSchedule):
    type: Literal["daily"] = "daily"

    def plays_on(self, day: date) -> bool:
        return True


class WeeklySchedule(_RangeSchedule):
    type: Literal["weekly"] = "weekly"
    days: Annotated[list[Weekday], Field(min_length=1), AfterValidator(_sorted_unique)]

    def plays_on(self, day: date) -> bool:
        return WEEKDAYS[day.weekday()] in self.days


class MonthlySchedule(_RangeSchedule):
    type: Literal["monthly"] = "monthly"
    days_of_month: Annotated[
        list[Annotated[int, Field(ge=1, le=31)]],
        Field(min_length=1),
        AfterValidator(_sorted_unique),
    ]
    """A day the month does not have (31 in April) is skipped that month."""

    def plays_on(self, day: date) -> bool:
        return day.day in self.days_of_month


Schedule = Annotated[
    OnceSchedule | DailySchedule | WeeklySchedule | MonthlySchedule, Field(discriminator="type")
]


class Repeat(BaseModel):
    """An emergency (or priority) item replayed: ``count`` plays in all, ``interval_min`` apart."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    count: int = Field(ge=1, le=10)
    interval_min: int = Field(ge=1, le=180)

    def starts_from(self, first: datetime) -> list[datetime]:
        step = timedelta(minutes=self.interval_min)
        return [first + step * index for index in range(self.count)]
