"""Fixtures for the device SDK: virtual time, an in-memory broker with a shadow service, a
local HTTP server for manifests and media, and a device factory wiring them together.

The SDK is its own package (``device_sdk/``); it is put on the path here rather than installed,
so the suite runs from a plain checkout.
"""

import sys
from pathlib import Path

import pytest

SDK = Path(__file__).resolve().parents[3] / "device_sdk"
if str(SDK) not in sys.path:
    sys.path.insert(0, str(SDK))

from tests.unit.device.support import (  # noqa: E402 - needs the path above
    T0,
    ContractChecker,
    DeviceKit,
    FakeShadowService,
    MediaServer,
)


@pytest.fixture
def sched():
    from nguon_device.clock import ManualScheduler

    return ManualScheduler(T0)


@pytest.fixture
def broker():
    from nguon_device.loopback import LoopbackBroker

    return LoopbackBroker()


@pytest.fixture
def contract(broker):
    """Every message a device publishes must match its schema."""
    checker = ContractChecker(broker)
    yield checker
    assert checker.problems == []


@pytest.fixture
def shadows(broker):
    return FakeShadowService(broker)


@pytest.fixture
def http():
    server = MediaServer()
    yield server
    server.close()


@pytest.fixture
def kit(sched, broker, shadows, http, contract, tmp_path):
    return DeviceKit(sched, broker, shadows, http, tmp_path)
