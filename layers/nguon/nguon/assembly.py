"""How functions build the services they share, in one place, on first use.

Each function imports what it needs from here (its own ``dependencies`` module keeps what is
only its own). Storage and AWS adapters are imported inside the builders: importing this
module costs nothing at cold start.
"""

from functools import lru_cache
from typing import TYPE_CHECKING

from nguon.clock import now
from nguon.config import get_settings

if TYPE_CHECKING:
    from nguon.adapters.queues import SqsSender
    from nguon.services.bulletins import BulletinStore
    from nguon.services.delivered_media import DeliveredMedia
    from nguon.services.media import MediaStore, ObjectStore
    from nguon.services.media_ingest import IngestService
    from nguon.services.units import UnitService
    from nguon.services.voices import AreaVoices, VoiceService
    from nguon.speech.engines.base import SpeechEngine
    from nguon.speech.synthesis import SpeechService
    from nguon.storage.voices import DynamoVoiceStore


@lru_cache(maxsize=1)
def units() -> "UnitService":
    from nguon.services.units import CachedUnitStore, UnitService
    from nguon.storage.units import DynamoUnitStore

    return UnitService(CachedUnitStore(DynamoUnitStore()))


@lru_cache(maxsize=1)
def bulletin_store() -> "BulletinStore":
    from nguon.storage.bulletins import DynamoBulletinStore

    return DynamoBulletinStore()


@lru_cache(maxsize=1)
def media_store() -> "MediaStore":
    from nguon.storage.media import DynamoMediaStore

    return DynamoMediaStore()


@lru_cache(maxsize=1)
def media_objects() -> "ObjectStore":
    from nguon.adapters.media_objects import MediaObjects

    return MediaObjects()


@lru_cache(maxsize=1)
def ingest_service() -> "IngestService":
    from nguon.adapters.ffmpeg import Ffmpeg
    from nguon.services.media_ingest import IngestService

    return IngestService(media_store(), media_objects(), Ffmpeg(get_settings().ffmpeg))


@lru_cache(maxsize=1)
def voice_store() -> "DynamoVoiceStore":
    from nguon.storage.voices import DynamoVoiceStore

    return DynamoVoiceStore()


@lru_cache(maxsize=1)
def area_voices() -> "AreaVoices":
    from nguon.services.voices import AreaVoices

    return AreaVoices(units(), voice_store(), get_settings().default_voice)


def delivered_media() -> "DeliveredMedia":
    """A fresh one per fan-out (it caches media records for one build)."""
    from nguon.adapters.manifests import ManifestStore
    from nguon.services.delivered_media import DeliveredMedia

    links = ManifestStore(bucket=get_settings().media_bucket)
    return DeliveredMedia(media_store(), links.link, area_voices().voice_of)


@lru_cache(maxsize=1)
def speech_service() -> "SpeechService":
    from nguon.speech.engines.espeak import EspeakEngine
    from nguon.speech.synthesis import SpeechService
    from nguon.storage.speech import DynamoLexiconStore

    settings = get_settings()
    engines: list[SpeechEngine] = [EspeakEngine()]
    if settings.neural_tts_url and settings.neural_tts_key_secret:
        from nguon.speech.engines.neural_http import FptTtsEngine, secret_key

        engines.append(
            FptTtsEngine(settings.neural_tts_url, secret_key(settings.neural_tts_key_secret))
        )
    return SpeechService(engines, DynamoLexiconStore())


@lru_cache(maxsize=1)
def speech_queue() -> "SqsSender":
    from nguon.adapters.queues import SqsSender

    return SqsSender(get_settings().speech_tasks_queue)


@lru_cache(maxsize=1)
def voice_service() -> "VoiceService":
    from nguon.services.bulletins import BulletinService
    from nguon.services.voice_media import VoiceMediaLibrary
    from nguon.services.voices import VoiceService
    from nguon.speech.speaker import ServiceSpeaker

    store = bulletin_store()
    return VoiceService(
        units(),
        store,
        BulletinService(units(), store).record_voice,
        voice_store(),
        VoiceMediaLibrary(media_store(), ingest_service(), now),
        areas=area_voices(),
        queue=speech_queue().send,
        speaker=lambda: ServiceSpeaker(speech_service()),
        now=now,
    )
