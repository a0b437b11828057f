"""Playing the programme by the clock, from the cache when offline or after a restart."""

from datetime import timedelta

from nguon_device.timeutil import iso
from tests.unit.device.support import T0, THING


def results(kit, thing=THING):
    return [(r["bulletin_id"], r["result"], r.get("reason")) for r in kit.records(thing)]


def test_plays_items_by_the_clock(kit):
    items = [kit.item("i1", 10, 5), kit.item("i2", 30, 10, duration_s=120)]
    device = kit.device()
    kit.publish_manifest(kit.manifest(items))

    kit.sched.advance(10 * 60 - 1)
    assert device.player.current is None
    kit.sched.advance(1)
    assert device.player.current.key == "i1"
    kit.sched.advance(5 * 60)
    assert device.player.current is None
    kit.sched.advance(15 * 60)
    assert device.player.current.key == "i2"
    kit.sched.advance(120)
    assert device.player.current is None

    first, second = kit.records()
    assert (first["started_at"], first["ended_at"]) == (
        iso(T0 + timedelta(minutes=10)),
        iso(T0 + timedelta(minutes=15)),
    )
    assert first["play_id"] == f"{THING}:i1:{first['started_at']}"
    assert first["requested_s"] == 300
    assert (second["result"], second["requested_s"]) == ("ok", 120)
    assert kit.started[0][2] == 600  # the hook's monotonic time


def test_an_item_whose_slot_is_running_when_the_manifest_arrives_starts_from_the_beginning(kit):
    device = kit.device()
    kit.sched.advance(3 * 60)

    kit.publish_manifest(kit.manifest([kit.item("i1", 0, 10)]))

    assert device.player.current.key == "i1"
    kit.sched.advance(10 * 60)
    assert results(kit) == [("b-i1", "ok", None)]


def test_keeps_playing_from_cache_while_offline(kit):
    device = kit.device()
    kit.publish_manifest(kit.manifest([kit.item("i1", 10, 5), kit.item("i2", 60, 5)]))
    kit.broker.drop(THING)

    kit.sched.advance(2 * 3600)

    assert not device.online
    assert results(kit) == [("b-i1", "ok", None), ("b-i2", "ok", None)]
    assert kit.published_plays() == []


def test_a_restarted_device_plays_the_cached_programme_without_a_connection(kit):
    first = kit.device()
    kit.publish_manifest(kit.manifest([kit.item("i1", 30, 5)]))
    first.stop()

    again = kit.device(thing=THING, online=False)
    kit.sched.advance(31 * 60)

    assert again.adopted.version == "v1"
    assert again.player.current.key == "i1"


def test_an_item_withdrawn_from_a_new_manifest_stops_at_once(kit):
    device = kit.device()
    kit.publish_manifest(kit.manifest([kit.item("i1", 0, 10), kit.item("i2", 20, 5)]), version="v1")
    assert device.player.current.key == "i1"

    kit.publish_manifest(kit.manifest([kit.item("i2", 20, 5)], version="v2"), version="v2")

    assert device.player.current is None
    assert results(kit) == [("b-i1", "interrupted", "withdrawn from the programme")]


def test_an_item_overrunning_its_slot_is_cut_when_the_next_is_due(kit):
    # i1 asks 15 minutes in a 10-minute slot; i2 starts at 10.
    items = [kit.item("i1", 0, 10, duration_s=900), kit.item("i2", 10, 5)]
    device = kit.device()
    kit.publish_manifest(kit.manifest(items))

    kit.sched.advance(10 * 60)

    assert device.player.current.key == "i2"
    assert results(kit) == [("b-i1", "interrupted", "overran its slot")]


def test_a_speaker_item_without_text_whose_media_is_missing_fails(kit):
    media = kit.media("gone.mp3", b"x")
    kit.http.files.clear()  # the media URL now answers 404
    device = kit.device()
    kit.publish_manifest(kit.manifest([kit.item("i1", 1, 5, text=None, media=media)]))

    kit.sched.advance(2 * 60)

    assert device.player.current is None
    assert results(kit) == [("b-i1", "failed", "media not cached")]


def test_a_board_shows_items_too(kit):
    device = kit.device(thing="bang-21550-01", kind="board")
    kit.publish_manifest(kit.manifest([kit.item("p1", 1, 5)], kind="board"), thing="bang-21550-01")

    kit.sched.advance(61)

    assert device.player.current.key == "p1"
