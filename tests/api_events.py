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


def wsgi(handler: Any, *, user: str, groups: str, unit: str) -> Any:
    """A WSGI app that hands each request to ``handler`` as API Gateway would, signed in as
    one staff member (for tools that speak HTTP to an app: schemathesis, a browser).

    A body that is not UTF-8 arrives base64-encoded, as API Gateway and the local gateway send
    bytes they cannot pass as text.
    """
    import base64
    import uuid

    from werkzeug.wrappers import Request, Response

    @Request.application
    def application(request: Request) -> Response:
        event = copy.deepcopy(EVENT)
        headers = dict(request.headers.items())
        event.update(
            httpMethod=request.method,
            path=request.path,
            resource="/{proxy+}",
            pathParameters=None,
            headers=headers,
            multiValueHeaders={name: [value] for name, value in headers.items()},
            queryStringParameters={name: values[-1] for name, values in request.args.lists()}
            or None,
            multiValueQueryStringParameters=dict(request.args.lists()) or None,
        )
        data = request.get_data()
        try:
            event["body"], event["isBase64Encoded"] = (data.decode() if data else None), False
        except UnicodeDecodeError:
            event["body"], event["isBase64Encoded"] = base64.b64encode(data).decode(), True
        event["requestContext"]["authorizer"]["claims"].update(
            {
                "sub": str(uuid.uuid5(uuid.NAMESPACE_URL, user)),  # one per user, as Cognito's
                "cognito:username": user,
                "cognito:groups": groups,
                "custom:unit": unit,
            }
        )
        answer = handler(event, Context())
        body = answer.get("body") or ""
        raw = base64.b64decode(body) if answer.get("isBase64Encoded") else body.encode()
        response = Response(raw, status=answer["statusCode"])
        for name, values in (answer.get("multiValueHeaders") or {}).items():
            response.headers.setlist(name, values)
        return response

    return application
