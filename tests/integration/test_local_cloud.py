"""The local cloud is built from template.yaml and cannot drift from it."""

import json

import boto3
import pytest
from cfnlint.decode import cfn_yaml

from infra.localcloud.provision import Provisioner
from infra.localcloud.seed import add_user
from infra.localcloud.template import TEMPLATE_PATH, Template
from nguon.services.unit_catalogue import parse_catalogue
from nguon.services.units import UnitService
from tests.unit.test_unit_catalogue import TWO_LEVEL

pytestmark = pytest.mark.integration

TEMPLATE = cfn_yaml.load(str(TEMPLATE_PATH))


def test_endpoints_file_has_what_clients_need(endpoints):
    assert set(endpoints) >= {
        "api_url",
        "aws_endpoint_url",
        "region",
        "user_pool_id",
        "user_pool_client_id",
        "demo_users",
    }
    for user in endpoints["demo_users"]:
        assert set(user) >= {"username", "password", "groups", "unit"}


def test_demo_users_cover_every_role_at_province_district_and_commune(endpoints):
    by_unit: dict[str, set[str]] = {}
    for user in endpoints["demo_users"]:
        by_unit.setdefault(user["unit"], set()).update(user["groups"])

    every_role = {"admin", "approver", "editor", "operator", "provider", "viewer"}
    assert by_unit["52"] == every_role
    assert by_unit["540"] == every_role - {"provider"}  # departments belong to the province
    assert by_unit["21550"] == every_role - {"provider"}
    assert "operator" in by_unit["21808"]  # a commune of another district


def test_table_has_the_template_key_schema(endpoints):
    dynamodb = boto3.client(
        "dynamodb", endpoint_url=endpoints["aws_endpoint_url"], region_name=endpoints["region"]
    )
    expected = TEMPLATE["Resources"]["MainTable"]["Properties"]

    table = dynamodb.describe_table(TableName=endpoints["table_name"])["Table"]

    assert table["KeySchema"] == expected["KeySchema"]
    assert sorted(table["AttributeDefinitions"], key=str) == sorted(
        expected["AttributeDefinitions"], key=str
    )
    assert [index["IndexName"] for index in table["GlobalSecondaryIndexes"]] == ["GSI1"]


def test_user_pool_groups_client_and_attribute_come_from_the_template(cognito, endpoints):
    pool_id = endpoints["user_pool_id"]
    expected_groups = {
        resource["Properties"]["GroupName"]: resource["Properties"]["Precedence"]
        for resource in TEMPLATE["Resources"].values()
        if resource["Type"] == "AWS::Cognito::UserPoolGroup"
    }

    groups = cognito.list_groups(UserPoolId=pool_id)["Groups"]
    pool = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    client = cognito.describe_user_pool_client(
        UserPoolId=pool_id, ClientId=endpoints["user_pool_client_id"]
    )["UserPoolClient"]

    assert {g["GroupName"]: g["Precedence"] for g in groups} == expected_groups
    assert "custom:unit" in {attribute["Name"] for attribute in pool["SchemaAttributes"]}
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == 12
    assert "ALLOW_USER_PASSWORD_AUTH" in client["ExplicitAuthFlows"]


def test_units_are_seeded_into_dynamodb(endpoints):
    dynamodb = boto3.resource(
        "dynamodb", endpoint_url=endpoints["aws_endpoint_url"], region_name=endpoints["region"]
    )
    item = dynamodb.Table(endpoints["table_name"]).get_item(Key={"PK": "UNIT#21550", "SK": "UNIT"})

    assert item["Item"]["name"] == "Phường Nhơn Bình"
    assert item["Item"]["GSI1PK"] == "PARENT#540"
    assert item["Item"]["ancestors"] == ["52", "540"]


def test_a_two_level_province_loads_and_is_served(cloud, cognito, endpoints, sign_in, api):
    from nguon.storage.units import DynamoUnitStore

    UnitService(DynamoUnitStore()).load(parse_catalogue(TWO_LEVEL))
    add_user(
        cognito,
        endpoints["user_pool_id"],
        "tinh98-admin",
        unit="98",
        password=cloud.config.demo_password,
        groups=["admin"],
    )

    province = api.get("/units/98", as_user="tinh98-admin").json()
    commune = api.get("/units/98002", as_user="tinh98-admin").json()

    assert [child["code"] for child in province["children"]] == ["98001", "98002"]
    assert {child["level"] for child in province["children"]} == {"commune"}
    assert commune["parent"] == "98"
    # The two provinces do not see each other.
    assert api.get("/units/52", as_user="tinh98-admin").status_code == 403
    assert api.get("/units/98", as_user="huyen-admin").status_code == 403


def test_loading_the_catalogue_again_changes_nothing(endpoints):
    from infra.tools.load_units import load_units

    dynamodb = boto3.client(
        "dynamodb", endpoint_url=endpoints["aws_endpoint_url"], region_name=endpoints["region"]
    )

    def count() -> int:
        return dynamodb.scan(
            TableName=endpoints["table_name"],
            FilterExpression="begins_with(PK, :unit) AND begins_with(ancestors[0], :bd)",
            ExpressionAttributeValues={":unit": {"S": "UNIT#"}, ":bd": {"S": "52"}},
            Select="COUNT",
        )["Count"]

    before = count()
    load_units()

    assert before == count() == 166  # every unit of Bình Định but the province itself


def test_provisioner_creates_buckets_and_resolves_intrinsics(tmp_path, endpoints):
    extra = tmp_path / "template.yaml"
    extra.write_text(
        """
Parameters:
  Stage: {Type: String, Default: test}
Resources:
  MediaBucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "nguon-media-${Stage}-${AWS::AccountId}"
  Plain:
    Type: AWS::DynamoDB::Table
    Properties:
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
"""
    )
    template = Template.load(extra, region=endpoints["region"], stack_name="extra")

    Provisioner(template, endpoints["aws_endpoint_url"]).provision()

    s3 = boto3.client(
        "s3", endpoint_url=endpoints["aws_endpoint_url"], region_name=endpoints["region"]
    )
    assert "nguon-media-test-123456789012" in {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert template.physical_ids["Plain"] == "extra-plain"
    assert (
        template.attributes[("MediaBucket", "Arn")] == "arn:aws:s3:::nguon-media-test-123456789012"
    )
    assert json.dumps(template.resolve({"Fn::Join": ["-", ["a", {"Ref": "Stage"}]]})) == '"a-test"'
