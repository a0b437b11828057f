"""The local cloud's IAM check: IAM's evaluation rules, calls mapped to actions and ARNs, and
the roles the SAM translator makes of template.yaml."""

import io

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from infra.localcloud.iam import (
    RUNNING,
    Arns,
    Enforcer,
    RolePolicy,
    Statement,
    UnmappedCall,
    install,
    matches,
    role_policies,
    translate,
)
from infra.localcloud.template import ACCOUNT_ID, Template, TemplateError

REGION = "ap-southeast-1"
TABLE = f"arn:aws:dynamodb:{REGION}:{ACCOUNT_ID}:table/nguon-dev"


def policy(*statements: dict) -> RolePolicy:
    return RolePolicy(tuple(Statement.parse(s) for s in statements))


# ------------------------------------------------------------------ evaluation
@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b.mp3", True),
        ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket", False),
        ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket-other/a", False),
        ("arn:aws:s3:::bucket/?.mp3", "arn:aws:s3:::bucket/a.mp3", True),
        ("arn:aws:s3:::bucket/?.mp3", "arn:aws:s3:::bucket/ab.mp3", False),
        # Regular-expression characters in ARNs are literal.
        ("arn:aws:iot:r:1:topic/nguon/alerts/+", "arn:aws:iot:r:1:topic/nguon/alerts/52", False),
        ("arn:aws:sqs:r:1:q.fifo", "arn:aws:sqs:r:1:qXfifo", False),
    ],
)
def test_resource_wildcards(pattern, value, expected):
    assert matches(pattern, value, case_sensitive=True) is expected


def test_actions_ignore_case_and_resources_do_not():
    role = policy({"Effect": "Allow", "Action": "DynamoDB:getitem", "Resource": TABLE})
    assert role.decide("dynamodb:GetItem", TABLE) == "Allow"
    assert role.decide("dynamodb:GetItem", TABLE.upper()) == "ImplicitDeny"


def test_action_wildcards():
    role = policy({"Effect": "Allow", "Action": "sqs:SendMessage*", "Resource": "*"})
    assert role.decide("sqs:SendMessage", "arn:aws:sqs:r:1:q") == "Allow"
    assert role.decide("sqs:ReceiveMessage", "arn:aws:sqs:r:1:q") == "ImplicitDeny"


def test_explicit_deny_wins_over_allow():
    role = policy(
        {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"},
        {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::b/keep/*"},
    )
    assert role.decide("s3:DeleteObject", "arn:aws:s3:::b/tmp/x") == "Allow"
    assert role.decide("s3:DeleteObject", "arn:aws:s3:::b/keep/x") == "ExplicitDeny"
    assert role.decide("s3:GetObject", "arn:aws:s3:::b/keep/x") == "Allow"


def test_not_action_and_not_resource():
    role = policy(
        {"Effect": "Allow", "NotAction": "iot:Delete*", "Resource": "arn:aws:iot:r:1:thing/*"},
        {"Effect": "Deny", "Action": "iot:*", "NotResource": "arn:aws:iot:r:1:thing/loa-*"},
    )
    assert role.decide("iot:DescribeThing", "arn:aws:iot:r:1:thing/loa-1") == "Allow"
    assert role.decide("iot:DeleteThing", "arn:aws:iot:r:1:thing/loa-1") == "ImplicitDeny"
    assert role.decide("iot:DescribeThing", "arn:aws:iot:r:1:thing/other") == "ExplicitDeny"


def test_nothing_granted_is_refused():
    assert policy().decide("dynamodb:GetItem", TABLE) == "ImplicitDeny"


def test_a_condition_is_refused_rather_than_ignored():
    with pytest.raises(TemplateError, match="Condition"):
        Statement.parse(
            {
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": "*",
                "Condition": {"Bool": {"aws:SecureTransport": "true"}},
            }
        )


# ------------------------------------------------------------------ calls → actions and ARNs
ARNS = Arns(REGION, secrets={"nguon/device-ca/dev": "arn:x:secret:nguon/device-ca/dev-AbCdEf"})


def test_dynamodb_transactions_are_authorised_item_by_item():
    requests = ARNS.requests(
        "dynamodb",
        "TransactWriteItems",
        {
            "TransactItems": [
                {"Put": {"TableName": "nguon-dev", "Item": {}}},
                {"Delete": {"TableName": "nguon-dev", "Key": {}}},
                {"ConditionCheck": {"TableName": "other", "Key": {}}},
            ]
        },
    )
    assert requests == [
        ("dynamodb:PutItem", TABLE),
        ("dynamodb:DeleteItem", TABLE),
        ("dynamodb:ConditionCheckItem", f"arn:aws:dynamodb:{REGION}:{ACCOUNT_ID}:table/other"),
    ]


def test_a_query_on_an_index_names_the_index():
    requests = ARNS.requests("dynamodb", "Query", {"TableName": "nguon-dev", "IndexName": "GSI1"})
    assert requests == [("dynamodb:Query", f"{TABLE}/index/GSI1")]


def test_mail_is_authorised_by_its_sending_identity_and_a_text_by_star():
    sent = ARNS.requests("ses", "SendEmail", {"Source": "Cảnh báo <canhbao@thongbao.vn>"})
    assert sent == [("ses:SendEmail", f"arn:aws:ses:{REGION}:{ACCOUNT_ID}:identity/thongbao.vn")]
    assert ARNS.requests("sns", "Publish", {"PhoneNumber": "+84905123456"}) == [
        ("sns:Publish", "*")
    ]
    topic = f"arn:aws:sns:{REGION}:{ACCOUNT_ID}:t"
    assert ARNS.requests("sns", "Publish", {"TopicArn": topic}) == [("sns:Publish", topic)]
    with pytest.raises(UnmappedCall):
        ARNS.requests("ses", "VerifyDomainIdentity", {"Domain": "x.vn"})


def test_s3_operations_map_to_their_actions():
    assert ARNS.requests("s3", "HeadObject", {"Bucket": "b", "Key": "k/1"}) == [
        ("s3:GetObject", "arn:aws:s3:::b/k/1")
    ]
    assert ARNS.requests("s3", "GetObject", {"Bucket": "b", "Key": "k", "VersionId": "v"}) == [
        ("s3:GetObjectVersion", "arn:aws:s3:::b/k")
    ]
    assert ARNS.requests("s3", "ListObjectsV2", {"Bucket": "b", "Prefix": "x/"}) == [
        ("s3:ListBucket", "arn:aws:s3:::b")
    ]


def test_sqs_queue_urls_become_queue_arns_and_batches_their_single_action():
    url = "http://127.0.0.1:5000/123456789012/nguon-speech-tasks-dev"
    assert ARNS.requests("sqs", "SendMessageBatch", {"QueueUrl": url, "Entries": []}) == [
        ("sqs:SendMessage", f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:nguon-speech-tasks-dev")
    ]


def test_iot_resources():
    cert = f"arn:aws:iot:{REGION}:{ACCOUNT_ID}:cert/abc123"
    assert ARNS.requests("iot", "AttachPolicy", {"policyName": "p", "target": cert}) == [
        ("iot:AttachPolicy", cert)
    ]
    assert ARNS.requests("iot", "RegisterCertificate", {"certificatePem": "x"}) == [
        ("iot:RegisterCertificate", "*")
    ]
    assert ARNS.requests("iot-data", "Publish", {"topic": "nguon/alerts/52"}) == [
        ("iot:Publish", f"arn:aws:iot:{REGION}:{ACCOUNT_ID}:topic/nguon/alerts/52")
    ]


def test_secrets_by_name_take_the_arn_of_the_created_secret():
    assert ARNS.requests("secretsmanager", "GetSecretValue", {"SecretId": "nguon/device-ca/dev"})[
        0
    ][1] == ("arn:x:secret:nguon/device-ca/dev-AbCdEf")


def test_an_unknown_operation_fails_loudly():
    with pytest.raises(TemplateError):
        ARNS.requests("s3", "PutBucketPolicy", {"Bucket": "b"})


def test_a_refusal_is_shaped_like_aws():
    enforcer = Enforcer({"F": policy()}, ARNS, "nguon-local")
    with pytest.raises(ClientError) as refused:
        enforcer.check("F", "dynamodb", "GetItem", {"TableName": "nguon-dev", "Key": {}})
    error = refused.value.response["Error"]
    assert error["Code"] == "AccessDeniedException"
    assert "not authorized to perform: dynamodb:GetItem on resource: " + TABLE in error["Message"]
    assert enforcer.usage()["F"]["denied"] == [f"dynamodb:GetItem {TABLE}"]


# ------------------------------------------------------------------ the template's roles
@pytest.fixture(scope="module")
def roles() -> dict[str, RolePolicy]:
    template = Template.load(region=REGION)
    # What the provisioner records, without a server: names as the template gives them.
    template.physical_ids.update(
        MainTable="nguon-dev",
        DeliveryBucket=f"nguon-delivery-dev-{ACCOUNT_ID}",
        DeviceCaSecret=f"arn:aws:secretsmanager:{REGION}:{ACCOUNT_ID}:secret:nguon/device-ca/dev-AbCdEf",
        DevicePolicy="nguon-device-dev",
        SubscriptionSecret=f"arn:aws:secretsmanager:{REGION}:{ACCOUNT_ID}:secret:nguon/subscriptions/dev-AbCdEf",
        CentralSystemSecret=CENTRAL_SECRET,
    )
    for logical_id, _ in template.resources("AWS::SQS::Queue"):
        name = template.property(logical_id, "QueueName")
        template.physical_ids[logical_id] = f"http://localhost/{ACCOUNT_ID}/{name}"
        template.attributes[(logical_id, "QueueName")] = name
        template.attributes[(logical_id, "Arn")] = f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:{name}"
    template.attributes[("MainTable", "Arn")] = TABLE
    template.attributes[("MainTable", "StreamArn")] = f"{TABLE}/stream/now"
    template.attributes[("DevicePolicy", "Arn")] = f"arn:aws:iot:{REGION}:{ACCOUNT_ID}:policy/p"
    template.attributes[("UserPool", "Arn")] = (
        f"arn:aws:cognito-idp:{REGION}:{ACCOUNT_ID}:userpool/{REGION}_pool"
    )
    return role_policies(template)


SPEECH_QUEUE = f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:nguon-speech-tasks-dev"
CENTRAL_SECRET = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT_ID}:secret:nguon/central/dev-AbCdEf"
THING = f"arn:aws:iot:{REGION}:{ACCOUNT_ID}:thing/loa-5201-0001"
CERT = f"arn:aws:iot:{REGION}:{ACCOUNT_ID}:cert/0f3c9a"


def test_the_fanout_may_make_voices(roles):
    fanout = roles["FanoutFunction"]
    assert fanout.decide("dynamodb:PutItem", TABLE) == "Allow"
    assert fanout.decide("sqs:SendMessage", SPEECH_QUEUE) == "Allow"
    # ... and still only reads otherwise.
    assert fanout.decide("dynamodb:DeleteItem", TABLE) == "ImplicitDeny"
    assert fanout.decide("dynamodb:UpdateItem", TABLE) == "ImplicitDeny"


def test_the_fanout_failure_destination_has_a_type(roles):
    template = Template.load(region=REGION)
    props = template.document["Resources"]["FanoutFunction"]["Properties"]
    on_failure = props["Events"]["TableChanges"]["Properties"]["DestinationConfig"]["OnFailure"]
    assert on_failure["Type"] in ("SQS", "SNS")
    # With the type, SAM gives the role the right to write the failure record.
    dlq = f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:nguon-fanout-dlq-dev"
    assert roles["FanoutFunction"].decide("sqs:SendMessage", dlq) == "Allow"


def test_only_provisioning_may_change_the_registry_and_only_project_things(roles):
    provisioning = roles["ProvisioningFunction"]
    for action in ("iot:UpdateCertificate", "iot:DescribeCertificate", "iot:AttachPolicy"):
        assert provisioning.decide(action, CERT) == "Allow"
        assert provisioning.decide(
            action, f"arn:aws:iot:{REGION}:{ACCOUNT_ID}:rolealias/admin"
        ) == ("ImplicitDeny")
        assert roles["ApiFunction"].decide(action, CERT) == "ImplicitDeny"
    assert provisioning.decide("iot:DeleteThing", THING) == "Allow"
    assert provisioning.decide("iot:DeleteThing", "arn:aws:iot:us-east-1:999999999999:thing/x") == (
        "ImplicitDeny"
    )
    assert roles["ApiFunction"].decide("iot:DeleteThing", THING) == "ImplicitDeny"


def test_the_device_cas_key_is_readable_by_provisioning_alone(roles):
    secret = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT_ID}:secret:nguon/device-ca/dev-AbCdEf"
    readers = {
        function
        for function, role in roles.items()
        if role.decide("secretsmanager:GetSecretValue", secret) == "Allow"
    }
    assert readers == {"ProvisioningFunction"}
    # This one secret, not every secret of the account.
    other = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT_ID}:secret:nguon/tts/key-AbCdEf"
    assert roles["ProvisioningFunction"].decide("secretsmanager:GetSecretValue", other) == (
        "ImplicitDeny"
    )


# Actions with no resource type in the Service Authorization Reference: "*" is the only
# resource IAM accepts for them.
NO_RESOURCE_TYPE = {"iot:DescribeEndpoint", "iot:RegisterCertificate"}
# A text message to a phone number has no ARN either: "*", where the same role denies every
# SNS ARN (topics, platform endpoints), so that only SMS remains.
SMS_ONLY = "sns:Publish"


def _sms_only(role: RolePolicy) -> bool:
    return any(
        s.effect == "Deny" and SMS_ONLY in s.actions and "arn:aws:sns:*:*:*" in s.resources
        for s in role.statements
    )


def test_no_function_is_granted_star_beyond_what_its_code_needs(roles):
    offending = []
    for function, role in roles.items():
        for statement in role.statements:
            if statement.source != "inline" or statement.effect != "Allow":
                continue  # AWS-managed policies SAM adds for Lambda itself (logs, pollers)
            for action in statement.actions:
                if action == "*" or action.endswith(":*"):
                    offending.append(f"{function}: {action}")
                elif action == SMS_ONLY and "*" in statement.resources and _sms_only(role):
                    continue
                elif "*" in statement.resources and action not in NO_RESOURCE_TYPE:
                    offending.append(f"{function}: {action} on *")
            if statement.not_actions or statement.not_resources:
                offending.append(f"{function}: NotAction/NotResource in an Allow")
    assert offending == []


def test_translation_keeps_every_function_with_a_role():
    translated = translate(Template.load(region=REGION).document, REGION)
    functions = [
        logical_id
        for logical_id, resource in translated["Resources"].items()
        if resource["Type"] == "AWS::Lambda::Function"
    ]
    assert functions
    assert all(f"{name}Role" in translated["Resources"] for name in functions)


# ------------------------------------------------------------------ the SDK hook
@pytest.fixture
def running_as():
    install()
    tokens = []

    def enter(statements: list[dict]) -> Enforcer:
        enforcer = Enforcer({"F": policy(*statements)}, Arns("us-east-1"), "nguon-local")
        tokens.append(RUNNING.set((enforcer, "F")))
        return enforcer

    yield enter
    for token in reversed(tokens):
        RUNNING.reset(token)


def test_calls_and_transfer_threads_are_checked_only_while_a_function_runs(running_as):
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="nguon-test")  # no function running: not checked
        enforcer = running_as(
            [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::nguon-test/*"}]
        )
        with pytest.raises(ClientError, match="s3:PutObject"):
            s3.put_object(Bucket="nguon-test", Key="a", Body=b"x")
        # upload_fileobj runs its parts in s3transfer's worker threads.
        with pytest.raises(ClientError, match="s3:PutObject"):
            s3.upload_fileobj(io.BytesIO(b"x"), "nguon-test", "b")
        with pytest.raises(ClientError, match="s3:PutObject"):
            s3.generate_presigned_post("nguon-test", "uploads/c")
        url = s3.generate_presigned_url("get_object", Params={"Bucket": "nguon-test", "Key": "a"})
    assert url.startswith("https://")
    assert enforcer.usage()["F"]["used_resources"] == ["s3:GetObject arn:aws:s3:::nguon-test/a"]
    assert enforcer.usage()["F"]["denied"] == [
        "s3:PutObject arn:aws:s3:::nguon-test/a",
        "s3:PutObject arn:aws:s3:::nguon-test/b",
        "s3:PutObject arn:aws:s3:::nguon-test/uploads/c",
    ]


def test_the_notifier_sends_mail_from_its_identity_and_sms_only(roles):
    notify = roles["NotifyFunction"]
    identity = f"arn:aws:ses:{REGION}:{ACCOUNT_ID}:identity/thongbao.binhdinh.gov.vn"
    assert notify.decide("ses:SendEmail", identity) == "Allow"
    other = f"arn:aws:ses:{REGION}:{ACCOUNT_ID}:identity/example.com"
    assert notify.decide("ses:SendEmail", other) == "ImplicitDeny"
    assert notify.decide("sns:Publish", "*") == "Allow"  # a phone number
    topic = f"arn:aws:sns:{REGION}:{ACCOUNT_ID}:anything"
    assert notify.decide("sns:Publish", topic) == "ExplicitDeny"
    secret = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT_ID}:secret:nguon/subscriptions/dev-AbCdEf"
    assert notify.decide("secretsmanager:GetSecretValue", secret) == "Allow"
    ca = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT_ID}:secret:nguon/device-ca/dev-AbCdEf"
    assert notify.decide("secretsmanager:GetSecretValue", ca) == "ImplicitDeny"
    # Nobody else sends to people.
    for name, role in roles.items():
        if name != "NotifyFunction":
            assert role.decide("ses:SendEmail", identity) != "Allow", name
            assert role.decide("sns:Publish", "*") != "Allow", name


def test_the_central_outbox_reads_claims_and_settles_items_and_reads_its_key_only(roles):
    central = roles["CentralOutboxFunction"]
    assert central.decide("dynamodb:GetItem", TABLE) == "Allow"
    assert central.decide("dynamodb:PutItem", TABLE) == "Allow"
    assert central.decide("dynamodb:Query", f"{TABLE}/index/GSI1") == "Allow"
    # No deleting, no scanning: the open items are found through their status partitions.
    assert central.decide("dynamodb:DeleteItem", TABLE) == "ImplicitDeny"
    assert central.decide("dynamodb:Scan", TABLE) == "ImplicitDeny"
    assert central.decide("secretsmanager:GetSecretValue", CENTRAL_SECRET) == "Allow"
    subscriptions = (
        f"arn:aws:secretsmanager:{REGION}:{ACCOUNT_ID}:secret:nguon/subscriptions/dev-AbCdEf"
    )
    assert central.decide("secretsmanager:GetSecretValue", subscriptions) == "ImplicitDeny"
