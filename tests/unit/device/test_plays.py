"""Proof-of-play: batched (at most 50), kept on disk until the PUBACK, resent after
reconnection, never duplicated by the device."""

from nguon_device.plays import PlayLog
from tests.unit.device.support import THING


def many_items(kit, count, minutes=1):
    return [kit.item(f"i{n:03d}", n * minutes, minutes, duration_s=30) for n in range(count)]


def test_records_are_published_in_batches_of_at_most_50(kit):
    kit.device()
    kit.publish_manifest(kit.manifest(many_items(kit, 120)))
    kit.broker.drop(THING)  # nothing sent while offline: 120 records wait
    kit.sched.advance(121 * 60)

    kit.broker.restore(THING)

    batches = [m.json()["records"] for m in kit.broker.sent(f"nguon/devices/{THING}/plays")]
    assert all(1 <= len(batch) <= 50 for batch in batches)
    published = [r["play_id"] for batch in batches for r in batch]
    assert len(published) == len(set(published)) == 120


def test_records_are_batched_by_the_flush_delay(kit):
    kit.device(plays_flush_s=300)
    kit.publish_manifest(kit.manifest(many_items(kit, 4)))

    kit.sched.advance(4 * 60 + 1)  # four plays end within the five minutes
    kit.sched.advance(300)

    batches = [m.json()["records"] for m in kit.broker.sent(f"nguon/devices/{THING}/plays")]
    assert [len(batch) for batch in batches] == [4]


def test_records_are_kept_until_acknowledged_and_resent_after_reconnection(kit, tmp_path):
    device = kit.device()
    kit.publish_manifest(kit.manifest(many_items(kit, 2)))
    kit.broker.hold_acks = True
    kit.sched.advance(3 * 60)
    assert len(kit.broker.sent(f"nguon/devices/{THING}/plays")) == 1
    assert len(device.plays) == 2  # sent, not acknowledged

    kit.broker.drop(THING)  # the PUBACK never comes
    assert len(device.plays) == 2
    assert len(PlayLog(tmp_path / THING / "plays.jsonl")) == 2  # on disk, survives a restart
    kit.broker.hold_acks = False
    kit.broker.restore(THING)

    assert len(device.plays) == 0
    assert PlayLog(tmp_path / THING / "plays.jsonl").pending() == []
    first, again = (m.json()["records"] for m in kit.broker.sent(f"nguon/devices/{THING}/plays"))
    ids = [r["play_id"] for r in again]
    assert [r["play_id"] for r in first] == ids[:1]  # resent under the same play_id
    assert len(ids) == len(set(ids)) == 2


def test_no_second_batch_while_one_is_in_flight(kit):
    device = kit.device()
    kit.publish_manifest(kit.manifest(many_items(kit, 3)))
    kit.broker.hold_acks = True

    kit.sched.advance(4 * 60)

    sent = [m.json()["records"] for m in kit.broker.sent(f"nguon/devices/{THING}/plays")]
    assert len(sent) == 1
    kit.broker.hold_acks = False
    kit.broker.release_acks()
    sent = [
        r["play_id"]
        for m in kit.broker.sent(f"nguon/devices/{THING}/plays")
        for r in m.json()["records"]
    ]
    assert len(sent) == len(set(sent)) == 3
    assert len(device.plays) == 0


def test_a_restarted_device_sends_what_it_had_not_delivered(kit):
    first = kit.device()
    kit.publish_manifest(kit.manifest(many_items(kit, 2)))
    kit.broker.drop(THING)
    kit.sched.advance(3 * 60)
    first.stop()
    kit.broker.restore(THING)

    kit.device()  # same cache directory, connects at start

    published = [r["bulletin_id"] for r in kit.published_plays()]
    assert published == ["b-i000", "b-i001"]


def test_the_buffer_holds_a_play_id_once():
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        log = PlayLog(Path(folder) / "plays.jsonl")
        record = {
            "play_id": "t:i:2026",
            "bulletin_id": "b",
            "started_at": "x",
            "ended_at": "x",
            "result": "ok",
        }
        assert log.add(record)
        assert not log.add(dict(record))
        assert len(PlayLog(Path(folder) / "plays.jsonl")) == 1
