"""The local gateway refuses what API Gateway's Cognito authorizer refuses."""

import json
import time

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, OctKey, RSAKey

from infra.localcloud.authorizer import (
    AuthorizationError,
    CognitoAuthorizer,
    claims_as_api_gateway_passes_them,
)

ISSUER = "https://cognito-idp.ap-southeast-1.amazonaws.com/ap-southeast-1_pool"
CLIENT = "console-client"
NOW = 1_800_000_000


@pytest.fixture(scope="module")
def pool_key():
    return RSAKey.generate_key(2048, parameters={"kid": "pool-key"})


@pytest.fixture
def authorizer(pool_key, tmp_path):
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps(KeySet([pool_key]).as_dict(private=False)))
    return CognitoAuthorizer(
        jwks_url=jwks.as_uri(), issuer=ISSUER, client_ids=[CLIENT], clock=lambda: NOW
    )


def id_claims(**overrides):
    claims = {
        "sub": "user-1",
        "iss": ISSUER,
        "aud": CLIENT,
        "token_use": "id",
        "exp": NOW + 600,
        "iat": NOW - 60,
        "cognito:groups": ["editor"],
        "custom:unit": "540",
    }
    return {**claims, **overrides}


def sign(claims, key, alg="RS256", kid="pool-key"):
    return jwt.encode({"alg": alg, "kid": kid}, claims, key)


def test_valid_id_token_passes_with_its_claims(authorizer, pool_key):
    token = sign(id_claims(), pool_key)

    claims = authorizer.authorize(f"Bearer {token}")

    assert claims["sub"] == "user-1"
    assert claims["custom:unit"] == "540"


def test_raw_token_without_bearer_scheme_is_accepted_as_api_gateway_does(authorizer, pool_key):
    assert authorizer.authorize(sign(id_claims(), pool_key))["sub"] == "user-1"


@pytest.mark.parametrize(
    "claims",
    [
        id_claims(exp=NOW - 1),
        id_claims(exp=NOW),
        id_claims(iss="https://cognito-idp.ap-southeast-1.amazonaws.com/other_pool"),
        id_claims(aud="another-client"),
        id_claims(token_use="access"),
        {k: v for k, v in id_claims().items() if k != "exp"},
    ],
    ids=["expired", "expires-now", "other-issuer", "other-client", "access-token", "no-expiry"],
)
def test_unacceptable_claims_are_refused(authorizer, pool_key, claims):
    with pytest.raises(AuthorizationError):
        authorizer.authorize(f"Bearer {sign(claims, pool_key)}")


def test_signature_by_another_key_is_refused(authorizer):
    stranger = RSAKey.generate_key(2048, parameters={"kid": "pool-key"})

    with pytest.raises(AuthorizationError):
        authorizer.authorize(sign(id_claims(), stranger))


def test_symmetric_algorithm_is_refused(authorizer):
    secret = OctKey.generate_key(256)

    with pytest.raises(AuthorizationError):
        authorizer.authorize(sign(id_claims(), secret, alg="HS256"))


@pytest.mark.parametrize(
    "header", [None, "", "Bearer", "Bearer not.a.jwt", "Bearer abc", "Basic dXNlcg=="]
)
def test_missing_or_unreadable_token_is_refused(authorizer, header):
    with pytest.raises(AuthorizationError):
        authorizer.authorize(header)


def test_claims_reach_the_function_as_strings():
    passed = claims_as_api_gateway_passes_them(
        {
            "cognito:groups": ["editor", "approver"],
            "exp": 1680633579,
            "iat": 1680629979,
            "auth_time": 1680629979,
            "email_verified": True,
            "custom:unit": "540",
        }
    )

    assert passed == {
        "cognito:groups": "editor,approver",
        "exp": "Tue Apr 04 18:39:39 UTC 2023",
        "iat": "Tue Apr 04 17:39:39 UTC 2023",
        "auth_time": "1680629979",
        "email_verified": "true",
        "custom:unit": "540",
    }


def test_clock_is_the_real_time_by_default(pool_key, tmp_path):
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps(KeySet([pool_key]).as_dict(private=False)))
    authorizer = CognitoAuthorizer(jwks_url=jwks.as_uri(), issuer=ISSUER, client_ids=[CLIENT])
    token = sign(id_claims(exp=int(time.time()) + 60), pool_key)

    assert authorizer.authorize(token)["sub"] == "user-1"
