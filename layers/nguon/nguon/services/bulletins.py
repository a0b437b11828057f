"""The bulletin workflow: compose → submit → approve → (on air) → expired; reject, withdraw.

Every change is one atomic commit of the new bulletin state and an append-only audit event,
conditional on the version the actor read: a stale write is a conflict and changes nothing.
"""

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import date, datetime, time
from typing import Any, Protocol

from pydantic import BaseModel, ValidationError

from nguon import clock
from nguon.errors import Conflict, Forbidden, InvalidInput, NotFound
from nguon.models.bulletins import (
    EDITABLE,
    Actor,
    AuditAction,
    AuditEvent,
    Bulletin,
    BulletinContent,
    BulletinPatch,
    Change,
    Decision,
    Priority,
    Status,
)
from nguon.models.principal import Principal
from nguon.models.units import AdminUnit
from nguon.services import central
from nguon.services.access import Permission, authorize, permissions_of
from nguon.services.units import UnitService
from nguon.validation import validation_problem

PAGE_MAX = 100


class BulletinStore(Protocol):
    """Where bulletins live (DynamoDB in :mod:`nguon.storage.bulletins`)."""

    def get(self, bulletin_id: str) -> Bulletin | None: ...

    def commit(self, changes: Sequence[Change], *, cap_key: str | None = None) -> None:
        """All changes or none; :class:`Conflict` when a version (or ``cap_key``) is taken."""

    def history(self, bulletin_id: str) -> list[AuditEvent]: ...

    def page(
        self, unit: str, *, starting_by: date | None, limit: int, cursor: str | None
    ) -> tuple[list[Bulletin], str | None]:
        """Bulletins issued in or targeting ``unit``'s subtree, latest start first."""

    def awaiting_approval(self) -> list[Bulletin]:
        """Every pending bulletin, earliest start first (a few: each is approved or rejected
        within days)."""

    def on_air(self, units: Iterable[str], day: date) -> list[Bulletin]:
        """Approved bulletins targeting one of ``units`` exactly and valid on ``day``."""

    def on_air_from(self, units: Iterable[str], moment: datetime) -> list[Bulletin]:
        """Approved bulletins targeting one of ``units`` exactly whose validity ends after
        ``moment`` (current and upcoming: the public portal)."""

    def by_cap_key(self, cap_key: str) -> Bulletin | None: ...


class BulletinService:
    def __init__(
        self,
        units: UnitService,
        store: BulletinStore,
        now: clock.Clock = clock.now,
        new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
        ready_media: Callable[[Principal, str], object] | None = None,
    ) -> None:
        self._units = units
        self._store = store
        self._now = now
        self._new_id = new_id
        # ``MediaService.get_ready``: attached media must be processed and the author's to use.
        self._ready_media = ready_media

    # --- reading ---------------------------------------------------------------------------

    def get(self, principal: Principal, bulletin_id: str) -> Bulletin:
        bulletin = self._require(bulletin_id)
        self._check_reader(principal, bulletin)
        return bulletin

    def history(self, principal: Principal, bulletin_id: str) -> list[AuditEvent]:
        self.get(principal, bulletin_id)
        return self._store.history(bulletin_id)

    def search(
        self,
        principal: Principal,
        *,
        unit: str | None = None,
        status: Status | None = None,
        priority: Priority | None = None,
        start: date | None = None,
        end: date | None = None,
        limit: int = 25,
        cursor: str | None = None,
    ) -> tuple[list[Bulletin], str | None]:
        """A page of the bulletins issued in or targeting ``unit``'s area (default: home)."""
        where = self._units.require(unit or principal.home_unit)
        authorize(principal, Permission.BULLETINS_READ, where)
        if start and end and end < start:
            raise InvalidInput("range_ends_before_start", start=start, end=end)
        now = self._now()
        window_start = clock.localize(datetime.combine(start, time())) if start else None
        found: list[Bulletin] = []
        for _ in range(10):  # a filtered page may come back empty: read on, a little
            page, cursor = self._store.page(
                where.code, starting_by=end, limit=min(limit, PAGE_MAX), cursor=cursor
            )
            for bulletin in page:
                if not self._may_read(principal, bulletin):
                    continue  # the area's list holds drafts from above, not yet for its eyes
                if status and bulletin.status_at(now) is not status:
                    continue
                if priority and bulletin.priority is not priority:
                    continue
                if window_start and bulletin.validity()[1] <= window_start:
                    continue
                found.append(bulletin)
            if found or cursor is None:
                break
        return found, cursor

    def awaiting_approval(self, principal: Principal, unit: str | None = None) -> list[Bulletin]:
        """The pending bulletins ``principal`` may approve that belong to ``unit``'s area
        (issued in it, or under the emergency clause aimed inside it), earliest start first:
        all of them, read from the queue rather than found along the area's list."""
        where = self._units.require(unit or principal.home_unit)
        authorize(principal, Permission.BULLETINS_READ, where)
        return [
            bulletin
            for bulletin in self._store.awaiting_approval()
            if self.may_approve(principal, bulletin) and self._belongs_to(bulletin, where)
        ]

    def _belongs_to(self, bulletin: Bulletin, where: AdminUnit) -> bool:
        if self._units.require(bulletin.issuer_unit).is_within(where.code):
            return True
        return bulletin.priority is Priority.EMERGENCY and all(
            self._units.require(code).is_within(where.code) for code in bulletin.targets
        )

    def may_approve(self, principal: Principal, bulletin: Bulletin) -> bool:
        """Whether ``principal`` may approve ``bulletin`` as it stands (role, area or the
        emergency clause, not their own): the approval queue of the overview."""
        try:
            self._check_approver(principal, bulletin, emergency_clause=True)
        except Forbidden:
            return False
        return bulletin.status is Status.PENDING

    def playable(self, principal: Principal, bulletin_id: str, unit: str) -> Bulletin:
        """A bulletin an operator may play at once on a device of ``unit``: one they may read,
        approved and valid now, aimed at the device's area. Free text never plays: whatever
        a speaker reads out has passed an editor and an approver."""
        bulletin = self.get(principal, bulletin_id)
        now = self._now()
        start, end = bulletin.validity()
        status = bulletin.status_at(now)
        if status is not Status.APPROVED or not start <= now < end:
            raise Conflict("play_now_not_on_air", bulletin=bulletin.id, status=status.value)
        where = self._units.require(unit)
        if not any(where.is_within(code) for code in bulletin.targets):
            raise InvalidInput("play_now_not_for_this_device", bulletin=bulletin.id, unit=unit)
        return bulletin

    # --- composing -------------------------------------------------------------------------

    def create(
        self,
        principal: Principal,
        content: BulletinContent,
        *,
        supersedes: str | None = None,
        cap_identifier: str | None = None,
        cap_key: str | None = None,
        submit: bool = False,
    ) -> Bulletin:
        issuer = self._units.find(content.issuer_unit or principal.home_unit)
        if issuer is None:
            raise InvalidInput("unknown_issuer", unit=content.issuer_unit)
        authorize(principal, Permission.BULLETINS_COMPOSE, issuer)
        if supersedes is not None:
            self._check_revision(issuer, self._require(supersedes))
        self._check_targets(principal, issuer, content.targets)
        self._check_media(principal, content.media)
        now = self._now()
        actor = Actor.of(principal)
        status = Status.PENDING if submit else Status.DRAFT
        bulletin = Bulletin.model_validate(
            {
                **content.model_dump(by_alias=True),
                "issuer_unit": issuer.code,
                "id": self._new_id(),
                "status": status,
                "version": 1,
                "layer": issuer.level,
                "author": actor,
                "created_at": now,
                "updated_at": now,
                "submitted_at": now if submit else None,
                "supersedes": supersedes,
                "cap_identifier": cap_identifier,
            }
        )
        action = AuditAction.IMPORTED if cap_key else AuditAction.CREATED
        event = self._event(bulletin, actor, action, None, status, now)
        self._store.commit([self._change(bulletin, event)], cap_key=cap_key)
        return bulletin

    def update(self, principal: Principal, bulletin_id: str, patch: BulletinPatch) -> Bulletin:
        bulletin = self._require(bulletin_id)
        issuer = self._units.require(bulletin.issuer_unit)
        authorize(principal, Permission.BULLETINS_COMPOSE, issuer)
        if bulletin.status not in EDITABLE:
            raise Conflict("not_editable", status=bulletin.status.value)
        self._check_version(bulletin, patch.version)
        old = bulletin.content().model_dump(mode="json", by_alias=True)
        changed = {
            name: value.model_dump(by_alias=True) if isinstance(value, BaseModel) else value
            for name, value in patch.changes().items()
        }
        try:
            content = BulletinContent.model_validate({**bulletin.content().model_dump(), **changed})
        except ValidationError as error:
            raise validation_problem(error) from error
        self._check_targets(principal, issuer, content.targets)
        if "media" in changed:
            self._check_media(principal, [m for m in content.media if m not in bulletin.media])
        new = content.model_dump(mode="json", by_alias=True)
        diff = {
            name: {"from": old.get(name), "to": new.get(name)}
            for name in new
            if new.get(name) != old.get(name)
        }
        if not diff:
            return bulletin
        now = self._now()
        updated = bulletin.model_copy(
            update={
                **{name: getattr(content, name) for name in BulletinContent.model_fields},
                "issuer_unit": bulletin.issuer_unit,
                "status": Status.DRAFT,
                "version": bulletin.version + 1,
                "updated_at": now,
            }
        )
        event = self._event(
            updated,
            Actor.of(principal),
            AuditAction.UPDATED,
            bulletin.status,
            Status.DRAFT,
            now,
            changes=diff,
        )
        self._store.commit([self._change(updated, event, bulletin)])
        return updated

    def revise(self, principal: Principal, bulletin_id: str) -> Bulletin:
        """A new draft to replace an approved bulletin; its approval withdraws the old one."""
        bulletin = self._require(bulletin_id)
        # Scope before status: nothing about a bulletin to someone who may not revise it.
        authorize(
            principal, Permission.BULLETINS_COMPOSE, self._units.require(bulletin.issuer_unit)
        )
        status = bulletin.status_at(self._now())
        if status is not Status.APPROVED:
            raise Conflict("wrong_status", status=status.value, action="revise")
        if bulletin.superseded_by:
            raise Conflict("already_revised", bulletin=bulletin.superseded_by)
        return self.create(principal, bulletin.content(), supersedes=bulletin.id)

    # --- the workflow ----------------------------------------------------------------------

    def submit(
        self, principal: Principal, bulletin_id: str, version: int | None = None
    ) -> Bulletin:
        bulletin = self._require(bulletin_id)
        authorize(
            principal, Permission.BULLETINS_COMPOSE, self._units.require(bulletin.issuer_unit)
        )
        self._check_status(bulletin, EDITABLE, "submit")
        self._check_version(bulletin, version)
        return self._transition(principal, bulletin, Status.PENDING, AuditAction.SUBMITTED)

    def approve(
        self, principal: Principal, bulletin_id: str, version: int | None = None
    ) -> Bulletin:
        bulletin = self._require(bulletin_id)
        self._check_approver(principal, bulletin, emergency_clause=True)
        self._check_status(bulletin, {Status.PENDING}, "approve")
        self._check_version(bulletin, version)
        original = self._store.get(bulletin.supersedes) if bulletin.supersedes else None
        if original is not None:
            # Checked again now: the revision may predate the rule, or the approver's area
            # may differ from its author's. Approving it withdraws the original.
            self._check_revision(self._units.require(bulletin.issuer_unit), original)
            self._check_supersede(principal, original)
        now = self._now()
        actor = Actor.of(principal)
        approved = bulletin.model_copy(
            update={
                "status": Status.APPROVED,
                "version": bulletin.version + 1,
                "updated_at": now,
                "approved_by": actor,
                "approved_at": now,
            }
        )
        event = self._event(
            approved, actor, AuditAction.APPROVED, bulletin.status, Status.APPROVED, now
        )
        # A province bulletin goes up to the national system as it is approved: its outbox
        # item is written in the approval's transaction (nguon.services.central).
        changes = [
            replace(
                self._change(approved, event, bulletin),
                outbox=central.bulletin_entry(approved, now),
            )
        ]
        if bulletin.supersedes:
            changes.extend(self._supersede(bulletin.supersedes, approved, actor, now))
        self._store.commit(changes)
        return approved

    def record_voice(
        self, bulletin_id: str, voice_media: dict[str, str], duration_s: int | None
    ) -> Bulletin:
        """The system attaches generated speech: no status change, a ``voiced`` event (which
        the fan-out turns into manifests with audio). A measured length replaces the estimate,
        never a length the editor gave."""
        bulletin = self._require(bulletin_id)
        now = self._now()
        update: dict[str, Any] = {
            "voice_media": voice_media,
            "version": bulletin.version + 1,
            "updated_at": now,
        }
        if duration_s and bulletin.duration_s is None:
            update["duration_s"] = min(duration_s, 3 * 3600)
        voiced = bulletin.model_copy(update=update)
        actor = Actor(user_id="system", username="nguon", unit=bulletin.issuer_unit)
        event = self._event(
            voiced, actor, AuditAction.VOICED, bulletin.status, bulletin.status, now
        )
        self._store.commit([self._change(voiced, event, bulletin)])
        return voiced

    def reject(
        self, principal: Principal, bulletin_id: str, reason: str, version: int | None = None
    ) -> Bulletin:
        bulletin = self._require(bulletin_id)
        self._check_approver(principal, bulletin)
        self._check_status(bulletin, {Status.PENDING}, "reject")
        self._check_version(bulletin, version)
        return self._transition(
            principal, bulletin, Status.REJECTED, AuditAction.REJECTED, reason=reason
        )

    def withdraw(
        self, principal: Principal, bulletin_id: str, reason: str, version: int | None = None
    ) -> Bulletin:
        """Take a pending or approved bulletin off air: its approvers may, and so may its author
        while they still hold a composing role over its issuer."""
        bulletin = self._require(bulletin_id)
        self.check_withdrawer(principal, bulletin)
        status = bulletin.status_at(self._now())
        if status not in {Status.PENDING, Status.APPROVED}:
            raise Conflict("wrong_status", status=status.value, action="withdraw")
        self._check_version(bulletin, version)
        return self._transition(
            principal, bulletin, Status.WITHDRAWN, AuditAction.WITHDRAWN, reason=reason
        )

    # --- rules -----------------------------------------------------------------------------

    def check_withdrawer(self, principal: Principal, bulletin: Bulletin) -> None:
        """Withdrawing is no wider than approving: an approver of the bulletin's issuing area
        (the emergency clause is for approval only), or its author with a composing role over
        the issuer now (an author who lost the role or moved unit no longer may)."""
        if bulletin.author.user_id == principal.user_id:
            issuer = self._units.require(bulletin.issuer_unit)
            if Permission.BULLETINS_APPROVE in permissions_of(principal) and issuer.is_within(
                principal.home_unit
            ):
                return
            authorize(principal, Permission.BULLETINS_COMPOSE, issuer)
            return
        self._check_approver(principal, bulletin)

    def _check_approver(
        self, principal: Principal, bulletin: Bulletin, *, emergency_clause: bool = False
    ) -> None:
        """Approvers act for bulletins issued in their area. With ``emergency_clause`` (approval
        only) an emergency may also be approved by an approver whose area holds every unit it
        targets. Nobody approves their own."""
        if Permission.BULLETINS_APPROVE not in permissions_of(principal):
            raise Forbidden("role_missing", permission=Permission.BULLETINS_APPROVE.value)
        issuer = self._units.require(bulletin.issuer_unit)
        if not (
            issuer.is_within(principal.home_unit)
            or (emergency_clause and self._in_emergency_clause(principal, bulletin))
        ):
            raise Forbidden("out_of_scope", unit=issuer.code, home_unit=principal.home_unit)
        if bulletin.author.user_id == principal.user_id:
            raise Forbidden("self_approval")

    def _in_emergency_clause(self, principal: Principal, bulletin: Bulletin) -> bool:
        return bulletin.priority is Priority.EMERGENCY and all(
            self._units.require(code).is_within(principal.home_unit) for code in bulletin.targets
        )

    def _check_revision(self, issuer: AdminUnit, original: Bulletin) -> None:
        """A revision replaces only a bulletin issued in its own issuer's area: a commune's
        ``Update`` cannot take the province's emergency off the air."""
        if not self._units.require(original.issuer_unit).is_within(issuer.code):
            raise Forbidden(
                "supersede_out_of_scope", bulletin=original.id, unit=original.issuer_unit
            )

    def _check_supersede(self, approver: Principal, original: Bulletin) -> None:
        """Approving a revision withdraws the original: the approver must be one who could
        approve the original and withdraw it (its issuing area, no emergency clause)."""
        issuer = self._units.require(original.issuer_unit)
        if not issuer.is_within(approver.home_unit):
            raise Forbidden(
                "supersede_out_of_scope", bulletin=original.id, unit=original.issuer_unit
            )

    def _check_reader(self, principal: Principal, bulletin: Bulletin) -> None:
        if Permission.BULLETINS_READ not in permissions_of(principal):
            raise Forbidden("role_missing", permission=Permission.BULLETINS_READ.value)
        if not self._may_read(principal, bulletin):
            raise Forbidden(
                "out_of_scope", unit=bulletin.issuer_unit, home_unit=principal.home_unit
            )

    def _may_read(self, principal: Principal, bulletin: Bulletin) -> bool:
        """A reader sees what is issued in their area, whatever its state; what is aimed at
        their area (or at an area holding it) once approved (approved, expired, withdrawn
        after approval); and a pending emergency they may approve under the emergency clause.
        Drafts from above aimed elsewhere, or not yet approved, stay with their issuer."""
        home = self._units.require(principal.home_unit)
        if self._units.require(bulletin.issuer_unit).is_within(home.code):
            return True
        if bulletin.approved_at is not None and any(
            self._units.require(code).is_within(home.code) or home.is_within(code)
            for code in bulletin.targets
        ):
            return True
        return (
            bulletin.status is Status.PENDING
            and Permission.BULLETINS_APPROVE in permissions_of(principal)
            and self._in_emergency_clause(principal, bulletin)
        )

    def _check_targets(self, principal: Principal, issuer: AdminUnit, targets: list[str]) -> None:
        found = {code: self._units.find(code) for code in targets}
        unknown = [code for code, unit in found.items() if unit is None]
        if unknown:
            raise InvalidInput("unknown_targets", units=", ".join(unknown))
        for unit in found.values():
            assert unit is not None  # checked above
            authorize(principal, Permission.BULLETINS_COMPOSE, unit)
            if not unit.is_within(issuer.code):
                raise InvalidInput("target_outside_issuer", unit=unit.code, issuer=issuer.code)

    def _check_media(self, principal: Principal, media_ids: Iterable[str]) -> None:
        if self._ready_media is None:
            return
        for media_id in dict.fromkeys(media_ids):
            self._ready_media(principal, media_id)

    @staticmethod
    def _check_status(bulletin: Bulletin, allowed: Iterable[Status], action: str) -> None:
        if bulletin.status not in set(allowed):
            raise Conflict("wrong_status", status=bulletin.status.value, action=action)

    @staticmethod
    def _check_version(bulletin: Bulletin, version: int | None) -> None:
        if version is not None and version != bulletin.version:
            raise Conflict("stale_version", version=version, current=bulletin.version)

    # --- plumbing --------------------------------------------------------------------------

    def _transition(
        self,
        principal: Principal,
        bulletin: Bulletin,
        status: Status,
        action: AuditAction,
        reason: str | None = None,
    ) -> Bulletin:
        now = self._now()
        actor = Actor.of(principal)
        update: dict[str, Any] = {
            "status": status,
            "version": bulletin.version + 1,
            "updated_at": now,
        }
        if status is Status.PENDING:
            update["submitted_at"] = now
        if status is Status.REJECTED:
            update["rejection"] = Decision(by=actor, at=now, reason=reason or "")
        if status is Status.WITHDRAWN:
            update["withdrawal"] = Decision(by=actor, at=now, reason=reason or "")
        changed = bulletin.model_copy(update=update)
        event = self._event(changed, actor, action, bulletin.status, status, now, reason=reason)
        self._store.commit([self._change(changed, event, bulletin)])
        return changed

    def _supersede(self, old_id: str, new: Bulletin, actor: Actor, now: datetime) -> list[Change]:
        old = self._store.get(old_id)
        if old is None or old.status is not Status.APPROVED:
            return []  # withdrawn meanwhile: nothing left to take off air
        reason = f"superseded by {new.id}"
        replaced = old.model_copy(
            update={
                "status": Status.WITHDRAWN,
                "version": old.version + 1,
                "updated_at": now,
                "superseded_by": new.id,
                "withdrawal": Decision(by=actor, at=now, reason=reason),
            }
        )
        event = self._event(
            replaced, actor, AuditAction.SUPERSEDED, old.status, replaced.status, now, reason=reason
        )
        return [self._change(replaced, event, old)]

    def _event(
        self,
        bulletin: Bulletin,
        actor: Actor,
        action: AuditAction,
        from_status: Status | None,
        to_status: Status,
        at: datetime,
        *,
        changes: dict[str, dict[str, Any]] | None = None,
        reason: str | None = None,
    ) -> AuditEvent:
        return AuditEvent(
            bulletin_id=bulletin.id,
            seq=bulletin.version,
            at=at,
            actor=actor,
            action=action,
            from_status=from_status,
            to_status=to_status,
            version=bulletin.version,
            changes=changes or {},
            reason=reason,
        )

    def _require(self, bulletin_id: str) -> Bulletin:
        bulletin = self._store.get(bulletin_id)
        if bulletin is None:
            raise NotFound("bulletin_not_found", bulletin=bulletin_id)
        return bulletin

    def _index(self, bulletin: Bulletin | None) -> frozenset[str]:
        """The units whose lists show a bulletin: its issuer, its targets, their ancestors."""
        if bulletin is None:
            return frozenset()
        codes: set[str] = set()
        for code in (bulletin.issuer_unit, *bulletin.targets):
            codes.add(code)
            codes.update(self._units.require(code).ancestors)
        return frozenset(codes)

    def _change(
        self, bulletin: Bulletin, event: AuditEvent, previous: Bulletin | None = None
    ) -> Change:
        return Change(
            bulletin=bulletin,
            expected_version=previous.version if previous else None,
            event=event,
            previous=previous,
            index=self._index(bulletin),
            previous_index=self._index(previous),
        )
