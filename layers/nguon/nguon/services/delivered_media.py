"""What a device plays for a bulletin: the media reference in its manifest item.

Speakers: the recording attached to the bulletin if there is one, else the generated voice
of the commune's area (the commune's voice, or any voice the bulletin has while the commune's
is not ready). Boards: the attached image or video at the board size. Each reference is a
link the device can fetch, with the file's SHA-256, which the device checks.
"""

from collections.abc import Callable
from typing import Any, Protocol

from nguon.models.bulletins import Bulletin
from nguon.models.media import Media, MediaStatus, MediaVariant, Purpose

BOARD_VARIANT = "hd"
"""The variant boards get (1280×720), until devices report their resolution."""


class MediaLookup(Protocol):
    def get(self, media_id: str) -> Media | None: ...


class DeliveredMedia:
    def __init__(
        self,
        media: MediaLookup,
        link: Callable[[str], str],
        voice_of: Callable[[str], str],
    ) -> None:
        self._media = media
        self._link = link  # key in the media bucket → a URL devices can fetch
        self._voice_of = voice_of
        self._cache: dict[str, Media | None] = {}

    def for_item(self, bulletin: Bulletin, commune: str, kind: str) -> dict[str, Any] | None:
        if kind == "speaker":
            return self._speaker(bulletin, commune)
        return self._board(bulletin)

    def _speaker(self, bulletin: Bulletin, commune: str) -> dict[str, Any] | None:
        for media in self._ready(bulletin.media, {Purpose.AUDIO}):
            return self._reference(media, "speaker")
        voices = bulletin.voice_media
        media_id = voices.get(self._voice_of(commune)) or next(iter(voices.values()), None)
        for media in self._ready([media_id] if media_id else [], {Purpose.AUDIO}):
            return self._reference(media, "speaker")
        return None

    def _board(self, bulletin: Bulletin) -> dict[str, Any] | None:
        for media in self._ready(bulletin.media, {Purpose.IMAGE, Purpose.VIDEO}):
            return self._reference(media, BOARD_VARIANT)
        return None

    def _ready(self, media_ids: list[str], purposes: set[Purpose]) -> list[Media]:
        found = []
        for media_id in media_ids:
            if media_id not in self._cache:  # one build asks for the same media per commune
                self._cache[media_id] = self._media.get(media_id)
            media = self._cache[media_id]
            if media and media.status is MediaStatus.READY and media.purpose in purposes:
                found.append(media)
        return found

    def _reference(self, media: Media, variant_name: str) -> dict[str, Any] | None:
        variant = _variant(media, variant_name)
        if variant is None or not variant.sha256:
            return None
        reference: dict[str, Any] = {
            "url": self._link(variant.key),
            "sha256": variant.sha256,
            "content_type": variant.content_type,
        }
        if variant.duration_s is not None:
            reference["duration_s"] = variant.duration_s
        return reference


def _variant(media: Media, name: str) -> MediaVariant | None:
    return next((v for v in media.variants if v.name == name), None)
