"""Every route of the speech API (Polly's shape) × every role × four places.

The routes come from the resolver's own table (``speech_api.application.app``): a route
added without a row in ``RULES`` fails. The caller's home is district 540; a route acting
on a task or lexicon acts on one owned by the place's unit (21550 in scope, 52 the
ancestor, 547 the sibling, 21808 out of scope). Refusals are Polly's: a missing role is
``AccessDeniedException``; a place out of sight answers as if the thing did not exist
(``SynthesisTaskNotFoundException``, ``LexiconNotFoundException``); a lexicon in sight but
not the caller's to change is ``AccessDeniedException``. One moto world serves every cell;
each cell makes its own task or lexicon.
"""

import json
from itertools import count

import pytest
from moto import mock_aws

from nguon.models.principal import Role
from nguon.speech.lexicons import render_lexicon
from nguon.speech.owners import SpeechOwner
from tests.unit.speech.conftest import Context, rest_event

HOME = "540"
PLACES = {"in_scope": "21550", "ancestor": "52", "sibling": "547", "out_of_scope": "21808"}
ROLES = tuple(Role)
WRITERS = frozenset({Role.ADMIN, Role.EDITOR})
OK = "allowed"
DENIED = "AccessDeniedException"
NO_TASK = "SynthesisTaskNotFoundException"
NO_LEXICON = "LexiconNotFoundException"
_names = count(1)


@pytest.fixture(scope="module")
def world():
    """moto (the table with the unit tree, the bucket, the queue) and the speech app."""
    from nguon.config import get_settings
    from tests.lambda_env import lambda_environment

    patch = pytest.MonkeyPatch()
    for name, value in lambda_environment().items():
        patch.setenv(name, value)
    get_settings.cache_clear()
    with mock_aws():
        import boto3
        from cfnlint.decode import cfn_yaml

        from infra.localcloud.template import TEMPLATE_PATH
        from nguon.services.unit_catalogue import load_bundled_catalogue
        from nguon.storage.units import DynamoUnitStore

        settings = get_settings()
        table = cfn_yaml.load(str(TEMPLATE_PATH))["Resources"]["MainTable"]["Properties"]
        boto3.client("dynamodb", region_name=settings.region).create_table(
            TableName=settings.table_name,
            BillingMode="PAY_PER_REQUEST",
            **{
                k: table[k] for k in ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes")
            },
        )
        boto3.client("s3", region_name=settings.region).create_bucket(
            Bucket=settings.media_bucket,
            CreateBucketConfiguration={"LocationConstraint": settings.region},
        )
        sqs = boto3.client("sqs", region_name=settings.region)
        for url in {settings.speech_tasks_queue, settings.synthesis_tasks_queue} - {""}:
            sqs.create_queue(QueueName=url.rsplit("/", 1)[-1])
        DynamoUnitStore().put_many(load_bundled_catalogue())
        import importlib.util
        import sys

        from tests.unit.speech.conftest import SPEECH_FUNCTION

        if str(SPEECH_FUNCTION) not in sys.path:
            sys.path.append(str(SPEECH_FUNCTION))
        spec = importlib.util.spec_from_file_location(
            "_speech_app_matrix", SPEECH_FUNCTION / "app.py"
        )
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        from speech_api import dependencies

        dependencies.speech_service.cache_clear()
        dependencies.speech_tasks.cache_clear()
        yield module, settings
        dependencies.speech_service.cache_clear()
        dependencies.speech_tasks.cache_clear()
    patch.undo()


def lexicon_owned_by(code: str) -> str:
    from dataclasses import replace

    from speech_api.dependencies import speech_service, unit_service

    from nguon.speech.lexicons import parse_lexicon

    name = f"M{next(_names)}"
    owner = SpeechOwner.of_unit(code, unit_service(), user="owner")
    made = parse_lexicon(name, render_lexicon("vi-VN", {"HTX": "hợp tác xã"}))
    # Straight into the store: the per-unit quota is not what these cells test.
    speech_service().lexicons.put(replace(made, owner_unit=owner.unit, owner_path=owner.path))
    return name


def task_owned_by(code: str, bucket: str) -> str:
    from speech_api.dependencies import speech_tasks, unit_service

    owner = SpeechOwner.of_unit(code, unit_service(), user=f"owner-{next(_names)}")
    body = {"Text": "Xin chào.", "VoiceId": "Bac", "OutputFormat": "mp3",
            "OutputS3BucketName": bucket}  # fmt: skip
    return speech_tasks().start(body, owner=owner)["TaskId"]


def task_body(bucket: str) -> dict:
    return {"Text": "Xin chào.", "VoiceId": "Bac", "OutputFormat": "mp3",
            "OutputS3BucketName": bucket}  # fmt: skip


LEXICON = render_lexicon("vi-VN", {"UBND": "ủy ban nhân dân"})


def anywhere(role, place):
    return OK


def owned_task(role, place):
    return OK if place == "in_scope" else NO_TASK


def read_lexicon(role, place):
    return OK if place in ("in_scope", "ancestor") else NO_LEXICON


def overwrite_lexicon(role, place):
    return OK if role in WRITERS and place == "in_scope" else DENIED


def delete_lexicon(role, place):
    if role not in WRITERS:
        return DENIED
    if place == "in_scope":
        return OK
    return DENIED if place == "ancestor" else NO_LEXICON


# (method, path) → (request for the place's unit, expected answer for role × place)
RULES = {
    ("GET", "/v1/voices"): (lambda code, b: ("/v1/voices", None), anywhere),
    ("POST", "/v1/speech"): (
        lambda code, b: (
            "/v1/speech",
            {"Text": "Xin chào", "VoiceId": "Bac", "OutputFormat": "pcm"},
        ),
        anywhere,
    ),
    ("POST", "/v1/synthesisTasks"): (
        lambda code, b: ("/v1/synthesisTasks", task_body(b)),
        anywhere,
    ),
    ("GET", "/v1/synthesisTasks"): (lambda code, b: ("/v1/synthesisTasks", None), anywhere),
    ("GET", "/v1/synthesisTasks/<task_id>"): (
        lambda code, b: (f"/v1/synthesisTasks/{task_owned_by(code, b)}", None),
        owned_task,
    ),
    ("GET", "/v1/lexicons"): (lambda code, b: ("/v1/lexicons", None), anywhere),
    ("GET", "/v1/lexicons/<name>"): (
        lambda code, b: (f"/v1/lexicons/{lexicon_owned_by(code)}", None),
        read_lexicon,
    ),
    ("PUT", "/v1/lexicons/<name>"): (
        lambda code, b: (f"/v1/lexicons/{lexicon_owned_by(code)}", {"Content": LEXICON}),
        overwrite_lexicon,
    ),
    ("DELETE", "/v1/lexicons/<name>"): (
        lambda code, b: (f"/v1/lexicons/{lexicon_owned_by(code)}", None),
        delete_lexicon,
    ),
}

CELLS = [
    pytest.param(method, path, role, place, id=f"{method} {path} {role.value} {place}")
    for method, path in sorted(RULES)
    for role in ROLES
    for place in PLACES
]


def test_every_speech_route_has_a_rule(world):
    from speech_api.application import app

    routes = {(r.method, r.path) for r in app._static_routes + app._dynamic_routes}
    assert routes == set(RULES)
    assert len(CELLS) == 9 * 6 * 4 == 216


@pytest.mark.parametrize(("method", "path", "role", "place"), CELLS)
def test_cell(world, method, path, role, place):
    module, settings = world
    make, expect = RULES[(method, path)]
    url, body = make(PLACES[place], settings.media_bucket)
    user = f"caller-{next(_names)}"  # one person a cell: the task quota is per person
    claims = {"sub": user, "cognito:username": user, "cognito:groups": role.value,
              "custom:unit": HOME}  # fmt: skip
    payload = json.dumps(body).encode() if body is not None else b""
    event = rest_event(method, f"/tts{url}", {"Content-Type": "application/json"}, payload, claims)

    answer = module.lambda_handler(event, Context())

    want = expect(role, place)
    status = answer["statusCode"]
    if want == OK:
        assert 200 <= status < 300, answer.get("body")
    else:
        headers = {**(answer.get("headers") or {})}
        for name, values in (answer.get("multiValueHeaders") or {}).items():
            headers[name] = values[-1]
        assert (status >= 400, headers.get("x-amzn-ErrorType")) == (True, want), answer
