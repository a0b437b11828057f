"""The portal's subscription routes (a Chalice Blueprint) through chalice.test.Client, in moto:
the form flow a phone without JavaScript follows, the same in JSON, a flood refused with 429
and Retry-After, and the one-click unsubscribe. What would be sent is read from the table's
subscription (the stream sends it on the local cloud)."""

import importlib.util
import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import boto3
import pytest
from aws_lambda_powertools.utilities import parameters
from chalice import Chalice
from chalice.test import Client

from nguon import assembly
from nguon.config import get_settings
from tests.unit.subscription_world import SECRET, create_table

ROUTES = Path(__file__).parents[2] / "functions/portal/chalicelib/subscription_routes.py"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
JSON = {"Content-Type": "application/json", "Accept": "application/json"}


@pytest.fixture
def routes() -> Iterator[object]:
    from moto import mock_aws

    # A fresh copy of the module: Chalice's Blueprint loses its routes' methods once
    # registered (chalice 1.34 pops them from the options it keeps), so the portal's own
    # app must never share the blueprint object a test registered.
    spec = importlib.util.spec_from_file_location("_subscription_routes_under_test", ROUTES)
    subscription_routes = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(subscription_routes)

    with mock_aws():
        create_table()
        settings = get_settings()
        boto3.client("secretsmanager", region_name=settings.region).create_secret(
            Name=settings.subscription_secret, SecretString=SECRET
        )
        for cache in (assembly.units, subscription_routes.subscription_service):
            cache.cache_clear()
        parameters.clear_caches()
        from nguon.services.unit_catalogue import load_bundled_catalogue

        assembly.units().load(load_bundled_catalogue())
        yield subscription_routes
        for cache in (assembly.units, subscription_routes.subscription_service):
            cache.cache_clear()
        parameters.clear_caches()


@pytest.fixture
def client(routes) -> Iterator[Client]:
    app = Chalice("test")
    app.register_blueprint(routes.subscription_routes)
    with Client(app) as test_client:
        yield test_client


def code_for(routes, subscription_id: str) -> str:
    """The code the stream would send: derived from the key, never stored."""
    service = routes.subscription_service()
    return service.keys.code(subscription_id, 1)


def test_a_citizen_subscribes_and_confirms_with_forms_alone(client, routes):
    blank = client.http.get("/subscriptions?unit=21550")
    assert blank.status_code == 200
    html = blank.body.decode()
    assert "Phường Nhơn Bình" in html
    assert '<form method="post" action="/subscriptions">' in html
    assert '<input type="hidden" name="unit" value="21550">' in html
    assert html.count('name="categories"') == 7
    assert '<div hidden aria-hidden="true">' in html  # the honeypot, out of people's way
    assert client.http.get("/subscriptions?unit=99999").status_code == 404

    form = urlencode(
        [
            ("unit", "21550"),
            ("channel", "email"),
            ("address", "Lan@Example.vn"),
            ("categories", "health"),
            ("categories", "disaster"),
        ]
    )
    page = client.http.post("/subscriptions", headers=FORM, body=form.encode())

    assert page.status_code == 202
    html = page.body.decode()
    assert page.headers["Content-Type"].startswith("text/html")
    assert 'lang="vi"' in html
    assert "Mã xác nhận" in html
    assert "lan@example.vn" not in html.lower()  # the contact is never echoed
    action = re.search(r'<form method="post" action="([^"]+)"', html).group(1)
    subscription = re.search(r'name="subscription" value="([a-z2-7]{26})"', html).group(1)
    assert action == "/subscriptions/confirm"

    wrong = client.http.post(
        action,
        headers=FORM,
        body=urlencode({"subscription": subscription, "code": "12345"}).encode(),
    )
    assert wrong.status_code == 422
    assert f'value="{subscription}"' in wrong.body.decode()  # the form again, to try once more

    code = code_for(routes, subscription)
    done = client.http.post(
        action, headers=FORM, body=urlencode({"subscription": subscription, "code": code}).encode()
    )
    assert done.status_code == 200, done.body
    assert "Phường Nhơn Bình" in done.body.decode()


def test_the_same_in_json_and_the_unsubscribe_link(client, routes):
    body = {"unit": "540", "channel": "sms", "address": "0912 345 678"}
    pending = client.http.post("/subscriptions", headers=JSON, body=json.dumps(body).encode())
    assert pending.status_code == 202
    answer = json.loads(pending.body)
    assert set(answer) == {"id", "unit", "message"}  # nothing says if it was known already
    assert "0912" not in pending.body.decode()
    assert "+84" not in pending.body.decode()

    confirmation = {"subscription": answer["id"], "code": code_for(routes, answer["id"])}
    done = client.http.post(
        "/subscriptions/confirm", headers=JSON, body=json.dumps(confirmation).encode()
    )
    assert done.status_code == 200
    assert json.loads(done.body)["status"] == "active"

    token = routes.subscription_service().keys.unsubscribe_token(answer["id"])
    gone = client.http.get(f"/subscriptions/unsubscribe?token={token}")
    assert gone.status_code == 200
    assert "Thông tin liên hệ của bạn đã được xóa" in gone.body.decode()
    assert routes.subscription_service()._store.get(answer["id"]) is None
    forged = client.http.get(f"/subscriptions/unsubscribe?token={token[:-3]}abc")
    assert forged.status_code == 422


def test_bad_input_is_explained_in_both_languages(client):
    body = {"unit": "21550", "channel": "sms", "address": "12345"}
    refused = client.http.post("/subscriptions", headers=JSON, body=json.dumps(body).encode())
    assert refused.status_code == 422
    answer = json.loads(refused.body)
    assert answer["code"] == "validation_error"
    assert answer["details"][0]["type"] == "phone_invalid"
    english = client.http.post(
        "/subscriptions",
        headers={**JSON, "Accept-Language": "en"},
        body=json.dumps({**body, "unit": "99999", "address": "0912345678"}).encode(),
    )
    assert english.status_code == 404
    assert "99999" in json.loads(english.body)["message"]
    broken = client.http.post("/subscriptions", headers=JSON, body=b"{")
    assert broken.status_code == 422


def test_a_flood_from_one_client_gets_429_with_retry_after(client):
    statuses = []
    for number in range(12):
        body = {"unit": "21550", "channel": "email", "address": f"flood{number}@example.vn"}
        answer = client.http.post("/subscriptions", headers=JSON, body=json.dumps(body).encode())
        statuses.append(answer.status_code)
    assert statuses[:10] == [202] * 10
    assert statuses[10:] == [429, 429]
    assert 0 < int(answer.headers["Retry-After"]) <= 600


def test_a_filled_honeypot_is_answered_alike_and_stores_nothing(client, routes):
    form = urlencode(
        {"unit": "21550", "channel": "email", "address": "bot@example.vn", "website": "x"}
    )
    answer = client.http.post("/subscriptions", headers=FORM, body=form.encode())
    assert answer.status_code == 202
    from nguon.storage.subscriptions import SubscriptionItem

    stored = SubscriptionItem.scan(SubscriptionItem.pk.startswith("SUBSCRIBER#"))
    assert list(stored) == []
