"""The programme, media and voices pages, and a unit's page, as their users see them."""

from playwright.sync_api import expect

from tests.days import day_from_today


def test_an_operator_sees_the_ward_s_day_and_may_order_it(console):
    tomorrow = day_from_today(1)
    page = console.sign_in("xa-operator", f"/programme?date={tomorrow}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Phường Nhơn Bình")
    expect(page.get_by_role("figure", name="Dòng thời gian")).to_be_visible()
    # make run's demo week: the city's security notice plays at 07:00 at the district's time.
    expect(page.get_by_text("Đảm bảo an ninh trật tự dịp cuối năm")).to_be_visible()
    expect(page.get_by_role("button", name="Lưu thứ tự")).to_be_visible()
    console.capture("programme")


def test_a_viewer_sees_the_day_but_no_ordering(console):
    page = console.sign_in("xa-viewer", "/programme")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Phường Nhơn Bình")
    expect(page.get_by_role("button", name="Lưu thứ tự")).to_have_count(0)
    expect(page.get_by_role("button", name="Lưu khung giờ")).to_have_count(0)


def test_a_voice_is_heard_in_the_page(console):
    page = console.sign_in("xa-editor", "/speech")
    page.get_by_role("button", name="Nghe thử giọng Trung", exact=True).click()
    sample = page.get_by_test_id("voice-sample")
    expect(sample).to_be_attached(timeout=30_000)
    console.wait_until(
        "document.querySelector('[data-testid=voice-sample]').duration > 0", seconds=30
    )
    console.capture("speech")


def test_the_media_library_lists_the_ward_s_voiced_bulletins(console):
    page = console.sign_in("xa-editor", "/media")
    expect(page.get_by_role("heading", level=1)).to_have_text("Thư viện tệp phương tiện")
    # A ready item's tag in the table (the filter above it also reads "Sẵn sàng"): the page
    # is captured, and checked by axe, with its list loaded.
    ready = page.locator(".ant-table-row").get_by_text("Sẵn sàng")
    for _ in range(12):  # the demo week is voiced after start-up; the page loads once
        if ready.count():
            break
        page.wait_for_timeout(10_000)
        page.reload()
        expect(page.locator(".ant-table .ant-spin-spinning")).to_have_count(0, timeout=30_000)
    expect(ready.first).to_be_visible()
    console.capture("media")


def test_a_unit_page_lists_the_units_under_it(console):
    page = console.sign_in("huyen-viewer", "/units/540")
    expect(page.get_by_role("link", name="Phường Nhơn Bình")).to_be_visible()
    console.capture("unit")
