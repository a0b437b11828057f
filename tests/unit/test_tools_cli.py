"""Operator tools fail in one line a person reads, Vietnamese then English, and never trace."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError
from pynamodb.exceptions import PutError

from infra.tools import _cli, sign_in
from nguon.errors import InvalidInput

ROOT = Path(__file__).resolve().parents[2]

TOOLS = {
    "sign_in": ["huyen-editor"],
    "load_units": ["--endpoints", "{endpoints}"],
    "device_ca": ["init", "--secret", "nguon/device-ca/dev", "--endpoints", "{endpoints}"],
    "provision_device": [
        *("--token", "t", "--kind", "speaker", "--unit", "21550", "--name", "Cụm loa chợ"),
        *("--lat", "13.77", "--lon", "109.22", "--vendor", "VNPT", "--model", "IPS-4"),
        *("--out", "{state}/bundles"),
    ],
}


def _closed_port() -> int:
    """A port nothing listens on: bound once to learn a free one, then closed."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _endpoints(url: str) -> dict:
    return {
        "api_url": url,
        "aws_endpoint_url": url,
        "region": "ap-southeast-1",
        "user_pool_client_id": "client",
        "table_name": "nguon-dev",
        "demo_users": [{"username": "huyen-editor", "password": "Demo-Password-1"}],
    }


def _run(tool: str, state: Path) -> subprocess.CompletedProcess[str]:
    args = [a.format(state=state, endpoints=state / "endpoints.json") for a in TOOLS[tool]]
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith(("AWS_", "NGUON_"))
    }
    # One attempt: botocore's retries only make a refused connection slower to report.
    environment.update(NGUON_STATE_DIR=str(state), AWS_MAX_ATTEMPTS="1")
    return subprocess.run(  # our own tools, with our own arguments
        [sys.executable, "-m", f"infra.tools.{tool}", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize("tool", sorted(TOOLS))
def test_without_endpoints_the_tool_says_the_local_cloud_is_not_running(tool, tmp_path):
    line = _one_line(_run(tool, tmp_path))
    vietnamese, english = line.split(" / ")
    assert vietnamese.startswith("Đám mây cục bộ chưa chạy")
    assert english.startswith("The local cloud is not running")
    assert "`make run`" in vietnamese
    assert "`make run`" in english


@pytest.mark.parametrize("tool", sorted(TOOLS))
def test_with_a_closed_port_the_tool_says_it_cannot_connect(tool, tmp_path):
    url = f"http://127.0.0.1:{_closed_port()}"
    (tmp_path / "endpoints.json").write_text(json.dumps(_endpoints(url)))
    line = _one_line(_run(tool, tmp_path))
    assert line.startswith(f"Không kết nối được tới {url}")
    assert f"Cannot connect to {url}" in line
    assert line.count("`make run`") == 2


def test_an_unknown_demo_user_is_named_with_the_accounts_there_are(tmp_path, capsys):
    endpoints = tmp_path / "endpoints.json"
    endpoints.write_text(json.dumps(_endpoints("http://127.0.0.1:1")))
    with pytest.raises(SystemExit) as stop:
        sign_in.main(["nobody", "--endpoints", str(endpoints)])
    assert stop.value.code == 1
    assert capsys.readouterr().err == (
        "Không có tài khoản mẫu nobody; các tài khoản: huyen-editor. / "
        "There is no demo account nobody; the accounts: huyen-editor.\n"
    )


def _client_error(code: str, message: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, "Operation")


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            _client_error("NotAuthorizedException", "Incorrect username or password."),
            "Sai tên đăng nhập hoặc mật khẩu. / Wrong username or password.",
        ),
        (
            _client_error("AccessDeniedException", "not allowed to PutSecretValue"),
            "AWS từ chối yêu cầu (AccessDeniedException): not allowed to PutSecretValue / "
            "AWS refused the request (AccessDeniedException): not allowed to PutSecretValue",
        ),
        (
            InvalidInput("invalid_catalogue", reason="duplicate code 540"),
            "Danh mục đơn vị hành chính không hợp lệ: duplicate code 540 / "
            "The administrative unit catalogue is not valid: duplicate code 540",
        ),
        (
            _cli.ToolFailure("tool_api_refused", "Đơn vị 547 nằm ngoài phạm vi.", status=403),
            "API trả lời 403 / The API answered 403: Đơn vị 547 nằm ngoài phạm vi.",
        ),
        (
            FileNotFoundError(2, "No such file or directory", "units.json"),
            "Không có tệp hoặc thư mục units.json. / There is no file or folder units.json.",
        ),
        (
            PutError("Failed", EndpointConnectionError(endpoint_url="http://127.0.0.1:9/")),
            "Không kết nối được tới http://127.0.0.1:9/: đám mây cục bộ chưa chạy? Hãy khởi "
            "động bằng `make run`. / Cannot connect to http://127.0.0.1:9/: is the local "
            "cloud running? Start it with `make run`.",
        ),
    ],
)
def test_expected_conditions_are_one_line_and_exit_1(error, expected, capsys):
    @_cli.tool
    def main() -> None:
        raise error

    with pytest.raises(SystemExit) as stop:
        main()
    assert stop.value.code == 1
    assert capsys.readouterr().err == expected + "\n"


def test_a_bug_keeps_its_traceback():
    @_cli.tool
    def main() -> None:
        raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        main()
