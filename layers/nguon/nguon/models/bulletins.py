"""The bulletin (bản tin): what is said, to whom, on which channels, when; and its history.

Limits people meet (also in the README):
- title ≤ 200 characters; body ≤ 10,000 characters (≈ 12 minutes read aloud), and ≤ 2,000 when
  the bulletin goes to boards (a scrolling LED line shows about 5 characters a second);
- at most 30 targets (choose the district or the province to reach more);
- repeats: 1–10 plays, 1–180 minutes apart, for priority and emergency bulletins;
- at most 5 other-language variants, and the title, body and variants together at most
  160,000 bytes of UTF-8 (an edit's audit record holds the text twice, and a DynamoDB item
  is at most 400 KB);
- at most 20 media items.
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from nguon.clock import localize
from nguon.models.central import OutboxItem
from nguon.models.principal import Principal
from nguon.models.schedules import Moment, Repeat, Schedule
from nguon.models.units import UnitCode, UnitLevel

TITLE_MAX = 200
BODY_MAX = 10_000
BOARD_BODY_MAX = 2_000
TARGETS_MAX = 30
CAP_EVENT_MAX = 200
CAP_INSTRUCTION_MAX = 2_000
VARIANTS_MAX = 5
MEDIA_MAX = 20
CONTENT_BYTES_MAX = 160_000
"""UTF-8 bytes of the title, body and variants together: the audit record of an edit keeps the
old and new text in one item, and a DynamoDB item holds at most 400 KB."""
SYLLABLES_PER_SECOND = 3.0
"""Announcers and Vietnamese TTS read about 180 syllables a minute."""
LEAD_IN_SECONDS = 3
"""The chime before a bulletin."""


class Category(StrEnum):
    POLICY = "policy"
    DISASTER = "disaster"
    HEALTH = "health"
    SECURITY = "security"
    AGRICULTURE = "agriculture"
    CULTURE = "culture"
    OTHER = "other"


class Priority(StrEnum):
    NORMAL = "normal"
    """The commune decides when it plays."""
    PRIORITY = "priority"
    """Plays at the issuer's time, ahead of normal items."""
    EMERGENCY = "emergency"
    """Plays at once, pre-empting everything."""


class Channel(StrEnum):
    SPEAKER = "speaker"
    BOARD = "board"
    WEB = "web"


class Status(StrEnum):
    DRAFT = "draft"
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    """Shown, never stored: an approved bulletin whose validity has ended."""


EDITABLE = frozenset({Status.DRAFT, Status.REJECTED})


def _cap_word(allowed: tuple[str, ...]) -> Any:
    """CAP's values are capitalised words; accept any case and store CAP's spelling."""

    def normalise(value: object) -> object:
        if isinstance(value, str):
            for word in allowed:
                if word.lower() == value.strip().lower():
                    return word
        return value

    return BeforeValidator(normalise)


# CAP 1.2's words, written once as types; the tuples (for messages and matching) come from them.
CapCategoryWord = Literal[
    "Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env", "Transport", "Infra",
    "CBRNE", "Other",
]  # fmt: skip
CapUrgencyWord = Literal["Immediate", "Expected", "Future", "Past", "Unknown"]
CapSeverityWord = Literal["Extreme", "Severe", "Moderate", "Minor", "Unknown"]
CapCertaintyWord = Literal["Observed", "Likely", "Possible", "Unlikely", "Unknown"]
CAP_CATEGORIES: tuple[str, ...] = get_args(CapCategoryWord)
CAP_URGENCIES: tuple[str, ...] = get_args(CapUrgencyWord)
CAP_SEVERITIES: tuple[str, ...] = get_args(CapSeverityWord)
CAP_CERTAINTIES: tuple[str, ...] = get_args(CapCertaintyWord)

CapCategory = Annotated[CapCategoryWord, _cap_word(CAP_CATEGORIES)]
CapUrgency = Annotated[CapUrgencyWord, _cap_word(CAP_URGENCIES)]
CapSeverity = Annotated[CapSeverityWord, _cap_word(CAP_SEVERITIES)]
CapCertainty = Annotated[CapCertaintyWord, _cap_word(CAP_CERTAINTIES)]

CAP_CATEGORY_OF: dict[Category, str] = {
    Category.POLICY: "Other",
    Category.DISASTER: "Met",
    Category.HEALTH: "Health",
    Category.SECURITY: "Security",
    Category.AGRICULTURE: "Env",
    Category.CULTURE: "Other",
    Category.OTHER: "Other",
}


class CapInfo(BaseModel):
    """The CAP 1.2 ``info`` fields an emergency carries; the area is the bulletin's targets."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    event: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=CAP_EVENT_MAX)
    ]
    category: CapCategory | None = None
    """Defaults from the bulletin's category."""
    urgency: CapUrgency = "Immediate"
    severity: CapSeverity = "Severe"
    certainty: CapCertainty = "Likely"
    instruction: Annotated[str, StringConstraints(max_length=CAP_INSTRUCTION_MAX)] | None = None
    expires: Moment | None = None
    """Defaults to the end of the bulletin's validity."""

    @field_validator("expires")
    @classmethod
    def _local(cls, expires: datetime | None) -> datetime | None:
        return localize(expires) if expires else None


Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_MAX)]
Body = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=BODY_MAX)]
Department = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class Variant(BaseModel):
    """The bulletin in another language (ethnic minority languages, English for visitors)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: Title
    body: Body


def _unique(values: list) -> list:
    seen: list = []
    for value in values:
        if value not in seen:
            seen.append(value)
    return seen


Targets = Annotated[
    list[UnitCode], Field(min_length=1, max_length=TARGETS_MAX), AfterValidator(_unique)
]
Channels = Annotated[list[Channel], Field(min_length=1), AfterValidator(_unique)]
LanguageTag = Annotated[
    str, StringConstraints(max_length=35, pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
]
Variants = Annotated[
    dict[LanguageTag, Variant],
    # Without additionalProperties the schema would allow keys the pattern refuses.
    Field(max_length=VARIANTS_MAX, json_schema_extra={"additionalProperties": False}),
]
MediaIds = Annotated[
    list[Annotated[str, StringConstraints(min_length=1, max_length=64)]],
    Field(max_length=MEDIA_MAX),
]


def content_bytes(title: str, body: str, variants: dict[str, Variant]) -> int:
    """UTF-8 bytes of a bulletin's text in all its languages."""
    texts = [title, body, *(part for v in variants.values() for part in (v.title, v.body))]
    return sum(len(text.encode()) for text in texts) + sum(len(tag) for tag in variants)


class BulletinContent(BaseModel):
    """Everything an author writes; ``POST /bulletins`` takes it, ``PATCH`` changes parts of it."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    title: Title
    body: Body
    category: Category
    priority: Priority = Priority.NORMAL
    targets: Targets
    channels: Channels = Field(default_factory=lambda: [Channel.SPEAKER])
    schedule: Schedule
    repeat: Repeat | None = None
    cap: CapInfo | None = None
    valid_from: Moment | None = None
    """Not played before; defaults to the schedule's start."""
    valid_until: Moment | None = None
    """Not played from then on; defaults to the schedule's end (and a CAP ``expires``)."""
    issuer_unit: UnitCode | None = None
    """The issuing unit; defaults to the author's home unit."""
    department: Department | None = None
    """The issuing department (sở, ngành) when a provider writes."""
    duration_s: int | None = Field(default=None, ge=1, le=3 * 3600)
    """Expected length on air; estimated from the body when not given (audio sets it later)."""
    media: MediaIds = Field(default_factory=list)
    language: LanguageTag = "vi"
    variants: Variants = Field(default_factory=dict)

    @field_validator("valid_from", "valid_until")
    @classmethod
    def _local(cls, moment: datetime | None) -> datetime | None:
        return localize(moment) if moment else None

    @model_validator(mode="after")
    def _rules(self) -> "BulletinContent":
        size = content_bytes(self.title, self.body, self.variants)
        if size > CONTENT_BYTES_MAX:
            raise PydanticCustomError(
                "content_too_large",
                "the text in all languages is {size} bytes; at most {limit}",
                {"size": size, "limit": CONTENT_BYTES_MAX},
            )
        if Channel.BOARD in self.channels and len(self.body) > BOARD_BODY_MAX:
            raise PydanticCustomError(
                "body_too_long_for_board",
                "a bulletin for boards has at most {limit} characters; this one has {length}",
                {"limit": BOARD_BODY_MAX, "length": len(self.body)},
            )
        if self.cap is not None and self.priority is not Priority.EMERGENCY:
            raise PydanticCustomError("cap_only_for_emergency", "only an emergency carries CAP")
        if self.repeat is not None and self.priority is Priority.NORMAL:
            raise PydanticCustomError(
                "repeat_not_for_normal", "a normal bulletin's plays are placed by the commune"
            )
        start, end = self.validity()
        if end <= start:
            raise PydanticCustomError(
                "validity_ends_before_start",
                "the bulletin stops being valid ({until}) before it starts ({start})",
                {"until": end.isoformat(), "start": start.isoformat()},
            )
        return self

    def validity(self) -> tuple[datetime, datetime]:
        """When the bulletin may play: [start, end), local time."""
        start = self.valid_from or localize(
            datetime.combine(self.schedule.first_day(), datetime.min.time())
        )
        if self.valid_until:
            end = self.valid_until
        else:
            end = localize(datetime.combine(self.schedule.last_day(), datetime.min.time()))
            end += timedelta(days=1)
        if self.cap and self.cap.expires:
            end = min(end, self.cap.expires)
        return start, end

    def duration_on_air(self) -> int:
        """Expected seconds on air: the given or measured length, else an estimate."""
        return self.duration_s or estimate_duration_s(self.body)


def estimate_duration_s(text: str) -> int:
    """Seconds to read ``text`` aloud: Vietnamese writes one syllable per word."""
    return LEAD_IN_SECONDS + math.ceil(len(text.split()) / SYLLABLES_PER_SECOND)


class BulletinPatch(BaseModel):
    """``PATCH /bulletins/{id}``: the version read, and the fields to change."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    version: int = Field(ge=1)
    title: Title | None = None
    body: Body | None = None
    category: Category | None = None
    priority: Priority | None = None
    targets: Targets | None = None
    channels: Channels | None = None
    schedule: Schedule | None = None
    repeat: Repeat | None = None
    cap: CapInfo | None = None
    valid_from: Moment | None = None
    valid_until: Moment | None = None
    department: Department | None = None
    duration_s: int | None = Field(default=None, ge=1, le=3 * 3600)
    media: MediaIds | None = None
    language: LanguageTag | None = None
    variants: Variants | None = None

    def changes(self) -> dict[str, Any]:
        """The fields the client sent (``null`` clears an optional one)."""
        return {name: getattr(self, name) for name in self.model_fields_set if name != "version"}


class Actor(BaseModel):
    """Who did something, as the record keeps it (the principal at that moment)."""

    model_config = ConfigDict(frozen=True)

    user_id: str
    username: str
    unit: UnitCode

    @classmethod
    def of(cls, principal: Principal) -> "Actor":
        return cls(user_id=principal.user_id, username=principal.username, unit=principal.home_unit)


class Decision(BaseModel):
    """A rejection or a withdrawal: who, when, why."""

    model_config = ConfigDict(frozen=True)

    by: Actor
    at: datetime
    reason: str


class Bulletin(BulletinContent):
    """A bulletin as stored and served."""

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    id: str
    status: Status
    version: int
    issuer_unit: UnitCode  # always set once created (a draft may leave it out)
    layer: UnitLevel
    """The tier of the issuing unit: province, district or commune."""
    author: Actor
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None = None
    approved_by: Actor | None = None
    approved_at: datetime | None = None
    rejection: Decision | None = None
    withdrawal: Decision | None = None
    supersedes: str | None = None
    superseded_by: str | None = None
    cap_identifier: str | None = None
    """The CAP ``identifier`` it was imported from or is exported as."""
    voice_media: dict[str, str] = Field(default_factory=dict)
    """Generated speech, once ready: voice id → media id (one per voice its areas use)."""

    def status_at(self, moment: datetime) -> Status:
        """The status people see: an approved bulletin past its validity has expired."""
        if self.status is Status.APPROVED and moment >= self.validity()[1]:
            return Status.EXPIRED
        return self.status

    def content(self) -> BulletinContent:
        return BulletinContent.model_validate(
            self.model_dump(include=set(BulletinContent.model_fields), by_alias=True)
        )


class BulletinView(Bulletin):
    """What the API answers: the bulletin with its effective window and length."""

    effective_from: datetime
    effective_until: datetime
    expected_duration_s: int
    on_air: bool = False
    """Approved and inside its validity now: devices may be playing it."""


class Reason(BaseModel):
    """``/reject`` and ``/withdraw`` bodies."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=1_000)]


class AuditAction(StrEnum):
    CREATED = "created"
    IMPORTED = "imported"
    UPDATED = "updated"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    SUPERSEDED = "superseded"
    VOICED = "voiced"
    """The system attached generated speech (no status change)."""


class AuditEvent(BaseModel):
    """One entry of a bulletin's history; never changed once written."""

    model_config = ConfigDict(frozen=True)

    bulletin_id: str
    seq: int
    at: datetime
    actor: Actor
    action: AuditAction
    from_status: Status | None
    to_status: Status
    version: int
    changes: dict[str, dict[str, Any]] = Field(default_factory=dict)
    """For edits: ``{field: {"from": old, "to": new}}``."""
    reason: str | None = None


class BulletinPage(BaseModel):
    items: list[BulletinView]
    next: str | None = None
    """Pass as ``next`` for the following page; absent on the last one."""


@dataclass(frozen=True)
class Change:
    """One bulletin's new state, the version it must still have, and the event that says why."""

    bulletin: Bulletin
    expected_version: int | None
    """``None``: the bulletin must not exist yet."""
    event: AuditEvent
    previous: Bulletin | None = None
    index: frozenset[str] = frozenset()
    """The units whose lists show the bulletin now: issuer, targets and their ancestors."""
    previous_index: frozenset[str] = frozenset()
    outbox: OutboxItem | None = None
    """What the step sends to the national system (a province bulletin approved), written in
    the step's own transaction."""
