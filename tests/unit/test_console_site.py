"""The local cloud's console site (infra/localcloud/console.py): the built app with the
template's security headers, the SPA fallback, the deployment's cache headers, and a page
that says how to build it when there is no build."""

import pytest
from werkzeug.test import Client

from infra.localcloud.console import ConsoleSite, security_headers
from infra.localcloud.template import TEMPLATE_PATH, Template, TemplateError

LOCAL = {
    "StaffApiOrigin": "http://127.0.0.1:3000",
    "SpeechApiOrigin": "http://127.0.0.1:3001",
    "CognitoOrigin": "http://127.0.0.1:5000",
    "UploadsOrigin": "http://127.0.0.1:5000",
    "MediaOrigin": "http://127.0.0.1:5000",
}
CONFIG = {"apiUrl": "http://127.0.0.1:3000", "region": "ap-southeast-1"}
INDEX = b'<!doctype html><script type="module" src="/assets/index-Ab12.js"></script>'


@pytest.fixture(scope="module")
def template() -> Template:
    return Template.load(TEMPLATE_PATH, region="ap-southeast-1")


@pytest.fixture
def dist(tmp_path):
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_bytes(INDEX)
    (tmp_path / "assets" / "index-Ab12.js").write_text("export {};")
    (tmp_path / "assets" / "index-Cd34.css").write_text("body{}")
    (tmp_path.parent / "secret.txt").write_text("not served")
    return tmp_path


def _client(template, dist) -> Client:
    site = ConsoleSite(dist)
    site.configure(security_headers(template, LOCAL), CONFIG)
    return Client(site)


def test_the_headers_are_the_template_s_with_local_urls(template):
    headers = security_headers(template, LOCAL)
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Strict-Transport-Security"].startswith("max-age=63072000")
    csp = {d.split()[0]: d.split()[1:] for d in headers["Content-Security-Policy"].split("; ")}
    assert csp["connect-src"] == [
        "'self'",
        "http://127.0.0.1:3000",
        "http://127.0.0.1:3001",
        "http://127.0.0.1:5000",
        "http://127.0.0.1:5000",
    ]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["script-src"] == ["'self'"]
    assert "${" not in headers["Content-Security-Policy"]


def test_a_csp_variable_without_a_local_value_stops_the_start(template):
    with pytest.raises(TemplateError, match="MediaOrigin"):
        security_headers(template, {k: v for k, v in LOCAL.items() if k != "MediaOrigin"})


def test_every_answer_carries_the_security_headers(template, dist):
    client = _client(template, dist)
    expected = security_headers(template, LOCAL)
    for path in ("/", "/assets/index-Ab12.js", "/config.json", "/bulletins/42", "/nope.js"):
        response = client.get(path)
        assert response.status_code == 200, path
        for name, value in expected.items():
            assert response.headers[name] == value, (path, name)


def test_client_side_routes_get_the_app_and_files_their_own_type_and_cache(template, dist):
    client = _client(template, dist)
    page = client.get("/bulletins/42/history")
    assert page.data == INDEX
    assert page.headers["Content-Type"].startswith("text/html")
    assert page.headers["Cache-Control"] == "no-cache"
    script = client.get("/assets/index-Ab12.js")
    assert script.data == b"export {};"
    assert script.headers["Content-Type"].startswith("text/javascript")
    assert "immutable" in script.headers["Cache-Control"]
    assert client.get("/assets/index-Cd34.css").headers["Content-Type"].startswith("text/css")
    # Outside the build: the app's page, never the file.
    assert client.get("/../secret.txt").data == INDEX
    assert client.get("/%2e%2e/secret.txt").data == INDEX


def test_config_json_is_the_running_endpoints_never_cached(template, dist):
    response = _client(template, dist).get("/config.json")
    assert response.json == CONFIG
    assert response.headers["Cache-Control"] == "no-cache"


def test_only_reads_are_served(template, dist):
    response = _client(template, dist).post("/", data=b"x")
    assert response.status_code == 405


def test_without_a_build_a_page_says_to_run_make_console(template, tmp_path):
    response = _client(template, tmp_path / "missing").get("/bulletins")
    assert response.status_code == 503
    text = response.get_data(as_text=True)
    assert "make console" in text
    assert "Chưa dựng" in text
    assert response.headers["X-Frame-Options"] == "DENY"
    # config.json still answers: the endpoints are known without a build.
    assert _client(template, tmp_path / "missing").get("/config.json").json == CONFIG


def test_nothing_is_served_before_the_endpoints_are_known(dist):
    response = Client(ConsoleSite(dist)).get("/")
    assert response.status_code == 503
