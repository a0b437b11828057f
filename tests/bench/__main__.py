"""``make bench``: the figures the issues ask for, each against its baseline in the same run.

- cold start: a fresh interpreter importing the API handler module and answering its first
  request (a 404, so no AWS call is timed), against a bare Powertools REST handler doing the
  same; median of N runs each, interleaved so both see the same machine state.
- start-up: ``make run`` until ``GET /openapi.json`` answers.
- restart: the same on fixed ports, first start and again right after a Ctrl-C.
- suite: ``make test`` wall time (skip with ``--quick``).
- programme: the programme resolver on generated bulletins against a plain expand-and-sort
  pass (``tests/bench/programme.py``; ``--quick`` takes fewer runs).
- devices: emergency fan-out to N simulated devices against the broker's raw QoS 1 delivery
  to N clients, and the heartbeat ingest rate (``tests/bench/devices.py``; ``--quick``: N up to
  500).
- speech: text-to-speech real-time factor of a 1,000-word bulletin through the speech service
  (normalise, synthesise, encode MP3) against the bare engine and encoder on the same text.
- media: ingest of a 10-minute recording (sniff, probe, two-pass loudness, MP3, S3) against
  one bare ffmpeg loudness pass on the same file.
- kpis: the province's KPI board for a year, the lists behind indicators, and a district
  month's report (create, read, XLSX and PDF) on the local cloud with the commune fleet and a
  year of proof of play counted from the stream (``tests/bench/kpis.py``).
- normalizer: exact-match accuracy of the Vietnamese normaliser on its test set, and its CPU
  time per character on hostile text (runs of punctuation, digits, separators, mixed scripts)
  at 1, 10 and 100 KB: flat when matching is linear.
- portal: requests per second the public portal's commune page sustains on the local cloud
  (bounded load, loopback) against a static file served by the same gateway code
  (``tests/bench/portal.py``).
- console: the sign-in page's JavaScript gzipped, each chunk's size, and the overview's time to
  data for the province with the commune fleet (310 devices), median of 5 with its spread, the
  load average around it, the API calls one page load makes, and the same call over plain
  HTTP interleaved (``tests/bench/console.py``).
- overview: ``GET /units/52/overview`` for the province with the commune fleet (310 devices),
  median of 5 (``tests/bench/overview.py``).

Results are printed and written to ``.local/bench.json``. ``--only SECTION`` (repeatable:
cold_start, startup, restart, make_test, programme, devices, speech, media, normalizer, portal,
overview, kpis, console) runs just those sections and updates their keys in
``.local/bench.json``, keeping the others, e.g. ``python -m tests.bench --only programme``.
"""

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from tests.lambda_env import lambda_environment
from tests.localcloud_process import PORT_VARIABLES, local_cloud_environment
from tests.ports import free_ports

ROOT = Path(__file__).resolve().parents[2]

_FIRST_REQUEST = """
event = json.loads(open({event!r}).read())
event["path"] = "/bench-not-a-route"
event["resource"] = "/{{proxy+}}"
response = {handler}(event, Context())
assert response["statusCode"] == 404, response
"""

_PRELUDE = """
import json, time
start = time.perf_counter()
class Context:
    function_name = "bench"; memory_limit_in_mb = 512; aws_request_id = "bench"
    invoked_function_arn = "arn:aws:lambda:ap-southeast-1:123456789012:function:bench"
"""

NGUON_HANDLER = (
    _PRELUDE
    + """
import app
"""
    + _FIRST_REQUEST.format(
        event=str(ROOT / "events/api-get-unit.json"), handler="app.lambda_handler"
    )
    + "print(time.perf_counter() - start)"
)


def _bare(resolver_args: str, extra_imports: str = "") -> str:
    return (
        _PRELUDE
        + f"""
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
{extra_imports}
resolver = APIGatewayRestResolver({resolver_args})
@resolver.get("/ping")
def ping() -> dict:
    return {{"ok": True}}
def handler(event, context):
    return resolver.resolve(event, context)
"""
        + _FIRST_REQUEST.format(event=str(ROOT / "events/api-get-unit.json"), handler="handler")
        + "print(time.perf_counter() - start)"
    )


# The baseline the issue names, then two steps towards the project's handler, so the ratio
# can be read: how much is Powertools' validation (OpenAPI models), the tracer (X-Ray SDK,
# which imports botocore), and the rest is the project's own code.
HANDLERS = {
    "nguon_api": NGUON_HANDLER,
    "bare_powertools": _bare(""),
    "bare_with_validation": _bare("enable_validation=True"),
    "bare_with_validation_and_tracer": _bare(
        "enable_validation=True",
        "from aws_lambda_powertools import Logger, Metrics, Tracer; Logger(); Metrics(); Tracer()",
    ),
}


def _lambda_environment() -> dict[str, str]:
    return {
        **os.environ,
        **lambda_environment(),
        "PYTHONPATH": str(ROOT / "functions/api"),
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def cold_start(runs: int) -> dict:
    environment = _lambda_environment()
    timings: dict[str, list[float]] = {name: [] for name in HANDLERS}
    for _ in range(runs):
        for name, code in HANDLERS.items():
            output = subprocess.run(
                [sys.executable, "-c", code],
                env=environment,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            timings[name].append(float(output.strip().splitlines()[-1]))
    medians = {name: statistics.median(values) for name, values in timings.items()}
    baseline = medians["bare_powertools"]
    return {
        "runs": runs,
        "median_ms": {name: round(value * 1000, 1) for name, value in medians.items()},
        "ratio_to_bare_powertools": {
            name: round(value / baseline, 2) for name, value in medians.items()
        },
    }


def startup(runs: int) -> dict:
    timings = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as state:
            timings.append(_make_run_until_api_answers(state, None))
    return {"runs": runs, "median_s": round(statistics.median(timings), 2)}


def restart(runs: int) -> dict:
    """``make run`` on fixed ports, Ctrl-C, and ``make run`` again at once, as a person does:
    each start timed until the API answers (the last run's connections still in TIME_WAIT)."""
    first, again = [], []
    for _ in range(runs):
        ports = free_ports(len(PORT_VARIABLES))
        with tempfile.TemporaryDirectory() as state:
            first.append(_make_run_until_api_answers(state, ports))
            again.append(_make_run_until_api_answers(state, ports))
    return {
        "runs": runs,
        "first_start_median_s": round(statistics.median(first), 2),
        "after_ctrl_c_median_s": round(statistics.median(again), 2),
    }


def _make_run_until_api_answers(state: str, ports: list[int] | None) -> float:
    """Seconds from ``make run`` until the API answers; then Ctrl-C, as a terminal sends it."""
    environment = local_cloud_environment(state, ports)
    started = time.perf_counter()
    process = subprocess.Popen(
        ["make", "--no-print-directory", "run"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        return _until_api_answers(Path(state) / "endpoints.json", started, process)
    finally:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=60)


def _until_api_answers(
    endpoints_file: Path, started: float, process: subprocess.Popen, timeout: float = 120
) -> float:
    while time.perf_counter() - started < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"make run exited with {process.returncode} before the API answered")
        if endpoints_file.exists():
            url = json.loads(endpoints_file.read_text())["api_url"]
            if requests.get(f"{url}/openapi.json", timeout=5).status_code == 200:
                return time.perf_counter() - started
        time.sleep(0.02)
    raise TimeoutError("the API did not answer")


def suite() -> dict:
    started = time.perf_counter()
    subprocess.run(
        ["make", "--no-print-directory", "test"], cwd=ROOT, check=True, capture_output=True
    )
    return {"wall_s": round(time.perf_counter() - started, 1)}


SECTIONS = (
    "cold_start",
    "startup",
    "restart",
    "make_test",
    "programme",
    "devices",
    "speech",
    "media",
    "normalizer",
    "portal",
    "overview",
    "kpis",
    "console",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15, help="cold-start runs per handler")
    parser.add_argument(
        "--fleet",
        choices=("commune", "district"),
        help="the kpis section's fleet (default: NGUON_BENCH_FLEET, else commune)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="skip timing the whole suite; fewer resolver runs"
    )
    parser.add_argument(
        "--only", action="append", choices=SECTIONS, help="run just this section (repeatable)"
    )
    args = parser.parse_args()
    only = set(args.only or SECTIONS)
    out = ROOT / ".local" / "bench.json"
    results = json.loads(out.read_text()) if args.only and out.exists() else {}
    if "cold_start" in only:
        results["cold_start"] = cold_start(args.runs)
    if "startup" in only:
        results["make_run_until_api_answers"] = startup(3)
    if "restart" in only:
        results["make_run_restart"] = restart(2)
    if "make_test" in only and not args.quick:
        results["make_test"] = suite()
    if "programme" in only:
        from tests.bench import programme  # in-process; imports the project's layer

        results["programme"] = programme.run(quick=args.quick)
    if "devices" in only:
        from tests.bench import devices  # starts its own local cloud and device processes

        results["devices"] = devices.run(quick=args.quick)
    if "speech" in only:
        from tests.bench import speech  # a 1,000-word bulletin: service vs bare engine+encoder

        results["speech"] = speech.run(quick=args.quick)
    if "media" in only:
        from tests.bench import media  # a 10-minute recording: ingest vs one loudnorm pass

        results["media"] = media.run(quick=args.quick)
    if "normalizer" in only:
        from tests.bench import normalizer  # accuracy on the test set, and speed

        results["normalizer"] = normalizer.run(quick=args.quick)
    if "portal" in only:
        from tests.bench import portal  # the commune page vs a static file, same gateway

        results["portal"] = portal.run(quick=args.quick)
    if "overview" in only:
        from tests.bench import overview  # the province's overview with the commune fleet

        results["overview"] = overview.run(quick=args.quick)
    if "kpis" in only:
        from tests.bench import kpis  # its own local cloud with the commune fleet

        results["kpis"] = kpis.run(quick=args.quick, fleet=args.fleet)
    if "console" in only:
        from tests.bench import console  # the console's bundle sizes and overview time to data

        results["console"] = console.run(quick=args.quick)
    results["python"] = sys.version.split()[0]
    results["cpus"] = os.cpu_count()
    print(json.dumps(results, indent=2))
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
