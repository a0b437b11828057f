"""Citizens' feedback: intake (portal form, Open311, staff on a citizen's behalf), routing to the
unit that must answer, handling with time limits, the public views, questions and statistics.

Rules (also in the README):
- **Routing.** A report names a unit (the commune) or a point, or both. A point is placed in
  its district by the shipped boundaries (:mod:`nguon.services.geo`); a named commune must lie
  in that district. The report goes to the named unit, else to the point's district.
- **Time limits** in working days (:mod:`nguon.services.feedback_calendar`): acknowledge by the
  end of the next working day, answer within the category's ``answer_days``. An open report
  past a limit is overdue and escalates to the parent of its unit, computed at read: it shows in
  the parent's queue (``view=queue``) with ``escalated_to``.
- **Scope** as everywhere: staff read a report whose unit (or the unit where the citizen placed
  it) lies in their area, and handle one whose unit does.
- **Abuse.** Intake counts each report against its client (source IP) and its contact per
  window; over a limit the whole intake is refused (429, ``Retry-After``) and nothing is stored.
"""

import hashlib
import json
import math
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from importlib import resources
from typing import Protocol

from nguon.clock import Clock, localize, now
from nguon.config import get_settings
from nguon.errors import Conflict, InvalidInput, NotFound, TooManyRequests
from nguon.models.bulletins import Actor
from nguon.models.feedback import (
    DUPLICATE_DAYS,
    DUPLICATE_RADIUS_M,
    OPEN_STATUSES,
    REOPEN_DAYS,
    Answer,
    Assign,
    Categories,
    Category,
    CategoryStats,
    Channel,
    Contact,
    Feedback,
    FeedbackAction,
    FeedbackEvent,
    FeedbackKind,
    FeedbackStats,
    FeedbackStatus,
    FeedbackView,
    GeoPoint,
    Note,
    PublicFeedback,
    PublicQuestion,
    Receipt,
    Reopen,
    StaffSubmission,
    Submission,
)
from nguon.models.principal import Principal
from nguon.models.units import AdminUnit
from nguon.services.access import Permission, authorize, permissions_of
from nguon.services.feedback_calendar import WorkingCalendar
from nguon.services.feedback_text import mask_contacts
from nguon.services.geo import DistrictBoundaries, distance_m
from nguon.services.units import UnitService
from nguon.storage.feedback import LimitReached, Quota
from nguon.text import matches

ACKNOWLEDGE_DAYS = 1
SERVICES_FILE = "feedback-services.json"
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32: no I, L, O, U


class FeedbackStore(Protocol):
    """Where feedback lives (DynamoDB in :mod:`nguon.storage.feedback`)."""

    def create(
        self, report: Feedback, event: FeedbackEvent, contact: Contact | None, quotas: list[Quota]
    ) -> None: ...

    def commit(self, report: Feedback, event: FeedbackEvent, expected_version: int) -> None: ...

    def get(self, feedback_id: str) -> Feedback | None: ...

    def contact(self, feedback_id: str) -> Contact | None: ...

    def history(self, feedback_id: str) -> list[FeedbackEvent]: ...

    def in_subtree(self, path: str, since: datetime | None = None) -> list[Feedback]: ...

    def categories(self) -> Categories | None: ...

    def save_categories(self, categories: Categories) -> None: ...


@dataclass(frozen=True)
class Limits:
    """Intake allowed per window. Generous per client: mobile carriers put many people behind
    one address (CGNAT); tight per contact: one person, one phone."""

    per_client: int = 30
    client_window_s: int = 600
    per_contact: int = 5
    contact_window_s: int = 3600


def new_tracking_code() -> str:
    return "PA-" + "".join(secrets.choice(_ALPHABET) for _ in range(10))


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _path(unit: AdminUnit) -> str:
    return "/".join((*unit.ancestors, unit.code))


def _parent_of(path: str) -> str | None:
    parts = path.split("/")
    return parts[-2] if len(parts) > 1 else None


class FeedbackService:
    def __init__(
        self,
        units: UnitService,
        store: FeedbackStore,
        *,
        calendar: WorkingCalendar | None = None,
        boundaries: Callable[[], DistrictBoundaries] = DistrictBoundaries.bundled,
        now: Clock = now,
        new_id: Callable[[], str] = new_tracking_code,
        new_key: Callable[[], str] = lambda: secrets.token_urlsafe(12),
        limits: Limits = Limits(),
        default_categories: Callable[[], Categories] | None = None,
        root: str | None = None,
    ) -> None:
        self._root_code = root or get_settings().province
        self._units = units
        self._store = store
        self._calendar = calendar or WorkingCalendar.bundled()
        self._boundaries = boundaries
        self._now = now
        self._new_id = new_id
        self._new_key = new_key
        self._limits = limits
        self._default_categories = default_categories or bundled_categories

    # --- the units a citizen chooses from -------------------------------------------------

    def now(self) -> datetime:
        """The service's clock (public pages compare with it, so tests move one clock)."""
        return self._now()

    def unit(self, code: str) -> AdminUnit:
        return self._units.require(code)

    def communes_under(self, code: str) -> list[AdminUnit]:
        return self._units.communes_under(code)

    # --- the services list ----------------------------------------------------------------

    def categories(self) -> Categories:
        return self._store.categories() or self._default_categories()

    def category(self, code: str) -> Category:
        found = self.categories().get(code)
        if found is None:
            raise InvalidInput("feedback_unknown_category", category=code)
        return found

    def save_categories(self, principal: Principal, categories: Categories) -> Categories:
        """The province edits the list (a province admin: the root must be in scope)."""
        authorize(principal, Permission.FEEDBACK_CONFIGURE, self._root())
        self._store.save_categories(categories)
        return categories

    def _root(self) -> AdminUnit:
        return self._units.require(self._root_code)

    # --- intake ---------------------------------------------------------------------------

    def submit(self, submission: Submission, channel: Channel, client: str | None) -> Receipt:
        """A citizen's report or question, counted against its client and contact."""
        if not submission.consent:
            raise InvalidInput("feedback_consent_missing")
        moment = self._now()
        quotas = []
        if client:
            quotas.append(
                self._quota(
                    "client#" + _hash(client),
                    moment,
                    self._limits.per_client,
                    self._limits.client_window_s,
                )
            )
        contact_key = submission.contact.key() if submission.contact else None
        if contact_key:
            quotas.append(
                self._quota(
                    "contact#" + _hash(contact_key),
                    moment,
                    self._limits.per_contact,
                    self._limits.contact_window_s,
                )
            )
        return self._create(submission, channel, None, quotas, moment)

    def enter(
        self, principal: Principal, submission: StaffSubmission, at: datetime | None = None
    ) -> Receipt:
        """Staff enter a phone call or a meeting on a citizen's behalf (no intake limits)."""
        if submission.channel not in (Channel.PHONE, Channel.MEETING):
            raise InvalidInput("feedback_wrong_channel", channel=submission.channel.value)
        located = self._locate(submission)
        authorize(principal, Permission.FEEDBACK_HANDLE, located)
        return self._create(submission, submission.channel, principal, [], at or self._now())

    def _quota(self, key: str, moment: datetime, limit: int, window_s: int) -> Quota:
        epoch = int(moment.timestamp())
        start = epoch - epoch % window_s
        tz = moment.tzinfo
        return Quota(
            key=key,
            window_start=datetime.fromtimestamp(start, tz),
            window_end=datetime.fromtimestamp(start + window_s, tz),
            max=limit,
        )

    def _locate(self, submission: Submission) -> AdminUnit:
        named = None
        if submission.unit is not None:
            named = self._units.find(submission.unit)
            if named is None:
                raise InvalidInput("feedback_unknown_unit", unit=submission.unit)
        if submission.point is None:
            if named is None:
                raise InvalidInput("feedback_location_missing")
            return named
        district_code = self._boundaries().district_of(submission.point.lat, submission.point.lon)
        district = self._units.find(district_code) if district_code else None
        if named is not None:
            if (
                district is not None
                and not named.is_within(district.code)
                and named.code not in district.ancestors
            ):
                raise InvalidInput(
                    "feedback_location_mismatch", unit=named.code, district=district.code
                )
            return named
        if district is None:
            raise InvalidInput("feedback_location_outside")
        return district

    def _create(
        self,
        submission: Submission,
        channel: Channel,
        principal: Principal | None,
        quotas: list[Quota],
        moment: datetime,
    ) -> Receipt:
        category = self.category(submission.category)
        located = self._locate(submission)
        contact = (
            submission.contact if submission.contact and not submission.contact.empty() else None
        )
        key = self._new_key()
        report = Feedback(
            id=self._new_id(),
            kind=submission.kind,
            category=category.code,
            description=submission.description,
            channel=channel,
            status=FeedbackStatus.RECEIVED,
            unit=located.code,
            unit_path=_path(located),
            located_unit=located.code,
            point=submission.point,
            address=submission.address or None,
            received_at=moment,
            acknowledge_due=self._calendar.due(moment, ACKNOWLEDGE_DAYS),
            answer_due=self._calendar.due(moment, category.answer_days),
            has_contact=contact is not None,
            reopen_key_hash=_hash(key),
        )
        event = FeedbackEvent(
            feedback_id=report.id,
            seq=1,
            at=moment,
            actor=Actor.of(principal) if principal else None,
            action=FeedbackAction.SUBMITTED,
            from_status=None,
            to_status=report.status,
            details={"channel": channel.value, "unit": located.code},
        )
        try:
            self._store.create(report, event, contact, quotas)
        except LimitReached as reached:
            retry = max(1, math.ceil((reached.quota.window_end - moment).total_seconds()))
            raise TooManyRequests("feedback_rate_limited", retry_after=retry) from None
        return Receipt(
            tracking_code=report.id,
            reopen_key=key,
            status=report.status,
            acknowledge_due=report.acknowledge_due,
            answer_due=report.answer_due,
        )

    # --- public views ---------------------------------------------------------------------

    def find_public(self, tracking_code: str) -> Feedback:
        report = self._store.get(tracking_code)
        if report is None:
            raise NotFound("feedback_not_found", tracking_code=tracking_code)
        return report

    def public_view(self, report: Feedback) -> PublicFeedback:
        """What anyone with the tracking code sees: no contact, no private answer, no note."""
        unit = self._units.find(report.unit)
        category = self.categories().get(report.category)
        return PublicFeedback(
            tracking_code=report.id,
            kind=report.kind,
            category=report.category,
            category_name=category.name if category else report.category,
            description=mask_contacts(report.description),
            status=report.status,
            unit=report.unit,
            unit_name=unit.name if unit else report.unit,
            received_at=report.received_at,
            acknowledged_at=report.acknowledged_at,
            answered_at=report.answered_at,
            resolved_at=report.resolved_at,
            answer=mask_contacts(report.public_answer) if report.public_answer else None,
            address=mask_contacts(report.address) if report.address else None,
            point=public_point(report.point),
            reopen_until=self._reopen_until(report),
        )

    def public_reports(
        self, *, since: datetime, until: datetime, category: str | None, limit: int
    ) -> list[Feedback]:
        """Reports (not questions) received in the period, newest first, for Open311."""
        found = [
            report
            for report in self._store.in_subtree(self._root_code, since)
            if report.kind is FeedbackKind.REPORT
            and report.received_at <= until
            and (category is None or report.category == category)
        ]
        return sorted(found, key=lambda report: report.received_at, reverse=True)[:limit]

    def reopen(self, tracking_code: str, request: Reopen) -> Feedback:
        """The citizen reopens a resolved (or answered) report within 7 days, with their key."""
        report = self.find_public(tracking_code)
        if not secrets.compare_digest(_hash(request.key), report.reopen_key_hash or ""):
            raise InvalidInput("feedback_wrong_key")
        until = self._reopen_until(report)
        if until is None or self._now() > until:
            raise Conflict("feedback_reopen_closed", days=REOPEN_DAYS)
        moment = self._now()
        category = self.categories().get(report.category)
        changed = report.model_copy(
            update={
                "status": FeedbackStatus.REOPENED,
                "reopened_at": moment,
                "acknowledged_at": None,
                "answered_at": None,
                "resolved_at": None,
                "acknowledge_due": self._calendar.due(moment, ACKNOWLEDGE_DAYS),
                "answer_due": self._calendar.due(moment, category.answer_days if category else 10),
            }
        )
        return self._step(
            report, changed, None, FeedbackAction.REOPENED, {"reason": request.reason}, moment
        )

    def _reopen_until(self, report: Feedback) -> datetime | None:
        closed = report.resolved_at or report.answered_at
        if (
            report.status not in (FeedbackStatus.RESOLVED, FeedbackStatus.ANSWERED)
            or closed is None
        ):
            return None
        return closed + timedelta(days=REOPEN_DAYS)

    def public_questions(self, unit_code: str, query: str | None) -> list[PublicQuestion]:
        """Answered questions the staff published, of the unit and the units under it,
        newest first; ``query`` matches ignoring diacritics and case."""
        unit = self._units.require(unit_code)
        found = []
        for report in self._store.in_subtree(_path(unit)):
            if not (
                report.kind is FeedbackKind.QUESTION and report.public and report.public_answer
            ):
                continue
            question = mask_contacts(report.description)
            answer = mask_contacts(report.public_answer)
            if query and not matches(query, question, answer):
                continue
            found.append(
                PublicQuestion(
                    tracking_code=report.id,
                    question=question,
                    answer=answer,
                    answered_at=report.answered_at or report.received_at,
                    category=report.category,
                )
            )
        return sorted(found, key=lambda q: q.answered_at, reverse=True)

    # --- staff ----------------------------------------------------------------------------

    def get(
        self, principal: Principal, feedback_id: str, at: datetime | None = None
    ) -> FeedbackView:
        """One report; its contact only to those who answer it (personal data: a viewer, or
        staff who see it as the place it was reported, read the report alone)."""
        report = self._readable(principal, feedback_id)
        answers_it = Permission.FEEDBACK_HANDLE in permissions_of(
            principal
        ) and self._units.require(report.unit).is_within(principal.home_unit)
        contact = self._store.contact(report.id) if report.has_contact and answers_it else None
        return self.view(report, at, duplicates=self._duplicates(report), contact=contact)

    def history(self, principal: Principal, feedback_id: str) -> list[FeedbackEvent]:
        report = self._readable(principal, feedback_id)
        return self._store.history(report.id)

    def inbox(
        self,
        principal: Principal,
        unit_code: str,
        *,
        queue: bool = True,
        status: FeedbackStatus | None = None,
        category: str | None = None,
        kind: FeedbackKind | None = None,
        overdue: bool | None = None,
        start: date | None = None,
        end: date | None = None,
        limit: int = 100,
        at: datetime | None = None,
    ) -> list[FeedbackView]:
        """A unit's reports, newest first. ``queue``: those it must answer (its own, and the
        overdue ones of the units right under it, escalated to it); else its whole subtree."""
        unit = self._units.require(unit_code)
        authorize(principal, Permission.FEEDBACK_READ, unit)
        since = localize(datetime.combine(start, time())) if start else None
        until = localize(datetime.combine(end, time.max)) if end else None
        views = []
        for report in self._store.in_subtree(_path(unit), since):
            if until and report.received_at > until:
                continue
            if status and report.status is not status:
                continue
            if category and report.category != category:
                continue
            if kind and report.kind is not kind:
                continue
            view = self.view(report, at)
            if overdue is not None and view.overdue is not overdue:
                continue
            if queue and not (report.unit == unit.code or view.escalated_to == unit.code):
                continue
            views.append(view)
        views.sort(key=lambda v: v.report.received_at, reverse=True)
        return views[:limit]

    def acknowledge(
        self, principal: Principal, feedback_id: str, version: int, at: datetime | None = None
    ) -> FeedbackView:
        report = self._handled(principal, feedback_id, version)
        moment = at or self._now()
        self._expect(report, FeedbackStatus.RECEIVED, FeedbackStatus.REOPENED)
        changed = report.model_copy(
            update={"status": FeedbackStatus.ACKNOWLEDGED, "acknowledged_at": moment}
        )
        return self.view(
            self._step(report, changed, principal, FeedbackAction.ACKNOWLEDGED, {}, moment), moment
        )

    def assign(
        self, principal: Principal, feedback_id: str, request: Assign, at: datetime | None = None
    ) -> FeedbackView:
        """To a unit in the caller's area, or to a province department (the unit becomes the
        province: only province staff reach it)."""
        report = self._handled(principal, feedback_id, request.version)
        moment = at or self._now()
        self._expect(report, *OPEN_STATUSES)
        if request.unit is not None:
            target = self._units.find(request.unit)
            if target is None:
                raise InvalidInput("feedback_unknown_unit", unit=request.unit)
            department = None
        else:
            target = self._units.require(self._root_code)
            department = request.department
        authorize(principal, Permission.FEEDBACK_HANDLE, target)
        changed = report.model_copy(
            update={"unit": target.code, "unit_path": _path(target), "department": department}
        )
        details = {"from_unit": report.unit, "unit": target.code, "department": department}
        return self.view(
            self._step(report, changed, principal, FeedbackAction.ASSIGNED, details, moment), moment
        )

    def answer(
        self, principal: Principal, feedback_id: str, request: Answer, at: datetime | None = None
    ) -> FeedbackView:
        report = self._handled(principal, feedback_id, request.version)
        moment = at or self._now()
        self._expect(report, *OPEN_STATUSES, FeedbackStatus.ANSWERED)
        if request.publish and (
            report.kind is not FeedbackKind.QUESTION or not request.public_answer
        ):
            raise InvalidInput("feedback_publish_refused")
        changed = report.model_copy(
            update={
                "status": FeedbackStatus.ANSWERED,
                "acknowledged_at": report.acknowledged_at or moment,
                "answered_at": report.answered_at or moment,
                "public_answer": request.public_answer or report.public_answer,
                "private_answer": request.private_answer or report.private_answer,
                "public": report.public or request.publish,
            }
        )
        details = {
            "public_answer": request.public_answer,
            "private_answer": bool(request.private_answer),  # said to the contact, not here
            "publish": request.publish,
        }
        return self.view(
            self._step(report, changed, principal, FeedbackAction.ANSWERED, details, moment), moment
        )

    def resolve(
        self, principal: Principal, feedback_id: str, version: int, at: datetime | None = None
    ) -> FeedbackView:
        report = self._handled(principal, feedback_id, version)
        moment = at or self._now()
        self._expect(report, *OPEN_STATUSES, FeedbackStatus.ANSWERED)
        changed = report.model_copy(
            update={"status": FeedbackStatus.RESOLVED, "resolved_at": moment}
        )
        return self.view(
            self._step(report, changed, principal, FeedbackAction.RESOLVED, {}, moment), moment
        )

    def note(
        self, principal: Principal, feedback_id: str, text: str, at: datetime | None = None
    ) -> FeedbackView:
        """An internal note (never public); no version asked: notes only add."""
        report = self._readable(principal, feedback_id, Permission.FEEDBACK_HANDLE)
        moment = at or self._now()
        note = Note(at=moment, actor=Actor.of(principal), text=text)
        changed = report.model_copy(update={"notes": [*report.notes, note]})
        return self.view(
            self._step(report, changed, principal, FeedbackAction.NOTED, {"text": text}, moment),
            moment,
        )

    def stats(
        self,
        principal: Principal,
        unit_code: str,
        start: date,
        end: date,
        at: datetime | None = None,
    ) -> FeedbackStats:
        """Reports received in the unit's subtree from ``start`` to ``end`` (local days)."""
        if end < start:
            raise InvalidInput("feedback_bad_period")
        unit = self._units.require(unit_code)
        authorize(principal, Permission.FEEDBACK_READ, unit)
        since = localize(datetime.combine(start, time()))
        until = localize(datetime.combine(end, time.max))
        reports = [r for r in self._store.in_subtree(_path(unit), since) if r.received_at <= until]
        per: dict[str, list[FeedbackView]] = {}
        for report in reports:
            per.setdefault(report.category, []).append(self.view(report, at))

        def count(views: Iterable[FeedbackView]) -> tuple[int, int, int, int]:
            views = list(views)
            return (
                len(views),
                sum(1 for v in views if v.acknowledged_in_time),
                sum(1 for v in views if v.answered_in_time),
                sum(1 for v in views if v.overdue or v.answered_in_time is False),
            )

        by_category = []
        for code in sorted(per):
            received, acked, answered, late = count(per[code])
            by_category.append(
                CategoryStats(
                    category=code,
                    received=received,
                    acknowledged_in_time=acked,
                    answered_in_time=answered,
                    overdue=late,
                )
            )
        received, acked, answered, late = count(v for views in per.values() for v in views)
        return FeedbackStats(
            unit=unit.code,
            start=since,
            end=until,
            received=received,
            acknowledged_in_time=acked,
            answered_in_time=answered,
            overdue=late,
            by_category=by_category,
        )

    # --- the rules, shared --------------------------------------------------------------------

    def view(
        self,
        report: Feedback,
        at: datetime | None = None,
        *,
        duplicates: list[str] | None = None,
        contact: Contact | None = None,
    ) -> FeedbackView:
        """A report as staff see it at ``at`` (default now): overdue, escalated, in time."""
        moment = at or self._now()
        waiting = report.status in OPEN_STATUSES
        ack_late = report.acknowledged_at is None and waiting and moment > report.acknowledge_due
        answer_late = waiting and moment > report.answer_due
        overdue = ack_late or answer_late
        return FeedbackView(
            report=report,
            overdue=overdue,
            acknowledged_in_time=(
                report.acknowledged_at <= report.acknowledge_due
                if report.acknowledged_at
                else (False if ack_late else None)
            ),
            answered_in_time=(
                report.answered_at <= report.answer_due
                if report.answered_at
                else (False if answer_late else None)
            ),
            escalated_to=_parent_of(report.unit_path) if overdue else None,
            duplicates=duplicates or [],
            contact=contact,
        )

    def _duplicates(self, report: Feedback) -> list[str]:
        """Likely duplicates: same category, within 50 m, received within 7 days of it."""
        if report.point is None:
            return []
        parts = report.unit_path.split("/")
        area = "/".join(parts[:2]) if len(parts) > 1 else parts[0]  # the district (or commune)
        window = timedelta(days=DUPLICATE_DAYS)
        here = (report.point.lat, report.point.lon)
        return [
            other.id
            for other in self._store.in_subtree(area, report.received_at - window)
            if other.id != report.id
            and other.category == report.category
            and other.point is not None
            and abs(other.received_at - report.received_at) <= window
            and distance_m(here, (other.point.lat, other.point.lon)) <= DUPLICATE_RADIUS_M
        ]

    def _readable(
        self,
        principal: Principal,
        feedback_id: str,
        permission: Permission = Permission.FEEDBACK_READ,
    ) -> Feedback:
        """The report, if ``principal`` may read it (its unit or the unit where the citizen
        placed it is in their area) or, for ``FEEDBACK_HANDLE``, handle it (its unit is)."""
        report = self._store.get(feedback_id)
        if report is None:
            raise NotFound("feedback_not_found", tracking_code=feedback_id)
        unit = self._units.require(report.unit)
        located = self._units.find(report.located_unit)
        reading = permission is Permission.FEEDBACK_READ
        if reading and located is not None and located.is_within(principal.home_unit):
            unit = located
        authorize(principal, permission, unit)
        return report

    def _handled(self, principal: Principal, feedback_id: str, version: int) -> Feedback:
        report = self._readable(principal, feedback_id, Permission.FEEDBACK_HANDLE)
        if version != report.version:
            raise Conflict("stale_version", version=version, current=report.version)
        return report

    @staticmethod
    def _expect(report: Feedback, *allowed: FeedbackStatus) -> None:
        if report.status not in allowed:
            raise Conflict("feedback_wrong_status", status=report.status.value)

    def _step(
        self,
        report: Feedback,
        changed: Feedback,
        principal: Principal | None,
        action: FeedbackAction,
        details: Mapping[str, object],
        moment: datetime,
    ) -> Feedback:
        changed = changed.model_copy(update={"version": report.version + 1, "seq": report.seq + 1})
        event = FeedbackEvent(
            feedback_id=report.id,
            seq=changed.seq,
            at=moment,
            actor=Actor.of(principal) if principal else None,
            action=action,
            from_status=report.status,
            to_status=changed.status,
            details=dict(details),
        )
        self._store.commit(changed, event, report.version)
        return changed


def public_point(point: GeoPoint | None) -> GeoPoint | None:
    """A point as the public sees it: to 3 decimals (about 100 m), never the exact spot."""
    if point is None:
        return None
    return GeoPoint(lat=round(point.lat, 3), lon=round(point.lon, 3))


@lru_cache(maxsize=1)
def bundled_categories() -> Categories:
    """The default services list (``nguon/data/feedback-services.json``), until the province
    saves its own."""
    text = resources.files("nguon.data").joinpath(SERVICES_FILE).read_text(encoding="utf-8")
    return Categories.model_validate({"items": json.loads(text)["items"]})
