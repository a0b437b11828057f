"""The console's hosting (issue 13): a private bucket behind CloudFront with origin access
control, security headers and the SPA fallback; CORS for the console's origin only, on the
staff and speech APIs and on API Gateway's own answers."""

import copy

import pytest
from cfnlint.decode import cfn_yaml
from samtranslator.translator.transform import transform

from nguon.services.unit_catalogue import load_bundled_catalogue
from nguon.services.units import UnitService
from tests.fakes import InMemoryUnitStore
from tests.unit.test_api_handler import EVENT, call
from tests.unit.test_template import TEMPLATE, _NoManagedPolicies

CONSOLE = "https://nguon.binhdinh.gov.vn"  # the template's default ConsoleOrigin (lambda_env)


@pytest.fixture(scope="module")
def template() -> dict:
    return cfn_yaml.load(str(TEMPLATE))


@pytest.fixture(scope="module")
def translated(template) -> dict:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_DEFAULT_REGION", "ap-southeast-1")
        sam = copy.deepcopy(template)
        for resource in sam["Resources"].values():
            props = resource.get("Properties", {})
            for key in ("CodeUri", "ContentUri"):  # as `sam package` leaves them
                if key in props:
                    props[key] = f"s3://nguon-artifacts/{props[key].strip('/')}.zip"
        return transform(sam, {}, _NoManagedPolicies())["Resources"]


@pytest.fixture
def handler(monkeypatch):
    import app
    from staff_api import application, dependencies

    service = UnitService(InMemoryUnitStore(load_bundled_catalogue()))
    monkeypatch.setitem(
        application.app.dependency_overrides, dependencies.unit_service, lambda: service
    )
    return app.lambda_handler


def _from(origin: str) -> dict:
    """A proxy event's headers as a browser on ``origin`` sends them."""
    return {
        "headers": {**EVENT["headers"], "origin": origin},
        "multiValueHeaders": {
            **{k: [v] for k, v in EVENT["headers"].items()},
            "origin": [origin],
        },
    }


def _csp(template) -> dict[str, list[str]]:
    config = template["Resources"]["ConsoleHeadersPolicy"]["Properties"]
    csp = config["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]["ContentSecurityPolicy"]
    text, _variables = csp["ContentSecurityPolicy"]["Fn::Sub"]
    directives = [part.split() for part in text.split(";") if part.strip()]
    return {words[0]: words[1:] for words in directives}


def test_the_console_bucket_is_private_encrypted_and_read_by_its_distribution_only(template):
    resources = template["Resources"]
    bucket = resources["ConsoleBucket"]["Properties"]
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    assert len(bucket["PublicAccessBlockConfiguration"]) == 4
    assert (
        bucket["BucketEncryption"] == resources["DeliveryBucket"]["Properties"]["BucketEncryption"]
    )
    statements = resources["ConsoleBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    (allow,) = [s for s in statements if s["Effect"] == "Allow"]
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert allow["Action"] == "s3:GetObject"  # no listing, no writing
    assert allow["Resource"] == {"Fn::Sub": "${ConsoleBucket.Arn}/*"}
    source = allow["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Sub"]
    assert source.endswith(":distribution/${ConsoleDistribution}")


def test_cloudfront_reads_the_bucket_through_origin_access_control(template):
    resources = template["Resources"]
    oac = resources["ConsoleOriginAccessControl"]["Properties"]["OriginAccessControlConfig"]
    assert (oac["OriginAccessControlOriginType"], oac["SigningBehavior"]) == ("s3", "always")
    config = resources["ConsoleDistribution"]["Properties"]["DistributionConfig"]
    (origin,) = config["Origins"]
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": ["ConsoleOriginAccessControl", "Id"]}
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}  # no legacy OAI
    behaviour = config["DefaultCacheBehavior"]
    assert behaviour["ViewerProtocolPolicy"] == "redirect-to-https"
    assert behaviour["ResponseHeadersPolicyId"] == {"Ref": "ConsoleHeadersPolicy"}
    assert behaviour["AllowedMethods"] == ["GET", "HEAD"]
    assert config["DefaultRootObject"] == "index.html"
    # Client-side routes: a path that is no object (403 without ListBucket, or 404) is the app.
    fallback = {e["ErrorCode"]: e for e in config["CustomErrorResponses"]}
    assert set(fallback) == {403, 404}
    for error in fallback.values():
        assert (error["ResponseCode"], error["ResponsePagePath"]) == (200, "/index.html")
    outputs = template["Outputs"]
    assert {"ConsoleUrl", "ConsoleBucketName", "ConsoleDistributionId"} <= set(outputs)


def test_the_security_headers_are_the_ones_the_console_needs_and_no_more(template):
    csp = _csp(template)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]  # no inline or eval'd script
    assert csp["style-src"] == ["'self'", "'unsafe-inline'"]  # Ant Design's run-time styles
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["connect-src"] == [
        "'self'",
        "${StaffApiOrigin}",
        "${SpeechApiOrigin}",
        "${CognitoOrigin}",
        "${UploadsOrigin}",
    ]
    assert csp["img-src"] == ["'self'", "data:", "blob:", "${MediaOrigin}"]
    assert csp["media-src"] == ["'self'", "blob:", "${MediaOrigin}"]
    assert not any("*" in source for sources in csp.values() for source in sources)
    config = template["Resources"]["ConsoleHeadersPolicy"]["Properties"]
    security = config["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    assert security["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000
    assert security["FrameOptions"]["FrameOption"] == "DENY"
    assert security["ReferrerPolicy"]["ReferrerPolicy"] == "same-origin"
    assert "ContentTypeOptions" in security
    assert all(header["Override"] for header in security.values())


def test_both_apis_allow_cors_for_the_console_origin_with_an_unauthorized_preflight(translated):
    for api in ("StaffApi", "SpeechApi"):
        body = translated[api]["Properties"]["Body"]
        assert body["paths"], api
        for path, methods in body["paths"].items():
            options = methods["options"]
            assert "security" not in options, (api, path)  # a browser's preflight has no token
            integration = options["x-amazon-apigateway-integration"]
            assert integration["type"] == "mock"
            headers = integration["responses"]["default"]["responseParameters"]
            origin = headers["method.response.header.Access-Control-Allow-Origin"]
            assert origin == {"Fn::Sub": "'${ConsoleOrigin}'"}, (api, path)
            allowed = headers["method.response.header.Access-Control-Allow-Headers"]
            assert set(allowed.strip("'").split(",")) == {
                "Authorization",
                "Content-Type",
                "If-Match",
                "Accept-Language",
            }
        # API Gateway's own refusals must be readable too, or the console shows a blank error.
        responses = body["x-amazon-apigateway-gateway-responses"]
        for kind in ("UNAUTHORIZED", "DEFAULT_4XX", "DEFAULT_5XX", "ACCESS_DENIED"):
            header = responses[kind]["responseParameters"][
                "gatewayresponse.header.Access-Control-Allow-Origin"
            ]
            assert header == {"Fn::Sub": "'${ConsoleOrigin}'"}, (api, kind)


def test_the_functions_learn_the_console_origin_from_the_template(template):
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    assert variables["NGUON_CONSOLE_ORIGIN"] == {"Ref": "ConsoleOrigin"}


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [(CONSOLE, True), ("https://evil.example", False), ("http://127.0.0.1:3002", False)],
)
def test_the_staff_api_answers_carry_the_console_origin_only(handler, origin, allowed):
    status, _, response = call(handler, **_from(origin))
    assert status == 200
    got = response["multiValueHeaders"].get("Access-Control-Allow-Origin")
    assert got == ([origin] if allowed else None)
    if allowed:
        assert "ETag" in response["multiValueHeaders"]["Access-Control-Expose-Headers"][0]


def test_a_refusal_from_the_function_is_readable_by_the_console(handler):
    status, body, response = call(handler, path="/units/999999", **_from(CONSOLE))
    assert status >= 400
    assert body["code"]
    assert response["multiValueHeaders"]["Access-Control-Allow-Origin"] == [CONSOLE]


def test_no_cors_header_without_a_console_origin():
    from nguon.config import Settings
    from nguon.cors import console_cors

    assert console_cors(Settings(TABLE_NAME="nguon-dev", NGUON_CONSOLE_ORIGIN="")) is None
    config = console_cors(Settings(TABLE_NAME="nguon-dev", NGUON_CONSOLE_ORIGIN=CONSOLE))
    assert config is not None
    assert config.allowed_origin("https://evil.example") is None
    assert config.allowed_origin(CONSOLE) == CONSOLE
