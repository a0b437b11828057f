"""Subscribing to a unit's alerts: double opt-in, confirmation codes, one-click unsubscribe.

Everything secret is derived from one key (Secrets Manager, ``NGUON_SUBSCRIPTION_SECRET``)
with HMAC-SHA256 and a purpose label, so nothing derived is stored:

- the subscription id: ``hmac("id", channel, contact, unit)``, a lookup key that says nothing
  about the contact (the same person subscribing again finds their subscription);
- the confirmation code of a round: ``hmac("code", id, round)`` as six digits, recomputed to
  check; the stream carries no code, and the sender computes it the same way;
- the unsubscribe token: the id and ``hmac("unsubscribe", id)``: a link that works as long as
  the subscription exists, forged by nobody without the key;
- rate-limit keys: the client address and the contact, hashed, never stored in clear.
"""

import base64
import hashlib
import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from nguon.errors import Conflict, InvalidInput, NguonError, NotFound
from nguon.models.subscriptions import (
    CODE_DIGITS,
    Confirmation,
    Subscription,
    SubscriptionRequest,
    SubscriptionStatus,
)
from nguon.services.units import UnitService
from nguon.storage.subscriptions import DynamoSubscriptionStore

CODE_TTL = timedelta(minutes=30)
"""A confirmation code works this long after it was asked for."""
CODE_ATTEMPTS = 5
"""Wrong codes allowed per round (then the citizen asks for a new code)."""


@dataclass(frozen=True)
class Limit:
    scope: str
    requests: int
    window_s: int


# A flood from one address, or at one contact (someone else's inbox or phone), is refused.
CLIENT_LIMIT = Limit("subscribe-client", requests=10, window_s=600)
CONTACT_LIMIT = Limit("subscribe-contact", requests=3, window_s=3600)


class RateLimited(NguonError):
    """Too many requests; ``retry_after`` seconds until the window ends (HTTP 429)."""

    default_code = "subscribe_rate_limited"

    def __init__(self, retry_after: int) -> None:
        super().__init__(None, retry_after=retry_after)
        self.retry_after = retry_after


class SubscriptionKeys:
    """Ids, codes, tokens and rate keys from the one secret (read lazily, cached upstream)."""

    def __init__(self, secret: Callable[[], str]) -> None:
        self._secret = secret

    def _mac(self, purpose: str, *parts: str) -> bytes:
        message = "\x1f".join((purpose, *parts)).encode()
        return hmac.new(self._secret().encode(), message, hashlib.sha256).digest()

    def subscription_id(self, request: SubscriptionRequest) -> str:
        digest = self._mac("id", str(request.channel), request.address, request.unit)
        return base64.b32encode(digest).decode().lower()[:26]

    def code(self, subscription_id: str, round_: int) -> str:
        number = int.from_bytes(self._mac("code", subscription_id, str(round_))[:8], "big")
        return f"{number % 10**CODE_DIGITS:0{CODE_DIGITS}d}"

    def unsubscribe_token(self, subscription_id: str) -> str:
        mac = base64.urlsafe_b64encode(self._mac("unsubscribe", subscription_id)[:18]).decode()
        return f"{subscription_id}.{mac}"

    def token_subject(self, token: str) -> str | None:
        """The subscription id a genuine token names; None for anything else."""
        subscription_id, _, _mac = token.partition(".")
        if len(subscription_id) != 26 or not subscription_id.isalnum():
            return None
        expected = self.unsubscribe_token(subscription_id)
        return subscription_id if hmac.compare_digest(expected, token) else None

    def rate_key(self, value: str) -> str:
        return self._mac("rate", value).hex()[:32]


class SubscriptionService:
    def __init__(
        self,
        store: DynamoSubscriptionStore,
        units: UnitService,
        keys: SubscriptionKeys,
        now: Callable[[], datetime],
        epoch: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._units = units
        self._keys = keys
        self._now = now
        self._epoch = epoch

    @property
    def keys(self) -> SubscriptionKeys:
        return self._keys

    def subscribe(self, request: SubscriptionRequest, client: str) -> Subscription:
        """A pending subscription and a new code on its way (sent from the table's stream);
        an active one is answered as it is, with no new code and nothing revealed."""
        self._units.require(request.unit)
        self._limit(CLIENT_LIMIT, client)
        self._limit(CONTACT_LIMIT, f"{request.channel}:{request.address}")
        subscription_id = self._keys.subscription_id(request)
        existing = self._store.get(subscription_id)
        if existing is not None and existing.status is SubscriptionStatus.ACTIVE:
            return existing
        pending = Subscription(
            id=subscription_id,
            unit=request.unit,
            channel=request.channel,
            address=request.address,
            categories=request.categories,
            status=SubscriptionStatus.PENDING,
            round=existing.round + 1 if existing else 1,
            requested_at=self._now(),
        )
        if not self._store.request(pending):  # confirmed in the meantime
            return self._store.get(subscription_id) or pending
        return pending

    def confirm(self, confirmation: Confirmation) -> Subscription:
        subscription = self._store.get(confirmation.subscription)
        if subscription is None:
            raise NotFound("subscription_not_found")
        expected = self._keys.code(subscription.id, subscription.round)
        if subscription.status is SubscriptionStatus.ACTIVE:
            # A second click on the same code; any other code is wrong here too, so that
            # confirming reveals no more than subscribing does.
            if not hmac.compare_digest(expected, confirmation.code):
                raise InvalidInput("code_wrong")
            return subscription
        if self._now() - subscription.requested_at > CODE_TTL:
            raise Conflict("code_expired", minutes=int(CODE_TTL.total_seconds() // 60))
        if not self._store.count_attempt(subscription.id, subscription.round, CODE_ATTEMPTS):
            raise Conflict("code_attempts_exceeded")
        if not hmac.compare_digest(expected, confirmation.code):
            raise InvalidInput("code_wrong")
        if not self._store.activate(subscription, self._now()):
            raise Conflict("code_expired", minutes=int(CODE_TTL.total_seconds() // 60))
        return subscription.model_copy(update={"status": SubscriptionStatus.ACTIVE})

    def unsubscribe(self, token: str) -> bool:
        """Delete the subscription, its contact and its markers; False if already gone."""
        subscription_id = self._keys.token_subject(token)
        if subscription_id is None:
            raise InvalidInput("unsubscribe_token_invalid")
        return self._store.delete(subscription_id)

    def _limit(self, limit: Limit, value: str) -> None:
        now = int(self._epoch())
        start = now - now % limit.window_s
        key = self._keys.rate_key(value)
        if not self._store.hit(limit.scope, key, start, limit.window_s, limit.requests):
            raise RateLimited(retry_after=max(1, start + limit.window_s - now))
