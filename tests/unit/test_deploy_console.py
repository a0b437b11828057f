"""infra/tools/deploy_console.py: the build to the stack's console bucket with the right
types and cache headers, config.json from the stack's outputs, then a CloudFront refresh."""

import json

import boto3
import pytest
from moto import mock_aws

from infra.tools import deploy_console
from infra.tools._cli import ToolFailure

REGION = "ap-southeast-1"
OUTPUTS = {
    "ApiUrl": "https://abc.execute-api.ap-southeast-1.amazonaws.com/dev",
    "PollyEndpoint": "https://def.execute-api.ap-southeast-1.amazonaws.com/dev/tts",
    "UserPoolId": "ap-southeast-1_Pool",
    "UserPoolClientId": "client123",
    "ConsoleBucketName": "nguon-console-dev-123456789012",
    "ConsoleUrl": "https://d111.cloudfront.net",
}


@pytest.fixture
def aws():
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(
            Bucket=OUTPUTS["ConsoleBucketName"],
            CreateBucketConfiguration={"LocationConstraint": REGION},
        )
        cloudfront = boto3.client("cloudfront", region_name=REGION)
        distribution = cloudfront.create_distribution(
            DistributionConfig={
                "CallerReference": "test",
                "Comment": "console",
                "Enabled": True,
                "Origins": {
                    "Quantity": 1,
                    "Items": [
                        {
                            "Id": "console-bucket",
                            "DomainName": "bucket.s3.amazonaws.com",
                            "S3OriginConfig": {"OriginAccessIdentity": ""},
                        }
                    ],
                },
                "DefaultCacheBehavior": {
                    "TargetOriginId": "console-bucket",
                    "ViewerProtocolPolicy": "redirect-to-https",
                    "MinTTL": 0,
                },
            }
        )["Distribution"]
        yield s3, cloudfront, {**OUTPUTS, "ConsoleDistributionId": distribution["Id"]}


@pytest.fixture
def dist(tmp_path):
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html>")
    (tmp_path / "assets" / "index-Ab12.js").write_text("export {};")
    (tmp_path / "assets" / "index-Cd34.css").write_text("body{}")
    (tmp_path / "favicon.svg").write_text("<svg/>")
    (tmp_path / "config.json").write_text('{"apiUrl": "http://localhost:5173/_api"}')
    return tmp_path


def test_each_file_gets_its_type_and_cache_and_config_comes_from_the_stack(aws, dist):
    s3, cloudfront, outputs = aws
    done = deploy_console.deploy(dist, outputs, REGION, s3, cloudfront)

    bucket = outputs["ConsoleBucketName"]

    def head(key):
        return s3.head_object(Bucket=bucket, Key=key)

    assert head("index.html")["CacheControl"] == "no-cache"
    assert head("index.html")["ContentType"].startswith("text/html")
    script = head("assets/index-Ab12.js")
    assert script["ContentType"] == "text/javascript"
    assert script["CacheControl"] == "public, max-age=31536000, immutable"
    assert head("assets/index-Cd34.css")["ContentType"] == "text/css"
    assert head("favicon.svg")["ContentType"] == "image/svg+xml"
    config = s3.get_object(Bucket=bucket, Key="config.json")
    assert config["CacheControl"] == "no-cache"
    assert json.loads(config["Body"].read()) == {
        "apiUrl": OUTPUTS["ApiUrl"],
        "speechUrl": OUTPUTS["PollyEndpoint"],
        "region": REGION,
        "userPoolId": OUTPUTS["UserPoolId"],
        "userPoolClientId": OUTPUTS["UserPoolClientId"],
    }
    assert done.files == 5  # four of the build and the stack's config.json (not the dev copy)
    invalidations = cloudfront.list_invalidations(DistributionId=outputs["ConsoleDistributionId"])
    (invalidation,) = invalidations["InvalidationList"]["Items"]
    assert invalidation["Id"] == done.invalidation
    assert done.url == OUTPUTS["ConsoleUrl"]


def test_assets_go_first_and_the_page_last(dist):
    keys = [key for key, _ in deploy_console.upload_order(dist)]
    assert keys[:2] == ["assets/index-Ab12.js", "assets/index-Cd34.css"]
    assert keys[-1] == "index.html"


def test_an_unbuilt_console_is_not_deployed(aws, tmp_path):
    s3, cloudfront, outputs = aws
    with pytest.raises(ToolFailure) as failure:
        deploy_console.deploy(tmp_path, outputs, REGION, s3, cloudfront)
    assert failure.value.code == "tool_console_not_built"
    assert "make console" in failure.value.line()


def test_a_stack_without_the_console_s_outputs_is_named():
    class Stacks:
        def describe_stacks(self, *, StackName):
            outputs = [{"OutputKey": "ApiUrl", "OutputValue": OUTPUTS["ApiUrl"]}]
            return {"Stacks": [{"StackName": StackName, "Outputs": outputs}]}

    with pytest.raises(ToolFailure) as failure:
        deploy_console.stack_outputs(Stacks(), "nguon-dev")
    assert failure.value.params["stack"] == "nguon-dev"
    assert "ConsoleBucketName" in failure.value.params["outputs"]
    assert "ApiUrl" not in failure.value.params["outputs"]


def test_the_template_has_every_output_the_tool_reads():
    from cfnlint.decode import cfn_yaml

    from infra.localcloud.template import TEMPLATE_PATH

    outputs = set(cfn_yaml.load(str(TEMPLATE_PATH))["Outputs"])
    wanted = {*deploy_console.CONFIG_FROM_OUTPUTS.values(), *deploy_console.DEPLOY_OUTPUTS}
    assert wanted <= outputs
