"""functions/fanout/app.py: one bad stream record is reported (``batchItemFailures``) and does
not hold the others; new devices of a batch become one call per commune."""

import importlib.util
import json
from pathlib import Path

import pytest

from nguon.services.fanout import FanoutReport

ARN = "arn:aws:dynamodb:ap-southeast-1:123456789012:table/Main/stream/x"


class Context:
    function_name = "fanout"
    memory_limit_in_mb = 512
    aws_request_id = "test"
    invoked_function_arn = "arn:aws:lambda:ap-southeast-1:123456789012:function:fanout"

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


class Fanout:
    def __init__(self, failing: set[str] = frozenset(), failing_units: set[str] = frozenset()):
        self.failing, self.failing_units = failing, failing_units
        self.changed: list[str] = []
        self.programmes: list[str] = []
        self.added: list[tuple[str, list[str]]] = []

    def bulletin_changed(self, bulletin_id, action):
        if bulletin_id in self.failing:
            raise RuntimeError("IoT endpoint unreachable")
        self.changed.append(bulletin_id)
        return FanoutReport()

    def programme_changed(self, unit):
        self.programmes.append(unit)
        return FanoutReport()

    def devices_added(self, unit, things):
        if unit in self.failing_units:
            raise RuntimeError("shadow update throttled")
        self.added.append((unit, things))
        return FanoutReport()


@pytest.fixture
def function(monkeypatch):
    path = Path(__file__).parents[2] / "functions" / "fanout" / "app.py"
    spec = importlib.util.spec_from_file_location("_fanout_app_under_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def audit(sequence: str, bulletin_id: str, action: str = "submitted") -> dict:
    doc = json.dumps({"bulletin_id": bulletin_id, "action": action})
    return record(sequence, f"BULLETIN#{bulletin_id}", f"EVENT#{sequence}", {"doc": {"S": doc}})


def new_device(sequence: str, thing: str, unit: str) -> dict:
    image = {"thing": {"S": thing}, "unit": {"S": unit}}
    return record(sequence, f"THING#{thing}", "DEVICE", image)


def record(sequence: str, pk: str, sk: str, image: dict) -> dict:
    keys = {"PK": {"S": pk}, "SK": {"S": sk}}
    return {
        "eventID": sequence,
        "eventName": "INSERT",
        "eventSource": "aws:dynamodb",
        "eventSourceARN": ARN,
        "dynamodb": {
            "Keys": keys,
            "NewImage": {**keys, **image},
            "SequenceNumber": sequence,
            "StreamViewType": "NEW_IMAGE",
        },
    }


def test_a_failing_record_is_reported_and_the_others_are_fanned_out(function, monkeypatch):
    service = Fanout(failing={"b2"})
    monkeypatch.setattr(function, "fanout", lambda: service)
    event = {"Records": [audit("101", "b1"), audit("102", "b2"), audit("103", "b3")]}

    answer = function.lambda_handler(event, Context())

    assert answer == {"batchItemFailures": [{"itemIdentifier": "102"}]}
    assert service.changed == ["b1", "b3"]


def test_new_devices_are_one_call_per_commune_and_a_failed_commune_reports_its_records(
    function, monkeypatch
):
    service = Fanout(failing_units={"21550"})
    monkeypatch.setattr(function, "fanout", lambda: service)
    event = {
        "Records": [
            new_device("201", "spk-a", "21550"),
            new_device("202", "spk-b", "21553"),
            new_device("203", "spk-c", "21550"),
            new_device("204", "spk-d", "21553"),
        ]
    }

    answer = function.lambda_handler(event, Context())

    assert service.added == [("21553", ["spk-b", "spk-d"])]
    assert answer == {"batchItemFailures": [{"itemIdentifier": "201"}, {"itemIdentifier": "203"}]}


def test_a_clean_batch_reports_no_failures(function, monkeypatch):
    service = Fanout()
    monkeypatch.setattr(function, "fanout", lambda: service)
    ordered = record("301", "UNIT#21550", "ORDER#2026", {})

    answer = function.lambda_handler({"Records": [audit("300", "b1"), ordered]}, Context())

    assert answer == {"batchItemFailures": []}
    assert (service.changed, service.programmes) == (["b1"], ["21550"])
