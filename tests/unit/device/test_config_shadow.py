"""The config shadow: desired values are applied and reported back, which clears the delta."""

from tests.unit.device.support import THING


def test_first_connection_reports_current_settings_creating_the_shadow(kit):
    kit.device()

    reported = kit.shadows.reported(THING, "config")
    assert reported == {
        "volume": 70,
        "power": "on",
        "brightness": 80,
        "heartbeat_s": 60,
        "power_schedule": [],
    }


def test_applies_config_delta_and_reports_it(kit):
    device = kit.device()

    kit.shadows.set_desired(THING, "config", {"volume": 35, "brightness": 20})

    assert device.player.volume == 35
    assert device.player.brightness == 20
    assert kit.shadows.reported(THING, "config")["volume"] == 35
    assert kit.shadows.delta(THING, "config") == {}


def test_desired_config_waiting_while_offline_is_applied_on_connection(kit):
    kit.shadows.set_desired(THING, "config", {"volume": 90, "heartbeat_s": 120})

    device = kit.device()

    assert device.player.volume == 90
    assert device.settings.heartbeat_s == 120
    assert kit.shadows.delta(THING, "config") == {}


def test_an_invalid_value_is_refused_and_the_rest_applied(kit):
    device = kit.device()

    kit.shadows.set_desired(THING, "config", {"volume": 250, "power_schedule": [], "brightness": 5})

    assert device.player.volume == 70
    assert device.player.brightness == 5
    assert kit.shadows.delta(THING, "config") == {"volume": 250}  # stays visible to operators
    assert kit.named("dropped")


def test_power_off_stops_the_programme_item_and_skips_the_next(kit):
    body = kit.manifest([kit.item("i1", 1, 10), kit.item("i2", 20, 10)])
    device = kit.device()
    kit.publish_manifest(body)
    kit.sched.advance(120)
    assert device.player.current.key == "i1"

    kit.shadows.set_desired(THING, "config", {"power": "off"})
    kit.sched.advance(30 * 60)

    assert device.player.current is None
    results = [(r["bulletin_id"], r["result"], r.get("reason")) for r in kit.records()]
    assert results == [("b-i1", "interrupted", "power off"), ("b-i2", "skipped", "power off")]


def test_power_schedule_keeps_items_outside_its_windows_silent(kit):
    # T0 is 07:00 local (a Friday); the window opens at 07:15.
    body = kit.manifest([kit.item("early", 5, 5), kit.item("late", 20, 5)])
    schedule = [{"days": [1, 2, 3, 4, 5, 6, 7], "on": "07:15", "off": "21:00"}]
    kit.shadows.set_desired(THING, "config", {"power_schedule": schedule})
    kit.device()
    kit.publish_manifest(body)

    kit.sched.advance(30 * 60)

    results = [(r["bulletin_id"], r["result"]) for r in kit.records()]
    assert results == [("b-early", "skipped"), ("b-late", "ok")]
