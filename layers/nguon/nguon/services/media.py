"""Media: signed uploads for staff and departments, and reading the items back.

Staff side (:class:`MediaService`): ``request_upload`` records the item and answers a presigned
POST for exactly one key, type and size range; ``get`` / ``search`` read in scope;
``get_ready`` is what attaching media to a bulletin calls.

This module also holds what both sides share: the stores (:class:`MediaStore`,
:class:`ObjectStore`) and the upload key's shape (:func:`upload_key`, :func:`media_id_of`).
The ingest that makes uploads playable is :mod:`nguon.services.media_ingest`, kept apart so
each file reads in one sitting; it imports from here, never the other way round.
"""

import re
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, Protocol

from nguon import clock
from nguon.config import Language
from nguon.errors import Conflict, NotFound, Unavailable
from nguon.i18n import translate
from nguon.models.bulletins import Actor
from nguon.models.media import (
    UPLOAD_TICKET_S,
    Media,
    MediaStatus,
    MediaView,
    ReasonView,
    UploadRequest,
    UploadTicket,
    VariantView,
)
from nguon.models.principal import Principal
from nguon.services.access import Permission, authorize
from nguon.services.units import UnitService
from nguon.text import strip_marks

UPLOAD_PREFIX = "uploads/"
"""Every upload key starts so; the bucket notifies the ingest queue for this prefix only."""
PAGE_MAX = 100
_VIEW_FIELDS = (set(MediaView.model_fields) & set(Media.model_fields)) - {"reason", "variants"}


class MediaStore(Protocol):
    """Where media items live (DynamoDB in :mod:`nguon.storage.media`)."""

    def get(self, media_id: str) -> Media | None: ...

    def create(self, media: Media) -> None:
        """Store a new item; :class:`Conflict` when the id exists."""

    def replace(self, media: Media, *, expected_version: int) -> None:
        """Write if still at ``expected_version``; else :class:`Conflict`, nothing written."""

    def page(self, unit: str, *, limit: int, cursor: str | None) -> tuple[list[Media], str | None]:
        """Media uploaded at ``unit``, newest first."""


class ObjectStore(Protocol):
    """The buckets (S3 in :mod:`nguon.adapters.media_objects`)."""

    @property
    def uploads_bucket(self) -> str: ...

    def presign_post(
        self, key: str, *, content_type: str, max_size: int, expires_in: int
    ) -> Any: ...

    def head(self, key: str, *, version_id: str | None = None) -> Any: ...

    def read_start(self, key: str, length: int, *, version_id: str | None = None) -> bytes: ...

    def download(self, key: str, path: Path, *, version_id: str | None = None) -> None: ...

    def upload(self, path: Path, key: str, *, content_type: str) -> None: ...

    def link(self, key: str) -> str: ...


def safe_file_name(name: str) -> str:
    """The uploader's file name as a key segment: ASCII letters, digits, ``.-_``, ≤ 100.

    Vietnamese loses its marks (``Thông báo lịch tiêm.mp3`` → ``Thong-bao-lich-tiem.mp3``);
    the name as typed is kept in the item."""
    plain = strip_marks(name)
    stem, dot, suffix = plain.rpartition(".")
    if not dot or not re.fullmatch(r"[A-Za-z0-9]{1,9}", suffix):
        stem, suffix = plain, ""
    stem = re.sub(r"[^A-Za-z0-9_]+", "-", stem).strip("-_")[:90] or "file"
    return f"{stem}.{suffix.lower()}" if suffix else stem


def upload_key(unit: str, media_id: str, file_name: str) -> str:
    return f"{UPLOAD_PREFIX}{unit}/{media_id}/{safe_file_name(file_name)}"


def media_id_of(key: str) -> str | None:
    """The media id in an upload key (``uploads/<unit>/<id>/<name>``), if it is one."""
    parts = key.split("/")
    if len(parts) != 4 or parts[0] != UPLOAD_PREFIX.rstrip("/") or not all(parts[1:]):
        return None
    return parts[2]


# --- staff side ---------------------------------------------------------------------------


class MediaService:
    def __init__(
        self,
        units: UnitService,
        store: MediaStore,
        objects: ObjectStore,
        now: clock.Clock = clock.now,
        new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
    ) -> None:
        self._units = units
        self._store = store
        self._objects = objects
        self._now = now
        self._new_id = new_id

    def request_upload(self, principal: Principal, request: UploadRequest) -> UploadTicket:
        """Record the upload-to-be and sign a POST for exactly its key, type and size."""
        unit = self._units.require(principal.home_unit)
        authorize(principal, Permission.MEDIA_UPLOAD, unit)
        if not self._objects.uploads_bucket:  # a deployment without the uploads bucket wired
            raise Unavailable("uploads_not_configured")
        media_id = self._new_id()
        key = upload_key(unit.code, media_id, request.file_name)
        now = self._now()
        post = self._objects.presign_post(
            key,
            content_type=request.content_type,
            max_size=request.size,
            expires_in=UPLOAD_TICKET_S,
        )
        expires_at = now + timedelta(seconds=UPLOAD_TICKET_S)
        self._store.create(
            Media(
                id=media_id,
                status=MediaStatus.AWAITING_UPLOAD,
                version=1,
                purpose=request.purpose,
                content_type=request.content_type,
                size=request.size,
                file_name=request.file_name,
                key=key,
                unit=unit.code,
                uploaded_by=Actor.of(principal),
                created_at=now,
                updated_at=now,
                upload_expires_at=expires_at,
            )
        )
        return UploadTicket(
            media_id=media_id,
            url=post.url,
            fields=post.fields,
            key=key,
            max_size=request.size,
            expires_at=expires_at,
        )

    def get(self, principal: Principal, media_id: str) -> Media:
        """A media item, for staff whose area holds the unit it was uploaded at."""
        media = self._store.get(media_id)
        if media is None:
            raise NotFound("media_not_found", media=media_id)
        authorize(principal, Permission.MEDIA_READ, self._units.require(media.unit))
        return media

    def get_ready(self, principal: Principal, media_id: str) -> Media:
        """A media item that may be attached to a bulletin: in scope and ``ready``;
        :class:`NotFound`, :class:`Forbidden` or :class:`Conflict` (``media_not_ready``)."""
        media = self.get(principal, media_id)
        if media.status is not MediaStatus.READY:
            raise Conflict("media_not_ready", media=media_id, status=media.status.value)
        return media

    def search(
        self,
        principal: Principal,
        *,
        unit: str | None = None,
        status: MediaStatus | None = None,
        limit: int = 25,
        cursor: str | None = None,
    ) -> tuple[list[Media], str | None]:
        """A page of the media uploaded at ``unit`` (default: home), newest first."""
        where = self._units.require(unit or principal.home_unit)
        authorize(principal, Permission.MEDIA_READ, where)
        found: list[Media] = []
        for _ in range(10):  # a filtered page may come back empty: read on, a little
            page, cursor = self._store.page(where.code, limit=min(limit, PAGE_MAX), cursor=cursor)
            found += [media for media in page if status is None or media.status is status]
            if found or cursor is None:
                break
        return found, cursor

    def view(self, media: Media, language: Language) -> MediaView:
        """The item as the API shows it: the reason in ``language``, links to variants."""
        reason = None
        if media.reason is not None:
            reason = ReasonView(
                code=media.reason.code,
                message=translate(media.reason.code, language, **media.reason.params),
                params=media.reason.params,
            )
        ready = media.status is MediaStatus.READY
        return MediaView(
            **media.model_dump(include=_VIEW_FIELDS),
            object_size=media.source.size if media.source else None,
            reason=reason,
            variants=[
                VariantView(
                    **variant.model_dump(), url=self._objects.link(variant.key) if ready else None
                )
                for variant in media.variants
            ],
        )
