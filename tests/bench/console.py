"""The console's figures (issue 13): the sign-in page's JavaScript gzipped (≤ 300 KB), each lazy
chunk's size, and the overview's time to data for the province with the commune fleet (310
devices) on the local cloud (≤ 1.5 s), median of 5.

The local cloud starts as ``make run`` does (``LocalCloud``, in this process, so the bench can
wait for the fan-out's start-up backlog to settle as the overview bench does) with the commune
fleet; it serves ``console/dist`` (built here unless ``--quick`` finds one).
Chromium (Debian's, through Playwright) signs in as ``tinh-operator``; each run navigates to
the overview and times until its data shows: devices online by district, open alarms and
today's emergencies (``core``), and with the plays-vs-plan chart (``full``), reported apart.
Each is given as the median of the runs with its spread (fastest, slowest), with the load
average before and after (the machine is shared: the figure moves with it), the API calls one
page load made, and the same ``GET /units/52/overview`` timed over plain HTTP (no browser) in
the same minute, so what is the browser's and what is the API's can be told apart.
"""

import gzip
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

import requests

from infra.localcloud.cloud import LocalCloud, LocalCloudConfig
from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.localcloud_process import ROOT

DIST = ROOT / "console" / "dist"
SETTLE_S = 300
"""The longest wait for the fan-out's start-up backlog before measuring."""
CORE_READY = """() => {
  const card = (id) => document.querySelector(`[data-testid="${id}"]`);
  const settled = (id) => !!card(id)?.querySelector('.ant-list, .ant-empty');
  return !!card('overview-devices')?.querySelector('.ant-table-row')
    && settled('overview-alarms') && settled('overview-emergencies');
}"""
FULL_READY = """() => {
  const plays = document.querySelector('[data-testid="overview-plays"]');
  return !!plays && !plays.querySelector('.ant-spin');
}"""


def _gzip_kb(path: Path) -> float:
    return round(len(gzip.compress(path.read_bytes(), 9)) / 1024, 1)


def chunk_sizes() -> dict[str, float]:
    """Each JS file in dist/assets, gzipped KB, largest first."""
    sizes = {path.name: _gzip_kb(path) for path in (DIST / "assets").glob("*.js")}
    return dict(sorted(sizes.items(), key=lambda item: -item[1]))


def _sign_in_js_kb(page, url: str) -> float:
    """The JavaScript the sign-in page loads, gzipped (the dist files it fetched)."""
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(urlparse(request.url).path))
    page.goto(url)
    page.get_by_label("Tên đăng nhập").wait_for()
    page.wait_for_load_state("networkidle")
    scripts = {path for path in fetched if path.endswith(".js")}
    return round(sum(_gzip_kb(DIST / path.lstrip("/")) for path in scripts), 1)


def run(quick: bool = False, runs: int = 5) -> dict:
    from playwright.sync_api import sync_playwright

    if not (quick and (DIST / "index.html").exists()):
        subprocess.run(["npm", "run", "build"], cwd=ROOT / "console", check=True)
    results: dict = {"chunks_gzip_kb": chunk_sizes()}
    with tempfile.TemporaryDirectory() as temporary:
        config = LocalCloudConfig(state_dir=Path(temporary), fleet="commune")
        started = time.perf_counter()
        with LocalCloud(config) as cloud:
            # As the overview bench does: the fan-out's start-up backlog (310 new devices'
            # manifests) settled first, or it is what is measured (a loaded machine took
            # minutes: every API call waited behind it in the one interpreter).
            # Bounded: on a machine this loaded it may not settle, and the figure says so.
            deadline = time.monotonic() + SETTLE_S
            results["cloud_settled"] = all(
                poller.wait_idle(timeout=max(1.0, deadline - time.monotonic()))
                for poller in cloud.stream_pollers
            )
            results["cloud_ready_after_s"] = round(time.perf_counter() - started)
            endpoints = cloud.endpoints
            url = endpoints["console_url"].rstrip("/")
            password = {u["username"]: u["password"] for u in endpoints["demo_users"]}
            devices = endpoints.get("fleet", {}).get("devices")
            token = _wait_online(endpoints, password["tinh-operator"], devices)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
                results["sign_in_js_gzip_kb"] = _sign_in_js_kb(page, url)
                page.get_by_label("Tên đăng nhập").fill("tinh-operator")
                page.get_by_label("Mật khẩu").fill(password["tinh-operator"])
                page.get_by_role("button", name="Đăng nhập").click()
                page.get_by_test_id("current-user").wait_for(timeout=60_000)
                core: list[float] = []
                full: list[float] = []
                plain: list[float] = []
                # Every call that leaves the console's own origin (API, Cognito), preflights too.
                console_origin = urlparse(url).netloc
                calls: list[str] = []

                def _call(request) -> None:
                    where = urlparse(request.url)
                    if where.netloc != console_origin:
                        calls.append(f"{request.method} {where.path}")

                page.on("request", _call)
                load_before = os.getloadavg()
                try:
                    page.wait_for_function(CORE_READY, timeout=180_000)  # warm: chunks cached
                    for _ in range(runs):
                        calls.clear()
                        started = time.perf_counter()
                        page.goto(f"{url}/")
                        page.wait_for_function(CORE_READY, timeout=120_000, polling=20)
                        core.append(time.perf_counter() - started)
                        page.wait_for_function(FULL_READY, timeout=180_000, polling=20)
                        full.append(time.perf_counter() - started)
                        # The same call without a browser, interleaved: the same machine state.
                        plain.append(_plain_http(endpoints["api_url"], token))
                except Exception as error:  # a figure that did not come is itself the figure
                    shot = ROOT / ".local" / "screenshots" / "bench-overview.png"
                    shot.parent.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=shot, full_page=True)
                    results["overview_error"] = f"{type(error).__name__}: {str(error)[:200]}"
                browser.close()
            if not plain:  # the browser's runs failed: the API's own figure still tells
                plain = [_plain_http(endpoints["api_url"], token) for _ in range(runs)]
            load_after = os.getloadavg()
            results["overview"] = {
                "fleet_devices": devices,
                "runs": runs,
                "core_median_s": _median(core),
                "core_spread_s": _spread(core),
                "with_plays_chart_median_s": _median(full),
                "with_plays_chart_spread_s": _spread(full),
                "core_s": [round(s, 2) for s in core],
                "api_calls_per_load": sorted(calls),
                "plain_http_overview_median_s": _median(plain),
                "plain_http_overview_spread_s": _spread(plain),
                "load_average_1_5_15": {
                    "before": [round(x, 2) for x in load_before],
                    "after": [round(x, 2) for x in load_after],
                },
                "cpus": os.cpu_count(),
            }
    return results


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 2) if values else None


def _spread(values: list[float]) -> list[float] | None:
    """Fastest and slowest run."""
    return [round(min(values), 2), round(max(values), 2)] if values else None


def _plain_http(api: str, token: str) -> float:
    """The page's one call without a browser (as curl would make it), in seconds."""
    started = time.perf_counter()
    response = requests.get(
        f"{api}/units/52/overview", headers={"Authorization": f"Bearer {token}"}, timeout=180
    )
    response.raise_for_status()
    return time.perf_counter() - started


def _wait_online(endpoints: dict, password: str, devices: int | None) -> str:
    """Until the fleet is online (the summary counts it), so every run sees the same data;
    the operator's ID token, for the plain HTTP timings."""
    import boto3

    cognito = boto3.client(
        "cognito-idp",
        endpoint_url=endpoints["aws_endpoint_url"],
        region_name=endpoints["region"],
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    token = cognito.initiate_auth(
        ClientId=endpoints["user_pool_client_id"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "tinh-operator", "PASSWORD": password},
    )["AuthenticationResult"]["IdToken"]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        summary = requests.get(
            f"{endpoints['api_url']}/units/52/devices/summary",
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        ).json()
        if devices is None or summary["online"] >= devices:
            return token
        time.sleep(1)
    return token
