"""Citizens' feedback (phản ánh, kiến nghị) and questions (hỏi đáp): what is reported, where, to
whom it goes, how it is handled, and what the public may see of it.

Limits people meet (also in the README):
- description ≤ 4,000 characters; a public or private answer ≤ 4,000; a note ≤ 2,000;
- address ≤ 300 characters; a name ≤ 100; a phone 8–15 digits; an e-mail ≤ 254 characters;
- the services list: 1–50 categories, each answered within 1–60 working days.

The contact (name, phone, e-mail) is never part of :class:`Feedback`: it is stored apart
(:class:`Contact`), and no public view has a field for it.
"""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from nguon.models.bulletins import Actor
from nguon.models.units import UnitCode

DESCRIPTION_MAX = 4_000
ANSWER_MAX = 4_000
NOTE_MAX = 2_000
ADDRESS_MAX = 300
NAME_MAX = 100
CATEGORIES_MAX = 50
REOPEN_DAYS = 7
"""A citizen may reopen a resolved report within this many (calendar) days of its resolution."""
DUPLICATE_RADIUS_M = 50.0
DUPLICATE_DAYS = 7

CategoryCode = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,39}$")]
TrackingCode = Annotated[str, StringConstraints(pattern=r"^PA-[0-9A-Z]{10}$")]
"""A report's id is its tracking code (``PA-`` + 10 Crockford base32 characters): also the
Open311 ``service_request_id``."""
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9 .-]{8,20}$")]
Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, max_length=254, pattern=r"^[^@\s]{1,64}@[^@\s]+\.\w+$"
    ),
]


class FeedbackKind(StrEnum):
    REPORT = "report"
    """Phản ánh: a problem someone must fix or answer."""
    QUESTION = "question"
    """Hỏi đáp: a question; answered ones the staff mark public join the unit's Q&A."""


class FeedbackStatus(StrEnum):
    RECEIVED = "received"
    ACKNOWLEDGED = "acknowledged"
    ANSWERED = "answered"
    RESOLVED = "resolved"
    REOPENED = "reopened"


OPEN_STATUSES = frozenset(
    {FeedbackStatus.RECEIVED, FeedbackStatus.ACKNOWLEDGED, FeedbackStatus.REOPENED}
)
"""Still waiting for an answer."""


class Channel(StrEnum):
    WEB = "web"
    OPEN311 = "open311"
    PHONE = "phone"
    MEETING = "meeting"


class FeedbackAction(StrEnum):
    SUBMITTED = "submitted"
    ACKNOWLEDGED = "acknowledged"
    ASSIGNED = "assigned"
    ANSWERED = "answered"
    RESOLVED = "resolved"
    REOPENED = "reopened"
    NOTED = "noted"
    PUBLISHED = "published"


class Category(BaseModel):
    """One entry of the services list (Open311 ``service``), editable by the province."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: CategoryCode
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    description: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] = ""
    group: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] = ""
    keywords: Annotated[
        list[Annotated[str, StringConstraints(max_length=40)]], Field(max_length=10)
    ] = []
    answer_days: Annotated[int, Field(ge=1, le=60)] = 10
    """Working days to answer (the acknowledgement is due within one working day)."""
    department: Annotated[str, StringConstraints(max_length=200)] | None = None
    """The province department (sở, ngành) that usually answers, when not the commune."""


class Categories(BaseModel):
    """The whole services list: ``PUT /feedback/services`` replaces it."""

    model_config = ConfigDict(extra="forbid")

    items: Annotated[list[Category], Field(min_length=1, max_length=CATEGORIES_MAX)]

    @model_validator(mode="after")
    def _unique(self) -> "Categories":
        codes = [category.code for category in self.items]
        if len(set(codes)) != len(codes):
            raise ValueError("category codes must be unique")
        return self

    def get(self, code: str) -> Category | None:
        return next((category for category in self.items if category.code == code), None)


class GeoPoint(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    lat: Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
    lon: Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]


class Contact(BaseModel):
    """Who to answer privately. Personal data: stored apart, never in a public view or a log."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=NAME_MAX)] | None = (
        None
    )
    phone: Phone | None = None
    email: Email | None = None

    def empty(self) -> bool:
        return not (self.name or self.phone or self.email)

    def key(self) -> str | None:
        """What limits count per contact: the phone's digits, else the e-mail, lowercased."""
        if self.phone:
            return "tel:" + "".join(c for c in self.phone if c.isdigit())[-9:]
        if self.email:
            return "mail:" + self.email.lower()
        return None


class Submission(BaseModel):
    """What a citizen (or staff on their behalf) sends: the form, Open311 or the staff API."""

    model_config = ConfigDict(extra="forbid")

    kind: FeedbackKind = FeedbackKind.REPORT
    category: CategoryCode
    description: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=5, max_length=DESCRIPTION_MAX)
    ]
    unit: UnitCode | None = None
    """The commune (or district) the citizen names; with a point, it must lie in the point's
    district."""
    point: GeoPoint | None = None
    address: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=ADDRESS_MAX)] | None
    ) = None
    contact: Contact | None = None
    consent: bool = False
    """The citizen agrees the report is handled (and, without contact, that no answer reaches
    them but the public one). Refused without it."""


class StaffSubmission(Submission):
    """A phone call or a meeting entered by staff on a citizen's behalf."""

    channel: Channel = Channel.PHONE


class Note(BaseModel):
    model_config = ConfigDict(frozen=True)

    at: datetime
    actor: Actor
    text: str


class Feedback(BaseModel):
    """One report or question, as staff see it (the contact apart)."""

    id: TrackingCode
    kind: FeedbackKind
    category: CategoryCode
    description: str
    channel: Channel
    status: FeedbackStatus
    unit: UnitCode
    """Who must answer: the commune of the location (or the district a point fell in, or the
    unit it was assigned to)."""
    unit_path: str
    """``52/540/21550``: the unit's ancestors and itself, for subtree queries."""
    located_unit: UnitCode
    """Where the citizen placed it (the routing's input; assignment leaves it)."""
    department: str | None = None
    """A province department it was assigned to (the unit is then the province)."""
    point: GeoPoint | None = None
    address: str | None = None
    received_at: datetime
    acknowledge_due: datetime
    answer_due: datetime
    acknowledged_at: datetime | None = None
    answered_at: datetime | None = None
    resolved_at: datetime | None = None
    reopened_at: datetime | None = None
    public_answer: str | None = None
    private_answer: str | None = None
    """Sent to the contact; never public."""
    public: bool = False
    """A question the staff published in the unit's Q&A."""
    has_contact: bool = False
    notes: list[Note] = []
    version: int = 1
    seq: int = 1
    """The number of history events written."""
    reopen_key_hash: str | None = None
    """SHA-256 of the key the citizen got at submission (reopening asks for it)."""


class FeedbackEvent(BaseModel):
    """One step of a report's history; never changed once written."""

    model_config = ConfigDict(frozen=True)

    feedback_id: str
    seq: int
    at: datetime
    actor: Actor | None
    """``None``: the citizen."""
    action: FeedbackAction
    from_status: FeedbackStatus | None
    to_status: FeedbackStatus
    details: dict[str, Any] = {}


class FeedbackView(BaseModel):
    """What staff read: the report, its deadlines as of now, escalation and likely duplicates."""

    report: Feedback
    overdue: bool
    acknowledged_in_time: bool | None
    answered_in_time: bool | None
    escalated_to: UnitCode | None
    """The parent unit an overdue report shows up to, in its queue."""
    duplicates: list[str] = []
    """Likely duplicates (same category, within 50 m, last 7 days): suggested, never merged."""
    contact: Contact | None = None
    """Only on ``GET /feedback/{id}`` for staff in scope."""


class FeedbackPage(BaseModel):
    items: list[FeedbackView]


class PublicFeedback(BaseModel):
    """The tracking page: what anyone with the code sees. No contact, no private answer, no
    internal note; phone numbers and e-mails in the text masked; a point rounded."""

    tracking_code: str
    kind: FeedbackKind
    category: str
    category_name: str
    description: str
    status: FeedbackStatus
    unit: UnitCode
    unit_name: str
    received_at: datetime
    acknowledged_at: datetime | None
    answered_at: datetime | None
    resolved_at: datetime | None
    answer: str | None
    address: str | None
    point: GeoPoint | None
    reopen_until: datetime | None
    """While set, the citizen may reopen it (with the key they got)."""


class Receipt(BaseModel):
    """What the citizen gets back: the tracking code, and the key that lets them reopen."""

    tracking_code: str
    reopen_key: str
    status: FeedbackStatus
    acknowledge_due: datetime
    answer_due: datetime


class Acknowledge(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int


class Assign(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int
    unit: UnitCode | None = None
    department: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
        | None
    ) = None

    @model_validator(mode="after")
    def _one(self) -> "Assign":
        if (self.unit is None) == (self.department is None):
            raise ValueError("give a unit or a department")
        return self


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int
    public_answer: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=ANSWER_MAX)] | None
    ) = None
    private_answer: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=ANSWER_MAX)] | None
    ) = None
    publish: bool = False
    """For a question: list it in the unit's public Q&A (needs a public answer)."""

    @model_validator(mode="after")
    def _some(self) -> "Answer":
        if not self.public_answer and not self.private_answer:
            raise ValueError("give a public or a private answer")
        return self


class Resolve(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int


class NoteInput(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=NOTE_MAX)
    ]


class Reopen(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: Annotated[str, StringConstraints(min_length=8, max_length=64)]
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=1_000)] = ""


class CategoryStats(BaseModel):
    category: str
    received: int
    acknowledged_in_time: int
    answered_in_time: int
    overdue: int


class FeedbackStats(BaseModel):
    unit: UnitCode
    start: datetime
    end: datetime
    received: int
    acknowledged_in_time: int
    answered_in_time: int
    overdue: int
    by_category: list[CategoryStats]


class PublicQuestion(BaseModel):
    tracking_code: str
    question: str
    answer: str
    answered_at: datetime
    category: str
