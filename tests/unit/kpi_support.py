"""A seeded province for the KPI and report tests: devices, bulletins and plays written by the
real stores into moto's table, and the table's stream as Lambda would hand it to
``StatsFunction`` (moto's in-process mock has no DynamoDB Streams API, so the records are made
from the table's items: an INSERT per item, and the MODIFY the counters listen for)."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import count
from typing import Any

import boto3

from nguon.clock import localize
from nguon.config import get_settings
from nguon.models.bulletins import BulletinContent
from nguon.models.monitoring import PlayRecord, PlayResult
from nguon.models.principal import Role
from nguon.models.units import AdminUnit, UnitLevel
from nguon.services.bulletins import BulletinService
from nguon.services.unit_catalogue import load_bundled_catalogue
from nguon.services.units import UnitService
from nguon.storage.bulletins import DynamoBulletinStore
from nguon.storage.devices import DynamoDeviceStore
from nguon.storage.units import DynamoUnitStore
from tests.days import today
from tests.factories import device, person

CATALOGUE = load_bundled_catalogue()
COMMUNES = [u for u in CATALOGUE if u.level is UnitLevel.COMMUNE]
UNITS = {u.code: u for u in CATALOGUE}


def at(day: date, clock: str = "08:00") -> datetime:
    return localize(datetime.combine(day, time.fromisoformat(clock)))


@dataclass
class Seeded:
    """What was written, for the independent count."""

    first: date
    last: date
    devices: list[Any] = field(default_factory=list)
    decommissioned: dict[str, datetime] = field(default_factory=dict)
    bulletins: list[Any] = field(default_factory=list)
    plays: list[PlayRecord] = field(default_factory=list)


def seed_province(communes: int = 40, plays_per_device: int = 3) -> Seeded:
    """Devices in the first ``communes`` communes (speakers in all, boards in every third; one
    speaker decommissioned in range, one added after it), bulletins from departments and
    communes approved before and inside the range, and plays inside and before it."""
    first, last = today() - timedelta(days=20), today() - timedelta(days=1)
    seeded = Seeded(first, last)
    devices = DynamoDeviceStore()
    chosen = COMMUNES[:communes]
    for n, commune in enumerate(chosen):
        kinds = ["speaker", "board"] if n % 3 == 0 else ["speaker"]
        for kind in kinds:
            made = device(
                f"{'spk' if kind == 'speaker' else 'led'}-{commune.code}-{n:02d}",
                unit_code=commune.code,
                kind=kind,
                created_at=at(first - timedelta(days=30)),
            )
            devices.create(made)
            seeded.devices.append(made)
    # After the range's end: not in service on its last day.
    late = device(
        f"spk-{COMMUNES[-1].code}-99",
        unit_code=COMMUNES[-1].code,
        created_at=at(today()),
    )
    devices.create(late)
    seeded.devices.append(late)
    # Decommissioned inside the range: not in service on its last day either.
    gone = seeded.devices[1] if seeded.devices[1].kind == "speaker" else seeded.devices[2]
    when = at(first + timedelta(days=2))
    devices.decommission(gone.thing, when)
    seeded.decommissioned[gone.thing] = when

    units = UnitService(DynamoUnitStore())
    ids = count(1)
    departments = ["Sở Y tế", "sở  y tế", "Sở Công Thương", "Phòng Văn hóa huyện"]
    for n, department in enumerate([*departments, None, None]):
        moment = at(first - timedelta(days=5) if n == 0 else first + timedelta(days=n))
        bulletins = BulletinService(
            units, DynamoBulletinStore(), now=lambda m=moment: m, new_id=lambda: f"b{next(ids)}"
        )
        issuer = "52" if department else chosen[n].code
        author = person(f"author{n}", issuer, Role.PROVIDER if department else Role.EDITOR)
        content = BulletinContent.model_validate(
            {
                "title": f"Thông báo {n}",
                "body": "Trạm y tế thông báo lịch tiêm chủng mở rộng cho trẻ em.",
                "category": "health",
                "priority": "emergency" if n == 5 else "normal",
                "targets": [issuer],
                "issuer_unit": issuer,
                "department": department,
                "schedule": {
                    "type": "daily",
                    "times": ["06:00"],
                    "from": moment.date().isoformat(),
                    "until": (moment.date() + timedelta(days=30)).isoformat(),
                },
                **({"cap": {"event": "Bão"}} if n == 5 else {}),
            }
        )
        made = bulletins.create(author, content, submit=True)
        approved = bulletins.approve(person(f"approver{n}", "52", Role.APPROVER), made.id)
        seeded.bulletins.append(approved)

    play_ids = count(1)
    store = DynamoDeviceStore()
    records = []
    speakers = [d for d in seeded.devices if d.kind == "speaker" and d.thing != late.thing]
    for n, spk in enumerate(speakers):
        for k in range(plays_per_device):
            # Bulletins 0 and 1 are played; 2 is not; the first play of each device is before
            # the range (it counts nowhere in the range's activity).
            bulletin = seeded.bulletins[(n + k) % 2]
            day = first - timedelta(days=3) if k == 0 else first + timedelta(days=k + 3)
            ok = (n + k) % 4 != 0
            start = at(day, f"06:{k:02d}")
            records.append(
                PlayRecord(
                    thing=spk.thing,
                    unit=spk.unit,
                    play_id=f"p{next(play_ids)}",
                    bulletin_id=bulletin.id,
                    started_at=start,
                    ended_at=start + timedelta(seconds=40 if ok else 5),
                    result=PlayResult.OK if ok else PlayResult.FAILED,
                    reason=None if ok else "amplifier",
                    emergency=False,
                    requested_s=40.0,
                )
            )
    store.add_plays(records)
    seeded.plays = records
    return seeded


def stream() -> Iterator[dict[str, Any]]:
    """The table's items as the stream records ``StatsFunction`` receives, oldest kinds first."""
    client = boto3.client("dynamodb", region_name=get_settings().region)
    paginator = client.get_paginator("scan")
    for page in paginator.paginate(TableName=get_settings().table_name):
        for item in page["Items"]:
            sk = item["SK"]["S"]
            if not (sk.startswith(("EVENT#", "PLAY#", "ALARM#")) or sk in ("DEVICE", "REPORT")):
                continue
            keys = {"PK": item["PK"], "SK": item["SK"]}
            yield {"eventName": "INSERT", "dynamodb": {"Keys": keys, "NewImage": item}}
            changed = (
                (sk == "DEVICE" and item["status"]["S"] == "decommissioned")
                or (sk == "REPORT" and item.get("submitted", {}).get("BOOL"))
                or (sk.startswith("ALARM#") and item.get("open", {}).get("BOOL") is False)
            )
            if changed:
                yield {"eventName": "MODIFY", "dynamodb": {"Keys": keys, "NewImage": item}}


def in_service(seeded: Seeded, kind: str, on: date) -> set[str]:
    """Communes with a device of ``kind`` in service at the end of ``on``: from the records."""
    return {
        d.unit
        for d in seeded.devices
        if d.kind == kind
        and d.created_at.date() <= on
        and not (d.thing in seeded.decommissioned and seeded.decommissioned[d.thing].date() <= on)
    }


def of_type(*types: str) -> list[AdminUnit]:
    return [c for c in COMMUNES if c.type in types]


# --- in-memory stores for the authorization matrix and other offline tests -------------------


class InMemoryStatsStore:
    """The counters as the table keeps them (day, month, year and state items, rolled up by
    :func:`nguon.counters.rollup`), with the items each read returns counted in ``reads``."""

    def __init__(self) -> None:
        self.markers: set[str] = set()
        self.keyed: dict[tuple[str, str], dict[str, float]] = {}  # (unit, sort key)
        self.reads = 0  # items found
        self.asked = 0  # keys asked for
        self.calls = 0

    def add_once(self, marker, additions) -> bool:
        from nguon.counters import rollup

        if marker in self.markers:
            return False
        self.markers.add(marker)
        for (unit, day), values in additions.items():
            for sort_key, amounts in rollup(day, values):
                item = self.keyed.setdefault((unit, sort_key), {})
                for name, amount in amounts.items():
                    item[name] = item.get(name, 0.0) + amount
        return True

    @property
    def items(self) -> dict[tuple[str, date], dict[str, float]]:
        """The day items by (unit, day)."""
        return {
            (unit, date.fromisoformat(key.removeprefix("DAY#"))): values
            for (unit, key), values in self.keyed.items()
            if key.startswith("DAY#")
        }

    def _between(self, unit, first, last):
        self.calls += 1
        found = sorted(
            (sort_key, dict(values))
            for (code, sort_key), values in self.keyed.items()
            if code == unit and first <= sort_key <= last
        )
        self.reads += len(found)
        return found

    def days(self, unit, last, first=None):
        start = f"DAY#{first.isoformat() if first else ''}"
        return [
            (date.fromisoformat(key.removeprefix("DAY#")), values)
            for key, values in self._between(unit, start, f"DAY#{last.isoformat()}")
        ]

    def read(self, unit, sort_keys):
        self.calls += 1
        self.asked += len(sort_keys)
        found = {
            key: dict(self.keyed[(unit, key)]) for key in sort_keys if (unit, key) in self.keyed
        }
        self.reads += len(found)
        return found


class InMemoryReportStore:
    def __init__(self) -> None:
        self.reports: dict[str, Any] = {}
        self.outbox: list[Any] = []
        """Items to the national system the saves carried (a province's submissions)."""

    def create(self, report, *, unique: bool) -> None:
        from nguon.errors import Conflict

        if unique:
            for other in self.reports.values():
                if (other.unit, other.period_key) == (report.unit, report.period_key):
                    raise Conflict("report_exists", unit=report.unit, report=other.id)
        self.reports[report.id] = report

    def get(self, report_id):
        return self.reports.get(report_id)

    def save(self, report, expected_version: int, outbox=None) -> None:
        from nguon.errors import Conflict

        if self.reports[report.id].version != expected_version:
            raise Conflict("report_stale_version")
        self.reports[report.id] = report
        if outbox is not None:
            self.outbox.append(outbox)

    def in_period(self, period_key, path):
        return [
            r
            for r in self.reports.values()
            if period_key in (r.period_key, "adhoc" if r.period.value == "adhoc" else None)
            and r.path[: len(path)] == list(path)
        ]


class InMemoryOutboxStore:
    """:class:`nguon.services.central.OutboxStore` in a dict, versions checked."""

    def __init__(self) -> None:
        self.items: dict[str, Any] = {}

    def get(self, item_id):
        return self.items.get(item_id)

    def save(self, item, expected_version: int) -> None:
        from nguon.errors import Conflict

        current = self.items.get(item.id)
        if current is None or current.version != expected_version:
            raise Conflict("stale_version", expected=expected_version)
        self.items[item.id] = item

    def due(self, moment, limit):
        open_ = [i for i in self.items.values() if i.status.value in ("pending", "failed")]
        due = [i for i in open_ if i.next_attempt_at and i.next_attempt_at <= moment]
        return sorted(due, key=lambda i: i.created_at)[:limit]

    def page(self, status, limit, cursor):
        found = [i for i in self.items.values() if i.status is status]
        return sorted(found, key=lambda i: i.created_at, reverse=True)[:limit], None


class FakeFiles:
    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def put(self, key: str, body: bytes, content_type: str) -> None:
        self.files[key] = body

    def link(self, key: str, file_name: str) -> tuple[str, int]:
        return f"https://files.test/reports/{key}", 900
