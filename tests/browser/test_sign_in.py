"""Sign-in, the user shown, the language switch, sign-out, and the out-of-scope page."""

from playwright.sync_api import expect


def test_sign_in_shows_the_user_s_name_role_and_unit(console):
    page = console.open("/")
    expect(page.get_by_label("Tên đăng nhập")).to_be_visible()
    expect(page.get_by_label("Mật khẩu")).to_be_visible()
    console.capture("sign-in")
    console.sign_in("huyen-approver")
    user = page.get_by_test_id("current-user")
    expect(user).to_contain_text("Duyệt tin")
    expect(user).to_contain_text("Thành phố Quy Nhơn")


def test_a_wrong_password_says_so_in_vietnamese(console):
    page = console.open("/")
    page.get_by_label("Tên đăng nhập").fill("xa-viewer")
    page.get_by_label("Mật khẩu").fill("not-the-password-1A")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("alert")).to_contain_text("không đúng")


def test_the_sign_in_form_works_with_the_keyboard_alone(console):
    page = console.open("/")
    page.keyboard.type("xa-viewer")  # the username field has the focus on arrival
    page.keyboard.press("Tab")
    page.keyboard.type(console.passwords["xa-viewer"])
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("current-user")).to_be_visible()


def test_the_language_switch_persists_and_comes_back(console):
    page = console.sign_in("xa-viewer")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.reload()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.get_by_role("button", name="Tiếng Việt").click()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()


def test_another_district_s_unit_by_url_is_a_clear_out_of_scope_page(console):
    page = console.sign_in("xa-viewer", "/units/547")
    expect(page.get_by_text("Ngoài phạm vi của bạn")).to_be_visible()
    console.capture("out-of-scope")


def test_sign_out_returns_to_the_sign_in_page(console):
    page = console.sign_in("xa-viewer")
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page.get_by_label("Tên đăng nhập")).to_be_visible()
    page.reload()
    expect(page.get_by_label("Tên đăng nhập")).to_be_visible()
