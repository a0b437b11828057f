"""Commands staff send to a device (volume, power, reboot, play now, stop) and what became of
each: the ``config`` shadow carries volume and power, the command topic the others."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StrictInt, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from nguon.clock import localize
from nguon.models.bulletins import Actor
from nguon.models.devices import LocalTime


class CommandName(StrEnum):
    VOLUME = "volume"
    POWER = "power"
    REBOOT = "reboot"
    PLAY_NOW = "play_now"
    STOP = "stop"


SHADOW_COMMANDS = frozenset({CommandName.VOLUME, CommandName.POWER})
"""Desired state in the ``config`` shadow; the others travel on the command topic."""


class PlayNowArgs(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    bulletin_id: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    text: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2_000)]
        | None
    ) = None
    """Refused in requests since issue 11 (only approved bulletins play at once); kept so
    commands stored before still read back."""


def _one_command(command: str | list[str], **properties: dict) -> dict:
    """The shape of one command in the OpenAPI document (``oneOf`` of CommandRequest)."""
    name = {"enum": command} if isinstance(command, list) else {"const": command}
    return {
        "type": "object",
        "properties": {"command": name, **properties},
        "required": ["command", *properties],
        "additionalProperties": False,
    }


_ONE_OF_TEXT_OR_ID = {
    "type": "object",
    "anyOf": [
        {"required": ["bulletin_id"], "properties": {"bulletin_id": {"type": "string"}}},
        {"required": ["text"], "properties": {"text": {"type": "string", "pattern": r"\S"}}},
    ],
}


class CommandRequest(BaseModel):
    """``POST /devices/{thing}/commands``: ``{"command": "volume", "value": 70}``,
    ``{"command": "power", "value": "off"}``, ``{"command": "reboot"}``,
    ``{"command": "play_now", "args": {"bulletin_id": "..."}}`` (an approved bulletin of the
    device's area, valid now) or ``{"command": "stop"}``."""

    # What each command takes is checked below; the document states it as oneOf the shapes.
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra={
            "oneOf": [
                _one_command("volume", value={"type": "integer", "minimum": 0, "maximum": 100}),
                _one_command("power", value={"enum": ["on", "off"]}),
                _one_command(["reboot", "stop"]),
                _one_command("play_now", args=_ONE_OF_TEXT_OR_ID),
            ]
        },
    )

    command: CommandName
    value: StrictInt | str | None = None
    args: PlayNowArgs | None = None

    @model_validator(mode="after")
    def _per_command(self) -> "CommandRequest":
        command = self.command
        if command is CommandName.VOLUME:
            if not (isinstance(self.value, int) and 0 <= self.value <= 100):
                raise PydanticCustomError(
                    "command_value",
                    "the {command} command needs a value: {expected}",
                    {"command": command.value, "expected": "0–100"},
                )
        elif command is CommandName.POWER:
            if self.value not in ("on", "off"):
                raise PydanticCustomError(
                    "command_value",
                    "the {command} command needs a value: {expected}",
                    {"command": command.value, "expected": "on | off"},
                )
        elif self.value is not None:
            raise PydanticCustomError(
                "command_takes_no_value",
                "the {command} command takes no value",
                {"command": command.value},
            )
        if command is CommandName.PLAY_NOW:
            # Only approved bulletins play at once: free text would pass the editor and the
            # approver (``text`` stays in the record model for commands already stored).
            if self.args is not None and self.args.text is not None:
                raise PydanticCustomError(
                    "play_now_text_refused", "play_now plays an approved bulletin, not free text"
                )
            if self.args is None or self.args.bulletin_id is None:
                raise PydanticCustomError(
                    "play_now_needs_content", "play_now needs args.bulletin_id"
                )
        elif self.args is not None:
            raise PydanticCustomError(
                "command_takes_no_args",
                "the {command} command takes no args",
                {"command": command.value},
            )
        return self


class CommandStatus(StrEnum):
    SENT = "sent"
    DONE = "done"
    FAILED = "failed"


class CommandRecord(BaseModel):
    """A command as issued, and what became of it."""

    model_config = ConfigDict(frozen=True)

    command_id: str
    thing: str
    command: CommandName
    value: int | str | None = None
    args: PlayNowArgs | None = None
    status: CommandStatus = CommandStatus.SENT
    issued_at: LocalTime
    issued_by: Actor
    outcome: str | None = None
    """The device's ``detail``, ``reported`` (a shadow report showed the value), ``unchanged``
    (it already had it), ``superseded`` (a later command replaced it) or why it failed."""
    reported_at: LocalTime | None = None

    def message(self) -> dict[str, Any]:
        """The ``command.json`` message for the command topic (reboot, play_now, stop)."""
        message: dict[str, Any] = {
            "command_id": self.command_id,
            "command": self.command.value,
            "issued_at": self.issued_at.isoformat(),
        }
        if self.args is not None:
            message["args"] = self.args.model_dump(exclude_none=True)
        return message

    def finished(self, status: CommandStatus, outcome: str | None, at: datetime) -> "CommandRecord":
        return self.model_copy(
            update={"status": status, "outcome": outcome, "reported_at": localize(at)}
        )
