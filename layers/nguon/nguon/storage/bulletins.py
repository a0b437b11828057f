"""Bulletins in DynamoDB: the document, its audit events, and two indexes kept in step.

Every workflow step is one ``TransactWriteItems``: the bulletin (conditional on the version
read), its new audit event (conditional on not existing: history is append-only), the
index items it adds or removes, and for a province bulletin's approval its outbox item to
the national system (``nguon.storage.central``). With at most 30 targets a step writes at
most ~80 items, under DynamoDB's 100-item transaction limit.
"""

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from nguon.clock import localize
from nguon.config import get_settings
from nguon.errors import Conflict
from nguon.models.bulletins import AuditEvent, Bulletin, Change, Status
from nguon.storage.central import OutboxRecord, outbox_item
from nguon.storage.cursors import decode_key, encode_key
from nguon.storage.table import Gsi1, TableItem, table_meta

_DOC = "BULLETIN"
_AWAITING = "AWAITING"


class BulletinItem(TableItem):
    """PK ``BULLETIN#<id>``  SK ``BULLETIN``: the whole bulletin as JSON, and its version.
    While pending, also GSI1PK ``AWAITING``  GSI1SK ``<valid from, UTC>#<id>``: the approvers'
    queue, every pending bulletin in one small partition of the index."""

    Meta = table_meta()
    doc = UnicodeAttribute()
    version = NumberAttribute()
    status = UnicodeAttribute()
    gsi1pk = UnicodeAttribute(attr_name="GSI1PK", null=True)
    gsi1sk = UnicodeAttribute(attr_name="GSI1SK", null=True)
    awaiting = Gsi1()


class BulletinEventItem(TableItem):
    """PK ``BULLETIN#<id>``  SK ``EVENT#<seq, 6 digits>``: one audit event, written once."""

    Meta = table_meta()
    doc = UnicodeAttribute()


class UnitListingItem(TableItem):
    """PK ``UNIT#<code>``  SK ``LIST#<valid from, UTC>#<id>``: the bulletin shows in this unit's
    list (issued in or aimed at its subtree)."""

    Meta = table_meta()
    bulletin_id = UnicodeAttribute()


class OnAirItem(TableItem):
    """PK ``UNIT#<target>``  SK ``AIR#<valid until, UTC>#<id>``: an approved bulletin aimed at
    exactly this unit, with its document, for the programme (withdrawal deletes it)."""

    Meta = table_meta()
    doc = UnicodeAttribute()
    valid_from = UnicodeAttribute()


class CapKeyItem(TableItem):
    """PK ``CAP#<sender>#<identifier>``  SK ``CAP``: an imported CAP alert, imported once."""

    Meta = table_meta()
    bulletin_id = UnicodeAttribute()


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _listing_sk(bulletin: Bulletin) -> str:
    return f"LIST#{_utc(bulletin.validity()[0])}#{bulletin.id}"


def _air_sk(bulletin: Bulletin) -> str:
    return f"AIR#{_utc(bulletin.validity()[1])}#{bulletin.id}"


class DynamoBulletinStore:
    """:class:`nguon.services.bulletins.BulletinStore` on the main table."""

    def __init__(self) -> None:
        self._connection = Connection(region=get_settings().region)

    def get(self, bulletin_id: str) -> Bulletin | None:
        try:
            item = BulletinItem.get(f"BULLETIN#{bulletin_id}", _DOC, consistent_read=True)
        except BulletinItem.DoesNotExist:
            return None
        return Bulletin.model_validate_json(item.doc)

    def commit(self, changes: Sequence[Change], *, cap_key: str | None = None) -> None:
        try:
            with TransactWrite(connection=self._connection) as transaction:
                for change in changes:
                    self._write(transaction, change)
                if cap_key:
                    transaction.save(
                        CapKeyItem(
                            pk=f"CAP#{cap_key}", sk="CAP", bulletin_id=changes[0].bulletin.id
                        ),
                        condition=CapKeyItem.pk.does_not_exist(),
                    )
        except TransactWriteError as error:
            reasons = [reason.code if reason else None for reason in error.cancellation_reasons]
            if "ConditionalCheckFailed" in reasons:
                if cap_key and reasons[-1] == "ConditionalCheckFailed":
                    raise Conflict("cap_already_imported", bulletin=cap_key) from error
                raise Conflict("conflict") from error
            raise

    def _write(self, transaction: TransactWrite, change: Change) -> None:
        bulletin, previous = change.bulletin, change.previous
        item = BulletinItem(
            pk=f"BULLETIN#{bulletin.id}",
            sk=_DOC,
            doc=bulletin.model_dump_json(by_alias=True),
            version=bulletin.version,
            status=bulletin.status.value,
        )
        if bulletin.status is Status.PENDING:  # saved whole: leaving pending leaves the queue
            item.gsi1pk, item.gsi1sk = _AWAITING, _listing_sk(bulletin).removeprefix("LIST#")
        if change.expected_version is None:
            transaction.save(item, condition=BulletinItem.pk.does_not_exist())
        else:
            transaction.save(item, condition=BulletinItem.version == change.expected_version)
        transaction.save(
            BulletinEventItem(
                pk=f"BULLETIN#{bulletin.id}",
                sk=f"EVENT#{change.event.seq:06d}",
                doc=change.event.model_dump_json(),
            ),
            condition=BulletinEventItem.pk.does_not_exist(),
        )
        # The list index: rewrite only what moved (targets or the start changed).
        old_sk = _listing_sk(previous) if previous else None
        new_sk = _listing_sk(bulletin)
        for code in change.previous_index:
            if code not in change.index or old_sk != new_sk:
                transaction.delete(UnitListingItem(pk=f"UNIT#{code}", sk=old_sk))
        for code in change.index:
            if code not in change.previous_index or old_sk != new_sk:
                transaction.save(
                    UnitListingItem(pk=f"UNIT#{code}", sk=new_sk, bulletin_id=bulletin.id)
                )
        if change.outbox is not None:
            transaction.save(outbox_item(change.outbox), condition=OutboxRecord.pk.does_not_exist())
        # The on-air index: present exactly while approved, with the current document (a
        # bulletin changes while approved when its voice is attached).
        was_on_air = previous is not None and previous.status is Status.APPROVED
        on_air = bulletin.status is Status.APPROVED
        if was_on_air and previous is not None:  # (was_on_air says so; the checker needs it)
            kept = (
                set(bulletin.targets) if on_air and _air_sk(previous) == _air_sk(bulletin) else ()
            )
            for code in previous.targets:
                if code not in kept:
                    transaction.delete(OnAirItem(pk=f"UNIT#{code}", sk=_air_sk(previous)))
        if on_air:
            for code in bulletin.targets:
                transaction.save(
                    OnAirItem(
                        pk=f"UNIT#{code}",
                        sk=_air_sk(bulletin),
                        doc=item.doc,
                        valid_from=_utc(bulletin.validity()[0]),
                    )
                )

    def history(self, bulletin_id: str) -> list[AuditEvent]:
        return [
            AuditEvent.model_validate_json(item.doc)
            for item in BulletinEventItem.query(
                f"BULLETIN#{bulletin_id}",
                BulletinEventItem.sk.startswith("EVENT#"),
                consistent_read=True,
            )
        ]

    def page(
        self, unit: str, *, starting_by: date | None, limit: int, cursor: str | None
    ) -> tuple[list[Bulletin], str | None]:
        upper = "LIST#~"
        if starting_by:
            end_of_day = localize(datetime.combine(starting_by, time.max))
            upper = f"LIST#{_utc(end_of_day)}~"
        query = UnitListingItem.query(
            f"UNIT#{unit}",
            UnitListingItem.sk.between("LIST#", upper),
            scan_index_forward=False,
            limit=limit,
            last_evaluated_key=decode_key(
                cursor,
                attributes=("PK", "SK"),
                equal={"PK": f"UNIT#{unit}"},
                starts={"SK": "LIST#"},
            ),
        )
        ids = [item.bulletin_id for item in query]
        found = {
            item.pk.removeprefix("BULLETIN#"): Bulletin.model_validate_json(item.doc)
            for item in BulletinItem.batch_get([(f"BULLETIN#{i}", _DOC) for i in ids])
        }
        return [found[i] for i in ids if i in found], encode_key(query.last_evaluated_key)

    def awaiting_approval(self) -> list[Bulletin]:
        return [
            Bulletin.model_validate_json(item.doc)
            for item in BulletinItem.awaiting.query(_AWAITING)
        ]

    def on_air(self, units: Iterable[str], day: date) -> list[Bulletin]:
        day_start = _utc(localize(datetime.combine(day, time())))
        day_end = _utc(localize(datetime.combine(day, time.max)))
        found: dict[str, Bulletin] = {}
        for unit in units:
            for item in OnAirItem.query(
                f"UNIT#{unit}",
                # Validity is [from, until): one that ends as the day starts is not on air.
                OnAirItem.sk.between(f"AIR#{day_start}#~", "AIR#~"),
                filter_condition=OnAirItem.valid_from <= day_end,
            ):
                bulletin = Bulletin.model_validate_json(item.doc)
                found[bulletin.id] = bulletin
        return list(found.values())

    def on_air_from(self, units: Iterable[str], moment: datetime) -> list[Bulletin]:
        """Approved bulletins aimed at exactly these units whose validity ends after
        ``moment``: the current and upcoming ones (the public portal's pages)."""
        since = _utc(moment)
        found: dict[str, Bulletin] = {}
        for unit in units:
            # Validity is [from, until): one that ends at ``moment`` is over.
            for item in OnAirItem.query(
                f"UNIT#{unit}", OnAirItem.sk.between(f"AIR#{since}#~", "AIR#~")
            ):
                bulletin = Bulletin.model_validate_json(item.doc)
                found[bulletin.id] = bulletin
        return list(found.values())

    def by_cap_key(self, cap_key: str) -> Bulletin | None:
        try:
            item = CapKeyItem.get(f"CAP#{cap_key}", "CAP", consistent_read=True)
        except CapKeyItem.DoesNotExist:
            return None
        return self.get(item.bulletin_id)
