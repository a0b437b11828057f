"""Small rules under the device: play ids, the power schedule, wire times, topic matching, the
real scheduler."""

import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest

from nguon_device import topics
from nguon_device.clock import ThreadScheduler
from nguon_device.programme import play_id, speaking_time_s
from nguon_device.settings import Settings
from nguon_device.timeutil import iso, parse_time

VN = timezone(timedelta(hours=7))


def test_play_id_is_thing_key_and_start_and_fits_the_contract():
    start = datetime(2026, 11, 27, 7, 0, 0, 123456, tzinfo=UTC)

    assert play_id("loa-1", "i1", start) == "loa-1:i1:2026-11-27T07:00:00.123Z"
    long = play_id("t" * 128, "k" * 200, start)
    assert len(long) <= 200
    assert long == play_id("t" * 128, "k" * 200, start)  # still deterministic


def test_wire_times_are_utc_with_z_and_milliseconds():
    moment = datetime(2026, 11, 27, 14, 30, tzinfo=VN)

    assert iso(moment) == "2026-11-27T07:30:00.000Z"
    assert parse_time("2026-11-27T07:30:00Z") == moment
    with pytest.raises(ValueError, match="offset"):
        parse_time("2026-11-27T07:30:00")  # no offset: refused, not guessed


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        (datetime(2026, 11, 27, 6, 59), False),  # Friday before the window
        (datetime(2026, 11, 27, 7, 0), True),
        (datetime(2026, 11, 28, 12, 0), False),  # Saturday: not listed
        (datetime(2026, 11, 27, 23, 30), True),  # overnight window, Friday evening
        (datetime(2026, 11, 28, 4, 0), True),  # ... and the small hours after it
        (datetime(2026, 11, 28, 5, 0), False),
    ],
)
def test_power_schedule_windows_in_local_time(local, expected):
    settings = Settings(
        power_schedule=[
            {"days": [1, 2, 3, 4, 5], "on": "07:00", "off": "11:00"},
            {"days": [5], "on": "22:00", "off": "05:00"},
        ]
    )

    assert settings.powered(local.replace(tzinfo=VN), VN) is expected


def test_power_off_wins_over_the_schedule():
    settings = Settings(power="off")

    assert not settings.powered(datetime(2026, 11, 27, 8, 0, tzinfo=VN), VN)


def test_speaking_time_uses_media_duration_else_reading_speed():
    assert speaking_time_s("speaker", "x", {"duration_s": 42}) == 42
    assert speaking_time_s("speaker", " ".join(["từ"] * 50), None) == 21
    assert speaking_time_s("board", "ngắn", None) == 30


@pytest.mark.parametrize(
    ("topic_filter", "topic", "expected"),
    [
        ("nguon/alerts/52", "nguon/alerts/52", True),
        ("nguon/devices/+/plays", "nguon/devices/loa-1/plays", True),
        ("nguon/devices/+/plays", "nguon/devices/loa-1/heartbeat", False),
        ("nguon/#", "nguon/devices/loa-1/commands/result", True),
        ("#", "$aws/things/x/shadow/name/config/get", False),
        ("$aws/things/+/shadow/name/+/get", "$aws/things/x/shadow/name/config/get", True),
    ],
)
def test_topic_filters_match_as_mqtt_does(topic_filter, topic, expected):
    assert topics.matches(topic_filter, topic) is expected


def test_the_thread_scheduler_runs_timers_in_order_and_hands_back_background_work():
    scheduler = ThreadScheduler().start()
    seen, done = [], threading.Event()
    try:
        scheduler.call_later(0.05, lambda: seen.append("late"))
        scheduler.call_later(0.01, lambda: seen.append("early"))
        scheduler.call_later(0.02, lambda: seen.append("cancelled")).cancel()
        scheduler.run_in_background(
            lambda: threading.current_thread().name,
            lambda name, error: (
                seen.append(("worker", name.startswith("nguon-scheduler-io"))),
                done.set(),
            ),
        )
        assert done.wait(2)
        time_limit = threading.Event()
        scheduler.call_later(0.08, time_limit.set)
        assert time_limit.wait(2)
    finally:
        scheduler.stop()

    assert [s for s in seen if isinstance(s, str)] == ["early", "late"]
    assert ("worker", True) in seen
