"""Fan-out: one publish per area, small shadows, manifests that devices can trust."""

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta

import jsonschema
import pytest

from nguon.adapters.manifests import manifest_bytes
from nguon.models.bulletins import AuditAction, Status
from nguon.services.fanout import FanoutService
from nguon.services.programmes import ProgrammeService
from nguon.services.unit_catalogue import load_bundled_catalogue
from nguon.services.units import UnitService
from tests.device_contract import schema_validator
from tests.factories import DAY, at, bulletin
from tests.fakes import (
    InMemoryBulletinStore,
    InMemoryDailyCounts,
    InMemoryProgrammeStore,
    InMemoryUnitStore,
)


@dataclass
class Device:
    thing: str
    kind: str
    unit: str


class Devices:
    def __init__(self, *devices: Device) -> None:
        self.devices = list(devices)

    def in_units(self, units):
        return [d for d in self.devices if d.unit in set(units)]

    def all_active(self):
        return list(self.devices)


class Plane:
    def __init__(self) -> None:
        self.published: list[tuple[str, dict]] = []
        self.desired: dict[tuple[str, str], dict] = {}

    def publish(self, topic, message, qos=1):
        self.published.append((topic, message))

    def update_desired(self, thing, shadow, desired):
        _merge(self.desired.setdefault((thing, shadow), {}), desired)
        return 1

    def get_shadow(self, thing, shadow):
        desired = self.desired.get((thing, shadow))
        return {"state": {"desired": desired}} if desired is not None else None


def _merge(current: dict, patch: dict) -> None:
    """Shadow merge: objects merge, None deletes (as IoT Core does)."""
    for key, value in patch.items():
        if value is None:
            current.pop(key, None)
        elif isinstance(value, dict):
            _merge(current.setdefault(key, {}), value)
        else:
            current[key] = value


class Manifests:
    def __init__(self) -> None:
        self.bodies: dict[str, bytes] = {}
        self.resigned = 0

    def put_alert(self, alert_id, version, body):
        key = f"alerts/{alert_id}/{version}"
        self.bodies[key] = body
        return {"version": str(version), "url": f"https://s3/{key}", "sha256": _sha(body)}

    def alert_link(self, alert_id, version):
        self.resigned += 1
        return f"https://s3/alerts/{alert_id}/{version}?signed={self.resigned}"

    def put(self, unit, kind, version, body):
        key = f"{unit}/{kind}/{version}"
        self.bodies[key] = body
        return {"version": version, "url": f"https://s3/{key}", "sha256": _sha(body)}


def _sha(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


# Quy Nhơn (540): wards 21550, 21553; Tây Sơn (550): 21808.
FLEET = Devices(
    Device("loa-21550-a", "speaker", "21550"),
    Device("bang-21550-a", "board", "21550"),
    Device("loa-21553-a", "speaker", "21553"),
    Device("loa-21808-a", "speaker", "21808"),
)


@pytest.fixture
def world():
    bulletins = InMemoryBulletinStore()
    units = UnitService(InMemoryUnitStore(load_bundled_catalogue()))
    plane, manifests = Plane(), Manifests()
    clock = {"now": at("07:00")}
    service = FanoutService(
        units=units,
        bulletins=bulletins,
        programmes=ProgrammeService(units, bulletins, InMemoryProgrammeStore()),
        devices=FLEET,
        manifests=manifests,
        iot=plane,
        now=lambda: clock["now"],
    )
    return service, bulletins, plane, manifests, clock


def _store(bulletins: InMemoryBulletinStore, made):
    bulletins.bulletins[made.id] = made
    return made


def _flood(**fields):
    defaults = {"id": "flood", "issuer": "540", "targets": ["540"]}
    return bulletin(
        priority="emergency",
        at_time="07:00",
        category="disaster",
        valid_from=at("06:59"),
        valid_until=at("09:00"),
        **(defaults | fields),
    )


def test_approved_emergency_is_published_once_per_target_area_not_per_device(world):
    service, bulletins, plane, _, _ = world
    _store(bulletins, _flood())

    report = service.bulletin_changed("flood", AuditAction.APPROVED)

    assert [topic for topic, _ in plane.published] == ["nguon/alerts/540"]
    message = plane.published[0][1]
    assert message["action"] == "start"
    assert message["alert_id"] == "flood"
    assert message["valid_until"] == "2026-12-01T09:00:00+07:00"
    assert report.published == ["nguon/alerts/540"]


def held(plane, thing):
    return plane.desired.get((thing, "playback"), {}).get("emergencies", {})


def test_emergency_stays_in_the_shadows_of_the_area_only_as_a_small_reference(world):
    service, bulletins, plane, manifests, _ = world
    _store(bulletins, _flood(body="Nước lên nhanh. " * 600))  # 9,600 characters

    service.bulletin_changed("flood", AuditAction.APPROVED)

    holding = {thing for (thing, _), d in plane.desired.items() if d.get("emergencies")}
    assert holding == {"loa-21550-a", "bang-21550-a", "loa-21553-a"}
    reference = held(plane, "loa-21550-a")["flood"]
    assert set(reference) == {"alert_id", "version", "valid_from", "valid_until", "url", "sha256"}
    shadow = json.dumps(plane.desired[("loa-21550-a", "playback")], ensure_ascii=False)
    assert len(shadow.encode()) < 8192
    document = json.loads(manifests.bodies["alerts/flood/1"])
    assert _sha(manifests.bodies["alerts/flood/1"]) == reference["sha256"]
    assert document["text"].startswith("Nước lên nhanh.")


def test_two_emergencies_in_force_are_both_held(world):
    service, bulletins, plane, _, _ = world
    _store(bulletins, _flood())
    _store(bulletins, _flood(id="storm", targets=["21550"], issuer="21550"))

    service.bulletin_changed("flood", AuditAction.APPROVED)
    service.bulletin_changed("storm", AuditAction.APPROVED)

    assert sorted(held(plane, "loa-21550-a")) == ["flood", "storm"]
    assert sorted(held(plane, "loa-21553-a")) == ["flood"]


def test_withdrawn_emergency_is_stopped_live_and_cleared_from_shadows(world):
    service, bulletins, plane, _, _ = world
    flood = _store(bulletins, _flood())
    service.bulletin_changed("flood", AuditAction.APPROVED)
    _store(bulletins, flood.model_copy(update={"status": Status.WITHDRAWN, "version": 2}))

    service.bulletin_changed("flood", AuditAction.WITHDRAWN)

    assert plane.published[-1] == (
        "nguon/alerts/540",
        {
            "action": "stop",
            "alert_id": "flood",
            "version": 2,
            "issued_at": "2026-12-01T07:00:00+07:00",
        },
    )
    assert held(plane, "loa-21553-a") == {}


def test_emergency_approved_after_its_expiry_is_not_sent_live(world):
    service, bulletins, plane, _, clock = world
    _store(bulletins, _flood())
    clock["now"] = at("09:30")

    service.bulletin_changed("flood", AuditAction.APPROVED)

    assert [m["action"] for _, m in plane.published] == ["stop"]
    assert all(not d.get("emergencies") for d in plane.desired.values())


def test_emergency_for_later_plays_from_the_manifest_not_live(world):
    service, bulletins, plane, _, _ = world
    later = bulletin(
        id="later",
        priority="emergency",
        at_time="15:00",
        issuer="540",
        targets=["540"],
        category="disaster",
        valid_from=at("14:59"),
        valid_until=at("16:00"),
    )
    _store(bulletins, later)

    service.bulletin_changed("later", AuditAction.APPROVED)

    assert plane.published == []
    assert ("loa-21550-a", "playback") in plane.desired  # the manifest reference changed


def test_normal_bulletin_updates_manifests_of_its_commune_only(world):
    service, bulletins, plane, manifests, _ = world
    _store(bulletins, bulletin(id="news", times=["17:00"], issuer="21550"))

    report = service.bulletin_changed("news", AuditAction.APPROVED)

    assert plane.published == []
    assert sorted(thing for thing, _ in plane.desired) == ["bang-21550-a", "loa-21550-a"]
    reference = plane.desired[("loa-21550-a", "playback")]["manifest"]
    body = manifests.bodies[f"21550/speaker/{reference['version']}"]
    assert reference["sha256"] == _sha(body)
    manifest = json.loads(body)
    assert [item["bulletin_id"] for item in manifest["items"]] == ["news"]
    assert manifest["items"][0]["start"] == "2026-12-01T17:00:00+07:00"
    assert len(report.manifests) == 2


def test_manifest_version_is_stable_for_the_same_programme(world):
    service, bulletins, _, _, _ = world
    _store(bulletins, bulletin(id="news", times=["17:00"], issuer="21550"))
    commune = load_bundled_catalogue_unit("21550")

    first = service.build_manifest(commune, "speaker")
    again = service.build_manifest(commune, "speaker")

    assert first["version"] == again["version"]
    assert manifest_bytes(first) == manifest_bytes(again)


def test_manifest_and_alert_follow_the_device_contract(world):
    service, bulletins, plane, _, _ = world
    _store(bulletins, _flood())
    _store(bulletins, bulletin(id="news", times=["17:00"], issuer="21550"))
    commune = load_bundled_catalogue_unit("21550")

    schema_validator("manifest.json").validate(service.build_manifest(commune, "speaker"))
    service.bulletin_changed("flood", AuditAction.APPROVED)
    schema_validator("alert.json").validate(plane.published[0][1])
    shadow = plane.desired[("loa-21550-a", "playback")]
    schema_validator("shadow-playback.json").validate(shadow)
    with pytest.raises(jsonschema.ValidationError):
        schema_validator("alert.json").validate({"action": "start", "alert_id": "x"})


def test_manifest_covers_48_hours_from_now(world):
    service, bulletins, _, _, _ = world
    _store(bulletins, bulletin(id="early", times=["06:00"], issuer="21550"))
    _store(bulletins, bulletin(id="late", times=["17:00"], issuer="21550"))
    commune = load_bundled_catalogue_unit("21550")

    manifest = service.build_manifest(commune, "speaker")

    assert [item["bulletin_id"] for item in manifest["items"]] == ["late"]  # 06:00 has passed
    assert manifest["valid_until"] == "2026-12-03T07:00:00+07:00"
    assert DAY in manifest["valid_from"]


def test_hourly_refresh_clears_expired_emergencies(world):
    service, bulletins, plane, _, clock = world
    _store(bulletins, _flood())
    service.bulletin_changed("flood", AuditAction.APPROVED)
    clock["now"] = at("09:05")

    service.refresh()

    assert held(plane, "loa-21550-a") == {}


def test_hourly_refresh_re_signs_the_links_of_emergencies_in_force(world):
    service, bulletins, plane, manifests, clock = world
    _store(bulletins, _flood())
    service.bulletin_changed("flood", AuditAction.APPROVED)
    before = dict(held(plane, "loa-21550-a")["flood"])
    clock["now"] = at("08:05")

    service.refresh()

    for thing in ("loa-21550-a", "bang-21550-a", "loa-21553-a"):
        after = held(plane, thing)["flood"]
        assert after["url"] != before["url"]
        assert after | {"url": before["url"]} == before  # only the link changes
    assert manifests.resigned == 1  # one new link per alert document, not one per device


def load_bundled_catalogue_unit(code):
    return next(u for u in load_bundled_catalogue() if u.code == code)


def test_new_device_gets_its_communes_manifest_and_no_other_device_is_touched(world):
    service, bulletins, plane, _, _ = world
    _store(bulletins, bulletin(id="news", times=["17:00"], issuer="21550"))

    service.devices_added("21550", ["loa-21550-a"])

    assert list(plane.desired) == [("loa-21550-a", "playback")]
    assert plane.published == []


def test_each_manifest_build_records_the_days_planned_plays_for_the_overview(world):
    _, bulletins, plane, manifests, clock = world
    units = UnitService(InMemoryUnitStore(load_bundled_catalogue()))
    counts = InMemoryDailyCounts()
    service = FanoutService(
        units=units,
        bulletins=bulletins,
        programmes=ProgrammeService(units, bulletins, InMemoryProgrammeStore()),
        devices=FLEET,
        manifests=manifests,
        iot=plane,
        now=lambda: clock["now"],
        planned=counts.set_planned,
    )
    # 06:00 has passed at 07:00 and is still today's plan; the speakers' channel only.
    _store(bulletins, bulletin(id="news", times=["06:00", "17:00"], issuer="21550"))

    service.bulletin_changed("news", AuditAction.APPROVED)

    today = clock["now"].date()
    assert counts.planned[("21550", today, "speaker")] == 2
    assert counts.planned[("21550", today, "board")] == 0
    assert counts.planned[("21550", today + timedelta(days=1), "speaker")] == 0
