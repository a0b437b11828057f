"""Training in the console: a commune editor studies a province course, fails the quiz, passes
it on the second attempt, and the record appears in their training and in the district's list
of staff trained online; the district imports a provider's CSV and reads its per-row report."""

import time
import uuid

import requests
from playwright.sync_api import Page, expect

from infra.tools.sign_in import id_token
from tests.days import day_from_today

RIGHT = ("Ngay khi được duyệt", "Lãnh đạo phường", "Lãnh đạo thành phố")
WRONG = ("Chỉ vào cuối tuần", "Người dân")


def _course(cloud: dict) -> str:
    title = f"Vận hành hệ thống thông tin nguồn {uuid.uuid4().hex[:4]}"
    passwords = {user["username"]: user["password"] for user in cloud["demo_users"]}
    token = id_token(cloud, "tinh-admin", passwords["tinh-admin"])
    made = requests.post(
        f"{cloud['api_url'].rstrip('/')}/training/courses",
        headers={"Authorization": f"Bearer {token}"},
        json={
            "title": title,
            "provider": "Sở Thông tin và Truyền thông",
            "hours": 8,
            "level": "commune",
            "lessons": [
                {
                    "title": "Giới thiệu hệ thống",
                    "kind": "text",
                    "text": "Hệ thống thông tin nguồn…",
                },
                {"title": "Quy trình duyệt tin", "kind": "text", "text": "Biên tập, duyệt, phát."},
            ],
            "quiz": {
                "questions": [
                    {
                        "text": "Bản tin khẩn cấp được phát khi nào?",
                        "options": ["Chỉ vào cuối tuần", "Ngay khi được duyệt", "Buổi tối"],
                        "correct": [1],
                    },
                    {
                        "text": "Ai duyệt bản tin của phường?",
                        "options": [
                            "Lãnh đạo phường",
                            "Người dân",
                            "Lãnh đạo thành phố",
                            "Nhà cung cấp thiết bị",
                        ],
                        "correct": [0, 2],
                    },
                ],
                "pass_mark": 100,
                "attempts_limit": 3,
            },
        },
        timeout=30,
    )
    assert made.status_code == 201, made.text
    return title


def _trained(cloud: dict, unit: str) -> float:
    """``staff_trained_online``'s numerator for ``unit``, once the stream has counted."""
    passwords = {user["username"]: user["password"] for user in cloud["demo_users"]}
    token = id_token(cloud, "tinh-viewer", passwords["tinh-viewer"])
    deadline = time.monotonic() + 60
    while True:
        board = requests.get(
            f"{cloud['api_url'].rstrip('/')}/kpis",
            params={"unit": unit},
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        ).json()
        found = next(i for i in board["indicators"] if i["id"] == "staff_trained_online")
        if found["numerator"] or time.monotonic() > deadline:
            return found["numerator"]
        time.sleep(2)


def _answer(page: Page, choices: tuple[str, ...]) -> None:
    quiz = page.get_by_role("form")
    for text in choices:
        quiz.get_by_text(text, exact=True).click()
    quiz.get_by_role("button", name="Nộp bài").click()


def test_a_commune_editor_fails_then_passes_and_the_record_appears(
    console, second_console, cloud, tmp_path
):
    title = _course(cloud)
    page = console.sign_in("xa-editor", "/training")
    expect(page.get_by_role("heading", level=1)).to_have_text("Đào tạo")
    expect(page.get_by_role("link", name=title)).to_be_visible()
    console.capture("training-courses")

    page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    page.get_by_role("button", name="Đánh dấu đã học").first.click()
    expect(page.get_by_text("Đã học 1/2 bài")).to_be_visible()
    console.capture("training-course")

    page.get_by_role("button", name="Làm bài kiểm tra").click()
    expect(page.get_by_text("Câu 1:", exact=False)).to_be_visible()
    console.capture("training-quiz")
    _answer(page, WRONG)
    expect(page.get_by_text("Chưa đạt", exact=False)).to_be_visible()
    expect(page.get_by_text("Còn 2 lượt", exact=False)).to_be_visible()
    console.capture("training-failed")

    page.get_by_role("button", name="Tiếp tục làm bài").click()
    expect(page.get_by_text("Câu 1:", exact=False)).to_be_visible()
    _answer(page, RIGHT)
    expect(page.get_by_text("Đạt: 100%", exact=False)).to_be_visible()
    # The record reached the KPI board through the table's stream (StatsFunction).
    assert _trained(cloud, "21550") == 1
    page.get_by_label("Đặt câu hỏi").fill("Phát lại bản tin khẩn cấp thế nào?")
    page.get_by_role("button", name="Gửi", exact=True).click()
    expect(page.get_by_text("Phát lại bản tin khẩn cấp thế nào?")).to_be_visible()
    console.capture("training-passed")

    page.get_by_role("link", name="Tất cả khóa học").click()
    page.get_by_role("tab", name="Việc học của tôi").click()
    records = page.get_by_role("table").last
    expect(records.get_by_text(title)).to_be_visible()
    expect(records.get_by_text("Học trên hệ thống")).to_be_visible()
    console.capture("training-mine")

    # The district sees who is trained, and imports a provider's file.
    district = second_console.sign_in("huyen-approver", "/training")
    district.get_by_role("tab", name="Cán bộ của đơn vị").click()
    trained = district.get_by_role("row").filter(has_text="xa-editor")
    expect(trained.get_by_text("Đã đào tạo")).to_be_visible()
    csv = tmp_path / "ket-qua.csv"
    csv.write_text(
        "username,unit,course_title,provider,hours,completed_on,result,online\n"
        f"huyen-editor,540,Kỹ năng viết tin,Trường Chính trị,16,{day_from_today(-30)},Đạt,có\n"
        "huyen-viewer,540,Kỹ năng viết tin,Trường Chính trị,mười,2025-01-02,Đạt,có\n",
        encoding="utf-8",
    )
    district.get_by_label("Tệp CSV").set_input_files(csv)
    district.get_by_role("button", name="Nhập", exact=True).click()
    expect(district.get_by_text("1/2 dòng đã lưu")).to_be_visible()
    report = district.get_by_role("row").filter(has_text="hours")
    expect(report.get_by_text("Số giờ", exact=False)).to_be_visible()
    expect(report.get_by_role("cell", name="3", exact=True)).to_be_visible()
    second_console.capture("training-staff-import")
