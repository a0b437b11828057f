"""Alerts to subscribers through the local cloud: a subscription confirmed by the code it was
sent, an emergency e-mailed (SES) and texted (SNS) once each — even when the stream record
comes again — its withdrawal sent to the same people, and an unsubscribe honoured (no more
messages, the contact gone from the table). What was sent is read from moto's own record of
it (``/moto-api/data.json``: SES ``Message`` and SNS ``SMS``)."""

import importlib.util
import json
import re
import time
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse
from zoneinfo import ZoneInfo

import boto3
import pytest
import requests

pytestmark = pytest.mark.integration

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
ROUTES = Path(__file__).parents[2] / "functions/portal/chalicelib/subscription_routes.py"
EMAIL = "nguoidan.nhonbinh@example.vn"
PHONE = "0905 123 456"
PHONE_E164 = "+84905123456"


class Outbox:
    """What SES and SNS accepted on the moto server."""

    def __init__(self, aws_url: str) -> None:
        self._url = f"{aws_url}/moto-api/data.json"
        self.seen_at = 0.0
        """When the last ``wait`` found what it waited for (monotonic)."""

    def _state(self) -> dict:
        return requests.get(self._url, timeout=10).json()

    def emails(self, to: str) -> list[dict]:
        messages = self._state().get("ses", {}).get("Message", [])
        return [m for m in messages if to in m["destinations"].get("ToAddresses", [])]

    def texts(self, to: str) -> list[dict]:
        return [m for m in self._state().get("sns", {}).get("SMS", []) if m["phone_number"] == to]

    def wait(self, read, count: int, timeout: float = 60.0) -> list[dict]:
        """Wait until ``read()`` holds ``count`` messages; then a little longer, to see that
        no more come."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = read()
            if len(found) >= count:
                self.seen_at = time.monotonic()
                time.sleep(1.5)
                return read()
            time.sleep(0.2)
        return read()


class Portal:
    """The subscription routes: over HTTP when the portal is deployed, else the same
    blueprint in-process (chalice.test.Client), against the same local cloud."""

    def __init__(self, endpoints: dict) -> None:
        self.url = endpoints.get("portal_url")
        if self.url is None:
            from chalice import Chalice
            from chalice.test import Client

            spec = importlib.util.spec_from_file_location("_routes_integration", ROUTES)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            app = Chalice("portal-under-test")
            app.register_blueprint(module.subscription_routes)
            self._client = Client(app)

    def post(self, path: str, fields: dict, *, form: bool = False):
        if form:
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
            body = urlencode(fields, doseq=True).encode()
        else:
            headers = {"Content-Type": "application/json", "Accept": "application/json"}
            body = json.dumps(fields).encode()
        if self.url:
            answer = requests.post(self.url + path, data=body, headers=headers, timeout=10)
            return answer.status_code, answer.text, dict(answer.headers)
        answer = self._client.http.post(path, headers=headers, body=body)
        return answer.status_code, answer.body.decode(), answer.headers

    def get(self, link: str):
        parsed = urlparse(link)
        path = f"{parsed.path.removeprefix(urlparse(self.url or '').path)}?{parsed.query}"
        if self.url:
            answer = requests.get(self.url + path, headers={"Accept": "text/html"}, timeout=10)
            return answer.status_code, answer.text
        answer = self._client.http.get(path, headers={"Accept": "text/html"})
        return answer.status_code, answer.body.decode()


@pytest.fixture(scope="module")
def outbox(endpoints) -> Outbox:
    return Outbox(endpoints["aws_endpoint_url"])


@pytest.fixture(scope="module")
def portal(endpoints) -> Portal:
    return Portal(endpoints)


def code_in(text: str) -> str:
    return re.findall(r"\b\d{6}\b", text)[0]


def subscribe(portal: Portal, outbox: Outbox, unit: str, channel: str, address: str) -> str:
    status, body, _ = portal.post(
        "/subscriptions", {"unit": unit, "channel": channel, "address": address}
    )
    assert status == 202, body
    subscription = json.loads(body)["id"]
    if channel == "email":
        (message,) = outbox.wait(lambda: outbox.emails(address), 1, timeout=20)
        code = code_in(message["subject"])
    else:
        (message,) = outbox.wait(lambda: outbox.texts(PHONE_E164), 1, timeout=20)
        code = code_in(message["message"])
    status, body, _ = portal.post(
        "/subscriptions/confirm", {"subscription": subscription, "code": code}, form=True
    )
    assert status == 200, body
    return subscription


def emergency(api, title: str) -> tuple[dict, float]:
    """An emergency for the district, approved; and when its approval was asked (monotonic)."""
    now = datetime.now(ZONE).replace(microsecond=0)
    body = {
        "title": title,
        "body": "Nước sông Hà Thanh lên nhanh; người dân vùng trũng di dời ngay.",
        "category": "disaster",
        "priority": "emergency",
        "targets": ["540"],
        "channels": ["speaker"],
        "schedule": {"type": "once", "at": now.isoformat()},
        "valid_from": (now - timedelta(minutes=1)).isoformat(),
        "valid_until": (now + timedelta(minutes=30)).isoformat(),
        "duration_s": 2,
    }
    created = api.post("/bulletins", body, as_user="huyen-editor")
    assert created.status_code == 201, created.text
    bulletin_id = created.json()["id"]
    assert api.post(f"/bulletins/{bulletin_id}/submit", as_user="huyen-editor").status_code == 200
    approving = time.monotonic()
    approved = api.post(f"/bulletins/{bulletin_id}/approve", as_user="huyen-approver")
    assert approved.status_code == 200, approved.text
    return approved.json(), approving


def redeliver_approval(cloud, endpoints, bulletin_id: str) -> None:
    """The approval's stream record, handed to the function once more (a retried batch)."""
    dynamodb = boto3.client(
        "dynamodb", endpoint_url=endpoints["aws_endpoint_url"], region_name=endpoints["region"]
    )
    events = dynamodb.query(
        TableName=endpoints["table_name"],
        KeyConditionExpression="PK = :pk AND begins_with(SK, :event)",
        ExpressionAttributeValues={
            ":pk": {"S": f"BULLETIN#{bulletin_id}"},
            ":event": {"S": "EVENT#"},
        },
    )["Items"]
    (approval,) = [e for e in events if json.loads(e["doc"]["S"])["action"] == "approved"]
    record = {
        "eventID": "redelivered",
        "eventName": "INSERT",
        "eventSource": "aws:dynamodb",
        "eventSourceARN": "arn:aws:dynamodb:local:000000000000:table/nguon/stream/again",
        "dynamodb": {
            "Keys": {"PK": approval["PK"], "SK": approval["SK"]},
            "NewImage": approval,
            "SequenceNumber": "1",
            "StreamViewType": "NEW_IMAGE",
        },
    }
    cloud.invoker.submit("NotifyFunction", {"Records": [record]})
    assert cloud.invoker.wait_idle(timeout=20)


def test_subscribers_get_an_emergency_once_its_withdrawal_and_nothing_after_unsubscribing(
    api, cloud, endpoints, portal, outbox
):
    # Given a commune's subscriber by e-mail and a district's by text message, confirmed
    mail_subscription = subscribe(portal, outbox, "21550", "email", EMAIL)
    subscribe(portal, outbox, "540", "sms", PHONE)

    # When the district approves an emergency for the district
    alert, approving = emergency(api, "Cảnh báo lũ quét khẩn cấp")

    # Then both get it within the minute, once, even when the stream record comes again
    mails = outbox.wait(
        lambda: [m for m in outbox.emails(EMAIL) if alert["title"] in m["subject"]], 1
    )
    mailed = outbox.seen_at
    texts = outbox.wait(
        lambda: [m for m in outbox.texts(PHONE_E164) if alert["title"] in m["message"]], 1
    )
    elapsed = max(mailed, outbox.seen_at) - approving
    assert len(mails) == 1
    assert len(texts) == 1
    assert elapsed < 60
    print(f"emergency e-mailed and texted {elapsed:.1f} s after the approval request")
    redeliver_approval(cloud, endpoints, alert["id"])
    assert len([m for m in outbox.emails(EMAIL) if alert["title"] in m["subject"]]) == 1
    assert len([m for m in outbox.texts(PHONE_E164) if alert["title"] in m["message"]]) == 1
    (mail,) = mails
    assert mail["subject"].startswith("[KHẨN CẤP]")
    assert mail["source"] == "canhbao@thongbao.binhdinh.gov.vn"
    link = re.search(r"https?://\S+/subscriptions/unsubscribe\?token=\S+", mail["body"]).group(0)

    # When it is withdrawn, the cancellation reaches the same two
    withdrawn = api.post(
        f"/bulletins/{alert['id']}/withdraw",
        {"reason": "Báo nhầm khu vực"},
        as_user="huyen-approver",
    )
    assert withdrawn.status_code == 200, withdrawn.text
    cancelled = outbox.wait(
        lambda: [m for m in outbox.emails(EMAIL) if m["subject"].startswith("[HỦY]")], 1
    )
    assert len(cancelled) == 1
    assert "Báo nhầm khu vực" in cancelled[0]["body"]
    assert outbox.wait(lambda: [m for m in outbox.texts(PHONE_E164) if "[HỦY]" in m["message"]], 1)

    # When the e-mail subscriber clicks the link in the message
    status, page = portal.get(link)
    assert status == 200, page
    assert "Thông tin liên hệ của bạn đã được xóa" in page
    token = parse_qs(urlparse(link).query)["token"][0]
    assert token.startswith(mail_subscription)

    # Then the contact is gone from the table, and the next emergency does not reach it
    table = boto3.resource(
        "dynamodb", endpoint_url=endpoints["aws_endpoint_url"], region_name=endpoints["region"]
    ).Table(endpoints["table_name"])
    assert (
        table.query(
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={":pk": f"SUBSCRIBER#{mail_subscription}"},
        )["Items"]
        == []
    )
    # repr: binary attributes (hashes) have no text form; the address must appear in none.
    assert EMAIL not in json.dumps(table.scan()["Items"], default=repr)
    before = len(outbox.emails(EMAIL))
    second, _ = emergency(api, "Cảnh báo sạt lở đất")
    assert outbox.wait(
        lambda: [m for m in outbox.texts(PHONE_E164) if second["title"] in m["message"]], 1
    )
    assert len(outbox.emails(EMAIL)) == before
