"""Shared test set-up: the function environment of template.yaml, for in-process code.

Integration tests overwrite it with the local cloud's real values when they start it.
"""

import os

from tests.lambda_env import lambda_environment

for _name, _value in lambda_environment().items():
    os.environ.setdefault(_name, _value)
