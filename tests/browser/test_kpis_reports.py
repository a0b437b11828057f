"""KPIs and periodic reports in the console: a commune's monthly report goes up, is returned by
the district with a comment, comes back and is accepted; the district's own report shows the
communes still missing; the KPI board shows the plan's indicators and the list behind one; an
ad-hoc request from the district reaches the ward's list."""

import re
import uuid

from playwright.sync_api import expect

from tests.browser.unit_picker import pick_unit

WARD = "Phường Nhơn Bình"  # xa-editor's


def test_a_monthly_report_goes_up_is_returned_and_accepted(console, second_console):
    page = console.sign_in("xa-editor", "/reports")
    console.capture("reports-list-commune")
    page.get_by_role("button", name="Tạo dự thảo").click()
    expect(page).to_have_url(re.compile(r"/reports/r-[0-9a-f]+$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Báo cáo công tác")
    title = page.get_by_role("heading", level=1).inner_text()
    expect(page.get_by_text("Dự thảo", exact=True).first).to_be_visible()
    expect(page.get_by_text("Lượt phát ghi nhận")).to_be_visible()  # the pre-filled figures
    page.get_by_label("Tình hình chung").fill("Hệ thống loa hoạt động ổn định trong tháng.")
    console.capture("report-draft")
    page.get_by_role("button", name="Gửi lên cấp trên").click()
    expect(page.get_by_text("Đã gửi", exact=True).first).to_be_visible()
    expect(page.get_by_role("button", name="Gửi lên cấp trên")).to_have_count(0)  # frozen
    report_url = page.url

    district = second_console.sign_in("huyen-approver", "/reports")
    expect(district.get_by_role("link", name=title)).to_be_visible()
    second_console.capture("reports-list-district")
    district.get_by_role("link", name=title).click()
    expect(district.get_by_label("Tình hình chung")).to_have_value(
        "Hệ thống loa hoạt động ổn định trong tháng."
    )
    district.get_by_label("Ý kiến khi trả lại").fill("Bổ sung số liệu sự cố thiết bị.")
    second_console.capture("report-review")
    district.get_by_role("button", name="Trả lại").click()
    expect(district.get_by_text("Bị trả lại", exact=True).first).to_be_visible()

    page.goto(report_url)
    expect(page.get_by_text("“Bổ sung số liệu sự cố thiết bị.”")).to_be_visible()
    page.get_by_label("Khó khăn, vướng mắc").fill("Hai cụm loa mất kết nối do mất điện.")
    page.get_by_role("button", name="Gửi lên cấp trên").click()
    expect(page.get_by_role("button", name="Gửi lên cấp trên")).to_have_count(0)
    expect(page.locator(".ant-alert-error")).to_have_count(0)  # no error from the API

    district.reload()
    district.get_by_role("button", name="Chấp nhận").click()
    expect(district.get_by_text("Đã chấp nhận", exact=True).first).to_be_visible()
    expect(district.get_by_role("button", name="Chấp nhận")).to_have_count(0)
    second_console.capture("report-accepted")


def test_the_district_sees_its_missing_communes_and_the_kpi_board(console):
    page = console.sign_in("huyen-editor", "/reports")
    page.get_by_role("button", name="Tạo dự thảo").click()
    expect(page).to_have_url(re.compile(r"/reports/r-[0-9a-f]+$"))
    expect(page.get_by_role("heading", name="Tổng hợp đơn vị cấp dưới")).to_be_visible()
    missing = page.get_by_text(re.compile(r"Chưa có báo cáo được chấp nhận: \d+ đơn vị"))
    expect(missing).to_be_visible()
    count = int(re.search(r"(\d+) đơn vị", missing.inner_text())[1])
    assert count >= 2  # Quy Nhơn's wards: at most one accepted by the other test
    expect(page.get_by_text("Chưa có", exact=True).first).to_be_visible()
    console.capture("report-consolidation")

    page.get_by_role("link", name="Chỉ tiêu").first.click()
    expect(page.get_by_role("heading", level=1, name="Chỉ tiêu kế hoạch")).to_be_visible()
    radio = page.get_by_role("row").filter(has_text="loa")
    expect(radio.first).to_be_visible()
    console.capture("kpis-board")
    page.get_by_role("button", name=re.compile(r"Xem danh sách: .*")).first.click()
    drawer = page.get_by_role("dialog")
    expect(drawer.get_by_text("Danh sách sau số liệu")).to_be_visible()
    expect(drawer.get_by_role("row").nth(1)).to_be_visible()
    console.capture("kpis-detail")


def test_an_adhoc_request_from_the_district_reaches_the_ward(console, second_console):
    title = f"Báo cáo nhanh tình hình mưa lũ {uuid.uuid4().hex[:6]}"
    district = console.sign_in("huyen-approver", "/reports")
    pick_unit(district, "Đơn vị cấp dưới", WARD)
    district.get_by_label("Tiêu đề", exact=True).fill(title)
    expect(district.locator(".ant-spin-spinning")).to_have_count(0)  # the list has loaded
    console.capture("report-adhoc-request")
    district.get_by_role("button", name="Gửi yêu cầu").click()
    expect(district).to_have_url(re.compile(r"/reports/r-[0-9a-f]+$"))
    expect(district.get_by_role("heading", level=1)).to_have_text(title)

    # The ward finds it among its ad-hoc requests (any range), not under a month.
    ward = second_console.sign_in("xa-editor", "/reports?kind=adhoc")
    expect(ward.get_by_role("link", name=title)).to_be_visible()
    expect(ward.get_by_label("Kỳ báo cáo")).to_have_count(0)  # no period to choose for ad hoc
    expect(ward.locator(".ant-spin-spinning")).to_have_count(0)
    second_console.capture("reports-adhoc-ward")
    ward.get_by_role("link", name=title).click()
    expect(ward.get_by_role("button", name="Gửi lên cấp trên")).to_be_visible()
