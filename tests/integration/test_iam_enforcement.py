"""On the local cloud a function may do only what its own role allows, as on AWS."""

import boto3
import pytest
from botocore.exceptions import ClientError

from infra.localcloud.iam import RUNNING, RolePolicy, Statement

pytestmark = pytest.mark.integration


@pytest.fixture
def aws(endpoints):
    def client(service: str):
        return boto3.client(
            service, endpoint_url=endpoints["aws_endpoint_url"], region_name=endpoints["region"]
        )

    return client


@pytest.fixture(autouse=True)
def refusals_stay_here(cloud, monkeypatch):
    """What these tests provoke is not what the suite's code needs: kept out of its table."""
    for function in cloud.iam.roles:
        monkeypatch.setitem(cloud.iam.used, function, set(cloud.iam.used[function]))
        monkeypatch.setitem(cloud.iam.denied, function, set())


def as_function(cloud, function: str):
    """Calls in this block are checked as ``function``'s, as LambdaHost.invoke does."""

    class _Running:
        def __enter__(self):
            self.token = RUNNING.set((cloud.iam, function))

        def __exit__(self, *_):
            RUNNING.reset(self.token)

    return _Running()


def test_a_call_outside_the_role_is_refused_as_aws_would(cloud, endpoints, aws):
    s3, sqs = aws("s3"), aws("sqs")
    speech_queue = sqs.get_queue_url(QueueName="nguon-speech-tasks-dev")["QueueUrl"]
    with as_function(cloud, "TelemetryFunction"):
        with pytest.raises(ClientError) as refused:
            s3.list_objects_v2(Bucket=endpoints["delivery_bucket"])
        with pytest.raises(ClientError) as refused_send:
            sqs.send_message(QueueUrl=speech_queue, MessageBody="{}")
    assert refused.value.response["Error"]["Code"] == "AccessDenied"
    assert "TelemetryFunction is not authorized to perform: s3:ListBucket" in str(refused.value)
    assert refused_send.value.response["Error"]["Code"] == "AccessDenied"
    denied = cloud.iam.usage()["TelemetryFunction"]["denied"]
    assert f"s3:ListBucket arn:aws:s3:::{endpoints['delivery_bucket']}" in denied


def test_the_same_call_within_the_role_goes_through(cloud, endpoints, aws):
    s3 = aws("s3")
    with as_function(cloud, "FanoutFunction"):
        s3.list_objects_v2(Bucket=endpoints["delivery_bucket"])  # S3CrudPolicy
        # ... but not the uploads bucket, and not a presigned upload into it.
        with pytest.raises(ClientError):
            s3.list_objects_v2(Bucket=endpoints["uploads_bucket"])
        with pytest.raises(ClientError):
            s3.generate_presigned_post(endpoints["uploads_bucket"], "uploads/x.mp3")
        with pytest.raises(ClientError):
            s3.generate_presigned_url(
                "get_object", Params={"Bucket": endpoints["uploads_bucket"], "Key": "x"}
            )
    with as_function(cloud, "ApiFunction"):
        s3.generate_presigned_post(endpoints["uploads_bucket"], "uploads/x.mp3")  # S3WritePolicy


def test_a_function_whose_role_lacks_a_permission_fails_through_the_api(cloud, api, monkeypatch):
    """A real handler, run by the gateway in its own thread: the refusal reaches the caller."""
    assert api.get("/units/52", as_user="tinh-admin").status_code == 200
    granted = cloud.iam.roles["ApiFunction"]
    withheld = Statement(effect="Deny", actions=("dynamodb:*",), resources=("*",))
    monkeypatch.setitem(cloud.iam.roles, "ApiFunction", RolePolicy((*granted.statements, withheld)))

    response = api.get("/units/52", as_user="tinh-admin")

    assert response.status_code == 500
    assert any(
        entry.startswith("dynamodb:") for entry in cloud.iam.usage()["ApiFunction"]["denied"]
    )
