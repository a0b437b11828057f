"""Print the IdToken of a user of the running local cloud (or of any pool with --endpoints).

    TOKEN=$(.venv/bin/python -m infra.tools.sign_in huyen-editor)
    curl -H "Authorization: Bearer $TOKEN" "$API/units/540"

Uses Cognito's standard USER_PASSWORD_AUTH flow, as the console does.
"""

import argparse
import json
from pathlib import Path

import boto3


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("username")
    parser.add_argument("--password", help="default: the demo password from the endpoints file")
    parser.add_argument("--endpoints", type=Path, default=Path(".local/endpoints.json"))
    args = parser.parse_args()
    endpoints = json.loads(args.endpoints.read_text())
    password = args.password or next(
        user["password"] for user in endpoints["demo_users"] if user["username"] == args.username
    )
    print(id_token(endpoints, args.username, password))


if __name__ == "__main__":
    main()
