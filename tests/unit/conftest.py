"""Unit tests run in the environment template.yaml gives a function, whatever ran before.

A worker that started the local cloud (integration tests) has pointed the process at it
(``AWS_ENDPOINT_URL`` and the real resource names); a unit test on moto's in-process mocks
must not send its calls there.
"""

import os

import pytest

from nguon.config import get_settings
from tests.lambda_env import lambda_environment


@pytest.fixture(autouse=True)
def function_environment(monkeypatch):
    for name in list(os.environ):
        if name.startswith("AWS_ENDPOINT_URL"):
            monkeypatch.delenv(name)
    for name, value in lambda_environment().items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
