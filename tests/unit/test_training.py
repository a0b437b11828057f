"""Training through the staff API in moto (the table, the user pool): a quiz graded on the
server, answers never sent before submission, a failed attempt that completes nothing, a
passed one that writes the record once and moves the ``staff_trained_online`` KPI, the
attempts limit, the CSV import's per-row report, and scope."""

import json
from datetime import timedelta

import boto3
import pytest

from nguon.config import get_settings
from tests.api_events import call
from tests.days import day_from_today, today
from tests.unit.api_world import world

PROVINCE_ADMIN = {"user": "tinh-admin", "groups": "admin", "unit": "52"}
COMMUNE_EDITOR = {"user": "xa-editor", "groups": "editor", "unit": "21550"}
OTHER_COMMUNE = {"user": "xa-khac", "groups": "editor", "unit": "21808"}
DISTRICT_APPROVER = {"user": "huyen-approver", "groups": "approver", "unit": "540"}
STAFF = (
    ("xa-editor", "Nguyễn Văn An", "21550"),
    ("xa-nhonphu", "Trần Thị Bình", "21553"),
    ("huyen-editor", "Lê Văn Cường", "540"),
    ("huyen-approver", "Phạm Thị Dung", "540"),
    ("xa-khac", "Võ Văn Em", "21808"),
)

QUIZ = {
    "questions": [
        {
            "text": "Bản tin khẩn cấp được phát khi nào?",
            "options": ["Chỉ buổi sáng", "Ngay khi được duyệt", "Cuối tuần"],
            "correct": [1],
        },
        {
            "text": "Những ai duyệt bản tin của phường?",
            "options": ["Lãnh đạo phường", "Người dân", "Lãnh đạo thành phố", "Nhà cung cấp"],
            "correct": [0, 2],
        },
    ],
    "pass_mark": 100,
    "attempts_limit": 3,
}
RIGHT = {"Bản tin khẩn cấp được phát khi nào?": {"Ngay khi được duyệt"}}
RIGHT["Những ai duyệt bản tin của phường?"] = {"Lãnh đạo phường", "Lãnh đạo thành phố"}


def api(who, method, path, **options):
    import app

    return call(
        app.lambda_handler,
        method,
        path,
        user=who["user"],
        groups=who["groups"],
        unit=who["unit"],
        **options,
    )


def course_body(title="Vận hành hệ thống thông tin nguồn", **changes):
    return {
        "title": title,
        "provider": "Sở Thông tin và Truyền thông",
        "hours": 8,
        "level": "commune",
        "mode": "online",
        "lessons": [
            {"title": "Giới thiệu", "kind": "text", "text": "Hệ thống thông tin nguồn là…"},
            {"title": "Quy trình duyệt", "kind": "text", "text": "Biên tập, duyệt, phát."},
        ],
        "quiz": QUIZ,
        **changes,
    }


def answers(attempt, right: bool):
    """Answer by the texts shown: all right, or the first question wrong."""
    chosen = {}
    for n, question in enumerate(attempt["questions"]):
        wanted = RIGHT[question["text"]]
        picks = [o["id"] for o in question["options"] if (o["text"] in wanted)]
        if not right and n == 0:
            picks = [o["id"] for o in question["options"] if o["text"] not in wanted][:1]
        chosen[question["id"]] = picks
    return {"answers": chosen}


def keys_of(value):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key
            yield from keys_of(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from keys_of(inner)


def trained_kpi(unit: str):
    status, board = api(PROVINCE_ADMIN, "GET", "/kpis", query={"unit": unit})
    assert status == 200, board
    found = next(i for i in board["indicators"] if i["id"] == "staff_trained_online")
    return found["numerator"], found["denominator"]


def count_stream():
    """Hand the table's training records to the statistics as the stream would."""
    from nguon.services.stats import StatsService
    from nguon.services.units import UnitService
    from nguon.storage.bulletins import DynamoBulletinStore
    from nguon.storage.stats import DynamoStatsStore
    from nguon.storage.units import DynamoUnitStore

    stats = StatsService(UnitService(DynamoUnitStore()), DynamoBulletinStore(), DynamoStatsStore())
    client = boto3.client("dynamodb", region_name=get_settings().region)
    added = 0
    for page in client.get_paginator("scan").paginate(TableName=get_settings().table_name):
        for item in page["Items"]:
            if item["SK"]["S"].startswith("TRAINING#"):
                keys = {"PK": item["PK"], "SK": item["SK"]}
                added += stats.record(
                    {"eventName": "INSERT", "dynamodb": {"Keys": keys, "NewImage": item}}
                )
    return added


@pytest.fixture(scope="module")
def place():
    with world():
        cognito = boto3.client("cognito-idp", region_name=get_settings().region)
        pool = get_settings().user_pool_id
        for username, name, unit in STAFF:
            attributes = [{"Name": "custom:unit", "Value": unit}, {"Name": "name", "Value": name}]
            try:
                cognito.admin_create_user(
                    UserPoolId=pool,
                    Username=username,
                    UserAttributes=attributes,
                    MessageAction="SUPPRESS",
                )
            except cognito.exceptions.UsernameExistsException:
                cognito.admin_update_user_attributes(
                    UserPoolId=pool, Username=username, UserAttributes=attributes
                )
        status, course = api(PROVINCE_ADMIN, "POST", "/training/courses", body=course_body())
        assert status == 201, course
        yield course


def test_a_course_never_carries_the_answers(place):
    status, course = api(COMMUNE_EDITOR, "GET", f"/training/courses/{place['id']}")
    assert status == 200, course
    assert "correct" not in set(keys_of(course))
    assert course["quiz"] == {"questions": 2, "pass_mark": 100, "attempts_limit": 3}
    status, listed = api(COMMUNE_EDITOR, "GET", "/training/courses")
    assert place["id"] in [c["id"] for c in listed["items"]]


def test_a_failed_attempt_completes_nothing_and_a_passed_one_writes_the_record_once(place):
    course = place["id"]
    before = trained_kpi("540")
    assert before[1] >= 3  # the district's own staff and its communes' (the user pool)

    status, attempt = api(COMMUNE_EDITOR, "POST", f"/training/courses/{course}/attempts")
    assert status == 200, attempt
    assert "correct" not in set(keys_of(attempt))  # the answers never reach the browser
    # A reload does not spend an attempt: the open one comes back in the order stored.
    status, again = api(COMMUNE_EDITOR, "POST", f"/training/courses/{course}/attempts")
    assert again == attempt

    status, failed = api(
        COMMUNE_EDITOR,
        "POST",
        f"/training/courses/{course}/attempts/{attempt['number']}/submit",
        body=answers(attempt, right=False),
    )
    assert status == 200, failed
    assert (failed["passed"], failed["completed"], failed["score"]) == (False, False, 50.0)
    assert failed["attempts_left"] == 2
    status, mine = api(COMMUNE_EDITOR, "GET", "/training/me")
    assert mine["records"] == []
    assert mine["enrolments"][0]["status"] == "enrolled"
    count_stream()
    assert trained_kpi("540") == before

    status, second = api(COMMUNE_EDITOR, "POST", f"/training/courses/{course}/attempts")
    assert second["number"] == 2
    status, passed = api(
        COMMUNE_EDITOR,
        "POST",
        f"/training/courses/{course}/attempts/2/submit",
        body=answers(second, right=True),
    )
    assert status == 200, passed
    assert (passed["passed"], passed["completed"], passed["score"]) == (True, True, 100.0)
    status, mine = api(COMMUNE_EDITOR, "GET", "/training/me")
    assert [r["course_id"] for r in mine["records"]] == [course]
    assert mine["records"][0]["full_name"] == "Nguyễn Văn An"
    assert mine["enrolments"][0]["status"] == "completed"

    assert count_stream() == 1
    assert count_stream() == 0  # a redelivered stream counts nothing again
    assert trained_kpi("540") == (before[0] + 1, before[1])
    assert trained_kpi("547")[0] == 0

    # Completed: no more attempts; a submitted attempt is not graded twice.
    status, refused = api(COMMUNE_EDITOR, "POST", f"/training/courses/{course}/attempts")
    assert (status, refused["code"]) == (409, "course_completed")
    status, refused = api(
        COMMUNE_EDITOR,
        "POST",
        f"/training/courses/{course}/attempts/2/submit",
        body=answers(second, right=True),
    )
    assert (status, refused["code"]) == (409, "attempt_submitted")

    # The list behind the KPI: who is and is not trained.
    status, staff = api(DISTRICT_APPROVER, "GET", "/training/staff", query={"unit": "540"})
    assert status == 200, staff
    trained = {s["username"]: s["trained"] for s in staff["items"]}
    assert trained["xa-editor"] is True
    assert trained["xa-nhonphu"] is False
    assert trained["huyen-editor"] is False
    assert "xa-khac" not in trained  # another district's commune
    # A commune's list is its own staff: not its district's.
    status, own = api(COMMUNE_EDITOR, "GET", "/training/staff", query={"unit": "21550"})
    assert (own["trained"], own["total"]) == (1, 1)
    assert trained_kpi("21550") == (1, 1)
    status, detail = api(PROVINCE_ADMIN, "GET", "/kpis/staff_trained_online", query={"unit": "540"})
    assert status == 200, detail
    assert {i["code"] for i in detail["items"] if i["counted"]} == {"xa-editor"}


def test_attempts_beyond_the_limit_are_refused_with_a_message(place):
    body = course_body("An toàn thông tin", quiz={**QUIZ, "attempts_limit": 1})
    status, course = api(DISTRICT_APPROVER, "POST", "/training/courses", body=body)
    assert status == 201, course
    path = f"/training/courses/{course['id']}/attempts"
    status, attempt = api(COMMUNE_EDITOR, "POST", path)
    status, result = api(
        COMMUNE_EDITOR, "POST", f"{path}/1/submit", body=answers(attempt, right=False)
    )
    assert (result["passed"], result["attempts_left"]) == (False, 0)
    status, refused = api(COMMUNE_EDITOR, "POST", path, **{"Accept-Language": "en"})
    assert (status, refused["code"]) == (409, "attempts_exhausted")
    assert "all 1 quiz attempts" in refused["message"]


def test_shuffles_differ_between_attempts_but_grading_follows_the_stored_order(place):
    body = course_body("Xáo trộn", quiz={**QUIZ, "attempts_limit": 10})
    status, course = api(PROVINCE_ADMIN, "POST", "/training/courses", body=body)
    learner = {"user": "xa-nhonphu", "groups": "viewer", "unit": "21553"}
    orders = set()
    path = f"/training/courses/{course['id']}/attempts"
    for number in range(1, 9):
        status, attempt = api(learner, "POST", path)
        assert (status, attempt["number"]) == (200, number)
        orders.add(json.dumps([[o["text"] for o in q["options"]] for q in attempt["questions"]]))
        _, result = api(
            learner, "POST", f"{path}/{number}/submit", body=answers(attempt, right=False)
        )
        assert (result["score"], result["passed"]) == (50.0, False)
    assert len(orders) > 1  # 3! × 4! × 2 orders: eight equal shuffles would be a broken rng


def test_the_csv_import_stores_valid_rows_and_reports_each_invalid_one(place):
    csv_text = "\n".join(
        [
            "username,full_name,unit,course_title,provider,hours,completed_on,result,online",
            f"huyen-editor,,540,Kỹ năng viết tin,Trường Chính trị,16,{day_from_today(-30)},Đạt,có",
            f",Trần Thị Bình,21553,Kỹ năng viết tin,Trường Chính trị,16,"
            f"{(today() - timedelta(days=20)).strftime('%d/%m/%Y')},Giỏi,không",
            ",Không Có Ai,21553,Kỹ năng viết tin,Trường Chính trị,16,2025-01-02,Đạt,",
            "xa-khac,,21808,Kỹ năng viết tin,Trường Chính trị,16,2025-01-02,Đạt,",
            "huyen-editor,,540,Kỹ năng viết tin,Trường Chính trị,mười,2025-01-02,Đạt,",
            "huyen-editor,,540,Kỹ năng viết tin,Trường Chính trị,4,31/02/2025,Đạt,",
            f"huyen-editor,,540,Kỹ năng viết tin,Trường Chính trị,4,{day_from_today(3)},Đạt,",
            "huyen-editor,,540,,Trường Chính trị,4,2025-01-02,Đạt,",
            "huyen-editor,,540,Khóa khác,Trường Chính trị,4,2025-01-02,Đạt,hơi hơi",
        ]
    )
    status, result = api(
        DISTRICT_APPROVER, "POST", "/training/records/import", body={"unit": "540", "csv": csv_text}
    )
    assert status == 200, result
    assert (result["rows"], result["stored"]) == (9, 2)
    errors = {(e["row"], e["column"], e["code"]) for e in result["errors"]}
    assert errors == {
        (4, "full_name", "staff_not_found"),
        (5, "unit", "out_of_scope"),
        (6, "hours", "csv_bad_hours"),
        (7, "completed_on", "csv_bad_date"),
        (8, "completed_on", "csv_future_date"),
        (9, "course_title", "csv_value_missing"),
        (10, "online", "csv_bad_online"),
    }
    message = next(e["message"] for e in result["errors"] if e["row"] == 6)
    assert "Số giờ" in message  # Vietnamese
    assert "Hours" in message  # and English
    # The same file again stores nothing twice: each stored row is reported as existing.
    status, again = api(
        DISTRICT_APPROVER, "POST", "/training/records/import", body={"unit": "540", "csv": csv_text}
    )
    assert again["stored"] == 0
    assert {(e["row"], e["code"]) for e in again["errors"]} >= {
        (2, "record_exists"),
        (3, "record_exists"),
    }
    status, records = api(DISTRICT_APPROVER, "GET", "/training/records", query={"unit": "540"})
    sources = {(r["username"], r["source"], r["online"]) for r in records["items"]}
    assert ("huyen-editor", "import", True) in sources
    assert ("xa-nhonphu", "import", False) in sources


def test_a_csv_without_the_columns_is_refused_whole(place):
    status, refused = api(
        DISTRICT_APPROVER,
        "POST",
        "/training/records/import",
        body={"unit": "540", "csv": "name;course\nAn;B\n"},
    )
    assert (status, refused["code"]) == (422, "csv_missing_columns")


def test_records_by_hand_and_scope(place):
    record = {
        "username": "xa-khac",
        "unit": "21808",
        "course_title": "Bồi dưỡng nghiệp vụ",
        "provider": "Bộ Thông tin và Truyền thông",
        "hours": 24,
        "completed_on": day_from_today(-100),
        "result": "Đạt",
        "online": True,
    }
    status, refused = api(DISTRICT_APPROVER, "POST", "/training/records", body=record)
    assert (status, refused["code"]) == (403, "out_of_scope")
    status, made = api(PROVINCE_ADMIN, "POST", "/training/records", body=record)
    assert status == 201, made
    status, again = api(PROVINCE_ADMIN, "POST", "/training/records", body=record)
    assert (status, again["code"]) == (409, "record_exists")
    # A commune cannot see another commune's records; its own unit and the province can.
    status, refused = api(COMMUNE_EDITOR, "GET", "/training/records", query={"unit": "21808"})
    assert (status, refused["code"]) == (403, "out_of_scope")
    status, own = api(OTHER_COMMUNE, "GET", "/training/records", query={"unit": "21808"})
    assert [r["course_title"] for r in own["items"]] == ["Bồi dưỡng nghiệp vụ"]
    status, province = api(PROVINCE_ADMIN, "GET", "/training/records", query={"unit": "52"})
    assert "Bồi dưỡng nghiệp vụ" in {r["course_title"] for r in province["items"]}
    # An editor may not enter records at all.
    status, refused = api(COMMUNE_EDITOR, "POST", "/training/records", body=record)
    assert (status, refused["code"]) == (403, "role_missing")


def test_a_course_of_another_district_is_out_of_scope(place):
    status, course = api(
        {"user": "ts-admin", "groups": "admin", "unit": "547"},
        "POST",
        "/training/courses",
        body=course_body("Khóa của Tây Sơn"),
    )
    assert status == 201, course
    status, refused = api(COMMUNE_EDITOR, "GET", f"/training/courses/{course['id']}")
    assert (status, refused["code"]) == (403, "out_of_scope")
    status, listed = api(COMMUNE_EDITOR, "GET", "/training/courses")
    assert course["id"] not in {c["id"] for c in listed["items"]}


def test_assignment_enrols_staff_of_the_area_only(place):
    course = place["id"]
    # xa-editor enrols first (again, if an earlier test did): this test needs no other's order.
    status, enrolled = api(COMMUNE_EDITOR, "POST", f"/training/courses/{course}/enrol")
    assert status in (200, 201), enrolled
    status, result = api(
        DISTRICT_APPROVER,
        "POST",
        f"/training/courses/{course}/assign",
        body={"usernames": ["xa-nhonphu", "xa-editor"]},
    )
    assert status == 200, result
    assert result == {"enrolled": ["xa-nhonphu"], "already": ["xa-editor"]}
    status, refused = api(
        DISTRICT_APPROVER,
        "POST",
        f"/training/courses/{course}/assign",
        body={"usernames": ["xa-khac"]},
    )
    assert (status, refused["code"]) == (403, "out_of_scope")


def test_lessons_marked_done(place):
    course = place["id"]
    status, enrolment = api(COMMUNE_EDITOR, "POST", f"/training/courses/{course}/lessons/l1/done")
    assert status == 200, enrolment
    assert enrolment["lessons_done"] == ["l1"]
    status, view = api(COMMUNE_EDITOR, "GET", f"/training/courses/{course}")
    assert [lesson["done"] for lesson in view["lesson_list"]] == [True, False]
    status, refused = api(COMMUNE_EDITOR, "POST", f"/training/courses/{course}/lessons/l9/done")
    assert (status, refused["code"]) == (404, "lesson_not_found")


def test_the_board_is_moderated_by_the_owner_unit(place):
    course = place["id"]
    path = f"/training/courses/{course}/posts"
    status, question = api(COMMUNE_EDITOR, "POST", path, body={"text": "Phát lại thế nào?"})
    assert status == 201, question
    status, reply = api(
        DISTRICT_APPROVER,
        "POST",
        path,
        body={"text": "Dùng lệnh phát lại.", "reply_to": question["id"]},
    )
    assert reply["reply_to"] == question["id"]
    # The district did not create the province's course: it may not moderate it.
    status, refused = api(DISTRICT_APPROVER, "POST", f"{path}/{question['id']}/hide")
    assert (status, refused["code"]) == (403, "out_of_scope")
    status, hidden = api(PROVINCE_ADMIN, "POST", f"{path}/{reply['id']}/hide")
    assert hidden["hidden"] is True
    status, seen = api(COMMUNE_EDITOR, "GET", path)
    texts = {p["id"]: p["text"] for p in seen["items"]}
    assert texts == {question["id"]: "Phát lại thế nào?", reply["id"]: ""}
    assert seen["may_moderate"] is False
    status, gone = api(PROVINCE_ADMIN, "DELETE", f"{path}/{question['id']}")
    assert status == 200, gone
    status, seen = api(PROVINCE_ADMIN, "GET", path)
    assert [p["id"] for p in seen["items"]] == [reply["id"]]
    assert seen["may_moderate"] is True


def test_bad_courses_are_422(place):
    bad_quiz = {**QUIZ, "questions": [{**QUIZ["questions"][0], "correct": [5]}]}
    for body in (
        course_body(quiz=bad_quiz),
        course_body(lessons=[{"title": "Video", "kind": "video"}]),
        course_body(hours=0),
    ):
        status, refused = api(PROVINCE_ADMIN, "POST", "/training/courses", body=body)
        assert status == 422, refused
    status, refused = api(
        PROVINCE_ADMIN,
        "POST",
        "/training/courses",
        body=course_body(lessons=[{"title": "Video", "kind": "video", "media_id": "nope"}]),
    )
    assert (status, refused["code"]) == (404, "media_not_found")
