"""Manifests: the programme the ``playback`` shadow points to, downloaded and verified in the
background (:func:`nguon_device.cache.download`), retried with backoff, adopted and cached; and the
media files the programme asks for.

:class:`ManifestFetching` is a part of :class:`~nguon_device.device.Device` (a mixin): the device
owns the state declared here and sets it up in its ``__init__``; the methods run on the
scheduler's thread like the rest of the device.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from nguon_device.cache import Download, ProgrammeCache, download, fetch_media
from nguon_device.cache import Programme as CachedProgramme
from nguon_device.clock import Scheduler
from nguon_device.config import DeviceConfig
from nguon_device.programme import Programme, parse_items

# The device's logger: the messages read as before the split.
log = logging.getLogger("nguon_device.device")
RETRY_BASE_S, RETRY_CAP_S = 5.0, 600.0


class ManifestFetching:
    """The device's manifest and media downloads; the device provides what is declared here."""

    thing: str
    config: DeviceConfig
    scheduler: Scheduler
    cache: ProgrammeCache
    programme: Programme
    fetch: Callable[[str, float], bytes]
    adopted: CachedProgramme | None
    """The verified manifest in use (from the cache at boot, then from the shadow)."""
    _running: bool
    _rng: random.Random
    _fetching: dict[str, str] | None
    _wanted: dict[str, str] | None
    _fetch_failures: int
    _media_wanted: set[str]

    if TYPE_CHECKING:

        def emit(self, name: str, details: dict[str, Any]) -> None: ...
        def _error(self, text: str) -> None: ...
        def _later(self, name: str, delay_s: float, action: Callable[[], None]) -> None: ...
        def _report_playback(self) -> None: ...

    def _want_manifest(self, ref: dict[str, str]) -> None:
        self._wanted = ref
        if self._fetching is not None:
            return  # its completion looks at _wanted again
        self._fetching = ref
        config = self.config
        self.scheduler.run_in_background(
            lambda: download(self.cache, ref, config.kind, self.fetch, config.fetch_timeout_s),
            lambda result, error: self._fetched(ref, result, error),
        )

    def _fetched(
        self, ref: dict[str, str], result: Download | None, error: BaseException | None
    ) -> None:
        self._fetching = None
        if not self._running:
            return
        wanted = self._wanted
        if wanted is not None and wanted["sha256"] != ref["sha256"]:
            self._want_manifest(wanted)  # superseded while it downloaded
            return
        if error is not None or result is None:
            log.warning("%s: manifest %s not fetched: %s", self.thing, ref["version"], error)
            self._error(f"manifest {ref['version']}: {error}")
            self.emit("manifest_failed", {"version": ref["version"], "error": str(error)})
            self._retry_manifest_later(ref)
            return
        for problem in result.media_errors:
            self._error(problem)
        if result.media_errors:
            self._retry_manifest_later(ref)  # adopted below all the same
        else:
            self._fetch_failures = 0
        if self.adopted is None or self.adopted.ref["sha256"] != ref["sha256"]:
            self._adopt(result.programme)
            self.cache.adopt(result.programme)
            self.emit(
                "manifest", {"version": ref["version"], "media_errors": list(result.media_errors)}
            )
        self._report_playback()

    def _retry_manifest_later(self, ref: dict[str, str]) -> None:
        """Exponential backoff with full jitter: 5 s doubling up to 10 min, drawn from [0, cap]."""
        self._fetch_failures += 1
        cap = min(RETRY_CAP_S, RETRY_BASE_S * 2**self._fetch_failures)
        self._later("manifest", self._rng.uniform(0, cap), lambda: self._retry_manifest(ref))

    def _retry_manifest(self, ref: dict[str, str]) -> None:
        if self._running and self._wanted is not None and self._wanted["sha256"] == ref["sha256"]:
            self._want_manifest(ref)

    def _adopt(self, programme: CachedProgramme) -> None:
        self.adopted = programme
        self.programme.set_items(parse_items(programme.manifest, programme.ref["sha256"]))

    def _want_media(self, media: dict[str, Any]) -> None:
        digest = media["sha256"]
        if digest in self._media_wanted:
            return
        self._media_wanted.add(digest)
        self.scheduler.run_in_background(
            lambda: fetch_media(self.cache, media, self.fetch, self.config.fetch_timeout_s),
            lambda _path, error: self._media_fetched(digest, error),
        )

    def _media_fetched(self, digest: str, error: BaseException | None) -> None:
        self._media_wanted.discard(digest)
        if error is not None:
            self._error(f"media {digest[:12]}: {error}")
