"""The IoT registry side of provisioning: a thing, its certificate, the device policy.

Certificates are issued by the project CA (kept in Secrets Manager) and registered with IoT
Core, so the same certificates work against the local broker, which trusts the same CA.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, cast

import boto3
from aws_lambda_powertools.utilities.parameters import SecretsProvider

from nguon.adapters.certificates import CertificateAuthority
from nguon.config import get_settings

if TYPE_CHECKING:
    from types_boto3_iot import IoTClient
    from types_boto3_secretsmanager import SecretsManagerClient


MQTT_TLS_PORT = 8883


@dataclass(frozen=True)
class DeviceCredentials:
    thing: str
    certificate_id: str
    certificate_arn: str
    certificate_pem: str
    private_key_pem: str
    ca_pem: str


class DeviceRegistry:
    def __init__(
        self, iot: "IoTClient | None" = None, secrets: "SecretsManagerClient | None" = None
    ) -> None:
        if iot is not None:
            self.__dict__["_iot"] = iot
        if secrets is not None:
            self.__dict__["_secrets"] = SecretsProvider(boto3_client=secrets)

    @cached_property
    def _iot(self) -> "IoTClient":
        return boto3.client("iot", region_name=get_settings().region)

    @cached_property
    def _secrets(self) -> SecretsProvider:
        client = boto3.client("secretsmanager", region_name=get_settings().region)
        return SecretsProvider(boto3_client=client)

    @property
    def _ca(self) -> CertificateAuthority:
        """The project CA; Powertools keeps the secret ``POWERTOOLS_PARAMETERS_MAX_AGE`` s."""
        # transform="json": the parsed document (Powertools types every transform's result).
        material = cast(
            "dict[str, str]", self._secrets.get(get_settings().device_ca_secret, transform="json")
        )
        return CertificateAuthority(material["certificate"], material["private_key"])

    def register(self, thing: str, attributes: dict[str, str]) -> DeviceCredentials:
        """Create the thing with a new certificate; nothing is left behind if a step fails."""
        ca = self._ca
        issued = ca.issue(thing)
        self._iot.create_thing(thingName=thing, attributePayload={"attributes": attributes})
        certificate: Mapping[str, Any] = {}
        try:
            certificate = self._iot.register_certificate(
                certificatePem=issued.certificate_pem,
                caCertificatePem=ca.certificate_pem,
                status="ACTIVE",
            )
            arn = certificate["certificateArn"]
            self._iot.attach_policy(policyName=get_settings().device_policy, target=arn)
            self._iot.attach_thing_principal(thingName=thing, principal=arn)
        except Exception:
            self._undo(thing, certificate.get("certificateId"), certificate.get("certificateArn"))
            raise
        return DeviceCredentials(
            thing=thing,
            certificate_id=certificate["certificateId"],
            certificate_arn=certificate["certificateArn"],
            certificate_pem=issued.certificate_pem,
            private_key_pem=issued.private_key_pem,
            ca_pem=ca.certificate_pem,
        )

    def revoke(self, thing: str, certificate_id: str) -> None:
        """Decommissioning: the certificate is revoked (IoT Core refuses it from now on) and
        the thing leaves the registry."""
        self._iot.update_certificate(certificateId=certificate_id, newStatus="REVOKED")
        arn = self._iot.describe_certificate(certificateId=certificate_id)[
            "certificateDescription"
        ]["certificateArn"]
        self._iot.detach_thing_principal(thingName=thing, principal=arn)
        self._iot.detach_policy(policyName=get_settings().device_policy, target=arn)
        self._iot.delete_thing(thingName=thing)

    def mqtt_endpoint(self) -> tuple[str, int]:
        configured = get_settings().mqtt_endpoint
        if configured:
            host, _, port = configured.rpartition(":")
            return host, int(port)
        address = self._iot.describe_endpoint(endpointType="iot:Data-ATS")["endpointAddress"]
        return address, MQTT_TLS_PORT

    def _undo(self, thing: str, certificate_id: str | None, arn: str | None) -> None:
        if arn and certificate_id:
            for step in (
                lambda: self._iot.detach_thing_principal(thingName=thing, principal=arn),
                lambda: self._iot.detach_policy(
                    policyName=get_settings().device_policy, target=arn
                ),
                lambda: self._iot.update_certificate(
                    certificateId=certificate_id, newStatus="INACTIVE"
                ),
                lambda: self._iot.delete_certificate(certificateId=certificate_id),
            ):
                try:
                    step()
                except Exception:  # noqa: S112 - best effort: the original error is raised
                    continue
        self._iot.delete_thing(thingName=thing)
