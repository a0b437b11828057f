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
    iot_data_endpoint_from_environment: str | None = Field(
        default=None, validation_alias="AWS_ENDPOINT_URL_IOT_DATA"
    )
    """Set by the local cloud (its IoT bridge); boto3 reads it itself."""

    @field_validator("mqtt_endpoint", "iot_data_endpoint", "iot_data_endpoint_from_environment")
    @classmethod
    def _empty_is_unset(cls, value: str | None) -> str | None:
        # CloudFormation cannot leave a variable out, only pass "", which means "discover".
        return value or None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; a missing variable fails the cold start, not a request."""
    return Settings()  # type: ignore[call-arg]  # filled from the environment
