"""What the console reads from the cloud's code, kept equal to it.

The console's API types are generated from ``console/src/api/openapi.json``; its role table
from ``console/src/auth/permissions.json``. When the API changes, refresh both with
``NGUON_UPDATE_CONSOLE=1 .venv/bin/python -m pytest tests/unit/test_console_contract.py``.
"""

import json
import os
import subprocess
import sys
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


def _document_of_a_fresh_api() -> dict:
    """The document as a cold start makes it, in a new interpreter: within the suite, other
    tests' dependency overrides and resolver state could colour an in-process one."""
    api_root = Path(__file__).resolve().parents[2] / "functions" / "api"
    made = subprocess.run(
        [
            sys.executable,
            "-c",
            "from staff_api.application import app; print(app.get_openapi_json_schema())",
        ],
        env={**os.environ, "PYTHONPATH": str(api_root)},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(made.stdout)


def test_the_console_has_the_api_s_openapi_document():
    _check(CONSOLE / "api" / "openapi.json", _document_of_a_fresh_api())


def test_the_console_has_the_api_s_role_table():
    table = {role.value: sorted(p.value for p in perms) for role, perms in ROLE_PERMISSIONS.items()}
    _check(CONSOLE / "auth" / "permissions.json", table)


def test_every_route_documents_its_success_answer():
    """The console's client types come from these entries: a route without one is `never`."""
    document = _document_of_a_fresh_api()
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
