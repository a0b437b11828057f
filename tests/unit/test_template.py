"""template.yaml deploys: cfn-lint and the SAM translator accept it, and it matches the code."""

import copy
import sys
from pathlib import Path

import pytest
from cfnlint.api import ManualArgs, lint
from cfnlint.decode import cfn_yaml
from samtranslator.public.exceptions import InvalidDocumentException
from samtranslator.translator.transform import transform

from infra.localcloud.template import Template, merge_globals
from nguon.models.principal import Role

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"


@pytest.fixture(scope="module")
def template() -> dict:
    return cfn_yaml.load(str(TEMPLATE))


def test_cfn_lint_finds_no_error_or_warning():
    # Deployed to Asia Pacific (Singapore), the AWS region nearest Vietnam.
    matches = lint(TEMPLATE.read_text(), config=ManualArgs(regions=["ap-southeast-1"]))
    assert [str(m) for m in matches if m.rule.id[0] in "EW"] == []


class _NoManagedPolicies:
    def load(self):
        return {}


def test_sam_translator_turns_it_into_cloudformation(template, monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-southeast-1")
    sam = copy.deepcopy(template)
    for resource in sam["Resources"].values():
        props = resource.get("Properties", {})
        for key in ("CodeUri", "ContentUri"):  # what `sam package` does before deploying
            if key in props:
                props[key] = f"s3://nguon-artifacts/{props[key].strip('/')}.zip"
    try:
        translated = transform(sam, {}, _NoManagedPolicies())
    except InvalidDocumentException as error:
        pytest.fail("; ".join(str(cause) for cause in error.causes))
    types = {resource["Type"] for resource in translated["Resources"].values()}
    assert {
        "AWS::Lambda::Function",
        "AWS::ApiGateway::RestApi",
        "AWS::Lambda::LayerVersion",
    } <= types
    apis = {
        logical_id: r["Properties"]
        for logical_id, r in translated["Resources"].items()
        if r["Type"] == "AWS::ApiGateway::RestApi"
    }
    assert set(apis) == {"StaffApi", "SpeechApi"}
    body = apis["StaffApi"]["Body"]
    assert (
        body["securityDefinitions"]["CognitoAuthorizer"]["x-amazon-apigateway-authtype"]
        == "cognito_user_pools"
    )
    assert body["paths"]["/units/{code}"]["get"]["security"] == [{"CognitoAuthorizer": []}]
    assert body["paths"]["/openapi.json"]["get"]["security"] == [{"NONE": []}]
    responses = body["x-amazon-apigateway-gateway-responses"]
    assert responses["UNAUTHORIZED"]["statusCode"] == "401"
    assert "/tts/v1/{proxy+}" not in body["paths"]
    # Polly's API is its own API: every type binary, so boto3's client (no Accept) gets audio
    # bytes; behind the same user pool.
    speech = apis["SpeechApi"]
    assert speech["BinaryMediaTypes"] == ["*~1*"]
    assert list(speech["Body"]["paths"]) == ["/tts/v1/{proxy+}"]
    method = speech["Body"]["paths"]["/tts/v1/{proxy+}"]["x-amazon-apigateway-any-method"]
    assert method["security"] == [{"CognitoAuthorizer": []}]
    pools = {
        api["Body"]["securityDefinitions"]["CognitoAuthorizer"]["x-amazon-apigateway-authorizer"][
            "providerARNs"
        ][0]["Fn::GetAtt"][0]
        for api in apis.values()
    }
    assert pools == {"UserPool"}
    assert speech["Body"]["x-amazon-apigateway-gateway-responses"] == responses


def test_lambda_runtime_is_the_python_the_tests_run_on(template):
    runtime = template["Globals"]["Function"]["Runtime"]
    assert runtime == f"python{sys.version_info.major}.{sys.version_info.minor}"
    layer = template["Resources"]["DomainLayer"]
    assert runtime in layer["Properties"]["CompatibleRuntimes"]


def test_user_pool_groups_are_exactly_the_roles(template):
    groups = {
        resource["Properties"]["GroupName"]
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::Cognito::UserPoolGroup"
    }
    assert groups == {role.value for role in Role}


def test_user_pool_has_the_home_unit_attribute(template):
    schema = template["Resources"]["UserPool"]["Properties"]["Schema"]
    assert {"Name": "unit", "AttributeDataType": "String", "Mutable": True}.items() <= schema[
        0
    ].items()


def test_every_function_handler_exists(template):
    for resource in template["Resources"].values():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        module, _, function = resource["Properties"]["Handler"].rpartition(".")
        source = ROOT / resource["Properties"]["CodeUri"] / f"{module.replace('.', '/')}.py"
        assert source.is_file()
        assert f"def {function}(" in source.read_text()


def test_merge_globals_follows_sam():
    globals_ = {"Auth": {"DefaultAuthorizer": "A", "Authorizers": {"A": 1}}, "Types": ["x"]}
    own = {"Auth": {"DefaultAuthorizer": "B"}, "Types": ["y"], "Name": "n"}
    assert merge_globals(globals_, own) == {
        "Auth": {"DefaultAuthorizer": "B", "Authorizers": {"A": 1}},
        "Types": ["x", "y"],
        "Name": "n",
    }


def test_the_local_cloud_reads_each_api_with_the_globals_and_its_own_binary_types():
    local = Template.load(TEMPLATE, region="ap-southeast-1")
    staff, speech = (local.raw_properties(api) | {"id": api} for api in ("StaffApi", "SpeechApi"))
    for api in (staff, speech):
        assert api["Auth"]["DefaultAuthorizer"] == "CognitoAuthorizer", api["id"]
        assert api["GatewayResponses"]["UNAUTHORIZED"]["StatusCode"] == 401
    assert "BinaryMediaTypes" not in staff
    assert speech["BinaryMediaTypes"] == ["*~1*"]
    routes = {route.path: route for route in local.api_routes()}
    assert routes["/tts/v1/{proxy+}"].api == "SpeechApi"
    assert routes["/tts/v1/{proxy+}"].authorizer == "CognitoAuthorizer"
    assert routes["/openapi.json"].authorizer is None
