"""What the console reads from the cloud's code, kept equal to it.

The console's API types are generated from ``console/src/api/openapi.json``; its role table
from ``console/src/auth/permissions.json``. When the API changes, refresh both with
``NGUON_UPDATE_CONSOLE=1 .venv/bin/python -m pytest tests/unit/test_console_contract.py``.
"""

import json
import os
from pathlib import Path

import pytest

from nguon.services.access import ROLE_PERMISSIONS

CONSOLE = Path(__file__).resolve().parents[2] / "console" / "src"
UPDATE = os.environ.get("NGUON_UPDATE_CONSOLE") == "1"


def _check(path: Path, expected: object) -> None:
    text = json.dumps(expected, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    if path.read_text(encoding="utf-8") != text:
        pytest.fail(f"{path} is stale: run NGUON_UPDATE_CONSOLE=1 pytest {__file__}")


def test_the_console_has_the_api_s_openapi_document():
    from staff_api.application import app

    _check(CONSOLE / "api" / "openapi.json", json.loads(app.get_openapi_json_schema()))


def test_the_console_has_the_api_s_role_table():
    table = {role.value: sorted(p.value for p in perms) for role, perms in ROLE_PERMISSIONS.items()}
    _check(CONSOLE / "auth" / "permissions.json", table)


def test_every_route_documents_its_success_answer():
    """The console's client types come from these entries: a route without one is `never`."""
    from staff_api.application import app

    document = json.loads(app.get_openapi_json_schema())
    undocumented = [
        f"{method.upper()} {path}"
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if not any(
            status.startswith("2") and answer.get("content", {}).get("application/json")
            for status, answer in operation["responses"].items()
        )
    ]
    assert undocumented == []
