"""Generated report files (XLSX, PDF) in S3, handed out as signed GET links.

Why a link and not the bytes: the staff API is an API Gateway REST API without binary media
types (only the speech API has ``BinaryMediaTypes``), so a binary body would reach the client
as base64 text; and a link downloads in the browser with its file name, straight from S3.
Files go to the delivery bucket under ``reports/`` (the API may put only there), kept one
day (the bucket's lifecycle rule); a link lasts 15 minutes, never past its signing session
(``nguon.adapters.signing``).
"""

from datetime import UTC, datetime
from functools import cached_property
from typing import TYPE_CHECKING
from urllib.parse import quote

from nguon.adapters import signing
from nguon.adapters.media_objects import s3_client
from nguon.config import get_settings

if TYPE_CHECKING:
    from types_boto3_s3 import S3Client

EXPORT_LINK_S = 15 * 60
PREFIX = "reports/"


class ReportFiles:
    def __init__(self, bucket: str | None = None) -> None:
        self._bucket = bucket

    @cached_property
    def _client(self) -> "S3Client":
        return s3_client()

    @property
    def bucket(self) -> str:
        return self._bucket or get_settings().delivery_bucket

    def put(self, key: str, body: bytes, content_type: str) -> None:
        self._client.put_object(
            Bucket=self.bucket,
            Key=f"{PREFIX}{key}",
            Body=body,
            ContentType=content_type,
            CacheControl="private, no-store",
        )

    def link(self, key: str, file_name: str) -> tuple[str, int]:
        """A GET link that downloads the file under ``file_name``, and its lifetime (s)."""
        credentials = signing.client_credentials(self._client)
        lifetime = signing.link_lifetime(credentials, datetime.now(UTC), EXPORT_LINK_S)
        url = self._client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": f"{PREFIX}{key}",
                "ResponseContentDisposition": f"attachment; filename*=UTF-8''{quote(file_name)}",
            },
            ExpiresIn=lifetime,
        )
        return url, lifetime
