"""The province's essential information and statistics, up to the national system.

- **What goes up, and when.** A province report when the province *submits* it: the province
  is the top of the system's hierarchy, so nobody here can accept it (the ministry does):
  submitting is the moment it goes to the ministry. A bulletin the province issued
  (``layer`` province: its departments' and its own) when it is *approved*: essential
  information, in force. Either way the outbox item is built here and written by the store in
  the record's own transaction (:func:`report_entry`, :func:`bulletin_entry`).
- **Delivery.** The table's stream hands each new item (and each one a person put back) to the
  deliverer at once; a schedule re-drives what is still open and due, so an item written just
  before a crash is sent all the same. A deliverer claims an item by a put conditional on its
  version (attempts + 1, due again after a lease), sends it with its id as the idempotency
  key, and records the outcome the same way: sent; failed, due again after
  ``backoff_s × 2^(attempts-1)`` (capped); dead after ``max_attempts`` or a refusal for good.
- **Who sees it.** Province staff only: every role reads the status page; approvers and
  admins put a dead item back.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from nguon import leases
from nguon.clock import now as wall_clock
from nguon.errors import Conflict, NotFound
from nguon.models.bulletins import Bulletin
from nguon.models.central import (
    OPEN,
    OutboxItem,
    OutboxKind,
    OutboxStatus,
    OutboxView,
)
from nguon.models.principal import Principal
from nguon.models.reports import Report, ReportStatus
from nguon.models.units import UnitLevel
from nguon.observability import logger
from nguon.services.access import Permission, authorize
from nguon.services.units import UnitService

if TYPE_CHECKING:
    from nguon.adapters.central import CentralSystem

PAGE_MAX = 100
BACKOFF_CAP = timedelta(hours=6)
REDRIVE_AFTER = timedelta(minutes=2)
"""A new item is the stream's to send; the schedule takes it only if it is still pending this
long after it was written (the stream's delivery lost, or a crash between write and send)."""


def report_entry(report: Report, moment: datetime) -> OutboxItem | None:
    """The outbox item for a report as it is saved: a province report being submitted."""
    if report.level is not UnitLevel.PROVINCE or report.status is not ReportStatus.SUBMITTED:
        return None
    return OutboxItem(
        # One per submission: a version is submitted once.
        id=f"report-{report.id}-v{report.version}",
        kind=OutboxKind.REPORT,
        subject_id=report.id,
        unit=report.unit,
        title=report.title,
        created_at=moment,
        next_attempt_at=moment + REDRIVE_AFTER,
        payload=report.model_dump(mode="json"),
    )


def bulletin_entry(bulletin: Bulletin, moment: datetime) -> OutboxItem | None:
    """The outbox item for a bulletin as it is approved: one the province issued."""
    if bulletin.layer is not UnitLevel.PROVINCE:
        return None
    return OutboxItem(
        # A bulletin is approved once (a revision is a bulletin of its own).
        id=f"bulletin-{bulletin.id}",
        kind=OutboxKind.BULLETIN,
        subject_id=bulletin.id,
        unit=bulletin.issuer_unit,
        title=bulletin.title,
        created_at=moment,
        next_attempt_at=moment + REDRIVE_AFTER,
        payload=bulletin.model_dump(mode="json", by_alias=True),
    )


class OutboxStore(Protocol):
    def get(self, item_id: str) -> OutboxItem | None: ...

    def save(self, item: OutboxItem, expected_version: int) -> None:
        """:class:`Conflict` when the item no longer has ``expected_version``."""

    def due(self, moment: datetime, limit: int) -> list[OutboxItem]: ...

    def page(
        self, status: OutboxStatus, limit: int, cursor: str | None
    ) -> tuple[list[OutboxItem], str | None]: ...


class CentralOutbox:
    """The status page and a person's retry."""

    def __init__(
        self,
        units: UnitService,
        store: OutboxStore,
        *,
        province: str,
        configured: bool,
        now: Callable[[], datetime] = wall_clock,
    ) -> None:
        self._units = units
        self._store = store
        self._province = province
        self._configured = configured
        self._now = now

    def list(
        self,
        principal: Principal,
        status: OutboxStatus | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> OutboxView:
        """One status a page at a time; without one, the latest ``limit`` of all."""
        authorize(principal, Permission.CENTRAL_READ, self._units.require(self._province))
        limit = max(1, min(limit, PAGE_MAX))
        if status is not None:
            items, cursor = self._store.page(status, limit, cursor)
            return OutboxView(configured=self._configured, items=items, next=cursor)
        found = [item for each in OutboxStatus for item in self._store.page(each, limit, None)[0]]
        found.sort(key=lambda item: item.created_at, reverse=True)
        return OutboxView(configured=self._configured, items=found[:limit])

    def retry(self, principal: Principal, item_id: str) -> OutboxItem:
        """Put a dead item back: pending, attempts from 0, sent at once by the stream (or
        the re-drive)."""
        authorize(principal, Permission.CENTRAL_RETRY, self._units.require(self._province))
        item = self._store.get(item_id)
        if item is None:
            raise NotFound("central_item_not_found", item=item_id)
        if item.status is not OutboxStatus.DEAD:
            raise Conflict("central_item_not_dead", item=item_id, status=item.status.value)
        moment = self._now()
        again = item.model_copy(
            update={
                "status": OutboxStatus.PENDING,
                "version": item.version + 1,
                "attempts": 0,
                "next_attempt_at": moment + REDRIVE_AFTER,
                "dead_at": None,
                "claimed_at": None,
                "retried_by": principal.username,
            }
        )
        self._store.save(again, item.version)
        return again


@dataclass
class DeliveryReport:
    sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    dead: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    """Not open, not due, claimed by another deliverer, or no national system configured."""


class CentralDelivery:
    """Sends outbox items, each once, with retries and backoff."""

    def __init__(
        self,
        store: OutboxStore,
        central: "CentralSystem | None",
        *,
        max_attempts: int = 8,
        backoff_s: int = 60,
        now: Callable[[], datetime] = wall_clock,
    ) -> None:
        self._store = store
        self._central = central
        self._max_attempts = max_attempts
        self._backoff = timedelta(seconds=backoff_s)
        self._now = now

    def backoff(self, attempts: int) -> timedelta:
        """How long after its ``attempts``-th failure an item is tried again."""
        return min(self._backoff * 2 ** max(attempts - 1, 0), BACKOFF_CAP)

    def redrive(self, limit: int = 100) -> DeliveryReport:
        """Every open item due now: failed ones after their backoff, and any the stream did not
        deliver (a crash between the write and the send; a claim whose worker died)."""
        report = DeliveryReport()
        for item in self._store.due(self._now(), limit):
            self.deliver(item.id, report, due_only=True)
        return report

    def deliver(
        self, item_id: str, report: DeliveryReport | None = None, *, due_only: bool = False
    ) -> DeliveryReport:
        """Send one item if it is open, unclaimed (and with ``due_only``, due)."""
        report = report or DeliveryReport()
        if self._central is None:
            # Nowhere to send: the item stays pending, and the status page says why.
            report.skipped.append(item_id)
            return report
        item = self._store.get(item_id)
        moment = self._now()
        if item is None or item.status not in OPEN:
            report.skipped.append(item_id)
            return report
        if item.claimed_at is not None and leases.is_live(item.claimed_at, moment):
            report.skipped.append(item_id)
            return report
        if due_only and (item.next_attempt_at is None or item.next_attempt_at > moment):
            report.skipped.append(item_id)
            return report
        claimed = item.model_copy(
            update={
                "version": item.version + 1,
                "attempts": item.attempts + 1,
                "claimed_at": moment,
                "last_attempt_at": moment,
                # If this worker dies, the re-drive takes the item once the claim lapses.
                "next_attempt_at": leases.expiry(moment),
            }
        )
        try:
            self._store.save(claimed, item.version)
        except Conflict:
            report.skipped.append(item_id)  # another deliverer has it
            return report
        self._send(claimed, report)
        return report

    def _send(self, item: OutboxItem, report: DeliveryReport) -> None:
        from nguon.adapters.central import CentralRefused, CentralUnavailable

        assert self._central is not None
        try:
            receipt = self._central.send(item)
        except CentralUnavailable as error:
            self._failed(item, str(error), report, final=False)
            return
        except CentralRefused as error:
            self._failed(item, str(error), report, final=True)
            return
        moment = self._now()
        done = item.model_copy(
            update={
                "status": OutboxStatus.SENT,
                "version": item.version + 1,
                "sent_at": moment,
                "next_attempt_at": None,
                "claimed_at": None,
                "receipt": receipt.reference or ("duplicate" if receipt.duplicate else None),
            }
        )
        self._store.save(done, item.version)
        report.sent.append(item.id)
        logger.info(
            "central: sent",
            extra={"item": item.id, "attempts": item.attempts, "duplicate": receipt.duplicate},
        )

    def _failed(
        self, item: OutboxItem, reason: str, report: DeliveryReport, *, final: bool
    ) -> None:
        moment = self._now()
        dead = final or item.attempts >= self._max_attempts
        update: dict[str, object] = {
            "version": item.version + 1,
            "claimed_at": None,
            "last_error": reason,
        }
        if dead:
            update |= {"status": OutboxStatus.DEAD, "next_attempt_at": None, "dead_at": moment}
        else:
            update |= {
                "status": OutboxStatus.FAILED,
                "next_attempt_at": moment + self.backoff(item.attempts),
            }
        self._store.save(item.model_copy(update=update), item.version)
        (report.dead if dead else report.failed).append(item.id)
        logger.warning(
            "central: not sent",
            extra={"item": item.id, "attempts": item.attempts, "dead": dead, "reason": reason},
        )
