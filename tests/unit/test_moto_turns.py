"""moto's backends are not thread-safe (CI saw IoT's ``describe_thing`` fail with "OrderedDict
mutated during iteration" while the fleet's threads created things), so the local cloud's moto
server lets each service answer one request at a time, while different services answer side
by side. Checked here with backends that record how many requests are inside them at once."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from infra.localcloud.moto_process import _OneRequestPerServiceAtATime


class _Inside:
    """How many requests are inside a group of backends at once, and the most there ever were."""

    def __init__(self) -> None:
        self.now = 0
        self.most = 0
        self._lock = threading.Lock()

    def enter(self) -> None:
        with self._lock:
            self.now += 1
            self.most = max(self.most, self.now)

    def leave(self) -> None:
        with self._lock:
            self.now -= 1


class _RecordingBackend:
    def __init__(self, *groups: _Inside, meet: threading.Barrier | None = None) -> None:
        self.inside = _Inside()
        self._groups = (self.inside, *groups)
        self._meet = meet

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        for group in self._groups:
            group.enter()
        if self._meet:
            self._meet.wait(timeout=5)  # raises BrokenBarrierError if the other never arrives
        time.sleep(0.01)  # long enough for the other threads to arrive
        for group in self._groups:
            group.leave()
        return [b"{}"]


def _dispatcher(monkeypatch: pytest.MonkeyPatch, backends: dict[str, _RecordingBackend]) -> Any:
    def application(self: Any, environ: dict[str, Any]) -> _RecordingBackend:
        return backends[environ["service"]]

    monkeypatch.setattr(_OneRequestPerServiceAtATime, "get_application", application)
    dispatcher = _OneRequestPerServiceAtATime()
    dispatcher.app_instances.update(backends)  # as moto's dispatcher keeps them, by service
    return dispatcher


def _call_from_threads(app: Any, environs: list[dict[str, Any]]) -> None:
    with ThreadPoolExecutor(max_workers=len(environs)) as pool:
        list(pool.map(lambda environ: app(environ, lambda *_: None), environs))


def test_one_service_answers_one_request_at_a_time(monkeypatch):
    iot = _RecordingBackend()
    app = _dispatcher(monkeypatch, {"iot": iot})

    _call_from_threads(app, [{"service": "iot"} for _ in range(6)])

    assert iot.inside.most == 1


def test_different_services_answer_side_by_side(monkeypatch):
    # Each waits inside its backend until the other is inside its own: one turn for all would
    # leave the first waiting alone, and the barrier would break.
    meet = threading.Barrier(2)
    iot, s3 = _RecordingBackend(meet=meet), _RecordingBackend(meet=meet)
    app = _dispatcher(monkeypatch, {"iot": iot, "s3": s3})

    _call_from_threads(app, [{"service": "iot"}, {"service": "s3"}])

    assert not meet.broken


def test_dynamodb_streams_wait_for_dynamodb_writes(monkeypatch):
    # moto's DynamoDB Streams is a backend of its own, reading the shards DynamoDB appends to.
    both = _Inside()
    app = _dispatcher(
        monkeypatch,
        {"dynamodb": _RecordingBackend(both), "dynamodbstreams": _RecordingBackend(both)},
    )
    put = {"service": "dynamodb", "HTTP_X_AMZ_TARGET": "DynamoDB_20120810.PutItem"}
    read = {
        "service": "dynamodbstreams",
        "HTTP_X_AMZ_TARGET": "DynamoDBStreams_20120810.GetRecords",
    }

    _call_from_threads(app, [put, read] * 3)

    assert both.most == 1


def test_sqs_long_polls_wait_beside_the_sends_they_wait_for(monkeypatch):
    # A receive waits inside moto until a message arrives: it must not hold the send back.
    meet = threading.Barrier(2)
    app = _dispatcher(monkeypatch, {"sqs": _RecordingBackend(meet=meet)})

    _call_from_threads(app, [{"service": "sqs"}, {"service": "sqs"}])

    assert not meet.broken


def test_a_hosts_backend_is_found_once(monkeypatch):
    # moto lists its package directory on every request to find the backend of a host.
    from moto import backends
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    listed = []
    real = backends.list_of_moto_modules
    monkeypatch.setattr(backends, "list_of_moto_modules", lambda: listed.append(1) or real())
    dispatcher = _OneRequestPerServiceAtATime()
    host = "dynamodb.ap-southeast-1.amazonaws.com"

    found = [dispatcher.get_backend_for_host(host) for _ in range(3)]

    assert found == [DomainDispatcherApplication(create_backend_app).get_backend_for_host(host)] * 3
    assert found[0] == "dynamodb"
    assert len(listed) == 2  # once for the dispatcher, once for moto's own answer above
