"""Training (đào tạo, bồi dưỡng): courses of lessons with a quiz, enrolments, attempts, the
records that prove a course was taken, and a discussion board per course.

The quiz's right answers live only in :class:`Quiz` (stored); every view sent to a learner
(:class:`CourseView`, :class:`AttemptView`) is built without them, so they never reach a
browser before the attempt is submitted.
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from nguon.models.units import UnitCode

COURSE_ID_PATTERN = r"^c-[0-9a-f]{1,32}$"
MEDIA_ID_PATTERN = r"^[A-Za-z0-9-]{1,64}$"

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20_000)]
Username = Annotated[str, StringConstraints(pattern=r"^\S{1,128}$")]


class CourseLevel(StrEnum):
    """Whose staff the course is for: cán bộ cấp tỉnh, cấp huyện, cấp xã."""

    PROVINCE = "province"
    DISTRICT = "district"
    COMMUNE = "commune"


class CourseMode(StrEnum):
    ONLINE = "online"
    OFFLINE = "offline"


class LessonKind(StrEnum):
    TEXT = "text"
    DOCUMENT = "document"
    AUDIO = "audio"
    VIDEO = "video"


class LessonInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Text
    kind: LessonKind
    text: LongText | None = None
    """The lesson itself (``text``) or a note beside the document or clip."""
    media_id: Annotated[str, StringConstraints(pattern=MEDIA_ID_PATTERN)] | None = None
    """A media library item (the signed upload path), ready; for document, audio and video."""

    @model_validator(mode="after")
    def _content(self) -> Self:
        if self.kind is LessonKind.TEXT and not self.text:
            raise ValueError("a text lesson needs its text")
        if self.kind is not LessonKind.TEXT and not self.media_id:
            raise ValueError("a document, audio or video lesson needs a media_id")
        return self


class Lesson(LessonInput):
    id: str


class QuestionInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
    options: list[Text] = Field(min_length=2, max_length=8)
    correct: list[Annotated[int, Field(ge=0, le=7)]] = Field(min_length=1, max_length=8)
    """Positions in ``options`` of the right answers (one or several)."""

    @model_validator(mode="after")
    def _answers(self) -> Self:
        if len(set(self.correct)) != len(self.correct):
            raise ValueError("correct lists an option twice")
        if any(position >= len(self.options) for position in self.correct):
            raise ValueError("correct names an option that does not exist")
        if len(self.correct) == len(self.options):
            raise ValueError("at least one option must be wrong")
        return self


class Question(QuestionInput):
    id: str


class QuizInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    questions: list[QuestionInput] = Field(min_length=1, max_length=50)
    pass_mark: int = Field(ge=1, le=100, description="Điểm đạt (%) / pass mark (%)")
    attempts_limit: int = Field(ge=1, le=10)


class Quiz(BaseModel):
    questions: list[Question]
    pass_mark: int
    attempts_limit: int


class CourseInput(BaseModel):
    """The body of ``POST /training/courses``."""

    model_config = ConfigDict(extra="forbid")

    title: Text
    provider: Text
    hours: float = Field(gt=0, le=1000)
    level: CourseLevel
    mode: CourseMode = CourseMode.ONLINE
    owner_unit: UnitCode | None = None
    """The unit that runs the course (default: the author's); its staff and those below take it."""
    description: LongText = ""
    lessons: list[LessonInput] = Field(min_length=1, max_length=100)
    quiz: QuizInput | None = None


class Course(BaseModel):
    """A course as stored (the quiz with its answers)."""

    id: str
    title: str
    provider: str
    hours: float
    level: CourseLevel
    mode: CourseMode
    owner_unit: UnitCode
    owner_path: list[str]
    """The owner's ancestors and itself, root first."""
    description: str
    lessons: list[Lesson]
    quiz: Quiz | None
    created_at: datetime
    created_by: str


class QuizSummary(BaseModel):
    questions: int
    pass_mark: int
    attempts_limit: int


class LessonMedia(BaseModel):
    id: str
    content_type: str
    status: str
    duration_s: float | None = None
    url: str | None = None
    """A signed link to the playable variant (or the document) while it is ready."""


class LessonView(BaseModel):
    id: str
    title: str
    kind: LessonKind
    text: str | None
    media: LessonMedia | None = None
    done: bool = False


class CourseSummary(BaseModel):
    id: str
    title: str
    provider: str
    hours: float
    level: CourseLevel
    mode: CourseMode
    owner_unit: str
    lessons: int
    has_quiz: bool


class CourseView(CourseSummary):
    """``GET /training/courses/{id}``: never the quiz's answers."""

    description: str
    lesson_list: list[LessonView]
    quiz: QuizSummary | None
    enrolment: "EnrolmentView | None" = None
    may_moderate: bool = False


class CourseList(BaseModel):
    items: list[CourseSummary]


class EnrolmentStatus(StrEnum):
    ENROLLED = "enrolled"
    COMPLETED = "completed"


class Enrolment(BaseModel):
    course_id: str
    username: str
    unit: str
    enrolled_at: datetime
    assigned_by: str | None = None
    lessons_done: list[str] = []
    attempts_used: int = 0
    open_attempt: int | None = None
    status: EnrolmentStatus = EnrolmentStatus.ENROLLED
    completed_at: datetime | None = None
    best_score: float | None = None
    version: int = 1


class EnrolmentView(BaseModel):
    course_id: str
    course_title: str | None = None
    username: str
    unit: str
    enrolled_at: datetime
    assigned_by: str | None
    lessons_done: list[str]
    attempts_used: int
    attempts_limit: int | None
    status: EnrolmentStatus
    completed_at: datetime | None
    best_score: float | None


class Assignment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    usernames: list[Username] = Field(min_length=1, max_length=100)


class AssignmentResult(BaseModel):
    enrolled: list[str]
    already: list[str]


class AttemptQuestion(BaseModel):
    question_id: str
    option_order: list[int]
    """Shown position → the option's position in the course (this attempt's shuffle)."""


class Attempt(BaseModel):
    """One go at a quiz, as stored: the order shown, and after submission the grade."""

    course_id: str
    username: str
    number: int
    started_at: datetime
    questions: list[AttemptQuestion]
    submitted_at: datetime | None = None
    answers: dict[str, list[int]] | None = None
    score: float | None = None
    passed: bool | None = None


class ShownOption(BaseModel):
    id: int
    """The option's position as shown in this attempt (what the submission names)."""
    text: str


class ShownQuestion(BaseModel):
    id: str
    text: str
    multiple: bool
    """Several options are right (check boxes, not radio buttons)."""
    options: list[ShownOption]


class AttemptView(BaseModel):
    """An attempt as the learner sees it before submitting: no ``correct`` anywhere."""

    course_id: str
    number: int
    started_at: datetime
    attempts_limit: int
    pass_mark: int
    questions: list[ShownQuestion]


class Submission(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answers: dict[
        Annotated[str, StringConstraints(max_length=16)],
        list[Annotated[int, Field(ge=0, le=7)]],
    ] = Field(max_length=50)
    """Question id → the shown positions chosen (an unanswered question scores nothing)."""


class AttemptResult(BaseModel):
    course_id: str
    number: int
    score: float
    """Percent of questions answered exactly right."""
    pass_mark: int
    passed: bool
    right: dict[str, bool]
    attempts_used: int
    attempts_left: int
    completed: bool
    record_id: str | None = None


class RecordSource(StrEnum):
    ONLINE = "online"
    """A course passed on the system."""
    IMPORT = "import"
    """A training provider's CSV."""
    MANUAL = "manual"


class RecordInput(BaseModel):
    """A course taken elsewhere, entered by hand (``POST /training/records``)."""

    model_config = ConfigDict(extra="forbid")

    username: Username | None = None
    full_name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""
    unit: UnitCode
    course_title: Text
    provider: Text
    hours: float = Field(gt=0, le=1000)
    completed_on: date
    result: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
    online: bool = False

    @model_validator(mode="after")
    def _who(self) -> Self:
        if not self.username and not self.full_name:
            raise ValueError("give the username or the full name")
        return self


class TrainingRecord(BaseModel):
    id: str
    username: str | None
    full_name: str
    unit: str
    path: list[str]
    course_title: str
    provider: str
    hours: float
    completed_on: date
    result: str
    online: bool
    source: RecordSource
    course_id: str | None = None
    recorded_at: datetime
    recorded_by: str


class RecordList(BaseModel):
    items: list[TrainingRecord]


class ImportRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit: UnitCode
    """Every row's unit must lie in this unit's area (the importer's scope)."""
    csv: Annotated[str, StringConstraints(min_length=1, max_length=1_000_000)]


class RowError(BaseModel):
    row: int
    """The CSV line number (the header is line 1)."""
    column: str
    code: str
    message: str
    """Vietnamese / English."""


class ImportResult(BaseModel):
    rows: int
    stored: int
    records: list[str]
    errors: list[RowError]


class MyTraining(BaseModel):
    enrolments: list[EnrolmentView]
    records: list[TrainingRecord]


class StaffStatus(BaseModel):
    username: str
    name: str
    unit: str
    unit_name: str
    level: str
    trained: bool
    records: int


class StaffList(BaseModel):
    unit: str
    trained: int
    total: int
    items: list[StaffStatus]


class PostInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
    reply_to: Annotated[str, StringConstraints(pattern=r"^p-[0-9a-f]{1,32}$")] | None = None


class Post(BaseModel):
    id: str
    course_id: str
    author: str
    unit: str
    text: str
    reply_to: str | None
    created_at: datetime
    hidden: bool = False
    hidden_by: str | None = None


class PostList(BaseModel):
    items: list[Post]
    may_moderate: bool


CourseView.model_rebuild()
