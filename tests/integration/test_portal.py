"""The public portal through the local cloud: bulletins approved through the staff API show on
the commune's page and feeds, nothing pending or withdrawn ever does, an emergency is in the
CAP feed (schema-valid) until withdrawn, JSON answers the same URL, pages stay under 100 KB."""

import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import capvalidator
import pytest
import requests
from lxml import etree

from nguon.models.bulletins import BulletinContent
from nguon.models.principal import Principal, Role
from nguon.services.bulletins import BulletinService
from nguon.services.unit_catalogue import load_bundled_catalogue
from nguon.services.units import UnitService
from tests.days import day_from_today

pytestmark = pytest.mark.integration

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
ATOM = {"a": "http://www.w3.org/2005/Atom"}
CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"
XSD = Path(capvalidator.__file__).parent / "static" / "CAP-v1.2-schema.xsd"
COMMUNE, DISTRICT = "21550", "540"


@pytest.fixture(scope="module")
def portal(endpoints):
    base = endpoints["portal_url"]

    def get(path: str, accept: str = "text/html") -> requests.Response:
        return requests.get(base + path, headers={"Accept": accept}, timeout=30)

    return get


def _bulletin(api, *, title: str, editor: str, targets: list[str], **fields) -> dict:
    body = {
        "title": title,
        "body": f"{title}: thông báo của ủy ban nhân dân gửi bà con.",
        "category": "health",
        "targets": targets,
        "channels": ["speaker", "web"],
        "schedule": {"type": "daily", "times": ["06:00"], "from": day_from_today(0)},
        **fields,
    }
    if body["schedule"]["type"] == "daily":
        body["schedule"].setdefault("until", day_from_today(2))
    created = api.post("/bulletins", body, as_user=editor)
    assert created.status_code == 201, created.text
    submitted = api.post(f"/bulletins/{created.json()['id']}/submit", as_user=editor)
    assert submitted.status_code == 200, submitted.text
    return submitted.json()


def _approve(api, bulletin: dict, approver: str) -> dict:
    approved = api.post(f"/bulletins/{bulletin['id']}/approve", as_user=approver)
    assert approved.status_code == 200, approved.text
    return approved.json()


def _withdraw(api, bulletin: dict, approver: str) -> None:
    withdrawn = api.post(
        f"/bulletins/{bulletin['id']}/withdraw", {"reason": "Đã hết nội dung"}, as_user=approver
    )
    assert withdrawn.status_code == 200, withdrawn.text


def _page_ids(portal, code: str) -> set[str]:
    data = portal(f"/units/{code}", accept="application/json").json()
    return {b["id"] for b in data["bulletins"]} | {a["id"] for a in data["alerts"]}


def _feed_ids(portal, path: str) -> set[str]:
    feed = etree.fromstring(portal(path).content)
    return {link.rsplit("/", 1)[-1] for link in feed.xpath("a:entry/a:id/text()", namespaces=ATOM)}


def test_an_approved_web_bulletin_shows_and_a_pending_or_withdrawn_one_never(api, portal):
    shown = _bulletin(api, title="Lịch tiêm chủng mở rộng tháng này", editor="xa-editor",
                      targets=[COMMUNE])  # fmt: skip
    pending = _bulletin(api, title="Thông báo chưa duyệt", editor="xa-editor", targets=[COMMUNE])
    assert pending["status"] == "pending"
    assert shown["id"] not in _page_ids(portal, COMMUNE)  # pending still
    _approve(api, shown, "xa-approver")

    html = portal(f"/units/{COMMUNE}")
    assert html.status_code == 200
    assert html.headers["Content-Type"].startswith("text/html")
    assert shown["title"] in html.text
    assert pending["title"] not in html.text
    assert "xa-editor" not in html.text
    assert "xa-approver" not in html.text
    assert shown["id"] in _page_ids(portal, COMMUNE)
    assert pending["id"] not in _page_ids(portal, COMMUNE)
    assert shown["id"] in _feed_ids(portal, f"/units/{COMMUNE}/feed.atom")
    assert shown["id"] in _feed_ids(portal, f"/units/{DISTRICT}/subtree.atom")
    assert pending["id"] not in _feed_ids(portal, f"/units/{DISTRICT}/subtree.atom")
    found = portal("/search?q=tiem+chung+mo+rong", accept="application/json").json()
    assert shown["id"] in {item["id"] for item in found["items"]}
    assert portal(f"/bulletins/{pending['id']}").status_code == 404

    _withdraw(api, shown, "xa-approver")
    assert shown["id"] not in _page_ids(portal, COMMUNE)
    assert shown["id"] not in _feed_ids(portal, f"/units/{COMMUNE}/feed.atom")
    assert shown["title"] not in portal(f"/units/{COMMUNE}").text
    assert portal(f"/bulletins/{shown['id']}").status_code == 404


def test_an_emergency_is_in_the_cap_feed_valid_until_withdrawn(api, portal):
    now = datetime.now(ZONE).replace(microsecond=0)
    alert = _bulletin(
        api,
        title="Cảnh báo lũ quét khẩn cấp",
        editor="huyen-editor",
        targets=[DISTRICT],
        category="disaster",
        priority="emergency",
        channels=["speaker", "board", "web"],
        schedule={"type": "once", "at": now.isoformat()},
        valid_from=(now - timedelta(minutes=1)).isoformat(),
        valid_until=(now + timedelta(minutes=30)).isoformat(),
        cap={"event": "Lũ quét", "instruction": "Di chuyển lên vùng cao."},
    )
    _approve(api, alert, "huyen-approver")

    feed = portal("/alerts/cap.atom")
    assert "max-age=30" in feed.headers["Cache-Control"]
    tree = etree.fromstring(feed.content)
    assert "CAP" in tree.findtext("a:title", namespaces=ATOM)
    links = tree.xpath("a:entry/a:link[@type='application/cap+xml']/@href", namespaces=ATOM)
    (link,) = [href for href in links if f"/alerts/{alert['id']}/" in href]
    document = requests.get(link, timeout=30)
    assert document.status_code == 200
    cap = etree.fromstring(document.content)
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    assert schema.validate(cap), schema.error_log
    assert cap.findtext(f"{CAP}msgType") == "Alert"
    # On the commune's page, on top.
    page = portal(f"/units/{COMMUNE}", accept="application/json").json()
    assert alert["id"] in {a["id"] for a in page["alerts"]}

    _withdraw(api, alert, "huyen-approver")
    assert alert["id"] not in _feed_ids(portal, "/alerts/cap.atom")
    assert requests.get(link, timeout=30).status_code == 404
    assert alert["id"] not in _page_ids(portal, COMMUNE)


def test_pages_answer_json_to_accept_and_stay_under_100_kb_when_full(endpoints, portal):
    """A commune with 40 long approved bulletins (seeded through the domain service)."""
    catalogue = load_bundled_catalogue()
    commune = next(u for u in catalogue if u.parent == DISTRICT and u.code != COMMUNE)
    from nguon.storage.bulletins import DynamoBulletinStore
    from nguon.storage.units import DynamoUnitStore

    service = BulletinService(UnitService(DynamoUnitStore()), DynamoBulletinStore())
    editor = Principal(user_id="sub-e", username="e", roles=frozenset({Role.EDITOR}),
                       home_unit=commune.code)  # fmt: skip
    approver = Principal(user_id="sub-a", username="a", roles=frozenset({Role.APPROVER}),
                         home_unit=DISTRICT)  # fmt: skip
    for number in range(40):
        content = BulletinContent.model_validate(
            {
                "title": f"Thông báo số {number} về kế hoạch sản xuất vụ Đông Xuân",
                "body": "Ủy ban nhân dân thông báo kế hoạch gieo sạ, lịch thời vụ. " * 120,
                "category": "agriculture",
                "targets": [commune.code],
                # The web only: no voices to make (the voice test waits for its own).
                "channels": ["web"],
                "schedule": {
                    "type": "daily",
                    "times": ["06:00"],
                    "from": day_from_today(0),
                    "until": day_from_today(1),
                },
            }
        )
        created = service.create(editor, content)
        service.submit(editor, created.id)
        service.approve(approver, created.id)

    html = portal(f"/units/{commune.code}")
    assert html.status_code == 200
    assert len(html.content) <= 100_000, len(html.content)
    assert html.headers["Vary"] == "Accept"
    data = portal(f"/units/{commune.code}", accept="application/json")
    assert data.headers["Content-Type"].startswith("application/json")
    assert len(data.json()["bulletins"]) == 40
    print(f"\nportal page sizes: commune with 40 long bulletins {len(html.content)} B (HTML), "
          f"{len(data.content)} B (JSON)")  # fmt: skip


def test_a_voiced_bulletin_has_a_player_whose_audio_plays(api, portal):
    bulletin = _bulletin(
        api, title="Trạm y tế thông báo lịch tiêm vắc-xin", editor="xa-editor", targets=[COMMUNE]
    )
    _approve(api, bulletin, "xa-approver")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job = api.get(f"/bulletins/{bulletin['id']}/voice", as_user="xa-editor")
        if job.status_code == 200 and job.json()["status"] == "ready":
            break
        time.sleep(1)
    else:
        pytest.fail(f"no voice: {job.text}")
    data = portal(f"/units/{COMMUNE}", accept="application/json").json()
    (item,) = [b for b in data["bulletins"] if b["id"] == bulletin["id"]]
    assert item["audio"]["content_type"] == "audio/mpeg"
    html = portal(f"/units/{COMMUNE}").text
    assert '<audio controls preload="none" src="' in html
    audio = requests.get(item["audio"]["url"], timeout=30)  # signed with the portal's role
    assert audio.status_code == 200
    assert len(audio.content) > 1000
