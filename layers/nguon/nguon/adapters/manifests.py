"""Programme manifests in S3, content-addressed, handed to devices as presigned URLs."""

import hashlib
import json
from functools import cached_property
from typing import Any

from nguon.adapters.media_objects import s3_client
from nguon.config import get_settings

URL_LIFETIME_S = 7 * 24 * 3600
"""SigV4's longest: manifests are rewritten at least hourly, so a URL never outlives use."""


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    return json.dumps(manifest, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


class ManifestStore:
    def __init__(self, client: Any = None, bucket: str | None = None) -> None:
        if client is not None:
            self.__dict__["_client"] = client
        self._bucket = bucket

    @cached_property
    def _client(self) -> Any:
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
        return self._put(f"alerts/{alert_id}/{version}.json", str(version), body)

    def link(self, key: str) -> str:
        """A device's link to an object of this bucket (media), as long-lived as manifests'."""
        return self._client.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=URL_LIFETIME_S
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
