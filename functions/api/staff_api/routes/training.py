"""Training: ``/training/courses`` (courses, enrolment, lessons, the quiz, the board),
``/training/records`` (records, by hand and from a provider's CSV), ``/training/me`` and
``/training/staff`` (who is and is not trained)."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from nguon.models.training import (
    COURSE_ID_PATTERN,
    Assignment,
    AssignmentResult,
    AttemptResult,
    AttemptView,
    CourseInput,
    CourseList,
    CourseView,
    EnrolmentView,
    ImportRequest,
    ImportResult,
    MyTraining,
    Post,
    PostInput,
    PostList,
    RecordInput,
    RecordList,
    StaffList,
    Submission,
    TrainingRecord,
)
from nguon.models.units import UNIT_CODE_PATTERN
from staff_api.dependencies import Caller, Training
from staff_api.errors import error_responses

router = APIGatewayRouter()

CoursePath = Annotated[
    str, Path(pattern=COURSE_ID_PATTERN, description="Mã khóa học, ví dụ c-3f9a1c2b4d5e")
]
LessonPath = Annotated[str, Path(pattern=r"^l[0-9]{1,3}$", description="Mã bài học, ví dụ l1")]
PostPath = Annotated[str, Path(pattern=r"^p-[0-9a-f]{1,32}$", description="Mã bài viết")]
AttemptPath = Annotated[int, Path(ge=1, le=10, description="Lượt làm bài (1, 2, …)")]
UnitQuery = Annotated[str, Query(pattern=UNIT_CODE_PATTERN, description="Mã đơn vị")]
TAGS = ["training"]


@router.post(
    "/training/courses",
    summary="Tạo khóa học (bài học, bài kiểm tra) / Create a course (lessons, quiz)",
    tags=TAGS,
    status_code=201,
    responses=error_responses(401, 403, 404, 409, body=True, success=201),
)
def create_course(
    caller: Caller, training: Training, course: Annotated[CourseInput, Body()]
) -> CourseView:
    return training.create_course(caller, course)


@router.get(
    "/training/courses",
    summary="Khóa học dành cho cán bộ của đơn vị / Courses for a unit's staff",
    tags=TAGS,
    responses=error_responses(401, 403, 404),
)
def list_courses(caller: Caller, training: Training, unit: UnitQuery | None = None) -> CourseList:
    return training.list_courses(caller, unit)


@router.get(
    "/training/courses/<course_id>",
    summary="Một khóa học (không kèm đáp án) / A course (never the answers)",
    tags=TAGS,
    responses=error_responses(401, 403, 404),
)
def get_course(caller: Caller, training: Training, course_id: CoursePath) -> CourseView:
    return training.course(caller, course_id)


@router.post(
    "/training/courses/<course_id>/enrol",
    summary="Ghi danh học / Enrol oneself",
    tags=TAGS,
    responses=error_responses(401, 403, 404, 409),
)
def enrol(caller: Caller, training: Training, course_id: CoursePath) -> EnrolmentView:
    return training.enrol(caller, course_id)


@router.post(
    "/training/courses/<course_id>/assign",
    summary="Giao khóa học cho cán bộ trong địa bàn / Assign the course to staff of one's area",
    tags=TAGS,
    responses=error_responses(401, 403, 404, body=True),
)
def assign(
    caller: Caller,
    training: Training,
    course_id: CoursePath,
    assignment: Annotated[Assignment, Body()],
) -> AssignmentResult:
    return training.assign(caller, course_id, assignment)


@router.post(
    "/training/courses/<course_id>/lessons/<lesson_id>/done",
    summary="Đánh dấu đã học xong bài / Mark a lesson done",
    tags=TAGS,
    responses=error_responses(401, 403, 404, 409),
)
def lesson_done(
    caller: Caller, training: Training, course_id: CoursePath, lesson_id: LessonPath
) -> EnrolmentView:
    return training.lesson_done(caller, course_id, lesson_id)


@router.post(
    "/training/courses/<course_id>/attempts",
    summary=(
        "Bắt đầu làm bài kiểm tra (câu hỏi xáo trộn, không kèm đáp án) / "
        "Start a quiz attempt (shuffled, no answers)"
    ),
    tags=TAGS,
    responses=error_responses(401, 403, 404, 409),
)
def start_attempt(caller: Caller, training: Training, course_id: CoursePath) -> AttemptView:
    return training.start_attempt(caller, course_id)


@router.post(
    "/training/courses/<course_id>/attempts/<number>/submit",
    summary="Nộp bài, máy chủ chấm / Submit; the server grades",
    tags=TAGS,
    responses=error_responses(401, 403, 404, 409, body=True),
)
def submit_attempt(
    caller: Caller,
    training: Training,
    course_id: CoursePath,
    number: AttemptPath,
    submission: Annotated[Submission, Body()],
) -> AttemptResult:
    return training.submit(caller, course_id, number, submission)


@router.get(
    "/training/courses/<course_id>/posts",
    summary="Diễn đàn của khóa học / The course's discussion board",
    tags=TAGS,
    responses=error_responses(401, 403, 404),
)
def list_posts(caller: Caller, training: Training, course_id: CoursePath) -> PostList:
    return training.posts(caller, course_id)


@router.post(
    "/training/courses/<course_id>/posts",
    summary="Đặt câu hỏi hoặc trả lời / Ask or reply",
    tags=TAGS,
    status_code=201,
    responses=error_responses(401, 403, 404, body=True, success=201),
)
def add_post(
    caller: Caller, training: Training, course_id: CoursePath, post: Annotated[PostInput, Body()]
) -> Post:
    return training.add_post(caller, course_id, post)


@router.post(
    "/training/courses/<course_id>/posts/<post_id>/hide",
    summary="Ẩn bài viết (đơn vị chủ trì) / Hide a post (the owner unit moderates)",
    tags=TAGS,
    responses=error_responses(401, 403, 404),
)
def hide_post(caller: Caller, training: Training, course_id: CoursePath, post_id: PostPath) -> Post:
    return training.hide_post(caller, course_id, post_id)


@router.delete(
    "/training/courses/<course_id>/posts/<post_id>",
    summary="Xóa bài viết (đơn vị chủ trì) / Delete a post (the owner unit moderates)",
    tags=TAGS,
    responses=error_responses(401, 403, 404),
)
def delete_post(
    caller: Caller, training: Training, course_id: CoursePath, post_id: PostPath
) -> Post:
    return training.delete_post(caller, course_id, post_id)


@router.get(
    "/training/me",
    summary="Khóa học và hồ sơ đào tạo của tôi / My courses and training records",
    tags=TAGS,
    responses=error_responses(401, 403),
)
def my_training(caller: Caller, training: Training) -> MyTraining:
    return training.mine(caller)


@router.get(
    "/training/records",
    summary="Hồ sơ đào tạo của cán bộ trong địa bàn / Training records of an area's staff",
    tags=TAGS,
    responses=error_responses(401, 403, 404),
)
def list_records(caller: Caller, training: Training, unit: UnitQuery) -> RecordList:
    return training.records(caller, unit)


@router.post(
    "/training/records",
    summary="Nhập tay hồ sơ khóa học nơi khác / Enter a course taken elsewhere",
    tags=TAGS,
    status_code=201,
    responses=error_responses(401, 403, 404, 409, body=True, success=201),
)
def add_record(
    caller: Caller, training: Training, record: Annotated[RecordInput, Body()]
) -> TrainingRecord:
    return training.add_record(caller, record)


@router.post(
    "/training/records/import",
    summary=(
        "Nhập hồ sơ từ tệp CSV của đơn vị đào tạo (báo lỗi từng dòng) / "
        "Import a provider's CSV (errors per row)"
    ),
    tags=TAGS,
    responses=error_responses(401, 403, 404, body=True),
)
def import_records(
    caller: Caller, training: Training, request: Annotated[ImportRequest, Body()]
) -> ImportResult:
    return training.import_csv(caller, request)


@router.get(
    "/training/staff",
    summary=(
        "Cán bộ cấp huyện, cấp xã đã và chưa được đào tạo trực tuyến / "
        "District and commune staff trained online or not"
    ),
    tags=TAGS,
    responses=error_responses(401, 403, 404),
)
def staff(caller: Caller, training: Training, unit: UnitQuery) -> StaffList:
    return training.staff(caller, unit)
