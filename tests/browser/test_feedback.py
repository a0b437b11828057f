"""Citizens' feedback in the console: a report from the portal reaches the ward's inbox, its
staff acknowledge and answer it, and the citizen's tracking page shows the answer."""

from urllib.parse import urlencode

import requests
from playwright.sync_api import expect


def _report_from_the_portal(cloud: dict, description: str) -> str:
    form = urlencode(
        {
            "kind": "report",
            "category": "moi-truong",
            "unit": "21550",
            "description": description,
            "phone": "0905 111 222",
            "consent": "yes",
            "website": "",
        }
    )
    sent = requests.post(
        f"{cloud['portal_url'].rstrip('/')}/units/21550/feedback",
        data=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        },
        timeout=30,
    )
    assert sent.status_code == 201, sent.text
    return sent.json()["tracking_code"]


def test_a_citizen_s_report_is_answered_from_the_console(console, cloud):
    code = _report_from_the_portal(cloud, "Đèn đường hỏng ở tổ 5 khu vực 2")
    page = console.sign_in("xa-editor", "/feedback")
    expect(page.get_by_role("link", name=code)).to_be_visible()
    console.capture("feedback-inbox")

    page.get_by_role("link", name=code).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(code)
    expect(page.get_by_text("0905 111 222")).to_be_visible()  # staff see the contact
    page.get_by_role("button", name="Tiếp nhận").click()
    expect(page.get_by_text("Đã tiếp nhận").first).to_be_visible()
    page.get_by_label("Trả lời công khai").fill("Điện lực đã thay bóng đèn ngày hôm nay.")
    page.get_by_role("button", name="Gửi trả lời").click()
    expect(page.get_by_text("Đã trả lời").first).to_be_visible()
    console.capture("feedback-report")

    tracking = requests.get(
        f"{cloud['portal_url'].rstrip('/')}/feedback/{code}",
        headers={"Accept": "application/json"},
        timeout=30,
    ).json()
    assert tracking["answer"] == "Điện lực đã thay bóng đèn ngày hôm nay."
    assert "0905 111 222" not in str(tracking)


def test_the_statistics_count_the_unit_s_reports(console):
    page = console.sign_in("xa-viewer", "/feedback-stats")
    expect(page.get_by_role("heading", level=1)).to_have_text("Thống kê phản ánh")
    expect(page.get_by_text("Đã nhận").first).to_be_visible()
    console.capture("feedback-stats")


def test_a_viewer_reads_the_inbox_but_may_not_answer(console, cloud):
    code = _report_from_the_portal(cloud, "Cống thoát nước bị tắc trước chợ")
    page = console.sign_in("xa-viewer", f"/feedback/{code}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(code)
    expect(page.get_by_role("button", name="Gửi trả lời")).to_have_count(0)
