"""Operations in the console: an emergency issued for a district, watched reaching its
devices and withdrawn; a device that stops raises its alarm on the overview; a volume command
shown confirmed once the device reports it; provisioning with its bundle downloaded once."""

import json
from datetime import datetime
from pathlib import Path

import pytest
from playwright.sync_api import expect

from infra.tools.provision_device import write_bundle
from nguon_device.fleet import Fleet
from tests.browser.unit_picker import pick_unit

TAY_SON = "547"  # Huyện Tây Sơn in the catalogue (layers/nguon/nguon/data)
LIVE = 40_000  # ms: a device reports a start or stop at once; the views poll every 1.5–5 s (the
# bound is for a loaded CI machine: the fan-out and the fleet share its two cores)


def test_an_emergency_for_tay_son_plays_on_its_devices_and_withdrawal_stops_them(
    console, second_console
):
    title = f"Lũ quét khẩn cấp {datetime.now():%H%M%S}"
    # The editor composes it for the district (an approver has no composing role)...
    editor = second_console.sign_in("tinh-editor", "/emergency")
    pick_unit(editor, "Địa bàn phát", "Huyện Tây Sơn")
    editor.get_by_label("Tiêu đề").fill(title)
    editor.get_by_label("Nội dung đọc trên loa").fill(
        "Nước sông Kôn lên rất nhanh; người dân vùng trũng thấp di dời ngay đến nơi an toàn."
    )
    editor.get_by_label("Mỗi lần (giây)").fill("600")  # long enough to be seen playing
    editor.get_by_role("button", name="Gửi tin khẩn cấp…").click()
    dialog = editor.get_by_role("dialog")
    expect(dialog).to_contain_text("Huyện Tây Sơn")
    dialog.get_by_role("button", name="Trình duyệt").click()
    expect(editor.get_by_role("status")).to_contain_text("Đã trình tin khẩn cấp", timeout=30_000)

    # ...and tinh-approver issues it from the emergency screen: the confirmation says where.
    page = console.sign_in("tinh-approver", "/emergency")
    waiting = page.get_by_test_id("emergency-pending").locator(".ant-list-item", has_text=title)
    waiting.get_by_role("button", name="Duyệt và phát ngay").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Huyện Tây Sơn")
    expect(dialog).to_contain_text("NGAY LẬP TỨC")
    dialog.get_by_role("button", name="Phát ngay").click()

    live = page.get_by_test_id("live-delivery")
    rows = live.locator("tr[data-delivery]")
    expect(rows.first).to_be_visible(timeout=LIVE)
    total = rows.count()
    assert total >= 2, "the district fleet has a speaker and a board in Tây Sơn"
    expect(live.locator('tr[data-delivery="playing"]')).to_have_count(total, timeout=LIVE)
    console.capture("emergency")

    # The devices view shows the district's devices playing it.
    page.goto(f"{console.url}/devices?unit={TAY_SON}")
    table = page.get_by_test_id("devices-table")
    expect(table.locator('tr[data-state="emergency"]')).to_have_count(total, timeout=LIVE)
    console.capture("devices-list")

    # Withdrawal stops them.
    page.goto(f"{console.url}/emergency")
    page.get_by_role("button", name="Thu hồi (dừng phát)…").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Lý do thu hồi").fill("Đã kiểm tra: nước đã rút")
    dialog.get_by_role("button", name="Thu hồi (dừng phát)").click()
    expect(page.get_by_test_id("live-delivery")).to_contain_text("Đã thu hồi", timeout=LIVE)
    expect(live.locator('tr[data-delivery="playing"]')).to_have_count(0, timeout=2 * LIVE)
    page.goto(f"{console.url}/devices?unit={TAY_SON}")
    expect(table.locator("tr[data-state]").first).to_be_visible()
    expect(table.locator('tr[data-state="emergency"]')).to_have_count(0, timeout=2 * LIVE)


@pytest.fixture
def own_fleet(tmp_path):
    running = Fleet(cache_root=tmp_path / "cache")
    yield running
    running.stop()


def test_a_stopped_device_raises_its_alarm_and_a_volume_command_is_confirmed(
    console, own_fleet, tmp_path
):
    # tinh-operator provisions a device from the console; its bundle downloads once.
    page = console.sign_in("tinh-operator", "/devices")
    page.get_by_role("button", name="Đăng ký thiết bị").click()
    dialog = page.get_by_role("dialog")
    pick_unit(page, "Xã, phường đặt thiết bị", "Phường Nhơn Bình")
    name = f"Loa thử cảnh báo {datetime.now():%H%M%S}"
    dialog.get_by_label("Tên thiết bị").fill(name)
    dialog.get_by_label("Hãng sản xuất").fill("Nguồn")
    dialog.get_by_label("Kiểu máy").fill("thử nghiệm")
    dialog.get_by_role("button", name="Đăng ký").click()
    expect(dialog).to_contain_text("CHỈ TẢI ĐƯỢC MỘT LẦN")
    with page.expect_download() as downloaded:
        dialog.get_by_test_id("bundle-download").click()
    bundle = json.loads(Path(downloaded.value.path()).read_text("utf-8"))
    expect(dialog.get_by_test_id("bundle-download")).to_be_disabled()
    dialog.get_by_test_id("provision-close").click()

    # The device runs here, from that bundle, as a device in the field would.
    own_fleet.start([write_bundle(bundle, tmp_path / "bundles")])
    assert own_fleet.wait_connected(timeout_s=30) == 1
    thing = bundle["thing"]

    page.goto(f"{console.url}/devices/{thing}")
    expect(page.get_by_test_id("device-state")).to_have_attribute(
        "data-state", "online", timeout=LIVE
    )
    handle = page.locator(".ant-slider-handle")
    handle.focus()
    page.keyboard.press("Home")
    for _ in range(35):
        page.keyboard.press("ArrowRight")
    page.get_by_role("button", name="Gửi lệnh").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("thành 35")
    dialog.get_by_role("button", name="Gửi lệnh").click()
    sent = page.get_by_test_id("commands-sent").locator(".ant-list-item").first
    expect(sent).to_contain_text("Âm lượng 35")
    expect(sent).to_have_attribute("data-status", "confirmed", timeout=LIVE)
    expect(sent).to_contain_text("Thiết bị đã xác nhận")
    expect(page.get_by_test_id("device-volume")).to_have_text("35")
    console.capture("device-detail")

    # The device stops: its alarm shows on the overview.
    own_fleet.stop()
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(f"{console.url}/")
    alarms = page.get_by_test_id("overview-alarms")
    expect(alarms).to_contain_text(name, timeout=30_000)
    # Plays against the plan come with the overview's one answer: no listing of stations.
    plays = page.get_by_test_id("overview-plays")
    expect(plays.get_by_test_id("overview-plays-total")).to_contain_text("Hôm nay đã phát")
    # Settled: the per-area figures (table beside the chart) or the note that nothing is planned.
    expect(plays.locator(".plays-table, .ant-empty").first).to_be_visible()
    assert not [url for url in asked if "/stations" in url]
    assert [url for url in asked if url.endswith("/units/52/overview")]
    console.capture("overview")
