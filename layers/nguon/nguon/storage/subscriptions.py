"""Alert subscriptions in DynamoDB: the subscription (its contact), what was sent to it, and
the subscribing rate counters.

Key patterns (single table):

- a subscription: PK ``SUBSCRIBER#<id>`` SK ``SUBSCRIPTION``; once confirmed, GSI1PK
  ``SUBSCRIBERS#<unit>`` GSI1SK ``<id>`` (a sparse index: pending ones are not listed). The id
  is a keyed hash of channel, contact and unit (``SubscriptionKeys.subscription_id``): the same
  person subscribing again finds the same item, and the key says nothing about the contact.
  The contact is on this item only (personal data, apart from every public record);
- a message sent to it: PK ``SUBSCRIBER#<id>`` SK ``SENT#<bulletin id>#<kind>`` (kind
  ``alert`` or ``cancel``) or ``SENT#code#<round>``; put once (conditional), so a redelivered
  stream record sends nothing twice. An alert's marker carries GSI1PK ``RECIPIENTS#<bulletin
  id>`` GSI1SK ``<id>``: a withdrawal finds who got the alert. Deleted with the subscription;
- a rate counter: PK ``RATE#<scope>#<hashed key>`` SK ``WINDOW#<start, epoch s>``,
  ``hits``, ``expires_at`` (stored as ``expires``, the table's TTL attribute).
"""

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Literal

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import DeleteError, PutError, UpdateError

from nguon.models.bulletins import Category
from nguon.models.subscriptions import ContactChannel, Subscription, SubscriptionStatus
from nguon.storage.table import Gsi1, TableItem, string_list, table_meta

_SUBSCRIPTION = "SUBSCRIPTION"
MarkerKind = Literal["alert", "cancel", "code"]


def _failed_condition(error: PutError | UpdateError | DeleteError) -> bool:
    return error.cause_response_code == "ConditionalCheckFailedException"


class SubscriptionItem(TableItem):
    """PK ``SUBSCRIBER#<id>``  SK ``SUBSCRIPTION``  (GSI1 ``SUBSCRIBERS#<unit>`` once active)."""

    Meta = table_meta()

    unit = UnicodeAttribute()
    channel = UnicodeAttribute()
    address = UnicodeAttribute()
    categories = string_list()
    status = UnicodeAttribute()
    round = NumberAttribute()
    requested_at = UTCDateTimeAttribute()
    confirmed_at = UTCDateTimeAttribute(null=True)
    attempts = NumberAttribute(default=0)
    gsi1pk = UnicodeAttribute(null=True, attr_name="GSI1PK")
    gsi1sk = UnicodeAttribute(null=True, attr_name="GSI1SK")
    by_unit = Gsi1()


class SentItem(TableItem):
    """PK ``SUBSCRIBER#<id>``  SK ``SENT#…``: a message claimed or sent, once."""

    Meta = table_meta()

    state = UnicodeAttribute()  # "sending" (claimed) or "sent"
    claimed_at = UTCDateTimeAttribute()
    sent_at = UTCDateTimeAttribute(null=True)
    gsi1pk = UnicodeAttribute(null=True, attr_name="GSI1PK")
    gsi1sk = UnicodeAttribute(null=True, attr_name="GSI1SK")
    recipients = Gsi1()


class _KeyItem(TableItem):
    """Any item of a partition, read for its key only (deleting a subscriber's items)."""

    Meta = table_meta()


class RateItem(TableItem):
    Meta = table_meta()

    hits = NumberAttribute()
    # The table has one TTL attribute, `expires` (feedback's intake counters use it too).
    expires_at = NumberAttribute(attr_name="expires")


def _pk(subscription_id: str) -> str:
    return f"SUBSCRIBER#{subscription_id}"


def marker_key(kind: MarkerKind, subject: str) -> str:
    """``SENT#<bulletin>#alert``, ``SENT#<bulletin>#cancel``, ``SENT#code#<round>``."""
    return f"SENT#code#{subject}" if kind == "code" else f"SENT#{subject}#{kind}"


def _model(item: SubscriptionItem) -> Subscription:
    return Subscription(
        id=item.pk.removeprefix("SUBSCRIBER#"),
        unit=item.unit,
        channel=ContactChannel(item.channel),
        address=item.address,
        categories=[Category(c) for c in item.categories or []],
        status=SubscriptionStatus(item.status),
        round=int(item.round),
        requested_at=item.requested_at,
        confirmed_at=item.confirmed_at,
        attempts=int(item.attempts or 0),
    )


class DynamoSubscriptionStore:
    def get(self, subscription_id: str) -> Subscription | None:
        try:
            return _model(SubscriptionItem.get(_pk(subscription_id), _SUBSCRIPTION))
        except SubscriptionItem.DoesNotExist:
            return None

    def request(self, subscription: Subscription) -> bool:
        """Store a new pending subscription, or a new round of one still pending (a new code,
        attempts reset, its choices replaced); False when it is active already (nothing
        changes: the caller answers as if a code went out, so nobody learns who subscribes)."""
        item = SubscriptionItem(
            _pk(subscription.id),
            _SUBSCRIPTION,
            unit=subscription.unit,
            channel=str(subscription.channel),
            address=subscription.address,
            categories=[str(c) for c in subscription.categories],
            status=str(SubscriptionStatus.PENDING),
            round=subscription.round,
            requested_at=subscription.requested_at,
            attempts=0,
        )
        try:
            item.save(
                condition=SubscriptionItem.pk.does_not_exist()
                | (SubscriptionItem.status == str(SubscriptionStatus.PENDING))
            )
        except PutError as error:
            if _failed_condition(error):
                return False
            raise
        return True

    def count_attempt(self, subscription_id: str, round_: int, limit: int) -> bool:
        """One more code tried against ``round_``; False when the round is spent (or gone)."""
        item = SubscriptionItem(_pk(subscription_id), _SUBSCRIPTION)
        try:
            item.update(
                actions=[SubscriptionItem.attempts.add(1)],
                condition=(SubscriptionItem.round == round_)
                & (SubscriptionItem.attempts < limit)
                & (SubscriptionItem.status == str(SubscriptionStatus.PENDING)),
            )
        except UpdateError as error:
            if _failed_condition(error):
                return False
            raise
        return True

    def activate(self, subscription: Subscription, at: datetime) -> bool:
        """Pending → active (listed under its unit); False if the round changed meanwhile."""
        item = SubscriptionItem(_pk(subscription.id), _SUBSCRIPTION)
        try:
            item.update(
                actions=[
                    SubscriptionItem.status.set(str(SubscriptionStatus.ACTIVE)),
                    SubscriptionItem.confirmed_at.set(at),
                    SubscriptionItem.gsi1pk.set(f"SUBSCRIBERS#{subscription.unit}"),
                    SubscriptionItem.gsi1sk.set(subscription.id),
                ],
                condition=(SubscriptionItem.round == subscription.round)
                & (SubscriptionItem.status == str(SubscriptionStatus.PENDING)),
            )
        except UpdateError as error:
            if _failed_condition(error):
                return False
            raise
        return True

    def delete(self, subscription_id: str) -> bool:
        """The subscription, its contact and every marker of what it was sent; False if it
        was not there."""
        found = False
        with _KeyItem.batch_write() as batch:
            for item in _KeyItem.query(_pk(subscription_id), page_size=100):
                if item.sk == _SUBSCRIPTION:
                    found = True
                batch.delete(item)
        return found

    def active_in(self, unit: str, page_size: int = 100) -> Iterator[Subscription]:
        """Confirmed subscribers of one unit, read a page at a time."""
        for item in SubscriptionItem.by_unit.query(f"SUBSCRIBERS#{unit}", page_size=page_size):
            yield _model(item)

    def recipients(self, bulletin_id: str, page_size: int = 100) -> Iterator[str]:
        """Ids of the subscriptions an alert was sent to (and not deleted since)."""
        for item in SentItem.recipients.query(f"RECIPIENTS#{bulletin_id}", page_size=page_size):
            if item.state == "sent":
                yield item.pk.removeprefix("SUBSCRIBER#")

    # ------------------------------------------------------------------ sent markers
    def claim(
        self, subscription_id: str, kind: MarkerKind, subject: str, now: datetime, lapsed: datetime
    ) -> bool:
        """Claim one message: True when this worker should send it. Taken once sent, and while
        another worker's claim is younger than ``lapsed``."""
        item = SentItem(
            _pk(subscription_id), marker_key(kind, subject), state="sending", claimed_at=now
        )
        if kind == "alert":
            item.gsi1pk, item.gsi1sk = f"RECIPIENTS#{subject}", subscription_id
        try:
            item.save(
                condition=SentItem.pk.does_not_exist()
                | ((SentItem.state == "sending") & (SentItem.claimed_at < lapsed))
            )
        except PutError as error:
            if _failed_condition(error):
                return False
            raise
        return True

    def sent(self, subscription_id: str, kind: MarkerKind, subject: str, at: datetime) -> None:
        item = SentItem(_pk(subscription_id), marker_key(kind, subject))
        try:
            item.update(
                actions=[SentItem.state.set("sent"), SentItem.sent_at.set(at)],
                condition=SentItem.pk.exists(),
            )
        except UpdateError as error:
            if not _failed_condition(error):  # unsubscribed meanwhile: nothing to mark
                raise

    def release(self, subscription_id: str, kind: MarkerKind, subject: str) -> None:
        """The send failed: let the retry claim it again at once."""
        SentItem(_pk(subscription_id), marker_key(kind, subject)).delete(
            condition=SentItem.state == "sending"
        )

    def was_sent(self, subscription_id: str, kind: MarkerKind, subject: str) -> bool:
        try:
            item = SentItem.get(_pk(subscription_id), marker_key(kind, subject))
        except SentItem.DoesNotExist:
            return False
        return item.state == "sent"

    # ------------------------------------------------------------------ rate limits
    def hit(self, scope: str, key: str, window_start: int, window_s: int, limit: int) -> bool:
        """Count one request in its window; False (and nothing counted) past ``limit``."""
        item = RateItem(f"RATE#{scope}#{key}", f"WINDOW#{window_start}")
        try:
            item.update(
                actions=[
                    RateItem.hits.add(1),
                    RateItem.expires_at.set(window_start + 2 * window_s),
                ],
                condition=RateItem.hits.does_not_exist() | (RateItem.hits < limit),
            )
        except UpdateError as error:
            if _failed_condition(error):
                return False
            raise
        return True


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)
