"""Media items in DynamoDB: one item each, every write conditional on the version read.

The service decides each state change (claim, release, ready, rejected, failed) on the item it
read and writes it back only if nobody wrote in between: two workers given the same upload
cannot both claim it, and a worker that lost its claim cannot overwrite the winner's result.
"""

from datetime import UTC, datetime

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError

from nguon.errors import Conflict
from nguon.models.media import Media
from nguon.storage.cursors import decode_key, index_cursor
from nguon.storage.table import Gsi1, TableItem, table_meta

_DOC = "MEDIA"


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class MediaItem(TableItem):
    """PK ``MEDIA#<id>``  SK ``MEDIA``  GSI1PK ``MEDIA#<unit>``  GSI1SK ``<created, UTC>#<id>``:
    the whole item as JSON, its version and status (for filters and the console)."""

    Meta = table_meta()
    doc = UnicodeAttribute()
    version = NumberAttribute()
    status = UnicodeAttribute()
    gsi1pk = UnicodeAttribute(attr_name="GSI1PK")
    gsi1sk = UnicodeAttribute(attr_name="GSI1SK")
    listing = Gsi1()


def _item(media: Media) -> MediaItem:
    return MediaItem(
        pk=f"MEDIA#{media.id}",
        sk=_DOC,
        doc=media.model_dump_json(),
        version=media.version,
        status=media.status.value,
        gsi1pk=f"MEDIA#{media.unit}",
        gsi1sk=f"{_utc(media.created_at)}#{media.id}",
    )


def _conditional_failed(error: PutError) -> bool:
    return getattr(error, "cause_response_code", None) == "ConditionalCheckFailedException"


class DynamoMediaStore:
    """:class:`nguon.services.media.MediaStore` on the main table."""

    def get(self, media_id: str) -> Media | None:
        try:
            item = MediaItem.get(f"MEDIA#{media_id}", _DOC, consistent_read=True)
        except MediaItem.DoesNotExist:
            return None
        return Media.model_validate_json(item.doc)

    def create(self, media: Media) -> None:
        try:
            _item(media).save(condition=MediaItem.pk.does_not_exist())
        except PutError as error:
            if _conditional_failed(error):
                raise Conflict("conflict") from error
            raise

    def replace(self, media: Media, *, expected_version: int) -> None:
        """Write ``media`` if the stored one is still at ``expected_version``; else
        :class:`Conflict` and nothing written."""
        try:
            _item(media).save(condition=MediaItem.version == expected_version)
        except PutError as error:
            if _conditional_failed(error):
                raise Conflict("conflict") from error
            raise

    def page(self, unit: str, *, limit: int, cursor: str | None) -> tuple[list[Media], str | None]:
        """Media uploaded at ``unit``, newest first."""
        partition = f"MEDIA#{unit}"
        query = MediaItem.listing.query(
            partition,
            scan_index_forward=False,
            limit=limit,
            page_size=limit,
            last_evaluated_key=decode_key(
                cursor, equal={"GSI1PK": partition}, starts={"PK": "MEDIA#"}
            ),
        )
        items = list(query)
        found = [Media.model_validate_json(item.doc) for item in items]
        if len(items) < limit or query.last_evaluated_key is None:
            return found, None
        return found, index_cursor(items[-1])
