"""What the routes take through Powertools ``Depends``: the caller, the services and the clock.

A route declares ``caller: Caller``, ``moment: Now`` or ``bulletins: Bulletins`` and the resolver
supplies them; tests replace any of them in ``app.dependency_overrides`` (keyed by the function:
``principal``, ``current_time``, ``bulletin_service``, ...). Services are built once per container
on first use (not at import).
"""

from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Annotated, cast

from aws_lambda_powertools.event_handler import Depends
from aws_lambda_powertools.event_handler.request import Request

from nguon import assembly
from nguon.clock import now
from nguon.config import get_settings
from nguon.identity import Principal, current_principal
from nguon.services.alerts import AlertService
from nguon.services.bulletins import BulletinService
from nguon.services.programmes import ProgrammeService

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

    from nguon.adapters.iot import IotDataPlane
    from nguon.services.central import CentralOutbox
    from nguon.services.devices import DeviceService  # imports boto3: not at cold start
    from nguon.services.directives import DirectiveService
    from nguon.services.feedback import FeedbackService
    from nguon.services.kpis import KpiService
    from nguon.services.media import MediaService
    from nguon.services.overview import OverviewService
    from nguon.services.provisioning import ProvisioningService
    from nguon.services.reports import ReportService
    from nguon.services.training import TrainingService
    from nguon.services.units import UnitService
    from nguon.services.users import UserService
    from nguon.services.voices import AreaVoices, VoiceService
    from nguon.storage.devices import DynamoDeviceStore


def current_time() -> datetime:
    """The API's one "now" (routes take it with ``Now``; tests override it in
    ``app.dependency_overrides``), so no route reads the wall clock itself."""
    return now()


Now = Annotated[datetime, Depends(current_time)]


def principal(request: Request) -> Principal:
    """Who is calling, from the Cognito claims API Gateway verified (a domain 401 when absent).

    Raised here, the domain error reaches the API's error table unwrapped (Powertools hands
    exception handlers the original exception, not its DependencyResolutionError)."""
    # The REST resolver's event: API Gateway's REST (v1) proxy event.
    return current_principal(cast("APIGatewayProxyEvent", request.resolved_event))


Caller = Annotated[Principal, Depends(principal)]


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
def _device_store() -> "DynamoDeviceStore":  # the storage type stays out of import time
    from nguon.storage.devices import DynamoDeviceStore

    return DynamoDeviceStore()


@lru_cache(maxsize=1)
def _iot_data_plane() -> "IotDataPlane":  # boto3 stays out of import time too
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
def overview_service() -> "OverviewService":
    from nguon.services.overview import OverviewService
    from nguon.storage.daily_counts import DynamoDailyCounts

    return OverviewService(unit_service(), _device_store(), DynamoDailyCounts(), bulletin_service())


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


@lru_cache(maxsize=1)
def feedback_service() -> "FeedbackService":
    from nguon.services.feedback import FeedbackService
    from nguon.storage.feedback import DynamoFeedbackStore

    return FeedbackService(unit_service(), DynamoFeedbackStore())


@lru_cache(maxsize=1)  # one per container: the board keeps the catalogue it read for 5 minutes
def kpi_service() -> "KpiService":
    from nguon.services.kpis import KpiService
    from nguon.storage.stats import DynamoStatsStore

    return KpiService(unit_service(), DynamoStatsStore(), staff=training_service())


@lru_cache(maxsize=1)
def report_service() -> "ReportService":
    from nguon.adapters.report_files import ReportFiles
    from nguon.services.reports import ReportService
    from nguon.storage.reports import DynamoReportStore

    return ReportService(unit_service(), kpi_service(), DynamoReportStore(), ReportFiles())


@lru_cache(maxsize=1)
def central_outbox() -> "CentralOutbox":
    from nguon.services.central import CentralOutbox
    from nguon.storage.central import DynamoOutboxStore

    settings = get_settings()
    return CentralOutbox(
        unit_service(),
        DynamoOutboxStore(),
        province=settings.province,
        configured=settings.central_url is not None,
    )


@lru_cache(maxsize=1)
def directive_service() -> "DirectiveService":
    from nguon.services.directives import DirectiveService
    from nguon.storage.directives import DynamoDirectiveStore
    from nguon.storage.stats import DynamoStatsStore

    return DirectiveService(
        unit_service(),
        DynamoDirectiveStore(),
        DynamoStatsStore(),
        bulletin=lambda principal, bulletin_id: bulletin_service().get(principal, bulletin_id),
        media=lambda principal, media_id: media_service().get_ready(principal, media_id),
    )


@lru_cache(maxsize=1)
def training_service() -> "TrainingService":
    from nguon.adapters.staff_directory import CognitoStaffDirectory
    from nguon.models.training import LessonMedia
    from nguon.services.training import TrainingService
    from nguon.storage.training import DynamoTrainingStore

    def lesson_media(media_id: str) -> LessonMedia | None:
        # The course grants its lessons: a commune learner plays the province's clip.
        media = assembly.media_store().get(media_id)
        if media is None:
            return None
        view = media_service().view(media, "vi")
        order = ("hd", "speaker", "document", "fhd", "led")
        playable = sorted(
            (v for v in view.variants if v.url),
            key=lambda v: order.index(v.name) if v.name in order else len(order),
        )
        url = playable[0].url if playable else None
        return LessonMedia(
            id=media.id,
            content_type=playable[0].content_type if playable else media.content_type,
            status=media.status.value,
            duration_s=media.duration_s,
            url=url,
        )

    return TrainingService(
        unit_service(),
        DynamoTrainingStore(),
        CognitoStaffDirectory(),
        media=lesson_media,
        check_media=lambda principal, media_id: media_service().get_ready(principal, media_id),
    )


# The route parameters' types. The eagerly imported services carry their real type; the others
# are imported lazily (boto3 stays out of the cold start), so at run time their alias carries
# ``object``: Powertools resolves a route's annotations (``get_type_hints``) to find its
# dependencies, and a string forward reference it cannot resolve would hide them all.
Bulletins = Annotated[BulletinService, Depends(bulletin_service)]
Programmes = Annotated[ProgrammeService, Depends(programme_service)]
Alerts = Annotated[AlertService, Depends(alert_service)]
if TYPE_CHECKING:
    Units = Annotated[UnitService, Depends(unit_service)]
    Devices = Annotated[DeviceService, Depends(device_service)]
    Overview = Annotated[OverviewService, Depends(overview_service)]
    Provisioning = Annotated[ProvisioningService, Depends(provisioning_service)]
    Media = Annotated[MediaService, Depends(media_service)]
    Users = Annotated[UserService, Depends(user_service)]
    Voices = Annotated[VoiceService, Depends(voice_service)]
    AreaVoiceSettings = Annotated[AreaVoices, Depends(area_voices)]
    Feedbacks = Annotated[FeedbackService, Depends(feedback_service)]
    Kpis = Annotated[KpiService, Depends(kpi_service)]
    Reports = Annotated[ReportService, Depends(report_service)]
    CentralOutboxes = Annotated[CentralOutbox, Depends(central_outbox)]
    Directives = Annotated[DirectiveService, Depends(directive_service)]
    Training = Annotated[TrainingService, Depends(training_service)]
else:
    Units = Annotated[object, Depends(unit_service)]
    Devices = Annotated[object, Depends(device_service)]
    Overview = Annotated[object, Depends(overview_service)]
    Provisioning = Annotated[object, Depends(provisioning_service)]
    Media = Annotated[object, Depends(media_service)]
    Users = Annotated[object, Depends(user_service)]
    Voices = Annotated[object, Depends(voice_service)]
    AreaVoiceSettings = Annotated[object, Depends(area_voices)]
    Feedbacks = Annotated[object, Depends(feedback_service)]
    Kpis = Annotated[object, Depends(kpi_service)]
    Reports = Annotated[object, Depends(report_service)]
    CentralOutboxes = Annotated[object, Depends(central_outbox)]
    Directives = Annotated[object, Depends(directive_service)]
    Training = Annotated[object, Depends(training_service)]
