"""Cognito's app-client write permissions in moto, which does not check them.

In AWS an app client that lists ``WriteAttributes`` lets its users change only those with
``UpdateUserAttributes``; any other answers ``NotAuthorizedException`` "A client attempted to
write unauthorized attribute" (a client without the list may write every writable
attribute). moto 5.2 writes whatever it is given, so locally a user could set their own
``custom:unit`` — their scope — which AWS refuses. This puts the check back.
"""

import functools
from typing import Any

from moto.cognitoidp.exceptions import NotAuthorizedError
from moto.cognitoidp.models import CognitoIdpBackend

UNAUTHORIZED_ATTRIBUTE = "A client attempted to write unauthorized attribute"


def install() -> None:
    original = CognitoIdpBackend.update_user_attributes
    if getattr(original, "checks_write_attributes", False):
        return

    @functools.wraps(original)
    def update_user_attributes(
        self: CognitoIdpBackend, access_token: str, attributes: list[dict[str, str]]
    ) -> None:
        for pool in self.user_pools.values():
            if access_token in pool.access_tokens:
                client_id, _ = pool.access_tokens[access_token]
                client: Any = pool.clients.get(client_id)
                writable = client.extended_config.get("WriteAttributes") if client else None
                if writable is not None and any(a["Name"] not in writable for a in attributes):
                    raise NotAuthorizedError(UNAUTHORIZED_ATTRIBUTE)
        return original(self, access_token, attributes)

    # A mark on the patched function (installed once), and moto's backend patched in place:
    # moto has no hook for it.
    update_user_attributes.checks_write_attributes = True  # type: ignore[attr-defined]
    CognitoIdpBackend.update_user_attributes = update_user_attributes  # type: ignore[method-assign]
