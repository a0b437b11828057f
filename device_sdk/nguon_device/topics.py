"""Every MQTT topic the device uses, in one place (the contract is schemas/README.md)."""

from __future__ import annotations

SHADOW_NAMES = ("config", "playback", "health")


def alerts(unit: str) -> str:
    return f"nguon/alerts/{unit}"


def heartbeat(thing: str) -> str:
    return f"nguon/devices/{thing}/heartbeat"


def plays(thing: str) -> str:
    return f"nguon/devices/{thing}/plays"


def commands(thing: str) -> str:
    return f"nguon/devices/{thing}/commands"


def command_result(thing: str) -> str:
    return f"nguon/devices/{thing}/commands/result"


def shadow(thing: str, name: str, operation: str) -> str:
    """``operation`` is ``get``, ``update`` or a response such as ``update/delta``."""
    return f"$aws/things/{thing}/shadow/name/{name}/{operation}"


def matches(topic_filter: str, topic: str) -> bool:
    """MQTT filter matching (``+`` one level, ``#`` the rest), for dispatching received messages."""
    if topic_filter == topic:
        return True
    f_parts = topic_filter.split("/")
    t_parts = topic.split("/")
    for index, part in enumerate(f_parts):
        if part == "#":
            # A wildcard at the start never matches $-topics (MQTT 4.7.2).
            return not (index == 0 and topic.startswith("$"))
        if index >= len(t_parts):
            return False
        if part == "+":
            if index == 0 and topic.startswith("$"):
                return False
            continue
        if part != t_parts[index]:
            return False
    return len(f_parts) == len(t_parts)
