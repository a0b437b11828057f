"""The fleet: many devices in one process on one scheduler thread, started from bundles."""

import threading
import time

import pytest

from nguon_device.config import write_bundle
from nguon_device.fleet import Fleet
from nguon_device.loopback import LoopbackBroker
from nguon_device.timeutil import iso
from tests.unit.device.support import T0


class ThreadSafeBroker(LoopbackBroker):
    """The loopback broker is single-threaded; a fleet's scheduler thread and the test's thread
    both publish, so serialise them."""

    def __init__(self):
        super().__init__()
        self._guard = threading.RLock()

    def _enqueue(self, job):
        with self._guard:
            super()._enqueue(job)


def make_bundles(folder, count, kind="speaker"):
    return [
        write_bundle(
            folder / f"d{n:04d}",
            thing=f"loa-{n:04d}",
            kind=kind,
            host="loopback",
            port=0,
            areas=["52", "540", "21550" if n % 2 else "21551"],
        )
        for n in range(count)
    ]


def test_bundles_in_finds_every_bundle_folder(tmp_path):
    make_bundles(tmp_path, 3)
    (tmp_path / "notes").mkdir()

    assert [p.name for p in Fleet.bundles_in(tmp_path)] == ["d0000", "d0001", "d0002"]
    assert Fleet.bundles_in(tmp_path / "d0001") == [tmp_path / "d0001"]


def test_a_fleet_of_devices_plays_an_area_alert_on_every_device_of_the_area(tmp_path):
    broker = ThreadSafeBroker()
    started = {}
    fleet = Fleet(
        transport_factory=lambda config: broker.transport(config.thing),
        on_playback_started=lambda device, item, at: started.setdefault(
            device.thing, (item.key, at)
        ),
    )
    with fleet:
        fleet.start(make_bundles(tmp_path, 200))
        assert fleet.wait_connected(timeout_s=10) == 200
        threads = threading.active_count()
        alert = {
            "action": "start", "alert_id": "al-1", "version": 1, "issued_at": iso(T0),
            "valid_until": "2099-01-01T00:00:00Z", "text": "Lũ lên nhanh, sơ tán ngay.",
        }  # fmt: skip
        sent_at = time.monotonic()
        broker.publish("nguon/alerts/21550", alert)
        deadline = time.monotonic() + 10
        while len(started) < 100 and time.monotonic() < deadline:
            time.sleep(0.01)

    assert sorted(started) == [f"loa-{n:04d}" for n in range(1, 200, 2)]
    assert {key for key, _ in started.values()} == {"al-1:1"}
    assert max(at for _, at in started.values()) - sent_at < 5
    assert threads < 20  # one scheduler thread and a small pool, not one per device
    assert fleet.online == 0


def test_two_devices_with_one_thing_name_are_refused(tmp_path):
    broker = ThreadSafeBroker()
    bundles = make_bundles(tmp_path, 1)
    with Fleet(transport_factory=lambda config: broker.transport(config.thing)) as fleet:
        fleet.start(bundles)
        with pytest.raises(ValueError, match="already"):
            fleet.start(bundles)
