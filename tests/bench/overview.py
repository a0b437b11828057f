"""The console's overview on the local cloud: ``GET /units/52/overview`` (the province) with the
commune fleet (``NGUON_FLEET=commune``: 310 simulated devices, connected and reporting), as
``tinh-operator`` and ``tinh-approver``, and the district (``540``) as ``huyen-operator``; the
figure is the median of 5 calls after one warm-up, through the gateway as the console calls
it. Baseline, interleaved in the same run: ``GET /units/{code}/devices/summary`` (the same
listing query of the area's devices, and nothing else)."""

import json
import statistics
import tempfile
import time
from pathlib import Path

import requests

from infra.localcloud.cloud import LocalCloud, LocalCloudConfig
from infra.tools.sign_in import id_token

RUNS = 5


def _get(api: str, token: str, path: str) -> tuple[float, dict]:
    started = time.perf_counter()
    response = requests.get(
        f"{api}{path}", headers={"Authorization": f"Bearer {token}"}, timeout=120
    )
    elapsed = time.perf_counter() - started
    response.raise_for_status()
    return elapsed, response.json()


def _measure(api: str, token: str, unit: str) -> dict:
    overview, summary = f"/units/{unit}/overview", f"/units/{unit}/devices/summary"
    _get(api, token, overview)  # warm-up: the first call builds the API's services
    _get(api, token, summary)
    times: dict[str, list[float]] = {"overview": [], "summary": []}
    body: dict = {}
    for _ in range(RUNS):  # interleaved, so both see the same machine
        elapsed, body = _get(api, token, overview)
        times["overview"].append(elapsed)
        times["summary"].append(_get(api, token, summary)[0])
    return {
        "median_ms": round(statistics.median(times["overview"]) * 1000, 1),
        "max_ms": round(max(times["overview"]) * 1000, 1),
        "summary_median_ms": round(statistics.median(times["summary"]) * 1000, 1),
        "runs": RUNS,
        "online": body["devices"]["online"],
        "total": body["devices"]["total"],
        "by_unit": len(body["devices"]["by_unit"]),
        "plays_today": body["plays_today"],
    }


def run(quick: bool = False) -> dict:
    with tempfile.TemporaryDirectory() as temporary:
        config = LocalCloudConfig(state_dir=Path(temporary), schedules=False, fleet="commune")
        started = time.perf_counter()
        with LocalCloud(config) as cloud:
            print(f"local cloud up in {time.perf_counter() - started:.0f} s", flush=True)
            # The new devices' manifests built first (the fan-out's backlog of 310 devices
            # would otherwise be what is measured); the fleet keeps reporting meanwhile.
            for poller in cloud.stream_pollers:
                poller.wait_idle(timeout=1200)
            print(f"fan-out settled at {time.perf_counter() - started:.0f} s", flush=True)
            endpoints, password = cloud.endpoints, cloud.config.demo_password
            result: dict = {"devices": endpoints.get("fleet", {}).get("devices")}
            for username, unit in (
                ("tinh-operator", "52"),
                ("tinh-approver", "52"),
                ("huyen-operator", "540"),
            ):
                token = id_token(endpoints, username, password)
                row = _measure(endpoints["api_url"], token, unit)
                print(json.dumps({f"{username} {unit}": row}), flush=True)
                result[f"{username}_{unit}"] = row
    return result


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
