"""The single table's shape: generic key attributes shared by every item type."""

from typing import Any, cast

from pynamodb.attributes import ListAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import MetaProtocol, Model

from nguon.config import get_settings


def table_meta() -> MetaProtocol:
    """A PynamoDB ``Meta`` bound to the configured table (read at cold start)."""
    settings = get_settings()

    class Meta:
        table_name = settings.table_name
        region = settings.region

    # The other settings MetaProtocol lists are filled in by PynamoDB's metaclass.
    return cast(MetaProtocol, Meta)


def string_list(*, null: bool | None = None, default: Any = None) -> "ListAttribute[str]":
    """A list of strings. PynamoDB types ``ListAttribute(of=UnicodeAttribute)`` as a list of
    attributes (its ``of`` is the element's own type); the values read are ``str``."""
    return cast(
        "ListAttribute[str]", ListAttribute(of=UnicodeAttribute, null=null, default=default)
    )


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
