"""template.yaml deploys: cfn-lint and the SAM translator accept it, and it matches the code."""

import ast
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


# Rules that read today's date against AWS's runtime deprecation calendar: the suite passes on
# any date (faketime runs), so the runtime's schedule is not a lint finding here; the runtime is
# pinned to the test interpreter instead (test_lambda_runtime_is_the_python_the_tests_run_on below).
DATED_RULES = {"E2533", "W2531"}


def test_cfn_lint_finds_no_error_or_warning():
    # Deployed to Asia Pacific (Singapore), the AWS region nearest Vietnam.
    matches = lint(TEMPLATE.read_text(), config=ManualArgs(regions=["ap-southeast-1"]))
    findings = [m for m in matches if m.rule.id[0] in "EW" and m.rule.id not in DATED_RULES]
    assert [str(m) for m in findings] == []


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
    assert set(apis) == {"StaffApi", "SpeechApi", "PortalApi"}
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
        assert function in _top_level_names(source), (source, function)


def _top_level_names(source: Path) -> set[str]:
    """Functions defined and names assigned at a module's top level (a handler may be built)."""
    names = set()
    for node in ast.parse(source.read_text()).body:
        if isinstance(node, ast.FunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(target.id for target in node.targets if isinstance(target, ast.Name))
    return names


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


# ---------------------------------------------------------------- hardening (issue 11, 12)
@pytest.fixture(scope="module")
def translated(template) -> dict:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_DEFAULT_REGION", "ap-southeast-1")
        sam = copy.deepcopy(template)
        for resource in sam["Resources"].values():
            props = resource.get("Properties", {})
            for key in ("CodeUri", "ContentUri"):
                if key in props:
                    props[key] = f"s3://nguon-artifacts/{props[key].strip('/')}.zip"
        return transform(sam, {}, _NoManagedPolicies())["Resources"]


def _of_type(resources: dict, kind: str) -> dict:
    return {name: r for name, r in resources.items() if r["Type"] == kind}


def test_each_stage_is_throttled_and_logged_and_the_staff_api_has_a_usage_plan(translated):
    stages = {
        stage["Properties"]["RestApiId"]["Ref"]: stage["Properties"]
        for stage in _of_type(translated, "AWS::ApiGateway::Stage").values()
    }
    assert set(stages) == {"StaffApi", "SpeechApi", "PortalApi"}
    for api, props in stages.items():
        (settings,) = props["MethodSettings"]
        assert (settings["ResourcePath"], settings["HttpMethod"]) == ("/*", "*")
        assert 0 < settings["ThrottlingRateLimit"] <= settings["ThrottlingBurstLimit"]
        assert props["AccessLogSetting"]["DestinationArn"] == {
            "Fn::GetAtt": [f"{api}AccessLogs", "Arn"]
        }
        assert "$context.requestId" in props["AccessLogSetting"]["Format"]
    (plan,) = _of_type(translated, "AWS::ApiGateway::UsagePlan").values()
    assert plan["Properties"]["ApiStages"][0]["ApiId"] == {"Ref": "StaffApi"}
    assert plan["Properties"]["Throttle"]["RateLimit"] > 0
    assert plan["Properties"]["Quota"]["Period"] == "DAY"
    # Access logs need API Gateway's account role.
    (account,) = _of_type(translated, "AWS::ApiGateway::Account").values()
    assert account["Properties"]["CloudWatchRoleArn"]


def test_a_web_acl_with_a_rate_rule_and_managed_rules_guards_both_stages(translated):
    (acl,) = _of_type(translated, "AWS::WAFv2::WebACL").values()
    assert acl["Properties"]["Scope"] == "REGIONAL"
    rules = acl["Properties"]["Rules"]
    rate = [r for r in rules if "RateBasedStatement" in r["Statement"]]
    assert rate
    assert rate[0]["Action"] == {"Block": {}}
    assert rate[0]["Statement"]["RateBasedStatement"]["AggregateKeyType"] == "IP"
    managed = {
        r["Statement"]["ManagedRuleGroupStatement"]["Name"]
        for r in rules
        if "ManagedRuleGroupStatement" in r["Statement"]
    }
    assert {"AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"} <= managed
    assert len({r["Priority"] for r in rules}) == len(rules)
    associations = _of_type(translated, "AWS::WAFv2::WebACLAssociation").values()
    # The stages SAM generates, so that each association is made after its stage.
    assert sorted(
        a["Properties"]["ResourceArn"]["Fn::Sub"].split("/restapis/")[1] for a in associations
    ) == [
        "${SpeechApi}/stages/${SpeechApiStage}",
        "${StaffApi}/stages/${StaffApiStage}",
    ]
    for association in associations:
        assert association["Properties"]["WebACLArn"] == {"Fn::GetAtt": ["StaffApiWebAcl", "Arn"]}


def test_every_bucket_refuses_plain_http(template):
    buckets = set(_of_type(template["Resources"], "AWS::S3::Bucket"))
    guarded = set()
    for policy in _of_type(template["Resources"], "AWS::S3::BucketPolicy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if (
                statement["Effect"] == "Deny"
                and statement["Principal"] == "*"
                and statement["Action"] == "s3:*"
                and statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
            ):
                bucket = policy["Properties"]["Bucket"]["Ref"]
                objects = {"Fn::Sub": f"${{{bucket}.Arn}}/*"}
                assert {"Fn::GetAtt": [bucket, "Arn"]} in statement["Resource"]
                assert objects in statement["Resource"]
                guarded.add(bucket)
    assert buckets
    assert guarded == buckets


def test_uploads_cors_allows_the_console_origin_only(template):
    (rule,) = template["Resources"]["UploadsBucket"]["Properties"]["CorsConfiguration"]["CorsRules"]
    assert rule["AllowedOrigins"] == [{"Ref": "ConsoleOrigin"}]
    assert rule["AllowedMethods"] == ["POST"]
    assert "*" not in rule["AllowedHeaders"]
    assert template["Parameters"]["ConsoleOrigin"]["Default"].startswith("https://")


def test_every_function_log_group_has_a_retention(template):
    functions = set(_of_type(template["Resources"], "AWS::Serverless::Function"))
    retained = {}
    for group in _of_type(template["Resources"], "AWS::Logs::LogGroup").values():
        name = group["Properties"]["LogGroupName"]["Fn::Sub"]
        assert group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
        if name.startswith("/aws/lambda/${"):
            retained[name.removeprefix("/aws/lambda/${").removesuffix("}")] = group
    assert set(retained) == functions
    assert (
        template["Parameters"]["LogRetentionDays"]["Default"]
        in (template["Parameters"]["LogRetentionDays"]["AllowedValues"])
    )


def test_floods_cannot_take_the_concurrency_emergencies_need(template):
    resources = template["Resources"]

    def reserved(name):
        return resources[name]["Properties"].get("ReservedConcurrentExecutions")

    # The fan-out delivers emergencies: room is reserved for it.
    assert reserved("FanoutFunction") >= 1
    # ... and for the notifier, which e-mails and texts them to subscribers.
    assert reserved("NotifyFunction") >= 1
    # What floods (devices reconnecting, speech requests) is capped.
    assert 0 < reserved("TelemetryFunction") <= 50
    assert 0 < reserved("SpeechFunction") <= 50
    assert reserved("DeviceSweepFunction") == 1
    # Queue consumers are limited by their poller, so throttling never dead-letters a message.
    for function, event in (("IngestFunction", "Uploads"), ("SpeechTaskFunction", "Tasks")):
        assert reserved(function) is None
        scaling = resources[function]["Properties"]["Events"][event]["Properties"]["ScalingConfig"]
        assert 2 <= scaling["MaximumConcurrency"] <= 10
    # The staff API (approvals) is not capped: WAF and stage throttling bound it.
    assert reserved("ApiFunction") is None


def test_schedules_and_topic_rules_keep_what_fails(template, translated):
    for name, resource in _of_type(template["Resources"], "AWS::Serverless::Function").items():
        for event in resource["Properties"].get("Events", {}).values():
            assert event["Type"] != "IoTRule", f"{name}: SAM's IoTRule has no ErrorAction"
            if event["Type"] in ("Schedule", "ScheduleV2"):
                assert event["Properties"]["DeadLetterConfig"]["Arn"] == {
                    "Fn::GetAtt": ["ScheduleDeadLetters", "Arn"]
                }
    rules = _of_type(template["Resources"], "AWS::IoT::TopicRule")
    assert len(rules) == 5
    permissions = _of_type(template["Resources"], "AWS::Lambda::Permission")
    for name, rule in rules.items():
        payload = rule["Properties"]["TopicRulePayload"]
        sqs = payload["ErrorAction"]["Sqs"]
        assert sqs["QueueUrl"] == {"Ref": "TelemetryDeadLetters"}
        assert sqs["RoleArn"] == {"Fn::GetAtt": ["IotRuleErrorRole", "Arn"]}
        (permission,) = [
            p for p in permissions.values() if p["Properties"]["SourceArn"]["Fn::GetAtt"][0] == name
        ]
        assert permission["Properties"]["Principal"] == "iot.amazonaws.com"
    # The schedules' execution roles may put into that queue (SAM adds it for DeadLetterConfig).
    schedules = _of_type(translated, "AWS::Scheduler::Schedule")
    assert len(schedules) == 3
    for schedule in schedules.values():
        assert schedule["Properties"]["Target"]["DeadLetterConfig"]
    # The error role may send to the telemetry DLQ and nothing else.
    (policy,) = template["Resources"]["IotRuleErrorRole"]["Properties"]["Policies"]
    assert policy["PolicyDocument"]["Statement"] == [
        {
            "Effect": "Allow",
            "Action": "sqs:SendMessage",
            "Resource": {"Fn::GetAtt": ["TelemetryDeadLetters", "Arn"]},
        }
    ]


def test_mfa_is_available_with_an_authenticator_app(template):
    pool = template["Resources"]["UserPool"]["Properties"]
    assert pool["MfaConfiguration"] == "OPTIONAL"
    assert pool["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]


def test_no_handler_response_is_traced_by_default(template):
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    assert variables["POWERTOOLS_TRACER_CAPTURE_RESPONSE"] == "false"
