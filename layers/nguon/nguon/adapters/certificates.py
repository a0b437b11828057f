"""X.509 for devices: the project CA signs every device certificate.

AWS IoT trusts the CA once it is registered (``RegisterCACertificate``); each device
certificate is then registered with it (``RegisterCertificate``). Keys are EC P-256: IoT Core
accepts them, and a fleet of thousands is provisioned in seconds rather than minutes (RSA
key generation is ~50 ms a key). The CA's key never leaves Secrets Manager (or the local
cloud's state folder); a device's private key leaves this process exactly once, in its bundle.
"""

import ipaddress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

DEVICE_VALIDITY = timedelta(days=3650)
"""Field devices are replaced long before; rotation is a re-provisioning."""


@dataclass(frozen=True)
class IssuedCertificate:
    certificate_pem: str
    private_key_pem: str


def _key_pem(key: ec.EllipticCurvePrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


class CertificateAuthority:
    """A CA certificate and its key, both PEM, able to issue leaf certificates."""

    def __init__(self, certificate_pem: str, private_key_pem: str) -> None:
        self.certificate_pem = certificate_pem
        self.private_key_pem = private_key_pem
        self._certificate = x509.load_pem_x509_certificate(certificate_pem.encode())
        key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise ValueError("the project CA key must be an EC key")
        self._key = key

    @classmethod
    def create(cls, common_name: str, *, years: int = 20) -> "CertificateAuthority":
        """A new self-signed CA (operator tooling and the local cloud, never a request)."""
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
        now = datetime.now(UTC)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=365 * years))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .sign(key, hashes.SHA256())
        )
        return cls(certificate.public_bytes(serialization.Encoding.PEM).decode(), _key_pem(key))

    def issue(
        self,
        common_name: str,
        *,
        validity: timedelta = DEVICE_VALIDITY,
        server_names: tuple[str, ...] = (),
    ) -> IssuedCertificate:
        """A leaf certificate with a fresh key: a device (client) or, with names, a server."""
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.now(UTC)
        usage = ExtendedKeyUsageOID.SERVER_AUTH if server_names else ExtendedKeyUsageOID.CLIENT_AUTH
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
            .issuer_name(self._certificate.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + validity)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        )
        if server_names:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([_general_name(name) for name in server_names]),
                critical=False,
            )
        certificate = builder.sign(self._key, hashes.SHA256())
        return IssuedCertificate(
            certificate.public_bytes(serialization.Encoding.PEM).decode(), _key_pem(key)
        )


def _general_name(name: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)
