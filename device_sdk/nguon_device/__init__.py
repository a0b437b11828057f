"""Nguồn device SDK: the device side of the system (loudspeaker clusters, public boards).

Installable on its own (``pip install ./device_sdk``) and importing nothing from the cloud
side. The MQTT/shadow client, the player and the simulated fleet arrive with the devices issue.
"""

__version__ = "0.1.0"
