"""DynamoDB transactions in moto at the cost of the items they touch, not of the table.

moto backs up every table a ``TransactWriteItems`` touches with ``copy.deepcopy`` — the whole
table, its stream records included — so each step of the workflow cost more as the table grew
(116 ms at a few hundred items, and gigabytes of garbage while a fleet was provisioned). Here
the backup is an undo log of the touched items and the stream's length; moto's own rollback
becomes a no-op and the undo log restores exactly what the transaction changed. What callers
see is unchanged: all or nothing, ``TransactionCanceledException`` with moto's reasons.
DynamoDB requests reach moto one at a time (``moto_process._OneRequestPerServiceAtATime``),
so nothing else changes the items between the snapshot and the undo.
"""

import copy
import functools
from typing import Any

from moto.dynamodb import models as dynamodb_models
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import StreamShard, Table

from infra.localcloud import moto_queries


class _CopyExceptTables:
    """``copy`` as moto's DynamoDB models see it: tables are not deep-copied."""

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)

    @staticmethod
    def deepcopy(value: Any, memo: Any = None) -> Any:
        return value if isinstance(value, Table) else copy.deepcopy(value, memo)


def _key_of(table: Table, operation: dict[str, Any]) -> tuple[DynamoType, DynamoType | None]:
    attributes = operation.get("Key") or operation.get("Item") or {}
    hash_value = DynamoType(attributes[table.hash_key_attr])
    range_attr = table.range_key_attr
    return hash_value, DynamoType(attributes[range_attr]) if range_attr else None


def install() -> None:
    original = DynamoDBBackend.transact_write_items
    if getattr(original, "undo_log", False):
        return

    @functools.wraps(original)
    def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
        undo: list[tuple[Table, DynamoType, DynamoType | None, Any]] = []
        streams: dict[int, tuple[StreamShard, int]] = {}
        for entry in transact_items:
            operation = next(iter(entry.values()))
            table = self.tables.get(operation.get("TableName"))
            if table is None:
                continue
            try:
                hash_value, range_value = _key_of(table, operation)
            except KeyError:
                continue  # moto reports the missing key itself
            undo.append(
                (
                    table,
                    hash_value,
                    range_value,
                    copy.deepcopy(table.get_item(hash_value, range_value)),
                )
            )
            if table.stream_shard is not None:
                streams.setdefault(id(table), (table.stream_shard, len(table.stream_shard.items)))
        try:
            original(self, transact_items)
        except BaseException:
            for table, hash_value, range_value, before in reversed(undo):
                _restore(table, hash_value, range_value, before)
            for shard, length in streams.values():
                del shard.items[length:]  # a cancelled transaction streams nothing
            raise

    # A mark on the patched function (installed once), and moto's backend and the `copy` its
    # models module imported, replaced in place: moto has no hook for either.
    transact_write_items.undo_log = True  # type: ignore[attr-defined]
    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    dynamodb_models.copy = _CopyExceptTables()  # type: ignore[assignment]


def _restore(
    table: Table, hash_value: DynamoType, range_value: DynamoType | None, before: Any
) -> None:
    _put_back(table, hash_value, range_value, before)
    moto_queries.reindex(table, hash_value, range_value)  # it wrote ``items`` behind moto's back


def _put_back(
    table: Table, hash_value: DynamoType, range_value: DynamoType | None, before: Any
) -> None:
    if range_value is None:
        if before is None:
            table.items.pop(hash_value, None)
        else:
            table.items[hash_value] = before
        return
    partition = table.items[hash_value]
    if before is None:
        partition.pop(range_value, None)
    else:
        partition[range_value] = before
