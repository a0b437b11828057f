"""Domain errors: a stable machine code, and parameters for the human message.

The API maps each kind to an HTTP status in one place (``functions/api/staff_api/errors.py``);
the message text comes from :mod:`nguon.i18n`, so the domain never formats sentences.
"""

from typing import Any


class NguonError(Exception):
    """Base of every error the domain raises on purpose."""

    default_code = "error"

    def __init__(self, code: str | None = None, /, **params: Any) -> None:
        self.code = code or self.default_code
        self.params = params
        super().__init__(self.code, params)


class InvalidInput(NguonError):
    """The request is well-formed but breaks a rule (unknown target, bad range...)."""

    default_code = "invalid_input"


class BadRequest(NguonError):
    """The request cannot be read at all (malformed JSON, wrong content type)."""

    default_code = "bad_request"


class Unauthenticated(NguonError):
    """No valid identity came with the request."""

    default_code = "unauthorized"


class Forbidden(NguonError):
    """The identity is known but may not do this here (role or unit scope)."""

    default_code = "forbidden"


class NotFound(NguonError):
    """The thing asked for does not exist."""

    default_code = "not_found"


class Conflict(NguonError):
    """A state change lost a race or breaks the current state (stale version, duplicate)."""

    default_code = "conflict"


class Unavailable(NguonError):
    """A service the request needs did not answer (e.g. IoT Core); safe to try again."""

    default_code = "unavailable"


class TooManyRequests(NguonError):
    """Too many requests from one client or contact in a window (``retry_after`` seconds)."""

    default_code = "too_many_requests"
