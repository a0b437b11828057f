"""Alerts to subscribers' inboxes and phones, from the table's stream.

Who gets a bulletin: the confirmed subscribers of each target unit and of every unit below it
(a commune's subscribers get the district's and the province's bulletins aimed at them), read a
page at a time, once each however the targets overlap; emergencies always, other bulletins when
the subscriber chose their category. Only public bulletins go out: approved, in force or still
to come, and an emergency or published to the ``web`` channel.

Each message is sent once per bulletin × subscriber: a conditional write claims it first
(``SENT#…`` markers, ``nguon.storage.subscriptions``), so a redelivered stream record or a
retried batch sends nothing twice; a send that fails releases its claim and the record is
retried. A claim whose worker died lapses after the usual lease (``nguon.leases``).
A withdrawal (a CAP ``Cancel`` withdraws too) goes to those the alert reached.

Nothing personal is logged: reports count messages, never name a contact.
"""

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime
from threading import Lock
from typing import Protocol
from urllib.parse import quote

from nguon import leases
from nguon.clock import local_zone
from nguon.models.bulletins import AuditAction, Bulletin, Channel, Priority, Status
from nguon.models.subscriptions import ContactChannel, Subscription
from nguon.services.bulletins import BulletinStore
from nguon.services.subscriptions import CODE_TTL, SubscriptionKeys
from nguon.services.units import UnitService
from nguon.storage.subscriptions import DynamoSubscriptionStore, MarkerKind

SMS_MAX = 320
"""Characters of a text message (Vietnamese with diacritics is UCS-2: 5 segments of 67)."""


class Outbox(Protocol):
    def email(self, to: str, subject: str, text: str) -> None: ...

    def sms(self, to: str, text: str) -> None: ...


@dataclass
class NotifyReport:
    sent: int = 0
    """Messages sent now."""
    skipped: int = 0
    """Already sent (or being sent) by an earlier delivery."""
    _lock: Lock = field(default_factory=Lock, repr=False, compare=False)

    def count_sent(self) -> None:
        with self._lock:
            self.sent += 1

    def count_skipped(self) -> None:
        with self._lock:
            self.skipped += 1


class DeliveryFailed(Exception):
    """A message could not be sent (the record is retried); names no contact."""

    def __init__(self, kind: str, channel: str, cause: str) -> None:
        super().__init__(f"{kind} by {channel} failed: {cause}")


def is_public(bulletin: Bulletin) -> bool:
    return bulletin.priority is Priority.EMERGENCY or Channel.WEB in bulletin.channels


class NotifyService:
    def __init__(
        self,
        units: UnitService,
        bulletins: BulletinStore,
        store: DynamoSubscriptionStore,
        keys: SubscriptionKeys,
        outbox: Outbox,
        now: Callable[[], datetime],
        portal_url: str,
        workers: int = 8,
    ) -> None:
        self._units = units
        self._bulletins = bulletins
        self._store = store
        self._keys = keys
        self._outbox = outbox
        self._now = now
        self._portal_url = portal_url.rstrip("/")
        self._workers = workers

    # ------------------------------------------------------------------ triggers
    def bulletin_changed(self, bulletin_id: str, action: AuditAction) -> NotifyReport:
        report = NotifyReport()
        if action not in (AuditAction.APPROVED, AuditAction.WITHDRAWN):
            return report
        bulletin = self._bulletins.get(bulletin_id)
        if bulletin is None or not is_public(bulletin):
            return report
        if action is AuditAction.APPROVED:
            if bulletin.status_at(self._now()) is not Status.APPROVED:
                return report  # withdrawn or expired before the record came: nothing to say
            self._send_all(self.audience(bulletin), "alert", bulletin, report)
        else:
            self._send_all(self._recipients(bulletin), "cancel", bulletin, report)
        return report

    def code_requested(self, subscription_id: str, round_: int) -> NotifyReport:
        """A subscription asked for (or asked again): its code, once per round."""
        report = NotifyReport()
        subscription = self._store.get(subscription_id)
        if subscription is None or subscription.round != round_:
            return report  # gone, or a newer round sends its own code
        if self._now() - subscription.requested_at > CODE_TTL:
            return report  # a late record: the code would arrive dead
        self._send(subscription, "code", None, report)
        return report

    # ------------------------------------------------------------------ who
    def audience(self, bulletin: Bulletin) -> Iterator[Subscription]:
        emergency = bulletin.priority is Priority.EMERGENCY
        seen: set[str] = set()
        for target in bulletin.targets:
            for unit in self._units.units_under(target):
                if unit.code in seen:
                    continue
                seen.add(unit.code)
                for subscription in self._store.active_in(unit.code):
                    if subscription.wants(bulletin.category, emergency):
                        yield subscription

    def _recipients(self, bulletin: Bulletin) -> Iterator[Subscription]:
        for subscription_id in self._store.recipients(bulletin.id):
            recipient = self._store.get(subscription_id)
            if recipient is not None:  # unsubscribed since: nothing more goes to them
                yield recipient

    # ------------------------------------------------------------------ sending
    def _send_all(
        self,
        subscriptions: Iterable[Subscription],
        kind: MarkerKind,
        bulletin: Bulletin,
        report: NotifyReport,
    ) -> None:
        """Send to each, ``workers`` at a time (each send waits on DynamoDB and SES or SNS, so
        an emergency's messages leave in parallel); the subscribers are read a page at a
        time as the sends go. Every send is tried; the first failure is raised after them, so
        the retry finds the others done."""
        failures: list[BaseException] = []
        with ThreadPoolExecutor(self._workers, thread_name_prefix="notify") as pool:
            pending: set[Future[None]] = set()
            for subscription in subscriptions:
                pending.add(pool.submit(self._send, subscription, kind, bulletin, report))
                if len(pending) >= 4 * self._workers:  # bounded: never the whole audience
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    failures += [e for f in done if (e := f.exception()) is not None]
            done, _ = wait(pending)
            failures += [e for f in done if (e := f.exception()) is not None]
        if failures:
            raise failures[0]

    def _send(
        self,
        subscription: Subscription,
        kind: MarkerKind,
        bulletin: Bulletin | None,
        report: NotifyReport,
    ) -> None:
        subject = bulletin.id if bulletin else str(subscription.round)
        now = self._now()
        if not self._store.claim(subscription.id, kind, subject, now, now - leases.lease_length()):
            report.count_skipped()
            return
        try:
            if bulletin is None:
                self._deliver(subscription, *self._code_message(subscription))
            elif kind == "alert":
                self._deliver(subscription, *self._alert_message(subscription, bulletin))
            else:
                self._deliver(subscription, *self._cancel_message(subscription, bulletin))
        except Exception as error:
            self._store.release(subscription.id, kind, subject)
            # AWS's messages can quote the address: only the kind of failure goes on.
            raise DeliveryFailed(kind, str(subscription.channel), type(error).__name__) from None
        self._store.sent(subscription.id, kind, subject, self._now())
        report.count_sent()

    def _deliver(self, subscription: Subscription, subject: str, text: str, short: str) -> None:
        if subscription.channel is ContactChannel.EMAIL:
            self._outbox.email(subscription.address, subject, text)
        else:
            self._outbox.sms(subscription.address, short)

    # ------------------------------------------------------------------ messages
    def unsubscribe_link(self, subscription: Subscription) -> str:
        token = quote(self._keys.unsubscribe_token(subscription.id), safe="")
        return f"{self._portal_url}/subscriptions/unsubscribe?token={token}"

    def _footer(self, subscription: Subscription) -> str:
        link = self.unsubscribe_link(subscription)
        return (
            f"\n\n--\nHủy đăng ký nhận tin (bấm một lần): {link}\nUnsubscribe (one click): {link}\n"
        )

    def _alert_message(
        self, subscription: Subscription, bulletin: Bulletin
    ) -> tuple[str, str, str]:
        emergency = bulletin.priority is Priority.EMERGENCY
        tag = "KHẨN CẤP" if emergency else "Thông báo"
        issuer = self._unit_name(bulletin.issuer_unit)
        start, until = bulletin.validity()
        subject = f"[{tag}] {bulletin.title}"
        text = (
            f"{bulletin.title}\n\n{bulletin.body}\n\n"
            f"Đơn vị phát hành: {issuer}\n"
            f"Hiệu lực: {_local(start)} – {_local(until)}"
            f"{self._footer(subscription)}"
        )
        link = self.unsubscribe_link(subscription)
        short = _fit(f"[{tag}] {bulletin.title}: {bulletin.body}", f" Huy tin: {link}")
        return subject, text, short

    def _cancel_message(
        self, subscription: Subscription, bulletin: Bulletin
    ) -> tuple[str, str, str]:
        reason = bulletin.withdrawal.reason if bulletin.withdrawal else None
        subject = f"[HỦY] {bulletin.title}"
        because = f"\nLý do: {reason}" if reason else ""
        text = (
            f"Thông báo sau đã được thu hồi, không còn hiệu lực:\n{bulletin.title}{because}\n\n"
            f"This alert has been cancelled."
            f"{self._footer(subscription)}"
        )
        short = _fit(f"[HỦY] Đã thu hồi: {bulletin.title}.{because}", "")
        return subject, text, short

    def _code_message(self, subscription: Subscription) -> tuple[str, str, str]:
        code = self._keys.code(subscription.id, subscription.round)
        unit = self._unit_name(subscription.unit)
        minutes = int(CODE_TTL.total_seconds() // 60)
        subject = f"Mã xác nhận nhận tin cảnh báo: {code}"
        text = (
            f"Mã xác nhận của bạn: {code}\n\n"
            f"Nhập mã này để nhận tin cảnh báo và thông báo của {unit}. "
            f"Mã có hiệu lực {minutes} phút. Nếu bạn không đăng ký, hãy bỏ qua thư này.\n\n"
            f"Your confirmation code: {code} (valid {minutes} minutes). "
            f"If you did not subscribe, ignore this message."
        )
        short = (
            f"Ma xac nhan nhan tin {unit}: {code} ({minutes} phut). Bo qua neu ban khong dang ky."
        )
        return subject, text, short

    def _unit_name(self, code: str) -> str:
        unit = self._units.find(code)
        return unit.name if unit else code


def _local(moment: datetime) -> str:
    return moment.astimezone(local_zone()).strftime("%H:%M %d/%m/%Y")


def _fit(text: str, tail: str) -> str:
    """One text message: the words cut to leave room for the tail (the unsubscribe link)."""
    room = SMS_MAX - len(tail)
    if len(text) > room:
        text = text[: room - 1].rstrip() + "…"
    return text + tail
