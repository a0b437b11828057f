"""What the public portal shows of bulletins and units: public fields only.

A bulletin's author, approver, rejection and withdrawal, its version, media ids and CAP
identifier never leave the staff side: these models are built field by field from a
:class:`~nguon.models.bulletins.Bulletin`, never by copying it, so a field added there later
stays private until someone adds it here on purpose.
"""

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict

from nguon.models.bulletins import Category, Priority
from nguon.models.units import UnitCode, UnitLevel


class PublicUnit(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: UnitCode
    name: str
    type: str
    level: UnitLevel


class AudioLink(BaseModel):
    """A voiced bulletin's audio: a signed link to the processed file."""

    model_config = ConfigDict(frozen=True)

    url: str
    content_type: str
    duration_s: float | None = None


class PublicAlert(BaseModel):
    """The CAP fields of an emergency that people read."""

    model_config = ConfigDict(frozen=True)

    event: str
    urgency: str
    severity: str
    certainty: str
    instruction: str | None = None


class PublicVariant(BaseModel):
    model_config = ConfigDict(frozen=True)

    title: str
    body: str


class PublicBulletin(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    body: str
    category: Category
    priority: Priority
    language: str
    variants: dict[str, PublicVariant]
    issuer: PublicUnit
    department: str | None
    targets: list[UnitCode]
    valid_from: datetime
    valid_until: datetime
    published_at: datetime
    current: bool
    """Inside its validity now (else upcoming)."""
    alert: PublicAlert | None = None
    audio: AudioLink | None = None


class PublicProgrammeItem(BaseModel):
    model_config = ConfigDict(frozen=True)

    start: datetime
    end: datetime
    title: str
    priority: Priority
    bulletin_id: str


class UnitPage(BaseModel):
    """``{portal_url}/units/{code}``: what the unit publishes today, as JSON."""

    model_config = ConfigDict(frozen=True)

    unit: PublicUnit
    parents: list[PublicUnit]
    """From the province down to the unit's parent."""
    children: list[PublicUnit]
    alerts: list[PublicBulletin]
    """Active emergencies, newest first."""
    bulletins: list[PublicBulletin]
    """Current, then upcoming; the emergencies are in ``alerts``."""
    programme_date: date
    programme: list[PublicProgrammeItem]
    generated_at: datetime
