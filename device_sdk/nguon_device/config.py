"""Who a device is and where it connects: everything that differs between two devices.

Behaviour (:mod:`nguon_device.device`) takes a :class:`DeviceConfig` and never reads files or
the environment itself, so the simulator and a real box run the same code with different
configurations. A device is usually configured from the provisioning bundle the cloud writes
(see the SDK README, "Provisioning bundle").
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

KINDS = ("speaker", "board")
BUNDLE_FILE = "bundle.json"
_FILES = (("certificate", "cert_path"), ("private_key", "key_path"), ("ca", "ca_path"))
_KNOWN = {"thing", "kind", "endpoint", "areas", "files", "heartbeat_s", "timezone", "firmware"}


class BundleError(ValueError):
    """A provisioning bundle that cannot configure a device."""


@dataclass(frozen=True)
class DeviceConfig:
    thing: str
    kind: str
    host: str
    port: int = 8883
    cert_path: Path | None = None
    key_path: Path | None = None
    ca_path: Path | None = None
    areas: tuple[str, ...] = ()
    """Unit codes ``(province, district, commune)``: one alert topic each (two tiers: two codes)."""
    cache_dir: Path = Path("cache")
    heartbeat_s: int = 60
    batch_size: int = 50
    """Proof-of-play records per publish; the contract allows at most 50."""
    plays_flush_s: float = 5.0
    """How long a new record waits for company before its batch is sent."""
    health_s: int = 300
    cache_keep_h: float = 48.0
    timezone: str = "Asia/Ho_Chi_Minh"
    """For the power schedule's "HH:MM" times."""
    firmware: str = ""
    connect_timeout_s: float = 10.0
    min_reconnect_delay_s: float = 1.0
    max_reconnect_delay_s: float = 120.0
    session_expiry_s: int = 3600
    """How long the broker keeps subscriptions and QoS 1 messages for an offline device."""
    keep_alive_s: int = 60
    fetch_timeout_s: float = 30.0
    extra: dict[str, Any] = field(default_factory=dict)
    """Bundle keys this version does not know, kept for the application."""

    def __post_init__(self) -> None:
        if not self.thing or len(self.thing) > 128:
            raise BundleError(f"thing name must be 1-128 characters: {self.thing!r}")
        if self.kind not in KINDS:
            raise BundleError(f"kind must be one of {KINDS}: {self.kind!r}")
        if not 1 <= self.batch_size <= 50:
            raise BundleError("batch_size must be 1-50 (plays.json allows 50 records)")
        if not 10 <= self.heartbeat_s <= 3600:
            raise BundleError("heartbeat_s must be 10-3600")

    @property
    def mtls(self) -> bool:
        return self.cert_path is not None and self.key_path is not None

    def with_(self, **changes: Any) -> DeviceConfig:
        """A copy with ``changes`` (a fleet gives each device its own cache directory)."""
        return replace(self, **changes)

    @classmethod
    def from_bundle(cls, path: str | Path, **overrides: Any) -> DeviceConfig:
        """Read ``bundle.json`` in the folder ``path`` (or the file itself) and the files it names.

        Relative file names resolve against the bundle's folder; ``cache_dir`` defaults to
        ``<bundle>/cache``. ``overrides`` replace any field (tests, the fleet).
        """
        bundle_path = Path(path)
        if bundle_path.is_dir():
            bundle_path = bundle_path / BUNDLE_FILE
        try:
            data = json.loads(bundle_path.read_text("utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise BundleError(f"{bundle_path}: {exc}") from exc
        if not isinstance(data, dict):
            raise BundleError(f"{bundle_path}: not a JSON object")
        folder = bundle_path.parent
        try:
            endpoint = data["endpoint"]
            files = data.get("files") or {}
            values: dict[str, Any] = {
                "thing": data["thing"],
                "kind": data["kind"],
                "host": endpoint["host"],
                "port": int(endpoint.get("port", 8883)),
                "areas": tuple(str(code) for code in data.get("areas", ())),
                "cache_dir": folder / "cache",
            }
        except (KeyError, TypeError, ValueError) as exc:
            raise BundleError(f"{bundle_path}: missing or bad field {exc}") from exc
        for key, attribute in _FILES:
            if files.get(key):
                file_path = folder / files[key]
                if not file_path.is_file():
                    raise BundleError(f"{bundle_path}: {key} file {file_path} is missing")
                values[attribute] = file_path
        for key in ("heartbeat_s", "timezone", "firmware"):
            if key in data:
                values[key] = data[key]
        values["extra"] = {k: v for k, v in data.items() if k not in _KNOWN}
        values.update(overrides)
        if "cache_dir" in overrides:
            values["cache_dir"] = Path(overrides["cache_dir"])
        return cls(**values)


def write_bundle(
    folder: str | Path,
    *,
    thing: str,
    kind: str,
    host: str,
    port: int,
    areas: list[str],
    certificate_pem: bytes | None = None,
    private_key_pem: bytes | None = None,
    ca_pem: bytes | None = None,
) -> Path:
    """Write a bundle folder as the cloud's provisioning does (tests and tools use it)."""
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    files: dict[str, str] = {}
    for key, name, content in (
        ("certificate", "certificate.pem.crt", certificate_pem),
        ("private_key", "private.pem.key", private_key_pem),
        ("ca", "ca.pem", ca_pem),
    ):
        if content is not None:
            (target / name).write_bytes(content)
            if key == "private_key":
                (target / name).chmod(0o600)
            files[key] = name
    bundle = {
        "thing": thing,
        "kind": kind,
        "endpoint": {"host": host, "port": port},
        "areas": areas,
        "files": files,
    }
    (target / BUNDLE_FILE).write_text(json.dumps(bundle, indent=2), "utf-8")
    return target
