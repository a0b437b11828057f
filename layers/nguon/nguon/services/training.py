"""Training: courses, self-study and self-test (tự học, tự thi), and the records that prove it.

- A course belongs to an owner unit; its staff and the staff of the units below take it, and
  the units above see it. Admins and approvers of the owner (or above) create it, assign it
  to staff of their area and moderate its discussion board.
- A quiz attempt's order (questions and options) is shuffled on the server and stored with
  the attempt; the learner answers by shown position; the server grades. Right answers are
  only in the stored course: no view a learner receives carries them.
- A passed attempt completes the enrolment and writes the training record in one transaction
  (the record on condition it does not exist: once per person and course). A failed attempt
  only counts against the limit.
- Records of courses taken elsewhere come from a provider's CSV (each row stored whole or
  reported with its line, column and message) or by hand. Stored records feed the
  ``staff_trained_online`` KPI through the stream counters (``nguon.services.stats``).
"""

import csv
import hashlib
import io
import random
import re
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import Protocol

from pydantic import BaseModel, ValidationError

from nguon import clock
from nguon.errors import Conflict, Forbidden, InvalidInput, NotFound
from nguon.i18n import translate
from nguon.models.kpis import KpiItem
from nguon.models.principal import Principal
from nguon.models.training import (
    Assignment,
    AssignmentResult,
    Attempt,
    AttemptQuestion,
    AttemptResult,
    AttemptView,
    Course,
    CourseInput,
    CourseList,
    CourseMode,
    CourseSummary,
    CourseView,
    Enrolment,
    EnrolmentStatus,
    EnrolmentView,
    ImportRequest,
    ImportResult,
    Lesson,
    LessonKind,
    LessonMedia,
    LessonView,
    MyTraining,
    Post,
    PostInput,
    PostList,
    Question,
    Quiz,
    QuizSummary,
    RecordInput,
    RecordList,
    RecordSource,
    RowError,
    ShownOption,
    ShownQuestion,
    StaffList,
    StaffStatus,
    Submission,
    TrainingRecord,
)
from nguon.models.units import UNIT_CODE_PATTERN, AdminUnit, UnitLevel
from nguon.services.access import Permission, authorize, permissions_of
from nguon.services.units import UnitService

IMPORT_MAX_ROWS = 5000
CSV_COLUMNS = (
    "username",
    "full_name",
    "unit",
    "course_title",
    "provider",
    "hours",
    "completed_on",
    "result",
    "online",
)
"""The import's columns (header row, any order; ``username`` or ``full_name``; ``online``
optional: có/không, yes/no, 1/0)."""
_REQUIRED = ("unit", "course_title", "provider", "hours", "completed_on", "result")
_YES = {"có", "co", "x", "yes", "y", "1", "true", "trực tuyến", "online"}
_NO = {"", "không", "khong", "no", "n", "0", "false", "trực tiếp", "offline"}


class StaffMember(BaseModel):
    """A staff account as the user pool knows it."""

    username: str
    name: str
    unit: str


class StaffDirectory(Protocol):
    def members(self) -> list[StaffMember]:
        """Every staff account with a home unit (the whole pool: Cognito cannot filter on a
        custom attribute, so the adapter pages once and keeps the list for a while)."""
        ...


class TrainingStore(Protocol):
    def create_course(self, course: Course) -> None: ...
    def get_course(self, course_id: str) -> Course | None: ...
    def courses(self) -> list[Course]: ...
    def enrolment(self, course_id: str, username: str) -> Enrolment | None: ...
    def save_enrolment(self, enrolment: Enrolment, expected_version: int | None) -> None:
        """Put on condition: new (``None``) or still at ``expected_version``; else Conflict."""
        ...

    def enrolments_of(self, username: str) -> list[Enrolment]: ...
    def start_attempt(self, enrolment: Enrolment, expected_version: int, attempt: Attempt) -> None:
        """The enrolment (at the version read) and the new attempt, in one transaction."""
        ...

    def attempt(self, course_id: str, username: str, number: int) -> Attempt | None: ...
    def finish_attempt(
        self,
        attempt: Attempt,
        enrolment: Enrolment,
        expected_version: int,
        record: TrainingRecord | None,
    ) -> None:
        """The graded attempt (still unsubmitted), the enrolment (at the version read) and
        the record (not existing), in one transaction; Conflict when any condition fails."""
        ...

    def put_record(self, record: TrainingRecord) -> bool:
        """Store on condition it does not exist; False when it did."""
        ...

    def records_of(self, username: str) -> list[TrainingRecord]: ...
    def records_under(self, path: Sequence[str]) -> list[TrainingRecord]: ...
    def add_post(self, post: Post) -> None: ...
    def posts(self, course_id: str) -> list[Post]: ...
    def save_post(self, post: Post) -> None: ...
    def delete_post(self, post: Post) -> None: ...


MediaLookup = Callable[[str], LessonMedia | None]
"""A media item's playable link (no scope check: the course grants it)."""
MediaCheck = Callable[[Principal, str], object]
"""Raises unless the author may attach the media item (in scope and ready)."""


def _folded(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def bilingual(code: str, /, **params: object) -> str:
    return f"{translate(code, 'vi', **params)} / {translate(code, 'en', **params)}"


class TrainingService:
    def __init__(
        self,
        units: UnitService,
        store: TrainingStore,
        directory: StaffDirectory,
        *,
        media: MediaLookup = lambda media_id: None,
        check_media: MediaCheck = lambda principal, media_id: None,
        now: clock.Clock = clock.now,
        rng: random.Random | None = None,
        new_id: Callable[[], str] = lambda: uuid.uuid4().hex[:12],
    ) -> None:
        self._units = units
        self._store = store
        self._directory = directory
        self._media = media
        self._check_media = check_media
        self._now = now
        self._rng = rng or random.SystemRandom()
        self._new_id = new_id

    # --- courses ----------------------------------------------------------------------------

    def create_course(self, principal: Principal, request: CourseInput) -> CourseView:
        owner = self._units.require(request.owner_unit or principal.home_unit)
        authorize(principal, Permission.TRAINING_MANAGE, owner)
        for lesson in request.lessons:
            if lesson.media_id:
                self._check_media(principal, lesson.media_id)
        quiz = None
        if request.quiz is not None:
            quiz = Quiz(
                questions=[
                    Question(id=f"q{n}", **question.model_dump())
                    for n, question in enumerate(request.quiz.questions, 1)
                ],
                pass_mark=request.quiz.pass_mark,
                attempts_limit=request.quiz.attempts_limit,
            )
        course = Course(
            id=f"c-{self._new_id()}",
            title=request.title,
            provider=request.provider,
            hours=request.hours,
            level=request.level,
            mode=request.mode,
            owner_unit=owner.code,
            owner_path=[*owner.ancestors, owner.code],
            description=request.description,
            lessons=[
                Lesson(id=f"l{n}", **lesson.model_dump())
                for n, lesson in enumerate(request.lessons, 1)
            ],
            quiz=quiz,
            created_at=self._now(),
            created_by=principal.username,
        )
        self._store.create_course(course)
        return self._view(principal, course, None)

    def list_courses(self, principal: Principal, unit: str | None = None) -> CourseList:
        """Courses for the staff of ``unit`` (default: home): run by it or a unit above it,
        and those run by units below it."""
        where = self._units.require(unit or principal.home_unit)
        authorize(principal, Permission.TRAINING_LEARN, where)
        found = [
            c
            for c in self._store.courses()
            if c.owner_unit in (*where.ancestors, where.code) or where.code in c.owner_path
        ]
        found.sort(key=lambda c: (c.title.casefold(), c.id))
        return CourseList(items=[_summary(c) for c in found])

    def course(self, principal: Principal, course_id: str) -> CourseView:
        course = self._visible(principal, course_id)
        return self._view(principal, course, self._store.enrolment(course_id, principal.username))

    def _visible(self, principal: Principal, course_id: str) -> Course:
        """The course, if the caller may take or watch it: its owner above or at the caller's
        home unit (a course for them), or inside the caller's area."""
        _require(principal, Permission.TRAINING_LEARN)
        course = self._store.get_course(course_id)
        if course is None:
            raise NotFound("course_not_found", course=course_id)
        home = self._units.require(principal.home_unit)
        if home.is_within(course.owner_unit) or home.code in course.owner_path:
            return course
        raise Forbidden("out_of_scope", unit=course.owner_unit, home_unit=principal.home_unit)

    def _may_manage(self, principal: Principal, course: Course) -> bool:
        return (
            Permission.TRAINING_MANAGE in permissions_of(principal)
            and principal.home_unit in course.owner_path
        )

    def _view(
        self, principal: Principal, course: Course, enrolment: Enrolment | None
    ) -> CourseView:
        done = set(enrolment.lessons_done) if enrolment else set()
        lessons = [
            LessonView(
                id=lesson.id,
                title=lesson.title,
                kind=lesson.kind,
                text=lesson.text,
                media=self._media(lesson.media_id) if lesson.media_id else None,
                done=lesson.id in done,
            )
            for lesson in course.lessons
        ]
        quiz = course.quiz
        return CourseView(
            **_summary(course).model_dump(),
            description=course.description,
            lesson_list=lessons,
            quiz=QuizSummary(
                questions=len(quiz.questions),
                pass_mark=quiz.pass_mark,
                attempts_limit=quiz.attempts_limit,
            )
            if quiz
            else None,
            enrolment=self._enrolment_view(enrolment, course) if enrolment else None,
            may_moderate=self._may_manage(principal, course),
        )

    # --- enrolment and progress -------------------------------------------------------------

    def _enrolled(self, principal: Principal, course: Course) -> Enrolment:
        """The caller's enrolment, enrolling them first (taking a course enrols)."""
        found = self._store.enrolment(course.id, principal.username)
        if found is not None:
            return found
        enrolment = Enrolment(
            course_id=course.id,
            username=principal.username,
            unit=principal.home_unit,
            enrolled_at=self._now(),
        )
        try:
            self._store.save_enrolment(enrolment, None)
        except Conflict:  # enrolled meanwhile (another tab): take that one
            again = self._store.enrolment(course.id, principal.username)
            if again is None:
                raise
            return again
        return enrolment

    def enrol(self, principal: Principal, course_id: str) -> EnrolmentView:
        course = self._visible(principal, course_id)
        return self._enrolment_view(self._enrolled(principal, course), course)

    def assign(self, principal: Principal, course_id: str, request: Assignment) -> AssignmentResult:
        _require(principal, Permission.TRAINING_MANAGE)
        course = self._visible(principal, course_id)
        members = {m.username: m for m in self._directory.members()}
        enrolled, already = [], []
        for username in dict.fromkeys(request.usernames):
            member = members.get(username)
            if member is None:
                raise NotFound("user_not_found", username=username)
            unit = self._units.require(member.unit)
            authorize(principal, Permission.TRAINING_MANAGE, unit)
            if not unit.is_within(course.owner_unit):
                raise InvalidInput(
                    "course_not_for_unit", course=course.id, unit=unit.code, username=username
                )
            if self._store.enrolment(course.id, username) is not None:
                already.append(username)
                continue
            enrolment = Enrolment(
                course_id=course.id,
                username=username,
                unit=unit.code,
                enrolled_at=self._now(),
                assigned_by=principal.username,
            )
            try:
                self._store.save_enrolment(enrolment, None)
                enrolled.append(username)
            except Conflict:
                already.append(username)
        return AssignmentResult(enrolled=enrolled, already=already)

    def lesson_done(self, principal: Principal, course_id: str, lesson_id: str) -> EnrolmentView:
        course = self._visible(principal, course_id)
        if lesson_id not in {lesson.id for lesson in course.lessons}:
            raise NotFound("lesson_not_found", course=course_id, lesson=lesson_id)
        enrolment = self._enrolled(principal, course)
        if lesson_id not in enrolment.lessons_done:
            updated = enrolment.model_copy(
                update={
                    "lessons_done": [*enrolment.lessons_done, lesson_id],
                    "version": enrolment.version + 1,
                }
            )
            self._store.save_enrolment(updated, enrolment.version)
            enrolment = updated
        return self._enrolment_view(enrolment, course)

    def _enrolment_view(self, enrolment: Enrolment, course: Course | None) -> EnrolmentView:
        return EnrolmentView(
            course_id=enrolment.course_id,
            course_title=course.title if course else None,
            username=enrolment.username,
            unit=enrolment.unit,
            enrolled_at=enrolment.enrolled_at,
            assigned_by=enrolment.assigned_by,
            lessons_done=enrolment.lessons_done,
            attempts_used=enrolment.attempts_used,
            attempts_limit=course.quiz.attempts_limit if course and course.quiz else None,
            status=enrolment.status,
            completed_at=enrolment.completed_at,
            best_score=enrolment.best_score,
        )

    # --- the quiz ---------------------------------------------------------------------------

    def start_attempt(self, principal: Principal, course_id: str) -> AttemptView:
        """A new attempt, shuffled; the open one again if the learner has one (a reload does
        not spend an attempt)."""
        course = self._visible(principal, course_id)
        quiz = _quiz(course)
        enrolment = self._enrolled(principal, course)
        if enrolment.status is EnrolmentStatus.COMPLETED:
            raise Conflict("course_completed", course=course.id)
        if enrolment.open_attempt is not None:
            existing = self._store.attempt(course.id, principal.username, enrolment.open_attempt)
            if existing is not None and existing.submitted_at is None:
                return _shown(existing, course, quiz)
        if enrolment.attempts_used >= quiz.attempts_limit:
            raise Conflict("attempts_exhausted", course=course.id, limit=quiz.attempts_limit)
        number = enrolment.attempts_used + 1
        questions = list(quiz.questions)
        self._rng.shuffle(questions)
        order = []
        for question in questions:
            positions = list(range(len(question.options)))
            self._rng.shuffle(positions)
            order.append(AttemptQuestion(question_id=question.id, option_order=positions))
        attempt = Attempt(
            course_id=course.id,
            username=principal.username,
            number=number,
            started_at=self._now(),
            questions=order,
        )
        updated = enrolment.model_copy(
            update={
                "attempts_used": number,
                "open_attempt": number,
                "version": enrolment.version + 1,
            }
        )
        self._store.start_attempt(updated, enrolment.version, attempt)
        return _shown(attempt, course, quiz)

    def submit(
        self, principal: Principal, course_id: str, number: int, submission: Submission
    ) -> AttemptResult:
        course = self._visible(principal, course_id)
        quiz = _quiz(course)
        attempt = self._store.attempt(course.id, principal.username, number)
        if attempt is None:
            raise NotFound("attempt_not_found", course=course.id, attempt=number)
        if attempt.submitted_at is not None:
            raise Conflict("attempt_submitted", attempt=number)
        enrolment = self._store.enrolment(course.id, principal.username)
        if enrolment is None:  # an attempt exists only with its enrolment
            raise NotFound("attempt_not_found", course=course.id, attempt=number)
        known = {q.question_id for q in attempt.questions}
        unknown = sorted(set(submission.answers) - known)
        if unknown:
            raise InvalidInput("quiz_unknown_question", question=unknown[0])
        by_id = {q.id: q for q in quiz.questions}
        right: dict[str, bool] = {}
        chosen: dict[str, list[int]] = {}
        for shown in attempt.questions:
            question = by_id[shown.question_id]
            picks = submission.answers.get(shown.question_id, [])
            if any(p >= len(shown.option_order) for p in picks):
                raise InvalidInput("quiz_unknown_option", question=shown.question_id)
            original = sorted({shown.option_order[p] for p in picks})
            chosen[shown.question_id] = original
            right[shown.question_id] = original == sorted(question.correct)
        score = round(100 * sum(right.values()) / len(attempt.questions), 1)
        passed = score >= quiz.pass_mark
        now = self._now()
        graded = attempt.model_copy(
            update={"submitted_at": now, "answers": chosen, "score": score, "passed": passed}
        )
        best = max(score, enrolment.best_score or 0.0)
        updated = enrolment.model_copy(
            update={
                "open_attempt": None,
                "best_score": best,
                "version": enrolment.version + 1,
                **({"status": EnrolmentStatus.COMPLETED, "completed_at": now} if passed else {}),
            }
        )
        record = self._online_record(principal, course, now, score) if passed else None
        self._store.finish_attempt(graded, updated, enrolment.version, record)
        return AttemptResult(
            course_id=course.id,
            number=number,
            score=score,
            pass_mark=quiz.pass_mark,
            passed=passed,
            right=right,
            attempts_used=updated.attempts_used,
            attempts_left=max(0, quiz.attempts_limit - updated.attempts_used),
            completed=passed,
            record_id=record.id if record else None,
        )

    def _online_record(
        self, principal: Principal, course: Course, when: datetime, score: float
    ) -> TrainingRecord:
        unit = self._units.require(principal.home_unit)
        member = next(
            (m for m in self._directory.members() if m.username == principal.username), None
        )
        return TrainingRecord(
            id=course.id,  # one record per person and course: the conditional put keeps it once
            username=principal.username,
            full_name=member.name if member else principal.username,
            unit=unit.code,
            path=[*unit.ancestors, unit.code],
            course_title=course.title,
            provider=course.provider,
            hours=course.hours,
            completed_on=_local(when),
            result=f"Đạt {score:g}% / passed {score:g}%",
            online=course.mode is CourseMode.ONLINE,
            source=RecordSource.ONLINE,
            course_id=course.id,
            recorded_at=when,
            recorded_by=principal.username,
        )

    # --- records ----------------------------------------------------------------------------

    def mine(self, principal: Principal) -> MyTraining:
        enrolments = self._store.enrolments_of(principal.username)
        courses = {e.course_id: self._store.get_course(e.course_id) for e in enrolments}
        return MyTraining(
            enrolments=[self._enrolment_view(e, courses.get(e.course_id)) for e in enrolments],
            records=sorted(
                self._store.records_of(principal.username),
                key=lambda r: (r.completed_on, r.id),
                reverse=True,
            ),
        )

    def records(self, principal: Principal, unit: str) -> RecordList:
        where = self._units.require(unit)
        authorize(principal, Permission.REPORTS_READ, where)
        found = self._store.records_under([*where.ancestors, where.code])
        found.sort(key=lambda r: (r.completed_on, r.id), reverse=True)
        return RecordList(items=found)

    def add_record(self, principal: Principal, request: RecordInput) -> TrainingRecord:
        where = self._units.require(request.unit)
        authorize(principal, Permission.TRAINING_MANAGE, where)
        username, name = self._who(request.username, request.full_name, where)
        record = self._record(principal, request, where, username, name, RecordSource.MANUAL)
        if not self._store.put_record(record):
            raise Conflict("record_exists", record=record.id)
        return record

    def _who(self, username: str | None, full_name: str, unit: AdminUnit) -> tuple[str, str]:
        """The staff account a record is for: by username, else by full name in the unit."""
        members = self._directory.members()
        if username:
            member = next((m for m in members if m.username == username), None)
            if member is None:
                raise InvalidInput("user_not_found", username=username)
            if member.unit != unit.code:
                raise InvalidInput("staff_unit_mismatch", username=username, unit=unit.code)
            return member.username, full_name or member.name
        wanted = _folded(full_name)
        named = [m for m in members if m.unit == unit.code and _folded(m.name) == wanted]
        if not named:
            raise InvalidInput("staff_not_found", name=full_name, unit=unit.code)
        if len(named) > 1:
            raise InvalidInput("staff_ambiguous", name=full_name, unit=unit.code)
        return named[0].username, named[0].name

    def _record(
        self,
        principal: Principal,
        request: RecordInput,
        unit: AdminUnit,
        username: str,
        name: str,
        source: RecordSource,
    ) -> TrainingRecord:
        # The same person, course and day is the same record: importing a file twice, or
        # entering by hand what a file brought, stores it once.
        key = "|".join((username, _folded(request.course_title), request.completed_on.isoformat()))
        return TrainingRecord(
            id=f"x-{hashlib.sha256(key.encode()).hexdigest()[:16]}",
            username=username,
            full_name=name,
            unit=unit.code,
            path=[*unit.ancestors, unit.code],
            course_title=request.course_title,
            provider=request.provider,
            hours=request.hours,
            completed_on=request.completed_on,
            result=request.result,
            online=request.online,
            source=source,
            recorded_at=self._now(),
            recorded_by=principal.username,
        )

    def import_csv(self, principal: Principal, request: ImportRequest) -> ImportResult:
        """Store each valid row; report each invalid one (line, column, message). A row is
        stored whole or not at all; one row's error never stops the others."""
        area = self._units.require(request.unit)
        authorize(principal, Permission.TRAINING_MANAGE, area)
        text = request.csv.lstrip("\ufeff")  # Excel's UTF-8 mark
        sample = text[:4096]
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
        reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
        header = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
        reader.fieldnames = header
        missing = [c for c in _REQUIRED if c not in header]
        if not ("username" in header or "full_name" in header):
            missing.append("username|full_name")
        if missing:
            raise InvalidInput("csv_missing_columns", columns=", ".join(missing))
        errors: list[RowError] = []
        stored: list[str] = []
        rows = 0
        for line, row in enumerate(reader, start=2):
            rows += 1
            if rows > IMPORT_MAX_ROWS:
                raise InvalidInput("csv_too_many_rows", limit=IMPORT_MAX_ROWS)
            cells = {k: (v or "").strip() for k, v in row.items() if k}
            if not any(cells.values()):
                continue  # a blank line
            problem = self._import_row(principal, area, cells)
            if isinstance(problem, RowError):
                errors.append(problem.model_copy(update={"row": line}))
            else:
                stored.append(problem)
        return ImportResult(rows=rows, stored=len(stored), records=stored, errors=errors)

    def _import_row(
        self, principal: Principal, area: AdminUnit, cells: dict[str, str]
    ) -> RowError | str:
        def error(at: str, code: str, /, **params: object) -> RowError:
            return RowError(row=0, column=at, code=code, message=bilingual(code, **params))

        for column in _REQUIRED:
            if not cells.get(column):
                return error(column, "csv_value_missing", column=column)
        if not cells.get("username") and not cells.get("full_name"):
            return error("username", "csv_value_missing", column="username|full_name")
        code = cells["unit"]
        if not re.match(UNIT_CODE_PATTERN, code):
            return error("unit", "unit_not_found", unit=code)
        unit = self._units.find(code)
        if unit is None:
            return error("unit", "unit_not_found", unit=code)
        if not unit.is_within(area.code):
            return error("unit", "out_of_scope", unit=code, home_unit=area.code)
        hours = _number(cells["hours"])
        if hours is None or not 0 < hours <= 1000:
            return error("hours", "csv_bad_hours", value=cells["hours"])
        completed = _day(cells["completed_on"])
        if completed is None:
            return error("completed_on", "csv_bad_date", value=cells["completed_on"])
        if completed > _local(self._now()):
            return error("completed_on", "csv_future_date", value=cells["completed_on"])
        online = cells.get("online", "").casefold()
        if online not in _YES | _NO:
            return error("online", "csv_bad_online", value=cells.get("online", ""))
        try:
            request = RecordInput(
                username=cells.get("username") or None,
                full_name=cells.get("full_name", ""),
                unit=code,
                course_title=cells["course_title"],
                provider=cells["provider"],
                hours=hours,
                completed_on=completed,
                result=cells["result"],
                online=online in _YES,
            )
        except ValidationError as invalid:
            first = invalid.errors()[0]
            column = str(first["loc"][0]) if first["loc"] else "row"
            return error(column, "csv_bad_value", column=column)
        try:
            username, name = self._who(request.username, request.full_name, unit)
        except InvalidInput as refused:
            column = "username" if request.username else "full_name"
            return error(column, refused.code, **refused.params)
        record = self._record(principal, request, unit, username, name, RecordSource.IMPORT)
        if not self._store.put_record(record):
            return error("course_title", "record_exists", record=record.id)
        return record.id

    # --- who is and is not trained ----------------------------------------------------------

    def staff_levels(
        self, unit: AdminUnit, communes: Iterable[AdminUnit]
    ) -> list[tuple[StaffMember, UnitLevel]]:
        """District and commune staff whose home unit lies in ``unit``'s area, with their
        tier (the plan's target counts these two tiers)."""
        commune_codes = {c.code for c in communes}
        district_codes: set[str] = set()
        if unit.level is UnitLevel.PROVINCE:  # a 2-level catalogue has no district tier
            district_codes = {c.ancestors[1] for c in communes if len(c.ancestors) >= 2}
        elif unit.level is UnitLevel.DISTRICT:
            district_codes = {unit.code}
        found = []
        for member in self._directory.members():
            if member.unit in commune_codes:
                found.append((member, UnitLevel.COMMUNE))
            elif member.unit in district_codes:
                found.append((member, UnitLevel.DISTRICT))
        return found

    def staff_count(self, unit: AdminUnit, communes: list[AdminUnit]) -> int:
        return len(self.staff_levels(unit, communes))

    def staff_items(self, unit: AdminUnit, communes: list[AdminUnit]) -> list[KpiItem]:
        """The list behind ``staff_trained_online``: each district and commune staff member,
        counted when they hold an online training record."""
        return [
            KpiItem(code=s.username, name=s.name, numerator=s.records, counted=s.trained)
            for s in self._staff(unit, communes)
        ]

    def _staff(self, unit: AdminUnit, communes: list[AdminUnit]) -> list[StaffStatus]:
        online: dict[str, int] = {}
        for record in self._store.records_under([*unit.ancestors, unit.code]):
            if record.online and record.username:
                online[record.username] = online.get(record.username, 0) + 1
        names = {c.code: c.name for c in communes}
        items = []
        for member, level in self.staff_levels(unit, communes):
            if member.unit not in names:
                found = self._units.find(member.unit)
                names[member.unit] = found.name if found else member.unit
            items.append(
                StaffStatus(
                    username=member.username,
                    name=member.name,
                    unit=member.unit,
                    unit_name=names[member.unit],
                    level=level.value,
                    trained=member.username in online,
                    records=online.get(member.username, 0),
                )
            )
        items.sort(key=lambda s: (s.trained, s.unit, _folded(s.name)))
        return items

    def staff(self, principal: Principal, unit: str) -> StaffList:
        where = self._units.require(unit)
        authorize(principal, Permission.REPORTS_READ, where)
        items = self._staff(where, self._units.communes_under(where.code))
        return StaffList(
            unit=where.code,
            trained=sum(1 for s in items if s.trained),
            total=len(items),
            items=items,
        )

    # --- the discussion board ---------------------------------------------------------------

    def posts(self, principal: Principal, course_id: str) -> PostList:
        course = self._visible(principal, course_id)
        moderator = self._may_manage(principal, course)
        posts = sorted(self._store.posts(course.id), key=lambda p: (p.created_at, p.id))
        shown = [
            p if not p.hidden or moderator or p.author == principal.username else _hidden(p)
            for p in posts
        ]
        return PostList(items=shown, may_moderate=moderator)

    def add_post(self, principal: Principal, course_id: str, request: PostInput) -> Post:
        course = self._visible(principal, course_id)
        if request.reply_to and request.reply_to not in {
            p.id for p in self._store.posts(course.id)
        }:
            raise NotFound("post_not_found", post=request.reply_to)
        post = Post(
            id=f"p-{self._new_id()}",
            course_id=course.id,
            author=principal.username,
            unit=principal.home_unit,
            text=request.text,
            reply_to=request.reply_to,
            created_at=self._now(),
        )
        self._store.add_post(post)
        return post

    def _moderated(self, principal: Principal, course_id: str, post_id: str) -> Post:
        _require(principal, Permission.TRAINING_MANAGE)
        course = self._visible(principal, course_id)
        authorize(principal, Permission.TRAINING_MANAGE, self._units.require(course.owner_unit))
        post = next((p for p in self._store.posts(course.id) if p.id == post_id), None)
        if post is None:
            raise NotFound("post_not_found", post=post_id)
        return post

    def hide_post(self, principal: Principal, course_id: str, post_id: str) -> Post:
        post = self._moderated(principal, course_id, post_id)
        hidden = post.model_copy(update={"hidden": True, "hidden_by": principal.username})
        self._store.save_post(hidden)
        return hidden

    def delete_post(self, principal: Principal, course_id: str, post_id: str) -> Post:
        post = self._moderated(principal, course_id, post_id)
        self._store.delete_post(post)
        return post


def _require(principal: Principal, permission: Permission) -> None:
    """The role first: whether a course exists or lies in the area is told only to roles
    that may use it."""
    if permission not in permissions_of(principal):
        raise Forbidden("role_missing", permission=permission.value)


def _summary(course: Course) -> CourseSummary:
    return CourseSummary(
        id=course.id,
        title=course.title,
        provider=course.provider,
        hours=course.hours,
        level=course.level,
        mode=course.mode,
        owner_unit=course.owner_unit,
        lessons=len(course.lessons),
        has_quiz=course.quiz is not None,
    )


def _quiz(course: Course) -> Quiz:
    if course.quiz is None:
        raise Conflict("course_has_no_quiz", course=course.id)
    return course.quiz


def _shown(attempt: Attempt, course: Course, quiz: Quiz) -> AttemptView:
    by_id = {q.id: q for q in quiz.questions}
    questions = []
    for shown in attempt.questions:
        question = by_id[shown.question_id]
        questions.append(
            ShownQuestion(
                id=question.id,
                text=question.text,
                multiple=len(question.correct) > 1,
                options=[
                    ShownOption(id=position, text=question.options[original])
                    for position, original in enumerate(shown.option_order)
                ],
            )
        )
    return AttemptView(
        course_id=course.id,
        number=attempt.number,
        started_at=attempt.started_at,
        attempts_limit=quiz.attempts_limit,
        pass_mark=quiz.pass_mark,
        questions=questions,
    )


def _hidden(post: Post) -> Post:
    return post.model_copy(update={"text": ""})


def _local(moment: datetime) -> date:
    return moment.astimezone(clock.local_zone()).date()


def _number(text: str) -> float | None:
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return None


def _day(text: str) -> date | None:
    """``2025-11-20`` or the Vietnamese ``20/11/2025``."""
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text)
        found = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
        if found:
            return date(int(found[3]), int(found[2]), int(found[1]))
    except ValueError:
        return None
    return None


# LessonKind is part of the module's vocabulary for the media lookups' callers.
__all__ = ["CSV_COLUMNS", "LessonKind", "StaffMember", "TrainingService"]
