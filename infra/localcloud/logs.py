"""What the functions log, as a person at the terminal wants it and as CloudWatch would keep it.

On AWS every function is its own process and its Powertools JSON lines go to its own log group.
Here the functions share one interpreter (see ``lambda_host``), so the local cloud does what
Lambda's separation does:

- each invocation's Powertools keys (``function_name``, ``correlation_id``, what a handler
  appends) belong to the thread that runs it: :class:`PerInvocationFormatter`;
- the complete JSON lines go to ``<state>/logs/<Function>.log``, one file per function;
- the terminal gets one short line per invocation (:func:`invocation_line`) and the
  functions' warnings and errors in full (:class:`TerminalFormatter`).
"""

import contextlib
import copy
import logging
import threading
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO, cast
from zoneinfo import ZoneInfo

from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
INVOCATIONS = "localcloud.invocations"
"""The logger of the one-line invocation summaries."""

_current_function: ContextVar[str] = ContextVar("local_function", default="")


@contextlib.contextmanager
def running(function: str) -> Iterator[None]:
    """Marks this thread's log lines, until the block ends, as ``function``'s."""
    token = _current_function.set(function)
    try:
        yield
    finally:
        _current_function.reset(token)


def current_function() -> str:
    return _current_function.get()


# ---------------------------------------------------------------------- the terminal
def invocation_line(
    function: str, event: Any, result: Any, error: BaseException | None, duration_ms: float
) -> str:
    """``ApiFunction ok 35 ms GET /units/52 → 200``: the outcome and the fields that matter."""
    outcome, detail = _outcome(event, result, error)
    return " ".join(part for part in (function, outcome, f"{duration_ms:.0f} ms", detail) if part)


def _outcome(event: Any, result: Any, error: BaseException | None) -> tuple[str, str]:
    event = event if isinstance(event, Mapping) else {}
    result_map = result if isinstance(result, Mapping) else {}
    outcome = "ok" if error is None else f"error {type(error).__name__}"
    if "httpMethod" in event:  # API Gateway (REST) proxy event
        status = result_map.get("statusCode")
        if error is None and isinstance(status, int) and status >= 500:
            outcome = "error"
        shown = status if status is not None else "-"
        return outcome, f"{event['httpMethod']} {event.get('path', '')} → {shown}"
    if "stream" in event:  # a device's message, as the template's IoT rules shape it
        return outcome, " ".join(
            str(part)
            for part in (event["stream"], event.get("thing") or event.get("clientId"))
            if part
        )
    records = event.get("Records")
    if isinstance(records, list) and records:
        source = str(records[0].get("eventSource") or records[0].get("EventSource") or "")
        noun = {"aws:sqs": "message", "aws:dynamodb": "record", "aws:s3": "object"}.get(
            source, "record"
        )
        detail = f"{len(records)} {noun}{'s' if len(records) != 1 else ''}"
        failed = result_map.get("batchItemFailures") or []
        if error is None and failed:
            outcome = f"{len(failed)} failed"
        return outcome, detail
    return outcome, ""


class TerminalFormatter(logging.Formatter):
    """Time in Asia/Ho_Chi_Minh (the system's zone, whatever the machine's); invocation lines
    as they are, other INFO lines with their logger, warnings and errors with their level and
    traceback."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return datetime.fromtimestamp(record.created, ZONE).strftime(datefmt or "%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        function = getattr(record, "local_function", "") or current_function()
        source = function if record.name.startswith("nguon") and function else record.name
        parts = [self.formatTime(record)]
        if record.levelno >= logging.WARNING:
            parts.append(record.levelname)
        if record.name != INVOCATIONS:
            parts.append(source)
        parts.append(record.getMessage())
        text = " ".join(parts)
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        elif record.exc_text:
            text += "\n" + record.exc_text
        return text


# ---------------------------------------------------------------------- per function
class PerInvocationFormatter(LambdaPowertoolsFormatter):
    """Powertools' JSON formatter with its keys per thread: functions that share this
    interpreter no longer share ``function_name`` and the keys their handlers append (the
    fan-out's lines read as the speech worker's otherwise). Made from the formatter the
    functions configured (:meth:`from_formatter`), so the JSON is otherwise the same."""

    _base: dict[str, Any]
    _threads: threading.local

    @classmethod
    def from_formatter(cls, formatter: LambdaPowertoolsFormatter) -> "PerInvocationFormatter":
        # The copy becomes one of these: the same state, this class's methods.
        clone = cast("PerInvocationFormatter", copy.copy(formatter))
        base = dict(formatter.log_format)
        clone.__class__ = cls
        clone._base = base
        clone._threads = threading.local()
        return clone

    @property
    def log_format(self) -> dict[str, Any]:
        keys = getattr(self._threads, "keys", None)
        if keys is None:
            keys = self._threads.keys = dict(self._base)
        return keys

    @log_format.setter
    def log_format(self, value: dict[str, Any]) -> None:
        self._threads.keys = value

    def start_invocation(self) -> None:
        """A new invocation on this thread starts from the keys set when the logger was made,
        not from the last function's (a thread of the pools runs any function)."""
        self._threads.keys = None


class FunctionLogFiles:
    """A stream for a logging handler: each line goes to the file of the function whose
    invocation wrote it (``running``), ``LocalCloud.log`` for lines outside one."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._files: dict[str, TextIO] = {}
        self._lock = threading.Lock()

    def path(self, function: str) -> Path:
        return self.directory / f"{function or 'LocalCloud'}.log"

    def write(self, text: str) -> int:
        with self._lock:
            function = current_function()
            file = self._files.get(function)
            if file is None:
                self.directory.mkdir(parents=True, exist_ok=True)
                file = self._files[function] = self.path(function).open("a", encoding="utf-8")
            file.write(text)
            file.flush()  # tail -f shows a line as soon as it is written
        return len(text)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        with self._lock:
            for file in self._files.values():
                file.close()
            self._files.clear()


class FunctionLogs:
    """Installs the above on the functions' Powertools logger, and takes it off again."""

    def __init__(self, directory: Path) -> None:
        self.files = FunctionLogFiles(directory)
        self._handler: logging.StreamHandler[Any] | None = None
        self._saved: tuple[Any, logging.Formatter | None] | None = None
        self._terminal: logging.Handler | None = None
        self._propagate = True
        self.formatter: PerInvocationFormatter | None = None

    def install(self) -> None:
        from nguon.observability import logger  # the functions' logger (the layer's)

        handler = logger.registered_handler
        if not isinstance(handler, logging.StreamHandler) or not isinstance(
            handler.formatter, LambdaPowertoolsFormatter
        ):
            return  # configured otherwise: leave it alone
        self._handler = handler
        self._saved = (handler.stream, handler.formatter)
        self.formatter = PerInvocationFormatter.from_formatter(handler.formatter)
        handler.setFormatter(self.formatter)
        handler.setStream(self.files)
        # Warnings and errors also reach the terminal in full, through the root logger's
        # handlers; the rest only through this handler (the files), not by propagation.
        functions_logger = logging.getLogger(logger.name)
        self._propagate = functions_logger.propagate
        functions_logger.propagate = False
        self._terminal = _ToRoot(logging.WARNING)
        functions_logger.addHandler(self._terminal)

    def files_only(self) -> None:
        """From now on the functions' warnings and errors go to their files only, and the
        invocation lines stay off the terminal (the local cloud is stopping)."""
        if self._terminal is not None:
            self._terminal.setLevel(logging.CRITICAL + 1)
        logging.getLogger(INVOCATIONS).setLevel(logging.WARNING)

    def start_invocation(self, cold_start: bool = False) -> None:
        """Called by the Lambda host on the invoking thread. ``cold_start``: the function's
        first invocation here. Powertools keeps one cold-start flag per process (right on AWS,
        a process per function); here it would be true only for the first function invoked, so
        the host's word is put in the thread's context keys, which win over the decorator's."""
        if self.formatter is not None:
            self.formatter.start_invocation()
            self.formatter.thread_safe_clear_keys()
            self.formatter.thread_safe_append_keys(cold_start=cold_start)

    def uninstall(self) -> None:
        from nguon.observability import logger

        if self.formatter is not None:
            self.formatter.thread_safe_clear_keys()  # this thread's; others end with the run
        if self._handler is not None and self._saved is not None:
            stream, formatter = self._saved
            self._handler.setStream(stream)
            self._handler.setFormatter(formatter)
        if self._terminal is not None:
            functions_logger = logging.getLogger(logger.name)
            functions_logger.removeHandler(self._terminal)
            functions_logger.propagate = self._propagate
        self._handler = self._saved = self._terminal = None
        self.files.close()


class _ToRoot(logging.Handler):
    """Hands a record to the root logger's handlers, marked with the function that logged it
    (Powertools puts a filter on root handlers that drops its own loggers' records)."""

    def emit(self, record: logging.LogRecord) -> None:
        record.local_function = current_function()
        for handler in logging.getLogger().handlers:
            if record.levelno >= handler.level:
                handler.acquire()
                try:
                    handler.emit(record)
                finally:
                    handler.release()
