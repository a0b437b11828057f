"""The staff console in a real browser (Debian's chromium, driven by Playwright) against the
same entry point as ``make run``: one local cloud with the district fleet for the whole run.

A test takes ``console`` (a fresh browser context), signs in as a demo user, and calls
``console.capture("name")`` on each page it visits: a screenshot at 1366 px and at 360 px under
``.local/screenshots/``, no horizontal scrolling at 360 px, and axe-core with no serious or
critical violation.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright

from tests.e2e.test_make_run_smoke import ROOT, _wait_for

pytestmark = pytest.mark.browser

SCREENSHOTS = ROOT / ".local" / "screenshots"
AXE = ROOT / "console" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Without the background-networking flags chromium keeps reaching for Google's hosts, which
# this network refuses (and a CI machine may too).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]
WIDE, NARROW = 1366, 360


@pytest.fixture(scope="session")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """``python -m infra.localcloud`` as ``make run`` starts it, on free ports."""
    state = tmp_path_factory.mktemp("console-cloud")
    environment = {
        **os.environ,
        **{
            name: "0"
            for name in (
                "NGUON_API_PORT",
                "NGUON_SPEECH_PORT",
                "NGUON_AWS_PORT",
                "NGUON_MQTT_PORT",
                "NGUON_MQTT_TLS_PORT",
                "NGUON_CONSOLE_PORT",
                "NGUON_PORTAL_PORT",
            )
        },
        "NGUON_STATE_DIR": str(state),
        "NGUON_FLEET": "district",
        "PYTHONUNBUFFERED": "1",
    }
    for inherited in ("AWS_ENDPOINT_URL", "TABLE_NAME"):
        environment.pop(inherited, None)
    process = subprocess.Popen(
        [sys.executable, "-m", "infra.localcloud"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        endpoints = _wait_for(state / "endpoints.json", process, timeout=120)
        # The cloud prints a line per function call (the fleet's heartbeats too): read them
        # all the while, or the pipe fills and the cloud, the API with it, stops mid-print.
        threading.Thread(target=_drain, args=(process,), daemon=True).start()
        yield endpoints
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _drain(process: subprocess.Popen) -> None:
    assert process.stdout is not None
    for _line in process.stdout:
        pass


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield launched
    launched.close()


@dataclass
class Console:
    """One person at the console: a browser context of their own."""

    page: Page
    endpoints: dict
    passwords: dict[str, str]
    checked: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.endpoints["console_url"].rstrip("/")

    def open(self, path: str = "/") -> Page:
        self.page.goto(f"{self.url}{path}")
        return self.page

    def sign_in(self, username: str, path: str = "/") -> Page:
        page = self.open(path)
        page.get_by_label("Tên đăng nhập").fill(username)
        page.get_by_label("Mật khẩu").fill(self.passwords[username])
        page.get_by_role("button", name="Đăng nhập").click()
        expect(page.get_by_test_id("current-user")).to_be_visible(timeout=20_000)
        return page

    def capture(self, name: str) -> None:
        """Screenshots at both widths, no horizontal scroll at 360 px, and axe on the page."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page = self.page
        page.wait_for_load_state("networkidle")
        self.check_accessibility(name)
        page.screenshot(path=SCREENSHOTS / f"{name}-{WIDE}.png", full_page=True)
        page.set_viewport_size({"width": NARROW, "height": 780})
        page.wait_for_timeout(300)  # the layout's breakpoints settle
        overflow = page.evaluate("document.documentElement.scrollWidth")
        page.screenshot(path=SCREENSHOTS / f"{name}-{NARROW}.png", full_page=True)
        page.set_viewport_size({"width": WIDE, "height": 900})
        assert overflow <= NARROW, f"{name}: {overflow} px wide at {NARROW} px (scrolls sideways)"
        self.checked.append(name)

    def check_accessibility(self, name: str) -> None:
        page = self.page
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            # Evaluated through the DevTools protocol, which the page's CSP does not govern: a
            # <script> tag of inline code (add_script_tag) is refused by script-src 'self'.
            page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        serious = [
            {
                "id": violation["id"],
                "impact": violation["impact"],
                "nodes": [node["target"] for node in violation["nodes"][:3]],
            }
            for violation in result["violations"]
            if violation["impact"] in ("serious", "critical")
        ]
        assert not serious, f"{name}: axe found {json.dumps(serious, ensure_ascii=False)}"


@pytest.fixture
def console(browser: Browser, cloud: dict) -> Iterator[Console]:
    context = browser.new_context(
        viewport={"width": WIDE, "height": 900},
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    passwords = {user["username"]: user["password"] for user in cloud["demo_users"]}
    yield Console(page, cloud, passwords)
    context.close()


@pytest.fixture
def second_console(browser: Browser, cloud: dict) -> Iterator[Console]:
    """Another person at the same time (an approver beside the editor)."""
    context = browser.new_context(
        viewport={"width": WIDE, "height": 900},
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
    )
    context.set_default_timeout(15_000)
    passwords = {user["username"]: user["password"] for user in cloud["demo_users"]}
    yield Console(context.new_page(), cloud, passwords)
    context.close()
