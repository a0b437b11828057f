"""Time and timers, injected so that behaviour is testable without real time.

All of a device's behaviour runs on its scheduler's thread, one callback at a time: MQTT
callbacks (which awscrt calls on its own event-loop threads) and finished downloads are handed
over with :meth:`Scheduler.call_soon`. The device therefore needs no locks, and a fleet of
thousands shares one :class:`ThreadScheduler`: one timer thread plus a small pool for blocking
downloads, whatever the number of devices.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from nguon_device.timeutil import UTC

log = logging.getLogger("nguon_device.clock")
T = TypeVar("T")
Done = Callable[[Any, BaseException | None], None]


class Handle:
    """A scheduled call that can be cancelled (cancelling twice, or after it ran, is harmless)."""

    __slots__ = ("cancelled", "fn", "when")

    def __init__(self, when: float, fn: Callable[[], None]) -> None:
        self.when = when
        self.fn = fn
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class Scheduler(Protocol):
    def now(self) -> datetime:
        """Wall-clock time, aware, UTC."""
        ...

    def monotonic(self) -> float:
        """Seconds for durations (uptime, latency); never jumps."""
        ...

    def call_soon(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` on the scheduler's thread; safe to call from any thread."""
        ...

    def call_later(self, delay_s: float, fn: Callable[[], None]) -> Handle: ...

    def run_in_background(self, work: Callable[[], T], done: Done) -> None:
        """Run blocking ``work`` off the scheduler's thread, then ``done(result, error)`` on it."""
        ...


def _run(fn: Callable[[], None]) -> None:
    try:
        fn()
    except Exception:
        # One device's bug must not stop the timers of the whole fleet.
        log.exception("scheduled callback failed")


class ThreadScheduler:
    """The real scheduler: one daemon thread running timers in order, a pool for downloads."""

    def __init__(self, *, io_workers: int = 4, name: str = "nguon-scheduler") -> None:
        self._heap: list[tuple[float, int, Handle]] = []
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._running = False
        self._name = name
        self._thread: threading.Thread | None = None
        self._pool = ThreadPoolExecutor(max_workers=io_workers, thread_name_prefix=f"{name}-io")

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()

    def start(self) -> ThreadScheduler:
        with self._cond:
            if self._running:
                return self
            self._running = True
        self._thread = threading.Thread(target=self._loop, name=self._name, daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout_s: float = 5.0) -> None:
        with self._cond:
            self._running = False
            self._cond.notify_all()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout_s)
        self._pool.shutdown(wait=False, cancel_futures=True)

    @property
    def on_thread(self) -> bool:
        return threading.current_thread() is self._thread

    def call_soon(self, fn: Callable[[], None]) -> None:
        self.call_later(0.0, fn)

    def call_later(self, delay_s: float, fn: Callable[[], None]) -> Handle:
        handle = Handle(time.monotonic() + max(0.0, delay_s), fn)
        with self._cond:
            heapq.heappush(self._heap, (handle.when, next(self._seq), handle))
            if self._heap[0][2] is handle:
                self._cond.notify()
        return handle

    def run_in_background(self, work: Callable[[], T], done: Done) -> None:
        def job() -> None:
            try:
                result = work()
            except BaseException as exc:  # handed to done(), which decides
                self.call_soon(functools.partial(done, None, exc))
            else:
                self.call_soon(lambda: done(result, None))

        try:
            self._pool.submit(job)
        except RuntimeError as exc:  # pool shut down: the fleet is stopping
            log.debug("background work dropped: %s", exc)

    def _loop(self) -> None:
        while True:
            with self._cond:
                while self._running and (not self._heap or self._heap[0][0] > time.monotonic()):
                    timeout = self._heap[0][0] - time.monotonic() if self._heap else None
                    self._cond.wait(timeout)
                if not self._running:
                    return
                _, _, handle = heapq.heappop(self._heap)
            if not handle.cancelled:
                _run(handle.fn)


class ManualScheduler:
    """Virtual time for tests: nothing happens until :meth:`advance`; work runs inline.

    ``call_soon`` runs at once unless a callback is already running (then right after it), so
    a test's publish is fully handled when the call returns, without re-entrancy surprises.
    """

    def __init__(self, start: datetime, *, strict: bool = True) -> None:
        """``strict``: a failing callback raises into the test instead of being logged."""
        if start.tzinfo is None:
            raise ValueError("start must be aware")
        self._start = start.astimezone(UTC)
        self._elapsed = 0.0
        self._heap: list[tuple[float, int, Handle]] = []
        self._soon: deque[Callable[[], None]] = deque()
        self._seq = itertools.count()
        self._busy = False
        self._strict = strict

    def now(self) -> datetime:
        return self._start + timedelta(seconds=self._elapsed)

    def monotonic(self) -> float:
        return self._elapsed

    def call_soon(self, fn: Callable[[], None]) -> None:
        self._soon.append(fn)
        self._drain()

    def call_later(self, delay_s: float, fn: Callable[[], None]) -> Handle:
        handle = Handle(self._elapsed + max(0.0, delay_s), fn)
        heapq.heappush(self._heap, (handle.when, next(self._seq), handle))
        return handle

    def run_in_background(self, work: Callable[[], T], done: Done) -> None:
        try:
            result = work()
        except BaseException as exc:
            self.call_soon(functools.partial(done, None, exc))
        else:
            self.call_soon(lambda: done(result, None))

    def advance(self, seconds: float) -> None:
        """Move time forward, running every timer due on the way at its own time."""
        target = self._elapsed + seconds
        while self._heap and self._heap[0][0] <= target:
            when, _, handle = heapq.heappop(self._heap)
            if handle.cancelled:
                continue
            self._elapsed = max(self._elapsed, when)
            self._soon.append(handle.fn)
            self._drain()
        self._elapsed = target

    def advance_to(self, moment: datetime) -> None:
        self.advance(max(0.0, (moment - self.now()).total_seconds()))

    def pending(self) -> list[float]:
        """Delays (s) of the live timers, for cadence assertions."""
        return sorted(h.when - self._elapsed for _, _, h in self._heap if not h.cancelled)

    def _drain(self) -> None:
        if self._busy:
            return
        self._busy = True
        try:
            while self._soon:
                fn = self._soon.popleft()
                fn() if self._strict else _run(fn)
        finally:
            self._busy = False
