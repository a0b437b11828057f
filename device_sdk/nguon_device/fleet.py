"""Many simulated devices in one process, from a folder of provisioning bundles.

Every device is the same :class:`~nguon_device.device.Device` a real box runs, with a
simulated player. What they share is what makes thousands fit on two cores: one
:class:`~nguon_device.clock.ThreadScheduler` thread runs every device's behaviour, a small pool
does the downloads, and awscrt's event-loop group (a thread per core) carries every MQTT
connection. Threads do not grow with the number of devices.

From Python (the local cloud, benchmarks)::

    with Fleet(on_playback_started=record) as fleet:
        fleet.start(Fleet.bundles_in("bundles/"))
        fleet.wait_connected(timeout_s=60)

From a shell: ``python -m nguon_device.fleet bundles/`` (Ctrl-C or SIGTERM stops it).
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from nguon_device.cache import http_fetch
from nguon_device.clock import ThreadScheduler
from nguon_device.config import BUNDLE_FILE, DeviceConfig
from nguon_device.device import Device, DeviceHooks
from nguon_device.player import Player, PlayItem, simulated_player
from nguon_device.transport import MqttTransport, Transport

log = logging.getLogger("nguon_device.fleet")

TransportFactory = Callable[[DeviceConfig], Transport]
PlayerFactory = Callable[[DeviceConfig], Player]


class Fleet:
    def __init__(
        self,
        *,
        scheduler: ThreadScheduler | None = None,
        transport_factory: TransportFactory = MqttTransport,
        player_factory: PlayerFactory | None = None,
        on_event: Callable[[Device, str, dict[str, Any]], None] | None = None,
        on_playback_started: Callable[[Device, PlayItem, float], None] | None = None,
        connect_spread_s: float = 0.0,
        cache_root: str | Path | None = None,
        fetch: Callable[[str, float], bytes] = http_fetch,
        io_workers: int = 8,
    ) -> None:
        """``connect_spread_s`` spreads the first connections over that many seconds (a broker
        takes thousands of TLS handshakes better in a stream than at once); ``cache_root``
        gives each device ``<cache_root>/<thing>`` instead of the cache beside its bundle."""
        self._owns_scheduler = scheduler is None
        self.scheduler = scheduler or ThreadScheduler(io_workers=io_workers)
        self._transport_factory = transport_factory
        self._player_factory = player_factory or (lambda c: simulated_player(c.kind, c.thing))
        self._on_event = on_event
        self._spread_s = connect_spread_s
        self._cache_root = Path(cache_root) if cache_root else None
        self._fetch = fetch
        self.devices: dict[str, Device] = {}
        self.hooks = DeviceHooks(on_playback_started=on_playback_started, on_event=self._event)
        self._online: set[str] = set()
        self._lock = threading.Lock()

    @staticmethod
    def bundles_in(folder: str | Path) -> list[Path]:
        """The bundle folders under ``folder`` (or ``folder`` itself if it is one), sorted."""
        root = Path(folder)
        if (root / BUNDLE_FILE).is_file():
            return [root]
        return sorted(path.parent for path in root.glob(f"*/{BUNDLE_FILE}"))

    def start(self, bundles: Iterable[str | Path | DeviceConfig]) -> list[Device]:
        """Create and start a device per bundle (folder or :class:`DeviceConfig`)."""
        configs = [
            b if isinstance(b, DeviceConfig) else DeviceConfig.from_bundle(b) for b in bundles
        ]
        raise_open_files_limit(len(self.devices) + len(configs))
        if self._owns_scheduler:
            self.scheduler.start()
        started = []
        for index, config in enumerate(configs):
            if self._cache_root is not None:
                config = config.with_(cache_dir=self._cache_root / config.thing)
            if config.thing in self.devices:
                raise ValueError(f"{config.thing} is already in the fleet")
            device = Device(
                config,
                self._transport_factory(config),
                self._player_factory(config),
                self.scheduler,
                fetch=self._fetch,
                hooks=self.hooks,
            )
            self.devices[config.thing] = device
            delay = self._spread_s * index / max(1, len(configs))
            self.scheduler.call_later(delay, device.start)
            started.append(device)
        log.info("fleet: %d devices starting", len(started))
        return started

    @property
    def online(self) -> int:
        with self._lock:
            return len(self._online)

    def wait_connected(self, timeout_s: float, count: int | None = None) -> int:
        """Wait until ``count`` (default: all) devices are connected; the number connected."""
        wanted = len(self.devices) if count is None else count
        deadline = time.monotonic() + timeout_s
        while self.online < wanted and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.online

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop every device (what plays is recorded as interrupted) and disconnect."""
        for device in self.devices.values():
            device.stop()
        deadline = time.monotonic() + timeout_s
        while self.online and time.monotonic() < deadline:
            time.sleep(0.05)
        if self._owns_scheduler:
            self.scheduler.stop()

    def __enter__(self) -> Fleet:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _event(self, device: Device, name: str, details: dict[str, Any]) -> None:
        if name in ("connected", "disconnected"):
            with self._lock:
                (self._online.add if name == "connected" else self._online.discard)(device.thing)
        if self._on_event is not None:
            self._on_event(device, name, details)


def raise_open_files_limit(devices: int) -> None:
    """A socket and a few files per device: lift the soft limit towards the hard one."""
    try:
        import resource
    except ImportError:  # not POSIX
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = devices * 4 + 256
    if soft != resource.RLIM_INFINITY and soft < wanted:
        target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        if target < wanted:
            log.warning("open files limited to %d; %d devices may need %d", target, devices, wanted)


def run(bundles: list[Path], *, spread_s: float, cache_root: str | None) -> None:
    """Run until SIGINT or SIGTERM, then stop gracefully."""
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    fleet = Fleet(connect_spread_s=spread_s, cache_root=cache_root)
    fleet.start(bundles)
    try:
        while not stopping.wait(30):
            log.info("fleet: %d/%d devices connected", fleet.online, len(fleet.devices))
    finally:
        log.info("fleet: stopping")
        fleet.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m nguon_device.fleet", description=__doc__.split("\n")[0]
    )
    parser.add_argument("bundles", help="a folder of bundle folders (or one bundle folder)")
    add_common_options(parser)
    args = parser.parse_args(argv)
    configure_logging(args.log_level)
    bundles = Fleet.bundles_in(args.bundles)
    if not bundles:
        parser.error(f"no {BUNDLE_FILE} under {args.bundles}")
    run(bundles, spread_s=args.spread, cache_root=args.cache_root)


def add_common_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--spread", type=float, default=0.0, help="seconds to spread first connections over"
    )
    parser.add_argument(
        "--cache-root", help="cache folder per device under this one (default: beside the bundle)"
    )
    parser.add_argument(
        "--log-level", default="INFO", help="DEBUG, INFO (plays are logged), WARNING"
    )


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )


if __name__ == "__main__":
    main()
