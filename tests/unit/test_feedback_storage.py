"""The feedback store on DynamoDB (moto, the template's table): intake all or nothing under its
limits, versions, the contact apart from the report, subtree queries by path."""

from datetime import datetime, time, timedelta

import pytest

from nguon.clock import localize
from nguon.errors import Conflict
from nguon.models.feedback import (
    Channel,
    Contact,
    Feedback,
    FeedbackAction,
    FeedbackEvent,
    FeedbackKind,
    FeedbackStatus,
)
from nguon.storage.feedback import LimitReached, Quota
from tests.days import today
from tests.unit.api_world import world

NOW = localize(datetime.combine(today(), time(9)))


@pytest.fixture
def store():
    with world():
        from nguon.storage.feedback import DynamoFeedbackStore

        yield DynamoFeedbackStore()


def report(number: int, path: str = "52/540/21550", received: datetime = NOW) -> Feedback:
    return Feedback(
        id=f"PA-{number:010d}",
        kind=FeedbackKind.REPORT,
        category="ha-tang",
        description="Ổ gà",
        channel=Channel.WEB,
        status=FeedbackStatus.RECEIVED,
        unit=path.rsplit("/", 1)[-1],
        unit_path=path,
        located_unit=path.rsplit("/", 1)[-1],
        received_at=received,
        acknowledge_due=received + timedelta(days=1),
        answer_due=received + timedelta(days=10),
    )


def first_step(item: Feedback) -> FeedbackEvent:
    return FeedbackEvent(
        feedback_id=item.id,
        seq=1,
        at=item.received_at,
        actor=None,
        action=FeedbackAction.SUBMITTED,
        from_status=None,
        to_status=item.status,
    )


def quota(max_: int) -> Quota:
    start = NOW.replace(minute=0)
    return Quota(
        key="client#abc", window_start=start, window_end=start + timedelta(hours=1), max=max_
    )


def test_a_limit_reached_cancels_the_whole_intake(store):
    contact = Contact(phone="0905 123 456")
    for number in (1, 2):
        item = report(number)
        store.create(item, first_step(item), contact, [quota(2)])
    third = report(3)
    with pytest.raises(LimitReached):
        store.create(third, first_step(third), contact, [quota(2)])
    assert store.get(third.id) is None
    assert store.contact(third.id) is None
    assert store.history(third.id) == []
    assert store.contact("PA-0000000001") == contact


def test_the_report_item_holds_no_contact(store):
    from nguon.storage.feedback import FeedbackItem

    item = report(1)
    store.create(item, first_step(item), Contact(email="dan@example.vn"), [])
    raw = FeedbackItem.get(f"FEEDBACK#{item.id}", "FEEDBACK").doc
    assert "dan@example.vn" not in raw


def test_a_stale_version_is_a_conflict(store):
    item = report(1)
    store.create(item, first_step(item), None, [])
    changed = item.model_copy(
        update={"version": 2, "seq": 2, "status": FeedbackStatus.ACKNOWLEDGED}
    )
    step = first_step(changed).model_copy(update={"seq": 2})
    store.commit(changed, step, 1)
    with pytest.raises(Conflict):
        store.commit(changed, step.model_copy(update={"seq": 3}), 1)
    assert [s.seq for s in store.history(item.id)] == [1, 2]


def test_a_subtree_is_its_path_and_since_filters_by_receipt(store):
    for number, path, received in (
        (1, "52/540/21550", NOW),
        (2, "52/540", NOW - timedelta(days=3)),
        (3, "52/547/21808", NOW),
    ):
        item = report(number, path, received)
        store.create(item, first_step(item), None, [])
    assert sorted(r.id for r in store.in_subtree("52/540")) == ["PA-0000000001", "PA-0000000002"]
    assert [r.id for r in store.in_subtree("52/540", NOW - timedelta(days=1))] == ["PA-0000000001"]
    assert len(store.in_subtree("52")) == 3
