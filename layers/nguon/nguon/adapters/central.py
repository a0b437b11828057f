"""The national source information system (hệ thống thông tin nguồn trung ương), as the
province's outbox sees it.

Its API is not public: what follows is the province's reading of what it will need, kept in
this one module so that the day the ministry publishes its interface only ``wire_request``
and ``HttpCentralSystem`` change. Assumed, and said here once:

- ``POST {base_url}/reports`` and ``POST {base_url}/bulletins`` with a JSON body
  ``{"type", "id", "province", "unit", "title", "created_at", "document"}`` (``document``: the
  record as the province committed it);
- ``Authorization: Bearer <API key>`` (the key in Secrets Manager, read through Powertools
  parameters, cached like every secret here) and ``Idempotency-Key: <outbox item id>``, the
  same on every attempt;
- 200/201/202: received (a JSON ``id`` or ``reference`` in the answer is kept as the receipt);
  409: already received under that key (counts as sent); 408, 425, 429 and 5xx, a timeout or a
  broken connection: try again later; any other 4xx: refused for good (the item goes dead with
  the answer as its reason, for a person to look at).
"""

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from nguon.models.central import OutboxItem, OutboxKind

_PATHS = {OutboxKind.REPORT: "/reports", OutboxKind.BULLETIN: "/bulletins"}
_TRANSIENT = {408, 425, 429}
REASON_MAX = 300


@dataclass(frozen=True)
class Receipt:
    duplicate: bool = False
    """The system already had it (409): sent before, its answer lost."""
    reference: str | None = None


class CentralUnavailable(Exception):
    """Not received this time (timeout, connection, 5xx, 429): try again later."""


class CentralRefused(Exception):
    """Refused for good (a 4xx other than 408/409/425/429): retrying would not help."""


class CentralSystem(Protocol):
    def send(self, item: OutboxItem) -> Receipt:
        """Deliver one item; raise :class:`CentralUnavailable` or :class:`CentralRefused`."""


def wire_request(item: OutboxItem, province: str) -> tuple[str, dict[str, Any]]:
    """The path and JSON body for ``item``: the one place the wire format is written."""
    return _PATHS[item.kind], {
        "type": item.kind.value,
        "id": item.id,
        "province": province,
        "unit": item.unit,
        "title": item.title,
        "created_at": item.created_at.isoformat(),
        "document": item.payload,
    }


def _reason(status: int | str, body: bytes | str) -> str:
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    return f"{status}: {' '.join(text.split())}"[:REASON_MAX]


class HttpCentralSystem:
    """JSON over HTTPS to ``base_url``; ``api_key`` reads the key (on each send: the secret
    is cached by Powertools, and a rotated key is picked up after its cache age)."""

    def __init__(
        self, base_url: str, api_key: Callable[[], str], province: str, timeout_s: float = 10
    ) -> None:
        if not base_url.startswith(("https://", "http://")):
            raise ValueError("the national system's URL must be http(s)")
        self._base = base_url.rstrip("/")
        self._api_key = api_key
        self._province = province
        self._timeout = timeout_s

    def send(self, item: OutboxItem) -> Receipt:
        path, body = wire_request(item, self._province)
        try:
            key = self._api_key()
        except Exception as error:  # any failure to read the secret: the next attempt may work
            raise CentralUnavailable(_reason("api key", type(error).__name__)) from error
        request = urllib.request.Request(  # noqa: S310 (http(s) only: checked in __init__)
            self._base + path,
            data=json.dumps(body, ensure_ascii=False).encode(),
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Accept": "application/json",
                "Authorization": f"Bearer {key}",
                "Idempotency-Key": item.id,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:  # noqa: S310
                answer = response.read()
        except urllib.error.HTTPError as error:
            text = error.read()
            if error.code == 409:
                return Receipt(duplicate=True, reference=_reference(text))
            if error.code in _TRANSIENT or error.code >= 500:
                raise CentralUnavailable(_reason(error.code, text)) from error
            raise CentralRefused(_reason(error.code, text)) from error
        except TimeoutError as error:
            raise CentralUnavailable(f"timeout after {self._timeout:g} s") from error
        except (urllib.error.URLError, OSError) as error:
            raise CentralUnavailable(_reason("connection", str(error))) from error
        return Receipt(reference=_reference(answer))


def _reference(body: bytes) -> str | None:
    try:
        answer = json.loads(body or b"null")
    except ValueError:
        return None
    if isinstance(answer, dict):
        value = answer.get("id") or answer.get("reference")
        return str(value)[:200] if value else None
    return None
