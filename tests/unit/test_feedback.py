"""Citizens' feedback in the layer: routing, working-day limits, masking, duplicates, intake
limits, handling and its scope, reopening, questions and statistics (in-memory store)."""

import os
from datetime import date, datetime, time, timedelta
from itertools import count

import pytest

from nguon.clock import localize
from nguon.errors import Conflict, Forbidden, InvalidInput, TooManyRequests
from nguon.models.feedback import (
    Answer,
    Assign,
    Channel,
    Contact,
    FeedbackKind,
    FeedbackStatus,
    GeoPoint,
    Reopen,
    StaffSubmission,
    Submission,
)
from nguon.models.principal import Role
from nguon.services.feedback import FeedbackService, Limits
from nguon.services.feedback_calendar import WorkingCalendar
from nguon.services.feedback_text import PHONE_MASK, mask_contacts
from nguon.services.unit_catalogue import load_bundled_catalogue
from nguon.services.units import UnitService
from tests.days import today
from tests.factories import person
from tests.fakes import InMemoryUnitStore
from tests.unit.feedback_support import InMemoryFeedbackStore

CATALOGUE = load_bundled_catalogue()
QUY_NHON_POINT = GeoPoint(lat=13.77, lon=109.22)  # district 540
TAY_SON_POINT = GeoPoint(lat=13.9, lon=108.9)  # district 547
CALENDAR = WorkingCalendar.bundled()


class Clock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


def at(day: date, hour: int = 9) -> datetime:
    return localize(datetime.combine(day, time(hour)))


def next_working_day(day: date) -> date:
    return CALENDAR.nth_working_day_after(day - timedelta(days=1), 1)


@pytest.fixture
def world():
    clock = Clock(at(next_working_day(today())))
    store = InMemoryFeedbackStore()
    ids = count(1)
    service = FeedbackService(
        UnitService(InMemoryUnitStore(CATALOGUE)),
        store,
        now=clock,
        new_id=lambda: f"PA-{next(ids):010d}",
        new_key=lambda: "reopen-key-123",
        limits=Limits(per_client=3, client_window_s=600, per_contact=2, contact_window_s=3600),
        root="52",
    )
    return service, store, clock


def report(**changes) -> Submission:
    fields = {
        "category": "ha-tang",
        "description": "Ổ gà lớn trước chợ, gọi 0905 123 456 nếu cần.",
        "unit": "21550",
        "consent": True,
        **changes,
    }
    return Submission.model_validate(fields)


COMMUNE_EDITOR = person("xa", "21550", Role.EDITOR)
DISTRICT_EDITOR = person("huyen", "540", Role.EDITOR)
OTHER_DISTRICT_EDITOR = person("tay-son", "547", Role.EDITOR)


# --- routing ------------------------------------------------------------------------------


def test_a_named_commune_gets_the_report(world):
    service, store, _ = world
    receipt = service.submit(report(), Channel.WEB, "203.0.113.1")
    assert store.reports[receipt.tracking_code].unit == "21550"
    assert store.reports[receipt.tracking_code].unit_path == "52/540/21550"


def test_a_point_alone_goes_to_its_district(world):
    service, store, _ = world
    receipt = service.submit(report(unit=None, point=TAY_SON_POINT), Channel.WEB, None)
    assert store.reports[receipt.tracking_code].unit == "547"


def test_a_commune_with_a_point_in_its_district_keeps_the_commune(world):
    service, store, _ = world
    receipt = service.submit(report(point=QUY_NHON_POINT), Channel.WEB, None)
    assert store.reports[receipt.tracking_code].unit == "21550"


def test_a_commune_outside_the_points_district_is_refused(world):
    service, store, _ = world
    with pytest.raises(InvalidInput) as refused:
        service.submit(report(point=TAY_SON_POINT), Channel.WEB, None)
    assert refused.value.code == "feedback_location_mismatch"
    assert not store.reports


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"unit": None}, "feedback_location_missing"),
        ({"unit": None, "point": GeoPoint(lat=21.0, lon=105.8)}, "feedback_location_outside"),
        ({"category": "khong-co"}, "feedback_unknown_category"),
        ({"consent": False}, "feedback_consent_missing"),
    ],
)
def test_reports_that_cannot_be_routed_are_refused(world, changes, code):
    service, store, _ = world
    with pytest.raises(InvalidInput) as refused:
        service.submit(report(**changes), Channel.WEB, None)
    assert refused.value.code == code
    assert not store.reports


# --- working days -------------------------------------------------------------------------


def test_a_friday_report_is_due_to_be_acknowledged_by_the_end_of_the_next_working_day():
    friday = today() + timedelta(days=(4 - today().weekday()) % 7)
    due = CALENDAR.due(at(friday, 16), 1)
    after_weekend = next_working_day(friday + timedelta(days=3))  # Monday, unless a holiday
    assert due == localize(datetime.combine(after_weekend, time(23, 59, 59)))
    assert due.date().weekday() < 5
    assert due.date() > friday + timedelta(days=2)


@pytest.mark.skipif(
    "FAKETIME" in os.environ,
    reason="needs a holiday after today in the data, kept against the real date",
)
def test_a_holiday_is_not_a_working_day():
    """The next holiday on a weekday (from the data, after today): a report the working day
    before is due the working day after it."""
    holiday = min(
        day for day in CALENDAR.holidays if day > today() + timedelta(days=1) and day.weekday() < 5
    )
    day_before = holiday - timedelta(days=1)
    while not CALENDAR.is_working_day(day_before):
        day_before -= timedelta(days=1)
    due = CALENDAR.due(at(day_before), 1).date()
    assert due > holiday
    assert CALENDAR.is_working_day(due)
    assert all(not CALENDAR.is_working_day(d) for d in _days_between(day_before, due))


def _days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range(1, (last - first).days)]


@pytest.mark.skipif(
    "FAKETIME" in os.environ,
    reason="kept against the real date: the holiday data is maintained, not the clock moved",
)
def test_the_holiday_data_reaches_well_past_today():
    assert max(CALENDAR.holidays) >= today() + timedelta(days=400)


def test_answer_due_counts_the_categorys_working_days(world):
    service, _store, clock = world
    receipt = service.submit(report(category="an-ninh"), Channel.WEB, None)  # 5 days
    expected = CALENDAR.due(clock.moment, 5)
    assert receipt.answer_due == expected
    working = [d for d in _days_between(clock.moment.date(), expected.date() + timedelta(days=1))]
    assert sum(CALENDAR.is_working_day(d) for d in working) == 5


# --- masking and the public view -------------------------------------------------------


@pytest.mark.parametrize(
    "contact",
    ["0905 123 456", "0905.123.456", "+84 905 123 456", "0905123456", "ba.nam@gmail.com"],
)
def test_phone_numbers_and_emails_are_masked(contact):
    masked = mask_contacts(f"Liên hệ {contact} nhé")
    assert contact not in masked
    assert masked.startswith("Liên hệ [")
    assert masked.endswith("] nhé")


def test_numbers_that_are_not_phones_stay():
    assert mask_contacts("Năm 2025, tổ 12, số nhà 123/45") == "Năm 2025, tổ 12, số nhà 123/45"


def test_the_public_view_has_no_contact_no_private_answer_and_masks_the_text(world):
    service, store, _ = world
    contact = Contact(name="Nguyễn Văn A", phone="0905 999 888", email="a@example.vn")
    receipt = service.submit(report(contact=contact), Channel.WEB, None)
    report_id = receipt.tracking_code
    view = service.acknowledge(COMMUNE_EDITOR, report_id, 1)
    service.note(COMMUNE_EDITOR, report_id, "Đã gọi điện cho người dân")
    service.answer(
        COMMUNE_EDITOR,
        report_id,
        Answer(version=view.report.version + 1, public_answer="Đã vá", private_answer="Riêng"),
    )
    public = service.public_view(service.find_public(report_id))
    text = public.model_dump_json()
    assert public.answer == "Đã vá"
    assert public.status is FeedbackStatus.ANSWERED
    assert PHONE_MASK in public.description
    for secret in ("0905 999 888", "a@example.vn", "Nguyễn Văn A", "Riêng", "Đã gọi điện"):
        assert secret not in text
    assert store.contacts[report_id] == contact  # kept, apart


# --- duplicates ------------------------------------------------------------------------------


def test_likely_duplicates_are_suggested_not_merged(world):
    service, store, clock = world
    first = service.submit(report(point=QUY_NHON_POINT), Channel.WEB, None).tracking_code
    clock.moment += timedelta(days=2)
    near = GeoPoint(lat=QUY_NHON_POINT.lat + 0.0003, lon=QUY_NHON_POINT.lon)  # ≈ 33 m
    second = service.submit(report(point=near), Channel.WEB, None).tracking_code
    far = GeoPoint(lat=QUY_NHON_POINT.lat + 0.001, lon=QUY_NHON_POINT.lon)  # ≈ 110 m
    service.submit(report(point=far), Channel.WEB, None)
    service.submit(report(point=near, category="moi-truong"), Channel.WEB, None)
    assert service.get(DISTRICT_EDITOR, second).duplicates == [first]
    assert len(store.reports) == 4


def test_a_report_older_than_seven_days_is_no_duplicate(world):
    service, _, clock = world
    service.submit(report(point=QUY_NHON_POINT), Channel.WEB, None)
    clock.moment += timedelta(days=8)
    later = service.submit(report(point=QUY_NHON_POINT), Channel.WEB, None).tracking_code
    assert service.get(DISTRICT_EDITOR, later).duplicates == []


# --- intake limits ---------------------------------------------------------------------------


def test_a_flood_from_one_client_is_refused_with_retry_after_and_nothing_stored(world):
    service, store, clock = world
    for _ in range(3):
        service.submit(report(), Channel.WEB, "198.51.100.7")
    with pytest.raises(TooManyRequests) as refused:
        service.submit(report(), Channel.WEB, "198.51.100.7")
    assert 0 < refused.value.params["retry_after"] <= 600
    assert len(store.reports) == 3
    service.submit(report(), Channel.WEB, "198.51.100.8")  # another client is not held back
    clock.moment += timedelta(seconds=refused.value.params["retry_after"])
    service.submit(report(), Channel.WEB, "198.51.100.7")  # the next window


def test_one_contact_is_limited_whatever_the_client(world):
    service, store, _ = world
    contact = Contact(phone="0905 111 222")
    service.submit(report(contact=contact), Channel.WEB, "198.51.100.1")
    service.submit(report(contact=Contact(phone="+84 905 111 222")), Channel.WEB, "198.51.100.2")
    with pytest.raises(TooManyRequests):
        service.submit(report(contact=contact), Channel.WEB, "198.51.100.3")
    assert len(store.reports) == 2
    assert len(store.contacts) == 2


# --- handling, scope, escalation -----------------------------------------------------------


def test_out_of_scope_staff_neither_read_nor_handle(world):
    service, _, _ = world
    report_id = service.submit(report(), Channel.WEB, None).tracking_code
    with pytest.raises(Forbidden) as refused:
        service.get(OTHER_DISTRICT_EDITOR, report_id)
    assert refused.value.code == "out_of_scope"
    with pytest.raises(Forbidden):
        service.acknowledge(OTHER_DISTRICT_EDITOR, report_id, 1)
    with pytest.raises(Forbidden) as role:
        service.acknowledge(person("viewer", "21550", Role.VIEWER), report_id, 1)
    assert role.value.code == "role_missing"


def test_every_step_is_in_the_history(world):
    service, _, _ = world
    report_id = service.submit(report(), Channel.WEB, None).tracking_code
    service.acknowledge(COMMUNE_EDITOR, report_id, 1)
    service.assign(DISTRICT_EDITOR, report_id, Assign(version=2, unit="540"))
    service.answer(DISTRICT_EDITOR, report_id, Answer(version=3, public_answer="Đã sửa"))
    service.resolve(DISTRICT_EDITOR, report_id, 4)
    history = service.history(DISTRICT_EDITOR, report_id)
    assert [(e.action.value, e.to_status.value) for e in history] == [
        ("submitted", "received"),
        ("acknowledged", "acknowledged"),
        ("assigned", "acknowledged"),
        ("answered", "answered"),
        ("resolved", "resolved"),
    ]
    assert history[0].actor is None
    assert history[1].actor.username == "xa"


def test_a_stale_version_changes_nothing(world):
    service, store, _ = world
    report_id = service.submit(report(), Channel.WEB, None).tracking_code
    service.acknowledge(COMMUNE_EDITOR, report_id, 1)
    with pytest.raises(Conflict) as stale:
        service.resolve(COMMUNE_EDITOR, report_id, 1)
    assert stale.value.code == "stale_version"
    assert store.reports[report_id].status is FeedbackStatus.ACKNOWLEDGED


def test_an_overdue_report_escalates_to_the_parents_queue(world):
    service, _, clock = world
    report_id = service.submit(report(), Channel.WEB, None).tracking_code
    assert [v.report.id for v in service.inbox(COMMUNE_EDITOR, "21550")] == [report_id]
    assert service.inbox(DISTRICT_EDITOR, "540") == []  # not yet the district's
    clock.moment = CALENDAR.due(clock.moment, 1) + timedelta(minutes=1)
    (escalated,) = service.inbox(DISTRICT_EDITOR, "540")
    assert escalated.report.id == report_id
    assert escalated.overdue
    assert escalated.escalated_to == "540"
    assert escalated.acknowledged_in_time is False


def test_staff_enter_a_call_in_their_area_only(world):
    service, store, _ = world
    call = StaffSubmission.model_validate(
        {**report().model_dump(), "channel": "phone", "contact": {"phone": "0905 000 111"}}
    )
    receipt = service.enter(COMMUNE_EDITOR, call)
    assert store.reports[receipt.tracking_code].channel is Channel.PHONE
    assert store.steps[receipt.tracking_code][0].actor.username == "xa"
    with pytest.raises(Forbidden):
        service.enter(OTHER_DISTRICT_EDITOR, call)


def test_the_citizen_reopens_within_seven_days_with_the_key(world):
    service, _, clock = world
    receipt = service.submit(report(), Channel.WEB, None)
    report_id = receipt.tracking_code
    service.answer(COMMUNE_EDITOR, report_id, Answer(version=1, public_answer="Đã vá"))
    service.resolve(COMMUNE_EDITOR, report_id, 2)
    with pytest.raises(InvalidInput):
        service.reopen(report_id, Reopen(key="wrong-key-000"))
    clock.moment += timedelta(days=6)
    reopened = service.reopen(report_id, Reopen(key=receipt.reopen_key, reason="Vẫn còn ổ gà"))
    assert reopened.status is FeedbackStatus.REOPENED
    assert reopened.answer_due > clock.moment
    service.answer(COMMUNE_EDITOR, report_id, Answer(version=4, public_answer="Đã vá lại"))
    service.resolve(COMMUNE_EDITOR, report_id, 5)
    clock.moment += timedelta(days=8)
    with pytest.raises(Conflict) as late:
        service.reopen(report_id, Reopen(key=receipt.reopen_key))
    assert late.value.code == "feedback_reopen_closed"


# --- questions and statistics -------------------------------------------------------------


def test_published_questions_are_listed_and_found_without_diacritics(world):
    service, _, _ = world
    asked = service.submit(
        report(kind="question", category="y-te", description="Lịch tiêm chủng tháng này?"),
        Channel.WEB,
        None,
    ).tracking_code
    private = service.submit(
        report(kind="question", category="y-te", description="Tiêm chủng cho con tôi?"),
        Channel.WEB,
        None,
    ).tracking_code
    service.answer(
        COMMUNE_EDITOR, asked, Answer(version=1, public_answer="Sáng thứ Hai", publish=True)
    )
    service.answer(COMMUNE_EDITOR, private, Answer(version=1, public_answer="Sáng thứ Ba"))
    found = service.public_questions("21550", "tiem chung")
    assert [q.tracking_code for q in found] == [asked]
    assert service.public_questions("540", "TIÊM")[0].answer == "Sáng thứ Hai"
    assert service.public_questions("21550", "hoc phi") == []


def test_only_questions_with_a_public_answer_are_published(world):
    service, _, _ = world
    report_id = service.submit(report(), Channel.WEB, None).tracking_code
    with pytest.raises(InvalidInput):
        service.answer(
            COMMUNE_EDITOR, report_id, Answer(version=1, public_answer="Đã vá", publish=True)
        )


def test_statistics_count_in_time_and_overdue_by_category(world):
    service, _, clock = world
    start = clock.moment
    quick = service.submit(report(), Channel.WEB, None).tracking_code
    slow = service.submit(report(category="moi-truong"), Channel.WEB, None).tracking_code
    service.submit(report(kind=FeedbackKind.QUESTION, category="moi-truong"), Channel.WEB, None)
    service.answer(COMMUNE_EDITOR, quick, Answer(version=1, public_answer="Xong"))
    clock.moment = CALENDAR.due(start, 7) + timedelta(hours=1)  # past moi-truong's 7 days
    service.answer(COMMUNE_EDITOR, slow, Answer(version=1, public_answer="Muộn"))
    stats = service.stats(DISTRICT_EDITOR, "540", start.date(), clock.moment.date())
    assert (stats.received, stats.acknowledged_in_time, stats.answered_in_time) == (3, 1, 1)
    assert stats.overdue == 2  # answered late, and the question still waiting
    by = {c.category: c for c in stats.by_category}
    assert (by["ha-tang"].received, by["ha-tang"].answered_in_time) == (1, 1)
    assert (by["moi-truong"].received, by["moi-truong"].overdue) == (2, 2)
    with pytest.raises(Forbidden):
        service.stats(OTHER_DISTRICT_EDITOR, "540", start.date(), clock.moment.date())


def test_the_contact_is_shown_only_to_those_who_answer(world):
    service, _, _ = world
    contact = Contact(phone="0905 222 333")
    report_id = service.submit(report(contact=contact), Channel.WEB, None).tracking_code
    assert service.get(COMMUNE_EDITOR, report_id).contact == contact
    assert service.get(person("viewer", "21550", Role.VIEWER), report_id).contact is None
    # Assigned to the district: the commune still reads the report, not the contact.
    service.assign(DISTRICT_EDITOR, report_id, Assign(version=1, unit="540"))
    assert service.get(COMMUNE_EDITOR, report_id).contact is None
    assert service.get(DISTRICT_EDITOR, report_id).contact == contact
