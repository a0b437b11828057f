"""API Gateway's Cognito user pool authorizer, reproduced for the local gateway.

What API Gateway (REST, ``COGNITO_USER_POOLS``, no OAuth scopes on the method) checks before a
function runs: an RS256 signature by a key of the pool's JWKS, the pool's issuer, an ID token
(``token_use: id``) whose audience is one of the pool's app clients, and an expiry in the
future. Failures are 401 before the function is called. The claims then reach the function in
``requestContext.authorizer.claims``, every value a string, as API Gateway passes them.
"""

import base64
import json
import time
import urllib.request
from collections.abc import Callable, Collection, Mapping
from datetime import UTC, datetime
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet


class AuthorizationError(Exception):
    """The token is missing or not acceptable; the reason is for logs, never for clients."""


class CognitoAuthorizer:
    def __init__(
        self,
        *,
        jwks_url: str,
        issuer: str,
        client_ids: Collection[str],
        clock: Callable[[], float] = time.time,
    ) -> None:
        # moto signs with the real AWS issuer URL but serves the JWKS itself, so the two
        # locations are configured apart.
        self._jwks_url = jwks_url
        self._issuer = issuer
        self._client_ids = frozenset(client_ids)
        self._clock = clock
        self._keys: KeySet | None = None

    def authorize(self, header_value: str | None) -> dict[str, Any]:
        """The verified claims of the token in an ``Authorization`` header."""
        if not header_value:
            raise AuthorizationError("no token")
        scheme, _, rest = header_value.strip().partition(" ")
        token = rest.strip() if scheme.lower() == "bearer" else header_value.strip()
        claims = self._verified(token)
        if claims.get("iss") != self._issuer:
            raise AuthorizationError("wrong issuer")
        if claims.get("token_use") != "id":
            raise AuthorizationError("not an ID token")
        if claims.get("aud") not in self._client_ids:
            raise AuthorizationError("audience is not an app client of the pool")
        expires = claims.get("exp")
        if not isinstance(expires, int | float) or expires <= self._clock():
            raise AuthorizationError("expired")
        return claims

    def _verified(self, token: str) -> dict[str, Any]:
        try:
            return dict(jwt.decode(token, self._key_set(token), algorithms=["RS256"]).claims)
        except (JoseError, ValueError) as error:
            raise AuthorizationError(f"bad token: {type(error).__name__}") from error

    def _key_set(self, token: str) -> KeySet:
        """The pool's keys, fetched again when the token names a key not seen (rotation)."""
        kid = _header(token).get("kid")
        known = self._keys is not None and any(key.kid == kid for key in self._keys.keys)
        if not known:
            with urllib.request.urlopen(self._jwks_url, timeout=5) as response:  # noqa: S310
                self._keys = KeySet.import_key_set(json.load(response))
        assert self._keys is not None
        return self._keys


def _header(token: str) -> dict[str, Any]:
    try:
        segment = token.split(".")[0]
        header = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (ValueError, IndexError) as error:
        raise AuthorizationError("not a JWT") from error
    if not isinstance(header, dict):
        raise AuthorizationError("not a JWT")
    return header


def claims_as_api_gateway_passes_them(claims: Mapping[str, Any]) -> dict[str, str]:
    """Every claim as a string: lists joined by commas, exp/iat as API Gateway dates."""
    passed: dict[str, str] = {}
    for name, value in claims.items():
        if name in ("exp", "iat") and isinstance(value, int | float):
            passed[name] = datetime.fromtimestamp(value, UTC).strftime("%a %b %d %H:%M:%S UTC %Y")
        elif isinstance(value, list | tuple):
            passed[name] = ",".join(str(item) for item in value)
        elif isinstance(value, bool):
            passed[name] = str(value).lower()
        else:
            passed[name] = str(value)
    return passed
