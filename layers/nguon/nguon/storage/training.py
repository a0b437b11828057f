"""Training in the table (:class:`nguon.services.training.TrainingStore`).

Key patterns (every item a JSON ``doc``):

- a course: PK ``COURSE#<id>`` SK ``COURSE``; GSI1PK ``COURSES`` GSI1SK ``<owner path>/<id>``
  (the province's courses are tens to hundreds: one query lists them, filtered by chain);
- an enrolment: PK ``COURSE#<id>`` SK ``ENROL#<username>`` (``version``); GSI1PK
  ``ENROLLED#<username>`` GSI1SK ``<course id>`` (a person's courses);
- a quiz attempt: PK ``COURSE#<id>`` SK ``ATTEMPT#<username>#<n:03>`` (``submitted``), put with
  its enrolment's update in one transaction; graded with the enrolment and the record in one;
- a training record: PK ``TRAINEE#<username>`` SK ``TRAINING#<record id>`` (put on condition
  it does not exist: a passed course's record is ``TRAINING#<course id>``, once); GSI1PK
  ``TRAINED`` GSI1SK ``<unit path>/<username>#<record id>`` (a subtree's records); the
  stream counts its INSERT (``nguon.services.stats``);
- a board post: PK ``COURSE#<id>`` SK ``POST#<post id>``.
"""

from collections.abc import Sequence

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.connection import Connection
from pynamodb.exceptions import PutError, TransactWriteError
from pynamodb.transactions import TransactWrite

from nguon.config import get_settings
from nguon.errors import Conflict
from nguon.models.training import Attempt, Course, Enrolment, Post, TrainingRecord
from nguon.storage.device_items import listing_key
from nguon.storage.table import Gsi1, TableItem, table_meta


class TrainingItem(TableItem):
    Meta = table_meta()

    doc = UnicodeAttribute()
    version = NumberAttribute(null=True)
    submitted = BooleanAttribute(null=True)
    gsi1pk = UnicodeAttribute(attr_name="GSI1PK", null=True)
    gsi1sk = UnicodeAttribute(attr_name="GSI1SK", null=True)
    index = Gsi1()


def _course(course: Course) -> TrainingItem:
    return TrainingItem(
        pk=f"COURSE#{course.id}",
        sk="COURSE",
        doc=course.model_dump_json(),
        gsi1pk="COURSES",
        gsi1sk=f"{listing_key(course.owner_path)}{course.id}",
    )


def _enrolment(enrolment: Enrolment) -> TrainingItem:
    return TrainingItem(
        pk=f"COURSE#{enrolment.course_id}",
        sk=f"ENROL#{enrolment.username}",
        doc=enrolment.model_dump_json(),
        version=enrolment.version,
        gsi1pk=f"ENROLLED#{enrolment.username}",
        gsi1sk=enrolment.course_id,
    )


def _attempt(attempt: Attempt) -> TrainingItem:
    return TrainingItem(
        pk=f"COURSE#{attempt.course_id}",
        sk=f"ATTEMPT#{attempt.username}#{attempt.number:03d}",
        doc=attempt.model_dump_json(),
        submitted=attempt.submitted_at is not None,
    )


def _record(record: TrainingRecord) -> TrainingItem:
    return TrainingItem(
        pk=f"TRAINEE#{record.username}",
        sk=f"TRAINING#{record.id}",
        doc=record.model_dump_json(),
        gsi1pk="TRAINED",
        gsi1sk=f"{listing_key(record.path)}{record.username}#{record.id}",
    )


def _post(post: Post) -> TrainingItem:
    return TrainingItem(
        pk=f"COURSE#{post.course_id}", sk=f"POST#{post.id}", doc=post.model_dump_json()
    )


def _failed(error: TransactWriteError) -> bool:
    return "ConditionalCheckFailed" in [r.code if r else None for r in error.cancellation_reasons]


def _enrolment_condition(expected_version: int | None):  # type: ignore[no-untyped-def]  # PynamoDB's Condition type is private
    if expected_version is None:
        return TrainingItem.pk.does_not_exist()
    return TrainingItem.version == expected_version


class DynamoTrainingStore:
    def __init__(self) -> None:
        self._connection = Connection(region=get_settings().region)

    def _get(self, pk: str, sk: str) -> str | None:
        try:
            return TrainingItem.get(pk, sk, consistent_read=True).doc
        except TrainingItem.DoesNotExist:
            return None

    def create_course(self, course: Course) -> None:
        _course(course).save(condition=TrainingItem.pk.does_not_exist())

    def get_course(self, course_id: str) -> Course | None:
        doc = self._get(f"COURSE#{course_id}", "COURSE")
        return Course.model_validate_json(doc) if doc else None

    def courses(self) -> list[Course]:
        return [Course.model_validate_json(i.doc) for i in TrainingItem.index.query("COURSES")]

    def enrolment(self, course_id: str, username: str) -> Enrolment | None:
        doc = self._get(f"COURSE#{course_id}", f"ENROL#{username}")
        return Enrolment.model_validate_json(doc) if doc else None

    def save_enrolment(self, enrolment: Enrolment, expected_version: int | None) -> None:
        try:
            _enrolment(enrolment).save(condition=_enrolment_condition(expected_version))
        except PutError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                raise Conflict("training_changed") from error
            raise

    def enrolments_of(self, username: str) -> list[Enrolment]:
        return [
            Enrolment.model_validate_json(i.doc)
            for i in TrainingItem.index.query(f"ENROLLED#{username}")
        ]

    def start_attempt(self, enrolment: Enrolment, expected_version: int, attempt: Attempt) -> None:
        try:
            with TransactWrite(connection=self._connection) as transaction:
                transaction.save(
                    _enrolment(enrolment), condition=_enrolment_condition(expected_version)
                )
                transaction.save(_attempt(attempt), condition=TrainingItem.pk.does_not_exist())
        except TransactWriteError as error:
            if _failed(error):
                raise Conflict("training_changed") from error
            raise

    def attempt(self, course_id: str, username: str, number: int) -> Attempt | None:
        doc = self._get(f"COURSE#{course_id}", f"ATTEMPT#{username}#{number:03d}")
        return Attempt.model_validate_json(doc) if doc else None

    def finish_attempt(
        self,
        attempt: Attempt,
        enrolment: Enrolment,
        expected_version: int,
        record: TrainingRecord | None,
    ) -> None:
        try:
            with TransactWrite(connection=self._connection) as transaction:
                transaction.save(_attempt(attempt), condition=TrainingItem.submitted == False)  # noqa: E712  # a PynamoDB condition, not a comparison
                transaction.save(
                    _enrolment(enrolment), condition=_enrolment_condition(expected_version)
                )
                if record is not None:
                    transaction.save(_record(record), condition=TrainingItem.pk.does_not_exist())
        except TransactWriteError as error:
            if _failed(error):
                raise Conflict("training_changed") from error
            raise

    def put_record(self, record: TrainingRecord) -> bool:
        try:
            _record(record).save(condition=TrainingItem.pk.does_not_exist())
        except PutError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def records_of(self, username: str) -> list[TrainingRecord]:
        return [
            TrainingRecord.model_validate_json(i.doc)
            for i in TrainingItem.query(
                f"TRAINEE#{username}", TrainingItem.sk.startswith("TRAINING#")
            )
        ]

    def records_under(self, path: Sequence[str]) -> list[TrainingRecord]:
        return [
            TrainingRecord.model_validate_json(i.doc)
            for i in TrainingItem.index.query(
                "TRAINED", TrainingItem.gsi1sk.startswith(listing_key(path))
            )
        ]

    def add_post(self, post: Post) -> None:
        _post(post).save(condition=TrainingItem.pk.does_not_exist())

    def posts(self, course_id: str) -> list[Post]:
        return [
            Post.model_validate_json(i.doc)
            for i in TrainingItem.query(f"COURSE#{course_id}", TrainingItem.sk.startswith("POST#"))
        ]

    def save_post(self, post: Post) -> None:
        _post(post).save()

    def delete_post(self, post: Post) -> None:
        _post(post).delete()
