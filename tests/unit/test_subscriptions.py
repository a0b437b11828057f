"""Alert subscriptions: double opt-in, who gets which bulletin, once, and the cancellation.

The table is moto's (the template's key schema), so the conditional writes that make sending
idempotent are DynamoDB's own; the outbox keeps what SES and SNS would have sent."""

import re

import pytest
from pydantic import ValidationError

from nguon.errors import Conflict, InvalidInput
from nguon.models.bulletins import AuditAction, Decision, Status
from nguon.models.subscriptions import (
    Confirmation,
    ContactChannel,
    SubscriptionRequest,
    SubscriptionStatus,
    normalise_contact,
)
from nguon.services.notify import DeliveryFailed
from nguon.services.subscriptions import CONTACT_LIMIT, RateLimited
from tests.factories import bulletin
from tests.unit.subscription_world import World, subscription_world

CLIENT = "203.0.113.9"


@pytest.fixture
def world():
    with subscription_world() as built:
        yield built


def subscribe(world: World, unit: str, address: str, *categories: str, client: str = CLIENT):
    """Subscribe and confirm with the code that was sent; the active subscription."""
    channel = "sms" if address.lstrip("+").isdigit() else "email"
    request = SubscriptionRequest(
        unit=unit, channel=channel, address=address, categories=list(categories)
    )
    pending = world.subscriptions.subscribe(request, client)
    assert pending.status is SubscriptionStatus.PENDING
    world.notify.code_requested(pending.id, pending.round)  # what the stream does
    code = sent_code(world, pending.address)
    return world.subscriptions.confirm(Confirmation(subscription=pending.id, code=code))


def sent_code(world: World, address: str) -> str:
    *_, (_, _, _, text) = world.outbox.to(address)
    return re.findall(r"\b\d{6}\b", text)[0]


def emergency(**fields):
    fields.setdefault("targets", ["540"])
    return bulletin(priority="emergency", at_time="12:00", issuer="540", **fields)


# ------------------------------------------------------------------ contacts
@pytest.mark.parametrize(
    ("channel", "given", "stored"),
    [
        ("email", "  Lan.Nguyen@Example.VN ", "lan.nguyen@example.vn"),
        ("sms", "0912 345 678", "+84912345678"),
        ("sms", "+84 912-345-678", "+84912345678"),
        ("sms", "84912345678", "+84912345678"),
    ],
)
def test_a_contact_has_one_spelling(channel, given, stored):
    assert normalise_contact(ContactChannel(channel), given) == stored


@pytest.mark.parametrize(
    ("channel", "given", "problem"),
    [("email", "lan@", "email_invalid"), ("sms", "0212345678", "phone_invalid")],
)
def test_a_contact_that_is_none_is_refused_with_its_reason(channel, given, problem):
    with pytest.raises(ValidationError) as refused:
        SubscriptionRequest(unit="21550", channel=channel, address=given)
    assert refused.value.errors()[0]["type"] == problem


# ------------------------------------------------------------------ double opt-in
def test_a_subscription_is_active_only_with_the_code_sent_to_the_contact(world):
    request = SubscriptionRequest(unit="21550", channel="email", address="lan@example.vn")
    pending = world.subscriptions.subscribe(request, CLIENT)
    world.notify.code_requested(pending.id, pending.round)
    ((kind, to, subject, text),) = world.outbox.sent
    assert (kind, to) == ("email", "lan@example.vn")
    code = sent_code(world, "lan@example.vn")
    assert code in subject
    assert "Phường Nhơn Bình" in text
    # Not listed for alerts before it is confirmed.
    assert list(world.store.active_in("21550")) == []
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(InvalidInput) as refused:
        world.subscriptions.confirm(Confirmation(subscription=pending.id, code=wrong))
    assert refused.value.code == "code_wrong"
    confirmed = world.subscriptions.confirm(Confirmation(subscription=pending.id, code=code))
    assert confirmed.status is SubscriptionStatus.ACTIVE
    assert [s.id for s in world.store.active_in("21550")] == [pending.id]
    # The id is a keyed hash: it does not hold the contact.
    assert "lan" not in pending.id
    assert len(pending.id) == 26


def test_the_code_is_sent_once_per_round_however_often_the_stream_delivers(world):
    request = SubscriptionRequest(unit="21550", channel="sms", address="0912345678")
    pending = world.subscriptions.subscribe(request, CLIENT)
    world.notify.code_requested(pending.id, pending.round)
    world.notify.code_requested(pending.id, pending.round)
    assert len(world.outbox.sent) == 1
    # Asking again makes a new round and a new code; the old one stops working.
    world.clock.advance(minutes=2)
    again = world.subscriptions.subscribe(request, CLIENT)
    assert again.round == pending.round + 1
    world.notify.code_requested(again.id, again.round)
    old, new = (re.findall(r"\d{6}", m[3])[0] for m in world.outbox.sent)
    if old != new:
        with pytest.raises(InvalidInput):
            world.subscriptions.confirm(Confirmation(subscription=again.id, code=old))
    world.subscriptions.confirm(Confirmation(subscription=again.id, code=new))


def test_a_code_expires_and_wrong_codes_are_limited(world):
    request = SubscriptionRequest(unit="21550", channel="email", address="lan@example.vn")
    pending = world.subscriptions.subscribe(request, CLIENT)
    world.notify.code_requested(pending.id, pending.round)
    code = sent_code(world, "lan@example.vn")
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(InvalidInput):
            world.subscriptions.confirm(Confirmation(subscription=pending.id, code=wrong))
    with pytest.raises(Conflict) as spent:  # even the right code, once the round is spent
        world.subscriptions.confirm(Confirmation(subscription=pending.id, code=code))
    assert spent.value.code == "code_attempts_exceeded"

    other = SubscriptionRequest(unit="21550", channel="email", address="binh@example.vn")
    late = world.subscriptions.subscribe(other, CLIENT)
    world.notify.code_requested(late.id, late.round)
    world.clock.advance(minutes=31)
    with pytest.raises(Conflict) as expired:
        world.subscriptions.confirm(
            Confirmation(subscription=late.id, code=sent_code(world, "binh@example.vn"))
        )
    assert expired.value.code == "code_expired"


def test_subscribing_again_reveals_nothing_and_changes_nothing(world):
    lan = subscribe(world, "21550", "lan@example.vn", "health")
    code = sent_code(world, "lan@example.vn")
    world.outbox.sent.clear()
    again = SubscriptionRequest(unit="21550", channel="email", address="lan@example.vn")

    answer = world.subscriptions.subscribe(again, "198.51.100.7")  # anyone may try

    assert answer.id == lan.id
    assert world.outbox.sent == []  # no new code, and the subscription stays as it was
    assert world.store.get(lan.id).status is SubscriptionStatus.ACTIVE
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(InvalidInput):  # as for a pending one: a wrong code is wrong
        world.subscriptions.confirm(Confirmation(subscription=lan.id, code=wrong))
    confirmed = world.subscriptions.confirm(Confirmation(subscription=lan.id, code=code))
    assert confirmed.status is SubscriptionStatus.ACTIVE  # the owner's second click


def test_a_flood_at_one_contact_is_refused_with_when_to_come_back(world):
    request = SubscriptionRequest(unit="21550", channel="sms", address="0912345678")
    for _ in range(CONTACT_LIMIT.requests):
        world.subscriptions.subscribe(request, CLIENT)
    with pytest.raises(RateLimited) as refused:
        world.subscriptions.subscribe(request, "198.51.100.7")  # another client, same phone
    assert 0 < refused.value.retry_after <= CONTACT_LIMIT.window_s
    # Another contact from the first client still gets through.
    other = SubscriptionRequest(unit="21550", channel="sms", address="0987654321")
    assert world.subscriptions.subscribe(other, CLIENT).status is SubscriptionStatus.PENDING


# ------------------------------------------------------------------ who gets what
def test_an_emergency_reaches_its_areas_subscribers_and_those_below_once_each(world):
    commune = subscribe(world, "21550", "commune@example.vn", "health")
    district = subscribe(world, "540", "0912345678")
    province = subscribe(world, "52", "province@example.vn")
    elsewhere = subscribe(world, "21808", "phuphong@example.vn")
    world.outbox.sent.clear()
    # Two targets whose subtrees overlap: still one message each.
    alert = world.add(emergency(targets=["540", "21550"], category="disaster"))

    report = world.notify.bulletin_changed(alert.id, AuditAction.APPROVED)

    assert sorted(m[1] for m in world.outbox.sent) == sorted([commune.address, district.address])
    assert province.address not in {m[1] for m in world.outbox.sent}
    assert elsewhere.address not in {m[1] for m in world.outbox.sent}
    ((_, _, subject, text),) = world.outbox.to(commune.address)
    assert subject.startswith("[KHẨN CẤP]")
    assert alert.body in text
    assert "https://portal.test/subscriptions/unsubscribe?token=" in text
    ((_, _, _, sms),) = world.outbox.to(district.address)
    assert len(sms) <= 320
    assert "unsubscribe?token=" in sms
    assert report.sent == 2

    again = world.notify.bulletin_changed(alert.id, AuditAction.APPROVED)  # redelivered
    assert (again.sent, again.skipped) == (0, 2)
    assert len(world.outbox.sent) == 2


def test_other_bulletins_go_by_category_and_only_when_public(world):
    health = subscribe(world, "21550", "health@example.vn", "health")
    everything = subscribe(world, "21550", "all@example.vn")
    world.outbox.sent.clear()
    web = ["speaker", "web"]
    farming = world.add(bulletin(category="agriculture", channels=web, at_time="12:00"))
    vaccines = world.add(bulletin(category="health", channels=web, at_time="12:00"))
    speakers_only = world.add(bulletin(category="health", at_time="12:00"))

    for item in (farming, vaccines, speakers_only):
        world.notify.bulletin_changed(item.id, AuditAction.APPROVED)

    assert [m[2] for m in world.outbox.to(health.address)] == [f"[Thông báo] {vaccines.title}"]
    assert len(world.outbox.to(everything.address)) == 2


def test_nothing_is_sent_for_a_bulletin_no_longer_in_force(world):
    subscribe(world, "21550", "lan@example.vn")
    world.outbox.sent.clear()
    alert = world.add(emergency())
    world.clock.advance(days=2)  # the record arrives after the bulletin expired
    assert world.notify.bulletin_changed(alert.id, AuditAction.APPROVED).sent == 0
    assert world.outbox.sent == []


def test_a_failed_send_does_not_stop_the_others_and_its_retry_sends_it_once(world):
    people = [subscribe(world, "21550", f"p{n}@example.vn") for n in range(6)]
    world.outbox.sent.clear()
    alert = world.add(emergency())
    world.outbox.failures = 1

    with pytest.raises(DeliveryFailed) as failed:
        world.notify.bulletin_changed(alert.id, AuditAction.APPROVED)
    assert "@" not in str(failed.value)
    assert len(world.outbox.sent) == 5  # the others went out all the same

    retry = world.notify.bulletin_changed(alert.id, AuditAction.APPROVED)  # the stream's retry
    assert (retry.sent, retry.skipped) == (1, 5)
    world.notify.bulletin_changed(alert.id, AuditAction.APPROVED)
    assert sorted(m[1] for m in world.outbox.sent) == sorted(p.address for p in people)


# ------------------------------------------------------------------ withdrawal, unsubscribe
def test_a_withdrawal_goes_to_those_who_got_the_alert_and_no_one_else(world):
    early = subscribe(world, "21550", "early@example.vn")
    gone = subscribe(world, "21550", "0912345678")
    alert = world.add(emergency())
    world.notify.bulletin_changed(alert.id, AuditAction.APPROVED)
    late = subscribe(world, "21550", "late@example.vn")  # after the alert went out
    assert world.subscriptions.unsubscribe(world.keys.unsubscribe_token(gone.id))
    world.outbox.sent.clear()
    withdrawal = Decision(by=alert.author, at=world.clock(), reason="Nước đã rút")
    world.add(alert.model_copy(update={"status": Status.WITHDRAWN, "withdrawal": withdrawal}))

    world.notify.bulletin_changed(alert.id, AuditAction.WITHDRAWN)
    world.notify.bulletin_changed(alert.id, AuditAction.WITHDRAWN)  # redelivered

    assert [m[1] for m in world.outbox.sent] == [early.address]
    ((_, _, subject, text),) = world.outbox.sent
    assert subject == f"[HỦY] {alert.title}"
    assert "Nước đã rút" in text
    assert late.address not in {m[1] for m in world.outbox.sent}


def test_unsubscribing_deletes_the_contact_and_every_trace_of_it(world):
    lan = subscribe(world, "21550", "lan@example.vn")
    alert = world.add(emergency())
    world.notify.bulletin_changed(alert.id, AuditAction.APPROVED)
    token = world.keys.unsubscribe_token(lan.id)

    with pytest.raises(InvalidInput):
        world.subscriptions.unsubscribe(token[:-2] + "xx")  # forged
    assert world.subscriptions.unsubscribe(token)
    assert not world.subscriptions.unsubscribe(token)  # a second click: already gone

    assert world.store.get(lan.id) is None
    assert list(world.store.recipients(alert.id)) == []
    from nguon.storage.subscriptions import _KeyItem

    assert list(_KeyItem.query(f"SUBSCRIBER#{lan.id}")) == []
    world.outbox.sent.clear()
    world.notify.bulletin_changed(world.add(emergency()).id, AuditAction.APPROVED)
    assert world.outbox.sent == []
