"""The outbox to the national system in the table.

Key patterns:

- an item: PK ``OUTBOX#<id>`` SK ``OUTBOX`` (``doc``: the item as JSON without its payload;
  ``payload``: the record carried, JSON; ``version``, ``status``, ``attempts`` for the stream
  filter); GSI1PK ``OUTBOX#<status>`` GSI1SK ``<created, UTC>#<id>``: a status partition,
  moved with every change. The re-drive reads only the ``pending`` and ``failed`` partitions
  (items still open; sent and dead ones leave them), the status page one partition.

Items are written by the stores of what they carry (:func:`outbox_item` inside the report's or
the bulletin's own ``TransactWriteItems``) and changed here, each change a put conditional on
the version read.
"""

import json
from datetime import UTC, datetime

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError

from nguon.errors import Conflict
from nguon.models.central import OPEN, OutboxItem, OutboxStatus
from nguon.storage.cursors import decode_key, encode_key
from nguon.storage.table import Gsi1, TableItem, table_meta

SK = "OUTBOX"


class OutboxRecord(TableItem):
    Meta = table_meta()

    doc = UnicodeAttribute()
    payload = UnicodeAttribute()
    version = NumberAttribute()
    status = UnicodeAttribute()
    attempts = NumberAttribute()
    gsi1pk = UnicodeAttribute(attr_name="GSI1PK")
    gsi1sk = UnicodeAttribute(attr_name="GSI1SK")
    by_status = Gsi1()


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def partition(status: OutboxStatus) -> str:
    return f"OUTBOX#{status.value}"


def outbox_item(item: OutboxItem) -> OutboxRecord:
    """The item as the table holds it (also for the carried record's own transaction)."""
    return OutboxRecord(
        pk=f"OUTBOX#{item.id}",
        sk=SK,
        doc=item.model_dump_json(),
        payload=json.dumps(item.payload, ensure_ascii=False),
        version=item.version,
        status=item.status.value,
        attempts=item.attempts,
        gsi1pk=partition(item.status),
        gsi1sk=f"{_utc(item.created_at)}#{item.id}",
    )


def _read(record: OutboxRecord) -> OutboxItem:
    return OutboxItem.model_validate(
        {**json.loads(record.doc), "payload": json.loads(record.payload)}
    )


class DynamoOutboxStore:
    """:class:`nguon.services.central.OutboxStore` on the main table."""

    def get(self, item_id: str) -> OutboxItem | None:
        try:
            return _read(OutboxRecord.get(f"OUTBOX#{item_id}", SK, consistent_read=True))
        except OutboxRecord.DoesNotExist:
            return None

    def save(self, item: OutboxItem, expected_version: int) -> None:
        """Replace the item if it still has ``expected_version`` (a claim or an outcome)."""
        try:
            outbox_item(item).save(condition=OutboxRecord.version == expected_version)
        except PutError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                raise Conflict("stale_version", expected=expected_version) from error
            raise

    def due(self, moment: datetime, limit: int) -> list[OutboxItem]:
        """Open items (pending or failed) due at ``moment``, oldest first."""
        found: list[OutboxItem] = []
        for status in OPEN:
            # Open partitions hold only what is still to send: read on until enough are due.
            for record in OutboxRecord.by_status.query(partition(status)):
                item = _read(record)
                if item.next_attempt_at is not None and item.next_attempt_at <= moment:
                    found.append(item)
                    if len(found) >= limit:
                        break
        return sorted(found, key=lambda item: item.created_at)[:limit]

    def page(
        self, status: OutboxStatus, limit: int, cursor: str | None
    ) -> tuple[list[OutboxItem], str | None]:
        """One status, newest first."""
        query = OutboxRecord.by_status.query(
            partition(status),
            scan_index_forward=False,
            limit=limit,
            last_evaluated_key=decode_key(cursor, equal={"GSI1PK": partition(status)}),
        )
        items = [_read(record) for record in query]
        return items, encode_key(query.last_evaluated_key)
