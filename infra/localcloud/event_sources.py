"""What invokes functions besides the API: async invocations, DynamoDB streams, schedules.

Each follows the AWS behaviour the project relies on, with local timings:
- async invocation (IoT rules): two retries, then the function's ``DeadLetterQueue`` gets the
  event with ``ErrorCode``/``ErrorMessage`` attributes (AWS waits minutes between retries;
  here 0.5 s and 1 s);
- stream sources: records in order, ``FilterCriteria`` applied, batches up to ``BatchSize``,
  retries up to ``MaximumRetryAttempts``, ``BisectBatchOnFunctionError``, and the
  ``OnFailure`` destination gets AWS's batch-info record with the error;
- schedules: ``rate(...)`` and ``cron(...)`` in their time zone.
"""

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from infra.localcloud.template import ScheduleSpec, StreamSourceSpec, Template

log = logging.getLogger("localcloud.events")

Invoke = Callable[[str, Mapping[str, Any]], Any]
ASYNC_RETRY_DELAYS = (0.5, 1.0)


class AsyncInvoker:
    """``InvocationType=Event``: queued, retried, dead-lettered with its cause."""

    name = "async-invoker"

    def __init__(self, invoke: Invoke, template: Template, sqs: Any, workers: int = 4) -> None:
        self._invoke = invoke
        self._template = template
        self._sqs = sqs
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="lambda-async")
        self._pending = 0
        self.submitted = 0
        """Events taken so far (benchmarks: have they all arrived?)."""
        self._stopped = False
        self._idle = threading.Condition()

    def start(self) -> None:
        """Nothing to start: the pool's threads come with the first event."""

    def submit(self, function: str, event: Mapping[str, Any]) -> None:
        with self._idle:
            if self._stopped:
                log.debug("%s: event after shutdown, dropped", function)
                return
            self._pending += 1
            self.submitted += 1
        self._pool.submit(self._run, function, dict(event))

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """True once every submitted event has been handled or dead-lettered (tests)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def stop(self) -> None:
        with self._idle:
            self._stopped = True
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _run(self, function: str, event: dict[str, Any]) -> None:
        try:
            for attempt, delay in enumerate((*ASYNC_RETRY_DELAYS, None)):
                try:
                    self._invoke(function, event)
                    return
                except Exception as error:
                    log.warning("%s failed (attempt %d): %s", function, attempt + 1, error)
                    if delay is None:
                        self._dead_letter(function, event, error)
                        return
                    time.sleep(delay)
        finally:
            with self._idle:
                self._pending -= 1
                self._idle.notify_all()

    def _dead_letter(self, function: str, event: dict[str, Any], error: Exception) -> None:
        queue = self._template.dead_letter_queue(function)
        if queue is None:
            log.error("%s: event dropped after retries (no DeadLetterQueue): %s", function, error)
            return
        self._sqs.send_message(
            QueueUrl=self._template.physical_ids[queue],
            MessageBody=json.dumps(event, ensure_ascii=False, default=str),
            MessageAttributes={
                "RequestID": {"DataType": "String", "StringValue": str(uuid.uuid4())},
                "ErrorCode": {"DataType": "Number", "StringValue": "200"},
                "ErrorMessage": {"DataType": "String", "StringValue": str(error)[:1000]},
            },
        )


# ---------------------------------------------------------------------- event patterns
def pattern_matches(pattern: Mapping[str, Any], event: Mapping[str, Any]) -> bool:
    """Lambda's filter criteria (EventBridge patterns): values listed, ``prefix``, nesting."""
    for key, expected in pattern.items():
        if key not in event:
            return False
        actual = event[key]
        if isinstance(expected, Mapping):
            if not (isinstance(actual, Mapping) and pattern_matches(expected, actual)):
                return False
        elif not any(_value_matches(option, actual) for option in expected):
            return False
    return True


def _value_matches(option: Any, actual: Any) -> bool:
    if isinstance(option, Mapping):
        if set(option) != {"prefix"}:
            raise ValueError(f"filter operator {sorted(option)} is not supported locally")
        return isinstance(actual, str) and actual.startswith(option["prefix"])
    return bool(option == actual)


# ---------------------------------------------------------------------- pollers
class Poller:
    """An event source mapping's loop on its own thread: ``_loop`` polls until ``stop``, and
    sets ``_idle`` after a poll that found nothing."""

    name = "poller"

    def __init__(self, thread_name: str) -> None:
        self._stopping = threading.Event()
        self._idle = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=thread_name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=5)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """True after a poll that found nothing new (tests: 'it has caught up')."""
        self._idle.clear()
        return self._idle.wait(timeout)

    def _loop(self) -> None:
        raise NotImplementedError


# ---------------------------------------------------------------------- streams
class StreamPoller(Poller):
    """Reads a table's stream (moto keeps it) and feeds the function as Lambda's poller does."""

    name = "stream-poller"

    def __init__(
        self,
        spec: StreamSourceSpec,
        template: Template,
        clients: Callable[[str], Any],
        invoke: Invoke,
        interval: float = 0.05,
    ) -> None:
        self._spec = spec
        self._template = template
        self._streams = clients("dynamodbstreams")
        self._sqs = clients("sqs")
        self._invoke = invoke
        self._interval = interval
        self._filters = [json.loads(pattern) for pattern in spec.filters]
        self._arn = template.attributes[(spec.table, "StreamArn")]
        super().__init__(f"stream-{spec.function}")

    def start(self) -> None:
        shard = self._streams.describe_stream(StreamArn=self._arn)["StreamDescription"]["Shards"][0]
        self._iterator = self._streams.get_shard_iterator(
            StreamArn=self._arn, ShardId=shard["ShardId"], ShardIteratorType="LATEST"
        )["ShardIterator"]
        self._shard = shard["ShardId"]
        super().start()

    def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                response = self._streams.get_records(ShardIterator=self._iterator, Limit=1000)
                self._iterator = response["NextShardIterator"]
                records = [self._event_record(r) for r in response["Records"]]
                wanted = [r for r in records if self._passes(r)]
                for start in range(0, len(wanted), self._spec.batch_size):
                    self._deliver(wanted[start : start + self._spec.batch_size])
                if not response["Records"]:
                    self._idle.set()
                    self._stopping.wait(self._interval)
            except Exception:
                if self._stopping.is_set():
                    return  # shutting down: the services it reads may already be gone
                log.exception("stream poller for %s", self._spec.function)
                self._stopping.wait(1.0)

    def _passes(self, record: Mapping[str, Any]) -> bool:
        return not self._filters or any(pattern_matches(p, record) for p in self._filters)

    def _event_record(self, record: Mapping[str, Any]) -> dict[str, Any]:
        dynamodb = dict(record["dynamodb"])
        created = dynamodb.get("ApproximateCreationDateTime")
        if isinstance(created, datetime):
            dynamodb["ApproximateCreationDateTime"] = int(created.timestamp())
        return {**record, "dynamodb": dynamodb, "eventSourceARN": self._arn}

    def _deliver(self, batch: Sequence[dict[str, Any]]) -> None:
        retries = self._spec.maximum_retry_attempts
        attempt = 0
        while True:
            try:
                self._invoke(self._spec.function, {"Records": list(batch)})
                return
            except Exception as error:
                if self._stopping.is_set():
                    return  # shutting down: the services it calls may already be gone
                attempt += 1
                log.warning("%s failed on %d records: %s", self._spec.function, len(batch), error)
                if retries != -1 and attempt > retries:
                    if len(batch) > 1:  # BisectBatchOnFunctionError: find the bad record
                        middle = len(batch) // 2
                        self._deliver(batch[:middle])
                        self._deliver(batch[middle:])
                    else:
                        self._on_failure(batch, error)
                    return
                self._stopping.wait(min(0.2 * 2**attempt, 5.0))

    def _on_failure(self, batch: Sequence[Mapping[str, Any]], error: Exception) -> None:
        if self._spec.on_failure is None:
            log.error("%s: records dropped after retries: %s", self._spec.function, error)
            return
        first, last = batch[0]["dynamodb"], batch[-1]["dynamodb"]
        record = {  # the shape Lambda sends to an on-failure destination for streams
            "requestContext": {
                "requestId": str(uuid.uuid4()),
                "functionArn": self._spec.function,
                "condition": "RetryAttemptsExhausted",
                "approximateInvokeCount": self._spec.maximum_retry_attempts + 1,
            },
            "responseContext": {"statusCode": 200, "functionError": str(error)[:1000]},
            "version": "1.0",
            "timestamp": datetime.now(UTC).isoformat(),
            "DDBStreamBatchInfo": {
                "shardId": self._shard,
                "startSequenceNumber": first.get("SequenceNumber"),
                "endSequenceNumber": last.get("SequenceNumber"),
                "batchSize": len(batch),
                "streamArn": self._arn,
            },
        }
        self._sqs.send_message(
            QueueUrl=self._template.physical_ids[self._spec.on_failure],
            MessageBody=json.dumps(record),
        )


# ---------------------------------------------------------------------- schedules
def next_fire(expression: str, timezone: str, after: datetime) -> datetime:
    """The first moment after ``after`` (aware) when a ``rate()``/``cron()`` schedule fires."""
    if expression.startswith("rate(") and expression.endswith(")"):
        amount, unit = expression[5:-1].split()
        seconds = {"minute": 60, "hour": 3600, "day": 86400}[unit.rstrip("s")]
        return after + timedelta(seconds=int(amount) * seconds)
    if expression.startswith("cron(") and expression.endswith(")"):
        minute, hour, day, month, weekday, year = expression[5:-1].split()
        if (day, month, weekday, year) != ("*", "*", "?", "*"):
            raise ValueError(f"only minute and hour fields are supported locally: {expression}")
        zone = ZoneInfo(timezone)
        moment = after.astimezone(zone).replace(second=0, microsecond=0) + timedelta(minutes=1)
        for _ in range(2 * 24 * 60):
            if _field(minute, moment.minute) and _field(hour, moment.hour):
                return moment
            moment += timedelta(minutes=1)
    raise ValueError(f"unsupported schedule expression {expression!r}")


def _field(spec: str, value: int) -> bool:
    return spec == "*" or value in {int(part) for part in spec.split(",")}


class Scheduler:
    """EventBridge Scheduler for the template's schedules (the local cloud's clock)."""

    name = "scheduler"

    def __init__(self, specs: Sequence[ScheduleSpec], submit: Invoke) -> None:
        self._specs = specs
        self._submit = submit
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="scheduler", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=5)

    def _loop(self) -> None:
        now = datetime.now(UTC)
        due = {spec: next_fire(spec.expression, spec.timezone, now) for spec in self._specs}
        while not self._stopping.is_set():
            now = datetime.now(UTC)
            for spec, moment in due.items():
                if moment <= now:
                    # debug: the invocation prints its own line
                    log.debug("schedule %s.%s fires", spec.function, spec.name)
                    self._submit(spec.function, {})  # Scheduler's default input: empty JSON
                    due[spec] = next_fire(spec.expression, spec.timezone, now)
            self._stopping.wait(1.0)
