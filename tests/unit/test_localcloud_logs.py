"""The local cloud's terminal lines and per-function logs (infra/localcloud/logs.py)."""

import json
import logging
import sys
import threading
import uuid
from datetime import UTC, datetime

import pytest
from aws_lambda_powertools import Logger

from infra.localcloud.logs import (
    INVOCATIONS,
    FunctionLogFiles,
    FunctionLogs,
    PerInvocationFormatter,
    TerminalFormatter,
    invocation_line,
    running,
)


def test_an_api_invocation_shows_method_path_and_status():
    event = {"httpMethod": "GET", "path": "/units/52", "requestContext": {}}

    line = invocation_line("ApiFunction", event, {"statusCode": 200}, None, 35.4)

    assert line == "ApiFunction ok 35 ms GET /units/52 → 200"


def test_an_api_invocation_answering_5xx_is_an_error():
    event = {"httpMethod": "POST", "path": "/bulletins"}

    line = invocation_line("ApiFunction", event, {"statusCode": 502}, None, 12)

    assert line == "ApiFunction error 12 ms POST /bulletins → 502"


def test_a_queue_batch_shows_its_messages_and_failures():
    records = [{"eventSource": "aws:sqs"}] * 3
    result = {"batchItemFailures": [{"itemIdentifier": "m1"}]}

    line = invocation_line("SpeechTaskFunction", {"Records": records}, result, None, 1500)

    assert line == "SpeechTaskFunction 1 failed 1500 ms 3 messages"


def test_a_stream_batch_counts_records_and_an_exception_is_named():
    event = {"Records": [{"eventSource": "aws:dynamodb"}]}

    line = invocation_line("FanoutFunction", event, None, ValueError("no"), 8)

    assert line == "FanoutFunction error ValueError 8 ms 1 record"


def test_a_device_message_shows_its_stream_and_thing():
    event = {"stream": "presence", "clientId": "board-21550-1", "eventType": "connected"}

    line = invocation_line("TelemetryFunction", event, {"outcome": "online"}, None, 4)

    assert line == "TelemetryFunction ok 4 ms presence board-21550-1"


def test_an_event_without_fields_shows_outcome_and_duration():
    assert invocation_line("SweepFunction", {}, None, None, 3) == "SweepFunction ok 3 ms"


def _record(name, level, message, created):
    record = logging.LogRecord(name, level, __file__, 1, message, None, None)
    record.created = created
    return record


def test_the_terminal_shows_time_in_ho_chi_minh_city():
    midnight_utc = datetime.now(UTC).replace(hour=23, minute=5, second=9, microsecond=0)
    record = _record(INVOCATIONS, logging.INFO, "ApiFunction ok 3 ms", midnight_utc.timestamp())

    assert TerminalFormatter().format(record) == "06:05:09 ApiFunction ok 3 ms"


def test_a_function_warning_reaches_the_terminal_with_its_function_and_level():
    record = _record("nguon", logging.WARNING, "no voice", datetime.now(UTC).timestamp())
    record.local_function = "FanoutFunction"

    text = TerminalFormatter().format(record)

    assert text.endswith(" WARNING FanoutFunction no voice")


def test_an_error_keeps_its_traceback():
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        record = logging.LogRecord("nguon", logging.ERROR, __file__, 1, "failed", None, None)
        record.exc_info = sys.exc_info()

    text = TerminalFormatter().format(record)

    assert "ERROR" in text
    assert "RuntimeError: boom" in text


@pytest.fixture
def powertools_logger():
    """A Powertools logger of its own service, writing into a list, with its keys per thread."""
    lines: list[str] = []

    class _Stream:
        def write(self, text):
            lines.append(text)

        def flush(self):
            pass

    service = f"nguon-test-logs-{uuid.uuid4().hex[:8]}"  # a new Powertools logger each time
    logger = Logger(service=service, logger_handler=logging.StreamHandler(_Stream()))
    handler = logger.registered_handler
    handler.setFormatter(PerInvocationFormatter.from_formatter(handler.formatter))
    return logger, lines


def test_functions_in_other_threads_keep_their_own_keys(powertools_logger):
    logger, lines = powertools_logger
    api_ready, fanout_done = threading.Event(), threading.Event()

    def api():
        logger.append_keys(function_name="ApiFunction")
        api_ready.set()
        fanout_done.wait(5)
        logger.info("request")

    def fanout():
        api_ready.wait(5)
        logger.append_keys(function_name="FanoutFunction")
        logger.info("new devices")
        fanout_done.set()

    threads = [threading.Thread(target=api), threading.Thread(target=fanout)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)

    by_message = {json.loads(line)["message"]: json.loads(line) for line in lines}
    assert by_message["request"]["function_name"] == "ApiFunction"
    assert by_message["new devices"]["function_name"] == "FanoutFunction"
    assert by_message["new devices"]["service"].startswith("nguon-test-logs")


def test_a_new_invocation_on_a_thread_forgets_the_last_ones_keys(powertools_logger):
    logger, lines = powertools_logger
    formatter = logger.registered_handler.formatter
    logger.append_keys(thing="board-1")
    formatter.start_invocation()

    logger.info("next")

    assert "thing" not in json.loads(lines[-1])


def test_each_function_writes_its_own_file(tmp_path):
    files = FunctionLogFiles(tmp_path)
    with running("FanoutFunction"):
        files.write('{"message":"new devices"}\n')
    with running("SpeechTaskFunction"):
        files.write('{"message":"spoken"}\n')
    files.write('{"message":"outside"}\n')
    files.close()

    assert (tmp_path / "FanoutFunction.log").read_text() == '{"message":"new devices"}\n'
    assert (tmp_path / "SpeechTaskFunction.log").read_text() == '{"message":"spoken"}\n'
    assert (tmp_path / "LocalCloud.log").read_text() == '{"message":"outside"}\n'


def test_the_functions_logger_writes_to_its_file_and_warns_at_the_terminal(tmp_path):
    from nguon.observability import logger

    seen: list[str] = []

    class _Terminal(logging.Handler):
        def emit(self, record):
            seen.append(TerminalFormatter().format(record))

    terminal = _Terminal()
    logging.getLogger().addHandler(terminal)
    logs = FunctionLogs(tmp_path)
    logs.install()
    try:
        with running("FanoutFunction"):
            logs.start_invocation(cold_start=True)
            logger.append_keys(cold_start=False)  # Powertools' flag, one per process
            logger.info("new devices")
            logs.start_invocation(cold_start=False)
            logger.warning("no voice")
    finally:
        logs.uninstall()
        logging.getLogger().removeHandler(terminal)

    lines = [json.loads(line) for line in (tmp_path / "FanoutFunction.log").open()]
    assert [line["message"] for line in lines] == ["new devices", "no voice"]
    assert [line["cold_start"] for line in lines] == [True, False]
    assert len(seen) == 1
    assert seen[0].endswith("WARNING FanoutFunction no voice")
    assert not isinstance(logger.registered_handler.formatter, PerInvocationFormatter)


def test_once_stopping_a_functions_error_goes_to_its_file_only(tmp_path):
    # A fan-out cut short by the stop fails against endpoints already gone: its file keeps the
    # error, the terminal keeps its one "stopping" line.
    from nguon.observability import logger

    seen: list[str] = []

    class _Terminal(logging.Handler):
        def emit(self, record):
            seen.append(TerminalFormatter().format(record))

    terminal = _Terminal()
    logging.getLogger().addHandler(terminal)
    logs = FunctionLogs(tmp_path)
    logs.install()
    try:
        with running("FanoutFunction"):
            logs.start_invocation()
            logger.error("before the stop")
            logs.files_only()
            logger.error("cut short by the stop")
    finally:
        logs.uninstall()
        logging.getLogger().removeHandler(terminal)
        logging.getLogger(INVOCATIONS).setLevel(logging.NOTSET)

    lines = [json.loads(line) for line in (tmp_path / "FanoutFunction.log").open()]
    assert [line["message"] for line in lines] == ["before the stop", "cut short by the stop"]
    assert len(seen) == 1
    assert seen[0].endswith("before the stop")
