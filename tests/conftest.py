"""Shared test set-up: the function environment that template.yaml gives, for in-process code.

Read from the template's Globals so tests cannot drift from the deployment; values that are
intrinsics (the table's name) get test values. Integration tests overwrite them with the local
cloud's real ones.
"""

import os

from cfnlint.decode import cfn_yaml

from infra.localcloud.template import TEMPLATE_PATH

_TEST_VALUES = {"TABLE_NAME": "nguon-dev"}


def _function_environment() -> dict[str, str]:
    variables = cfn_yaml.load(str(TEMPLATE_PATH))["Globals"]["Function"]["Environment"]["Variables"]
    return {
        name: value if isinstance(value, str) else _TEST_VALUES[name]
        for name, value in variables.items()
    }


for _name, _value in {
    **_function_environment(),
    "AWS_DEFAULT_REGION": "ap-southeast-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "true",
}.items():
    os.environ.setdefault(_name, _value)
