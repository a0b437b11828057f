"""Speech lexicons and synthesis tasks on the single table.

Items:

- ``PK=LEXICON#<name>  SK=LEXICON``: a PLS document as given (re-read on load), its
  last-modified time; GSI1 ``LEXICONS`` / ``<name>`` lists them by name (ListLexicons).
- ``PK=SPEECHTASK#<id>  SK=SPEECHTASK``: the task in Polly's ``SynthesisTask`` shape (JSON),
  its status, when a worker claimed it, its attempts, and the request itself (zlib-compressed
  JSON: 200,000 characters of SSML stay far under DynamoDB's 400 KB item); GSI1
  ``SPEECHTASKS`` / ``<creation time, UTC>#<id>`` lists them newest first
  (ListSpeechSynthesisTasks), filtered by status.

Status changes are conditional on the status read (and the claim time), so two workers
handed the same SQS message never both run a task, and a completed task is never redone.
"""

import json
import zlib
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from pynamodb.attributes import BinaryAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import DeleteError, PutError
from pynamodb.expressions.condition import Condition

from nguon.speech.errors import InvalidNextTokenException
from nguon.speech.lexicons import Lexicon, parse_lexicon
from nguon.speech.models import StoredTask
from nguon.storage.cursors import decode_key, index_cursor, take
from nguon.storage.table import Gsi1, TableItem, table_meta

_LEXICON = "LEXICON"
_LEXICONS = "LEXICONS"
_TASK = "SPEECHTASK"
_TASKS = "SPEECHTASKS"


class LexiconItem(TableItem):
    """PK ``LEXICON#<name>``  SK ``LEXICON``  GSI1 ``LEXICONS`` / ``<name>``."""

    Meta = table_meta()
    content = UnicodeAttribute()
    last_modified = NumberAttribute()
    owner_unit = UnicodeAttribute(null=True)
    owner_path = UnicodeAttribute(null=True)
    gsi1pk = UnicodeAttribute(attr_name="GSI1PK")
    gsi1sk = UnicodeAttribute(attr_name="GSI1SK")
    listing = Gsi1()


class SpeechTaskItem(TableItem):
    """PK ``SPEECHTASK#<id>``  SK ``SPEECHTASK``  GSI1 ``SPEECHTASKS`` / ``<created>#<id>``."""

    Meta = table_meta()
    doc = UnicodeAttribute()
    task_status = UnicodeAttribute()
    request = BinaryAttribute(legacy_encoding=False)
    started_at = NumberAttribute(default=0)
    attempts = NumberAttribute(default=0)
    owner_path = UnicodeAttribute(null=True)
    """The owner's place, ``52/540/21550/``: listings keep to the reader's subtree."""
    requested_by = UnicodeAttribute(null=True)
    gsi1pk = UnicodeAttribute(attr_name="GSI1PK")
    gsi1sk = UnicodeAttribute(attr_name="GSI1SK")
    listing = Gsi1()


class DynamoLexiconStore:
    """:class:`nguon.speech.synthesis.LexiconStore` on the main table."""

    def __init__(self, page_size: int = 50) -> None:
        self._page_size = page_size

    def get(self, name: str) -> Lexicon | None:
        try:
            item = LexiconItem.get(f"LEXICON#{name}", _LEXICON, consistent_read=True)
        except LexiconItem.DoesNotExist:
            return None
        return _lexicon(item)

    def put(self, lexicon: Lexicon) -> None:
        LexiconItem(
            pk=f"LEXICON#{lexicon.name}",
            sk=_LEXICON,
            content=lexicon.content,
            last_modified=lexicon.last_modified,
            owner_unit=lexicon.owner_unit or None,
            owner_path=lexicon.owner_path or None,
            gsi1pk=_LEXICONS,
            gsi1sk=lexicon.name,
        ).save()

    def delete(self, name: str) -> bool:
        item = LexiconItem(pk=f"LEXICON#{name}", sk=_LEXICON)
        try:
            item.delete(condition=LexiconItem.pk.exists())
        except DeleteError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def page(self, next_token: str | None) -> tuple[list[Lexicon], str | None]:
        query = LexiconItem.listing.query(
            _LEXICONS,
            page_size=self._page_size,
            last_evaluated_key=_page_key(next_token, _LEXICONS),
        )
        items = take(query, self._page_size)
        token = index_cursor(items[-1]) if len(items) == self._page_size else None
        return [_lexicon(item) for item in items], token

    def count(self) -> int:
        return LexiconItem.listing.count(_LEXICONS)

    def count_owned(self, unit: str) -> int:
        return LexiconItem.listing.count(_LEXICONS, filter_condition=LexiconItem.owner_unit == unit)


def _lexicon(item: LexiconItem) -> Lexicon:
    lexicon = parse_lexicon(
        item.pk.removeprefix("LEXICON#"), item.content, last_modified=item.last_modified
    )
    return replace(lexicon, owner_unit=item.owner_unit or "", owner_path=item.owner_path or "")


class DynamoSpeechTaskStore:
    """Speech synthesis tasks on the main table (see the module's docstring)."""

    def create(self, stored: StoredTask) -> None:
        created = datetime.fromtimestamp(stored.task["CreationTime"], UTC)
        item = SpeechTaskItem(
            pk=f"SPEECHTASK#{stored.task_id}",
            sk=_TASK,
            doc=json.dumps(stored.task, ensure_ascii=False),
            task_status=stored.status,
            request=zlib.compress(json.dumps(stored.request, ensure_ascii=False).encode(), 6),
            started_at=0,
            attempts=0,
            owner_path=stored.request.get("OwnerPath") or None,
            requested_by=stored.request.get("RequestedBy") or None,
            gsi1pk=_TASKS,
            gsi1sk=f"{created.strftime('%Y-%m-%dT%H:%M:%S.%fZ')}#{stored.task_id}",
        )
        item.save(condition=SpeechTaskItem.pk.does_not_exist())

    def get(self, task_id: str) -> StoredTask | None:
        try:
            item = SpeechTaskItem.get(f"SPEECHTASK#{task_id}", _TASK, consistent_read=True)
        except SpeechTaskItem.DoesNotExist:
            return None
        return _stored(item)

    def change(
        self,
        task_id: str,
        *,
        expected_status: str,
        expected_started_at: float | None = None,
        update: Callable[[StoredTask], None],
    ) -> StoredTask | None:
        """Apply ``update`` if the task is still in ``expected_status`` (and was claimed at
        ``expected_started_at``); the new task, or None when another writer came first."""
        try:
            item = SpeechTaskItem.get(f"SPEECHTASK#{task_id}", _TASK, consistent_read=True)
        except SpeechTaskItem.DoesNotExist:
            return None
        stored = _stored(item)
        if stored.status != expected_status:
            return None
        if expected_started_at is not None and stored.started_at != expected_started_at:
            return None
        update(stored)
        item.doc = json.dumps(stored.task, ensure_ascii=False)
        item.task_status = stored.status
        item.started_at = stored.started_at
        item.attempts = stored.attempts
        condition = SpeechTaskItem.task_status == expected_status
        if expected_started_at is not None:
            condition &= SpeechTaskItem.started_at == expected_started_at
        try:
            item.save(condition=condition)
        except PutError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return None
            raise
        return stored

    def page(
        self,
        status: str | None,
        max_results: int,
        next_token: str | None,
        within: str | None = None,
        include_ownerless: bool = False,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Newest first; ``within``: only tasks whose owner's path starts so (and those with
        no owner, stored before owners, with ``include_ownerless``)."""
        condition: Condition | None = None
        if status:
            condition = SpeechTaskItem.task_status == status
        if within is not None:
            inside: Condition = SpeechTaskItem.owner_path.startswith(within)
            if include_ownerless:
                inside = inside | SpeechTaskItem.owner_path.does_not_exist()
            condition = inside if condition is None else condition & inside
        query = SpeechTaskItem.listing.query(
            _TASKS,
            scan_index_forward=False,
            filter_condition=condition,
            page_size=max_results,
            last_evaluated_key=_page_key(next_token, _TASKS),
        )
        items = take(query, max_results)
        token = index_cursor(items[-1]) if len(items) == max_results else None
        return [json.loads(item.doc) for item in items], token

    def count_active(self, user: str, since: float) -> int:
        """Tasks ``user`` started since ``since`` (epoch seconds) still waiting or running."""
        start = datetime.fromtimestamp(since, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        return SpeechTaskItem.listing.count(
            _TASKS,
            range_key_condition=SpeechTaskItem.gsi1sk >= start,
            filter_condition=(SpeechTaskItem.requested_by == user)
            & SpeechTaskItem.task_status.is_in("scheduled", "inProgress"),
        )


def _stored(item: SpeechTaskItem) -> StoredTask:
    return StoredTask(
        task=json.loads(item.doc),
        request=json.loads(zlib.decompress(item.request)),
        started_at=float(item.started_at or 0),
        attempts=int(item.attempts or 0),
    )


def _page_key(token: str | None, partition: str) -> dict | None:
    return decode_key(
        token,
        equal={"GSI1PK": partition},
        invalid=lambda: InvalidNextTokenException("The NextToken is not valid."),
    )
