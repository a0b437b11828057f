"""Directives in the table.

Key patterns (``<root>`` the province: ``path[0]``; ``<key>`` a subtree's listing key, ``52/540/``):

- a directive: PK ``DIRECTIVE#<id>`` SK ``DIRECTIVE`` (JSON document, ``status``,
  ``acknowledged``: targets acknowledged, added to in each acknowledgement's transaction);
  GSI1PK ``DIRECTIVES#<root>`` GSI1SK ``<issuer key>#<created_at>#<id>``: the directives issued
  in a subtree are one ``begins_with`` query;
- a target: PK ``DIRECTIVE#<id>`` SK ``TARGET#<unit>`` (``acknowledged_at``/``_by``,
  ``escalated_at``/``_to``); GSI1PK ``DIRECTIVE_TARGETS#<root>`` GSI1SK
  ``<target key>#<due>#<id>``: addressed to the unit itself is ``begins_with <key>#``, to its
  subtree ``begins_with <key>`` (``#`` sorts before the digits of a child's code);
- an acknowledgement still owed: PK ``DIRECTIVES_PENDING`` SK ``<due>#<id>#<unit>``, put with
  the directive and deleted by the acknowledgement (same transaction), the escalation or the
  closing: the sweep's query ``SK < <today>`` finds exactly the overdue ones not escalated
  yet, without reading any other directive.
"""

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from nguon.config import get_settings
from nguon.errors import Conflict
from nguon.models.bulletins import Actor
from nguon.models.directives import Directive, DirectiveStatus, Target
from nguon.storage.device_items import listing_key
from nguon.storage.table import Gsi1, TableItem, string_list, table_meta

_DIRECTIVE = "DIRECTIVE"
_PENDING = "DIRECTIVES_PENDING"


class DirectiveItem(TableItem):
    Meta = table_meta()

    doc = UnicodeAttribute()
    status = UnicodeAttribute()
    acknowledged = NumberAttribute(default=0)
    targets_total = NumberAttribute()
    unit = UnicodeAttribute()
    created_at = UnicodeAttribute()
    gsi1pk = UnicodeAttribute(attr_name="GSI1PK")
    gsi1sk = UnicodeAttribute(attr_name="GSI1SK")
    by_area = Gsi1()


class TargetItem(TableItem):
    Meta = table_meta()

    directive_id = UnicodeAttribute()
    unit = UnicodeAttribute()
    name = UnicodeAttribute()
    level = UnicodeAttribute()
    path = string_list()
    due = UnicodeAttribute()
    issued_at = UnicodeAttribute(null=True)  # the directive's: the day its KPI counts it on
    acknowledged_at = UnicodeAttribute(null=True)
    acknowledged_by = UnicodeAttribute(null=True)
    escalated_at = UnicodeAttribute(null=True)
    escalated_to = UnicodeAttribute(null=True)
    gsi1pk = UnicodeAttribute(attr_name="GSI1PK")
    gsi1sk = UnicodeAttribute(attr_name="GSI1SK")
    by_area = Gsi1()


class PendingItem(TableItem):
    Meta = table_meta()

    directive_id = UnicodeAttribute()
    unit = UnicodeAttribute()


def _pk(directive_id: str) -> str:
    return f"DIRECTIVE#{directive_id}"


def _pending_sk(due: date, directive_id: str, unit: str) -> str:
    return f"{due.isoformat()}#{directive_id}#{unit}"


def _directive_item(directive: Directive, targets: int) -> DirectiveItem:
    return DirectiveItem(
        pk=_pk(directive.id),
        sk=_DIRECTIVE,
        doc=directive.model_dump_json(),
        status=directive.status.value,
        targets_total=targets,
        unit=directive.issuer_unit,
        created_at=directive.created_at.isoformat(),
        gsi1pk=f"DIRECTIVES#{directive.issuer_path[0]}",
        gsi1sk=f"{listing_key(directive.issuer_path)}#{directive.created_at.isoformat()}"
        f"#{directive.id}",
    )


def _target_item(directive: Directive, target: Target) -> TargetItem:
    return TargetItem(
        pk=_pk(directive.id),
        sk=f"TARGET#{target.unit}",
        directive_id=directive.id,
        unit=target.unit,
        name=target.name,
        level=target.level.value,
        path=list(target.path),
        due=directive.due.isoformat(),
        issued_at=directive.created_at.isoformat(),
        gsi1pk=f"DIRECTIVE_TARGETS#{target.path[0]}",
        gsi1sk=f"{listing_key(target.path)}#{directive.due.isoformat()}#{directive.id}",
    )


def _target(item: TargetItem) -> Target:
    return Target(
        unit=item.unit,
        name=item.name,
        level=item.level,  # type: ignore[arg-type]  # pydantic reads the enum's value
        path=list(item.path),
        acknowledged_at=datetime.fromisoformat(item.acknowledged_at)
        if item.acknowledged_at
        else None,
        acknowledged_by=Actor.model_validate_json(item.acknowledged_by)
        if item.acknowledged_by
        else None,
        escalated_at=datetime.fromisoformat(item.escalated_at) if item.escalated_at else None,
        escalated_to=item.escalated_to,
    )


def _failed(error: TransactWriteError) -> list[str | None]:
    return [reason.code if reason else None for reason in error.cancellation_reasons]


class DynamoDirectiveStore:
    """:class:`nguon.services.directives.DirectiveStore` on the main table."""

    def __init__(self) -> None:
        self._connection = Connection(region=get_settings().region)

    def create(self, directive: Directive, targets: Sequence[Target]) -> None:
        with TransactWrite(connection=self._connection) as transaction:
            transaction.save(
                _directive_item(directive, len(targets)),
                condition=DirectiveItem.pk.does_not_exist(),
            )
            for target in targets:
                transaction.save(_target_item(directive, target))
                transaction.save(
                    PendingItem(
                        pk=_PENDING,
                        sk=_pending_sk(directive.due, directive.id, target.unit),
                        directive_id=directive.id,
                        unit=target.unit,
                    )
                )

    def get(self, directive_id: str) -> tuple[Directive, int, list[Target]] | None:
        try:
            item = DirectiveItem.get(_pk(directive_id), _DIRECTIVE, consistent_read=True)
        except DirectiveItem.DoesNotExist:
            return None
        targets = [
            _target(found)
            for found in TargetItem.query(
                _pk(directive_id), TargetItem.sk.startswith("TARGET#"), consistent_read=True
            )
        ]
        return Directive.model_validate_json(item.doc), int(item.acknowledged), targets

    def acknowledge(self, directive: Directive, unit: str, actor: Actor, at: datetime) -> bool:
        """Record the target's acknowledgement; False when it was acknowledged before.
        :class:`Conflict` ``directive_closed`` when the directive closed meanwhile."""
        head = DirectiveItem(pk=_pk(directive.id), sk=_DIRECTIVE)
        target = TargetItem(pk=_pk(directive.id), sk=f"TARGET#{unit}")
        try:
            with TransactWrite(connection=self._connection) as transaction:
                transaction.update(
                    head,
                    actions=[DirectiveItem.acknowledged.add(1)],
                    condition=DirectiveItem.status == DirectiveStatus.OPEN.value,
                )
                transaction.update(
                    target,
                    actions=[
                        TargetItem.acknowledged_at.set(at.isoformat()),
                        TargetItem.acknowledged_by.set(actor.model_dump_json()),
                    ],
                    condition=TargetItem.pk.exists() & TargetItem.acknowledged_at.does_not_exist(),
                )
                transaction.delete(
                    PendingItem(pk=_PENDING, sk=_pending_sk(directive.due, directive.id, unit))
                )
        except TransactWriteError as error:
            # PynamoDB sends deletes before updates: the reasons read [pending, head, target].
            failed = _failed(error)[-2:]
            if failed[:1] == ["ConditionalCheckFailed"]:
                raise Conflict("directive_closed", directive=directive.id) from error
            if failed[1:] == ["ConditionalCheckFailed"]:
                return False
            raise
        return True

    def close(self, directive: Directive, pending: Iterable[str]) -> None:
        """Store the closed directive (on condition it was open) and drop what it still owed."""
        try:
            with TransactWrite(connection=self._connection) as transaction:
                transaction.update(
                    DirectiveItem(pk=_pk(directive.id), sk=_DIRECTIVE),
                    actions=[
                        DirectiveItem.doc.set(directive.model_dump_json()),
                        DirectiveItem.status.set(directive.status.value),
                    ],
                    condition=DirectiveItem.status == DirectiveStatus.OPEN.value,
                )
                for unit in pending:
                    transaction.delete(
                        PendingItem(pk=_PENDING, sk=_pending_sk(directive.due, directive.id, unit))
                    )
        except TransactWriteError as error:
            # Deletes go first: the directive's update is the last reason.
            if _failed(error)[-1:] == ["ConditionalCheckFailed"]:
                raise Conflict("directive_closed", directive=directive.id) from error
            raise

    def issued(self, path: Sequence[str], limit: int) -> list[tuple[Directive, int, int]]:
        """Directives issued in the subtree at ``path``, newest first: (directive,
        acknowledged, targets)."""
        return [
            (
                Directive.model_validate_json(item.doc),
                int(item.acknowledged),
                int(item.targets_total),
            )
            for item in DirectiveItem.by_area.query(
                f"DIRECTIVES#{path[0]}",
                DirectiveItem.gsi1sk.startswith(listing_key(path)),
                scan_index_forward=False,
                limit=limit,
            )
        ]

    def addressed(self, path: Sequence[str], *, below: bool) -> list[tuple[str, Target]]:
        """(directive id, target) addressed to the unit at ``path`` itself, or (``below``) to
        the units under it."""
        prefix = listing_key(path)
        own = f"{prefix}#"
        found = TargetItem.by_area.query(
            f"DIRECTIVE_TARGETS#{path[0]}",
            TargetItem.gsi1sk.startswith(prefix if below else own),
        )
        return [
            (item.directive_id, _target(item))
            for item in found
            if not (below and item.gsi1sk.startswith(own))
        ]

    def many(self, ids: Iterable[str]) -> dict[str, tuple[Directive, int, int]]:
        keys = [(_pk(i), _DIRECTIVE) for i in dict.fromkeys(ids)]
        return {
            item.pk.removeprefix("DIRECTIVE#"): (
                Directive.model_validate_json(item.doc),
                int(item.acknowledged),
                int(item.targets_total),
            )
            for item in DirectiveItem.batch_get(keys)
        }

    def owed_before(self, day: date) -> list[tuple[str, str, date]]:
        """(directive id, unit, due) of every acknowledgement owed, due before ``day``, not
        yet escalated."""
        return [
            (item.directive_id, item.unit, date.fromisoformat(item.sk[:10]))
            for item in PendingItem.query(_PENDING, PendingItem.sk < day.isoformat())
        ]

    def escalate(self, directive_id: str, due: date, unit: str, parent: str, at: datetime) -> bool:
        """Record the escalation once (conditional: neither escalated nor acknowledged
        before); the owed item goes either way. True when this call recorded it."""
        recorded = True
        try:
            TargetItem(pk=_pk(directive_id), sk=f"TARGET#{unit}").update(
                actions=[
                    TargetItem.escalated_at.set(at.isoformat()),
                    TargetItem.escalated_to.set(parent),
                ],
                condition=TargetItem.pk.exists()
                & TargetItem.escalated_at.does_not_exist()
                & TargetItem.acknowledged_at.does_not_exist(),
            )
        except UpdateError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise
            recorded = False
        PendingItem(pk=_PENDING, sk=_pending_sk(due, directive_id, unit)).delete()
        return recorded
