"""The single table's shape: generic key attributes shared by every item type."""

from pynamodb.attributes import UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from nguon.config import get_settings


def table_meta() -> type:
    """A PynamoDB ``Meta`` bound to the configured table (read at cold start)."""
    settings = get_settings()

    class Meta:
        table_name = settings.table_name
        region = settings.region

    return Meta


class Gsi1(GlobalSecondaryIndex):
    """GSI1: one-to-many lookups (a unit's children, later a unit's bulletins...)."""

    class Meta:
        index_name = "GSI1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True, attr_name="GSI1PK")
    gsi1sk = UnicodeAttribute(range_key=True, attr_name="GSI1SK")


class TableItem(Model):
    """Base of every item: ``PK``/``SK`` as the table defines them."""

    Meta = table_meta()

    pk = UnicodeAttribute(hash_key=True, attr_name="PK")
    sk = UnicodeAttribute(range_key=True, attr_name="SK")
