"""The web console on the local cloud (issue 13): served with the template's security headers
and the SPA fallback, its config.json from the running endpoints, and both APIs' CORS for its
origin only, as on AWS."""

import boto3
import pytest
import requests

from infra.localcloud.console import ConsoleSite, security_headers
from infra.localcloud.gateway import HttpServer
from infra.localcloud.template import TEMPLATE_PATH, Template

pytestmark = pytest.mark.integration

EVIL = "https://evil.example"


def _csp(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in policy.split("; ")}


def test_the_console_s_url_is_the_stack_s_console_origin(endpoints):
    console = endpoints["console_url"]
    assert console.startswith("http://127.0.0.1:")
    config = requests.get(f"{console}/config.json", timeout=10)
    assert config.status_code == 200
    assert config.json() == {
        "apiUrl": endpoints["api_url"],
        "speechUrl": endpoints["polly_url"],
        "region": endpoints["region"],
        "userPoolId": endpoints["user_pool_id"],
        "userPoolClientId": endpoints["user_pool_client_id"],
        "cognitoEndpoint": endpoints["aws_endpoint_url"] + "/",
    }
    assert config.headers["Cache-Control"] == "no-cache"
    # The page may reach exactly the local APIs and moto (Cognito, signed S3 links).
    speech = endpoints["polly_url"].removesuffix("/tts")
    assert _csp(config)["connect-src"] == [
        "'self'",
        endpoints["api_url"],
        speech,
        endpoints["aws_endpoint_url"],
        endpoints["aws_endpoint_url"],
    ]
    assert config.headers["X-Frame-Options"] == "DENY"
    # The uploads bucket's CORS names the same origin (ConsoleOrigin), as on AWS.
    s3 = boto3.client(
        "s3", endpoint_url=endpoints["aws_endpoint_url"], region_name=endpoints["region"]
    )
    (rule,) = s3.get_bucket_cors(Bucket=endpoints["uploads_bucket"])["CORSRules"]
    assert rule["AllowedOrigins"] == [console]
    assert rule["AllowedMethods"] == ["POST"]


def test_the_console_answers_with_its_build_or_says_how_to_make_it(endpoints):
    page = requests.get(f"{endpoints['console_url']}/bulletins/42", timeout=10)
    assert page.headers["Content-Type"].startswith("text/html")
    assert _csp(page)["frame-ancestors"] == ["'none'"]
    if page.status_code == 503:
        assert "make console" in page.text
    else:
        assert page.status_code == 200
        assert '<div id="root">' in page.text


def test_a_build_is_served_with_the_spa_fallback_over_http(tmp_path, endpoints):
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>Nguồn</title>")
    (tmp_path / "assets" / "app-1a2b.js").write_text("export const x = 1;")
    site = ConsoleSite(tmp_path)
    template = Template.load(TEMPLATE_PATH, region=endpoints["region"])
    origin = endpoints["aws_endpoint_url"]
    sources = dict.fromkeys(
        ("StaffApiOrigin", "SpeechApiOrigin", "CognitoOrigin", "UploadsOrigin", "MediaOrigin"),
        origin,
    )
    site.configure(security_headers(template, sources), {"apiUrl": endpoints["api_url"]})
    server = HttpServer(site, name="console-test")
    server.start()
    try:
        route = requests.get(f"{server.url}/emergency/new", timeout=10)
        assert (route.status_code, route.text) == (200, "<!doctype html><title>Nguồn</title>")
        asset = requests.get(f"{server.url}/assets/app-1a2b.js", timeout=10)
        assert asset.headers["Content-Type"].startswith("text/javascript")
        assert "immutable" in asset.headers["Cache-Control"]
        assert asset.headers["X-Content-Type-Options"] == "nosniff"
    finally:
        server.stop()


@pytest.mark.parametrize("api", ["api_url", "polly_url"])
def test_the_console_may_call_both_apis_and_no_other_origin_may_read_them(endpoints, sign_in, api):
    console = endpoints["console_url"]
    path = "/units/52" if api == "api_url" else "/v1/voices"
    url = endpoints[api] + path
    preflight = requests.options(
        url,
        headers={
            "Origin": console,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization,accept-language",
        },
        timeout=10,
    )
    assert preflight.status_code == 200  # no token: the preflight has none to give
    assert preflight.headers["Access-Control-Allow-Origin"] == console
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]
    token = sign_in("tinh-admin")
    auth = {"Authorization": f"Bearer {token}"}
    ours = requests.get(url, headers={**auth, "Origin": console}, timeout=10)
    assert ours.status_code == 200
    assert ours.headers["Access-Control-Allow-Origin"] == console
    theirs = requests.get(url, headers={**auth, "Origin": EVIL}, timeout=10)
    assert theirs.status_code == 200
    assert "Access-Control-Allow-Origin" not in theirs.headers
    evil_preflight = requests.options(
        url, headers={"Origin": EVIL, "Access-Control-Request-Method": "GET"}, timeout=10
    )
    assert evil_preflight.headers["Access-Control-Allow-Origin"] not in (EVIL, "*")
    # API Gateway's own refusal (no token) is readable by the console, with its message.
    refused = requests.get(url, headers={"Origin": console}, timeout=10)
    assert refused.status_code == 401
    assert refused.headers["Access-Control-Allow-Origin"] == console
    assert refused.json()["code"] == "unauthorized"
