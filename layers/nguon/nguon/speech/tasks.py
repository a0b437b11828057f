"""Polly's asynchronous synthesis tasks: StartSpeechSynthesisTask, Get…, List…, and the worker.

``start`` checks the request as SynthesizeSpeech would (with the task limits: 100,000 billed
characters), stores the task as ``scheduled`` and sends ``{"task_id": ...}`` to the speech
tasks queue. ``run`` (the queue's consumer) claims it (``scheduled`` → ``inProgress``,
conditional), reads it chunk by chunk into a temporary file, puts the object at
``s3://{OutputS3BucketName}/{OutputS3KeyPrefix}{TaskId}.{mp3|ogg|pcm|marks}`` (Polly's key)
and marks it ``completed``; a request that cannot be read is ``failed`` with the reason.

Redelivery is safe: a completed or failed task is not redone; a task another worker holds
(``inProgress`` for less than a lease, :mod:`nguon.leases`) raises :class:`TaskBusy` so the
message comes back later; a claim older than that (a worker that died) is taken over. A
failure of our own (an engine, ffmpeg, S3: ``ServiceFailureException`` or unexpected) leaves
the task ``scheduled`` for the queue to retry, and fails it at the ``MAX_ATTEMPTS``-th try.

This service writes only to its own media bucket (``NGUON_MEDIA_BUCKET``): any other
OutputS3BucketName is ``InvalidS3BucketException``. ``SnsTopicArn`` is checked and stored;
no notification is sent (the project has no SNS topic).
"""

import re
import tempfile
import time
import uuid
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from nguon import leases
from nguon.i18n import translate
from nguon.speech.errors import (
    InvalidS3BucketException,
    InvalidS3KeyException,
    InvalidSnsTopicArnException,
    InvalidTaskIdException,
    ServiceFailureException,
    SpeechError,
    SynthesisTaskNotFoundException,
    TaskQuotaExceededException,
    ValidationException,
)
from nguon.speech.models import StoredTask
from nguon.speech.owners import SpeechOwner
from nguon.speech.plans import SynthesisRequest
from nguon.speech.synthesis import SpeechService

if TYPE_CHECKING:
    from types_boto3_s3 import S3Client
    from types_boto3_sqs import SQSClient


MAX_ACTIVE_TASKS_PER_USER = 5
"""Tasks one person may have waiting or running: nobody fills the queue alone."""
ACTIVE_WINDOW_S = 24 * 3600
"""How far back the quota looks (a task ends long before: the lease times the attempts)."""
OUTPUT_ROOT = "synthesis/"
"""Every task's object lies under this prefix, then its owner's unit."""
MAX_ATTEMPTS = 3
PROGRESS_EVERY_S = 5.0
STATUSES = ("scheduled", "inProgress", "completed", "failed")
_BUCKET = re.compile(r"^[a-z0-9][\.\-a-z0-9]{1,61}[a-z0-9]$")
_PREFIX = re.compile(r"^[0-9a-zA-Z\/\!\-_\.\*\'\(\):;\$@=+\,\?&]{0,800}$")
_TASK_ID = re.compile(r"^[a-zA-Z0-9_-]{1,100}$")
_SNS_ARN = re.compile(
    r"^arn:aws(-(cn|iso(-b)?|us-gov|eusc))?:sns:[a-z0-9_-]{1,50}:\d{12}:"
    r"[a-zA-Z0-9_-]{1,251}([a-zA-Z0-9_-]{0,5}|\.fifo)$"
)


class TaskBusy(Exception):
    """Another worker holds the task; the message should come back later."""


class TaskStore(Protocol):
    def create(self, stored: StoredTask) -> None: ...

    def get(self, task_id: str) -> StoredTask | None: ...

    def change(
        self,
        task_id: str,
        *,
        expected_status: str,
        expected_started_at: float | None = None,
        update: Callable[[StoredTask], None],
    ) -> StoredTask | None: ...

    def page(
        self,
        status: str | None,
        max_results: int,
        next_token: str | None,
        within: str | None = None,
        include_ownerless: bool = False,
    ) -> tuple[list[dict[str, Any]], str | None]: ...

    def count_active(self, user: str, since: float) -> int: ...


class SpeechTasks:
    """The task operations over a :class:`SpeechService`, a store, SQS and S3."""

    def __init__(
        self,
        speech: SpeechService,
        store: TaskStore,
        *,
        queue_url: str,
        bucket: str,
        region: str,
        sqs: "SQSClient | None" = None,
        s3: "S3Client | None" = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.speech = speech
        self.store = store
        self.queue_url = queue_url
        self.bucket = bucket
        self.region = region
        self._sqs = sqs
        self._s3 = s3
        self.clock = clock

    @property
    def sqs(self) -> "SQSClient":
        if self._sqs is None:
            import boto3

            self._sqs = boto3.client("sqs", region_name=self.region)
        return self._sqs

    @property
    def s3(self) -> "S3Client":
        if self._s3 is None:
            import boto3

            self._s3 = boto3.client("s3", region_name=self.region)
        return self._s3

    # ------------------------------------------------------------ the API

    def start(self, body: Mapping[str, Any], *, owner: SpeechOwner) -> dict[str, Any]:
        """StartSpeechSynthesisTask: the new task, ``scheduled``, owned by ``owner`` (kept
        with the request; Polly's shape has no owner). Its object goes under
        ``synthesis/<owner's unit>/`` then the caller's prefix: apart from bulletins' voices
        and from other units' tasks."""
        bucket = body.get("OutputS3BucketName")
        if not isinstance(bucket, str) or not bucket:
            raise ValidationException(
                "1 validation error detected: Value at 'outputS3BucketName' failed to satisfy "
                "constraint: Member must not be null",
                field="OutputS3BucketName",
            )
        if not _BUCKET.match(bucket) or bucket != self.bucket:
            raise InvalidS3BucketException(
                f"The bucket {bucket} is not one this service may write to."
            )
        prefix = body.get("OutputS3KeyPrefix") or ""
        if not isinstance(prefix, str) or not _PREFIX.match(prefix):
            raise InvalidS3KeyException("The OutputS3KeyPrefix is not a valid S3 key prefix.")
        topic = body.get("SnsTopicArn")
        if topic is not None and (not isinstance(topic, str) or not _SNS_ARN.match(topic)):
            raise InvalidSnsTopicArnException("The SnsTopicArn is not an SNS topic ARN.")
        request = SynthesisRequest.from_polly(body)
        plan = self.speech.plan(request, task=True, owner=owner)
        active = self.store.count_active(owner.user, since=self.clock() - ACTIVE_WINDOW_S)
        if active >= MAX_ACTIVE_TASKS_PER_USER:
            raise TaskQuotaExceededException(
                translate("speech_task_quota", "en", limit=MAX_ACTIVE_TASKS_PER_USER)
            )
        task_id = str(uuid.uuid4())
        key = f"{OUTPUT_ROOT}{owner.unit}/{prefix}{task_id}.{plan.extension}"
        task: dict[str, Any] = {
            "TaskId": task_id,
            "TaskStatus": "scheduled",
            "OutputUri": f"https://s3.{self.region}.amazonaws.com/{bucket}/{key}",
            "CreationTime": round(self.clock(), 3),
            "RequestCharacters": plan.request_characters,
            "OutputFormat": request.output_format,
            "TextType": request.text_type,
            "VoiceId": request.voice_id,
        }
        optional = {
            "Engine": request.engine or plan.voice.supported_engines[0],
            "LanguageCode": request.language_code or plan.voice.language_code,
            "LexiconNames": list(request.lexicon_names) or None,
            "SampleRate": str(plan.sample_rate) if plan.format else None,
            "SpeechMarkTypes": list(request.speech_mark_types) or None,
            "SnsTopicArn": topic,
        }
        task.update({name: value for name, value in optional.items() if value is not None})
        members = (
            "Text",
            "TextType",
            "VoiceId",
            "OutputFormat",
            "SampleRate",
            "SpeechMarkTypes",
            "LexiconNames",
            "Engine",
            "LanguageCode",
        )
        stored_request = {name: body[name] for name in members if body.get(name) is not None}
        stored_request.update(
            {
                "Bucket": bucket,
                "Key": key,
                "RequestedBy": owner.user,
                "OwnerUnit": owner.unit,
                "OwnerPath": owner.path,
            }
        )
        self.store.create(StoredTask(task=task, request=stored_request))
        try:
            self.sqs.send_message(QueueUrl=self.queue_url, MessageBody=f'{{"task_id":"{task_id}"}}')
        except Exception as error:
            from nguon.observability import logger

            logger.exception("speech task not queued", extra={"task_id": task_id})
            self._fail(task_id, "scheduled", None, "The task could not be queued.")
            raise ServiceFailureException("The task could not be queued.") from error
        return task

    def get(self, task_id: str, owner: SpeechOwner) -> dict[str, Any]:
        """GetSpeechSynthesisTask: a task outside the caller's subtree is not found (as
        another AWS account's task is not)."""
        if not isinstance(task_id, str) or not _TASK_ID.match(task_id):
            raise InvalidTaskIdException(f"The TaskId {task_id!r} is not valid.")
        stored = self.store.get(task_id)
        if stored is None or not owner.holds(stored.request.get("OwnerPath") or ""):
            raise SynthesisTaskNotFoundException(f"Synthesis task not found: {task_id}")
        return stored.task

    def list(
        self,
        owner: SpeechOwner,
        status: str | None = None,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> dict[str, Any]:
        """ListSpeechSynthesisTasks: the tasks of the caller's subtree, newest first,
        ``MaxResults`` 1–100 (default 100)."""
        if status is not None and status not in STATUSES:
            raise ValidationException(
                f"Value '{status}' at 'status' failed to satisfy constraint: Member must "
                f"satisfy enum value set: [{', '.join(STATUSES)}]",
                field="Status",
            )
        size = 100 if max_results is None else max_results
        if not 1 <= size <= 100:
            raise ValidationException(
                f"Value '{max_results}' at 'maxResults' failed to satisfy constraint: Member "
                "must have value between 1 and 100",
                field="MaxResults",
            )
        tasks, token = self.store.page(
            status, size, next_token, within=owner.path, include_ownerless=owner.is_root
        )
        answer: dict[str, Any] = {"SynthesisTasks": tasks}
        if token:
            answer["NextToken"] = token
        return answer

    # ------------------------------------------------------------ the worker

    def run(self, task_id: str) -> str:
        """Read one task into S3; the outcome (``completed``, ``failed``, ``skipped``...)."""
        stored = self.store.get(task_id)
        if stored is None:
            return "missing"
        now = self.clock()
        if stored.status in ("completed", "failed"):
            return "skipped"
        if stored.status == "inProgress" and leases.is_live(stored.started_at, now):
            raise TaskBusy(task_id)
        expected_started = stored.started_at if stored.status == "inProgress" else None

        def claim(task: StoredTask) -> None:
            task.task["TaskStatus"] = "inProgress"
            task.started_at = now
            task.attempts += 1

        claimed = self.store.change(
            task_id,
            expected_status=stored.status,
            expected_started_at=expected_started,
            update=claim,
        )
        if claimed is None:
            return "skipped"  # another worker claimed it between our read and write
        try:
            self._read(claimed)
        except Exception as error:
            permanent = isinstance(error, SpeechError) and error.status < 500
            if permanent or claimed.attempts >= MAX_ATTEMPTS:
                # The request cannot be read (Polly fails the task with the reason), or an
                # engine, ffmpeg or S3 kept failing.
                reason = error.message if isinstance(error, SpeechError) else "An internal error."
                self._fail(task_id, "inProgress", now, reason)
                return "failed"

            def release(task: StoredTask) -> None:
                task.task["TaskStatus"] = "scheduled"
                task.started_at = 0

            self.store.change(
                task_id, expected_status="inProgress", expected_started_at=now, update=release
            )
            raise

        def complete(task: StoredTask) -> None:
            task.task["TaskStatus"] = "completed"
            task.task.pop("TaskStatusReason", None)

        self.store.change(
            task_id, expected_status="inProgress", expected_started_at=now, update=complete
        )
        return "completed"

    def _read(self, stored: StoredTask) -> None:
        request = SynthesisRequest.from_polly(stored.request)
        plan = self.speech.plan(request, task=True)
        last = [0.0]

        def progress(done: int, total: int) -> None:
            if self.clock() - last[0] >= PROGRESS_EVERY_S:
                last[0] = self.clock()
                from nguon.observability import logger

                logger.info(
                    "speech task progress",
                    extra={"task_id": stored.task_id, "done": done, "total": total},
                )

        with tempfile.TemporaryFile() as out:
            self.speech.render(plan, out, progress)
            out.seek(0)
            self.s3.upload_fileobj(
                out,
                stored.request["Bucket"],
                stored.request["Key"],
                ExtraArgs={"ContentType": plan.content_type},
            )

    def _fail(self, task_id: str, status: str, started_at: float | None, reason: str) -> None:
        def fail(task: StoredTask) -> None:
            task.task["TaskStatus"] = "failed"
            task.task["TaskStatusReason"] = reason

        self.store.change(
            task_id, expected_status=status, expected_started_at=started_at, update=fail
        )
