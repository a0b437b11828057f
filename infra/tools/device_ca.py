"""The project CA for device certificates: create it, store it, register it with IoT Core.

    python -m infra.tools.device_ca init --secret nguon/device-ca/dev [--name "Nguồn device CA"]

Run once per stack, after deploying (the template creates the empty secret). The CA's private
key goes to Secrets Manager only: it is never printed or written to disk. Registered with
``certificateMode=SNI_ONLY`` (no verification certificate needed) and without automatic
registration: devices get their certificates from provisioning, one by one.
Uses the ordinary AWS credential chain and honours ``AWS_ENDPOINT_URL``.
"""

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

import boto3

from infra.tools._cli import read_endpoints, tool, use_local_cloud
from nguon.adapters.certificates import CertificateAuthority

if TYPE_CHECKING:
    from types_boto3_iot import IoTClient
    from types_boto3_secretsmanager import SecretsManagerClient


def install_ca(
    secrets: "SecretsManagerClient", iot: "IoTClient", secret_id: str, name: str
) -> CertificateAuthority:
    """A new CA, registered as ACTIVE with IoT and stored in the secret."""
    ca = CertificateAuthority.create(name)
    iot.register_ca_certificate(
        caCertificate=ca.certificate_pem,
        setAsActive=True,
        allowAutoRegistration=False,
        certificateMode="SNI_ONLY",
    )
    secrets.put_secret_value(
        SecretId=secret_id,
        SecretString=json.dumps(
            {"certificate": ca.certificate_pem, "private_key": ca.private_key_pem}
        ),
    )
    return ca


@tool
def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    init = sub.add_parser("init", help="create, store and register a new CA")
    init.add_argument("--secret", required=True, help="the DeviceCaSecret name or ARN")
    init.add_argument("--name", default="Nguon device CA")
    init.add_argument("--endpoints", type=Path, help="a running local cloud's endpoints.json")
    args = parser.parse_args(argv)
    if args.endpoints:
        use_local_cloud(read_endpoints(args.endpoints))
    secrets, iot = boto3.client("secretsmanager"), boto3.client("iot")
    current = secrets.describe_secret(SecretId=args.secret)
    if current.get("VersionIdsToStages") and _holds_ca(secrets, args.secret):
        parser.error("the secret already holds a CA; rotating it means re-provisioning devices")
    ca = install_ca(secrets, iot, args.secret, args.name)
    print(ca.certificate_pem)


def _holds_ca(secrets: "SecretsManagerClient", secret_id: str) -> bool:
    value = secrets.get_secret_value(SecretId=secret_id).get("SecretString", "")
    try:
        return "certificate" in json.loads(value)
    except ValueError:
        return False


if __name__ == "__main__":
    main()
