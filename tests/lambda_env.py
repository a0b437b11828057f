"""The environment template.yaml gives every function, for code run outside the local cloud.

Read from the template's Globals so tests and benchmarks cannot drift from the deployment;
values that are intrinsics (the table's name) get the names the local cloud gives them.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from cfnlint.decode import cfn_yaml

from infra.localcloud.template import TEMPLATE_PATH

_LOCAL_VALUES = {
    "TABLE_NAME": "nguon-dev",
    "NGUON_CAP_SENDER": "nguon@binhdinh.gov.vn",
    "NGUON_DELIVERY_BUCKET": "nguon-delivery-dev-123456789012",
    "NGUON_DEVICE_POLICY": "nguon-device-dev",
    "NGUON_DEVICE_CA_SECRET": "nguon/device-ca/dev",
    "NGUON_MQTT_ENDPOINT": "",
    "NGUON_IOT_DATA_ENDPOINT": "",
    "NGUON_UPLOADS_BUCKET": "nguon-uploads-dev-123456789012",
    "NGUON_MEDIA_BUCKET": "nguon-delivery-dev-123456789012",
    "NGUON_INGEST_DEAD_LETTERS": (
        "https://sqs.ap-southeast-1.amazonaws.com/123456789012/nguon-ingest-dlq-dev"
    ),
    "NGUON_SPEECH_TASKS_QUEUE": (
        "https://sqs.ap-southeast-1.amazonaws.com/123456789012/nguon-speech-tasks-dev"
    ),
    # Issue 11: the speech API's own queue, once the template gives it (code falls back).
    "NGUON_SYNTHESIS_TASKS_QUEUE": (
        "https://sqs.ap-southeast-1.amazonaws.com/123456789012/nguon-synthesis-tasks-dev"
    ),
    "NGUON_DEFAULT_VOICE": "vi-vn-x-central",
    "NGUON_NEURAL_TTS_URL": "",
    "NGUON_NEURAL_TTS_KEY_SECRET": "",
    "NGUON_CONSOLE_ORIGIN": "https://nguon.binhdinh.gov.vn",
    "NGUON_SUBSCRIPTION_SECRET": "nguon/subscriptions/dev",
    "NGUON_MAIL_FROM": "canhbao@thongbao.binhdinh.gov.vn",
    "NGUON_PORTAL_URL": "https://thongtin.binhdinh.gov.vn",
    "NGUON_CENTRAL_URL": "",
    "NGUON_CENTRAL_KEY_SECRET": "nguon/central/dev",
}


@lru_cache(maxsize=4)
def _template_variables(path: str, modified_ns: int) -> dict[str, object]:
    # Parsing the template takes ~0.1 s, and every unit test asks (an autouse fixture):
    # parse once per version of the file.
    return cfn_yaml.load(path)["Globals"]["Function"]["Environment"]["Variables"]


def lambda_environment() -> dict[str, str]:
    variables = _template_variables(str(TEMPLATE_PATH), TEMPLATE_PATH.stat().st_mtime_ns)
    template_env = {
        name: value if isinstance(value, str) else _LOCAL_VALUES[name]
        for name, value in variables.items()
    }
    return {
        **template_env,
        "AWS_DEFAULT_REGION": "ap-southeast-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        # No X-Ray daemon and no CloudWatch outside AWS.
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true",
    }


@contextmanager
def function_environment() -> Iterator[None]:
    """For code run in-process (benchmark sections): set what the function environment has and
    this process lacks, for the block only, so later code sees no change."""
    missing = {
        name: value for name, value in lambda_environment().items() if name not in os.environ
    }
    os.environ.update(missing)
    try:
        yield
    finally:
        for name in missing:
            os.environ.pop(name, None)
