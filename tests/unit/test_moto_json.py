"""The local cloud writes moto's DynamoDB answers with ``json`` (``infra.localcloud.moto_json``):
every answer must be what moto's own serializer writes. Each operation the project uses runs
here with items holding every kind of attribute; each answer is written both ways and compared,
and the operations whose answers JSON carries as they are must take the fast way."""

import json
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import boto3
import pytest
from boto3.dynamodb.conditions import Key
from moto.core.responses import ActionResult
from moto.server import ThreadedMotoServer

from infra.localcloud import moto_json
from tests.template_table import main_table

EVERY_KIND = {
    "text": "Thông báo lịch tiêm chủng",
    "number": Decimal("12.50"),
    "flag": True,
    "nothing": None,
    "names": {"loa", "bảng"},
    "numbers": {Decimal(1), Decimal(2)},
    "map": {"inner": ["a", Decimal(3), {"deep": False}]},
    "list": [],
}


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Each answer written both ways and compared; counts the operations answered by json."""
    moto_json.install()
    fast = ActionResult.execute_result
    slow = fast.moto_serializer  # type: ignore[attr-defined]
    taken: Counter[str] = Counter()

    def both(self: ActionResult, context: Any) -> Any:
        status, headers, body = fast(self, context)
        moto_status, moto_headers, moto_body = slow(self, context)
        assert status == moto_status
        assert {k: v for k, v in headers.items() if k != "date"} == {
            k: v for k, v in moto_headers.items() if k != "date"
        }
        assert json.loads(body) == json.loads(moto_body), context.operation_model.name
        if isinstance(self.result, dict) and moto_json.json_carries(self.result):
            taken[context.operation_model.name] += 1
        return status, headers, body

    monkeypatch.setattr(ActionResult, "execute_result", both)
    return taken


@pytest.fixture
def moto_url() -> Iterator[str]:
    # A server in this process, so the comparison above sees its answers (moto's in-process
    # mock does not route DynamoDB Streams in every region).
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def test_every_answer_is_the_one_motos_serializer_writes(answers, moto_url):
    where = {
        "region_name": "ap-southeast-1",
        "endpoint_url": moto_url,
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
    }
    dynamodb = boto3.resource("dynamodb", **where)
    table = dynamodb.create_table(TableName="nguon", **main_table(stream=True))
    client = table.meta.client
    for n in range(5):
        table.put_item(
            Item={
                "PK": "UNIT#21550",
                "SK": f"ITEM#{n}",
                "GSI1PK": "ALL",
                "GSI1SK": f"{n}",
                **EVERY_KIND,
            }
        )

    table.get_item(Key={"PK": "UNIT#21550", "SK": "ITEM#1"})
    table.get_item(Key={"PK": "UNIT#21550", "SK": "absent"})
    page = table.query(KeyConditionExpression=Key("PK").eq("UNIT#21550"), Limit=2)
    table.query(
        KeyConditionExpression=Key("PK").eq("UNIT#21550"),
        ExclusiveStartKey=page["LastEvaluatedKey"],
        ReturnConsumedCapacity="TOTAL",
    )
    table.query(IndexName="GSI1", KeyConditionExpression=Key("GSI1PK").eq("ALL"), Limit=3)
    table.query(
        IndexName="GSI1",
        KeyConditionExpression=Key("GSI1PK").eq("ALL"),
        ProjectionExpression="PK, #m.inner",
        ExpressionAttributeNames={"#m": "map"},
        Select="SPECIFIC_ATTRIBUTES",
        ReturnConsumedCapacity="INDEXES",
    )
    table.query(KeyConditionExpression=Key("PK").eq("UNIT#21550"), Select="COUNT")
    table.scan(Limit=4)
    client.batch_get_item(
        RequestItems={
            "nguon": {"Keys": [{"PK": "UNIT#21550", "SK": f"ITEM#{n}"} for n in (0, 4, 9)]}
        }
    )
    table.update_item(
        Key={"PK": "UNIT#21550", "SK": "ITEM#2"},
        UpdateExpression="SET #n = #n + :one ADD #names :more",
        ExpressionAttributeNames={"#n": "number", "#names": "names"},
        ExpressionAttributeValues={":one": 1, ":more": {"loa phát thanh"}},
        ReturnValues="ALL_NEW",
    )
    table.update_item(
        Key={"PK": "UNIT#21550", "SK": "ITEM#3"},
        UpdateExpression="REMOVE #l",
        ExpressionAttributeNames={"#l": "list"},
        ReturnValues="UPDATED_OLD",
    )
    table.delete_item(Key={"PK": "UNIT#21550", "SK": "ITEM#4"}, ReturnValues="ALL_OLD")
    client.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": "nguon", "Item": {"PK": "T", "SK": "1", **EVERY_KIND}}},
            {"Delete": {"TableName": "nguon", "Key": {"PK": "UNIT#21550", "SK": "ITEM#0"}}},
        ]
    )
    client.transact_get_items(
        TransactItems=[{"Get": {"TableName": "nguon", "Key": {"PK": "T", "SK": "1"}}}]
    )
    table.put_item(Item={"PK": "BLOB", "SK": "1", "data": b"\x00\xffbinary", "set": {b"a", b"b"}})
    table.get_item(Key={"PK": "BLOB", "SK": "1"})  # bytes: written by moto's serializer
    table.load()  # DescribeTable
    streams = boto3.client("dynamodbstreams", **where)
    shard = streams.describe_stream(StreamArn=table.latest_stream_arn)["StreamDescription"]
    iterator = streams.get_shard_iterator(
        StreamArn=table.latest_stream_arn,
        ShardId=shard["Shards"][0]["ShardId"],
        ShardIteratorType="TRIM_HORIZON",
    )["ShardIterator"]
    streams.get_records(ShardIterator=iterator, Limit=5)  # text, numbers, sets, maps
    streams.get_records(ShardIterator=iterator)  # and the binary item: moto's serializer

    # The reads of items and of the stream took the fast way.
    assert {
        "GetItem",
        "Query",
        "Scan",
        "BatchGetItem",
        "UpdateItem",
        "DeleteItem",
        "GetRecords",
    } <= set(answers)
