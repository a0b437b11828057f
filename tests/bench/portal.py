"""The public portal on the local cloud: requests per second the commune page sustains, against
a static file served by the same gateway code.

The local cloud runs as ``make run`` does (a process of its own, the demo bulletins loaded,
no fleet), so the load generator does not share its interpreter. Load is bounded and on
loopback only: C client threads with keep-alive sessions, each sending its next request when
the last one is answered, for S seconds per round; rounds alternate between the page and the
baseline so both see the same machine state. Baseline: a file of similar size the gateway
serves itself, with no function behind it (Swagger UI's ``oauth2-redirect.html`` on the
staff API's gateway: same ``ApiGateway`` class, same threaded HTTP server).
"""

import os
import signal
import statistics
import subprocess
import tempfile
import threading
import time

import requests

from tests.localcloud_process import start_local_cloud, wait_for_endpoints

COMMUNE = "21550"
STATIC = "/docs/static/oauth2-redirect.html"


def _start(state: str) -> tuple[subprocess.Popen, dict]:
    process = start_local_cloud(
        state, output=subprocess.DEVNULL, NGUON_FLEET="off", NGUON_DEMO_BULLETINS="1"
    )
    return process, wait_for_endpoints(state, process, timeout=180)


def _load(url: str, clients: int, seconds: float, headers: dict | None = None) -> dict:
    latencies: list[float] = []
    errors = [0]
    sizes: list[int] = []
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def client() -> None:
        session = requests.Session()
        mine: list[float] = []
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            response = session.get(url, headers=headers, timeout=30)
            mine.append(time.perf_counter() - started)
            if response.status_code != 200:
                with lock:
                    errors[0] += 1
            elif not sizes:
                sizes.append(len(response.content))
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "rps": len(ordered) / elapsed,
        "p50_ms": 1000 * statistics.median(ordered),
        "p95_ms": 1000 * ordered[int(0.95 * (len(ordered) - 1))],
        "errors": errors[0],
        "bytes": sizes[0] if sizes else 0,
    }


def _summary(rounds: list[dict]) -> dict:
    return {
        "rps_median": round(statistics.median(r["rps"] for r in rounds), 1),
        "p50_ms_median": round(statistics.median(r["p50_ms"] for r in rounds), 1),
        "p95_ms_median": round(statistics.median(r["p95_ms"] for r in rounds), 1),
        "errors": sum(r["errors"] for r in rounds),
        "bytes": rounds[0]["bytes"],
    }


def run(quick: bool = False, clients: int = 4) -> dict:
    seconds, rounds = (3.0, 2) if quick else (8.0, 3)
    with tempfile.TemporaryDirectory() as state:
        process, endpoints = _start(state)
        try:
            page = f"{endpoints['portal_url']}/units/{COMMUNE}"
            static = f"{endpoints['api_url']}{STATIC}"
            # Warm: the first request imports the function (its cold start is not the figure).
            for url in (page, static, page):
                assert requests.get(url, timeout=60).status_code == 200, url
            html = requests.get(page, timeout=30)
            as_json = requests.get(page, headers={"Accept": "application/json"}, timeout=30)
            pages, statics = [], []
            for _ in range(rounds):
                pages.append(_load(page, clients, seconds))
                statics.append(_load(static, clients, seconds))
        finally:
            os.killpg(process.pid, signal.SIGINT)
            process.wait(timeout=60)
    page_summary, static_summary = _summary(pages), _summary(statics)
    return {
        "clients": clients,
        "seconds_per_round": seconds,
        "rounds": rounds,
        "commune_page": page_summary,
        "static_file": static_summary,
        "page_vs_static": round(page_summary["rps_median"] / static_summary["rps_median"], 3),
        "commune_page_html_bytes": len(html.content),
        "commune_page_json_bytes": len(as_json.content),
    }
