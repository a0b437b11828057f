"""One local cloud per test session (per xdist worker), as `make run` builds it."""

import json
import os
from collections.abc import Callable
from functools import cache
from pathlib import Path

import boto3
import pytest
import requests

from infra.localcloud.cloud import LocalCloud, LocalCloudConfig
from infra.localcloud.iam import format_table

# Each local cloud (one per xdist worker) leaves what its functions used here; the run's end
# prints the per-function table of IAM actions used / granted.
IAM_USAGE_DIR = Path(__file__).resolve().parents[2] / ".local" / "iam-usage"


def pytest_configure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):  # the controller (or a run without xdist)
        for stale in IAM_USAGE_DIR.glob("*.json"):
            stale.unlink()


def _merged_usage() -> dict[str, dict[str, list[str]]]:
    merged: dict[str, dict[str, set[str]]] = {}
    for file in sorted(IAM_USAGE_DIR.glob("*.json")):
        for function, row in json.loads(file.read_text()).items():
            into = merged.setdefault(function, {})
            for key, values in row.items():
                into.setdefault(key, set()).update(values)
    return {
        function: {key: sorted(values) for key, values in row.items()}
        for function, row in merged.items()
    }


@pytest.hookimpl(trylast=True)  # after the session's fixtures (the clouds) are torn down
def pytest_sessionfinish(session: pytest.Session) -> None:
    """A call refused to a function fails the run, even where no test saw it fail (the
    fan-out's stream retries and dead-letters quietly, as on AWS)."""
    if hasattr(session.config, "workerinput"):
        return
    refused = {f: row["denied"] for f, row in _merged_usage().items() if row.get("denied")}
    if refused:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        session.config.stash[_REFUSED] = refused


_REFUSED = pytest.StashKey[dict[str, list[str]]]()


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):
        return
    usage = _merged_usage()
    if not usage:
        return
    terminalreporter.write_sep("-", "IAM: actions each function used / was granted")
    terminalreporter.write_line(format_table(usage))
    if refused := config.stash.get(_REFUSED, None):
        terminalreporter.write_sep("!", "IAM: calls refused to functions (the run fails)")
        for function, calls in refused.items():
            terminalreporter.write_line(f"{function}: {'; '.join(calls)}")


@pytest.fixture(scope="session")
def cloud(tmp_path_factory: pytest.TempPathFactory):
    # Schedules off: tests run the sweep and the refresh themselves, at the times they choose.
    config = LocalCloudConfig(state_dir=tmp_path_factory.mktemp("local"), schedules=False)
    with LocalCloud(config) as running:
        yield running
        IAM_USAGE_DIR.mkdir(parents=True, exist_ok=True)
        usage = running.iam.usage()
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        (IAM_USAGE_DIR / f"{worker}.json").write_text(json.dumps(usage, indent=1))


@pytest.fixture(scope="session")
def endpoints(cloud: LocalCloud) -> dict:
    return json.loads(Path(cloud.endpoints_file).read_text())


@pytest.fixture(scope="session")
def cognito(endpoints):
    return boto3.client(
        "cognito-idp", endpoint_url=endpoints["aws_endpoint_url"], region_name=endpoints["region"]
    )


@pytest.fixture(scope="session")
def sign_in(cognito, endpoints, cloud) -> Callable[..., str]:
    """The IdToken of a user, by the standard USER_PASSWORD_AUTH flow."""

    @cache
    def id_token(username: str, password: str | None = None, client_id: str | None = None) -> str:
        result = cognito.initiate_auth(
            ClientId=client_id or endpoints["user_pool_client_id"],
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={
                "USERNAME": username,
                "PASSWORD": password or cloud.config.demo_password,
            },
        )
        return result["AuthenticationResult"]["IdToken"]

    return id_token


class Api:
    def __init__(self, base_url: str, sign_in: Callable[..., str]) -> None:
        self.base_url = base_url
        self._sign_in = sign_in

    def get(self, path: str, as_user: str | None = None, token: str | None = None, **headers):
        return self.call("GET", path, as_user=as_user, token=token, headers=headers)

    def post(self, path: str, body=None, as_user: str | None = None, **options):
        return self.call("POST", path, body, as_user=as_user, **options)

    def patch(self, path: str, body=None, as_user: str | None = None, **options):
        return self.call("PATCH", path, body, as_user=as_user, **options)

    def put(self, path: str, body=None, as_user: str | None = None, **options):
        return self.call("PUT", path, body, as_user=as_user, **options)

    def call(
        self,
        method: str,
        path: str,
        body=None,
        *,
        as_user: str | None = None,
        token: str | None = None,
        headers: dict | None = None,
        data: bytes | str | None = None,
    ):
        headers = dict(headers or {})
        if as_user:
            token = self._sign_in(as_user)
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return requests.request(
            method, self.base_url + path, json=body, data=data, headers=headers, timeout=10
        )


@pytest.fixture(scope="session")
def api(endpoints, sign_in) -> Api:
    return Api(endpoints["api_url"], sign_in)
