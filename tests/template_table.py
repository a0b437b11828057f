"""The template's ``MainTable`` as ``CreateTable`` arguments, so tests create in moto the
table that deploys: its keys, index and billing (and, when asked, its stream)."""

from functools import cache
from typing import Any

from cfnlint.decode import cfn_yaml

from infra.localcloud.template import TEMPLATE_PATH

_KEYS = ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes", "BillingMode")


@cache
def _properties() -> dict[str, Any]:
    return dict(cfn_yaml.load(str(TEMPLATE_PATH))["Resources"]["MainTable"]["Properties"])


def main_table(*, stream: bool = False) -> dict[str, Any]:
    """``create_table`` keyword arguments, ``TableName`` left to the caller."""
    properties = _properties()
    arguments = {key: properties[key] for key in _KEYS if key in properties}
    if stream:  # CloudFormation names the view only; the API also wants it enabled
        arguments["StreamSpecification"] = {
            "StreamEnabled": True,
            **properties["StreamSpecification"],
        }
    return arguments
