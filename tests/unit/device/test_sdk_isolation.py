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


def sdk_import_graph():
    """Module → the SDK modules it imports (at run time, under TYPE_CHECKING or in a function);
    the package's ``__init__`` (its lazy exports) is left out."""
    package = SDK / "nguon_device"
    modules = {path.stem for path in package.glob("*.py")} - {"__init__"}
    graph = {}
    for name in modules:
        tree = ast.parse((package / f"{name}.py").read_text("utf-8"))
        found = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "nguon_device":
                found |= {alias.name for alias in node.names} & modules
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "nguon_device."
            ):
                found.add(node.module.split(".")[1])
        graph[name] = found & modules
    return graph


def test_sdk_modules_import_each_other_one_way():
    graph = sdk_import_graph()
    assert "commands" in graph["device"]  # the graph sees imports at all

    def cycle_from(start, node, seen):
        for following in graph[node]:
            if following == start:
                return [*seen, following]
            if following not in seen:
                found = cycle_from(start, following, [*seen, following])
                if found:
                    return found
        return None

    cycles = [cycle for name in sorted(graph) if (cycle := cycle_from(name, name, [name]))]
    assert cycles == []
