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

__version__ = "0.1.0"  # before the imports: device.py reports it as the firmware

from nguon_device.clock import ManualScheduler, Scheduler, ThreadScheduler
from nguon_device.config import BundleError, DeviceConfig
from nguon_device.device import Device, DeviceHooks
from nguon_device.fleet import Fleet
from nguon_device.loopback import LoopbackBroker, LoopbackTransport
from nguon_device.player import Player, PlayItem, SimulatedBoard, SimulatedSpeaker
from nguon_device.transport import ConnectionSettings, MqttTransport, PlainTransport, Transport

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
