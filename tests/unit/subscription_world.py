"""Alert subscriptions in moto, in-process: the template's table and the subscription key,
Bình Định's units in memory, bulletins in memory, and an outbox that keeps what was sent."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from threading import Lock

import boto3
from moto import mock_aws

from nguon.config import get_settings
from nguon.models.bulletins import Bulletin
from nguon.services.notify import NotifyService
from nguon.services.subscriptions import SubscriptionKeys, SubscriptionService
from nguon.services.units import UnitService
from nguon.storage.subscriptions import DynamoSubscriptionStore
from tests.factories import at, catalogue
from tests.fakes import InMemoryBulletinStore, InMemoryUnitStore
from tests.template_table import main_table

SECRET = "a-test-key-not-the-deployed-one"


@dataclass
class Outbox:
    """What would have left through SES and SNS: (kind, to, subject or "", text)."""

    sent: list[tuple[str, str, str, str]] = field(default_factory=list)
    failures: int = 0
    """The next this many sends fail (an SES throttle, say)."""
    _lock: Lock = field(default_factory=Lock, repr=False)

    def email(self, to: str, subject: str, text: str) -> None:
        self._fail()
        self.sent.append(("email", to, subject, text))

    def sms(self, to: str, text: str) -> None:
        self._fail()
        self.sent.append(("sms", to, "", text))

    def _fail(self) -> None:
        with self._lock:  # the notifier sends from several threads
            failing = self.failures > 0
            self.failures -= failing
        if failing:
            raise RuntimeError("Throttling: rate exceeded for someone@example.com")

    def to(self, address: str) -> list[tuple[str, str, str, str]]:
        return [message for message in self.sent if message[1] == address]


class Clock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment

    def epoch(self) -> float:
        return self.moment.timestamp()

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


@dataclass
class World:
    clock: Clock
    outbox: Outbox
    bulletins: InMemoryBulletinStore
    store: DynamoSubscriptionStore
    keys: SubscriptionKeys
    subscriptions: SubscriptionService
    notify: NotifyService

    def add(self, bulletin: Bulletin) -> Bulletin:
        self.bulletins.bulletins[bulletin.id] = bulletin
        return bulletin


def create_table() -> None:
    settings = get_settings()
    boto3.client("dynamodb", region_name=settings.region).create_table(
        TableName=settings.table_name, **main_table()
    )


@contextmanager
def subscription_world() -> Iterator[World]:
    """The world for a while (a test's fixture)."""
    with mock_aws():
        create_table()
        # The factories' day, at noon: bulletins made for that day are in force.
        clock = Clock(at("12:00"))
        units = UnitService(InMemoryUnitStore(catalogue().values()))
        store = DynamoSubscriptionStore()
        keys = SubscriptionKeys(lambda: SECRET)
        outbox = Outbox()
        bulletins = InMemoryBulletinStore()
        yield World(
            clock=clock,
            outbox=outbox,
            bulletins=bulletins,
            store=store,
            keys=keys,
            subscriptions=SubscriptionService(store, units, keys, clock, epoch=clock.epoch),
            notify=NotifyService(
                units, bulletins, store, keys, outbox, clock, "https://portal.test"
            ),
        )
