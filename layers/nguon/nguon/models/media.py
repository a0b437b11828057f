"""Media (tệp phương tiện): uploaded audio, images, video and documents, and what ingest made.

A media item's life::

    awaiting_upload ──(object arrives, claimed)──► processing ──► ready
                                                       │    └───► rejected (the file, not us)
                                                       └── (gave up after retries) ──► failed
    failed ──(the dead letter re-driven)──► processing

``ready`` and ``rejected`` are final for the object version that was processed; ``failed``
is ours (a bug, an outage), so a re-driven notification may take it again.

Limits people meet (also in the README): sizes per purpose (``SIZE_LIMITS``), the upload
ticket's lifetime (``UPLOAD_TICKET_S``), the loudness target (``LOUDNESS_TARGET_LUFS``), the
board resolutions (``BOARD_SIZES``) and the longest audio or video (``DURATION_MAX_S``).
"""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from nguon.models.bulletins import Actor
from nguon.models.units import UnitCode

MB = 1024 * 1024


class Purpose(StrEnum):
    """What an upload is for; decides the accepted types, the size limit and the processing."""

    AUDIO = "audio"
    """For loudspeakers: normalised to a mono MP3."""
    IMAGE = "image"
    """For boards: fitted to the board resolutions."""
    VIDEO = "video"
    """For boards: H.264/AAC MP4 at the board resolutions."""
    DOCUMENT = "document"
    """Kept as it is (PDF), for the web pages and the record."""


class MediaStatus(StrEnum):
    AWAITING_UPLOAD = "awaiting_upload"
    PROCESSING = "processing"
    READY = "ready"
    REJECTED = "rejected"
    """The file is not what it claims, too large, or cannot be decoded: the uploader's to fix."""
    FAILED = "failed"
    """Ingest kept failing (our side); the notification is in the dead-letter queue."""


FINAL = frozenset({MediaStatus.READY, MediaStatus.REJECTED})
"""States no notification of the same object version changes."""

ALLOWED_TYPES: dict[Purpose, tuple[str, ...]] = {
    Purpose.AUDIO: (
        "audio/mpeg",
        "audio/wav",
        "audio/x-wav",
        "audio/ogg",
        "audio/flac",
        "audio/mp4",
        "audio/aac",
    ),
    Purpose.IMAGE: ("image/jpeg", "image/png", "image/webp", "image/gif"),
    Purpose.VIDEO: ("video/mp4", "video/webm", "video/quicktime"),
    Purpose.DOCUMENT: ("application/pdf",),
}
"""Content types an uploader may declare, per purpose (the POST policy pins the one declared)."""

SIZE_LIMITS: dict[Purpose, int] = {
    Purpose.AUDIO: 200 * MB,
    Purpose.IMAGE: 20 * MB,
    Purpose.VIDEO: 1024 * MB,
    Purpose.DOCUMENT: 50 * MB,
}
"""The largest upload per purpose (200 MB of WAV is about 20 minutes of CD-quality stereo)."""

UPLOAD_TICKET_S = 900
"""How long a presigned POST may be used: 15 minutes."""

DURATION_MAX_S = 3 * 3600
"""The longest audio or video accepted (a bulletin's ``duration_s`` is at most 3 hours too)."""

IMAGE_MAX_PIXELS = 64_000_000
"""Larger images are refused before they are decoded (a small file can claim huge sizes)."""

LOUDNESS_TARGET_LUFS = -16.0
"""EBU R128 integrated loudness of the speaker variant (outdoor speech; -23 is for TV)."""
LOUDNESS_TOLERANCE_LU = 0.5
"""Further off than this after loudnorm (its dynamic mode on short clips), a gain trim follows."""
TRUE_PEAK_DBTP = -1.0
LOUDNESS_RANGE_LU = 11.0
SPEAKER_SAMPLE_RATE = 44_100
SPEAKER_BITRATE = 96_000
"""Mono MP3 for loudspeaker clusters on 4G: 96 kbit/s is transparent for speech."""


class BoardSize(BaseModel):
    """A board resolution a variant is made for."""

    model_config = ConfigDict(frozen=True)

    name: str
    width: int
    height: int


BOARD_SIZES: tuple[BoardSize, ...] = (
    BoardSize(name="fhd", width=1920, height=1080),
    BoardSize(name="hd", width=1280, height=720),
    BoardSize(name="led", width=384, height=192),
)
"""Large LED/LCD boards in district towns, commune LCD boards, small commune LED boards.

Every variant has exactly the board's size: the picture is scaled to fit (up or down, aspect
kept) and centred on black, so a board's controller shows it pixel for pixel. Video gets the
``fhd`` variant only from a source at least that large (upscaled video only grows)."""

REAL_TYPE_PURPOSE: dict[str, Purpose] = {
    "audio/mpeg": Purpose.AUDIO,
    "audio/wav": Purpose.AUDIO,
    "audio/ogg": Purpose.AUDIO,
    "audio/flac": Purpose.AUDIO,
    "audio/mp4": Purpose.AUDIO,
    "audio/aac": Purpose.AUDIO,
    "image/jpeg": Purpose.IMAGE,
    "image/png": Purpose.IMAGE,
    "image/webp": Purpose.IMAGE,
    "image/gif": Purpose.IMAGE,
    "video/mp4": Purpose.VIDEO,
    "video/webm": Purpose.VIDEO,
    "video/quicktime": Purpose.VIDEO,
    "application/pdf": Purpose.DOCUMENT,
}
"""The purpose each type found in the bytes serves; other types found are refused."""


FileName = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=255, pattern=r"^[^\x00-\x1f\x7f/\\]+$"
    ),
]


class UploadRequest(BaseModel):
    """``POST /uploads``: what the uploader says the file is."""

    # The types and sizes each purpose takes are checked below; the document states them too.
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra={
            "oneOf": [
                {
                    "properties": {
                        "purpose": {"const": purpose.value},
                        "content_type": {"enum": list(ALLOWED_TYPES[purpose])},
                        "size": {"maximum": SIZE_LIMITS[purpose]},
                    }
                }
                for purpose in Purpose
            ]
        },
    )

    file_name: FileName
    content_type: Annotated[
        str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=3, max_length=100)
    ]
    size: int = Field(ge=1, description="Bytes; the upload may not be larger.")
    purpose: Purpose

    @model_validator(mode="after")
    def _rules(self) -> "UploadRequest":
        allowed = ALLOWED_TYPES[self.purpose]
        if self.content_type not in allowed:
            raise PydanticCustomError(
                "content_type_not_allowed",
                "{content_type} is not accepted for {purpose}; accepted: {allowed}",
                {
                    "content_type": self.content_type,
                    "purpose": self.purpose.value,
                    "allowed": ", ".join(allowed),
                },
            )
        limit = SIZE_LIMITS[self.purpose]
        if self.size > limit:
            raise PydanticCustomError(
                "upload_too_large",
                "a {purpose} upload has at most {limit_mb} MB",
                {"purpose": self.purpose.value, "limit_mb": limit // MB, "size": self.size},
            )
        return self


class UploadTicket(BaseModel):
    """The answer to ``POST /uploads``: POST ``fields`` and the file (last) to ``url``."""

    media_id: str
    url: str
    fields: dict[str, str]
    key: str
    max_size: int
    expires_at: datetime


class Reason(BaseModel):
    """Why a media item was rejected or failed: a message code and its parameters."""

    model_config = ConfigDict(frozen=True)

    code: str
    params: dict[str, str | int | float] = Field(default_factory=dict)


class SourceObject(BaseModel):
    """The uploaded object version a media item was made from (in the uploads bucket)."""

    model_config = ConfigDict(frozen=True)

    key: str
    etag: str | None = None
    sequencer: str | None = None
    version_id: str | None = None
    size: int | None = None

    def same_version(self, other: "SourceObject") -> bool:
        """The same object version: by version id where the bucket keeps versions, else by
        eTag and the event's sequencer (which orders writes to one key)."""
        if self.version_id or other.version_id:
            return self.version_id == other.version_id
        return self.etag == other.etag and (
            self.sequencer == other.sequencer or not (self.sequencer and other.sequencer)
        )


class MediaVariant(BaseModel):
    """One processed file in the media bucket."""

    model_config = ConfigDict(frozen=True)

    name: str
    """``speaker`` (audio), ``fhd`` / ``hd`` / ``led`` (image, video), ``document``."""
    key: str
    content_type: str
    size: int
    width: int | None = None
    height: int | None = None
    bitrate: int | None = None
    """Bits per second (audio and video)."""
    channels: int | None = None
    sample_rate: int | None = None
    duration_s: float | None = None
    sha256: str | None = None
    """Of the file's bytes: devices verify what they download against it."""


class Media(BaseModel):
    """A media item as stored: the declaration, the ingest state, and what ingest made."""

    model_config = ConfigDict(frozen=True)

    id: str
    status: MediaStatus
    version: int
    """Bumped by every write; each write is conditional on the version read."""
    purpose: Purpose
    content_type: str
    """As declared (and pinned by the upload policy)."""
    size: int
    """As declared: the largest object accepted."""
    file_name: str
    key: str
    """Where the original is (uploads bucket): ``uploads/<unit>/<id>/<safe name>``."""
    unit: UnitCode
    uploaded_by: Actor
    created_at: datetime
    updated_at: datetime
    upload_expires_at: datetime
    detected_type: str | None = None
    """The type found in the bytes; what was processed."""
    source: SourceObject | None = None
    reason: Reason | None = None
    duration_s: float | None = None
    loudness_lufs: float | None = None
    """Measured on the speaker variant (audio) or the normalised sound (video)."""
    width: int | None = None
    height: int | None = None
    variants: list[MediaVariant] = Field(default_factory=list)
    attempts: int = 0
    """How many times ingest claimed it."""
    lease_until: datetime | None = None
    """While processing: the claim holds until then (the worker's deadline), then may be taken."""


class ReasonView(BaseModel):
    code: str
    message: str
    params: dict[str, Any] = Field(default_factory=dict)


class VariantView(MediaVariant):
    url: str | None = None
    """A short-lived GET link (one hour)."""


class MediaView(BaseModel):
    """What the API answers for a media item."""

    id: str
    status: MediaStatus
    purpose: Purpose
    content_type: str
    detected_type: str | None
    size: int
    object_size: int | None
    file_name: str
    unit: UnitCode
    uploaded_by: Actor
    created_at: datetime
    updated_at: datetime
    upload_expires_at: datetime
    reason: ReasonView | None
    duration_s: float | None
    loudness_lufs: float | None
    width: int | None
    height: int | None
    variants: list[VariantView]
    attempts: int


class MediaPage(BaseModel):
    items: list[MediaView]
    next: str | None = None
    """Pass as ``next`` for the following page; absent on the last one."""
