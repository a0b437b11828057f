"""Provisioning through the API, and what a provisioned device finds when it connects."""

import hashlib
import json
import time

import boto3
import pytest
import requests

from infra.tools.provision_device import write_bundle
from tests.integration.mqtt_clients import Client

pytestmark = pytest.mark.integration

REGISTRATION = {
    "kind": "speaker",
    "unit": "21550",
    "name": "Cụm loa chợ Nhơn Bình",
    "location": {"lat": 13.80, "lon": 109.20},
    "vendor": "VNPT",
    "model": "IPS-4",
    "speakers": 4,
}


@pytest.fixture(scope="module")
def iot(endpoints):
    return boto3.client(
        "iot", endpoint_url=endpoints["aws_endpoint_url"], region_name="ap-southeast-1"
    )


@pytest.fixture(scope="module")
def iot_data(endpoints):
    return boto3.client(
        "iot-data", endpoint_url=endpoints["iot_data_url"], region_name="ap-southeast-1"
    )


def wait_for(check, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def test_operator_gets_a_bundle_once_and_the_device_is_registered(api, iot):
    response = api.post("/devices", REGISTRATION, as_user="xa-operator")

    assert response.status_code == 201, response.text
    assert response.headers["Cache-Control"] == "no-store"
    bundle = response.json()
    assert bundle["thing"].startswith("loa-21550-")
    assert bundle["areas"] == ["52", "540", "21550"]
    assert "PRIVATE KEY" in bundle["private_key_pem"]
    described = iot.describe_certificate(certificateId=bundle["certificate_id"])
    assert described["certificateDescription"]["status"] == "ACTIVE"
    thing = iot.describe_thing(thingName=bundle["thing"])
    assert thing["attributes"] == {
        "kind": "speaker",
        "unit": "21550",
        "area": "52/540/21550",
        # What the device policy grants alert topics by.
        "province": "52",
        "district": "540",
        "commune": "21550",
    }
    shown = api.get(f"/devices/{bundle['thing']}", as_user="xa-operator").json()
    assert shown["unit"] == "21550"
    assert "private_key_pem" not in json.dumps(shown)


def test_operator_elsewhere_cannot_provision_here(api):
    response = api.post("/devices", REGISTRATION, as_user="xa-tayson-operator")
    assert response.status_code == 403
    assert response.json()["code"] == "out_of_scope"


def test_bad_registration_is_refused_with_a_reason(api):
    response = api.post("/devices", {**REGISTRATION, "kind": "radio"}, as_user="xa-operator")
    assert response.status_code == 422
    assert response.json()["details"]


def test_provisioned_device_connects_and_finds_its_manifest(api, endpoints, tmp_path, iot_data):
    bundle = api.post("/devices", REGISTRATION, as_user="xa-operator").json()
    folder = write_bundle(bundle, tmp_path)
    thing = bundle["thing"]

    device = Client.device(
        endpoints, thing, folder / "certificate.pem.crt", folder / "private.pem.key"
    )
    try:
        assert device.wait_connected()
        online = wait_for(
            lambda: api.get(f"/devices/{thing}", as_user="xa-operator").json()["online"]
        )
        assert online is True
    finally:
        device.close()

    # The device may report into its playback shadow before the fan-out desires a manifest.
    shadow = wait_for(
        lambda: (
            (_shadow(iot_data, thing, "playback") or {}).get("state", {}).get("desired")
            and _shadow(iot_data, thing, "playback")
        ),
        timeout=30.0,
    )
    reference = shadow["state"]["desired"]["manifest"]
    body = requests.get(reference["url"], timeout=10).content
    assert hashlib.sha256(body).hexdigest() == reference["sha256"]
    manifest = json.loads(body)
    assert (manifest["unit"], manifest["kind"]) == ("21550", "speaker")
    assert wait_for(
        lambda: api.get(f"/devices/{thing}", as_user="xa-operator").json()["online"] is False
    )


def test_decommissioning_revokes_the_certificate(api, iot):
    bundle = api.post("/devices", REGISTRATION, as_user="xa-operator").json()

    response = api.call("DELETE", f"/devices/{bundle['thing']}", as_user="xa-operator")

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "decommissioned"
    described = iot.describe_certificate(certificateId=bundle["certificate_id"])
    assert described["certificateDescription"]["status"] == "REVOKED"
    listed = api.get("/devices?unit=21550", as_user="xa-operator").json()
    assert bundle["thing"] not in [d["thing"] for d in listed["items"]]


def _shadow(iot_data, thing, name):
    try:
        payload = iot_data.get_thing_shadow(thingName=thing, shadowName=name)["payload"]
    except iot_data.exceptions.ResourceNotFoundException:
        return None
    return json.loads(payload.read())
