"""`make console`: `npm ci` only when package-lock.json changed, a build only when a source
did, and nothing at all without a console. Run on a copy of the Makefile with a recording npm,
so the test needs neither Node nor the network."""

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

FAKE_NPM = """#!/usr/bin/env bash
# Records its arguments; `ci` makes node_modules, `run build` writes dist as Vite does.
echo "$*" >> "$NPM_LOG"
case "$1" in
  ci) rm -rf node_modules && mkdir node_modules ;;
  run) rm -rf dist && mkdir -p dist/assets && echo '<!doctype html>' > dist/index.html ;;
esac
"""


@pytest.fixture
def repo(tmp_path):
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    bootstrap = tmp_path / "infra" / "bootstrap"
    bootstrap.mkdir(parents=True)
    (bootstrap / "system-packages.sh").write_text("#!/usr/bin/env bash\nexit 0\n")
    (bootstrap / "system-packages.sh").chmod(0o755)
    npm = tmp_path / "fake-npm"
    npm.write_text(FAKE_NPM)
    npm.chmod(0o755)
    return tmp_path


def _console(repo: Path) -> None:
    (repo / "console" / "src").mkdir(parents=True)
    for name, text in {
        "package.json": '{"name": "c", "scripts": {"build": "vite build"}}',
        "package-lock.json": '{"lockfileVersion": 3}',
        "index.html": "<!doctype html>",
        "vite.config.ts": "export default {};",
        "src/main.tsx": "export {};",
    }.items():
        (repo / "console" / name).write_text(text)


def _make(repo: Path) -> list[str]:
    log = repo / "npm.log"
    log.unlink(missing_ok=True)
    subprocess.run(
        ["make", "--no-print-directory", "console", f"NPM={repo / 'fake-npm'}"],
        cwd=repo,
        env={**os.environ, "NPM_LOG": str(log), "MAKEFLAGS": ""},
        check=True,
        capture_output=True,
        text=True,
    )
    return log.read_text().splitlines() if log.exists() else []


def _backdate(repo: Path) -> None:
    """Sources a minute old, so that a change made now is newer whatever the file system's
    timestamp resolution."""
    old = time.time() - 60
    for path in (repo / "console").rglob("*"):
        os.utime(path, (old, old))


def _change(repo: Path, name: str) -> None:
    _backdate(repo)
    os.utime(repo / "console" / name)


def test_without_a_console_nothing_runs(repo):
    assert _make(repo) == []


def test_installs_and_builds_once_then_only_what_changed_needs(repo):
    _console(repo)
    _backdate(repo)
    assert _make(repo) == ["ci --no-audit --no-fund", "run build"]
    assert (repo / "console" / "dist" / "index.html").is_file()
    assert _make(repo) == []  # nothing changed

    _change(repo, "src/main.tsx")
    assert _make(repo) == ["run build"]  # a source: build, no install

    _change(repo, "package-lock.json")
    assert _make(repo) == ["ci --no-audit --no-fund", "run build"]

    shutil.rmtree(repo / "console" / "dist")
    assert _make(repo) == ["run build"]

    shutil.rmtree(repo / "console" / "node_modules")
    assert _make(repo) == ["ci --no-audit --no-fund", "run build"]
