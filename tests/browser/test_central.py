"""The province's "Gửi Trung ương" page: the outbox to the national system with its items'
statuses (the demo's province bulletins, approved at start, wait pending while no address is
configured, as in ``make run``); not offered to a commune."""

from playwright.sync_api import expect


def test_the_province_sees_what_waits_to_go_up(console):
    page = console.sign_in("tinh-approver", "/central")
    expect(page.get_by_role("heading", level=1)).to_have_text("Gửi Trung ương")
    expect(
        page.get_by_text("Chưa cấu hình địa chỉ hệ thống trung ương", exact=False)
    ).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Phòng chống sốt xuất huyết mùa mưa")
    expect(row).to_be_visible()
    expect(row.get_by_text("Chờ gửi")).to_be_visible()
    expect(row.get_by_role("link", name="Phòng chống sốt xuất huyết mùa mưa")).to_be_visible()
    # Nothing is dead, so nothing offers to be sent again.
    expect(page.get_by_role("button", name="Gửi lại")).to_have_count(0)
    console.capture("central-outbox")

    page.get_by_text("Đã gửi", exact=True).click()
    expect(page.get_by_text("Chưa có mục nào.")).to_be_visible()


def test_a_commune_is_not_offered_the_page(console):
    page = console.sign_in("xa-editor", "/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Gửi Trung ương")).to_have_count(0)
