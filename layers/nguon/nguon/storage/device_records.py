"""What devices leave behind on the main table: their alarms, proofs of play and commands
(part of :class:`nguon.storage.devices.DynamoDeviceStore`)."""

from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime

from pynamodb.exceptions import PutError

from nguon.errors import Conflict
from nguon.models.device_commands import CommandRecord, CommandStatus
from nguon.models.monitoring import Alarm, PlayRecord, PlayResult
from nguon.storage.cursors import decode_key, index_cursor, take
from nguon.storage.daily_counts import DynamoDailyCounts
from nguon.storage.device_items import (
    _ALARMS,
    AlarmItem,
    CommandItem,
    PlayItem,
    _alarm,
    _play_key,
    listing_key,
    utc_key,
)


class DeviceRecords:
    """Alarms, plays and commands of devices (no state of its own)."""

    # --- alarms ----------------------------------------------------------------------------

    def alarms(
        self,
        path: Sequence[str],
        *,
        open: bool | None = None,  # the API's word
        limit: int = 50,
        cursor: str | None = None,
    ) -> tuple[list[Alarm], str | None]:
        """Alarms of a subtree, by commune then oldest first."""
        prefix = listing_key(path)
        query = AlarmItem.by_area.query(
            _ALARMS,
            AlarmItem.gsi1sk.startswith(prefix),
            filter_condition=(AlarmItem.open == open) if open is not None else None,
            page_size=limit,
            last_evaluated_key=decode_key(
                cursor, equal={"GSI1PK": _ALARMS}, starts={"GSI1SK": prefix}
            ),
        )
        items = take(query, limit)
        alarms = [_alarm(item) for item in items]
        if len(items) < limit:
            return alarms, None
        return alarms, index_cursor(items[-1])

    # --- plays -----------------------------------------------------------------------------

    def add_plays(self, plays: Sequence[PlayRecord]) -> int:
        """Store the records not stored yet; the number stored. A record delivered twice is
        stored once (each put is conditional; those already there are not put again)."""
        keys = list(dict.fromkeys(_play_key(play) for play in plays))
        present = {(item.pk, item.sk) for item in PlayItem.batch_get(keys)}
        stored = 0
        played: Counter[tuple[str, date]] = Counter()
        for play in plays:
            key = _play_key(play)
            if key in present:
                continue
            present.add(key)
            try:
                PlayItem(pk=key[0], sk=key[1], doc=play.model_dump_json()).save(
                    condition=PlayItem.pk.does_not_exist()
                )
            except PutError as error:
                if error.cause_response_code == "ConditionalCheckFailedException":
                    continue
                raise
            stored += 1
            if play.result is PlayResult.OK:
                played[(play.unit, play.started_at.date())] += 1  # the local day
        DynamoDailyCounts().add_played(played)
        return stored

    def plays(self, thing: str, start: datetime, end: datetime) -> list[PlayRecord]:
        """Plays that started in ``[start, end)``, oldest first."""
        return [
            PlayRecord.model_validate_json(item.doc)
            for item in PlayItem.query(
                f"DEVICE#{thing}",
                PlayItem.sk.between(f"PLAY#{utc_key(start)}", f"PLAY#{utc_key(end)}"),
            )
        ]

    # --- commands --------------------------------------------------------------------------

    def save_command(self, record: CommandRecord) -> None:
        """A new command (its id must be new)."""
        try:
            self._command_item(record).save(condition=CommandItem.pk.does_not_exist())
        except PutError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                raise Conflict("conflict") from error
            raise

    def command(self, thing: str, command_id: str) -> CommandRecord | None:
        try:
            item = CommandItem.get(f"DEVICE#{thing}", f"COMMAND#{command_id}", consistent_read=True)
        except CommandItem.DoesNotExist:
            return None
        return CommandRecord.model_validate_json(item.doc)

    def pending_commands(self, thing: str) -> list[CommandRecord]:
        """Commands still ``sent``, oldest first."""
        found = [
            CommandRecord.model_validate_json(item.doc)
            for item in CommandItem.query(
                f"DEVICE#{thing}",
                CommandItem.sk.startswith("COMMAND#"),
                filter_condition=CommandItem.status == CommandStatus.SENT.value,
                consistent_read=True,
            )
        ]
        return sorted(found, key=lambda record: record.issued_at)

    def finish_command(self, record: CommandRecord) -> bool:
        """Record the outcome of a command still ``sent``; ``False`` if it was settled already."""
        try:
            self._command_item(record).save(
                condition=CommandItem.status == CommandStatus.SENT.value
            )
        except PutError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    @staticmethod
    def _command_item(record: CommandRecord) -> CommandItem:
        return CommandItem(
            pk=f"DEVICE#{record.thing}",
            sk=f"COMMAND#{record.command_id}",
            doc=record.model_dump_json(),
            status=record.status.value,
            command=record.command.value,
        )
