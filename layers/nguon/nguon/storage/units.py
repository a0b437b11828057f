"""Administrative units in DynamoDB."""

from collections.abc import Iterable

from pynamodb.attributes import UnicodeAttribute

from nguon.models.units import AdminUnit, UnitLevel
from nguon.storage.table import Gsi1, TableItem, string_list, table_meta

_SK = "UNIT"


class UnitItem(TableItem):
    """One unit.

    PK: ``UNIT#<code>``   SK: ``UNIT``
    GSI1PK: ``PARENT#<parent code>``   GSI1SK: ``UNIT#<code>`` (the province has no GSI1 keys)
    """

    Meta = table_meta()

    code = UnicodeAttribute()
    name = UnicodeAttribute()
    type = UnicodeAttribute()
    level = UnicodeAttribute()
    parent = UnicodeAttribute(null=True)
    ancestors = string_list(default=list)
    gsi1pk = UnicodeAttribute(null=True, attr_name="GSI1PK")
    gsi1sk = UnicodeAttribute(null=True, attr_name="GSI1SK")
    by_parent = Gsi1()

    @classmethod
    def from_unit(cls, unit: AdminUnit) -> "UnitItem":
        return cls(
            pk=f"UNIT#{unit.code}",
            sk=_SK,
            code=unit.code,
            name=unit.name,
            type=unit.type,
            level=unit.level.value,
            parent=unit.parent,
            ancestors=list(unit.ancestors),
            gsi1pk=f"PARENT#{unit.parent}" if unit.parent else None,
            gsi1sk=f"UNIT#{unit.code}" if unit.parent else None,
        )

    def to_unit(self) -> AdminUnit:
        return AdminUnit(
            code=self.code,
            name=self.name,
            type=self.type,
            level=UnitLevel(self.level),
            parent=self.parent,
            ancestors=tuple(self.ancestors or ()),
        )


class DynamoUnitStore:
    """:class:`nguon.services.units.UnitStore` on the main table."""

    def get(self, code: str) -> AdminUnit | None:
        try:
            return UnitItem.get(f"UNIT#{code}", _SK).to_unit()
        except UnitItem.DoesNotExist:
            return None

    def children(self, code: str) -> list[AdminUnit]:
        return [item.to_unit() for item in UnitItem.by_parent.query(f"PARENT#{code}")]

    def put_many(self, units: Iterable[AdminUnit]) -> int:
        count = 0
        with UnitItem.batch_write() as batch:
            for unit in units:
                batch.save(UnitItem.from_unit(unit))
                count += 1
        return count
