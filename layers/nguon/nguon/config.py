"""One settings model for every function, read from the environment and checked once."""

from functools import lru_cache
from typing import Literal

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Language = Literal["vi", "en"]


class Settings(BaseSettings):
    """The environment that ``template.yaml`` gives a function (and the local cloud mirrors)."""

    model_config = SettingsConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    table_name: str = Field(validation_alias="TABLE_NAME", min_length=3)
    region: str = Field(
        default="ap-southeast-1", validation_alias=AliasChoices("AWS_REGION", "AWS_DEFAULT_REGION")
    )
    default_language: Language = Field(default="vi", validation_alias="NGUON_DEFAULT_LANGUAGE")
    timezone: str = Field(default="Asia/Ho_Chi_Minh", validation_alias="NGUON_TIMEZONE")
    cap_sender: str = Field(
        default="nguon@localhost", validation_alias="NGUON_CAP_SENDER", min_length=3
    )
    """Who our CAP alerts say they are from (CAP ``sender``: a unique address)."""
    delivery_bucket: str = Field(default="", validation_alias="NGUON_DELIVERY_BUCKET")
    """Where programme manifests (and media) for devices live."""
    device_policy: str = Field(default="", validation_alias="NGUON_DEVICE_POLICY")
    """The IoT policy attached to every device certificate."""
    device_ca_secret: str = Field(default="", validation_alias="NGUON_DEVICE_CA_SECRET")
    """The Secrets Manager secret holding the project CA ({"certificate", "private_key"})."""
    mqtt_endpoint: str | None = Field(default=None, validation_alias="NGUON_MQTT_ENDPOINT")
    """``host:port`` written into device bundles; empty: the ATS endpoint on 8883."""
    iot_data_endpoint: str | None = Field(default=None, validation_alias="NGUON_IOT_DATA_ENDPOINT")
    """The account's IoT data endpoint (``https://xxx-ats.iot.<region>.amazonaws.com``)."""
    uploads_bucket: str = Field(default="", validation_alias="NGUON_UPLOADS_BUCKET")
    """Where staff and departments upload through presigned POSTs; originals are kept there."""
    media_bucket: str = Field(default="", validation_alias="NGUON_MEDIA_BUCKET")
    """Processed media (speaker MP3, board images and video, generated speech)."""
    ingest_dead_letters: str = Field(default="", validation_alias="NGUON_INGEST_DEAD_LETTERS")
    """Queue URL for uploads that could not be processed, with their cause."""
    speech_tasks_queue: str = Field(default="", validation_alias="NGUON_SPEECH_TASKS_QUEUE")
    """Queue URL of asynchronous speech work (bulletin voices; Polly-style tasks too while
    ``synthesis_tasks_queue`` is empty)."""
    synthesis_tasks_queue: str = Field(default="", validation_alias="NGUON_SYNTHESIS_TASKS_QUEUE")
    """Queue URL of the speech API's synthesis tasks, apart from bulletin voices."""
    user_pool_id: str = Field(default="", validation_alias="NGUON_USER_POOL_ID")
    """The staff user pool (the API function only: admins set users' home units)."""
    ffmpeg: str = Field(default="ffmpeg", validation_alias="NGUON_FFMPEG")
    """The ffmpeg binary (Debian's locally; the ffmpeg layer's /opt/bin/ffmpeg in Lambda)."""
    default_voice: str = Field(default="vi-vn-x-central", validation_alias="NGUON_DEFAULT_VOICE")
    """Voice for areas with none configured (Bình Định: Central)."""
    province: str = Field(default="52", validation_alias="NGUON_PROVINCE", pattern=r"^\d{2}$")
    """The province's GSO code: the public portal's home page (Bình Định: 52)."""
    neural_tts_url: str | None = Field(default=None, validation_alias="NGUON_NEURAL_TTS_URL")
    """Base URL of an operator-configured neural/domestic TTS service; empty: not offered."""
    neural_tts_key_secret: str | None = Field(
        default=None, validation_alias="NGUON_NEURAL_TTS_KEY_SECRET"
    )
    """Secrets Manager secret holding that service's API key."""
    iot_data_endpoint_from_environment: str | None = Field(
        default=None, validation_alias="AWS_ENDPOINT_URL_IOT_DATA"
    )
    """Set by the local cloud (its IoT bridge); boto3 reads it itself."""

    console_origin: str = Field(default="", validation_alias="NGUON_CONSOLE_ORIGIN")
    """The web console's origin (the template's ``ConsoleOrigin``): the one whose pages may
    read the APIs' answers (CORS). Empty: no CORS headers at all."""

    claim_lease_s: int = Field(default=16 * 60, validation_alias="NGUON_CLAIM_LEASE_S", gt=0)
    """How long a worker's claim on a record lasts without a write (``nguon.leases``): Lambda's
    15-minute ceiling and a minute, so a live worker is never taken over."""

    subscription_secret: str = Field(default="", validation_alias="NGUON_SUBSCRIPTION_SECRET")
    """Secrets Manager secret keying alert subscriptions' ids, codes and unsubscribe tokens."""
    mail_from: str = Field(default="", validation_alias="NGUON_MAIL_FROM")
    """The sender of alert e-mail (an address of the SES identity)."""
    portal_url: str = Field(default="", validation_alias="NGUON_PORTAL_URL")
    """The public portal's base URL, for links in messages (unsubscribe)."""

    central_url: str | None = Field(default=None, validation_alias="NGUON_CENTRAL_URL")
    """Base URL of the national source information system; empty: not configured, and the
    outbox keeps its items pending (``nguon.services.central``)."""
    central_key_secret: str = Field(default="", validation_alias="NGUON_CENTRAL_KEY_SECRET")
    """Secrets Manager secret holding the national system's API key."""
    central_max_attempts: int = Field(
        default=8, validation_alias="NGUON_CENTRAL_MAX_ATTEMPTS", ge=1, le=20
    )
    """Attempts before an outbox item is dead (1, 2, 4 … 64 minutes apart by default)."""
    central_backoff_s: int = Field(default=60, validation_alias="NGUON_CENTRAL_BACKOFF_S", gt=0)
    """The wait after the first failure; each further failure doubles it (at most 6 hours)."""
    central_timeout_s: float = Field(default=10, validation_alias="NGUON_CENTRAL_TIMEOUT_S", gt=0)

    @field_validator(
        "central_url",
        "mqtt_endpoint",
        "iot_data_endpoint",
        "iot_data_endpoint_from_environment",
        "neural_tts_url",
        "neural_tts_key_secret",
    )
    @classmethod
    def _empty_is_unset(cls, value: str | None) -> str | None:
        # CloudFormation cannot leave a variable out, only pass "", which means "discover".
        return value or None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; a missing variable fails the cold start, not a request."""
    return Settings()  # filled from the environment
