"""The device side of IoT Core as the cloud sees it: topics, shadows and live publishes.

Topic names and shadow names are the device contract (``device_sdk/nguon_device/schemas``);
they are written here once and nowhere else on the cloud side.
"""

import json
from functools import cached_property
from typing import TYPE_CHECKING, Any

import boto3

from nguon.config import get_settings

if TYPE_CHECKING:
    from types_boto3_iot_data import IoTDataPlaneClient


CONFIG_SHADOW = "config"
PLAYBACK_SHADOW = "playback"
HEALTH_SHADOW = "health"


def alert_topic(unit_code: str) -> str:
    """The live topic of one area (province, district or commune): one publish, every device."""
    return f"nguon/alerts/{unit_code}"


def command_topic(thing: str) -> str:
    return f"nguon/devices/{thing}/commands"


def device_topic(thing: str, stream: str) -> str:
    """``heartbeat``, ``plays`` or ``commands/result`` of one device."""
    return f"nguon/devices/{thing}/{stream}"


class IotDataPlane:
    """Shadows and publishes through the ``iot-data`` API (the account's ATS endpoint).

    The endpoint comes from ``NGUON_IOT_DATA_ENDPOINT`` when set, else from
    ``AWS_ENDPOINT_URL_IOT_DATA`` (boto3 reads it: the local cloud's bridge), else it is
    discovered once with ``DescribeEndpoint``.
    """

    def __init__(self, client: "IoTDataPlaneClient | None" = None) -> None:
        if client is not None:
            self.__dict__["_client"] = client

    @cached_property
    def _client(self) -> "IoTDataPlaneClient":
        settings = get_settings()
        endpoint = settings.iot_data_endpoint
        if endpoint is None and not settings.iot_data_endpoint_from_environment:
            address = boto3.client("iot", region_name=settings.region).describe_endpoint(
                endpointType="iot:Data-ATS"
            )["endpointAddress"]
            endpoint = f"https://{address}"
        return boto3.client("iot-data", region_name=settings.region, endpoint_url=endpoint)

    def update_desired(self, thing: str, shadow: str, desired: dict[str, Any]) -> int:
        """Merge ``desired`` into a named shadow (``None`` values delete keys); the version."""
        payload = json.dumps({"state": {"desired": desired}}, ensure_ascii=False)
        response = self._client.update_thing_shadow(
            thingName=thing, shadowName=shadow, payload=payload.encode()
        )
        return int(json.loads(response["payload"].read())["version"])

    def get_shadow(self, thing: str, shadow: str) -> dict[str, Any] | None:
        try:
            response = self._client.get_thing_shadow(thingName=thing, shadowName=shadow)
        except self._client.exceptions.ResourceNotFoundException:
            return None
        return json.loads(response["payload"].read())

    def publish(self, topic: str, message: dict[str, Any], qos: int = 1) -> None:
        payload = json.dumps(message, ensure_ascii=False, separators=(",", ":"))
        self._client.publish(topic=topic, qos=qos, payload=payload.encode())
