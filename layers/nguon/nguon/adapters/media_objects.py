"""Media files in S3: presigned POSTs into the uploads bucket, originals read from it, variants
written to the media bucket, and short-lived links to them.

Large files stream to and from disk (``download_file`` / ``upload_file``: multipart, in
parts), never through memory.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from nguon.adapters import signing
from nguon.config import get_settings

if TYPE_CHECKING:
    from types_boto3_s3 import S3Client


LINK_LIFETIME_S = 3600
"""GET links in API answers: an hour (the console fetches them when it shows the item)."""


def s3_client(region: str | None = None) -> "S3Client":
    """An S3 client that signs with SigV4 (S3 refuses SigV2 for buckets made since 2020),
    at the bucket's regional virtual-host address."""
    return boto3.client(
        "s3",
        region_name=region or get_settings().region,
        config=Config(signature_version="s3v4", s3={"addressing_style": "virtual"}),
    )


@dataclass(frozen=True)
class ObjectHead:
    size: int
    etag: str
    version_id: str | None = None


@dataclass(frozen=True)
class PresignedPost:
    url: str
    fields: dict[str, str]


class MediaObjects:
    """The uploads bucket (originals, kept untouched) and the media bucket (variants)."""

    def __init__(
        self,
        client: "S3Client | None" = None,
        *,
        uploads_bucket: str | None = None,
        media_bucket: str | None = None,
    ) -> None:
        if client is not None:
            self.__dict__["_client"] = client
        self._uploads_bucket = uploads_bucket
        self._media_bucket = media_bucket

    @cached_property
    def _client(self) -> "S3Client":
        return s3_client()

    @property
    def uploads_bucket(self) -> str:
        return self._uploads_bucket or get_settings().uploads_bucket

    @property
    def media_bucket(self) -> str:
        return self._media_bucket or get_settings().media_bucket

    # --- uploads ---------------------------------------------------------------------------

    def presign_post(
        self, key: str, *, content_type: str, max_size: int, expires_in: int
    ) -> PresignedPost:
        """A form that stores exactly ``key``, of exactly ``content_type``, 1..``max_size``
        bytes, until ``expires_in`` seconds from now (S3 checks it; boto3 adds the bucket
        and the exact key to the policy itself)."""
        post = self._client.generate_presigned_post(
            Bucket=self.uploads_bucket,
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[
                {"Content-Type": content_type},
                ["content-length-range", 1, max_size],
            ],
            ExpiresIn=expires_in,
        )
        return PresignedPost(url=post["url"], fields=dict(post["fields"]))

    def head(self, key: str, *, version_id: str | None = None) -> ObjectHead | None:
        """Size and eTag of an upload (``None`` when it is gone)."""
        extra: dict[str, Any] = {"VersionId": version_id} if version_id else {}
        try:
            found = self._client.head_object(Bucket=self.uploads_bucket, Key=key, **extra)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        return ObjectHead(
            size=int(found["ContentLength"]),
            etag=str(found.get("ETag", "")).strip('"'),
            version_id=found.get("VersionId"),
        )

    def read_start(self, key: str, length: int, *, version_id: str | None = None) -> bytes:
        """The first ``length`` bytes of an upload (enough to tell its type)."""
        extra: dict[str, Any] = {"VersionId": version_id} if version_id else {}
        found = self._client.get_object(
            Bucket=self.uploads_bucket, Key=key, Range=f"bytes=0-{length - 1}", **extra
        )
        return found["Body"].read()

    def download(self, key: str, path: Path, *, version_id: str | None = None) -> None:
        extra = {"VersionId": version_id} if version_id else None
        self._client.download_file(self.uploads_bucket, key, str(path), ExtraArgs=extra)

    # --- variants --------------------------------------------------------------------------

    def upload(self, path: Path, key: str, *, content_type: str) -> None:
        """Store a variant; its key names the media item and the variant, so never reused."""
        self._client.upload_file(
            str(path),
            self.media_bucket,
            key,
            ExtraArgs={
                "ContentType": content_type,
                "CacheControl": "private, max-age=31536000, immutable",
            },
        )

    def link(self, key: str) -> str:
        """A GET link to a variant, good for ``LINK_LIFETIME_S`` (signed locally, no call),
        or less when the signing session ends sooner (``nguon.adapters.signing``)."""
        credentials = signing.client_credentials(self._client)
        lifetime = signing.link_lifetime(credentials, datetime.now(UTC), LINK_LIFETIME_S)
        return self._client.generate_presigned_url(
            "get_object",
            Params={"Bucket": self.media_bucket, "Key": key},
            ExpiresIn=lifetime,
        )
