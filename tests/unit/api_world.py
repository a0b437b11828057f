"""The staff API's world in moto, in-process: the template's table, buckets, speech queue,
device CA and policy, Bình Định's units, and the function's services built inside it.

``world()`` holds it for a while; ``application()`` is the API as a WSGI app, signed in as
the province's administrator (who may do nearly everything), for tools that speak HTTP.
"""

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import boto3
import pytest
from cfnlint.decode import cfn_yaml
from moto import mock_aws

from infra.localcloud.template import TEMPLATE_PATH
from nguon.adapters.certificates import CertificateAuthority
from nguon.config import get_settings
from tests.api_events import wsgi
from tests.lambda_env import lambda_environment
from tests.template_table import main_table

# As tests/conftest.py does, for when test_api_fuzz runs as a script (its exploration).
for _name, _value in lambda_environment().items():
    os.environ.setdefault(_name, _value)

ADMIN = {"user": "tinh-admin", "groups": "admin,approver,editor,operator", "unit": "52"}


def _clear_caches() -> None:
    """Services are built once per container: built again inside (and after) the mock."""
    from staff_api import dependencies

    from nguon import assembly

    for module in (assembly, dependencies):
        for value in vars(module).values():
            if hasattr(value, "cache_clear"):
                value.cache_clear()


def _create_world() -> str:
    """The template's table, buckets, queue, device CA and policy, a user pool with two
    staff accounts (its id is returned), and Bình Định's units."""
    settings_ = get_settings()
    region = settings_.region
    resources = cfn_yaml.load(str(TEMPLATE_PATH))["Resources"]
    boto3.client("dynamodb", region_name=region).create_table(
        TableName=settings_.table_name, **main_table()
    )
    s3 = boto3.client("s3", region_name=region)
    for bucket in {settings_.uploads_bucket, settings_.media_bucket, settings_.delivery_bucket}:
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
    sqs = boto3.client("sqs", region_name=region)
    sqs.create_queue(QueueName=settings_.speech_tasks_queue.rsplit("/", 1)[-1])
    ca = CertificateAuthority.create("Nguon test device CA")
    boto3.client("secretsmanager", region_name=region).create_secret(
        Name=settings_.device_ca_secret,
        SecretString=json.dumps(
            {"certificate": ca.certificate_pem, "private_key": ca.private_key_pem}
        ),
    )
    policy = resources["DevicePolicy"]["Properties"]["PolicyDocument"]
    boto3.client("iot", region_name=region).create_policy(
        policyName=settings_.device_policy, policyDocument=json.dumps(policy)
    )
    cognito = boto3.client("cognito-idp", region_name=region)
    pool = cognito.create_user_pool(
        PoolName="staff",
        Schema=[{"Name": "unit", "AttributeDataType": "String", "Mutable": True}],
    )["UserPool"]["Id"]
    for username, unit in (("xa-editor", "21550"), ("huyen-editor", "540")):
        cognito.admin_create_user(
            UserPoolId=pool,
            Username=username,
            UserAttributes=[{"Name": "custom:unit", "Value": unit}],
            MessageAction="SUPPRESS",
        )
    from nguon.services.unit_catalogue import load_bundled_catalogue
    from nguon.services.units import UnitService
    from nguon.storage.units import DynamoUnitStore

    UnitService(DynamoUnitStore()).load(load_bundled_catalogue())
    return pool


@contextmanager
def world() -> Iterator[None]:
    """The function's environment and AWS in moto, with the world in it, for a while."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in lambda_environment().items():
            patch.setenv(name, value)
        get_settings.cache_clear()
        with mock_aws():
            _clear_caches()
            patch.setenv("NGUON_USER_POOL_ID", _create_world())
            get_settings.cache_clear()
            yield
        _clear_caches()
        get_settings.cache_clear()


def application():
    import app

    return wsgi(app.lambda_handler, **ADMIN)


def seed_bulletins() -> list[str]:
    """A draft, a pending and an approved bulletin made through the API (this week, today
    on): ids for generated requests to aim at, instead of 404s only."""
    import app
    from werkzeug.test import Client

    from nguon.clock import now

    client = Client(application())
    approver = Client(wsgi(app.lambda_handler, user="tinh-approver", groups="approver", unit="52"))
    first = now().date()
    ids = []
    for steps in ([], ["submit"], ["submit", "approve"]):
        content = {
            "title": "Lịch tiêm chủng",
            "body": "Trạm y tế phường Nhơn Bình thông báo lịch tiêm chủng mở rộng.",
            "category": "health",
            "targets": ["21550"],
            "schedule": {
                "type": "daily",
                "times": ["06:00"],
                "from": first.isoformat(),
                "until": (first + timedelta(days=6)).isoformat(),
            },
        }
        created = client.post("/bulletins", json=content)
        assert created.status_code == 201, created.get_data(as_text=True)
        bulletin_id = created.json["id"]
        for step in steps:
            done = (approver if step == "approve" else client).post(
                f"/bulletins/{bulletin_id}/{step}"
            )
            assert done.status_code == 200, done.get_data(as_text=True)
        ids.append(bulletin_id)
    return ids


def seed_feedback() -> list[str]:
    """Two citizens' reports entered by staff (one acknowledged): tracking codes to aim at."""
    from werkzeug.test import Client

    client = Client(application())
    ids = []
    for step in ("", "acknowledge"):
        call = {
            "category": "ha-tang",
            "description": "Người dân gọi điện báo ổ gà trước chợ",
            "unit": "21550",
            "consent": True,
            "channel": "phone",
        }
        created = client.post("/feedback", json=call)
        assert created.status_code == 201, created.get_data(as_text=True)
        feedback_id = created.json["tracking_code"]
        if step:
            done = client.post(f"/feedback/{feedback_id}/{step}", json={"version": 1})
            assert done.status_code == 200, done.get_data(as_text=True)
        ids.append(feedback_id)
    return ids


def unit_codes() -> tuple[list[str], list[str]]:
    """Every unit's code, and the communes' (devices stand in communes)."""
    from nguon.models.units import UnitLevel
    from nguon.services.unit_catalogue import load_bundled_catalogue

    units = load_bundled_catalogue()
    return [u.code for u in units], [u.code for u in units if u.level is UnitLevel.COMMUNE]
