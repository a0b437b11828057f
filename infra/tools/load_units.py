"""Load an administrative unit catalogue into the main table.

    python -m infra.tools.load_units --table nguon-dev [--catalogue units.json]

Without ``--catalogue`` it loads Bình Định, shipped in the layer. Loading again overwrites the
same items and changes nothing else. Uses the ordinary AWS credential chain and honours
``AWS_ENDPOINT_URL`` (the local cloud, LocalStack).
"""

import argparse
import json
import os
from collections.abc import Iterable
from pathlib import Path

from nguon.models.units import AdminUnit
from nguon.services.unit_catalogue import load_bundled_catalogue, parse_catalogue
from nguon.services.units import UnitService


def load_units(units: Iterable[AdminUnit] | None = None) -> int:
    """Store ``units`` (Bình Định by default) in the table named by ``TABLE_NAME``."""
    from nguon.storage.units import DynamoUnitStore  # binds TABLE_NAME at import

    return UnitService(DynamoUnitStore()).load(units or load_bundled_catalogue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--table", required=True, help="the stack's TableName output")
    parser.add_argument("--catalogue", type=Path, help="a GSO-shaped JSON catalogue")
    args = parser.parse_args()
    os.environ["TABLE_NAME"] = args.table
    units = parse_catalogue(json.loads(args.catalogue.read_text())) if args.catalogue else None
    print(f"{load_units(units)} units loaded into {args.table}")


if __name__ == "__main__":
    main()
