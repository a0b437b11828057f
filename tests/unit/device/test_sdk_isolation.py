"""The SDK installs and runs on a device alone: it imports nothing from the cloud side."""

import ast
from pathlib import Path

SDK = Path(__file__).resolve().parents[3] / "device_sdk"
FORBIDDEN = ("nguon", "infra", "functions", "tests")


def imported_modules(path):
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


def test_the_sdk_imports_nothing_from_nguon_or_infra():
    files = sorted((SDK / "nguon_device").rglob("*.py"))
    assert len(files) > 10
    offending = [
        f"{path.relative_to(SDK)}: {module}"
        for path in files
        for module in imported_modules(path)
        if module.split(".")[0] in FORBIDDEN
    ]
    assert offending == []


def test_the_schemas_ship_as_package_data():
    pyproject = (SDK / "pyproject.toml").read_text()
    assert 'nguon_device = ["schemas/*.json"]' in pyproject
    assert len(list((SDK / "nguon_device" / "schemas").glob("*.json"))) == 9


def test_every_export_resolves_without_loading_awscrt_first():
    import nguon_device

    assert sorted(nguon_device.__all__) == sorted(nguon_device._EXPORTS)
    for name in nguon_device.__all__:
        assert getattr(nguon_device, name).__name__ == name
