"""A command staff send is shown as confirmed once the device reports: a volume command
through ``POST /devices/{thing}/commands`` to a simulated device (the device SDK over mTLS)
reads ``done`` at ``GET /devices/{thing}/commands/{id}`` and the device shows the volume."""

import pytest

from tests.integration.test_emergency_delivery import fleet, provision, wait_until

pytestmark = pytest.mark.integration

__all__ = ["fleet"]  # the fixture, shared


def test_a_volume_command_is_shown_confirmed_when_the_device_reports(api, tmp_path, fleet):
    running, _heard = fleet
    [device] = running.start([provision(api, tmp_path, "21550")])
    assert running.wait_connected(timeout_s=20) == 1
    thing = device.config.thing
    assert wait_until(
        lambda: api.get(f"/devices/{thing}", as_user="xa-operator").json()["volume"] is not None
    )
    volume = 33 if device.settings.volume != 33 else 34

    sent = api.post(
        f"/devices/{thing}/commands", {"command": "volume", "value": volume}, as_user="xa-operator"
    )
    assert sent.status_code == 202, sent.text
    assert sent.json()["status"] == "sent"
    command_id = sent.json()["command_id"]

    def status() -> dict:
        answer = api.get(f"/devices/{thing}/commands/{command_id}", as_user="huyen-operator")
        assert answer.status_code == 200, answer.text
        return answer.json()

    assert wait_until(lambda: status()["status"] == "done", timeout=10)
    assert status()["outcome"] == "reported"
    assert device.player.volume == volume
    assert api.get(f"/devices/{thing}", as_user="xa-operator").json()["volume"] == volume
    missing = api.get(f"/devices/{thing}/commands/khong-co", as_user="xa-operator")
    assert missing.status_code == 404
    assert missing.json()["code"] == "command_not_found"
