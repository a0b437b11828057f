"""A unit's programme for one day (lịch phát): what plays when, and what could not be placed."""

from datetime import date, datetime
from enum import StrEnum
from itertools import pairwise
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from nguon.models.bulletins import Priority
from nguon.models.schedules import ClockTime, parse_clock
from nguon.models.units import UnitCode, UnitLevel


class BroadcastWindow(BaseModel):
    """A stretch of the day where a unit plays its normal items (giờ phát thường lệ)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    start: ClockTime
    end: ClockTime = Field(description="HH:MM, sau / after start")

    @model_validator(mode="after")
    def _ordered(self) -> "BroadcastWindow":
        if parse_clock(self.end) <= parse_clock(self.start):
            raise PydanticCustomError(
                "window_ends_before_start",
                "the window ends ({end}) before it starts ({start})",
                {"end": self.end, "start": self.start},
            )
        return self


DEFAULT_WINDOWS = (
    BroadcastWindow(start="06:00", end="06:30"),
    BroadcastWindow(start="17:00", end="17:30"),
)


class ProgrammeSettings(BaseModel):
    """How a unit plays its day (``PUT /units/{code}/programme/settings``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    windows: Annotated[list[BroadcastWindow], Field(max_length=12)] = Field(
        default_factory=lambda: list(DEFAULT_WINDOWS)
    )
    after_interruption: Literal["restart", "resume"] = "restart"
    """What an item cut by an emergency does afterwards. Speech restarts by default: listeners
    who heard half a sentence before the siren need the whole bulletin again."""

    @field_validator("windows")
    @classmethod
    def _disjoint(cls, windows: list[BroadcastWindow]) -> list[BroadcastWindow]:
        ordered = sorted(windows, key=lambda window: window.start)
        for before, after in pairwise(ordered):
            if parse_clock(after.start) < parse_clock(before.end):
                raise PydanticCustomError(
                    "windows_overlap",
                    "windows {first} and {second} overlap",
                    {"first": before.start, "second": after.start},
                )
        return ordered


class OrderEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    bulletin_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    start: ClockTime | None = None
    """Only for normal items: play at this time. Without it the entry only sets the order."""


class ProgrammeOrder(BaseModel):
    """``PUT /units/{code}/programme?date=``: the commune's order of its day's items.

    The list order decides which normal item goes first in a window and which priority item
    plays first when two clash; entries with ``start`` place a normal item at that time (one
    entry per play).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    items: Annotated[list[OrderEntry], Field(max_length=500)]
    version: int | None = Field(default=None, ge=0)
    """The version read with ``GET``; a stale one is refused (409). Omit to overwrite."""


class Placement(StrEnum):
    ISSUER_TIME = "issuer_time"
    """Priority and emergency: at the time the issuer set (later only if something else plays)."""
    UNIT_PLACED = "unit_placed"
    """Normal: where the commune put it."""
    DEFAULT_WINDOW = "default_window"
    """Normal: in the commune's broadcast window, in the commune's order."""
    RESUMED = "resumed"
    RESTARTED = "restarted"


class ProgrammeItem(BaseModel):
    start: datetime
    end: datetime
    duration_s: int
    bulletin_id: str
    title: str
    priority: Priority
    layer: UnitLevel
    """The tier that decided the time: the issuer's for priority and emergency items, the
    unit's own for normal items."""
    placement: Placement
    requested_start: datetime
    delayed_s: int = 0
    interrupted: bool = False
    """Cut by an emergency; the rest follows as a ``resumed`` or ``restarted`` item."""
    play: int = 1
    """Which play of the bulletin this day (repeats, several times a day)."""


class NotPlacedReason(StrEnum):
    NO_ROOM_IN_WINDOWS = "no_room_in_windows"
    NO_TIME_LEFT_IN_DAY = "no_time_left_in_day"
    OUTSIDE_VALIDITY = "outside_validity"


class NotPlaced(BaseModel):
    bulletin_id: str
    title: str
    priority: Priority
    reason: NotPlacedReason
    requested_start: datetime | None = None
    message: str | None = None
    """The reason for people, in the request's language (set by the API)."""


class Programme(BaseModel):
    unit: UnitCode
    date: date
    timezone: str
    items: list[ProgrammeItem]
    not_placed: list[NotPlaced]
    windows: list[BroadcastWindow]
    order_version: int = 0
