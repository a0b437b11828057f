"""The device contract's JSON schemas (package data), loaded once and shared by every device.

Incoming messages go through :func:`parse`: bytes to an object, validated, or ``None`` and a
reason. A fleet receives the same alert payload once per device, so parsed results are kept in a
small LRU keyed by the bytes: 2,500 devices pay for one validation, not 2,500, and devices of one
commune share one manifest object in memory. Callers must treat what :func:`parse` returns as
read-only.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource

from nguon_device.timeutil import parse_time

NAMES = (
    "alert",
    "command",
    "command-result",
    "heartbeat",
    "manifest",
    "plays",
    "shadow-config",
    "shadow-health",
    "shadow-playback",
)

_FORMATS = FormatChecker(formats=())


@_FORMATS.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    # jsonschema checks date-time only with an optional package; a device must not play an
    # alert whose valid_until it cannot read, so the check is ours.
    if isinstance(value, str):
        parse_time(value)
    return True


def load(name: str) -> dict[str, Any]:
    """The schema document ``name`` (without ``.json``)."""
    text = resources.files("nguon_device").joinpath("schemas", f"{name}.json").read_text("utf-8")
    return json.loads(text)


@lru_cache(maxsize=1)
def _registry() -> Registry:
    documents = [load(name) for name in NAMES]
    return Registry().with_resources(
        (document["$id"], Resource.from_contents(document)) for document in documents
    )


@cache
def validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(load(name), registry=_registry(), format_checker=_FORMATS)


def errors(name: str, instance: object) -> list[str]:
    """Human-readable validation errors, empty when ``instance`` is valid."""
    found = sorted(validator(name).iter_errors(instance), key=lambda e: list(e.absolute_path))
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in found]


class _ParseCache:
    def __init__(self, size: int = 256) -> None:
        self._size = size
        self._items: OrderedDict[tuple[str, bytes], tuple[Any, str | None]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, bytes]) -> tuple[Any, str | None] | None:
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
            return hit

    def put(self, key: tuple[str, bytes], value: tuple[Any, str | None]) -> None:
        with self._lock:
            self._items[key] = value
            while len(self._items) > self._size:
                self._items.popitem(last=False)


_CACHE = _ParseCache()
_CACHE_MAX_BYTES = 256 * 1024


def parse(name: str, payload: bytes) -> tuple[Any, str | None]:
    """``(object, None)`` for a valid message, ``(None, reason)`` otherwise."""
    key = (name, bytes(payload))
    hit = _CACHE.get(key)
    if hit is not None:
        return hit
    try:
        document = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        result: tuple[Any, str | None] = (None, f"not JSON: {exc}")
    else:
        problems = errors(name, document)
        result = (None, "; ".join(problems[:3])) if problems else (document, None)
    if len(payload) <= _CACHE_MAX_BYTES:
        _CACHE.put(key, result)
    return result
