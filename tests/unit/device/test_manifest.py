"""The playback shadow's manifest: fetched, verified, cached; a bad one never replaces one."""

import json

from tests.unit.device.support import THING, sha


def test_manifest_is_fetched_verified_cached_and_reported(kit, tmp_path):
    body = kit.manifest([kit.item("i1", 10, 5)], version="v7")
    device = kit.device()

    ref = kit.publish_manifest(body, version="v7")

    assert device.adopted.version == "v7"
    assert (tmp_path / THING / "manifests" / f"{ref['sha256']}.json").read_bytes() == body
    reported = kit.shadows.reported(THING, "playback")
    assert reported["manifest_version"] == "v7"
    assert reported["cached_until"] == json.loads(body)["valid_until"]
    assert reported.get("emergency_id") is None  # reported null deletes the key, as in AWS
    assert kit.shadows.delta(THING, "playback") == {}


def test_manifest_checksum_mismatch_rejected_and_old_cache_kept(kit):
    good = kit.manifest([kit.item("i1", 10, 5)], version="v1")
    device = kit.device()
    kit.publish_manifest(good, version="v1")

    bad = kit.manifest([kit.item("evil", 1, 5)], version="v2")
    kit.publish_manifest(bad, version="v2", digest=sha(b"something else"))

    assert device.adopted.version == "v1"
    assert kit.shadows.reported(THING, "playback")["manifest_version"] == "v1"
    assert "SHA-256 mismatch" in kit.named("manifest_failed")[0]["error"]
    kit.sched.advance(20 * 60)
    assert [r["bulletin_id"] for r in kit.records()] == ["b-i1"]


def test_a_manifest_that_breaks_the_schema_is_rejected(kit):
    body = json.dumps({"schema": 1, "items": "none"}).encode()
    device = kit.device()

    kit.publish_manifest(body, version="broken")

    assert device.adopted is None
    assert "invalid" in kit.named("manifest_failed")[0]["error"]


def test_a_manifest_for_the_other_kind_of_device_is_rejected(kit):
    device = kit.device()

    kit.publish_manifest(kit.manifest([kit.item("i1", 1, 1)], kind="board"))

    assert device.adopted is None


def test_failed_fetch_is_retried_with_backoff_until_it_works(kit):
    device = kit.device()
    kit.http.down = True
    kit.publish_manifest(kit.manifest([kit.item("i1", 60, 5)]))
    assert device.adopted is None
    first_tries = len(kit.http.requests)

    kit.sched.advance(15 * 60)
    assert len(kit.http.requests) > first_tries + 1  # retried, more than once
    kit.http.down = False
    kit.sched.advance(20 * 60)

    assert device.adopted.version == "v1"


def test_media_are_fetched_verified_and_played_from_the_cache(kit):
    audio = b"ID3 fake mp3 bytes"
    media = kit.media("bulletin.mp3", audio, duration_s=90)
    device = kit.device()
    kit.publish_manifest(kit.manifest([kit.item("i1", 1, 5, media=media)]))

    kit.sched.advance(61)

    assert device.player.current.media_path.read_bytes() == audio
    assert device.player.current.requested_s == 90


def test_media_with_a_wrong_checksum_is_not_kept_and_the_speaker_reads_the_text(kit):
    media = kit.media("bulletin.mp3", b"real bytes")
    media["sha256"] = sha(b"other bytes")
    device = kit.device()
    kit.publish_manifest(kit.manifest([kit.item("i1", 1, 5, media=media)]))

    kit.sched.advance(61)

    assert device.adopted.version == "v1"  # the programme is not held back by one file
    assert device.player.current.media_path is None
    assert device.player.current.text
    assert any("SHA-256 mismatch" in e for e in device.errors)
