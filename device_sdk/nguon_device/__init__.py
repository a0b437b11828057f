"""Nguồn device SDK: the device side of the system (loudspeaker clusters, public boards).

Installable on its own (``pip install ./device_sdk``) and importing nothing from the cloud
side; it shares only the JSON schemas under ``schemas/``. Importing the package does not load
awscrt: only the MQTT transports do, when they connect.

- :class:`DeviceConfig` — who the device is and where it connects (a provisioning bundle).
- :class:`Device` — the behaviour, given a transport, a player and a scheduler.
- :class:`MqttTransport` (mTLS, AWS IoT Core), :class:`PlainTransport` (tools),
  :class:`LoopbackBroker` (tests).
- :class:`Fleet` — many simulated devices in one process.
"""

from typing import TYPE_CHECKING

__version__ = "0.1.0"

# Exports resolve on first use (PEP 562): ``python -m nguon_device.fleet`` must not find the
# fleet module already imported by the package, and a tool that needs one piece loads only it.
_EXPORTS = {
    "BundleError": "config",
    "ConnectionSettings": "transport",
    "Device": "device",
    "DeviceConfig": "config",
    "DeviceHooks": "device",
    "Fleet": "fleet",
    "LoopbackBroker": "loopback",
    "LoopbackTransport": "loopback",
    "ManualScheduler": "clock",
    "MqttTransport": "transport",
    "PlainTransport": "transport",
    "PlayItem": "player",
    "Player": "player",
    "Scheduler": "clock",
    "SimulatedBoard": "player",
    "SimulatedSpeaker": "player",
    "ThreadScheduler": "clock",
    "Transport": "transport",
}
__all__ = [
    "BundleError",
    "ConnectionSettings",
    "Device",
    "DeviceConfig",
    "DeviceHooks",
    "Fleet",
    "LoopbackBroker",
    "LoopbackTransport",
    "ManualScheduler",
    "MqttTransport",
    "PlainTransport",
    "PlayItem",
    "Player",
    "Scheduler",
    "SimulatedBoard",
    "SimulatedSpeaker",
    "ThreadScheduler",
    "Transport",
]

if TYPE_CHECKING:  # what the lazy exports are, for type checkers and editors
    from nguon_device.clock import ManualScheduler, Scheduler, ThreadScheduler
    from nguon_device.config import BundleError, DeviceConfig
    from nguon_device.device import Device, DeviceHooks
    from nguon_device.fleet import Fleet
    from nguon_device.loopback import LoopbackBroker, LoopbackTransport
    from nguon_device.player import Player, PlayItem, SimulatedBoard, SimulatedSpeaker
    from nguon_device.transport import ConnectionSettings, MqttTransport, PlainTransport, Transport


def __getattr__(name: str) -> object:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'nguon_device' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"nguon_device.{_EXPORTS[name]}"), name)
