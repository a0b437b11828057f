"""Statistics counters in the table: items per unit and local day, month and year, written from
the stream.

Key patterns:

- counters of a unit's area for one local day: PK ``STATS#<unit>`` SK ``DAY#<YYYY-MM-DD>``;
  every other attribute is a number (``plays``, ``play_s``, ``speaker@21550``,
  ``dept@Sở Y tế``…), added to with ``ADD`` (created by the first addition);
- the same additions rolled up (:mod:`nguon.counters`): SK ``MONTH#<YYYY-MM>`` and
  ``YEAR#<YYYY>``, and the state counters (devices) in SK ``STATE``, the running state;
- a source event counted once: PK ``COUNTED#<what>`` SK ``COUNTED``, put in the same
  transaction as the additions, on condition it does not exist, so a stream record delivered
  again finds it and adds nothing.

Reading a unit's range is one BatchGetItem of the keys it needs (whole years, whole months,
the ragged days, the running state): no scan, no read of the records counted
(:mod:`nguon.services.stats` derives the additions). The day, month, year and state items
move in the one transaction with the marker, so a redelivered record moves none of them.
"""

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any

import boto3
from botocore.exceptions import ClientError

from nguon.config import get_settings
from nguon.counters import rollup

if TYPE_CHECKING:
    from types_boto3_dynamodb import DynamoDBClient

DAY_PREFIX = "DAY#"


def stats_key(unit: str, day: date) -> dict[str, Any]:
    return {"PK": {"S": f"STATS#{unit}"}, "SK": {"S": f"{DAY_PREFIX}{day.isoformat()}"}}


def _values(item: Mapping[str, Any]) -> dict[str, float]:
    return {
        name: float(value["N"])
        for name, value in item.items()
        if name not in ("PK", "SK") and "N" in value
    }


def _number(value: float) -> str:
    # DynamoDB numbers travel as text; seconds are kept to the millisecond.
    # (fixed-point: ``normalize`` alone writes 40 as "4E+1").
    return format(Decimal(str(round(value, 3))).normalize(), "f")


class DynamoStatsStore:
    """:class:`nguon.services.stats.StatsStore` on the main table (boto3's client: the
    counters' attribute names are data, which PynamoDB's models do not express)."""

    def __init__(self, table: str | None = None, region: str | None = None) -> None:
        settings = get_settings()
        self._table = table or settings.table_name
        self._region = region or settings.region

    @cached_property
    def _client(self) -> "DynamoDBClient":
        return boto3.client("dynamodb", region_name=self._region)

    def add_once(
        self, marker: str, additions: Mapping[tuple[str, date], Mapping[str, float]]
    ) -> bool:
        """Add ``additions`` (per ``(unit, day)``: counter → amount) unless ``marker`` was
        counted before; True when added. One transaction: all or nothing."""
        items: list[Any] = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": {"PK": {"S": f"COUNTED#{marker}"}, "SK": {"S": "COUNTED"}},
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            }
        ]
        for (unit, day), values in additions.items():
            if not values:
                continue
            for sort_key, amounts in rollup(day, values):
                items.append(self._addition(unit, sort_key, amounts))
        try:
            self._client.transact_write_items(TransactItems=items)
        except ClientError as error:
            if error.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            reasons = error.response.get("CancellationReasons") or []
            if reasons and reasons[0].get("Code") == "ConditionalCheckFailed":
                return False  # counted before: a redelivered record
            raise
        return True

    def _addition(self, unit: str, sort_key: str, values: Mapping[str, float]) -> dict[str, Any]:
        names = {f"#c{n}": name for n, name in enumerate(values)}
        amounts = {f":c{n}": {"N": _number(v)} for n, v in enumerate(values.values())}
        return {
            "Update": {
                "TableName": self._table,
                "Key": {"PK": {"S": f"STATS#{unit}"}, "SK": {"S": sort_key}},
                "UpdateExpression": "ADD " + ", ".join(f"#c{n} :c{n}" for n in range(len(names))),
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": amounts,
            }
        }

    def days(
        self, unit: str, last: date, first: date | None = None
    ) -> list[tuple[date, dict[str, float]]]:
        """The unit's day items from ``first`` (or the beginning) to ``last``, oldest first."""
        start = f"{DAY_PREFIX}{first.isoformat() if first else ''}"
        return [
            (date.fromisoformat(sort_key.removeprefix(DAY_PREFIX)), values)
            for sort_key, values in self._between(unit, start, f"{DAY_PREFIX}{last.isoformat()}")
        ]

    def read(self, unit: str, sort_keys: list[str]) -> dict[str, dict[str, float]]:
        """The unit's items with these sort keys (day, month, year, state), by BatchGetItem:
        key lookups, in batches of 100, retrying what DynamoDB leaves unprocessed."""
        found: dict[str, dict[str, float]] = {}
        wanted = list(dict.fromkeys(sort_keys))
        for start in range(0, len(wanted), 100):
            keys = [
                {"PK": {"S": f"STATS#{unit}"}, "SK": {"S": key}}
                for key in wanted[start : start + 100]
            ]
            request: dict[str, Any] = {self._table: {"Keys": keys}}
            while request:
                page = self._client.batch_get_item(RequestItems=request)
                for item in page.get("Responses", {}).get(self._table, []):
                    found[item["SK"]["S"]] = _values(item)
                request = page.get("UnprocessedKeys") or {}
        return found

    def _between(self, unit: str, first: str, last: str) -> list[tuple[str, dict[str, float]]]:
        found: list[tuple[str, dict[str, float]]] = []
        query: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk AND SK BETWEEN :from AND :to",
            "ExpressionAttributeValues": {
                ":pk": {"S": f"STATS#{unit}"},
                ":from": {"S": first},
                ":to": {"S": last},
            },
        }
        while True:
            page = self._client.query(**query)
            found.extend((item["SK"]["S"], _values(item)) for item in page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                return found
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]
