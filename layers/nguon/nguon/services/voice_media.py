"""The voice service's side of media: is a recording attached, and keeping generated speech.

Generated speech goes through the same speaker pipeline as an upload (EBU R128 to the same
target, mono MP3), so a voiced bulletin sounds as loud as a recorded one on the same speaker.
"""

import tempfile
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from nguon.models.bulletins import Actor, Bulletin
from nguon.models.media import Media, MediaStatus, Purpose
from nguon.services.media import MediaStore
from nguon.services.media_ingest import IngestService
from nguon.services.voices import SpokenAudio


class VoiceMediaLibrary:
    def __init__(
        self,
        store: MediaStore,
        ingest: IngestService,
        now: Callable[[], datetime],
        new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
    ) -> None:
        self._store = store
        self._ingest = ingest
        self._now = now
        self._new_id = new_id

    def has_recorded_audio(self, media_ids: list[str]) -> bool:
        for media_id in media_ids:
            media = self._store.get(media_id)
            if media and media.status is MediaStatus.READY and media.purpose is Purpose.AUDIO:
                return True
        return False

    def store_speech(self, bulletin: Bulletin, voice: str, audio: SpokenAudio) -> str:
        media_id = self._new_id()
        now = self._now()
        media = Media(
            id=media_id,
            status=MediaStatus.PROCESSING,
            version=1,
            purpose=Purpose.AUDIO,
            content_type="audio/mpeg",
            size=len(audio.mp3),
            file_name=f"{bulletin.id}-{voice}.mp3",
            key=f"generated/{bulletin.id}/{voice}.mp3",
            unit=bulletin.issuer_unit,
            uploaded_by=Actor(user_id="system", username="nguon", unit=bulletin.issuer_unit),
            created_at=now,
            updated_at=now,
            upload_expires_at=now,
        )
        with tempfile.TemporaryDirectory(prefix="voice-") as folder:
            local = Path(folder) / "speech.mp3"
            local.write_bytes(audio.mp3)
            return self._ingest.add_generated(media, local).id
