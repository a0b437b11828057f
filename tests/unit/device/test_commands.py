"""Commands on nguon/devices/{thing}/commands: reboot, play_now, stop; one answer per id."""

from tests.unit.device.support import THING


def test_play_now_plays_at_once_over_the_programme(kit):
    device = kit.device()
    kit.publish_manifest(kit.manifest([kit.item("i1", 0, 10)]))

    kit.command("play_now", "c-1", bulletin_id="b-77", text="Mời bà con họp tổ dân phố lúc 19 giờ.")

    assert device.player.current.key == "c-1"
    assert device.player.current.bulletin_id == "b-77"
    assert kit.results()[-1]["status"] == "done"
    kit.sched.advance(10)
    assert device.player.current.key == "i1"  # the cut item restarts afterwards
    assert [(r["bulletin_id"], r["result"]) for r in kit.records()] == [
        ("b-i1", "interrupted"),
        ("b-77", "ok"),
    ]


def test_play_now_of_media_not_cached_fetches_it_first(kit):
    device = kit.device()
    media = kit.media("now.mp3", b"audio", duration_s=12)

    kit.command("play_now", "c-1", media=media)

    assert device.player.current.media_path.read_bytes() == b"audio"
    assert device.player.current.requested_s == 12


def test_play_now_without_anything_to_play_fails(kit):
    kit.device()

    kit.command("play_now", "c-1", bulletin_id="b-1")

    assert kit.results()[-1]["status"] == "failed"


def test_stop_stops_the_current_item_which_does_not_come_back(kit):
    device = kit.device()
    kit.publish_manifest(kit.manifest([kit.item("i1", 0, 10)]))

    kit.command("stop", "c-2")
    kit.sched.advance(60)

    assert device.player.current is None
    assert kit.results()[-1] == {
        "thing": THING,
        "command_id": "c-2",
        "status": "done",
        "detail": "stopped",
        "at": kit.results()[-1]["at"],
    }
    assert kit.records()[-1]["result"] == "interrupted"


def test_stop_stops_an_emergency_too(kit):
    device = kit.device()
    kit.publish_alert(kit.alert("al-1", repeat=3))

    kit.command("stop", "c-3")

    assert device.player.current is None
    kit.publish_alert(kit.alert("al-1"))  # a late copy of the same version stays stopped
    assert device.player.current is None


def test_reboot_disconnects_reconnects_and_resets_uptime(kit):
    device = kit.device()
    kit.sched.advance(600)

    kit.command("reboot", "c-4")
    kit.sched.advance(1.5)
    assert not device.online
    kit.sched.advance(5)

    assert device.online
    assert device.transport.connects == 2
    assert kit.results()[-1]["status"] == "done"
    last = kit.broker.sent(f"nguon/devices/{THING}/heartbeat")[-1].json()
    assert (last["seq"], last["uptime_s"]) == (0, 2)


def test_a_duplicate_command_id_is_answered_once(kit):
    kit.device()

    kit.command("play_now", "c-5", text="Một lần thôi.")
    kit.command("play_now", "c-5", text="Một lần thôi.")

    assert [r["command_id"] for r in kit.results()] == ["c-5"]
    assert len(kit.started) == 1


def test_an_answer_given_while_offline_is_sent_after_reconnection(kit):
    kit.device()
    kit.broker.hold_acks = True
    kit.command("stop", "c-6")
    kit.broker.drop(THING)  # the result's PUBACK is lost
    kit.broker.hold_acks = False

    kit.broker.restore(THING)

    assert [r["command_id"] for r in kit.results()] == ["c-6", "c-6"]
