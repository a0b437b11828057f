"""How long a presigned link may promise to work: never past the credentials that sign it.

A SigV4 presigned URL made with temporary credentials (a Lambda's role, an assumed role, an
instance or container role) stops working when their session ends, whatever its
``X-Amz-Expires`` says: S3 checks the session token on every use. So a device link is given
the shorter of the wanted lifetime and what is left of the signing session (less a margin for
clocks and for the fetch itself), and whoever hands links out for longer re-signs them on a
schedule (the fan-out's hourly refresh, ``nguon.services.fanout``).

The session's end is known for credentials botocore refreshes (assumed roles, container and
instance credentials, and environment credentials with ``AWS_CREDENTIAL_EXPIRATION``). A
Lambda's own role credentials come as bare environment variables with no stated end; for them
the link assumes ``UNSTATED_SESSION_S``: two hourly re-sign rounds, so that one missed round
does not leave devices without a working link.
"""

from datetime import UTC, datetime
from typing import Any

SIGV4_LONGEST_S = 7 * 24 * 3600
"""The longest ``X-Amz-Expires`` SigV4 allows."""
MARGIN_S = 5 * 60
"""Kept between a link's end and its session's: clock skew, and a fetch under way."""
UNSTATED_SESSION_S = 2 * 3600
"""What a session token without a stated end is assumed to have left (see the docstring)."""


def client_credentials(client: Any) -> Any:
    """The credentials a boto3 client signs with (botocore has no public accessor)."""
    return client._request_signer._credentials


def session_end(credentials: Any) -> datetime | None:
    """When the signing session ends (aware, UTC); None if it does not, or is not stated."""
    expiry = getattr(credentials, "_expiry_time", None)  # botocore's RefreshableCredentials
    if expiry is None:
        return None
    if expiry.tzinfo is None:
        expiry = expiry.replace(tzinfo=UTC)
    return expiry.astimezone(UTC)


def refresh_if_ending(credentials: Any, within_s: float) -> None:
    """Ask refreshable credentials for a new session if theirs ends within ``within_s``.

    botocore refreshes on its own only in the last 15 minutes; a link signed an hour before
    that would die with the old session, before the next re-sign. A failed refresh keeps the
    current session (the links are then shorter, not wrong), and a new session that is
    itself this short is not renewed again (a provider that gives one-hour sessions would
    otherwise be called for every link)."""
    refresh_needed = getattr(credentials, "refresh_needed", None)
    if refresh_needed is None or not refresh_needed(refresh_in=within_s):
        return
    if _SHORT_FROM_THE_START.get(id(credentials)) == credentials.access_key:
        return
    with credentials._refresh_lock:  # botocore's own lock: its refresh must hold it
        if credentials.refresh_needed(refresh_in=within_s):
            credentials._protected_refresh(is_mandatory=False)
            if credentials.refresh_needed(refresh_in=within_s):
                _SHORT_FROM_THE_START[id(credentials)] = credentials.access_key


# Credentials (by id) → the access key of a session that was already short when it came.
_SHORT_FROM_THE_START: dict[int, str] = {}


def link_lifetime(credentials: Any, now: datetime, wanted_s: int = SIGV4_LONGEST_S) -> int:
    """Seconds a link signed now with ``credentials`` may promise: at most ``wanted_s``, SigV4's
    seven days, and the signing session's remaining life less ``MARGIN_S``.

    ``ValueError`` when nothing is left: a link that could not be fetched is not handed out.
    """
    wanted_s = min(wanted_s, SIGV4_LONGEST_S)
    frozen = credentials.get_frozen_credentials() if credentials is not None else None
    if frozen is None or not frozen.token:
        return wanted_s  # long-term keys (an IAM user, the local cloud's test keys)
    end = session_end(credentials)
    remaining = (
        (end - now.astimezone(UTC)).total_seconds() if end is not None else UNSTATED_SESSION_S
    )
    lifetime = int(min(wanted_s, remaining - MARGIN_S))
    if lifetime < 1:
        raise ValueError("The signing credentials end too soon to sign a link.")
    return lifetime
