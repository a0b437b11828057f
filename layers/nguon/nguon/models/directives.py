"""Directives (văn bản chỉ đạo): a higher unit instructs units below it, they acknowledge.

```
 open ──close(issuer)──► closed
 per target:  pending ──acknowledge──► acknowledged
                 │ (past the due date)
                 └──► overdue ──(the sweep, once)──► escalated to the target's parent
```

A directive may link bulletins the targets must broadcast ("the storm-preparedness series three
times daily until 20/12"): compliance is measured from proof of play, per target commune and day.
"""

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from nguon.models.bulletins import Actor
from nguon.models.devices import LocalTime
from nguon.models.schedules import Day
from nguon.models.units import UnitCode, UnitLevel

TARGETS_MAX = 30
"""Like a bulletin's: one create stays inside one DynamoDB transaction (1 + 2 per target)."""
ATTACHMENTS_MAX = 10
BULLETINS_MAX = 5
TEXT_MAX = 10_000
DIRECTIVE_ID_PATTERN = r"^d-[0-9a-f]{1,32}$"


def _unique(values: list[str]) -> list[str]:
    if len(set(values)) != len(values):
        raise ValueError("duplicates")
    return values


class DirectiveStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Box(StrEnum):
    """Which directives a listing of a unit shows."""

    RECEIVED = "received"
    """Addressed to the unit itself."""
    ISSUED = "issued"
    """Issued by the unit or a unit below it."""
    BELOW = "below"
    """Addressed to units below the unit: its follow-up, and where overdue ones escalate."""


class LinkedBulletinRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    bulletin_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    plays_per_day: Annotated[int, Field(ge=1, le=24)] = 1
    """How many plays a day each targeted commune owes."""
    until: Day
    """The last day the plays are owed (Vietnam time)."""


class DirectiveRequest(BaseModel):
    """``POST /directives``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=200)]
    text: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TEXT_MAX)
    ]
    due: Day
    """The last day to acknowledge."""
    targets: Annotated[
        list[UnitCode],
        Field(min_length=1, max_length=TARGETS_MAX),
        AfterValidator(_unique),
    ]
    attachments: Annotated[
        list[Annotated[str, StringConstraints(min_length=1, max_length=64)]],
        Field(max_length=ATTACHMENTS_MAX),
        AfterValidator(_unique),
    ] = Field(default_factory=list)
    """Media ids from the media library (uploaded through ``POST /uploads``), ready."""
    bulletins: Annotated[list[LinkedBulletinRequest], Field(max_length=BULLETINS_MAX)] = Field(
        default_factory=list
    )
    issuer_unit: UnitCode | None = None
    """Default: the caller's home unit; else a unit in the caller's area."""


class AcknowledgeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    unit: UnitCode | None = None
    """The target acknowledged; default the caller's home unit."""


class Attachment(BaseModel):
    model_config = ConfigDict(frozen=True)

    media_id: str
    file_name: str
    content_type: str
    size: int


class LinkedBulletin(BaseModel):
    model_config = ConfigDict(frozen=True)

    bulletin_id: str
    title: str
    plays_per_day: int
    until: date


class Target(BaseModel):
    """One unit a directive is addressed to, and where it stands."""

    model_config = ConfigDict(frozen=True)

    unit: UnitCode
    name: str
    level: UnitLevel
    path: list[UnitCode]
    """The unit's ancestors and itself, root first."""
    acknowledged_at: LocalTime | None = None
    acknowledged_by: Actor | None = None
    escalated_at: LocalTime | None = None
    """When the sweep recorded the overdue acknowledgement (once)."""
    escalated_to: UnitCode | None = None
    """The target's parent unit, which sees it among its overdue ones."""
    overdue: bool = False
    """Computed on reading: not acknowledged, open, and past the due date."""


class Directive(BaseModel):
    """What the table keeps of a directive (targets' states are items of their own)."""

    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    text: str
    due: date
    issuer_unit: UnitCode
    issuer_name: str
    issuer_path: list[UnitCode]
    created_at: LocalTime
    created_by: Actor
    attachments: list[Attachment] = Field(default_factory=list)
    bulletins: list[LinkedBulletin] = Field(default_factory=list)
    status: DirectiveStatus = DirectiveStatus.OPEN
    closed_at: LocalTime | None = None
    closed_by: Actor | None = None


class CommuneCompliance(BaseModel):
    code: UnitCode
    name: str
    plays: int
    """Successful plays of the bulletin in the range."""
    days_met: int
    """Complete days (before today) with at least the plays owed."""
    daily: list[int]
    """Plays per day, from the range's first day (today included, still in progress)."""


class TargetCompliance(BaseModel):
    unit: UnitCode
    name: str
    communes: int
    communes_played: int
    """Communes with at least one play in the range."""
    communes_met: int
    """Communes that played the plays owed on every complete day of the range."""
    plays: int
    expected: int
    """Plays owed over the complete days: plays a day × days × communes."""
    by_commune: list[CommuneCompliance]


class BulletinCompliance(BaseModel):
    bulletin_id: str
    title: str
    plays_per_day: int
    start: date = Field(serialization_alias="from")
    end: date = Field(serialization_alias="to")
    """The range measured: from the directive's day to the bulletin's ``until`` or today."""
    days: int
    """Complete days in the range (before today)."""
    targets: list[TargetCompliance]


class DirectiveView(Directive):
    """``GET /directives/{id}``: the directive, each target's state, and compliance."""

    targets: list[Target]
    acknowledged: int
    overdue: int
    compliance: list[BulletinCompliance] = Field(default_factory=list)


class DirectiveSummary(BaseModel):
    """A line of a listing."""

    id: str
    title: str
    issuer_unit: UnitCode
    issuer_name: str
    created_at: LocalTime
    due: date
    status: DirectiveStatus
    targets_total: int
    acknowledged: int
    overdue: int
    """Targets not acknowledged past the due date (0 once closed)."""
    targets: list[Target] = Field(default_factory=list)
    """The targets the listing is about (received: the unit; below: those under it);
    empty for ``issued``."""


class DirectiveList(BaseModel):
    items: list[DirectiveSummary]
