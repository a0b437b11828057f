"""Attaching media to a bulletin: only ready media the author may use."""

from datetime import datetime

import pytest

from nguon.clock import localize
from nguon.errors import Conflict, NotFound
from nguon.models.bulletins import BulletinContent, BulletinPatch
from nguon.models.principal import Role
from nguon.services.bulletins import BulletinService
from nguon.services.unit_catalogue import load_bundled_catalogue
from nguon.services.units import UnitService
from tests.factories import person
from tests.fakes import InMemoryBulletinStore, InMemoryUnitStore

editor = person("xa-editor", "21550", Role.EDITOR)
STATES = {"ready-1": "ready", "ready-2": "ready", "busy": "processing"}


def ready_media(principal, media_id):
    if media_id not in STATES:
        raise NotFound("media_not_found", media=media_id)
    if STATES[media_id] != "ready":
        raise Conflict("media_not_ready", media=media_id, status=STATES[media_id])


@pytest.fixture
def service():
    return BulletinService(
        UnitService(InMemoryUnitStore(load_bundled_catalogue())),
        InMemoryBulletinStore(),
        now=lambda: localize(datetime(2026, 11, 26, 9, 0)),
        ready_media=ready_media,
    )


def content(**changes):
    data = {
        "title": "Thông báo lịch cắt điện",
        "body": "Điện lực Quy Nhơn thông báo lịch cắt điện ngày 28/11.",
        "category": "other",
        "targets": ["21550"],
        "schedule": {"type": "once", "at": "2026-11-27T06:00:00+07:00"},
    }
    return BulletinContent.model_validate({**data, **changes})


def test_ready_media_attaches(service):
    assert service.create(editor, content(media=["ready-1"])).media == ["ready-1"]


@pytest.mark.parametrize(("media", "error"), [("busy", Conflict), ("ghost", NotFound)])
def test_media_not_ready_or_unknown_is_refused(service, media, error):
    with pytest.raises(error):
        service.create(editor, content(media=[media]))


def test_an_edit_checks_only_what_it_adds(service):
    bulletin = service.create(editor, content(media=["ready-1"]))
    STATES["ready-1"] = "processing"  # re-processing meanwhile: already attached, kept
    try:
        patch = BulletinPatch(version=bulletin.version, media=["ready-1", "ready-2"])
        assert service.update(editor, bulletin.id, patch).media == ["ready-1", "ready-2"]
        with pytest.raises(Conflict):
            service.update(editor, bulletin.id, BulletinPatch(version=2, media=["busy"]))
    finally:
        STATES["ready-1"] = "ready"
