"""Periodic reports in the table.

Key patterns:

- a report: PK ``REPORT#<id>`` SK ``REPORT`` (JSON document, ``version``, ``status``; ``unit``,
  ``path``, ``created_at`` and ``submitted`` for the statistics stream); GSI1PK
  ``REPORTS#<period key>`` (every ad-hoc report: ``REPORTS#adhoc``) GSI1SK ``<path>/<id>``
  (``52/540/21550/<id>``): a period's reports in a subtree are one ``begins_with`` query (a
  district's consolidation), and so are the ad-hoc requests to a unit's area;
- one regular report per unit and period: PK ``REPORTKEY#<unit>#<period key>`` SK
  ``REPORTKEY``, put with the report in one transaction on condition it does not exist;
- a province report's submission carries its outbox item to the national system
  (``nguon.storage.central``), put in the same transaction as the report.
"""

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.connection import Connection
from pynamodb.exceptions import PutError, TransactWriteError
from pynamodb.transactions import TransactWrite

from nguon.config import get_settings
from nguon.errors import Conflict
from nguon.models.central import OutboxItem
from nguon.models.reports import ADHOC_LISTING, Report
from nguon.storage.central import OutboxRecord, outbox_item
from nguon.storage.device_items import listing_key
from nguon.storage.table import Gsi1, TableItem, string_list, table_meta

_REPORT = "REPORT"


class ReportItem(TableItem):
    Meta = table_meta()

    doc = UnicodeAttribute()
    version = NumberAttribute()
    status = UnicodeAttribute()
    unit = UnicodeAttribute()
    path = string_list()
    created_at = UnicodeAttribute()
    submitted = BooleanAttribute()
    gsi1pk = UnicodeAttribute(attr_name="GSI1PK")
    gsi1sk = UnicodeAttribute(attr_name="GSI1SK")
    by_period = Gsi1()


class ReportKeyItem(TableItem):
    Meta = table_meta()

    report_id = UnicodeAttribute()


def _item(report: Report) -> ReportItem:
    return ReportItem(
        pk=f"REPORT#{report.id}",
        sk=_REPORT,
        doc=report.model_dump_json(),
        version=report.version,
        status=report.status.value,
        unit=report.unit,
        path=list(report.path),
        created_at=report.created_at.isoformat(),
        submitted=report.submitted_at is not None,
        gsi1pk=_listing_partition(report.period_key),
        gsi1sk=f"{listing_key(report.path)}{report.id}",
    )


def _listing_partition(period_key: str) -> str:
    """Ad-hoc reports share one partition, so an asked unit finds every request to its area."""
    if period_key.startswith(ADHOC_LISTING):
        return f"REPORTS#{ADHOC_LISTING}"
    return f"REPORTS#{period_key}"


def _key(unit: str, period_key: str) -> tuple[str, str]:
    return f"REPORTKEY#{unit}#{period_key}", "REPORTKEY"


class DynamoReportStore:
    """:class:`nguon.services.reports.ReportStore` on the main table."""

    def __init__(self) -> None:
        self._connection = Connection(region=get_settings().region)

    def create(self, report: Report, *, unique: bool) -> None:
        item = _item(report)
        if not unique:
            item.save(condition=ReportItem.pk.does_not_exist())
            return
        pk, sk = _key(report.unit, report.period_key)
        try:
            with TransactWrite(connection=self._connection) as transaction:
                transaction.save(item, condition=ReportItem.pk.does_not_exist())
                transaction.save(
                    ReportKeyItem(pk=pk, sk=sk, report_id=report.id),
                    condition=ReportKeyItem.pk.does_not_exist(),
                )
        except TransactWriteError as error:
            if "ConditionalCheckFailed" in [
                r.code if r else None for r in error.cancellation_reasons
            ]:
                existing = self.existing(report.unit, report.period_key)
                raise Conflict(
                    "report_exists", unit=report.unit, period=report.period_key, report=existing
                ) from error
            raise

    def existing(self, unit: str, period_key: str) -> str | None:
        pk, sk = _key(unit, period_key)
        try:
            return ReportKeyItem.get(pk, sk, consistent_read=True).report_id
        except ReportKeyItem.DoesNotExist:
            return None

    def get(self, report_id: str) -> Report | None:
        try:
            item = ReportItem.get(f"REPORT#{report_id}", _REPORT, consistent_read=True)
        except ReportItem.DoesNotExist:
            return None
        return Report.model_validate_json(item.doc)

    def save(self, report: Report, expected_version: int, outbox: OutboxItem | None = None) -> None:
        """The report if it still has ``expected_version``; with ``outbox``, that item too, in
        the same transaction (both or neither)."""
        if outbox is None:
            try:
                _item(report).save(condition=ReportItem.version == expected_version)
            except PutError as error:
                if error.cause_response_code == "ConditionalCheckFailedException":
                    raise Conflict("stale_version", expected=expected_version) from error
                raise
            return
        try:
            with TransactWrite(connection=self._connection) as transaction:
                transaction.save(_item(report), condition=ReportItem.version == expected_version)
                transaction.save(outbox_item(outbox), condition=OutboxRecord.pk.does_not_exist())
        except TransactWriteError as error:
            if "ConditionalCheckFailed" in [
                r.code if r else None for r in error.cancellation_reasons
            ]:
                raise Conflict("stale_version", expected=expected_version) from error
            raise

    def in_period(self, period_key: str, path: list[str]) -> list[Report]:
        """Every report of the period in the subtree at ``path`` (the unit's own included);
        for ``adhoc``, every ad-hoc report there."""
        found = [
            Report.model_validate_json(item.doc)
            for item in ReportItem.by_period.query(
                _listing_partition(period_key), ReportItem.gsi1sk.startswith(listing_key(path))
            )
        ]
        return [r for r in found if period_key in (ADHOC_LISTING, r.period_key)]
