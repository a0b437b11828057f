"""Creating the template's tables, buckets and Cognito pool on the moto server.

Property names of CloudFormation are mapped to the API's where they differ; properties the
emulator has no use for (encryption, recovery, tags) are left out on purpose, never guessed.
"""

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal, cast, overload

import boto3

from infra.localcloud.template import ACCOUNT_ID, Template, TemplateError

if TYPE_CHECKING:
    from types_boto3_cognito_idp import CognitoIdentityProviderClient
    from types_boto3_dynamodb import DynamoDBClient
    from types_boto3_iot import IoTClient
    from types_boto3_s3 import S3Client
    from types_boto3_s3.literals import BucketLocationConstraintType
    from types_boto3_s3.type_defs import (
        CORSRuleTypeDef,
        CreateBucketConfigurationTypeDef,
        QueueConfigurationTypeDef,
    )
    from types_boto3_secretsmanager import SecretsManagerClient
    from types_boto3_sqs import SQSClient
    from types_boto3_sqs.literals import QueueAttributeNameType

_TABLE_KEYS = (
    "AttributeDefinitions",
    "KeySchema",
    "GlobalSecondaryIndexes",
    "LocalSecondaryIndexes",
    "BillingMode",
    "ProvisionedThroughput",
)
_POOL_KEYS = (
    "Policies",
    "Schema",
    "UsernameConfiguration",
    "AdminCreateUserConfig",
    "AutoVerifiedAttributes",
    "AliasAttributes",
    "UsernameAttributes",
    "MfaConfiguration",
    "AccountRecoverySetting",
    "UserPoolTags",
)
_CLIENT_KEYS = (
    "ClientName",
    "GenerateSecret",
    "ExplicitAuthFlows",
    "PreventUserExistenceErrors",
    "IdTokenValidity",
    "AccessTokenValidity",
    "RefreshTokenValidity",
    "TokenValidityUnits",
    "ReadAttributes",
    "WriteAttributes",
)


def _pick(props: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {key: props[key] for key in keys if key in props}


class Provisioner:
    """Creates, in dependency order, every resource of the template the emulator can hold."""

    def __init__(self, template: Template, endpoint_url: str) -> None:
        self.template = template
        self._clients: dict[str, Any] = {}
        self._endpoint_url = endpoint_url

    # One client per service, typed by the stubs for the services the local cloud provisions.
    @overload
    def client(self, service: Literal["cognito-idp"]) -> "CognitoIdentityProviderClient": ...
    @overload
    def client(self, service: Literal["dynamodb"]) -> "DynamoDBClient": ...
    @overload
    def client(self, service: Literal["iot"]) -> "IoTClient": ...
    @overload
    def client(self, service: Literal["s3"]) -> "S3Client": ...
    @overload
    def client(self, service: Literal["secretsmanager"]) -> "SecretsManagerClient": ...
    @overload
    def client(self, service: Literal["sqs"]) -> "SQSClient": ...
    @overload
    def client(self, service: str) -> Any: ...
    def client(self, service: str) -> Any:
        if service not in self._clients:
            # boto3's stubs type a client by a literal service name; this one is a variable.
            self._clients[service] = boto3.client(  # type: ignore[call-overload]
                service, endpoint_url=self._endpoint_url, region_name=self.template.region
            )
        return self._clients[service]

    def provision(self) -> None:
        order: list[tuple[str, Callable[[str], None]]] = [
            ("AWS::DynamoDB::Table", self._table),
            ("AWS::S3::Bucket", self._bucket),
            ("AWS::SQS::Queue", self._queue),
            ("AWS::SecretsManager::Secret", self._secret),
            ("AWS::IoT::Policy", self._iot_policy),
            ("AWS::Cognito::UserPool", self._user_pool),
            ("AWS::Cognito::UserPoolClient", self._user_pool_client),
            ("AWS::Cognito::UserPoolGroup", self._user_pool_group),
        ]
        for resource_type, create in order:
            for logical_id, _ in self.template.resources(resource_type):
                create(logical_id)
        # Notifications name queues, which exist only now.
        for logical_id, _ in self.template.resources("AWS::S3::Bucket"):
            self._bucket_notifications(logical_id)

    def _name(self, logical_id: str, props: dict[str, Any], key: str) -> str:
        return props.get(key) or f"{self.template.stack_name}-{logical_id}".lower()

    def _table(self, logical_id: str) -> None:
        props = self.template.properties(logical_id)
        name = self._name(logical_id, props, "TableName")
        args = _pick(props, _TABLE_KEYS)
        args.setdefault("BillingMode", "PAY_PER_REQUEST")
        if "StreamSpecification" in props:
            args["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
        created = self.client("dynamodb").create_table(TableName=name, **args)
        if stream := created["TableDescription"].get("LatestStreamArn"):
            self.template.attributes[(logical_id, "StreamArn")] = stream
        if props.get("TimeToLiveSpecification", {}).get("Enabled"):
            self.client("dynamodb").update_time_to_live(
                TableName=name, TimeToLiveSpecification=props["TimeToLiveSpecification"]
            )
        self.template.physical_ids[logical_id] = name
        arn = f"arn:aws:dynamodb:{self.template.region}:{ACCOUNT_ID}:table/{name}"
        self.template.attributes[(logical_id, "Arn")] = arn

    def _bucket(self, logical_id: str) -> None:
        # Only the name: its notifications name queues that do not exist yet.
        props = {"BucketName": self.template.property(logical_id, "BucketName")}
        name = self._name(logical_id, props, "BucketName")
        # The stubs list S3's regions as literals; the template's is a string.
        region = cast("BucketLocationConstraintType", self.template.region)
        location: CreateBucketConfigurationTypeDef = {"LocationConstraint": region}
        if self.template.region == "us-east-1":
            self.client("s3").create_bucket(Bucket=name)
        else:
            self.client("s3").create_bucket(Bucket=name, CreateBucketConfiguration=location)
        self.template.physical_ids[logical_id] = name
        self.template.attributes[(logical_id, "Arn")] = f"arn:aws:s3:::{name}"
        self._bucket_cors(logical_id, name)

    def _bucket_cors(self, logical_id: str, name: str) -> None:
        """The bucket's CORS rules (the console's origin), as CloudFormation sets them (its
        CorsRules, in the API's key names). moto itself answers every origin's preflight."""
        cors = self.template.property(logical_id, "CorsConfiguration")
        if not cors:
            return
        rules: list[CORSRuleTypeDef] = []
        for rule in cors["CorsRules"]:
            typed: CORSRuleTypeDef = {
                "AllowedMethods": rule["AllowedMethods"],
                "AllowedOrigins": rule["AllowedOrigins"],
            }
            if "AllowedHeaders" in rule:
                typed["AllowedHeaders"] = rule["AllowedHeaders"]
            if "ExposedHeaders" in rule:
                typed["ExposeHeaders"] = rule["ExposedHeaders"]
            if "MaxAge" in rule:
                typed["MaxAgeSeconds"] = int(rule["MaxAge"])
            rules.append(typed)
        self.client("s3").put_bucket_cors(Bucket=name, CORSConfiguration={"CORSRules": rules})

    def _queue(self, logical_id: str) -> None:
        props = self.template.properties(logical_id)
        name = self._name(logical_id, props, "QueueName")
        attributes: dict[QueueAttributeNameType, str] = {
            key: str(props[key])
            for key in ("MessageRetentionPeriod", "VisibilityTimeout", "DelaySeconds")
            if key in props
        }
        if "RedrivePolicy" in props:  # its dead-letter queue comes earlier in the template
            attributes["RedrivePolicy"] = json.dumps(props["RedrivePolicy"])
        url = self.client("sqs").create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        self.template.physical_ids[logical_id] = url  # Ref of a queue is its URL
        arn = f"arn:aws:sqs:{self.template.region}:{ACCOUNT_ID}:{name}"
        self.template.attributes[(logical_id, "Arn")] = arn
        self.template.attributes[(logical_id, "QueueName")] = name

    def _bucket_notifications(self, logical_id: str) -> None:
        queues = self.template.properties(logical_id).get("NotificationConfiguration", {})
        queues = queues.get("QueueConfigurations", [])
        if not queues:
            return
        # CloudFormation's shape → the API's (Event → Events, S3Key.Rules → Key.FilterRules).
        configurations: list[QueueConfigurationTypeDef] = []
        for entry in queues:
            rules = entry.get("Filter", {}).get("S3Key", {}).get("Rules", [])
            configuration: QueueConfigurationTypeDef = {
                "QueueArn": entry["Queue"],
                "Events": [entry["Event"]],
            }
            if rules:
                configuration["Filter"] = {"Key": {"FilterRules": rules}}
            configurations.append(configuration)
        self.client("s3").put_bucket_notification_configuration(
            Bucket=self.template.physical_ids[logical_id],
            NotificationConfiguration={"QueueConfigurations": configurations},
        )

    def _secret(self, logical_id: str) -> None:
        props = self.template.properties(logical_id)
        name = self._name(logical_id, props, "Name")
        # Created empty, as CloudFormation would leave it for the operator tool to fill.
        arn = self.client("secretsmanager").create_secret(
            Name=name, Description=props.get("Description", "")
        )["ARN"]
        self.template.physical_ids[logical_id] = arn  # Ref of a secret is its ARN

    def _iot_policy(self, logical_id: str) -> None:
        props = self.template.properties(logical_id)
        name = self._name(logical_id, props, "PolicyName")
        self.client("iot").create_policy(
            policyName=name, policyDocument=json.dumps(props["PolicyDocument"])
        )
        self.template.physical_ids[logical_id] = name
        arn = f"arn:aws:iot:{self.template.region}:{ACCOUNT_ID}:policy/{name}"
        self.template.attributes[(logical_id, "Arn")] = arn

    def _user_pool(self, logical_id: str) -> None:
        props = self.template.properties(logical_id)
        args = _pick(props, _POOL_KEYS)
        for attribute in args.get("Schema", []):
            # CloudFormation takes these numbers as strings, and so does the API.
            constraints = attribute.get("StringAttributeConstraints", {})
            attribute["StringAttributeConstraints"] = {k: str(v) for k, v in constraints.items()}
        pool = self.client("cognito-idp").create_user_pool(
            PoolName=self._name(logical_id, props, "UserPoolName"), **args
        )["UserPool"]
        self.template.physical_ids[logical_id] = pool["Id"]
        self.template.attributes[(logical_id, "Arn")] = pool["Arn"]

    def _user_pool_client(self, logical_id: str) -> None:
        props = self.template.properties(logical_id)
        client = self.client("cognito-idp").create_user_pool_client(
            UserPoolId=props["UserPoolId"], **_pick(props, _CLIENT_KEYS)
        )["UserPoolClient"]
        self.template.physical_ids[logical_id] = client["ClientId"]

    def _user_pool_group(self, logical_id: str) -> None:
        props = self.template.properties(logical_id)
        if "GroupName" not in props:
            raise TemplateError(f"{logical_id}: groups need an explicit GroupName")
        args = {k: props[k] for k in ("Description", "Precedence", "RoleArn") if k in props}
        self.client("cognito-idp").create_group(
            UserPoolId=props["UserPoolId"], GroupName=props["GroupName"], **args
        )
        self.template.physical_ids[logical_id] = props["GroupName"]
