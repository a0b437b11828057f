"""The staff console in a real browser (Debian's chromium, driven by Playwright) against the
same entry point as ``make run``: one local cloud with the district fleet for the whole run.

A test takes ``console`` (a fresh browser context), signs in as a demo user, and calls
``console.capture("name")`` on each page it visits: a screenshot at 1366 px and at 360 px under
``.local/screenshots/``, no horizontal scrolling at 360 px, and axe-core with no serious or
critical violation.
"""

import json
import os
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright

from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.localcloud_process import ROOT, start_local_cloud, wait_for_endpoints

pytestmark = pytest.mark.browser

SCREENSHOTS = ROOT / ".local" / "screenshots"
AXE = ROOT / "console" / "node_modules" / "axe-core" / "axe.min.js"
WIDE, NARROW = 1366, 360
# Two cores shared by a local cloud, its fleet and the browser: assertions wait longer than
# Playwright's default 5 s before they fail.
expect.set_options(timeout=15_000)


@pytest.fixture(scope="session")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """``python -m infra.localcloud`` as ``make run`` starts it, on free ports."""
    state = tmp_path_factory.mktemp("console-cloud")
    # The cloud's terminal (one line per invocation, errors in full) is kept for a failed run;
    # each function's JSON log is under the state directory's logs/.
    (ROOT / ".local").mkdir(exist_ok=True)  # a fresh clone has none until make run
    terminal = (ROOT / ".local" / "browser-cloud.log").open("w")
    process = start_local_cloud(state, output=terminal, NGUON_FLEET="district")
    try:
        endpoints = wait_for_endpoints(state, process, timeout=120)
        yield endpoints
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
        terminal.close()


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

    def wait_until(self, condition: str, seconds: float) -> None:
        """Poll the JavaScript expression ``condition`` over the DevTools protocol.

        Not ``page.wait_for_function``: when its first check is false it polls in the page
        with eval(), which the console's CSP (no 'unsafe-eval') refuses, so it fails only
        when the page is slow (a loaded machine)."""
        for _ in range(int(seconds * 4)):
            if self.page.evaluate(condition):
                return
            self.page.wait_for_timeout(250)
        raise AssertionError(f"never true: {condition}")

    def capture(self, name: str) -> None:
        """Screenshots at both widths, no horizontal scroll at 360 px, and axe on the page."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page = self.page
        page.wait_for_load_state("networkidle")
        # Until what opens or closes has finished (a drawer sliding in, a dropdown fading out):
        # axe measures half-transparent text as poor contrast. Spinners run for ever: not those.
        self.wait_until(
            "document.getAnimations().every((a) => a.playState !== 'running'"
            " || a.effect?.getTiming().iterations === Infinity)",
            10,
        )
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
            # Through the DevTools protocol, not a <script> tag: the console's CSP (script-src
            # 'self') refuses inline scripts, and the test must not loosen it.
            page.evaluate(f"() => {{ {AXE.read_text()}\n }}")
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
