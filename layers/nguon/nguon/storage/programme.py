"""A unit's programme choices in DynamoDB: its broadcast settings and its order of each day."""

from datetime import date

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError
from pynamodb.expressions.condition import Condition

from nguon.errors import Conflict
from nguon.models.programme import ProgrammeOrder, ProgrammeSettings
from nguon.storage.table import TableItem, table_meta

_SETTINGS = "SETTINGS#programme"


class ProgrammeOrderItem(TableItem):
    """PK ``UNIT#<code>``  SK ``ORDER#<YYYY-MM-DD>``: the commune's order of that day."""

    Meta = table_meta()
    doc = UnicodeAttribute()
    version = NumberAttribute()


class ProgrammeSettingsItem(TableItem):
    """PK ``UNIT#<code>``  SK ``SETTINGS#programme``: windows and what follows an interruption."""

    Meta = table_meta()
    doc = UnicodeAttribute()


class DynamoProgrammeStore:
    """:class:`nguon.services.programmes.ProgrammeStore` on the main table."""

    def order(self, unit: str, day: date) -> ProgrammeOrder | None:
        try:
            item = ProgrammeOrderItem.get(f"UNIT#{unit}", f"ORDER#{day.isoformat()}")
        except ProgrammeOrderItem.DoesNotExist:
            return None
        return ProgrammeOrder.model_validate_json(item.doc)

    def save_order(self, unit: str, day: date, order: ProgrammeOrder, expected: int | None) -> None:
        item = ProgrammeOrderItem(
            pk=f"UNIT#{unit}",
            sk=f"ORDER#{day.isoformat()}",
            doc=order.model_dump_json(),
            version=order.version or 0,
        )
        condition: Condition | None
        if expected is None:
            condition = None
        elif expected == 0:
            condition = ProgrammeOrderItem.pk.does_not_exist()
        else:
            condition = ProgrammeOrderItem.version == expected
        try:
            item.save(condition=condition)
        except PutError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                raise Conflict("conflict") from error
            raise

    def settings(self, unit: str) -> ProgrammeSettings | None:
        try:
            item = ProgrammeSettingsItem.get(f"UNIT#{unit}", _SETTINGS)
        except ProgrammeSettingsItem.DoesNotExist:
            return None
        return ProgrammeSettings.model_validate_json(item.doc)

    def save_settings(self, unit: str, settings: ProgrammeSettings) -> None:
        ProgrammeSettingsItem(
            pk=f"UNIT#{unit}", sk=_SETTINGS, doc=settings.model_dump_json()
        ).save()
