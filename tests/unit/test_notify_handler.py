"""functions/notify/app.py: which stream records send what, one bad record reported alone
(``batchItemFailures``), and nothing personal in its log lines."""

import importlib.util
import json
from pathlib import Path

import pytest

from nguon.models.bulletins import AuditAction
from nguon.services.notify import DeliveryFailed, NotifyReport
from tests.unit.test_fanout_handler import Context, audit, record


class Notify:
    def __init__(self, failing: frozenset[str] = frozenset()) -> None:
        self.failing = failing
        self.bulletins: list[tuple[str, AuditAction]] = []
        self.codes: list[tuple[str, int]] = []

    def bulletin_changed(self, bulletin_id, action):
        if bulletin_id in self.failing:
            raise DeliveryFailed("alert", "email", "Throttling")
        self.bulletins.append((bulletin_id, action))
        return NotifyReport(sent=2)

    def code_requested(self, subscription_id, round_):
        self.codes.append((subscription_id, round_))
        return NotifyReport(sent=1)


@pytest.fixture
def function():
    path = Path(__file__).parents[2] / "functions" / "notify" / "app.py"
    spec = importlib.util.spec_from_file_location("_notify_app_under_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def subscription(sequence: str, status: str, round_: int = 1) -> dict:
    image = {
        "status": {"S": status},
        "round": {"N": str(round_)},
        "address": {"S": "lan@example.vn"},
        "unit": {"S": "21550"},
    }
    return record(sequence, "SUBSCRIBER#abcdefghijklmnopqrstuvwxyz", "SUBSCRIPTION", image)


def test_approvals_withdrawals_and_pending_subscriptions_are_handled_and_failures_reported(
    function, monkeypatch, caplog
):
    service = Notify(failing=frozenset({"b2"}))
    monkeypatch.setattr(function, "notify", lambda: service)
    event = {
        "Records": [
            audit("101", "b1", "approved"),
            audit("102", "b2", "approved"),
            audit("103", "b3", "withdrawn"),
            subscription("104", "pending", round_=2),
            subscription("105", "active"),  # the template filters these out; harmless here
            record("106", "UNIT#21550", "ORDER#2026", {}),
        ]
    }

    answer = function.lambda_handler(event, Context())

    assert answer == {"batchItemFailures": [{"itemIdentifier": "102"}]}
    assert service.bulletins == [("b1", AuditAction.APPROVED), ("b3", AuditAction.WITHDRAWN)]
    assert service.codes == [("abcdefghijklmnopqrstuvwxyz", 2)]
    # Every attribute of every log record, as the JSON formatter would write it.
    logged = json.dumps([vars(r) for r in caplog.records], default=str)
    assert [r.getMessage() for r in caplog.records].count("notified") == 3
    assert "lan@example.vn" not in logged
    assert "abcdefghijklmnopqrstuvwxyz" not in logged
