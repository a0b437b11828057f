"""An approved emergency on the simulated fleet (the device SDK over mTLS), end to end:
heard by every device of its area and no other, caught up by a device that was offline while
it is valid and never after, stopped everywhere by withdrawal, its plays counted once."""

import threading
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from infra.tools.provision_device import write_bundle
from nguon_device.fleet import Fleet

pytestmark = pytest.mark.integration

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
OPERATORS = {"21550": "xa-operator", "21553": "huyen-operator", "21808": "xa-tayson-operator"}


class Heard:
    """What the fleet's players started, by device."""

    def __init__(self) -> None:
        self.plays: dict[str, list[str]] = {}
        self.stopped: dict[str, list[str]] = {}
        self.first_started: dict[str, float] = {}
        """The monotonic time each device first started an emergency."""
        self._lock = threading.Lock()

    def started(self, device, item, monotonic) -> None:
        if item.emergency:
            with self._lock:
                self.first_started.setdefault(device.config.thing, monotonic)
                self.plays.setdefault(device.config.thing, []).append(item.bulletin_id)

    def event(self, device, name, details) -> None:
        if name == "alert_stopped":
            with self._lock:
                self.stopped.setdefault(device.config.thing, []).append(details.get("alert_id"))

    def heard(self, bulletin_id: str) -> set[str]:
        with self._lock:
            return {thing for thing, ids in self.plays.items() if bulletin_id in ids}


def provision(api, tmp_path, unit: str, kind: str = "speaker") -> str:
    registration = {
        "kind": kind,
        "unit": unit,
        "name": f"Thiết bị thử {unit}",
        "location": {"lat": 13.9, "lon": 109.0},
        "vendor": "Nguồn",
        "model": "test",
    }
    response = api.post("/devices", registration, as_user=OPERATORS[unit])
    assert response.status_code == 201, response.text
    return str(write_bundle(response.json(), tmp_path / "bundles"))


def approved_emergency(api, *, valid_for: timedelta, targets=("540",), duration_s: int = 2) -> dict:
    now = datetime.now(ZONE).replace(microsecond=0)
    body = {
        "title": "Cảnh báo lũ quét khẩn cấp",
        "body": "Nước sông Hà Thanh lên nhanh; người dân vùng trũng di dời ngay.",
        "category": "disaster",
        "priority": "emergency",
        "targets": list(targets),
        "channels": ["speaker", "board"],
        "schedule": {"type": "once", "at": now.isoformat()},
        "valid_from": (now - timedelta(minutes=1)).isoformat(),
        "valid_until": (now + valid_for).isoformat(),
        "duration_s": duration_s,
    }
    created = api.post("/bulletins", body, as_user="huyen-editor")
    assert created.status_code == 201, created.text
    bulletin_id = created.json()["id"]
    assert api.post(f"/bulletins/{bulletin_id}/submit", as_user="huyen-editor").status_code == 200
    approved = api.post(f"/bulletins/{bulletin_id}/approve", as_user="huyen-approver")
    assert approved.status_code == 200, approved.text
    return approved.json()


def wait_until(check, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def fleet(tmp_path):
    heard = Heard()
    running = Fleet(
        on_playback_started=heard.started, on_event=heard.event, cache_root=tmp_path / "cache"
    )
    yield running, heard
    running.stop()


def test_emergency_is_heard_by_every_device_of_its_area_and_no_other(api, tmp_path, fleet):
    running, heard = fleet
    inside = [provision(api, tmp_path, "21550"), provision(api, tmp_path, "21553")]
    inside.append(provision(api, tmp_path, "21550", kind="board"))
    outside = provision(api, tmp_path, "21808")
    devices = running.start([*inside, outside])
    assert running.wait_connected(timeout_s=20) == 4
    things = {d.config.thing for d in devices}
    outside_thing = next(t for t in things if "-21808-" in t)

    bulletin = approved_emergency(api, valid_for=timedelta(minutes=30))

    assert wait_until(lambda: heard.heard(bulletin["id"]) == things - {outside_thing})
    time.sleep(1.0)  # and the device in Tây Sơn still has not played it
    assert outside_thing not in heard.heard(bulletin["id"])


def test_offline_device_plays_a_valid_emergency_on_reconnect_and_never_an_expired_one(
    api, tmp_path, fleet
):
    running, heard = fleet
    late = provision(api, tmp_path, "21550")
    too_late = provision(api, tmp_path, "21553")
    long_alert = approved_emergency(api, valid_for=timedelta(minutes=30))
    short_alert = approved_emergency(api, valid_for=timedelta(seconds=4))
    time.sleep(5)  # the short one has expired; both still sit in the playback shadows

    running.start([late, too_late])
    assert running.wait_connected(timeout_s=20) == 2

    assert wait_until(lambda: len(heard.heard(long_alert["id"])) == 2)
    time.sleep(1.0)
    assert heard.heard(short_alert["id"]) == set()


def test_withdrawal_stops_the_emergency_on_every_device(api, tmp_path, fleet):
    running, heard = fleet
    bundles = [provision(api, tmp_path, "21550"), provision(api, tmp_path, "21553")]
    devices = running.start(bundles)
    assert running.wait_connected(timeout_s=20) == 2
    bulletin = approved_emergency(api, valid_for=timedelta(minutes=30))
    assert wait_until(lambda: len(heard.heard(bulletin["id"])) == 2)

    withdrawn = api.post(
        f"/bulletins/{bulletin['id']}/withdraw",
        {"reason": "Báo nhầm khu vực"},
        as_user="huyen-approver",
    )

    assert withdrawn.status_code == 200, withdrawn.text
    things = {d.config.thing for d in devices}
    assert wait_until(
        lambda: {t for t, ids in heard.stopped.items() if bulletin["id"] in ids} == things
    )


def test_proof_of_play_reaches_the_cloud_once(api, tmp_path, fleet):
    running, heard = fleet
    [device] = running.start([provision(api, tmp_path, "21550")])
    assert running.wait_connected(timeout_s=20) == 1
    bulletin = approved_emergency(api, valid_for=timedelta(minutes=30))
    assert wait_until(lambda: heard.heard(bulletin["id"]))
    thing = device.config.thing
    today = datetime.now(ZONE).date().isoformat()

    def plays():
        response = api.get(f"/devices/{thing}/plays?from={today}&to={today}", as_user="xa-operator")
        return [p for p in response.json() if p["bulletin_id"] == bulletin["id"]]

    assert wait_until(lambda: len(plays()) >= 1, timeout=30)
    device.reboot()  # reconnects and resends anything not yet acknowledged
    assert running.wait_connected(timeout_s=20) == 1
    time.sleep(2)
    records = plays()
    assert len({p["play_id"] for p in records}) == len(records)


def test_the_devices_view_shows_an_emergency_playing_within_seconds_and_its_stop(
    api, tmp_path, fleet
):
    """Each start and stop is reported at once (not with the next minute's heartbeat), so
    ``GET /devices?unit=`` follows the district's devices live."""
    running, heard = fleet
    bundles = [provision(api, tmp_path, "21550"), provision(api, tmp_path, "21553")]
    devices = running.start(bundles)
    assert running.wait_connected(timeout_s=20) == 2
    things = {d.config.thing for d in devices}

    def playing() -> dict[str, str | None]:
        response = api.get("/devices?unit=540&limit=100", as_user="huyen-operator")
        assert response.status_code == 200, response.text
        return {
            d["thing"]: (d["playing"] or {}).get("bulletin_id")
            for d in response.json()["items"]
            if d["thing"] in things
        }

    bulletin = approved_emergency(api, valid_for=timedelta(minutes=30), duration_s=600)
    assert wait_until(lambda: heard.heard(bulletin["id"]) == things)
    assert wait_until(lambda: set(playing().values()) == {bulletin["id"]}, timeout=5)
    shown = time.monotonic() - max(heard.first_started.values())
    print(f"playing shown {shown:.2f} s after the last device started")
    assert shown < 5  # 2 s on a quiet machine; this one is shared

    withdrawn = api.post(
        f"/bulletins/{bulletin['id']}/withdraw", {"reason": "Báo nhầm"}, as_user="huyen-approver"
    )
    assert withdrawn.status_code == 200, withdrawn.text
    assert wait_until(lambda: set(playing().values()) == {None}, timeout=10)
