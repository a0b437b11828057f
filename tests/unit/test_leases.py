"""nguon.leases: one lease length (a setting) and one liveness rule for every worker's claim."""

from datetime import timedelta

import pytest

from nguon import leases
from nguon.clock import now
from nguon.config import get_settings


def test_a_claim_holds_for_one_lease_then_lapses():
    start = now()
    length = leases.lease_length()
    assert leases.is_live(start, start + length - timedelta(seconds=1))
    assert not leases.is_live(start, start + length)


def test_epoch_seconds_follow_the_same_rule():
    start = now().timestamp()
    seconds = leases.lease_length().total_seconds()
    assert leases.is_live(start, start + seconds - 1)
    assert not leases.is_live(start, start + seconds)
    with pytest.raises(TypeError):
        leases.is_live(now(), start)  # type: ignore[call-overload]  # the mix is refused


def test_the_length_is_one_setting_longer_than_lambdas_longest_run(monkeypatch):
    assert leases.lease_length() > timedelta(minutes=15)
    monkeypatch.setenv("NGUON_CLAIM_LEASE_S", "60")
    get_settings.cache_clear()
    assert leases.lease_length() == timedelta(seconds=60)


def test_a_worker_that_knows_its_deadline_claims_until_then():
    start = now()
    deadline = start + timedelta(minutes=3)
    assert leases.expiry(start, deadline) == deadline
    assert leases.expiry(start) == start + leases.lease_length()
