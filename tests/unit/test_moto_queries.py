"""The local cloud's moto answers queries from the partition, not a walk of the table
(``infra.localcloud.moto_queries``). Its answers must be DynamoDB's: checked here against a
plain model of the table after a seeded random run of every kind of write the project makes
(put, update that moves an item between index partitions or out of the index, delete, batch
write, transactions that commit and transactions cancelled by a condition)."""

import random
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError
from moto import mock_aws

from infra.localcloud import moto_queries, moto_transactions
from tests.template_table import main_table

PARTITIONS = [f"P#{n}" for n in range(6)]
INDEX_PARTITIONS = [f"G#{n}" for n in range(4)]


@pytest.fixture
def table() -> Iterator[Any]:
    moto_transactions.install()
    moto_queries.install()
    with mock_aws():
        dynamodb = boto3.resource("dynamodb", region_name="ap-southeast-1")
        yield dynamodb.create_table(TableName="nguon", **main_table())


def _query_all(table: Any, **query: Any) -> list[dict[str, Any]]:
    items, start = [], {}
    while True:
        page = table.query(Limit=7, **query, **start)  # small pages: paging is exercised too
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return items
        start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}


def _check(table: Any, model: dict[tuple[str, str], dict[str, Any]]) -> None:
    for pk in PARTITIONS:
        expected = sorted(
            (item for key, item in model.items() if key[0] == pk), key=lambda i: i["SK"]
        )
        assert _query_all(table, KeyConditionExpression=Key("PK").eq(pk)) == expected
    for gsi in INDEX_PARTITIONS:
        expected = sorted(
            (item for item in model.values() if item.get("GSI1PK") == gsi and "GSI1SK" in item),
            key=lambda i: (i["GSI1SK"], i["PK"], i["SK"]),
        )
        answered = _query_all(table, IndexName="GSI1", KeyConditionExpression=Key("GSI1PK").eq(gsi))
        assert sorted(answered, key=lambda i: (i["GSI1SK"], i["PK"], i["SK"])) == expected
        assert [i["GSI1SK"] for i in answered] == [i["GSI1SK"] for i in expected]
        newest = _query_all(
            table,
            IndexName="GSI1",
            KeyConditionExpression=Key("GSI1PK").eq(gsi) & Key("GSI1SK").gte("s#5"),
            ScanIndexForward=False,
        )
        assert [i["GSI1SK"] for i in newest] == sorted(
            (i["GSI1SK"] for i in expected if i["GSI1SK"] >= "s#5"), reverse=True
        )


def test_queries_answer_what_a_model_of_the_table_holds_after_every_kind_of_write(table):
    rng = random.Random(20261206)
    client = table.meta.client  # the resource's client: it types the values itself
    model: dict[tuple[str, str], dict[str, Any]] = {}

    def an_item() -> dict[str, Any]:
        item = {"PK": rng.choice(PARTITIONS), "SK": f"k#{rng.randrange(12)}", "n": rng.randrange(9)}
        if rng.random() < 0.8:
            item |= {"GSI1PK": rng.choice(INDEX_PARTITIONS), "GSI1SK": f"s#{rng.randrange(10)}"}
        return item

    _check(table, model)  # the index lookup is built here, on the first index query
    for step in range(300):
        action = rng.choice(["put", "update", "remove", "delete", "batch", "transact", "cancel"])
        item = an_item()
        key = (item["PK"], item["SK"])
        if action == "put":
            table.put_item(Item=item)
            model[key] = item
        elif action == "update" and "GSI1PK" in item:
            table.update_item(
                Key={"PK": key[0], "SK": key[1]},
                UpdateExpression="SET GSI1PK = :g, GSI1SK = :s ADD n :one",
                ExpressionAttributeValues={":g": item["GSI1PK"], ":s": item["GSI1SK"], ":one": 1},
            )
            before = model.get(key, {"PK": key[0], "SK": key[1]})
            model[key] = before | {
                "GSI1PK": item["GSI1PK"],
                "GSI1SK": item["GSI1SK"],
                "n": before.get("n", 0) + 1,
            }
        elif action == "remove" and key in model:
            table.update_item(
                Key={"PK": key[0], "SK": key[1]}, UpdateExpression="REMOVE GSI1PK, GSI1SK"
            )
            model[key] = {k: v for k, v in model[key].items() if not k.startswith("GSI1")}
        elif action == "delete":
            table.delete_item(Key={"PK": key[0], "SK": key[1]})
            model.pop(key, None)
        elif action == "batch":
            with table.batch_writer() as batch:
                batch.put_item(Item=item)
            model[key] = item
        elif action in ("transact", "cancel"):
            other = an_item()
            if (other["PK"], other["SK"]) == key:
                continue
            # "cancel": the second write's condition fails (no such item), so the put that moto
            # has already applied is undone and neither happens.
            second = f"absent#{step}" if action == "cancel" else "never-written"
            condition = "attribute_exists(PK)" if action == "cancel" else "attribute_not_exists(n)"
            try:
                client.transact_write_items(
                    TransactItems=[
                        {"Put": {"TableName": "nguon", "Item": item}},
                        {
                            "Update": {
                                "TableName": "nguon",
                                "Key": {"PK": other["PK"], "SK": second},
                                "UpdateExpression": "SET GSI1PK = :g, GSI1SK = :s",
                                "ConditionExpression": condition,
                                "ExpressionAttributeValues": {":g": "G#0", ":s": "s#0"},
                            }
                        },
                    ]
                )
            except ClientError as error:
                cancelled = error.response["Error"]["Code"]
            else:
                cancelled = None
            if action == "cancel":
                assert cancelled == "TransactionCanceledException"
            else:
                assert cancelled is None
                model[key] = item
                never = (other["PK"], "never-written")
                model[never] = {"PK": never[0], "SK": never[1], "GSI1PK": "G#0", "GSI1SK": "s#0"}
        if step % 30 == 0:
            _check(table, model)
    _check(table, model)
