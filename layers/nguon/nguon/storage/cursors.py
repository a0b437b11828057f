"""Page cursors: a query's last key, opaque to callers, checked when it comes back.

A cursor is the ``LastEvaluatedKey`` as base64url JSON. One that comes back is accepted only
if it is well-formed and points into the listing being read (its partition, its range), so
a cursor cannot be used to read another unit's items.
"""

import base64
import binascii
import json
from collections.abc import Callable, Iterable, Mapping
from itertools import islice
from typing import Any

from nguon.errors import InvalidInput

INDEX_KEY = {"pk": "PK", "sk": "SK", "gsi1pk": "GSI1PK", "gsi1sk": "GSI1SK"}
"""An item's key on GSI1 (a query on the index ends at the item's table and index keys)."""


def encode_key(key: Mapping[str, Any] | None) -> str | None:
    if not key:
        return None
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode()


def index_cursor(item: Any) -> str:
    """The next page (of a GSI1 query) starts after ``item``, the last one returned."""
    key = {attribute: {"S": getattr(item, name)} for name, attribute in INDEX_KEY.items()}
    return encode_key(key) or ""


def decode_key(
    cursor: str | None,
    *,
    attributes: Iterable[str] = INDEX_KEY.values(),
    equal: Mapping[str, str] | None = None,
    starts: Mapping[str, str] | None = None,
    invalid: Callable[[], Exception] = lambda: InvalidInput("bad_cursor"),
) -> dict | None:
    """The key in ``cursor`` (None for none): exactly ``attributes``, all strings, those in
    ``equal`` equal to their value, those in ``starts`` beginning with theirs; else
    ``invalid()`` is raised."""
    if not cursor:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        valid = (
            set(key) == set(attributes)
            and all(isinstance(value.get("S"), str) for value in key.values())
            and all(key[name]["S"] == value for name, value in (equal or {}).items())
            and all(key[name]["S"].startswith(value) for name, value in (starts or {}).items())
        )
    except (ValueError, KeyError, TypeError, AttributeError, binascii.Error):
        valid = False
    if not valid:
        raise invalid()
    return key


def take(query: Iterable[Any], limit: int) -> list[Any]:
    """The first ``limit`` items of a query (PynamoDB's iterator pages on as it is read)."""
    return list(islice(query, limit))
