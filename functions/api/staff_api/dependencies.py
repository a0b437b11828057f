"""The services the routes use, built once per container on first use (not at import)."""

from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Annotated

from aws_lambda_powertools.event_handler import Depends

from nguon import assembly
from nguon.clock import now
from nguon.config import get_settings
from nguon.services.alerts import AlertService
from nguon.services.bulletins import BulletinService
from nguon.services.programmes import ProgrammeService

if TYPE_CHECKING:
    from nguon.services.devices import DeviceService  # imports boto3: not at cold start
    from nguon.services.media import MediaService
    from nguon.services.provisioning import ProvisioningService
    from nguon.services.users import UserService


def current_time() -> datetime:
    """The API's one "now" (routes take it with ``Now``; tests override it in
    ``app.dependency_overrides``), so no route reads the wall clock itself."""
    return now()


Now = Annotated[datetime, Depends(current_time)]


# Shared with the other functions (built the same way everywhere): nguon.assembly.
unit_service = assembly.units
_bulletin_store = assembly.bulletin_store
voice_service = assembly.voice_service
area_voices = assembly.area_voices


@lru_cache(maxsize=1)
def bulletin_service() -> BulletinService:
    return BulletinService(
        unit_service(),
        _bulletin_store(),
        ready_media=lambda principal, media_id: media_service().get_ready(principal, media_id),
    )


@lru_cache(maxsize=1)
def programme_service() -> ProgrammeService:
    from nguon.storage.programme import DynamoProgrammeStore

    return ProgrammeService(unit_service(), _bulletin_store(), DynamoProgrammeStore())


@lru_cache(maxsize=1)
def alert_service() -> AlertService:
    return AlertService(
        unit_service(), bulletin_service(), _bulletin_store(), sender=get_settings().cap_sender
    )


@lru_cache(maxsize=1)
def _device_store():  # the storage type stays out of import time
    from nguon.storage.devices import DynamoDeviceStore

    return DynamoDeviceStore()


@lru_cache(maxsize=1)
def _iot_data_plane():  # boto3 stays out of import time too
    from nguon.adapters.iot import IotDataPlane

    return IotDataPlane()


@lru_cache(maxsize=1)
def device_service() -> "DeviceService":
    from nguon.services.devices import DeviceService

    return DeviceService(
        unit_service(),
        _device_store(),
        _iot_data_plane(),
        programmes=programme_service(),
        playable=bulletin_service().playable,
    )


@lru_cache(maxsize=1)
def provisioning_service() -> "ProvisioningService":
    from nguon.adapters.registry import DeviceRegistry
    from nguon.services.provisioning import ProvisioningService

    return ProvisioningService(unit_service(), _device_store(), DeviceRegistry(), now=now)


@lru_cache(maxsize=1)
def media_service() -> "MediaService":
    from nguon.services.media import MediaService

    return MediaService(unit_service(), assembly.media_store(), assembly.media_objects())


@lru_cache(maxsize=1)
def user_service() -> "UserService":
    from nguon.adapters.user_directory import CognitoUserDirectory
    from nguon.services.users import UserService

    return UserService(unit_service(), CognitoUserDirectory())
