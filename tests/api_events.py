"""Calling the staff API's handler in-process with a REST proxy event, as API Gateway would."""

import copy
import json
from pathlib import Path
from typing import Any

from tests.unit.test_api_handler import Context

EVENT = json.loads((Path(__file__).parents[1] / "events" / "api-get-unit.json").read_text())


def call(
    handler: Any,
    method: str,
    path: str,
    *,
    user: str,
    groups: str,
    unit: str,
    body: Any = None,
    query: dict[str, str] | None = None,
    raw: str | None = None,
    sub: str | None = None,
    **headers: str,
) -> tuple[int, Any]:
    """``(status, JSON body)`` of ``handler`` for one request by a signed-in staff member;
    ``raw`` is a body sent as it is (XML, say), ``body`` one sent as JSON."""
    event = copy.deepcopy(EVENT)
    event.update(httpMethod=method, path=path, resource="/{proxy+}", pathParameters=None)
    event["queryStringParameters"] = query
    event["multiValueQueryStringParameters"] = (
        {name: [value] for name, value in query.items()} if query else None
    )
    if body is not None:
        event["body"] = json.dumps(body, ensure_ascii=False)
    if raw is not None:
        event["body"] = raw
    event["requestContext"]["authorizer"]["claims"].update(
        {"cognito:username": user, "cognito:groups": groups, "custom:unit": unit}
    )
    if sub is not None:  # one person, one id: self-approval and authorship follow it
        event["requestContext"]["authorizer"]["claims"]["sub"] = sub
    event["headers"].update(headers)
    event["multiValueHeaders"].update({name: [value] for name, value in headers.items()})
    response = handler(event, Context())
    text = response["body"]
    return response["statusCode"], json.loads(text) if text.lstrip().startswith(
        ("{", "[")
    ) else text
