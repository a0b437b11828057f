"""The portal's services, built once per container on first use.

Tests replace them with ``monkeypatch.setattr(services, "portal", lambda: fake)``: routes
call ``services.portal()`` at request time.
"""

from functools import lru_cache
from typing import TYPE_CHECKING

from nguon import assembly
from nguon.config import get_settings
from nguon.models.bulletins import Bulletin
from nguon.models.portal import AudioLink
from nguon.services.portal import PortalService

if TYPE_CHECKING:
    from nguon.services.alerts import AlertService


@lru_cache(maxsize=1)
def portal() -> PortalService:
    from nguon.storage.programme import DynamoProgrammeStore

    return PortalService(
        assembly.units(),
        assembly.bulletin_store(),
        province=get_settings().province,
        programmes=DynamoProgrammeStore(),
        audio=audio_of,
    )


def audio_of(bulletin: Bulletin, unit: str) -> AudioLink | None:
    """The audio a unit's loudspeakers play for ``bulletin`` (its recording, or the area's
    generated voice), as a signed link; none while nothing is ready."""
    if not bulletin.media and not bulletin.voice_media:
        return None  # nothing to look up: most bulletins until their voice is made
    reference = assembly.delivered_media().for_item(bulletin, unit, "speaker")
    if reference is None:
        return None
    return AudioLink(
        url=reference["url"],
        content_type=reference["content_type"],
        duration_s=reference.get("duration_s"),
    )


@lru_cache(maxsize=1)
def alerts() -> "AlertService":
    """Only for writing CAP (``to_cap_xml`` through the same service the staff API uses)."""
    from nguon.services.alerts import AlertService
    from nguon.services.bulletins import BulletinService

    units, store = assembly.units(), assembly.bulletin_store()
    return AlertService(
        units, BulletinService(units, store), store, sender=get_settings().cap_sender
    )
