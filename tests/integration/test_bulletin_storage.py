"""The DynamoDB store's guarantees, on the local cloud's DynamoDB: all-or-nothing commits,
version conditions, append-only history, and indexes kept in step with the bulletin."""

from datetime import date, datetime
from itertools import count

import pytest

from nguon.clock import localize
from nguon.errors import Conflict, InvalidInput
from nguon.models.bulletins import BulletinContent, BulletinPatch, Change, Status
from nguon.models.principal import Role
from nguon.services.bulletins import BulletinService
from nguon.services.units import UnitService
from tests.factories import person

editor = person("xa-editor", "21550", Role.EDITOR)
approver = person("huyen-approver", "540", Role.APPROVER)
province_editor = person("tinh-editor", "52", Role.EDITOR)
_ids = count(1)


@pytest.fixture(scope="module")
def store(cloud):
    from nguon.storage.bulletins import DynamoBulletinStore

    return DynamoBulletinStore()


@pytest.fixture(scope="module")
def service(store):
    from nguon.storage.units import DynamoUnitStore

    return BulletinService(
        UnitService(DynamoUnitStore()),
        store,
        now=lambda: localize(datetime(2026, 11, 26, 9, 0)),
        new_id=lambda: f"storage-{next(_ids)}",
    )


def content(**changes) -> BulletinContent:
    data = {
        "title": "Thông báo",
        "body": "Nội dung thông báo.",
        "category": "other",
        "targets": ["21550"],
        "schedule": {"type": "once", "at": "2027-01-10T07:00:00"},
    }
    return BulletinContent.model_validate({**data, **changes})


def test_a_commit_with_a_stale_version_writes_nothing(service, store):
    bulletin = service.create(editor, content())
    edited = service.update(editor, bulletin.id, BulletinPatch(version=1, title="Đã sửa"))
    history = store.history(bulletin.id)
    # A second writer who read version 1 loses the race inside the transaction itself.
    late = bulletin.model_copy(update={"title": "Ghi đè", "version": 2})
    event = history[-1].model_copy(update={"seq": 99})

    with pytest.raises(Conflict):
        store.commit([Change(late, 1, event, bulletin)])

    assert store.get(bulletin.id) == edited
    assert store.history(bulletin.id) == history


def test_history_is_append_only(service, store):
    bulletin = service.create(editor, content())
    [created] = store.history(bulletin.id)
    rewritten = created.model_copy(update={"reason": "viết lại lịch sử"})

    with pytest.raises(Conflict):
        store.commit([Change(bulletin.model_copy(update={"version": 2}), 1, rewritten, bulletin)])

    assert store.history(bulletin.id) == [created]
    assert store.get(bulletin.id).version == 1


def test_a_bulletin_is_on_air_exactly_while_approved(service, store):
    bulletin = service.create(editor, content())
    service.submit(editor, bulletin.id)
    day = date(2027, 1, 10)
    assert bulletin.id not in {b.id for b in store.on_air(["21550"], day)}

    service.approve(approver, bulletin.id)
    on_air = {b.id for b in store.on_air(["21550"], day)}
    other_day = {b.id for b in store.on_air(["21550"], date(2027, 1, 11))}
    service.withdraw(approver, bulletin.id, "Hủy buổi họp")
    after = {b.id for b in store.on_air(["21550"], day)}

    assert bulletin.id in on_air
    assert bulletin.id not in other_day
    assert bulletin.id not in after


def test_the_approvers_queue_holds_a_bulletin_exactly_while_pending(service, store):
    approved, rejected = service.create(editor, content()), service.create(editor, content())

    def queued() -> set[str]:
        return {b.id for b in store.awaiting_approval()}

    drafts = queued()
    for bulletin in (approved, rejected):
        service.submit(editor, bulletin.id)
    pending = queued()
    approvers_queue = {b.id for b in service.awaiting_approval(approver)}
    service.approve(approver, approved.id)
    service.reject(approver, rejected.id, "Thiếu nguồn tin")
    decided = queued()

    assert not {approved.id, rejected.id} & drafts
    assert {approved.id, rejected.id} <= pending
    assert not {approved.id, rejected.id} & decided
    assert {approved.id, rejected.id} <= approvers_queue
    assert not {approved.id, rejected.id} & {b.id for b in service.awaiting_approval(editor)}


def test_lists_follow_a_change_of_targets(service, store):
    bulletin = service.create(province_editor, content(targets=["540"]))
    listed_540 = {b.id for b in store.page("540", starting_by=None, limit=100, cursor=None)[0]}

    service.update(province_editor, bulletin.id, BulletinPatch(version=1, targets=["547"]))
    after_540 = {b.id for b in store.page("540", starting_by=None, limit=100, cursor=None)[0]}
    after_547 = {b.id for b in store.page("547", starting_by=None, limit=100, cursor=None)[0]}
    in_52 = {b.id for b in store.page("52", starting_by=None, limit=200, cursor=None)[0]}

    assert bulletin.id in listed_540
    assert bulletin.id not in after_540
    assert bulletin.id in after_547
    assert bulletin.id in in_52


def test_the_same_cap_alert_is_stored_once(service, store):
    first = service.create(province_editor, content(), cap_key="tester#alert-1", submit=True)

    with pytest.raises(Conflict) as refused:
        service.create(province_editor, content(), cap_key="tester#alert-1", submit=True)

    assert refused.value.code == "cap_already_imported"
    assert store.by_cap_key("tester#alert-1").id == first.id
    assert first.status is Status.PENDING


@pytest.mark.parametrize("cursor", ["not-base64!", "eyJ4IjogMX0="])
def test_a_malformed_cursor_is_refused(store, cursor):
    with pytest.raises(InvalidInput) as refused:
        store.page("540", starting_by=None, limit=1, cursor=cursor)

    assert refused.value.code == "bad_cursor"


def test_a_cursor_of_another_units_list_is_refused(service, store):
    for _ in range(2):
        service.create(province_editor, content(targets=["52"]))
    _, cursor = store.page("52", starting_by=None, limit=1, cursor=None)

    with pytest.raises(InvalidInput):
        store.page("540", starting_by=None, limit=1, cursor=cursor)
