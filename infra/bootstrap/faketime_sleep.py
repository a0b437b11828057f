"""Python's ``time.sleep`` under Debian's faketime, for the suite's moved-clock runs.

``faketime -f '+400d' make test`` preloads libfaketime into every process. The Makefile exports
``FAKETIME_DONT_FAKE_MONOTONIC=1`` (with a faked monotonic clock, timed waits on locks and
events never return: CPython computes their deadlines from ``CLOCK_MONOTONIC``, the kernel
compares them with the real one). But libfaketime 0.9.10 still shifts the absolute
``CLOCK_MONOTONIC`` deadline that CPython 3.11+ passes to ``clock_nanosleep``, which then
fails with ``OSError: [Errno 22]``. So, only when libfaketime is loaded, ``time.sleep`` waits in
``select`` (a relative timeout, which libfaketime leaves alone). venv.sh installs this module
with a ``.pth`` line, so it applies in every interpreter of the venv, subprocesses included;
without faketime it does nothing.
"""

import os
import select
import time


def _select_sleep(seconds: float) -> None:
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    select.select([], [], [], seconds)  # PEP 475: resumed with the time left after a signal


if "FAKETIME" in os.environ and "libfaketime" in os.environ.get("LD_PRELOAD", ""):
    # For the floats and ints the code sleeps for (typeshed's also takes any __index__ type).
    time.sleep = _select_sleep  # type: ignore[assignment]
