"""Bulletins in the console: a commune editor composes (reading, voice preview, an uploaded MP3)
and submits; the district approver finds it in the queue, reads its history and approves; the
same with the keyboard alone; a viewer is offered neither.

``compose_daily_bulletin`` and ``approve_from_queue`` return the bulletin's id so a later test can
follow it further (the ward's programme timeline for that day, once that page lands).
"""

import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Console
from tests.days import day_from_today

ARRIVE = 20_000  # ms for a page's chunk and data on a loaded machine (expect's default is 5 s)
WARD = "21550"  # Phường Nhơn Bình
WARD_NAME = "Phường Nhơn Bình"
MP3_LOADED = (
    "(() => { const a = document.querySelector('[data-testid=tts-audio]');"
    " return !!a && a.readyState >= 1 && a.duration > 0; })()"
)


def _mp3(folder: Path) -> Path:
    """Two seconds of a tone, as a commune officer's recorded announcement stands in."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        pytest.skip("ffmpeg is not installed")
    path = folder / "thong-bao.mp3"
    tone = ["-f", "lavfi", "-i", "sine=frequency=440:duration=2", "-ac", "1", "-b:a", "64k"]
    subprocess.run([ffmpeg, "-loglevel", "error", "-y", *tone, str(path)], check=True)
    return path


def _title(what: str) -> str:
    return f"{what} {uuid.uuid4().hex[:6]}"


def _open_detail_of(page: Page, title: str) -> str:
    expect(page.get_by_role("heading", level=1)).to_have_text(title, timeout=ARRIVE)
    return page.url.rstrip("/").rsplit("/", 1)[1]


def compose_daily_bulletin(console: Console, folder: Path, title: str) -> str:
    """``xa-editor`` composes a daily bulletin for the ward and submits it; its id."""
    page = console.sign_in("xa-editor", "/bulletins")
    expect(page.get_by_role("link", name="Soạn bản tin")).to_be_visible(timeout=ARRIVE)
    console.capture("bulletins-list")
    page.get_by_role("link", name="Soạn bản tin").click()
    page.get_by_label("Tiêu đề", exact=True).fill(title)
    page.get_by_label("Nội dung", exact=True).fill(
        "Ngày 12/3, UBND phường tổ chức tiêm phòng dại cho chó mèo lúc 7h30 tại nhà văn hóa "
        "khu vực 5, phí 50.000đ một con."
    )
    # The ward is the editor's own unit: the picker starts with it.
    expect(page.locator("#bulletin-targets").locator("..").locator("..")).to_contain_text(WARD_NAME)
    page.get_by_label("Hằng ngày").check()
    expect(page.get_by_test_id("schedule-preview")).to_contain_text("14 lượt phát")

    reading = page.get_by_test_id("reading")
    expect(reading).to_contain_text("mười hai tháng ba", timeout=15_000)
    expect(reading).to_contain_text("bảy giờ ba mươi")

    page.get_by_role("button", name="Nghe thử").click()
    console.wait_until(MP3_LOADED, seconds=60)
    # The blob URL cannot be fetched again under the console's CSP: the page says its size.
    size = int(page.get_by_test_id("tts-audio").get_attribute("data-bytes") or 0)
    assert size > 1000, size  # bytes of MP3, not an error body
    assert page.get_by_test_id("tts-audio").get_attribute("data-type") == "audio/mpeg"

    page.get_by_test_id("media-file").set_input_files(_mp3(folder))
    progress = page.get_by_test_id("upload-progress")
    expect(progress).to_be_visible()
    # The bar reaches 100 %, the ingest checks the file, and it is attached as ready.
    expect(page.get_by_text("Sẵn sàng")).to_be_visible(timeout=90_000)
    expect(progress).to_be_hidden()
    expect(page.get_by_role("listitem").filter(has_text="thong-bao.mp3")).to_be_visible()
    console.capture("bulletin-compose")

    page.get_by_role("button", name="Lưu và trình duyệt").click()
    bulletin_id = _open_detail_of(page, title)
    expect(page.get_by_test_id("bulletin-status")).to_have_text("Chờ duyệt")
    expect(page.get_by_text("thong-bao.mp3")).to_be_visible()
    console.capture("bulletin-detail")
    return bulletin_id


def approve_from_queue(console: Console, title: str) -> str:
    """``huyen-approver`` finds the bulletin in the queue, reads its history, approves; its id."""
    page = console.sign_in("huyen-approver", "/approvals")
    queue = page.get_by_test_id("approval-queue")
    expect(queue).to_contain_text(title, timeout=ARRIVE)
    console.capture("bulletin-approvals")
    queue.get_by_role("link", name=title, exact=True).click()
    bulletin_id = _open_detail_of(page, title)
    history = page.get_by_test_id("history")
    expect(history).to_contain_text("xa-editor tạo bản tin", timeout=ARRIVE)
    expect(history).to_contain_text("xa-editor trình duyệt")
    page.get_by_role("button", name="Duyệt", exact=True).click()
    page.get_by_role("dialog").get_by_role("button", name="Duyệt", exact=True).click()
    expect(page.get_by_test_id("bulletin-status")).to_have_text("Đã duyệt", timeout=ARRIVE)
    expect(history).to_contain_text("huyen-approver duyệt")
    return bulletin_id


def test_an_editor_composes_and_the_district_approves(console, second_console, tmp_path):
    title = _title("Tiêm phòng dại")
    composed = compose_daily_bulletin(console, tmp_path, title)
    approved = approve_from_queue(second_console, title)
    assert approved == composed
    # The editor sees the approval too.
    page = console.open(f"/bulletins/{composed}")
    expect(page.get_by_test_id("bulletin-status")).to_have_text("Đã duyệt", timeout=ARRIVE)
    # And it is in the ward's programme timeline (the daily schedule covers tomorrow).
    timeline = second_console.open(f"/programme/21550?date={day_from_today(1)}")
    expect(timeline.get_by_role("figure", name="Dòng thời gian")).to_be_visible(timeout=ARRIVE)
    expect(timeline.get_by_role("link", name=title).first).to_be_visible(timeout=ARRIVE)


def _tab_to(page: Page, condition: str, limit: int = 120) -> None:
    """Press Tab until ``condition`` (JS over ``el``, the focused element) holds."""
    for _ in range(limit):
        if page.evaluate(f"(el => !!el && ({condition}))(document.activeElement)"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {condition}")


def test_compose_submit_and_approve_with_the_keyboard_alone(console, second_console):
    title = _title("Lịch thu gom rác")
    page = console.sign_in("xa-editor", "/bulletins/new")
    expect(page.get_by_role("heading", level=1)).to_have_text("Soạn bản tin", timeout=ARRIVE)
    _tab_to(page, "el.id === 'bulletin-title'")
    page.keyboard.type(title)
    page.keyboard.press("Tab")
    page.keyboard.type("Xe thu gom rác đến các khu vực lúc 16 giờ hằng ngày.")
    _tab_to(page, "el.type === 'radio' && el.value === 'daily'")  # a radio group is one stop
    page.keyboard.press("ArrowRight")
    expect(page.get_by_label("Hằng tuần")).to_be_checked()
    expect(page.get_by_label("Thứ Hai")).to_be_checked()
    _tab_to(page, "el.type === 'checkbox' && el.value === 'fri'")
    page.keyboard.press("Space")
    expect(page.get_by_label("Thứ Sáu")).to_be_checked()
    _tab_to(page, "el.tagName === 'BUTTON' && el.textContent.includes('Lưu và trình duyệt')")
    page.keyboard.press("Enter")
    bulletin_id = _open_detail_of(page, title)
    expect(page.get_by_test_id("bulletin-status")).to_have_text("Chờ duyệt")

    approver = second_console.sign_in("huyen-approver", "/approvals")
    expect(approver.get_by_test_id("approval-queue")).to_contain_text(title, timeout=ARRIVE)
    _tab_to(approver, f"el.tagName === 'A' && el.textContent === {title!r}")
    approver.keyboard.press("Enter")
    assert _open_detail_of(approver, title) == bulletin_id
    _tab_to(approver, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Duyệt'")
    approver.keyboard.press("Enter")
    dialog = approver.get_by_role("dialog")
    expect(dialog).to_be_visible()
    _tab_to(approver, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Duyệt'", limit=6)
    approver.keyboard.press("Space")
    expect(approver.get_by_test_id("bulletin-status")).to_have_text("Đã duyệt", timeout=ARRIVE)


def test_a_viewer_is_offered_no_compose_or_approve_action(console):
    page = console.sign_in("xa-viewer", "/bulletins")
    rows = page.locator(".ant-table-row")
    expect(rows.first).to_be_visible(timeout=ARRIVE)
    expect(page.get_by_role("link", name="Soạn bản tin")).to_have_count(0)
    expect(page.get_by_role("link", name="Chờ duyệt")).to_have_count(0)
    rows.first.get_by_role("link").click()
    expect(page.get_by_test_id("history")).to_be_visible(timeout=ARRIVE)
    expect(page.get_by_test_id("bulletin-status")).to_be_visible()
    for action in ("Sửa", "Trình duyệt", "Duyệt", "Trả lại", "Thu hồi", "Tạo bản sửa đổi"):
        expect(page.get_by_role("button", name=action, exact=True)).to_have_count(0)
    page = console.open("/bulletins/new")
    expect(page.get_by_text("Bạn không có quyền soạn bản tin.")).to_be_visible(timeout=ARRIVE)
    expect(page.get_by_label("Tiêu đề", exact=True)).to_have_count(0)
