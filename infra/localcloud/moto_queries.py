"""DynamoDB queries in moto at the cost of the items they return, not of the table.

moto answers every ``Query`` — on the table or on a global secondary index — by walking every
item of the table and keeping those whose key matches. DynamoDB reads one partition of the
table or of the index. With the commune fleet's plays and manifests in the table, each query of
the console's overview or the KPI board cost as much as a scan (seconds per page), which hid
the application's own figures behind moto's.

Here a query is given only its partition as candidates: the table's partition from moto's own
``items[hash]``, an index's partition from a lookup kept beside the table (built on the first
query of that index, then updated by every write: put, delete, update in place, and the
transaction undo of ``moto_transactions``). moto's own query code runs unchanged on those
candidates — it still checks every key condition, sorts, pages, filters and projects — so a
stale candidate is dropped by its check; only a missing one could change an answer, and every
path that changes an item re-indexes it. DynamoDB requests reach moto one at a time
(``moto_process._OneRequestPerServiceAtATime``), so the lookup needs no lock of its own.
"""

import functools
import inspect
import weakref
from collections.abc import Callable
from typing import Any

from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import Table

_ItemKey = tuple[DynamoType, DynamoType | None]


class _IndexLookup:
    """The partitions of one table's global secondary indexes keyed by a single string
    attribute: index name → hash value → the items there, by their table key."""

    def __init__(self, table: Table) -> None:
        self._hash_attributes = {
            index.name: index.schema_key_attrs[0]
            for index in table.global_indexes
            if len([k for k in index.schema if k["KeyType"] == "HASH"]) == 1
        }
        self._partitions: dict[str, dict[DynamoType, dict[_ItemKey, Item]]] = {
            name: {} for name in self._hash_attributes
        }
        self._placed: dict[_ItemKey, list[tuple[str, DynamoType]]] = {}
        for item in table.all_items():
            self.place(_key(item), item)

    def hash_attribute(self, index_name: str) -> str | None:
        return self._hash_attributes.get(index_name)

    def partition(self, index_name: str, value: DynamoType) -> list[Item]:
        return list(self._partitions[index_name].get(value, {}).values())

    def place(self, key: _ItemKey, item: Item | None) -> None:
        """Where ``key``'s item now belongs: out of its old partitions, into its current ones."""
        for index_name, value in self._placed.pop(key, ()):
            partition = self._partitions[index_name][value]
            partition.pop(key, None)
            if not partition:
                del self._partitions[index_name][value]
        if item is None:
            return
        placed = []
        for index_name, attribute in self._hash_attributes.items():
            current = item.attrs.get(attribute)
            if current is not None and current.type == "S":
                self._partitions[index_name].setdefault(current, {})[key] = item
                placed.append((index_name, current))
        if placed:
            self._placed[key] = placed


_LOOKUPS: "weakref.WeakKeyDictionary[Table, _IndexLookup]" = weakref.WeakKeyDictionary()


def _key(item: Item) -> _ItemKey:
    return item.hash_key, item.range_key


def reindex(table: Table, hash_value: DynamoType, range_value: DynamoType | None) -> None:
    """After a write that bypassed moto's methods (the transaction undo writes ``items``)."""
    lookup = _LOOKUPS.get(table)
    if lookup is not None:
        lookup.place((hash_value, range_value), table.get_item(hash_value, range_value))


def _candidates(
    table: Table,
    hash_key: DynamoType | None,
    index_name: str | None,
    hash_key_conditions: list[tuple[str, DynamoType]] | None,
) -> list[Item] | None:
    """The partition a query reads, or None where moto's own walk must answer."""
    if not index_name:
        if hash_key is None:
            return None
        partition: Any = table.items.get(hash_key)  # items by range key, or the one item
        if partition is None:
            return []
        return list(partition.values()) if table.range_key_attr else [partition]
    if not any(index.name == index_name for index in table.global_indexes):
        return None  # a local index, or an unknown one moto reports itself
    if not hash_key_conditions or len(hash_key_conditions) != 1:
        return None
    lookup = _LOOKUPS.get(table)
    if lookup is None:
        lookup = _LOOKUPS[table] = _IndexLookup(table)
    attribute = lookup.hash_attribute(index_name)
    condition_attribute, value = hash_key_conditions[0]
    if attribute != condition_attribute or value.type != "S":
        return None
    return lookup.partition(index_name, value)


def install() -> None:
    original_query = Table.query
    if getattr(original_query, "by_partition", False):
        return

    signature = inspect.signature(original_query)

    @functools.wraps(original_query)
    def query(self: Table, *args: Any, **kwargs: Any) -> Any:
        asked = signature.bind(self, *args, **kwargs).arguments  # moto passes them by position
        candidates = _candidates(
            self, asked["hash_key"], asked.get("index_name"), asked.get("hash_key_conditions")
        )
        if candidates is None:
            return original_query(self, *args, **kwargs)
        # moto's query walks ``self.all_items()``: for this call, that is the partition.
        self.all_items = lambda: candidates  # type: ignore[method-assign]
        try:
            return original_query(self, *args, **kwargs)
        finally:
            del self.all_items

    query.by_partition = True  # type: ignore[attr-defined]
    Table.query = query  # type: ignore[method-assign]
    Table.put_item = _placing(Table.put_item, _placed_by_put_or_delete)  # type: ignore[method-assign]
    Table.delete_item = _placing(Table.delete_item, _placed_by_put_or_delete)  # type: ignore[method-assign]
    DynamoDBBackend.update_item = _placing(  # type: ignore[method-assign]
        DynamoDBBackend.update_item, _placed_by_update
    )


def _placing(method: Callable[..., Any], place: Callable[..., None]) -> Callable[..., Any]:
    @functools.wraps(method)
    def placing(self: Any, *args: Any, **kwargs: Any) -> Any:
        result = None
        try:
            result = method(self, *args, **kwargs)
            return result
        finally:
            # Also after a failure: an update may have changed the item before it failed.
            place(self, result, *args, **kwargs)

    return placing


def _placed_by_put_or_delete(table: Table, item: Item | None, *args: Any, **kwargs: Any) -> None:
    if item is not None:  # None: the condition failed, or nothing was there; nothing changed
        reindex(table, item.hash_key, item.range_key)


def _placed_by_update(
    backend: DynamoDBBackend,
    item: Item | None,
    table_name: str,
    key: dict[str, Any],
    *args: Any,
    **kwargs: Any,
) -> None:
    table = backend.tables.get(table_name)
    if table is None:
        return
    hash_value = DynamoType(key[table.hash_key_attr])
    range_attr = table.range_key_attr
    reindex(table, hash_value, DynamoType(key[range_attr]) if range_attr else None)
