"""``python -m nguon_device run <bundle>`` (one device) or ``fleet <bundles_dir>`` (many).

Both run the simulated player; a real box wires its own :class:`~nguon_device.player.Player`
into :class:`~nguon_device.device.Device` the same way :mod:`nguon_device.fleet` does.
"""

from __future__ import annotations

import argparse

from nguon_device.config import BUNDLE_FILE
from nguon_device.fleet import Fleet, add_common_options, configure_logging, run


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m nguon_device", description=__doc__.split("\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    one = commands.add_parser("run", help="run one device from its bundle folder")
    one.add_argument("bundle")
    add_common_options(one)
    many = commands.add_parser("fleet", help="run every bundle under a folder")
    many.add_argument("bundles")
    add_common_options(many)
    args = parser.parse_args(argv)
    configure_logging(args.log_level)
    folder = args.bundle if args.command == "run" else args.bundles
    bundles = Fleet.bundles_in(folder)
    if not bundles or (args.command == "run" and len(bundles) != 1):
        parser.error(
            f"{folder}: expected {'one' if args.command == 'run' else 'some'} {BUNDLE_FILE}"
        )
    run(bundles, spread_s=args.spread, cache_root=args.cache_root)


if __name__ == "__main__":
    main()
