"""Directives in the console: the district's approver issues one to a ward, naming a bulletin
the ward must broadcast; the ward's editor finds it received and acknowledges it; the issuer
sees it acknowledged, with the broadcast compliance table."""

import uuid

from playwright.sync_api import expect

from tests.browser.unit_picker import pick_unit

SECURITY = "Đảm bảo an ninh trật tự dịp cuối năm"  # a demo bulletin of Quy Nhơn (approved)
WARD = "Phường Nhơn Bình"


def test_a_directive_is_issued_acknowledged_and_followed(console, second_console):
    title = f"Tăng cường tuyên truyền an ninh {uuid.uuid4().hex[:6]}"
    page = console.sign_in("huyen-approver", "/bulletins")
    page.get_by_role("link", name=SECURITY).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(SECURITY)
    bulletin_id = page.url.rstrip("/").rsplit("/", 1)[1]

    page.goto(f"{console.url}/directives")
    expect(page.get_by_role("heading", level=1)).to_have_text("Chỉ đạo")
    console.capture("directives-list")
    page.get_by_role("link", name="Ban hành chỉ đạo").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ban hành chỉ đạo")
    pick_unit(page, "Đơn vị nhận", WARD)
    page.get_by_label("Tiêu đề", exact=True).fill(title)
    page.get_by_label("Nội dung chỉ đạo").fill(
        "Đề nghị phường phát bản tin an ninh trật tự 3 lần mỗi ngày đến hết tuần."
    )
    page.get_by_label("Mã bản tin").fill(bulletin_id)
    console.capture("directive-issue")
    page.get_by_role("button", name="Ban hành", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    directive_id = page.url.rstrip("/").rsplit("/", 1)[1]
    targets = page.get_by_test_id("directive-targets")
    expect(targets).to_contain_text(WARD)
    expect(targets).to_contain_text("Chưa tiếp nhận")
    expect(page.get_by_text(f"Kết quả phát: {SECURITY}")).to_be_visible()
    # The issuer answers for no target: nothing to acknowledge here.
    expect(page.get_by_role("button", name="Xác nhận đã tiếp nhận")).to_have_count(0)
    console.capture("directive-issued")

    ward = second_console.sign_in("xa-editor", "/directives")
    ward.get_by_role("link", name=title).click()
    expect(ward.get_by_role("heading", level=1)).to_have_text(title)
    expect(ward.get_by_role("button", name="Kết thúc chỉ đạo")).to_have_count(0)
    ward.get_by_role("button", name="Xác nhận đã tiếp nhận").click()
    expect(ward.get_by_test_id("directive-targets")).to_contain_text("Đã tiếp nhận")
    expect(ward.get_by_role("button", name="Xác nhận đã tiếp nhận")).to_have_count(0)
    second_console.capture("directive-acknowledged")

    page.goto(f"{console.url}/directives")
    page.get_by_text("Cấp dưới").click()
    row = page.get_by_role("row").filter(has_text=title)
    expect(row).to_contain_text("Đã tiếp nhận 1/1")
    console.capture("directives-below")
    page.goto(f"{console.url}/directives/{directive_id}")
    expect(page.get_by_test_id("directive-targets")).to_contain_text("Đã tiếp nhận")
    expect(page.get_by_test_id("directive-targets")).to_contain_text("xa-editor")
