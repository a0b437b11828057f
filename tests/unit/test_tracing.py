"""No handler's response, and no error that can echo a request, reaches X-Ray.

Powertools' tracer copies a handler's return value into the trace as metadata unless told
not to: provisioning bundles (a device's private key), presigned links and bulletin text
would then be readable by anyone who may read traces.
"""

import contextlib
import importlib.util
import inspect
import json
from pathlib import Path

import pytest
from cfnlint.decode import cfn_yaml

from nguon.observability import tracer
from tests.lambda_env import lambda_environment
from tests.unit.test_api_handler import EVENT, Context

ROOT = Path(__file__).resolve().parents[2]
# Functions whose errors hold identifiers only (device telemetry); every other one may echo a
# request or a bulletin in an exception's message.
ERRORS_CAPTURED = {"TelemetryFunction", "DeviceSweepFunction"}


def _handlers() -> list[tuple[str, str, str]]:
    template = cfn_yaml.load(str(ROOT / "template.yaml"))
    return [
        (logical_id, resource["Properties"]["CodeUri"], resource["Properties"]["Handler"])
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
    ]


def _tracing_settings(handler) -> dict[str, object]:
    """The settings Powertools' ``capture_lambda_handler`` closed over, under other decorators."""
    layer = handler
    while layer is not None:
        free = inspect.getclosurevars(layer).nonlocals
        if "capture_response" in free and "lambda_handler_name" in free:
            return {k: free[k] for k in ("capture_response", "capture_error")}
        layer = getattr(layer, "__wrapped__", None)
    raise AssertionError(f"{handler.__qualname__} is not traced")


@pytest.mark.parametrize(("logical_id", "code_uri", "handler"), _handlers())
def test_every_handler_is_traced_without_its_response(logical_id, code_uri, handler, monkeypatch):
    for name, value in lambda_environment().items():
        monkeypatch.setenv(name, value)
    code = ROOT / code_uri
    monkeypatch.syspath_prepend(str(code))  # the function's own packages (staff_api, speech_api)
    _, _, function = handler.rpartition(".")
    spec = importlib.util.spec_from_file_location(f"_{logical_id}_under_test", code / "app.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    settings = _tracing_settings(getattr(module, function))

    assert settings == {
        "capture_response": False,
        "capture_error": logical_id in ERRORS_CAPTURED,
    }


class _Subsegment:
    def __init__(self) -> None:
        self.metadata: list[tuple[str, object]] = []

    def put_metadata(self, key, value, namespace=None):
        self.metadata.append((key, value))

    def put_annotation(self, key, value):
        pass


class _Provider:
    """Stands in for X-Ray: records what the tracer would have sent."""

    def __init__(self) -> None:
        self.subsegments: list[_Subsegment] = []

    @contextlib.contextmanager
    def in_subsegment(self, name=None, **kwargs):
        subsegment = _Subsegment()
        self.subsegments.append(subsegment)
        yield subsegment


def test_a_traced_api_response_leaves_no_metadata(monkeypatch):
    import app

    provider = _Provider()
    monkeypatch.setattr(tracer, "provider", provider)
    event = {**EVENT, "path": "/openapi.json", "resource": "/openapi.json", "httpMethod": "GET"}

    response = app.lambda_handler(event, Context())

    assert response["statusCode"] == 200
    assert json.loads(response["body"])["openapi"]
    assert len(provider.subsegments) == 1  # the handler was traced, through this provider
    assert provider.subsegments[0].metadata == []


def test_the_fake_provider_sees_a_response_a_capturing_tracer_records(monkeypatch):
    """The test above can fail: a tracer told to capture records the response here."""
    provider = _Provider()
    monkeypatch.setattr(tracer, "provider", provider)

    @tracer.capture_lambda_handler(capture_response=True)
    def handler(event, context):
        return {"private_key": "-----BEGIN PRIVATE KEY-----"}

    handler({}, Context())

    assert provider.subsegments[0].metadata == [
        ("handler response", {"private_key": "-----BEGIN PRIVATE KEY-----"})
    ]
