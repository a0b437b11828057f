"""KPIs and reports on the local cloud with the commune fleet (``NGUON_FLEET=commune``: a
loudspeaker cluster and a board in each of the 155 communes, 310 devices).

Seeded: the fleet (its devices reach ``StatsFunction`` through the stream as they are
provisioned), board-only bulletins approved through the API (from departments and communes),
and a year of proof of play written through the device store (``PLAYS_PER_DAY`` a day over the
last 365 days, spread over the speakers), all counted by ``StatsFunction`` from the stream.

Figures: the province's KPI board for a year (``GET /kpis?unit=52&year=``, and a rolling
365 days), the list behind two indicators, and for a district month (Quy Nhơn): creating the
pre-filled report (``POST /reports``, with its consolidation of 21 communes), reading it, and
its XLSX and PDF exports (the answer's ``generated_ms`` and the whole request).
"""

import json
import os
import random
import statistics
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import boto3
import requests

from infra.localcloud.cloud import LocalCloud, LocalCloudConfig
from infra.tools.sign_in import id_token
from nguon.models.devices import DeviceKind
from nguon.models.monitoring import PlayRecord, PlayResult
from tests.bench.devices import settle

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
PLAYS_PER_DAY = int(os.environ.get("NGUON_BENCH_PLAYS_PER_DAY", "12"))
RUNS = 10


def _year_of(day):
    return day.replace(month=1, day=1), day.replace(month=12, day=31)


def _timed(call) -> tuple[float, object]:
    started = time.perf_counter()
    result = call()
    return (time.perf_counter() - started) * 1000, result


def _series(call, runs: int = RUNS) -> dict:
    first, _ = _timed(call)
    times = [_timed(call)[0] for _ in range(runs)]
    return {
        "first_ms": round(first, 1),
        "median_ms": round(statistics.median(times), 1),
        "max_ms": round(max(times), 1),
        "runs": runs,
    }


def _bulletins(
    api: str, editor: str, provider: str, approver: str, communes: list[str]
) -> list[str]:
    today = datetime.now(ZONE).date()
    departments = ["Sở Y tế", "Sở Công Thương", "Sở Nội vụ", None, None, None]
    ids = []
    for n, department in enumerate(departments * 2):
        author = provider if department else editor
        body = {
            "title": f"Thông báo {n}",
            "body": "Thông báo lịch tiêm chủng mở rộng cho trẻ em dưới 5 tuổi.",
            "category": "health",
            "channels": ["board"],  # no voice to make: the bench measures counting
            "targets": [communes[n]],
            "schedule": {
                "type": "daily",
                "times": ["07:00"],
                "from": today.isoformat(),
                "until": (today + timedelta(days=7)).isoformat(),
            },
            **({"department": department} if department else {}),
        }
        made = requests.post(
            f"{api}/bulletins", json=body, headers={"Authorization": author}, timeout=60
        )
        made.raise_for_status()
        bulletin = made.json()["id"]
        for step, who in (("submit", author), ("approve", approver)):
            done = requests.post(
                f"{api}/bulletins/{bulletin}/{step}", headers={"Authorization": who}, timeout=60
            )
            done.raise_for_status()
        ids.append(bulletin)
    return ids


def _plays(bulletins: list[str], days: int) -> list[PlayRecord]:
    from nguon.storage.devices import DynamoDeviceStore

    store = DynamoDeviceStore()
    speakers = [d for d in store.all_active() if d.kind is DeviceKind.SPEAKER]
    rng = random.Random(15)
    today = datetime.now(ZONE).replace(hour=6, minute=0, second=0, microsecond=0)
    records = []
    for back in range(days, 0, -1):
        day = today - timedelta(days=back)
        for n, device in enumerate(rng.choices(speakers, k=PLAYS_PER_DAY)):
            ok = rng.random() > 0.1
            start = day + timedelta(minutes=n)
            records.append(
                PlayRecord(
                    thing=device.thing,
                    unit=device.unit,
                    play_id=f"bench-{back}-{n}-{device.thing}",
                    bulletin_id=rng.choice(bulletins),
                    started_at=start,
                    ended_at=start + timedelta(seconds=60 if ok else 3),
                    result=PlayResult.OK if ok else PlayResult.FAILED,
                    reason=None if ok else "bench",
                    requested_s=60.0,
                )
            )
    for start in range(0, len(records), 500):
        store.add_plays(records[start : start + 500])
    return records


def _counter_reads(first, last) -> dict:
    """The board's read of the province's counters in this process, against the table: before
    (every day item up to the range's end, as the board read them until the roll-ups) and now
    (whole years and months, the ragged days, the running state), timed in turn."""
    from nguon.services.kpis import read_figures
    from nguon.storage.stats import DynamoStatsStore

    store = DynamoStatsStore()
    before = _series(lambda: store.days("52", last))
    after = _series(lambda: read_figures(store, "52", first, last))
    return {
        "day_items_before": len(store.days("52", last)),
        "before_all_days": before,
        "after_roll_ups": after,
        "ratio_median": round(before["median_ms"] / max(after["median_ms"], 0.001), 1),
    }


def run(quick: bool = False, fleet: str | None = None) -> dict:
    days = 90 if quick else 365
    # The figure is with the commune fleet; NGUON_BENCH_FLEET=district (or
    # --fleet district) runs the same year of counters with 22 devices, for a machine too busy
    # to settle 310 (the board reads the province's counter items, as many with either fleet).
    fleet = fleet or os.environ.get("NGUON_BENCH_FLEET", "commune")
    with tempfile.TemporaryDirectory() as temporary:
        state = Path(temporary)
        config = LocalCloudConfig(state_dir=state, schedules=False, fleet=fleet)
        with LocalCloud(config) as cloud:
            endpoints = cloud.endpoints
            api = endpoints["api_url"]
            password = config.demo_password
            editor = id_token(endpoints, "tinh-editor", password)
            provider = id_token(endpoints, "tinh-provider", password)
            approver = id_token(endpoints, "tinh-approver", password)
            settle(cloud)
            from nguon.services.unit_catalogue import load_bundled_catalogue

            communes = [u.code for u in load_bundled_catalogue() if u.level.value == "commune"]
            bulletins = _bulletins(api, editor, provider, approver, communes)
            started = time.perf_counter()
            plays = _plays(bulletins, days)
            written_s = time.perf_counter() - started
            settle(cloud)
            counted_s = time.perf_counter() - started
            print(f"{len(plays)} plays written in {written_s:.1f} s, counted by {counted_s:.1f} s")

            today = datetime.now(ZONE).date()
            print(f"counted; timing the board for {today.year}", flush=True)
            headers = {"Authorization": editor}

            def get(path: str, **query: str) -> dict:
                answer = requests.get(f"{api}{path}", params=query, headers=headers, timeout=60)
                answer.raise_for_status()
                return answer.json()

            year = str(today.year)
            rolling = {"from": (today - timedelta(days=364)).isoformat(), "to": today.isoformat()}
            board = get("/kpis", unit="52", **rolling)
            by_id = {i["id"]: i for i in board["indicators"]}
            since = today - timedelta(days=364)
            ok_s = sum(
                p.duration_s
                for p in plays
                if p.result is PlayResult.OK and p.started_at.date() >= since
            )
            played = by_id["play_time_vs_requested"]
            assert abs(played["numerator"] - ok_s) < 1, (played, ok_s)  # counted = the records
            from nguon.storage.devices import DynamoDeviceStore

            with_speakers = {
                d.unit for d in DynamoDeviceStore().all_active() if d.kind is DeviceKind.SPEAKER
            }
            assert by_id["communes_with_ip_radio"]["numerator"] == len(with_speakers), by_id

            dynamodb = boto3.client(
                "dynamodb",
                endpoint_url=endpoints["aws_endpoint_url"],
                region_name=endpoints["region"],
            )
            counter_items = dynamodb.query(
                TableName=endpoints["table_name"],
                KeyConditionExpression="PK = :pk",
                ExpressionAttributeValues={":pk": {"S": "STATS#52"}},
                Select="COUNT",
            )["Count"]

            results: dict = {
                "sizes": {
                    "fleet": fleet,
                    "devices": endpoints["fleet"]["devices"],
                    "communes": len(communes),
                    "plays": len(plays),
                    "days_of_plays": days,
                    "bulletins": len(bulletins),
                    "province_counter_items": counter_items,
                },
                "stats_counting": {
                    "plays_written_s": round(written_s, 1),
                    "counted_after_s": round(counted_s, 1),
                },
                "load_average": [round(n, 2) for n in os.getloadavg()],
                "kpi_board_year": _series(lambda: get("/kpis", unit="52", year=year)),
                "kpi_board_rolling_365_days": _series(lambda: get("/kpis", unit="52", **rolling)),
                "kpi_detail_communes_with_ip_radio": _series(
                    lambda: get("/kpis/communes_with_ip_radio", unit="52", **rolling), runs=5
                ),
                "kpi_detail_play_time_by_district": _series(
                    lambda: get("/kpis/play_time_vs_requested", unit="52", **rolling), runs=5
                ),
            }
            results["counter_reads_year"] = _counter_reads(*_year_of(today))
            results["counter_reads_rolling"] = _counter_reads(since, today)
            month = today.strftime("%Y-%m")
            create_ms, created = _timed(
                lambda: requests.post(
                    f"{api}/reports",
                    json={"unit": "540", "period": "monthly", "month": month},
                    headers=headers,
                    timeout=60,
                )
            )
            created.raise_for_status()  # type: ignore[attr-defined]
            report = created.json()  # type: ignore[attr-defined]
            results["district_month_report"] = {
                "create_ms": round(create_ms, 1),
                "communes_consolidated": len(report["consolidation"]["children"]),
                "read": _series(lambda: get(f"/reports/{report['id']}"), runs=5),
            }
            for kind in ("xlsx", "pdf"):
                request_ms, link = _timed(
                    lambda kind=kind: get(f"/reports/{report['id']}/export", format=kind)
                )
                results["district_month_report"][kind] = {
                    "request_ms": round(request_ms, 1),
                    "generated_ms": link["generated_ms"],  # type: ignore[index]
                    "bytes": link["size"],  # type: ignore[index]
                }
    print(json.dumps(results, indent=2, ensure_ascii=False), flush=True)
    return results


def in_process(days: int = 365) -> dict:
    """``python -m tests.bench.kpis --in-process``: the same seeded sizes (310 devices, a year
    of plays) in moto's in-process mock, counted by calling the stats service on the table's
    items, and the board through the API handler in-process: the read path without the local
    cloud's HTTP gateway and stream pollers (for a machine too busy to settle the fleet)."""
    import os

    from tests.lambda_env import lambda_environment

    for name, value in lambda_environment().items():  # before the storage modules load
        os.environ.setdefault(name, value)
    return _in_process(days)


def _in_process(days: int) -> dict:
    from infra.localcloud import moto_transactions
    from nguon.services.stats import StatsService
    from nguon.services.units import UnitService
    from nguon.storage.bulletins import DynamoBulletinStore
    from nguon.storage.devices import DynamoDeviceStore
    from nguon.storage.stats import DynamoStatsStore
    from nguon.storage.units import DynamoUnitStore
    from tests.api_events import call
    from tests.days import today
    from tests.factories import device
    from tests.unit.api_world import world
    from tests.unit.kpi_support import COMMUNES, at, stream

    moto_transactions.install()
    with world():
        import app

        store = DynamoDeviceStore()
        for commune in COMMUNES:
            for kind in ("speaker", "board"):
                prefix = "loa" if kind == "speaker" else "bang"
                store.create(
                    device(
                        f"{prefix}-{commune.code}-000001",
                        unit_code=commune.code,
                        kind=kind,
                        created_at=at(today() - timedelta(days=days + 30)),
                    )
                )
        plays = _plays(["b-bench-1", "b-bench-2"], days)
        units = UnitService(DynamoUnitStore())
        stats = StatsService(units, DynamoBulletinStore(), DynamoStatsStore())
        started = time.perf_counter()
        records = list(stream())
        for record in records:
            stats.record(record)
        counted_s = time.perf_counter() - started

        def board() -> dict:
            status, body = call(
                app.lambda_handler,
                "GET",
                "/kpis",
                user="tinh",
                groups="viewer",
                unit="52",
                query={"unit": "52", "year": str(today().year)},
            )
            assert status == 200, body
            return body

        by_id = {i["id"]: i for i in board()["indicators"]}
        assert by_id["communes_with_ip_radio"]["numerator"] == len(COMMUNES)
        return {
            "sizes": {"devices": 2 * len(COMMUNES), "plays": len(plays), "days": days},
            "counted_s": round(counted_s, 1),
            "records": len(records),
            "load_average": [round(n, 2) for n in os.getloadavg()],
            "kpi_board_year_in_process": _series(board),
            "counter_reads_year": _counter_reads(*_year_of(today())),
            "counter_reads_rolling": _counter_reads(today() - timedelta(days=364), today()),
        }


if __name__ == "__main__":
    import sys

    if "--in-process" in sys.argv:
        print(json.dumps(in_process(), indent=2))
    else:
        fleet = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--fleet=")), None)
        run(quick="--quick" in sys.argv, fleet=fleet)
