"""The programme on disk: manifests and media, fetched, verified and kept for 48 hours.

Layout under the device's cache directory::

    manifests/<sha256>.json   the manifest bytes exactly as fetched (their hash is the name)
    media/<sha256>            one file per media object
    current.json              the manifest reference in use: {"version", "url", "sha256"}

Everything is written to a temporary name and renamed, so a power cut leaves the previous
programme intact. :func:`download` is blocking and runs on the scheduler's background pool; it
touches only this device's files. :func:`fetch_alert` (an alert document a ``playback`` shadow
refers to) stores nothing: an alert plays once, from memory.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nguon_device import schemas

log = logging.getLogger("nguon_device.cache")

Fetch = Callable[[str, float], bytes]
MAX_MANIFEST_BYTES = 2 * 1024 * 1024
MAX_MEDIA_BYTES = 512 * 1024 * 1024
MAX_ALERT_BYTES = 256 * 1024


class FetchError(Exception):
    """The programme could not be fetched or failed verification; the old one stays."""


def http_fetch(url: str, timeout_s: float) -> bytes:
    """GET ``url`` (an S3 presigned URL; ``file:`` for tools) with a timeout and a size cap."""
    if not url.startswith(("https://", "http://", "file:")):
        raise FetchError(f"unsupported URL scheme: {url[:40]}")
    request = urllib.request.Request(url, headers={"User-Agent": "nguon-device"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=timeout_s) as response:  # noqa: S310
        body = response.read(MAX_MEDIA_BYTES + 1)
    if len(body) > MAX_MEDIA_BYTES:
        raise FetchError(f"{url[:60]}: larger than {MAX_MEDIA_BYTES} bytes")
    return body


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


@dataclass(frozen=True)
class Programme:
    """A verified manifest and the reference it came from."""

    ref: dict[str, str]
    manifest: dict[str, Any]

    @property
    def version(self) -> str:
        return self.ref["version"]


class ProgrammeCache:
    def __init__(self, root: Path, keep_h: float = 48.0) -> None:
        self.root = Path(root)
        self.keep_s = keep_h * 3600

    @property
    def manifests(self) -> Path:
        return self.root / "manifests"

    @property
    def media(self) -> Path:
        return self.root / "media"

    def media_path(self, digest: str) -> Path | None:
        path = self.media / digest
        return path if path.is_file() else None

    def load_current(self) -> Programme | None:
        """The programme in use before a restart, re-verified; ``None`` if there is none."""
        try:
            ref = json.loads((self.root / "current.json").read_text("utf-8"))
            data = (self.manifests / f"{ref['sha256']}.json").read_bytes()
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if sha256(data) != ref["sha256"]:
            log.warning("%s: cached manifest corrupt, ignored", self.root)
            return None
        manifest, problem = schemas.parse("manifest", data)
        return None if problem else Programme(ref, manifest)

    def adopt(self, programme: Programme) -> None:
        _write_atomic(self.root / "current.json", json.dumps(programme.ref).encode())

    def prune(self, keep: Programme | None) -> int:
        """Delete cached files older than the retention that the programme in use does not need."""
        needed = set()
        if keep is not None:
            needed.add(f"{keep.ref['sha256']}.json")
            needed.update(
                item["media"]["sha256"] for item in keep.manifest["items"] if item.get("media")
            )
        cutoff = time.time() - self.keep_s
        removed = 0
        for folder in (self.manifests, self.media):
            if not folder.is_dir():
                continue
            for path in folder.iterdir():
                if path.name not in needed and path.stat().st_mtime < cutoff:
                    path.unlink(missing_ok=True)
                    removed += 1
        return removed

    def store_media(self, digest: str, data: bytes) -> Path:
        path = self.media / digest
        _write_atomic(path, data)
        return path


@dataclass(frozen=True)
class Download:
    programme: Programme
    media_errors: tuple[str, ...] = ()
    """Media that could not be fetched: the manifest is adopted anyway (a withdrawal must not
    wait for an unrelated file) and the download is retried for them."""


def download(
    cache: ProgrammeCache, ref: dict[str, str], kind: str, fetch: Fetch, timeout_s: float
) -> Download:
    """Fetch, verify and store the manifest ``ref`` points to and every media it lists.

    Raises :class:`FetchError` (or the fetch's own error) when the manifest itself cannot be had,
    without touching the programme in use. Media already cached (by hash) are not fetched again.
    """
    cached = cache.manifests / f"{ref['sha256']}.json"
    data = cached.read_bytes() if cached.is_file() else fetch(ref["url"], timeout_s)
    if len(data) > MAX_MANIFEST_BYTES:
        raise FetchError("manifest too large")
    if sha256(data) != ref["sha256"]:
        raise FetchError(f"manifest {ref['version']}: SHA-256 mismatch")
    manifest, problem = schemas.parse("manifest", data)
    if problem:
        raise FetchError(f"manifest {ref['version']}: invalid: {problem}")
    if manifest["kind"] != kind:
        raise FetchError(f"manifest {ref['version']} is for a {manifest['kind']}, not a {kind}")
    errors = []
    for item in manifest["items"]:
        media = item.get("media")
        if media and cache.media_path(media["sha256"]) is None:
            try:
                fetch_media(cache, media, fetch, timeout_s)
            except Exception as exc:  # any fetch failure: the item falls back to its text
                errors.append(f"{item['item_id']}: {exc}")
    if not cached.is_file():
        _write_atomic(cached, data)
    else:
        os.utime(cached)  # in use again: retention counts from now
    return Download(Programme(dict(ref), manifest), tuple(errors))


def fetch_media(
    cache: ProgrammeCache, media: dict[str, Any], fetch: Fetch, timeout_s: float
) -> Path:
    body = fetch(media["url"], timeout_s)
    if sha256(body) != media["sha256"]:
        raise FetchError(f"media {media['sha256'][:12]}: SHA-256 mismatch")
    return cache.store_media(media["sha256"], body)


def fetch_alert(
    ref: dict[str, Any], fetch: Fetch, timeout_s: float
) -> tuple[dict[str, Any] | None, str | None]:
    """Fetch the alert document a shadow reference points to and check its SHA-256.

    Raises :class:`FetchError` (or the fetch's own error) when the bytes cannot be had or are
    not the ones referred to: worth another try. Returns ``(alert, None)`` for a document valid
    against ``alert.json``, ``(None, reason)`` for one that is not (no point fetching it again).
    """
    data = fetch(ref["url"], timeout_s)
    if len(data) > MAX_ALERT_BYTES:
        raise FetchError(f"alert {ref['alert_id']} v{ref['version']}: document too large")
    if sha256(data) != ref["sha256"]:
        raise FetchError(f"alert {ref['alert_id']} v{ref['version']}: SHA-256 mismatch")
    return schemas.parse("alert", data)
