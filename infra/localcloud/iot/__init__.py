"""AWS IoT Core in the local cloud: Mosquitto with mTLS plus the project's bridge.

The bridge supplies what the broker lacks and the project relies on: the shadow MQTT protocol
and the iot-data HTTP API over one shadow store, presence events, and the template's topic
rules dispatched to their functions.
"""
