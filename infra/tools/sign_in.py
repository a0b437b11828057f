"""Print the IdToken of a user of the running local cloud (or of any pool with --endpoints).

    TOKEN=$(.venv/bin/python -m infra.tools.sign_in huyen-editor)
    curl -H "Authorization: Bearer $TOKEN" "$API/units/540"

Uses Cognito's standard USER_PASSWORD_AUTH flow, as the console does.
"""

import argparse
from pathlib import Path

import boto3

from infra.tools._cli import ToolFailure, default_endpoints, read_endpoints, tool


def id_token(endpoints: dict, username: str, password: str) -> str:
    cognito = boto3.client(
        "cognito-idp",
        endpoint_url=endpoints["aws_endpoint_url"],
        region_name=endpoints["region"],
        aws_access_key_id="testing",  # the emulator ignores credentials for sign-in
        aws_secret_access_key="testing",  # noqa: S106
    )
    result = cognito.initiate_auth(
        ClientId=endpoints["user_pool_client_id"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
    )
    return result["AuthenticationResult"]["IdToken"]


def demo_password(endpoints: dict, username: str) -> str:
    users = {user["username"]: user["password"] for user in endpoints.get("demo_users", [])}
    if username not in users:
        raise ToolFailure("tool_unknown_user", username=username, users=", ".join(sorted(users)))
    return users[username]


@tool
def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("username")
    parser.add_argument("--password", help="default: the demo password from the endpoints file")
    parser.add_argument(
        "--endpoints",
        type=Path,
        default=default_endpoints(),
        help="default: $NGUON_STATE_DIR/endpoints.json (.local/), written by make run",
    )
    args = parser.parse_args(argv)
    endpoints = read_endpoints(args.endpoints)
    password = args.password or demo_password(endpoints, args.username)
    print(id_token(endpoints, args.username, password))


if __name__ == "__main__":
    main()
