"""Programme manifests in S3, content-addressed, handed to devices as presigned URLs.

A link lives as long as SigV4 allows (seven days) but never past the session of the
credentials that sign it (``nguon.adapters.signing``): a Lambda's role credentials end long
before seven days, and the link with them. The fan-out's hourly refresh re-signs every link a
device holds (manifests, their media, emergency references) well before that.
"""

import hashlib
import json
from collections.abc import Callable
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

from nguon import clock
from nguon.adapters import signing
from nguon.adapters.media_objects import s3_client
from nguon.config import get_settings
from nguon.observability import logger

if TYPE_CHECKING:
    from types_boto3_s3 import S3Client


URL_LIFETIME_S = signing.SIGV4_LONGEST_S
"""Wanted; bounded by the signing session (see the module docstring)."""
RESIGN_HEADROOM_S = 2 * 3600
"""A signing session ending sooner than this is renewed first, where the credentials can be:
links must outlast the next hourly re-sign, with one round to spare."""


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    return json.dumps(manifest, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


class ManifestStore:
    def __init__(
        self,
        client: "S3Client | None" = None,
        bucket: str | None = None,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        if client is not None:
            self.__dict__["_client"] = client
        self._bucket = bucket
        self._now = now or clock.now
        self._short_session: str | None = None

    @cached_property
    def _client(self) -> "S3Client":
        return s3_client()  # SigV4: devices' links must be ones S3 accepts

    @property
    def bucket(self) -> str:
        return self._bucket or get_settings().delivery_bucket

    def put(self, unit: str, kind: str, version: str, body: bytes) -> dict[str, str]:
        """Store one manifest; the reference a ``playback`` shadow carries.

        The key is the body's SHA-256, not the version: two builds of the same programme have
        the same version but not the same ``generated_at``, and a key shared by both would let
        the second overwrite the bytes the first reference's checksum describes."""
        digest = hashlib.sha256(body).hexdigest()
        return self._put(f"manifests/{unit}/{kind}/{digest}.json", version, body)

    def put_alert(self, alert_id: str, version: int, body: bytes) -> dict[str, str]:
        """Store an emergency's document; its ``url`` and ``sha256`` for the shadows."""
        return self._put(_alert_key(alert_id, version), str(version), body)

    def alert_link(self, alert_id: str, version: int | str) -> str:
        """A new link to an emergency's stored document (the hourly re-sign)."""
        return self.link(_alert_key(alert_id, version))

    def link(self, key: str) -> str:
        """A device's link to an object of this bucket: up to seven days, never past the
        signing session (see the module docstring)."""
        credentials = signing.client_credentials(self._client)
        signing.refresh_if_ending(credentials, RESIGN_HEADROOM_S)
        lifetime = signing.link_lifetime(credentials, self._now(), URL_LIFETIME_S)
        if lifetime < RESIGN_HEADROOM_S and self._short_session != credentials.access_key:
            # Once per session: devices may find dead links before the next re-sign.
            self._short_session = credentials.access_key
            logger.warning(
                "delivery links end before two re-sign rounds", extra={"lifetime_s": lifetime}
            )
        return self._client.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=lifetime
        )

    def _put(self, key: str, version: str, body: bytes) -> dict[str, str]:
        self._client.put_object(
            Bucket=self.bucket,
            Key=key,
            Body=body,
            ContentType="application/json; charset=utf-8",
            CacheControl="private, max-age=31536000, immutable",  # the key names the content
        )
        url = self.link(key)
        return {"version": version, "url": url, "sha256": hashlib.sha256(body).hexdigest()}


def _alert_key(alert_id: str, version: int | str) -> str:
    return f"alerts/{alert_id}/{version}.json"
