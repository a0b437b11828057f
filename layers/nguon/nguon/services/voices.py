"""Bulletins get their voice: speech generated after approval, per target area's voice.

Approval queues a job (the fan-out does it, so no approval is missed); the speech worker
generates one recording per voice the target areas use, stores each as media, and attaches
them to the bulletin with a ``voiced`` event, which rebuilds the manifests so devices get the
audio. The job shows its progress while it runs; a failure stays on it with its cause until
someone retries. A bulletin with recorded audio, or not meant for speakers, needs no voice.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from nguon import leases
from nguon.errors import Conflict, NotFound
from nguon.models.bulletins import Bulletin, Channel, Status
from nguon.models.principal import Principal
from nguon.models.voices import AreaVoiceView, VoiceJob, VoiceStatus
from nguon.observability import logger
from nguon.services.access import Permission, authorize, permissions_of
from nguon.services.bulletins import BulletinStore
from nguon.services.units import UnitService

PROGRESS_EVERY_S = 2.0
"""How often a running job writes its progress (each write is a table write)."""


@dataclass(frozen=True)
class SpokenAudio:
    mp3: bytes
    duration_s: float


class Speaker(Protocol):
    """Text → speaker-ready MP3 in a voice; reports progress as a fraction."""

    def speak(self, text: str, voice: str, on_progress: Callable[[float], None]) -> SpokenAudio: ...


class MediaLibrary(Protocol):
    def has_recorded_audio(self, media_ids: list[str]) -> bool: ...

    def store_speech(self, bulletin: Bulletin, voice: str, audio: SpokenAudio) -> str:
        """Keep the recording as a ready media item; its id."""
        ...


class VoiceJobs(Protocol):
    def get(self, bulletin_id: str) -> VoiceJob | None: ...

    def put(self, job: VoiceJob, *, only_from: set[VoiceStatus] | None = None) -> None: ...

    def create(self, job: VoiceJob, *, replacing: set[VoiceStatus]) -> None: ...


class AreaVoiceSettings(Protocol):
    def area_voice(self, unit_code: str) -> str | None: ...

    def set_area_voice(self, unit_code: str, voice: str) -> None: ...


class AreaVoices:
    """Which voice speaks where: the nearest setting up the tree, else the default."""

    def __init__(self, units: UnitService, settings: AreaVoiceSettings, default: str) -> None:
        self._units = units
        self._settings = settings
        self._default = default

    def voice_of(self, unit_code: str) -> str:
        return self.area_voice(unit_code).voice

    def area_voice(self, unit_code: str) -> AreaVoiceView:
        unit = self._units.require(unit_code)
        for code in (unit.code, *reversed(unit.ancestors)):  # commune, district, province
            voice = self._settings.area_voice(code)
            if voice:
                return AreaVoiceView(unit=unit.code, voice=voice, inherited_from=code)
        return AreaVoiceView(unit=unit.code, voice=self._default, inherited_from=None)

    def set_area_voice(self, principal: Principal, unit_code: str, voice: str) -> AreaVoiceView:
        # The station's sound is the operators' and administrators' to set.
        authorize(principal, Permission.PROGRAMME_ORDER, self._units.require(unit_code))
        self._settings.set_area_voice(unit_code, voice)
        return self.area_voice(unit_code)


RecordVoice = Callable[[str, dict[str, str], int | None], Bulletin]
"""``BulletinService.record_voice``."""


_RUNNING = {VoiceStatus.QUEUED, VoiceStatus.GENERATING}
_FINISHED = {VoiceStatus.READY, VoiceStatus.FAILED, VoiceStatus.NOT_NEEDED}


class VoiceService:
    def __init__(
        self,
        units: UnitService,
        bulletins: BulletinStore,
        record_voice: RecordVoice,
        jobs: VoiceJobs,
        media: MediaLibrary,
        *,
        areas: AreaVoices,
        queue: Callable[[dict[str, Any]], None],
        speaker: Callable[[], Speaker],
        now: Callable[[], datetime],
    ) -> None:
        self._units = units
        self._bulletins = bulletins
        self._record_voice = record_voice
        self._jobs = jobs
        self._media = media
        self._queue = queue
        self._speaker = speaker  # built on first use: the engine loads a library
        self._areas = areas
        self._now = now

    # ------------------------------------------------------------------ asking
    def needs_voice(self, bulletin: Bulletin) -> bool:
        return (
            bulletin.status is Status.APPROVED
            and Channel.SPEAKER in bulletin.channels
            and not bulletin.voice_media
            and not self._media.has_recorded_audio(list(bulletin.media))
        )

    def request(self, bulletin_id: str) -> VoiceJob | None:
        """After approval: queue the bulletin's speech once (a repeated approval event, as
        streams deliver at least once, finds the job and changes nothing)."""
        bulletin = self._bulletins.get(bulletin_id)
        if bulletin is None or not self.needs_voice(bulletin):
            return None
        return self._queue_job(bulletin, replacing=set())

    def retry(self, principal: Principal, bulletin_id: str) -> VoiceJob:
        """An editor or approver asks again after a failure (or to redo a finished voice)."""
        bulletin = self._bulletins.get(bulletin_id)
        if bulletin is None:
            raise NotFound("bulletin_not_found", bulletin=bulletin_id)
        granted = permissions_of(principal)
        needed = (
            Permission.BULLETINS_COMPOSE
            if Permission.BULLETINS_COMPOSE in granted
            else Permission.BULLETINS_APPROVE
        )
        authorize(principal, needed, self._units.require(bulletin.issuer_unit))
        if bulletin.status is not Status.APPROVED or Channel.SPEAKER not in bulletin.channels:
            raise Conflict("voice_not_applicable", bulletin=bulletin_id)
        current = self._jobs.get(bulletin_id)
        if current is not None and self._unattended(current):
            self._send(bulletin_id)
            return current
        if current is not None and current.status in _RUNNING:
            raise Conflict("voice_in_progress", bulletin=bulletin_id)
        job = self._queue_job(bulletin, replacing=_FINISHED)
        assert job is not None  # replacing finished jobs, a conflict is raised, never None
        return job

    def status(self, bulletin_id: str) -> VoiceJob | None:
        return self._jobs.get(bulletin_id)

    def _queue_job(self, bulletin: Bulletin, *, replacing: set[VoiceStatus]) -> VoiceJob | None:
        previous = self._jobs.get(bulletin.id)
        at = self._now()
        job = VoiceJob(
            bulletin_id=bulletin.id,
            status=VoiceStatus.QUEUED,
            voices=self.voices_for(bulletin),
            attempts=(previous.attempts if previous else 0) + 1,
            requested_at=at,
            updated_at=at,
        )
        try:
            self._jobs.create(job, replacing=replacing)
        except Conflict:
            if replacing:
                raise
            # Already asked for: at most one job per approval. If the asking stopped between
            # the job and its message (the queue failed, the stream will deliver the event
            # again), the message is sent now; a second message for one job does no harm.
            current = self._jobs.get(bulletin.id)
            if current is not None and self._unattended(current):
                self._send(bulletin.id)
            return current
        self._send(bulletin.id)
        return job

    def _send(self, bulletin_id: str) -> None:
        self._queue({"kind": "bulletin_voice", "bulletin_id": bulletin_id})

    def _unattended(self, job: VoiceJob) -> bool:
        """Queued (its message may never have left), or generating by a worker long gone."""
        if job.status is VoiceStatus.QUEUED:
            return True
        # A job ``generating`` without a write for a lease has lost its worker.
        return job.status is VoiceStatus.GENERATING and not leases.is_live(
            job.updated_at, self._now()
        )

    # ------------------------------------------------------------------ making
    def generate(self, bulletin_id: str) -> VoiceJob | None:
        """The worker's side. Never raises for the bulletin's own sake: the cause stays on the
        job for people to see; a crash of the worker itself leaves the message to SQS."""
        job = self._jobs.get(bulletin_id)
        if job is None or not self._unattended(job):
            return job  # done, failed (waiting for a retry), another worker's, or never asked
        bulletin = self._bulletins.get(bulletin_id)
        if bulletin is None or bulletin.status is not Status.APPROVED:
            return self._finish(job, status=VoiceStatus.NOT_NEEDED)
        claimed = job.model_copy(
            update={"status": VoiceStatus.GENERATING, "updated_at": self._now()}
        )
        try:  # one worker per job: a duplicate message finds it taken
            self._jobs.put(claimed, only_from={job.status})
        except Conflict:
            return self._jobs.get(bulletin_id)
        job = claimed
        try:
            media, duration = self._speak_all(bulletin, job)
            self._record_voice(bulletin_id, media, round(duration) or None)
        except Exception as error:  # the engine, ffmpeg, S3: all end up on the job
            logger.exception("voice failed", extra={"bulletin_id": bulletin_id})
            return self._finish(job, status=VoiceStatus.FAILED, error=_cause(error))
        return self._finish(
            job, status=VoiceStatus.READY, progress=1.0, media=media, duration_s=duration
        )

    def _speak_all(self, bulletin: Bulletin, job: VoiceJob) -> tuple[dict[str, str], float]:
        text = f"{bulletin.title}. {bulletin.body}"
        speaker = self._speaker()
        media: dict[str, str] = {}
        longest = 0.0
        last_write = time.monotonic()
        for index, voice in enumerate(job.voices):

            def progress(fraction: float, index: int = index) -> None:
                nonlocal job, last_write
                if time.monotonic() - last_write < PROGRESS_EVERY_S:
                    return
                last_write = time.monotonic()
                overall = min((index + fraction) / len(job.voices), 0.99)
                job = job.model_copy(update={"progress": overall, "updated_at": self._now()})
                self._jobs.put(job, only_from={VoiceStatus.GENERATING})

            audio = speaker.speak(text, voice, progress)
            media[voice] = self._media.store_speech(bulletin, voice, audio)
            longest = max(longest, audio.duration_s)
        return media, longest

    def _finish(self, job: VoiceJob, **update: Any) -> VoiceJob:
        done = job.model_copy(update={**update, "updated_at": self._now()})
        self._jobs.put(done, only_from=_RUNNING)
        return done

    # ------------------------------------------------------------------ areas
    def voices_for(self, bulletin: Bulletin) -> list[str]:
        return sorted({self._areas.voice_of(target) for target in bulletin.targets})


def _cause(error: Exception) -> str:
    text = str(error).strip() or type(error).__name__
    return f"{type(error).__name__}: {text}"[:500]
