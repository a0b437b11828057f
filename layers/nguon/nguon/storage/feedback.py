"""Citizens' feedback in DynamoDB: the report, its contact apart, its history, the services
list and the intake limits.

Items (the one table):
- ``FEEDBACK#<id>`` / ``FEEDBACK``: the report as JSON, ``version``, ``status``; on GSI1
  ``GSI1PK = FEEDBACK``, ``GSI1SK = <unit path>/#<received UTC>#<id>`` (a unit's subtree is a
  ``begins_with`` on its path; an assignment moves the key);
- ``FEEDBACK#<id>`` / ``CONTACT``: the citizen's name, phone, e-mail (personal data, never in
  the report's item or its stream image);
- ``FEEDBACK#<id>`` / ``STEP#<seq:06>``: one history step, written once (``STEP#``, not
  ``EVENT#``: the bulletin fan-out's stream filter takes ``EVENT#``);
- ``FEEDBACK`` / ``SERVICES``: the province's services list;
- ``LIMIT#<what>#<sha256 of the client or contact>`` / ``WINDOW#<start UTC>``: intake counted
  per window, with ``expires`` (epoch seconds) for a TTL.

Intake is one ``TransactWriteItems``: the report (not exists), its first step, its contact and
one counter update per limit (``n < max``): a limit reached cancels the whole transaction, so
a refused report leaves nothing behind.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from nguon.config import get_settings
from nguon.errors import Conflict
from nguon.models.feedback import Categories, Contact, Feedback, FeedbackEvent
from nguon.storage.cursors import take
from nguon.storage.table import Gsi1, TableItem, table_meta

_DOC = "FEEDBACK"
_INDEX = "FEEDBACK"
SUBTREE_MAX = 2_000
"""Reports read for one listing or statistic (a province's few months; a DynamoDB page is
1 MB, so this is a handful of pages)."""


class FeedbackItem(TableItem):
    Meta = table_meta()
    doc = UnicodeAttribute()
    version = NumberAttribute()
    status = UnicodeAttribute()
    received = UnicodeAttribute()
    gsi1pk = UnicodeAttribute(attr_name="GSI1PK")
    gsi1sk = UnicodeAttribute(attr_name="GSI1SK")
    by_path = Gsi1()


class FeedbackContactItem(TableItem):
    Meta = table_meta()
    doc = UnicodeAttribute()


class FeedbackStepItem(TableItem):
    Meta = table_meta()
    doc = UnicodeAttribute()


class FeedbackServicesItem(TableItem):
    Meta = table_meta()
    doc = UnicodeAttribute()


class LimitItem(TableItem):
    Meta = table_meta()
    n = NumberAttribute(null=True)
    expires = NumberAttribute(null=True)


@dataclass(frozen=True)
class Quota:
    """One intake limit to count a new report against: at most ``max`` per window."""

    key: str
    """``client#<hash>`` or ``contact#<hash>``."""
    window_start: datetime
    window_end: datetime
    max: int


class LimitReached(Exception):
    def __init__(self, quota: Quota) -> None:
        super().__init__(quota.key)
        self.quota = quota


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _sort_key(report: Feedback) -> str:
    return f"{report.unit_path}/#{_utc(report.received_at)}#{report.id}"


class DynamoFeedbackStore:
    """:class:`nguon.services.feedback.FeedbackStore` on the main table."""

    def __init__(self) -> None:
        self._connection = Connection(region=get_settings().region)

    def _item(self, report: Feedback) -> FeedbackItem:
        return FeedbackItem(
            pk=f"FEEDBACK#{report.id}",
            sk=_DOC,
            doc=report.model_dump_json(),
            version=report.version,
            status=report.status.value,
            received=_utc(report.received_at),
            gsi1pk=_INDEX,
            gsi1sk=_sort_key(report),
        )

    def _step(self, event: FeedbackEvent) -> FeedbackStepItem:
        return FeedbackStepItem(
            pk=f"FEEDBACK#{event.feedback_id}",
            sk=f"STEP#{event.seq:06d}",
            doc=event.model_dump_json(),
        )

    def create(
        self,
        report: Feedback,
        event: FeedbackEvent,
        contact: Contact | None,
        quotas: Sequence[Quota],
    ) -> None:
        try:
            with TransactWrite(connection=self._connection) as transaction:
                transaction.save(self._item(report), condition=FeedbackItem.pk.does_not_exist())
                transaction.save(self._step(event), condition=FeedbackStepItem.pk.does_not_exist())
                if contact is not None:
                    transaction.save(
                        FeedbackContactItem(
                            pk=f"FEEDBACK#{report.id}", sk="CONTACT", doc=contact.model_dump_json()
                        )
                    )
                for quota in quotas:
                    transaction.update(
                        LimitItem(pk=f"LIMIT#{quota.key}", sk=f"WINDOW#{_utc(quota.window_start)}"),
                        actions=[
                            LimitItem.n.add(1),
                            LimitItem.expires.set(int(quota.window_end.timestamp()) + 3600),
                        ],
                        condition=LimitItem.n.does_not_exist() | (LimitItem.n < quota.max),
                    )
        except TransactWriteError as error:
            reasons = [reason.code if reason else None for reason in error.cancellation_reasons]
            offset = 3 if contact is not None else 2
            for index, quota in enumerate(quotas):
                if (
                    len(reasons) > offset + index
                    and reasons[offset + index] == "ConditionalCheckFailed"
                ):
                    raise LimitReached(quota) from error
            if "ConditionalCheckFailed" in reasons:
                raise Conflict("conflict") from error
            raise

    def commit(self, report: Feedback, event: FeedbackEvent, expected_version: int) -> None:
        try:
            with TransactWrite(connection=self._connection) as transaction:
                transaction.save(
                    self._item(report), condition=FeedbackItem.version == expected_version
                )
                transaction.save(self._step(event), condition=FeedbackStepItem.pk.does_not_exist())
        except TransactWriteError as error:
            reasons = [reason.code if reason else None for reason in error.cancellation_reasons]
            if "ConditionalCheckFailed" in reasons:
                raise Conflict("conflict") from error
            raise

    def get(self, feedback_id: str) -> Feedback | None:
        try:
            item = FeedbackItem.get(f"FEEDBACK#{feedback_id}", _DOC, consistent_read=True)
        except FeedbackItem.DoesNotExist:
            return None
        return Feedback.model_validate_json(item.doc)

    def contact(self, feedback_id: str) -> Contact | None:
        try:
            item = FeedbackContactItem.get(f"FEEDBACK#{feedback_id}", "CONTACT")
        except FeedbackContactItem.DoesNotExist:
            return None
        return Contact.model_validate_json(item.doc)

    def history(self, feedback_id: str) -> list[FeedbackEvent]:
        return [
            FeedbackEvent.model_validate_json(item.doc)
            for item in FeedbackStepItem.query(
                f"FEEDBACK#{feedback_id}",
                FeedbackStepItem.sk.startswith("STEP#"),
                consistent_read=True,
            )
        ]

    def in_subtree(self, path: str, since: datetime | None = None) -> list[Feedback]:
        """Reports whose unit lies under ``path`` (``52/540``), received since ``since``."""
        query = FeedbackItem.by_path.query(
            _INDEX,
            FeedbackItem.gsi1sk.startswith(f"{path}/"),
            filter_condition=(FeedbackItem.received >= _utc(since)) if since else None,
        )
        return [Feedback.model_validate_json(item.doc) for item in take(query, SUBTREE_MAX)]

    def categories(self) -> Categories | None:
        try:
            item = FeedbackServicesItem.get("FEEDBACK", "SERVICES")
        except FeedbackServicesItem.DoesNotExist:
            return None
        return Categories.model_validate_json(item.doc)

    def save_categories(self, categories: Categories) -> None:
        FeedbackServicesItem(pk="FEEDBACK", sk="SERVICES", doc=categories.model_dump_json()).save()
