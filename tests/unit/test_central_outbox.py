"""The outbox to the national system (issue 15): written in the same transaction as the report
or bulletin it carries, delivered with retries and backoff against a fake that fails on
purpose, idempotent, dead-lettered with its reason, re-driven after a crash, and shown to the
province's staff only."""

from datetime import datetime, timedelta
from itertools import count

import pytest

from infra.localcloud import moto_transactions
from nguon.adapters.central import HttpCentralSystem
from nguon.clock import localize
from nguon.errors import Conflict
from nguon.models.bulletins import BulletinContent
from nguon.models.central import OutboxItem, OutboxKind, OutboxStatus
from nguon.models.principal import Role
from nguon.models.reports import ReportRequest, ReportStatus
from nguon.services.bulletins import BulletinService
from nguon.services.central import REDRIVE_AFTER, CentralDelivery, CentralOutbox, bulletin_entry
from nguon.services.kpis import KpiService
from nguon.services.reports import ReportService
from nguon.services.units import UnitService
from nguon.storage.bulletins import DynamoBulletinStore
from nguon.storage.central import DynamoOutboxStore, outbox_item
from nguon.storage.reports import DynamoReportStore
from nguon.storage.stats import DynamoStatsStore
from nguon.storage.units import DynamoUnitStore
from tests.api_events import call
from tests.days import today
from tests.factories import person
from tests.fake_central import Behaviour, FakeCentral
from tests.unit.api_world import world
from tests.unit.kpi_support import FakeFiles

PROVINCE = "52"


class Clock:
    def __init__(self) -> None:
        self.moment = localize(datetime.combine(today(), datetime.min.time())).replace(hour=9)

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


@pytest.fixture
def fake():
    server = FakeCentral().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def world_():
    moto_transactions.install()
    with world():
        yield


@pytest.fixture
def env(world_):
    """Fresh services and clock on the module's world, and an empty outbox (the re-drive
    reads every open item)."""
    from nguon.storage.central import OutboxRecord

    # Test set-up only (the code never scans); the table holds every kind of item.
    for record in OutboxRecord.scan(OutboxRecord.sk == "OUTBOX"):
        record.delete()
    clock = Clock()
    units = UnitService(DynamoUnitStore())
    ids = next(_runs)
    reports = ReportService(
        units,
        KpiService(units, DynamoStatsStore()),
        DynamoReportStore(),
        FakeFiles(),
        now=clock,
        new_id=lambda: f"r-{ids:03x}{next(_report_ids):06x}",
    )
    bulletins = BulletinService(
        units, DynamoBulletinStore(), now=clock, new_id=lambda: f"b-{ids}-{next(_report_ids)}"
    )
    return {"clock": clock, "units": units, "reports": reports, "bulletins": bulletins}


_runs = count(1)
_report_ids = count(1)
_months = count(0)


def a_month() -> str:
    """A month of its own for each report (one regular report per unit and period)."""
    day = today().replace(day=1)
    for _ in range(next(_months)):
        day = (day - timedelta(days=1)).replace(day=1)
    return day.strftime("%Y-%m")


def delivery(env, central, **options) -> CentralDelivery:
    return CentralDelivery(
        DynamoOutboxStore(), central, now=env["clock"], **{"backoff_s": 60, **options}
    )


def http(fake: FakeCentral, timeout_s: float = 2) -> HttpCentralSystem:
    return HttpCentralSystem(fake.url, lambda: "khoa-thu", province=PROVINCE, timeout_s=timeout_s)


def submitted_province_report(env) -> tuple[str, str]:
    """The province's monthly report, submitted: (report id, outbox item id)."""
    editor = person("tinh-editor", PROVINCE, Role.EDITOR)
    request = ReportRequest(unit=PROVINCE, period="monthly", month=a_month())
    report = env["reports"].create(editor, request)
    done = env["reports"].submit(editor, report.id)
    return report.id, f"report-{report.id}-v{done.version}"


def pending_item(env) -> str:
    """A province report's item as its submission writes it (delivery tests: the transaction
    itself is tested above, and pre-filling a province report takes seconds)."""
    item = OutboxItem(
        id=f"report-r-{next(_report_ids):06x}-v2",
        kind=OutboxKind.REPORT,
        subject_id="r-0000aa",
        unit=PROVINCE,
        title="Báo cáo công tác thông tin cơ sở",
        created_at=env["clock"](),
        next_attempt_at=env["clock"]() + REDRIVE_AFTER,
        payload={"id": "r-0000aa", "status": "submitted"},
    )
    outbox_item(item).save()
    return item.id


def content(targets: list[str]) -> BulletinContent:
    day = today().isoformat()
    return BulletinContent.model_validate(
        {
            "title": "Thông báo lịch cắt điện",
            "body": "Điện lực thông báo lịch tạm ngừng cung cấp điện.",
            "category": "other",
            "targets": targets,
            "schedule": {"type": "daily", "times": ["06:00"], "from": day, "until": day},
        }
    )


def approved_bulletin(env, issuer: str) -> str:
    author = person(f"editor-{issuer}", issuer, Role.EDITOR)
    made = env["bulletins"].create(author, content([issuer]), submit=True)
    env["bulletins"].approve(person(f"approver-{issuer}", issuer, Role.APPROVER), made.id)
    return made.id


# --- written with what it carries ------------------------------------------------------------


def test_a_province_report_submitted_writes_its_item_in_the_same_transaction(env):
    report_id, item_id = submitted_province_report(env)
    item = DynamoOutboxStore().get(item_id)
    assert item is not None
    assert (item.kind, item.subject_id, item.status) == (
        OutboxKind.REPORT,
        report_id,
        OutboxStatus.PENDING,
    )
    assert item.payload["id"] == report_id
    assert item.payload["status"] == ReportStatus.SUBMITTED.value
    # A commune's or district's report goes to the unit above, not up to the ministry.
    editor = person("xa-editor", "21550", Role.EDITOR)
    request = ReportRequest(unit="21550", period="monthly", month=a_month())
    commune = env["reports"].create(editor, request)
    done = env["reports"].submit(editor, commune.id)
    assert DynamoOutboxStore().get(f"report-{commune.id}-v{done.version}") is None


def test_a_failed_report_write_leaves_no_item_and_a_taken_item_leaves_the_report(env):
    reports, store = env["reports"], DynamoReportStore()
    editor = person("tinh-editor", PROVINCE, Role.EDITOR)
    request = ReportRequest(unit=PROVINCE, period="monthly", month=a_month())
    report = reports.create(editor, request)
    submitted = report.model_copy(
        update={"status": ReportStatus.SUBMITTED, "version": report.version + 1}
    )
    from nguon.services.central import report_entry

    entry = report_entry(submitted, env["clock"]())
    assert entry is not None
    # The carried write fails (a stale version): no outbox item either.
    with pytest.raises(Conflict):
        store.save(submitted, report.version + 5, entry)
    assert DynamoOutboxStore().get(entry.id) is None
    # The outbox item cannot be written (its key taken): the report is not saved either.
    outbox_item(entry).save()
    with pytest.raises(Conflict):
        store.save(submitted, report.version, entry)
    assert store.get(report.id).status is ReportStatus.DRAFT


def test_a_province_bulletin_approved_writes_its_item_and_a_communes_does_not(env):
    province_bulletin = approved_bulletin(env, PROVINCE)
    item = DynamoOutboxStore().get(f"bulletin-{province_bulletin}")
    assert item is not None
    assert item.kind is OutboxKind.BULLETIN
    assert item.payload["status"] == "approved"
    assert item.payload["title"] == "Thông báo lịch cắt điện"
    commune_bulletin = approved_bulletin(env, "21550")
    assert DynamoOutboxStore().get(f"bulletin-{commune_bulletin}") is None


def test_an_approval_that_cannot_write_its_item_is_not_made(env):
    bulletins = env["bulletins"]
    made = bulletins.create(
        person("tinh-editor", PROVINCE, Role.EDITOR), content([PROVINCE]), submit=True
    )
    # The item's key already taken (as by a bug): the whole approval is refused, nothing half.
    outbox_item(bulletin_entry(made, env["clock"]())).save()
    with pytest.raises(Conflict):
        bulletins.approve(person("tinh-approver", PROVINCE, Role.APPROVER), made.id)
    assert DynamoBulletinStore().get(made.id).status.value == "pending"


# --- delivery --------------------------------------------------------------------------------


def test_retries_back_off_and_the_fake_sees_the_same_key_each_time(env, fake):
    fake.behaviour = Behaviour(fail_times=2)
    item_id = pending_item(env)
    deliverer, clock, store = delivery(env, http(fake)), env["clock"], DynamoOutboxStore()

    assert deliverer.deliver(item_id).failed == [item_id]
    first = store.get(item_id)
    assert (first.status, first.attempts) == (OutboxStatus.FAILED, 1)
    assert first.next_attempt_at == clock() + timedelta(seconds=60)
    assert first.last_error.startswith("500")
    # Not due yet: the re-drive leaves it.
    clock.advance(seconds=59)
    assert deliverer.redrive().skipped == []
    assert fake.idempotency_keys() == [item_id]
    clock.advance(seconds=1)
    assert deliverer.redrive().failed == [item_id]
    second = store.get(item_id)
    assert second.attempts == 2
    assert second.next_attempt_at == clock() + timedelta(seconds=120)  # doubled
    clock.advance(seconds=120)
    assert deliverer.redrive().sent == [item_id]
    sent = store.get(item_id)
    assert (sent.status, sent.attempts, sent.sent_at) == (OutboxStatus.SENT, 3, clock())
    assert sent.receipt == "TW-000001"
    assert sent.next_attempt_at is None
    assert fake.idempotency_keys() == [item_id] * 3
    body = fake.received[-1]
    assert body.path == "/reports"
    assert body.headers["Authorization"] == "Bearer khoa-thu"
    assert body.body["document"]["id"] == sent.subject_id
    # Sent is sent: nothing goes again.
    clock.advance(hours=1)
    assert deliverer.redrive().sent == []
    assert deliverer.deliver(item_id).skipped == [item_id]
    assert len(fake.received) == 3


def test_a_duplicate_answer_counts_as_sent(env, fake):
    fake.behaviour = Behaviour(always=409)
    bulletin_id = approved_bulletin(env, PROVINCE)
    item_id = f"bulletin-{bulletin_id}"
    assert delivery(env, http(fake)).deliver(item_id).sent == [item_id]
    item = DynamoOutboxStore().get(item_id)
    assert (item.status, item.receipt) == (OutboxStatus.SENT, "duplicate")
    assert fake.received[0].path == "/bulletins"


def test_after_max_attempts_the_item_is_dead_with_the_reason(env, fake):
    fake.behaviour = Behaviour(always=503)
    item_id = pending_item(env)
    deliverer, clock = delivery(env, http(fake), max_attempts=3), env["clock"]
    deliverer.deliver(item_id)
    for _ in range(2):
        clock.advance(hours=1)
        deliverer.redrive()
    item = DynamoOutboxStore().get(item_id)
    assert (item.status, item.attempts) == (OutboxStatus.DEAD, 3)
    assert item.last_error == '503: {"error": "answering 503"}'
    assert item.dead_at == clock()
    assert item.next_attempt_at is None
    clock.advance(hours=6)
    assert deliverer.redrive().sent == []
    assert len(fake.received) == 3


def test_a_refusal_for_good_is_dead_at_once_and_a_timeout_is_retried(env, fake):
    fake.behaviour = Behaviour(always=400)
    refused = pending_item(env)
    delivery(env, http(fake)).deliver(refused)
    assert DynamoOutboxStore().get(refused).status is OutboxStatus.DEAD
    fake.behaviour = Behaviour(delay_s=1.5)
    slow = f"bulletin-{approved_bulletin(env, PROVINCE)}"
    delivery(env, http(fake, timeout_s=0.3)).deliver(slow)
    item = DynamoOutboxStore().get(slow)
    assert item.status is OutboxStatus.FAILED
    assert "timeout" in item.last_error or "timed out" in item.last_error


def test_a_crash_between_write_and_send_is_re_driven(env, fake):
    # The item is committed with its report; the stream's delivery never happens (a crash).
    _, item_id = submitted_province_report(env)
    assert fake.received == []
    deliverer = delivery(env, http(fake))
    # Fresh, it is the stream's; still pending two minutes on, the schedule's.
    assert deliverer.redrive().sent == []
    env["clock"].advance(minutes=2)
    report = deliverer.redrive()
    assert report.sent == [item_id]
    assert DynamoOutboxStore().get(item_id).status is OutboxStatus.SENT


def test_a_claimed_item_is_sent_by_one_deliverer_only(env, fake):
    item_id = pending_item(env)
    inner: list = []

    class Reentrant:
        """While the first deliverer sends, a second one tries the same item."""

        def send(self, item: OutboxItem):
            inner.append(delivery(env, http(fake)).deliver(item.id))
            return http(fake).send(item)

    assert delivery(env, Reentrant()).deliver(item_id).sent == [item_id]
    assert inner[0].skipped == [item_id]
    assert inner[0].sent == []
    assert fake.idempotency_keys() == [item_id]


def test_a_claim_whose_worker_died_is_taken_over_after_the_lease(env, fake):
    item_id = pending_item(env)
    store, clock = DynamoOutboxStore(), env["clock"]
    item = store.get(item_id)
    # A deliverer claimed it and died before recording anything.
    store.save(
        item.model_copy(
            update={
                "version": item.version + 1,
                "attempts": 1,
                "claimed_at": clock(),
                "next_attempt_at": clock() + timedelta(minutes=16),
            }
        ),
        item.version,
    )
    deliverer = delivery(env, http(fake))
    assert deliverer.redrive().sent == []
    clock.advance(minutes=16)
    assert deliverer.redrive().sent == [item_id]


def test_without_a_national_system_items_wait_pending(env):
    item_id = pending_item(env)
    assert delivery(env, None).deliver(item_id).skipped == [item_id]
    item = DynamoOutboxStore().get(item_id)
    assert (item.status, item.attempts) == (OutboxStatus.PENDING, 0)


# --- the status page ---------------------------------------------------------------------------


def test_the_status_page_is_the_provinces_and_a_dead_item_is_put_back(env, fake, monkeypatch):
    import app
    from staff_api import dependencies

    fake.behaviour = Behaviour(always=400)
    item_id = pending_item(env)
    delivery(env, http(fake)).deliver(item_id)
    outbox = CentralOutbox(
        env["units"], DynamoOutboxStore(), province=PROVINCE, configured=True, now=env["clock"]
    )
    monkeypatch.setitem(app.app.dependency_overrides, dependencies.central_outbox, lambda: outbox)

    status, page = call(
        app.lambda_handler,
        "GET",
        "/central/outbox",
        user="v",
        groups="viewer",
        unit=PROVINCE,
        query={"status": "dead"},
    )
    assert status == 200, page
    assert page["configured"] is True
    assert [i["id"] for i in page["items"]] == [item_id]
    assert page["items"][0]["last_error"].startswith("400")
    assert "payload" not in page["items"][0]
    status, refused = call(
        app.lambda_handler, "GET", "/central/outbox", user="h", groups="admin", unit="540"
    )
    assert (status, refused["code"]) == (403, "out_of_scope")
    status, refused = call(
        app.lambda_handler,
        "POST",
        f"/central/outbox/{item_id}/retry",
        user="e",
        groups="editor",
        unit=PROVINCE,
    )
    assert (status, refused["code"]) == (403, "role_missing")
    status, again = call(
        app.lambda_handler,
        "POST",
        f"/central/outbox/{item_id}/retry",
        user="tinh-approver",
        groups="approver",
        unit=PROVINCE,
    )
    assert status == 200, again
    assert (again["status"], again["attempts"], again["retried_by"]) == (
        "pending",
        0,
        "tinh-approver",
    )
    status, not_dead = call(
        app.lambda_handler,
        "POST",
        f"/central/outbox/{item_id}/retry",
        user="tinh-approver",
        groups="approver",
        unit=PROVINCE,
    )
    assert (status, not_dead["code"]) == (409, "central_item_not_dead")
    # Put back, it goes at once (the stream hands it over: status pending, attempts 0).
    fake.behaviour = Behaviour()
    assert delivery(env, http(fake)).deliver(item_id).sent == [item_id]
    status, everything = call(
        app.lambda_handler, "GET", "/central/outbox", user="v", groups="viewer", unit=PROVINCE
    )
    assert [(i["id"], i["status"]) for i in everything["items"]] == [(item_id, "sent")]
