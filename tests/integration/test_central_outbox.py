"""The outbox to the national system on the local cloud: a province bulletin approved through
the API reaches the fake national system through the table's stream (the template's filter,
the function's role as the local cloud enforces it), once, with its idempotency key; what the
stream did not deliver, the schedule's re-drive does; the province reads the status."""

import sys
import time

import pytest

from nguon.config import get_settings
from tests.days import day_from_today
from tests.fake_central import Behaviour, FakeCentral

FUNCTION = "CentralOutboxFunction"


@pytest.fixture
def central(cloud, monkeypatch):
    """The fake national system, and the function pointed at it (as CentralSystemUrl would:
    functions share this process's environment here)."""
    fake = FakeCentral().start()
    monkeypatch.setenv("NGUON_CENTRAL_URL", fake.url)

    def refresh() -> None:
        get_settings.cache_clear()
        module = sys.modules.get(f"_lambda_{FUNCTION}_app")
        if module is not None:
            module.delivery.cache_clear()

    refresh()
    yield fake
    monkeypatch.undo()
    refresh()
    fake.stop()


def approved_province_bulletin(api) -> str:
    day = day_from_today(3)
    body = {
        "title": "Sở Công Thương thông báo lịch cắt điện",
        "body": "Điện lực tỉnh thông báo lịch tạm ngừng cung cấp điện để bảo trì lưới điện.",
        "category": "other",
        "targets": ["540"],
        "schedule": {"type": "daily", "times": ["06:00"], "from": day, "until": day},
    }
    created = api.post("/bulletins", body, as_user="tinh-editor")
    assert created.status_code == 201, created.text
    bulletin_id = created.json()["id"]
    for action, user in (("submit", "tinh-editor"), ("approve", "tinh-approver")):
        done = api.post(f"/bulletins/{bulletin_id}/{action}", as_user=user)
        assert done.status_code == 200, done.text
    return bulletin_id


def wait_for(condition, seconds: float = 20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if found := condition():
            return found
        time.sleep(0.2)
    raise AssertionError("not in time")


def test_an_approved_province_bulletin_reaches_the_national_system_once(api, central):
    bulletin_id = approved_province_bulletin(api)
    key = f"bulletin-{bulletin_id}"
    wait_for(lambda: key in central.idempotency_keys())
    received = central.received[central.idempotency_keys().index(key)]
    assert received.path == "/bulletins"
    assert received.body["document"]["id"] == bulletin_id
    assert received.headers["Authorization"].startswith("Bearer ")

    def listed():
        page = api.get("/central/outbox?status=sent", as_user="tinh-viewer").json()
        return [i for i in page["items"] if i["id"] == key]

    (item,) = wait_for(listed)
    assert item["attempts"] == 1
    assert item["receipt"].startswith("TW-")
    refused = api.get("/central/outbox", as_user="huyen-admin")
    assert (refused.status_code, refused.json()["code"]) == (403, "out_of_scope")
    time.sleep(1)  # the claim's own write must not have sent it again
    assert central.idempotency_keys().count(key) == 1


def test_what_failed_on_the_stream_is_sent_by_the_re_drive(api, central, cloud):
    central.behaviour = Behaviour(fail_times=1)
    bulletin_id = approved_province_bulletin(api)
    key = f"bulletin-{bulletin_id}"
    wait_for(lambda: key in central.idempotency_keys())

    def status():
        page = api.get("/central/outbox?status=failed", as_user="tinh-viewer").json()
        return [i for i in page["items"] if i["id"] == key]

    (failed,) = wait_for(status)
    assert failed["last_error"].startswith("500")
    # Backoff set to the past for the test: the item is due; the schedule's run sends it.
    from datetime import timedelta

    from nguon.storage.central import DynamoOutboxStore

    store = DynamoOutboxStore()
    item = store.get(key)
    assert item is not None
    store.save(
        item.model_copy(
            update={
                "version": item.version + 1,
                "next_attempt_at": item.next_attempt_at - timedelta(hours=1),
            }
        ),
        item.version,
    )
    cloud.invoker.submit(FUNCTION, {"source": "aws.scheduler", "detail": {}})
    assert cloud.invoker.wait_idle(30)
    sent = store.get(key)
    assert sent is not None
    assert (sent.status.value, sent.attempts) == ("sent", 2)
    assert central.idempotency_keys().count(key) == 2
