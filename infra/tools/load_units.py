"""Load an administrative unit catalogue into the main table.

    python -m infra.tools.load_units --table nguon-dev [--catalogue units.json]
    python -m infra.tools.load_units --endpoints .local/endpoints.json   # the local cloud

Without ``--catalogue`` it loads Bình Định, shipped in the layer. Loading again overwrites the
same items and changes nothing else. Uses the ordinary AWS credential chain and honours
``AWS_ENDPOINT_URL`` (the local cloud, LocalStack).
"""

import argparse
import json
import os
from collections.abc import Iterable
from pathlib import Path

from infra.tools._cli import read_endpoints, tool, use_local_cloud
from nguon.models.units import AdminUnit
from nguon.services.unit_catalogue import load_bundled_catalogue, parse_catalogue
from nguon.services.units import UnitService


def load_units(units: Iterable[AdminUnit] | None = None) -> int:
    """Store ``units`` (Bình Định by default) in the table named by ``TABLE_NAME``."""
    from nguon.storage.units import DynamoUnitStore  # binds TABLE_NAME at import

    return UnitService(DynamoUnitStore()).load(units or load_bundled_catalogue())


@tool
def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--table", help="the stack's TableName output")
    parser.add_argument("--catalogue", type=Path, help="a GSO-shaped JSON catalogue")
    parser.add_argument("--endpoints", type=Path, help="a running local cloud's endpoints.json")
    args = parser.parse_args(argv)
    table = args.table
    if args.endpoints:
        endpoints = read_endpoints(args.endpoints)
        use_local_cloud(endpoints)
        table = table or endpoints["table_name"]
    if not table:
        parser.error("--table is required (or --endpoints for the local cloud)")
    os.environ["TABLE_NAME"] = table
    units = parse_catalogue(json.loads(args.catalogue.read_text())) if args.catalogue else None
    print(f"{load_units(units)} units loaded into {table}")


if __name__ == "__main__":
    main()
