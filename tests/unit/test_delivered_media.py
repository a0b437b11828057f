"""Manifest items carry what devices play: the recording, else the area's voice; the board image."""

import json
from datetime import datetime

import pytest

from nguon.models.bulletins import Actor, AuditAction
from nguon.models.media import Media, MediaStatus, MediaVariant, Purpose
from nguon.services.delivered_media import DeliveredMedia
from nguon.services.fanout import FanoutService
from nguon.services.programmes import ProgrammeService
from nguon.services.unit_catalogue import load_bundled_catalogue
from nguon.services.units import UnitService
from tests.device_contract import schema_validator
from tests.factories import at, bulletin
from tests.fakes import InMemoryBulletinStore, InMemoryProgrammeStore, InMemoryUnitStore
from tests.unit.test_fanout import FLEET, Manifests, Plane

WHEN = datetime(2026, 11, 26, 9, 0)


def media(media_id, purpose, *variants, status=MediaStatus.READY):
    return Media(
        id=media_id,
        status=status,
        version=3,
        purpose=purpose,
        content_type="audio/wav" if purpose is Purpose.AUDIO else "image/png",
        size=1000,
        file_name="x",
        key=f"uploads/21550/{media_id}/x",
        unit="21550",
        uploaded_by=Actor(user_id="u", username="u", unit="21550"),
        created_at=WHEN,
        updated_at=WHEN,
        upload_expires_at=WHEN,
        variants=[
            MediaVariant(
                name=name,
                key=f"media/{media_id}/{name}",
                content_type=kind,
                size=10,
                duration_s=12.5 if kind == "audio/mpeg" else None,
                sha256=f"{ord(media_id[-1]):064x}",
            )
            for name, kind in variants
        ],
    )


LIBRARY = {
    m.id: m
    for m in (
        media("rec1", Purpose.AUDIO, ("speaker", "audio/mpeg")),
        media("tts-central", Purpose.AUDIO, ("speaker", "audio/mpeg")),
        media("tts-south", Purpose.AUDIO, ("speaker", "audio/mpeg")),
        media("img1", Purpose.IMAGE, ("fhd", "image/jpeg"), ("hd", "image/jpeg")),
        media("busy", Purpose.AUDIO, status=MediaStatus.PROCESSING),
    )
}
VOICES = {"21808": "vi-vn-x-south"}


def delivered():
    return DeliveredMedia(
        type("Lookup", (), {"get": staticmethod(LIBRARY.get)})(),
        link=lambda key: f"https://media.example/{key}?signed",
        voice_of=lambda code: VOICES.get(code, "vi-vn-x-central"),
    )


VOICED = {"vi-vn-x-central": "tts-central", "vi-vn-x-south": "tts-south"}


@pytest.mark.parametrize(
    ("fields", "commune", "kind", "expected"),
    [
        ({"media": ["rec1"], "voice_media": VOICED}, "21550", "speaker", "rec1"),
        ({"voice_media": VOICED}, "21550", "speaker", "tts-central"),
        ({"voice_media": VOICED}, "21808", "speaker", "tts-south"),
        ({"voice_media": {"vi-vn-x-central": "tts-central"}}, "21808", "speaker", "tts-central"),
        ({"media": ["busy"]}, "21550", "speaker", None),
        ({"media": ["rec1", "img1"]}, "21550", "board", "img1"),
        ({}, "21550", "speaker", None),
    ],
)
def test_what_each_device_gets(fields, commune, kind, expected):
    made = bulletin(targets=["21550", "21808"], issuer="52", **fields)
    reference = delivered().for_item(made, commune, kind)
    if expected is None:
        assert reference is None
        return
    variant = "speaker" if kind == "speaker" else "hd"
    assert reference["url"] == f"https://media.example/media/{expected}/{variant}?signed"
    assert reference["sha256"] == LIBRARY[expected].variants[-1].sha256


def test_a_voiced_bulletin_reaches_the_manifests_with_its_audio():
    bulletins = InMemoryBulletinStore()
    units = UnitService(InMemoryUnitStore(load_bundled_catalogue()))
    manifests = Manifests()
    service = FanoutService(
        units=units,
        bulletins=bulletins,
        programmes=ProgrammeService(units, bulletins, InMemoryProgrammeStore()),
        devices=FLEET,
        manifests=manifests,
        iot=Plane(),
        now=lambda: at("05:00"),
        media=delivered,
    )
    made = bulletin(id="voiced", targets=["21550"], voice_media=VOICED)
    bulletins.bulletins[made.id] = made
    report = service.bulletin_changed("voiced", AuditAction.VOICED)
    assert report.manifests  # the voice arriving rebuilds what devices hold
    (body,) = [b for key, b in manifests.bodies.items() if key.startswith("21550/speaker")]
    manifest = json.loads(body)
    schema_validator("manifest.json").validate(manifest)
    (item,) = manifest["items"]
    assert item["media"]["url"].endswith("media/tts-central/speaker?signed")
    assert item["media"]["duration_s"] == 12.5
