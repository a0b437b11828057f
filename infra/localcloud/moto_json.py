"""DynamoDB's and DynamoDB Streams' answers in moto written by ``json``, not by moto's
shape-walking serializer.

moto writes every response by walking the operation's botocore output shape member by member,
in Python: for DynamoDB that is every attribute of every item (a query of the commune fleet's
310 devices, 400 KB of JSON, took 1.7 s, nine tenths of it in the serializer), and for the
stream every image of every record the pollers read. Both speak JSON, and moto has already
made their results plain DynamoDB JSON: here such a result is written with ``json.dumps``
(timestamps as moto's serializer writes them for JSON, seconds since the epoch), keeping only
the members the output shape has, with the status and headers moto's serializer gives the
operation. Where a result holds what JSON does not carry as it is — binary attributes (bytes,
or base64 text moto's serializer would encode again), or a null moto's serializer would leave
out — moto's serializer writes it as before. ``tests/unit/test_moto_json.py`` compares the two
on every kind of attribute and every operation the project uses.
"""

import json
from datetime import datetime
from typing import Any

from moto.core.responses import TYPE_RESPONSE, ActionContext, ActionResult
from moto.core.serialize import TimestampSerializer
from moto.dynamodb.responses import DynamoHandler
from moto.dynamodbstreams.responses import DynamoDBStreamsHandler

_BINARY = frozenset({"B", "BS"})


def json_carries(value: Any) -> bool:
    """Only text, numbers, booleans, timestamps, lists and dicts without binary values."""
    if isinstance(value, dict):
        return all(
            json_carries(item) and not (key in _BINARY and not isinstance(item, dict))
            for key, item in value.items()
        )
    if isinstance(value, list):
        return all(json_carries(item) for item in value)
    return isinstance(value, str | int | float | datetime)  # bool is an int; None is none


def _timestamp(value: Any) -> int | float:
    if isinstance(value, datetime):
        return TimestampSerializer._timestamp_unixtimestamp(value)
    raise TypeError(type(value))


def install() -> None:
    original = ActionResult.execute_result
    if getattr(original, "json_answers", False):
        return

    def execute_result(self: ActionResult, context: ActionContext) -> TYPE_RESPONSE:
        result = self.result
        if (
            not isinstance(context.response, DynamoHandler | DynamoDBStreamsHandler)
            or not isinstance(result, dict)
            or not json_carries(result)
        ):
            return original(self, context)
        # The status and headers as moto's serializer gives them for this operation, and only
        # the members its output shape has (moto adds some that DynamoDB no longer answers).
        status, headers, _ = original(ActionResult({}), context)
        shape = context.operation_model.output_shape
        members = shape.members if shape is not None else {}
        answer = {key: value for key, value in result.items() if key in members}
        return status, headers, json.dumps(answer, default=_timestamp)

    execute_result.json_answers = True  # type: ignore[attr-defined]
    execute_result.moto_serializer = original  # type: ignore[attr-defined]  # for the tests
    ActionResult.execute_result = execute_result  # type: ignore[method-assign]
