"""The bulletin workflow and its rules, one transition at a time (no AWS: in-memory store)."""

from datetime import date, datetime
from itertools import count

import pytest

from nguon.clock import localize
from nguon.errors import Conflict, Forbidden, InvalidInput, NotFound
from nguon.models.bulletins import BulletinContent, BulletinPatch, Status
from nguon.models.principal import Role
from nguon.services.bulletins import BulletinService
from nguon.services.unit_catalogue import load_bundled_catalogue
from nguon.services.units import UnitService
from tests.factories import person
from tests.fakes import InMemoryBulletinStore, InMemoryUnitStore

NOW = localize(datetime(2026, 11, 26, 9, 0))

commune_editor = person("xa-editor", "21550", Role.EDITOR)
commune_approver = person("xa-approver", "21550", Role.APPROVER)
district_approver = person("huyen-approver", "540", Role.APPROVER)
other_district_approver = person("tayson-approver", "547", Role.APPROVER)
province_approver = person("tinh-approver", "52", Role.APPROVER)
province_editor = person("tinh-editor", "52", Role.EDITOR)
editor_and_approver = person("xa-both", "21550", Role.EDITOR, Role.APPROVER)
commune_viewer_elsewhere = person("tayson-viewer", "21808", Role.VIEWER)


def content(**changes) -> BulletinContent:
    data = {
        "title": "Lịch tiêm chủng mở rộng",
        "body": "Trạm y tế phường Nhơn Bình thông báo lịch tiêm chủng tháng 12.",
        "category": "health",
        "targets": ["21550"],
        "schedule": {
            "type": "daily",
            "times": ["06:00"],
            "from": "2026-12-01",
            "until": "2026-12-07",
        },
    }
    data.update(changes)
    return BulletinContent.model_validate(data)


@pytest.fixture
def clock():
    class Clock:
        now = NOW

        def __call__(self):
            return self.now

    return Clock()


@pytest.fixture
def store():
    return InMemoryBulletinStore()


@pytest.fixture
def service(store, clock):
    ids = count(1)
    return BulletinService(
        UnitService(InMemoryUnitStore(load_bundled_catalogue())),
        store,
        now=clock,
        new_id=lambda: f"b{next(ids)}",
    )


def approved(service, author=commune_editor, approver=district_approver, **changes):
    draft = service.create(author, content(**changes))
    service.submit(author, draft.id)
    return service.approve(approver, draft.id)


# --- composing -------------------------------------------------------------------------------


def test_a_new_bulletin_is_a_draft_at_version_1_issued_by_the_authors_unit(service, store):
    draft = service.create(commune_editor, content())

    assert (draft.status, draft.version, draft.issuer_unit, draft.layer) == (
        Status.DRAFT, 1, "21550", "commune",
    )  # fmt: skip
    assert draft.author.username == "xa-editor"
    [event] = store.history(draft.id)
    assert (event.action, event.from_status, event.to_status) == ("created", None, "draft")


def test_unknown_targets_are_refused_and_nothing_is_stored(service, store):
    with pytest.raises(InvalidInput) as refused:
        service.create(province_editor, content(targets=["21550", "99999"]))

    assert refused.value.code == "unknown_targets"
    assert refused.value.params == {"units": "99999"}
    assert store.bulletins == {}


def test_targets_outside_the_authors_area_are_forbidden(service, store):
    with pytest.raises(Forbidden) as refused:
        service.create(commune_editor, content(targets=["21553"]))

    assert refused.value.code == "out_of_scope"
    assert store.bulletins == {}


def test_a_district_bulletin_cannot_target_another_district(service):
    with pytest.raises(InvalidInput) as refused:
        service.create(province_editor, content(issuer_unit="540", targets=["547"]))

    assert refused.value.code == "target_outside_issuer"


def test_viewers_and_approvers_do_not_compose(service):
    for who in (person("v", "21550", Role.VIEWER), commune_approver):
        with pytest.raises(Forbidden) as refused:
            service.create(who, content())
        assert refused.value.code == "role_missing"


def test_a_province_department_composes_for_any_district(service):
    provider = person("so-yte", "52", Role.PROVIDER)

    draft = service.create(provider, content(targets=["540", "547"], department="Sở Y tế"))

    assert (draft.issuer_unit, draft.layer, draft.department) == ("52", "province", "Sở Y tế")


# --- editing ---------------------------------------------------------------------------------


def test_an_edit_bumps_the_version_and_records_what_changed(service, store):
    draft = service.create(commune_editor, content())

    edited = service.update(
        commune_editor, draft.id, BulletinPatch(version=1, title="Lịch tiêm mới")
    )

    assert (edited.version, edited.title) == (2, "Lịch tiêm mới")
    event = store.history(draft.id)[-1]
    assert event.action == "updated"
    assert event.changes == {"title": {"from": "Lịch tiêm chủng mở rộng", "to": "Lịch tiêm mới"}}


def test_a_stale_edit_is_a_conflict_and_changes_nothing(service, store):
    draft = service.create(commune_editor, content())
    service.update(
        commune_editor, draft.id, BulletinPatch(version=1, title="Bản của người thứ nhất")
    )

    with pytest.raises(Conflict) as refused:
        service.update(commune_editor, draft.id, BulletinPatch(version=1, title="Bản thứ hai"))

    assert refused.value.code == "stale_version"
    assert refused.value.params == {"version": 1, "current": 2}
    assert store.get(draft.id).title == "Bản của người thứ nhất"
    assert len(store.history(draft.id)) == 2


def test_an_edit_that_breaks_a_rule_is_refused_with_the_field(service, store):
    draft = service.create(commune_editor, content())
    # Valid alone, but the schedule starts on 1 December: caught when merged.
    patch = BulletinPatch(version=1, valid_until="2026-11-30T00:00:00")

    with pytest.raises(InvalidInput) as refused:
        service.update(commune_editor, draft.id, patch)

    assert refused.value.code == "validation_error"
    assert refused.value.params["details"][0]["type"] == "validity_ends_before_start"
    assert store.get(draft.id).version == 1


def test_an_edit_that_changes_nothing_keeps_the_version(service):
    draft = service.create(commune_editor, content())

    same = service.update(commune_editor, draft.id, BulletinPatch(version=1, title=draft.title))

    assert same.version == 1


def test_an_edit_cannot_move_targets_out_of_the_authors_area(service):
    draft = service.create(commune_editor, content())

    with pytest.raises(Forbidden):
        service.update(commune_editor, draft.id, BulletinPatch(version=1, targets=["21553"]))


def test_an_approved_bulletin_is_not_editable(service):
    bulletin = approved(service)

    with pytest.raises(Conflict) as refused:
        service.update(commune_editor, bulletin.id, BulletinPatch(version=3, title="Sửa"))

    assert refused.value.code == "not_editable"


# --- submit, approve, reject ----------------------------------------------------------------


def test_submit_makes_a_draft_pending(service):
    draft = service.create(commune_editor, content())

    pending = service.submit(commune_editor, draft.id)

    assert (pending.status, pending.version, pending.submitted_at) == (Status.PENDING, 2, NOW)


def test_a_pending_bulletin_cannot_be_submitted_again(service):
    draft = service.create(commune_editor, content())
    service.submit(commune_editor, draft.id)

    with pytest.raises(Conflict) as refused:
        service.submit(commune_editor, draft.id)

    assert refused.value.code == "wrong_status"


def test_the_district_approver_approves_a_commune_bulletin(service):
    bulletin = approved(service)

    assert bulletin.status is Status.APPROVED
    assert bulletin.approved_by.username == "huyen-approver"
    assert bulletin.approved_at == NOW


def test_nobody_approves_their_own_bulletin(service):
    draft = service.create(editor_and_approver, content())
    service.submit(editor_and_approver, draft.id)

    with pytest.raises(Forbidden) as refused:
        service.approve(editor_and_approver, draft.id)

    assert refused.value.code == "self_approval"


def test_an_approver_of_another_district_cannot_approve(service, store):
    draft = service.create(commune_editor, content())
    service.submit(commune_editor, draft.id)

    with pytest.raises(Forbidden) as refused:
        service.approve(other_district_approver, draft.id)

    assert refused.value.code == "out_of_scope"
    assert store.get(draft.id).status is Status.PENDING


def test_an_editor_cannot_approve(service):
    draft = service.create(commune_editor, content())
    service.submit(commune_editor, draft.id)

    with pytest.raises(Forbidden) as refused:
        service.approve(person("other-editor", "21550", Role.EDITOR), draft.id)

    assert refused.value.code == "role_missing"


def test_a_draft_cannot_be_approved(service):
    draft = service.create(commune_editor, content())

    with pytest.raises(Conflict):
        service.approve(district_approver, draft.id)


def test_a_province_bulletin_for_a_district_needs_a_province_approver(service):
    draft = service.create(province_editor, content(targets=["540"]))
    service.submit(province_editor, draft.id)

    with pytest.raises(Forbidden):
        service.approve(district_approver, draft.id)
    assert service.approve(province_approver, draft.id).status is Status.APPROVED


def emergency(**changes):
    return content(
        priority="emergency",
        category="disaster",
        title="Cảnh báo lũ",
        schedule={"type": "once", "at": "2026-12-01T08:00:00"},
        cap={"event": "Lũ quét"},
        **changes,
    )


def test_an_emergency_may_be_approved_at_the_level_of_every_unit_it_targets(service):
    draft = service.create(province_editor, emergency(targets=["540"]))
    service.submit(province_editor, draft.id)

    assert service.approve(district_approver, draft.id).status is Status.APPROVED


def test_an_emergency_reaching_beyond_the_approvers_area_needs_the_province(service):
    draft = service.create(province_editor, emergency(targets=["540", "547"]))
    service.submit(province_editor, draft.id)

    with pytest.raises(Forbidden):
        service.approve(district_approver, draft.id)
    assert service.approve(province_approver, draft.id).status is Status.APPROVED


def test_reject_keeps_the_reason_and_the_bulletin_becomes_editable_again(service, store):
    draft = service.create(commune_editor, content())
    service.submit(commune_editor, draft.id)

    rejected = service.reject(district_approver, draft.id, "Thiếu số điện thoại liên hệ")
    edited = service.update(
        commune_editor,
        draft.id,
        BulletinPatch(version=rejected.version, body="Liên hệ 0256 3822 111."),
    )
    resubmitted = service.submit(commune_editor, draft.id)

    assert rejected.status is Status.REJECTED
    assert rejected.rejection.reason == "Thiếu số điện thoại liên hệ"
    assert edited.status is Status.DRAFT
    assert resubmitted.status is Status.PENDING
    actions = [(e.action, e.from_status, e.to_status) for e in store.history(draft.id)]
    assert actions == [
        ("created", None, "draft"),
        ("submitted", "draft", "pending"),
        ("rejected", "pending", "rejected"),
        ("updated", "rejected", "draft"),
        ("submitted", "draft", "pending"),
    ]
    assert store.history(draft.id)[2].reason == "Thiếu số điện thoại liên hệ"


def test_a_stale_approval_is_a_conflict(service):
    draft = service.create(commune_editor, content())
    service.submit(commune_editor, draft.id)

    with pytest.raises(Conflict):
        service.approve(district_approver, draft.id, version=1)


# --- withdraw, expire, supersede ------------------------------------------------------------


def test_an_approver_withdraws_an_approved_bulletin(service, store):
    bulletin = approved(service)

    withdrawn = service.withdraw(district_approver, bulletin.id, "Thông tin đã thay đổi")

    assert withdrawn.status is Status.WITHDRAWN
    assert withdrawn.withdrawal.reason == "Thông tin đã thay đổi"
    assert store.history(bulletin.id)[-1].action == "withdrawn"


def test_the_author_may_withdraw_their_own(service):
    bulletin = approved(service)

    assert service.withdraw(commune_editor, bulletin.id, "Nhầm ngày").status is Status.WITHDRAWN


def test_another_editor_cannot_withdraw(service):
    bulletin = approved(service)

    with pytest.raises(Forbidden):
        service.withdraw(person("other-editor", "21550", Role.EDITOR), bulletin.id, "Không rõ")


def test_a_draft_cannot_be_withdrawn(service):
    draft = service.create(commune_editor, content())

    with pytest.raises(Conflict):
        service.withdraw(commune_editor, draft.id, "Không cần nữa")


def test_an_approved_bulletin_past_its_validity_shows_as_expired(service, clock):
    bulletin = approved(service)
    clock.now = localize(datetime(2026, 12, 8, 0, 0))

    assert service.get(commune_editor, bulletin.id).status_at(clock.now) is Status.EXPIRED
    with pytest.raises(Conflict):
        service.withdraw(district_approver, bulletin.id, "Hết hạn rồi")


def test_a_revision_once_approved_takes_the_original_off_air(service, store):
    original = approved(service)

    revision = service.revise(commune_editor, original.id)
    service.update(commune_editor, revision.id, BulletinPatch(version=1, title="Lịch tiêm (sửa)"))
    service.submit(commune_editor, revision.id)
    service.approve(district_approver, revision.id)

    old = store.get(original.id)
    assert revision.supersedes == original.id
    assert (old.status, old.superseded_by) == (Status.WITHDRAWN, revision.id)
    assert store.history(original.id)[-1].action == "superseded"


# --- reading ---------------------------------------------------------------------------------


def test_readers_outside_the_area_are_refused(service):
    bulletin = approved(service)

    with pytest.raises(Forbidden):
        service.get(commune_viewer_elsewhere, bulletin.id)


def test_an_approved_province_bulletin_is_readable_in_every_commune(service):
    draft = service.create(province_editor, content(targets=["52"]))
    service.submit(province_editor, draft.id)
    service.approve(province_approver, draft.id)

    assert service.get(commune_viewer_elsewhere, draft.id).id == draft.id


def test_a_province_draft_stays_with_the_province_until_approved(service):
    draft = service.create(province_editor, content(targets=["52"]))
    service.submit(province_editor, draft.id)

    with pytest.raises(Forbidden) as refused:
        service.get(commune_viewer_elsewhere, draft.id)
    assert refused.value.code == "out_of_scope"
    assert service.get(person("tinh-viewer", "52", Role.VIEWER), draft.id).id == draft.id


def test_an_unknown_bulletin_is_not_found(service):
    with pytest.raises(NotFound):
        service.get(commune_editor, "nope")


def test_lists_filter_by_unit_status_priority_and_dates(service):
    first = approved(service)
    draft = service.create(commune_editor, content(title="Nháp"))
    later = service.create(
        commune_editor,
        content(schedule={"type": "once", "at": "2027-01-05T07:00:00"}, title="Năm mới"),
    )

    everything, _ = service.search(district_approver, unit="540")
    drafts, _ = service.search(district_approver, unit="540", status=Status.DRAFT)
    december, _ = service.search(
        district_approver, unit="540", start=date(2026, 12, 1), end=date(2026, 12, 31)
    )
    elsewhere, _ = service.search(other_district_approver, unit="547")

    assert {b.id for b in everything} == {later.id, draft.id, first.id}
    assert everything[0].id == later.id  # the latest start first
    assert {b.id for b in drafts} == {draft.id, later.id}
    assert {b.id for b in december} == {first.id, draft.id}
    assert elsewhere == []


def test_lists_outside_the_area_are_forbidden(service):
    with pytest.raises(Forbidden):
        service.search(commune_editor, unit="540")


def test_lists_page(service):
    for number in range(5):
        service.create(commune_editor, content(title=f"Tin {number}"))

    first, cursor = service.search(commune_editor, limit=2)
    second, cursor2 = service.search(commune_editor, limit=2, cursor=cursor)
    third, end = service.search(commune_editor, limit=2, cursor=cursor2)

    assert len(first) == len(second) == 2
    assert len(third) == 1
    assert end is None
    assert len({b.id for b in first + second + third}) == 5
