"""Bulletins get their voice: queued once on approval, per area voice, progress, failure, retry."""

from datetime import datetime, timedelta
from itertools import count

import pytest

from nguon.clock import localize
from nguon.errors import Conflict, Forbidden
from nguon.leases import lease_length
from nguon.models.bulletins import AuditAction, BulletinContent
from nguon.models.principal import Role
from nguon.models.voices import VoiceStatus
from nguon.services.bulletins import BulletinService
from nguon.services.unit_catalogue import load_bundled_catalogue
from nguon.services.units import UnitService
from nguon.services.voices import AreaVoices, SpokenAudio, VoiceService
from tests.factories import person
from tests.fakes import InMemoryBulletinStore, InMemoryUnitStore, InMemoryVoiceStore

NOW = localize(datetime(2026, 11, 26, 9, 0))
editor = person("xa-editor", "21550", Role.EDITOR)
approver = person("huyen-approver", "540", Role.APPROVER)
operator = person("tinh-operator", "52", Role.OPERATOR)
tayson_editor = person("tayson-editor", "547", Role.EDITOR)
province_editor = person("tinh-editor", "52", Role.EDITOR)
province_approver = person("tinh-approver", "52", Role.APPROVER)


class Speaker:
    def __init__(self):
        self.calls: list[tuple[str, str]] = []
        self.fail_with: Exception | None = None

    def speak(self, text, voice, on_progress):
        self.calls.append((text, voice))
        if self.fail_with:
            raise self.fail_with
        for step in range(1, 5):
            on_progress(step / 4)
        return SpokenAudio(mp3=b"ID3" + voice.encode(), duration_s=42.4)


class Media:
    def __init__(self):
        self.recorded: set[str] = set()
        self.stored: list[tuple[str, str]] = []

    def has_recorded_audio(self, media_ids):
        return any(media_id in self.recorded for media_id in media_ids)

    def store_speech(self, bulletin, voice, audio):
        self.stored.append((bulletin.id, voice))
        return f"m-{bulletin.id}-{voice}"


@pytest.fixture
def world(monkeypatch):
    # Every progress call writes: the throttle is for the table, not for the rules.
    monkeypatch.setattr("nguon.services.voices.PROGRESS_EVERY_S", 0.0)
    units = UnitService(InMemoryUnitStore(load_bundled_catalogue()))
    store = InMemoryBulletinStore()
    ids = count(1)
    bulletins = BulletinService(units, store, now=lambda: NOW, new_id=lambda: f"b{next(ids)}")
    jobs, media, speaker, queued = InMemoryVoiceStore(), Media(), Speaker(), []
    voices = VoiceService(
        units,
        store,
        bulletins.record_voice,
        jobs,
        media,
        areas=AreaVoices(units, jobs, "vi-vn-x-central"),
        queue=queued.append,
        speaker=lambda: speaker,
        now=lambda: NOW,
    )

    class World:
        pass

    world = World()
    world.__dict__.update(
        units=units,
        store=store,
        bulletins=bulletins,
        jobs=jobs,
        media=media,
        speaker=speaker,
        queued=queued,
        voices=voices,
        areas=voices._areas,
    )
    return world


def approved(world, author=editor, by=approver, **changes):
    data = {
        "title": "Lịch tiêm chủng",
        "body": "Trạm y tế phường Nhơn Bình thông báo lịch tiêm chủng tháng 12.",
        "category": "health",
        "targets": ["21550"],
        "schedule": {"type": "once", "at": "2026-12-01T06:00:00+07:00"},
    }
    data.update(changes)
    draft = world.bulletins.create(author, BulletinContent.model_validate(data))
    world.bulletins.submit(author, draft.id)
    return world.bulletins.approve(by, draft.id)


def test_approval_makes_the_voice_once_even_when_the_event_comes_twice(world):
    bulletin = approved(world)
    first = world.voices.request(bulletin.id)
    again = world.voices.request(bulletin.id)
    assert first.status is VoiceStatus.QUEUED
    assert again == first  # one job
    # Its message may go twice (the first asking cannot be told from one that failed to
    # send); the worker makes the voice once.
    for message in world.queued:
        world.voices.generate(message["bulletin_id"])
    assert world.speaker.calls == [(world.speaker.calls[0][0], "vi-vn-x-central")]
    assert world.jobs.get(bulletin.id).status is VoiceStatus.READY


def test_a_queue_that_failed_after_the_job_was_written_loses_nothing(world):
    bulletin = approved(world)
    sent = []

    def flaky(message):
        if not sent:
            sent.append("failed")
            raise ConnectionError("SQS unavailable")
        world.queued.append(message)

    world.voices._queue = flaky
    with pytest.raises(ConnectionError):
        world.voices.request(bulletin.id)  # the stream will deliver the approval again
    world.voices.request(bulletin.id)
    assert world.queued == [{"kind": "bulletin_voice", "bulletin_id": bulletin.id}]
    assert world.voices.generate(bulletin.id).status is VoiceStatus.READY


def test_a_job_another_worker_holds_is_left_alone_until_its_lease_is_over(world, monkeypatch):
    bulletin = approved(world)
    world.voices.request(bulletin.id)
    job = world.jobs.get(bulletin.id)
    world.jobs.jobs[bulletin.id] = job.model_copy(update={"status": VoiceStatus.GENERATING})
    assert world.voices.generate(bulletin.id).status is VoiceStatus.GENERATING
    assert world.speaker.calls == []
    monkeypatch.setattr(world.voices, "_now", lambda: NOW + lease_length() + timedelta(seconds=1))
    assert world.voices.generate(bulletin.id).status is VoiceStatus.READY


def test_binh_dinh_speaks_central_by_default_and_an_area_setting_wins(world):
    world.jobs.set_area_voice("547", "vi-vn-x-south")  # Tây Sơn district
    bulletin = approved(
        world, province_editor, province_approver, targets=["21550", "21808"]
    )  # Nhơn Bình and a Tây Sơn commune
    assert world.voices.voices_for(bulletin) == ["vi-vn-x-central", "vi-vn-x-south"]
    view = world.areas.area_voice("21808")
    assert (view.voice, view.inherited_from) == ("vi-vn-x-south", "547")
    assert world.areas.area_voice("21550").inherited_from is None


def test_generation_attaches_one_recording_per_voice_and_measures_the_length(world):
    world.jobs.set_area_voice("547", "vi-vn-x-south")
    bulletin = approved(world, province_editor, province_approver, targets=["21550", "21808"])
    world.voices.request(bulletin.id)
    job = world.voices.generate(bulletin.id)
    assert job.status is VoiceStatus.READY
    assert job.progress == 1.0
    assert job.media == {
        "vi-vn-x-central": f"m-{bulletin.id}-vi-vn-x-central",
        "vi-vn-x-south": f"m-{bulletin.id}-vi-vn-x-south",
    }
    text = world.speaker.calls[0][0]
    assert text.startswith("Lịch tiêm chủng. Trạm y tế")
    voiced = world.store.get(bulletin.id)
    assert voiced.voice_media == job.media
    assert voiced.duration_s == 42  # measured replaces the estimate
    assert voiced.version == bulletin.version + 1
    assert world.store.history(bulletin.id)[-1].action is AuditAction.VOICED
    # Progress was visible while it ran, and only moved forward.
    progress = [w.progress for w in world.jobs.writes if w.status is VoiceStatus.GENERATING]
    assert progress == sorted(progress)
    assert 0 < progress[-1] < 1
    # A redelivered message does not make it again.
    assert world.voices.generate(bulletin.id).status is VoiceStatus.READY
    assert len(world.speaker.calls) == 2


def test_the_editors_length_is_kept(world):
    bulletin = approved(world, duration_s=90)
    world.voices.request(bulletin.id)
    world.voices.generate(bulletin.id)
    assert world.store.get(bulletin.id).duration_s == 90


def test_a_failure_shows_its_cause_and_an_editor_can_retry(world):
    bulletin = approved(world)
    world.voices.request(bulletin.id)
    world.speaker.fail_with = RuntimeError("espeak-ng: voice data missing")
    failed = world.voices.generate(bulletin.id)
    assert failed.status is VoiceStatus.FAILED
    assert failed.error == "RuntimeError: espeak-ng: voice data missing"
    assert world.store.get(bulletin.id).voice_media == {}
    with pytest.raises(Forbidden):
        world.voices.retry(tayson_editor, bulletin.id)
    world.speaker.fail_with = None
    retried = world.voices.retry(editor, bulletin.id)
    assert (retried.status, retried.attempts) == (VoiceStatus.QUEUED, 2)
    # Asking again while it waits sends its message again, nothing more.
    assert world.voices.retry(editor, bulletin.id) == retried
    assert world.voices.generate(bulletin.id).status is VoiceStatus.READY
    generating = world.jobs.get(bulletin.id).model_copy(update={"status": VoiceStatus.GENERATING})
    world.jobs.jobs[bulletin.id] = generating
    with pytest.raises(Conflict):
        world.voices.retry(editor, bulletin.id)  # a worker is on it


def test_no_voice_for_recorded_audio_or_for_boards_only(world):
    world.media.recorded.add("rec-1")
    with_audio = approved(world, media=["rec-1"])
    boards_only = approved(world, channels=["board"])
    assert world.voices.request(with_audio.id) is None
    assert world.voices.request(boards_only.id) is None
    assert world.queued == []


def test_a_bulletin_withdrawn_before_its_turn_gets_no_voice(world):
    bulletin = approved(world)
    world.voices.request(bulletin.id)
    world.bulletins.withdraw(approver, bulletin.id, "Sai lịch, sẽ gửi lại")
    assert world.voices.generate(bulletin.id).status is VoiceStatus.NOT_NEEDED
    assert world.speaker.calls == []


def test_area_voice_is_set_by_operators_in_scope(world):
    view = world.areas.set_area_voice(operator, "540", "vi")
    assert (view.voice, view.inherited_from) == ("vi", "540")
    assert world.areas.voice_of("21550") == "vi"
    with pytest.raises(Forbidden):
        world.areas.set_area_voice(editor, "21550", "vi")
