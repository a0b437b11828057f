"""Media ingest: one uploaded object → a final state, the item made playable.

The object's bytes decide its type (:mod:`nguon.services.sniffing`), never its name; a file
that is not what its purpose takes, too large, or undecodable is *rejected* with a reason the
uploader can read. Otherwise ffmpeg makes the variants (:mod:`nguon.adapters.ffmpeg`): the
loudspeakers' mono MP3 at -16 LUFS, board images and board video; originals stay in the
uploads bucket untouched.

Every state change is a conditional write on the version read. A claim holds a lease until the
worker's deadline, so a duplicate notification finds the item taken (or already final) and
does nothing, and a worker that died is replaced once its lease is over.

The staff side (signed uploads, reading items) and the stores both sides use are in
:mod:`nguon.services.media`; the queue consumer that feeds :class:`IngestService` is
:mod:`nguon.services.ingest_queue`. Split from the staff side so each file reads in one sitting.
"""

import hashlib
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import Any

from nguon import clock, leases
from nguon.adapters.ffmpeg import Ffmpeg, LoudnessScan, Undecodable
from nguon.errors import Conflict
from nguon.models.media import (
    BOARD_SIZES,
    DURATION_MAX_S,
    FINAL,
    IMAGE_MAX_PIXELS,
    LOUDNESS_TARGET_LUFS,
    LOUDNESS_TOLERANCE_LU,
    MB,
    REAL_TYPE_PURPOSE,
    SIZE_LIMITS,
    BoardSize,
    Media,
    MediaStatus,
    MediaVariant,
    Purpose,
    Reason,
    SourceObject,
)
from nguon.observability import logger
from nguon.services.media import MediaStore, ObjectStore, media_id_of
from nguon.services.sniffing import SNIFF_BYTES, Sniffed, sniff

VARIANT_PREFIX = "media/"
DURATION_MIN_S = 1.0
"""Shorter audio is refused (a broken or empty file more often than a real recording)."""
_CLAIM_TRIES = 3


class Outcome(StrEnum):
    """What one notification did."""

    READY = "ready"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"
    """This object version is already final: nothing done."""
    BUSY = "busy"
    """Another worker holds a live claim on it (its own message is retried if it dies)."""
    IGNORED = "ignored"
    """Not an upload of ours, gone, or another version than the one already final."""
    LOST = "lost"
    """Our claim was taken over (our lease ran out) before we finished: the winner writes."""
    DEAD_LETTERED = "dead_lettered"


@dataclass(frozen=True)
class ObjectNotice:
    """One object an S3 notification says was created (key already URL-decoded)."""

    bucket: str
    key: str
    size: int | None = None
    etag: str | None = None
    sequencer: str | None = None
    version_id: str | None = None


class Rejected(Exception):  # control flow: the file is refused, not an error
    """The uploaded file is refused; ``code`` and ``params`` are the reason people read."""

    def __init__(
        self, code: str, *, detected_type: str | None = None, **params: str | int | float
    ) -> None:
        super().__init__(code, params)
        self.reason = Reason(code=code, params=params)
        self.detected_type = detected_type
        """The type found in the bytes, when the refusal came after it was found."""


@dataclass
class Result:
    """What processing found and made (the fields a ready item gets)."""

    detected_type: str
    variants: list[MediaVariant]
    duration_s: float | None = None
    loudness_lufs: float | None = None
    width: int | None = None
    height: int | None = None


TRIM_ROUNDS = 4
"""Gain trims after loudnorm at most (each is one encode and one measurement)."""


class IngestService:
    def __init__(
        self,
        store: MediaStore,
        objects: ObjectStore,
        ffmpeg: Ffmpeg,
        now: clock.Clock = clock.now,
        workdir: Path | None = None,
    ) -> None:
        self._store = store
        self._objects = objects
        self._ffmpeg = ffmpeg
        self._now = now
        self._workdir = workdir

    # --- one object -----------------------------------------------------------------------

    def ingest(self, notice: ObjectNotice, *, deadline: datetime | None = None) -> Outcome:
        """Take one uploaded object to ``ready`` or ``rejected``.

        Raises on our own failures (S3, DynamoDB, ffmpeg killed...) after releasing the claim,
        so the caller's retry may take it again at once."""
        media_id = media_id_of(notice.key)
        media = self._store.get(media_id) if media_id else None
        if (
            media is None
            or media.key != notice.key
            or notice.bucket != self._objects.uploads_bucket
        ):
            logger.warning(
                "not an upload of ours", extra={"bucket": notice.bucket, "key": notice.key}
            )
            return Outcome.IGNORED
        head = self._objects.head(notice.key, version_id=notice.version_id)
        if head is None:
            logger.warning("upload gone before ingest", extra={"media_id": media.id})
            return Outcome.IGNORED
        # The object as it is now (or the notified version, where the bucket keeps versions).
        source = SourceObject(
            key=notice.key,
            etag=head.etag,
            sequencer=notice.sequencer,
            version_id=notice.version_id,
            size=head.size,
        )
        claimed = self._claim(media, source, deadline)
        if isinstance(claimed, Outcome):
            logger.info("not processed", extra={"media_id": media.id, "outcome": str(claimed)})
            return claimed
        try:
            result = self._process(claimed, source)
        except Rejected as rejected:
            logger.info(
                "upload rejected", extra={"media_id": media.id, "reason": rejected.reason.code}
            )
            return self._finish(
                claimed,
                MediaStatus.REJECTED,
                reason=rejected.reason,
                detected_type=rejected.detected_type,
            )
        except BaseException:
            self._release(claimed)
            raise
        return self._finish(
            claimed,
            MediaStatus.READY,
            detected_type=result.detected_type,
            variants=result.variants,
            duration_s=result.duration_s,
            loudness_lufs=result.loudness_lufs,
            width=result.width,
            height=result.height,
        )

    def add_generated(self, media: Media, local: Path) -> Media:
        """Audio the system made (a bulletin's voice): the same speaker variant and loudness
        as an upload gets, and the item stored ``ready`` at once. ``media`` is the new record
        (purpose audio); a file that is not usable audio raises :class:`Rejected`."""
        with local.open("rb") as head:
            sniffed = sniff(head.read(SNIFF_BYTES))
        if sniffed is None or REAL_TYPE_PURPOSE.get(sniffed.mime) is not Purpose.AUDIO:
            raise Rejected("media_type_unknown", declared=media.content_type)
        probe = self._ffmpeg.probe(local, sniffed.demuxer or "")
        made = self._audio(media, sniffed, probe, local)
        ready = media.model_copy(
            update={
                "status": MediaStatus.READY,
                "detected_type": made.detected_type,
                "variants": made.variants,
                "duration_s": made.duration_s,
                "loudness_lufs": made.loudness_lufs,
                "updated_at": self._now(),
            }
        )
        self._store.create(ready)
        return ready

    def give_up(self, media_id: str) -> Media | None:
        """Mark an item ``failed`` (its notification went to the dead letters), unless final."""
        media = self._store.get(media_id)
        for _ in range(_CLAIM_TRIES):
            if media is None or media.status in FINAL:
                return media
            failed = self._next(
                media,
                status=MediaStatus.FAILED,
                lease_until=None,
                reason=Reason(code="media_processing_failed", params={"attempts": media.attempts}),
            )
            try:
                self._store.replace(failed, expected_version=media.version)
            except Conflict:
                media = self._store.get(media_id)
                continue
            return failed
        return media

    # --- state changes --------------------------------------------------------------------

    def _next(self, media: Media, **changes: Any) -> Media:
        return media.model_copy(
            update={**changes, "version": media.version + 1, "updated_at": self._now()}
        )

    def _claim(
        self, media: Media | None, source: SourceObject, deadline: datetime | None
    ) -> Media | Outcome:
        for _ in range(_CLAIM_TRIES):
            if media is None:
                return Outcome.IGNORED
            refused = _refuse_claim(media, source, self._now())
            if refused is not None:
                return refused
            claimed = self._next(
                media,
                status=MediaStatus.PROCESSING,
                attempts=media.attempts + 1,
                source=source,
                reason=None,
                lease_until=leases.expiry(self._now(), deadline),
            )
            try:
                self._store.replace(claimed, expected_version=media.version)
            except Conflict:
                media = self._store.get(media.id)
                continue
            return claimed
        return Outcome.BUSY

    def _release(self, claimed: Media) -> None:
        """Give the claim up after our own failure, so the retry need not wait for the lease."""
        try:
            self._store.replace(
                self._next(claimed, lease_until=None), expected_version=claimed.version
            )
        except Exception:  # the lease runs out anyway; the original error matters more
            logger.exception("could not release the claim", extra={"media_id": claimed.id})

    def _finish(self, claimed: Media, status: MediaStatus, **fields: Any) -> Outcome:
        final = self._next(claimed, status=status, lease_until=None, **fields)
        try:
            self._store.replace(final, expected_version=claimed.version)
        except Conflict:
            logger.warning("claim lost before finishing", extra={"media_id": claimed.id})
            return Outcome.LOST
        logger.info("media final", extra={"media_id": claimed.id, "status": status.value})
        return Outcome.READY if status is MediaStatus.READY else Outcome.REJECTED

    # --- processing -----------------------------------------------------------------------

    def _process(self, media: Media, source: SourceObject) -> Result:
        limit = min(media.size, SIZE_LIMITS[media.purpose])
        if source.size is not None and source.size > limit:
            raise Rejected(
                "media_too_large",
                size=_bytes_text(source.size),
                limit=_bytes_text(limit),
                size_bytes=source.size,
                limit_bytes=limit,
            )
        head = self._objects.read_start(media.key, SNIFF_BYTES, version_id=source.version_id)
        sniffed = sniff(head)
        if sniffed is None:
            raise Rejected("media_type_unknown", declared=media.content_type)
        found_purpose = REAL_TYPE_PURPOSE.get(sniffed.mime)
        audio_in_mp4 = sniffed.may_be_audio_only and media.purpose is Purpose.AUDIO
        if found_purpose is not media.purpose and not audio_in_mp4:
            raise Rejected(
                "media_type_mismatch",
                detected_type=sniffed.mime,
                detected=sniffed.mime,
                declared=media.content_type,
                purpose=media.purpose.value,
            )
        try:
            return self._convert(media, source, sniffed)
        except Rejected as rejected:
            rejected.detected_type = rejected.detected_type or sniffed.mime
            raise

    def _convert(self, media: Media, source: SourceObject, sniffed: Sniffed) -> Result:
        """Download into a scratch folder (gone afterwards) and make the purpose's variants."""
        with tempfile.TemporaryDirectory(prefix="ingest-", dir=self._workdir) as workdir:
            local = Path(workdir) / "source"
            self._objects.download(media.key, local, version_id=source.version_id)
            if media.purpose is Purpose.DOCUMENT:
                return self._document(media, local)
            probe = _input(lambda: self._ffmpeg.probe(local, sniffed.demuxer or ""))
            if media.purpose is Purpose.AUDIO:
                return self._audio(media, sniffed, probe, local)
            if media.purpose is Purpose.IMAGE:
                return self._image(media, sniffed, probe, local)
            return self._video(media, sniffed, probe, local)

    def _audio(self, media: Media, sniffed: Sniffed, probe: Any, local: Path) -> Result:
        detected = sniffed.mime
        if sniffed.may_be_audio_only:
            if probe.video is not None:
                raise Rejected(
                    "media_type_mismatch",
                    detected=sniffed.mime,
                    declared=media.content_type,
                    purpose=media.purpose.value,
                )
            detected = "audio/mp4"
        if probe.audio is None:
            raise Rejected("media_no_audio")
        _check_duration(probe.duration_s)
        demuxer = sniffed.demuxer or ""
        scan = _input(lambda: self._ffmpeg.scan_loudness(local, demuxer, mono=True))
        if scan.silent:
            raise Rejected("media_silent")
        target = local.with_name("speaker.mp3")
        applied = _input(lambda: self._ffmpeg.speaker_mp3(local, demuxer, target, scan))
        loudness = self._ffmpeg.integrated_loudness(target)
        loudness = self._trim_loudness(target, loudness)
        made = self._ffmpeg.probe(target, "mp3")
        audio = made.audio
        variant = MediaVariant(
            name="speaker",
            key=f"{VARIANT_PREFIX}{media.id}/speaker.mp3",
            content_type="audio/mpeg",
            size=target.stat().st_size,
            bitrate=audio.bit_rate if audio else None,
            channels=audio.channels if audio else None,
            sample_rate=audio.sample_rate if audio else None,
            duration_s=_round(made.duration_s, 3),
            sha256=file_sha256(target),
        )
        self._objects.upload(target, variant.key, content_type=variant.content_type)
        logger.info(
            "speaker variant made",
            extra={
                "media_id": media.id,
                "input_lufs": scan.input_i,
                "output_lufs": loudness,
                "mode": applied.normalization_type,
            },
        )
        return Result(
            detected_type=detected,
            variants=[variant],
            duration_s=_round(probe.duration_s or made.duration_s, 3),
            loudness_lufs=round(loudness, 1),
        )

    def _trim_loudness(self, speaker: Path, loudness: float) -> float:
        """Gain trims until the speaker file is within the tolerance (the limiter holding the
        peaks gives each less than asked, hence a few rounds); the best kept; its loudness."""
        best_file, best, last, gain = None, loudness, loudness, 0.0
        for round_ in range(TRIM_ROUNDS):
            if abs(best - LOUDNESS_TARGET_LUFS) <= LOUDNESS_TOLERANCE_LU:
                break
            gain += LOUDNESS_TARGET_LUFS - last
            candidate = speaker.with_name(f"speaker-trim-{round_}.mp3")
            self._ffmpeg.trim_gain(speaker, candidate, gain)
            last = self._ffmpeg.integrated_loudness(candidate)
            if abs(last - LOUDNESS_TARGET_LUFS) < abs(best - LOUDNESS_TARGET_LUFS):
                best_file, best = candidate, last
        if best_file is not None:
            best_file.replace(speaker)
        return best

    def _image(self, media: Media, sniffed: Sniffed, probe: Any, local: Path) -> Result:
        picture = probe.video or next((s for s in probe.streams if s.kind == "video"), None)
        if picture is None or not picture.width or not picture.height:
            raise Rejected("media_undecodable")
        _check_pixels(picture.width, picture.height)
        suffix, content_type = (
            (".jpg", "image/jpeg") if sniffed.mime == "image/jpeg" else (".png", "image/png")
        )
        variants = []
        for size in BOARD_SIZES:
            target = local.with_name(f"{size.name}{suffix}")
            _input(partial(self._ffmpeg.fit_image, local, sniffed.demuxer or "", target, size))
            variants.append(self._store_variant(media, target, size, content_type))
        return Result(
            detected_type=sniffed.mime,
            variants=variants,
            width=picture.width,
            height=picture.height,
        )

    def _video(self, media: Media, sniffed: Sniffed, probe: Any, local: Path) -> Result:
        picture = probe.video
        if picture is None or not picture.width or not picture.height:
            raise Rejected("media_no_video")
        _check_pixels(picture.width, picture.height)
        _check_duration(probe.duration_s)
        demuxer = sniffed.demuxer or ""
        scan: LoudnessScan | None = None
        if probe.audio is not None:
            scan = _input(lambda: self._ffmpeg.scan_loudness(local, demuxer, mono=False))
            if scan.silent:
                scan = None  # nothing to normalise: the variants carry no sound
        sizes = [
            size
            for size in BOARD_SIZES
            if size.name != "fhd" or picture.width >= size.width or picture.height >= size.height
        ]
        variants = []
        loudness = None
        for size in sizes:
            target = local.with_name(f"{size.name}.mp4")
            _input(partial(self._ffmpeg.fit_video, local, demuxer, target, size, scan))
            made = self._ffmpeg.probe(target, "mov")
            if scan is not None and loudness is None:
                loudness = self._ffmpeg.integrated_loudness(target)
            variants.append(
                self._store_variant(
                    media,
                    target,
                    size,
                    "video/mp4",
                    bitrate=made.bit_rate,
                    duration_s=_round(made.duration_s, 3),
                )
            )
        return Result(
            detected_type=sniffed.mime,
            variants=variants,
            duration_s=_round(probe.duration_s, 3),
            loudness_lufs=round(loudness, 1) if loudness is not None else None,
            width=picture.width,
            height=picture.height,
        )

    def _document(self, media: Media, local: Path) -> Result:
        with local.open("rb") as document:
            document.seek(max(0, local.stat().st_size - 2048))
            if b"%%EOF" not in document.read():
                raise Rejected("media_undecodable")
        variant = MediaVariant(
            name="document",
            key=f"{VARIANT_PREFIX}{media.id}/document.pdf",
            content_type="application/pdf",
            size=local.stat().st_size,
            sha256=file_sha256(local),
        )
        self._objects.upload(local, variant.key, content_type=variant.content_type)
        return Result(detected_type="application/pdf", variants=[variant])

    def _store_variant(
        self,
        media: Media,
        path: Path,
        size: BoardSize,
        content_type: str,
        **extra: Any,
    ) -> MediaVariant:
        variant = MediaVariant(
            name=size.name,
            key=f"{VARIANT_PREFIX}{media.id}/{path.name}",
            content_type=content_type,
            size=path.stat().st_size,
            width=size.width,
            height=size.height,
            sha256=file_sha256(path),
            **extra,
        )
        self._objects.upload(path, variant.key, content_type=content_type)
        return variant


def _refuse_claim(media: Media, source: SourceObject, now: datetime) -> Outcome | None:
    """Why this notification may not claim ``media`` now, or ``None`` when it may."""
    if media.status in (MediaStatus.AWAITING_UPLOAD, MediaStatus.FAILED):
        return None
    same = media.source is not None and media.source.same_version(source)
    if media.status in FINAL:
        return Outcome.DUPLICATE if same else Outcome.IGNORED  # the first final version stays
    # Processing: wait for a live claim; a dead worker's claim is taken over.
    if media.lease_until is not None and media.lease_until > now:
        return Outcome.BUSY
    return None


def _input[T](step: Callable[[], T]) -> T:
    """Run a step that decodes the upload: its failure is the file's (rejected), not ours."""
    try:
        return step()
    except Undecodable as error:
        logger.info("upload does not decode", extra={"detail": error.detail})
        raise Rejected("media_undecodable") from error


def _check_duration(duration_s: float | None) -> None:
    if duration_s is None:
        return  # streams without a declared length: the decode pass decides
    if duration_s > DURATION_MAX_S:
        raise Rejected(
            "media_too_long", duration_min=round(duration_s / 60), limit_min=DURATION_MAX_S // 60
        )
    if duration_s < DURATION_MIN_S:
        raise Rejected("media_too_short", duration_s=round(duration_s, 2), limit_s=DURATION_MIN_S)


def _check_pixels(width: int, height: int) -> None:
    if width * height > IMAGE_MAX_PIXELS:
        raise Rejected(
            "media_too_many_pixels",
            width=width,
            height=height,
            limit_mp=IMAGE_MAX_PIXELS // 1_000_000,
        )


def _bytes_text(size: int) -> str:
    """A size as people read it: ``1.7 MB``, ``980 KB``, ``512 B``."""
    if size >= MB:
        return f"{size / MB:.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} B"


def _round(value: float | None, digits: int) -> float | None:
    return round(value, digits) if value is not None else None


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
