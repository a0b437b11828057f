"""Directives down (chỉ đạo), acknowledgements up, compliance from proof of play.

- **Who issues.** Approvers (and admins): leadership speaks for its unit
  (``directives:issue``). The issuing unit is the caller's home unit or one in its area; every
  target lies strictly below the issuing unit (``directive_target_not_below``).
- **Who reads.** Anyone of a unit where the directive was issued (the issuer or above it) or
  to which it is addressed (a target, a unit holding it, or a unit inside it): a commune reads
  the directives addressed to it or to its district, never another commune's.
- **Acknowledging.** Editors and approvers (and admins) of the target unit, or of a unit above
  it that is still below the issuer (a district for its commune), once: the target item is
  updated on condition it was not acknowledged, in one transaction with the directive's
  counter; acknowledging again answers the first acknowledgement.
- **Overdue.** A target not acknowledged past the due date (Vietnam time) of an open directive
  is overdue, computed on reading. The device sweep (every minute) records each one once as
  escalated to the target's parent unit, which lists it with ``GET
  /directives?unit=<parent>&box=below&overdue=true``.
- **Compliance.** For each linked bulletin, each targeted commune's successful plays per day,
  from the counters ``StatsFunction`` keeps per commune and day (``played@<bulletin>``):
  one query per commune, never a read of the plays.
"""

import secrets
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from typing import Protocol

from nguon.clock import now as wall_clock
from nguon.errors import Conflict, Forbidden, InvalidInput, NotFound
from nguon.models.bulletins import Actor, Bulletin
from nguon.models.directives import (
    Attachment,
    Box,
    BulletinCompliance,
    CommuneCompliance,
    Directive,
    DirectiveList,
    DirectiveRequest,
    DirectiveStatus,
    DirectiveSummary,
    DirectiveView,
    LinkedBulletin,
    Target,
    TargetCompliance,
)
from nguon.models.media import Media
from nguon.models.principal import Principal
from nguon.models.units import AdminUnit
from nguon.observability import logger
from nguon.services.access import Permission, authorize, permissions_of
from nguon.services.stats import StatsStore, played_counter
from nguon.services.units import UnitService

LIST_MAX = 200


class DirectiveStore(Protocol):
    def create(self, directive: Directive, targets: list[Target]) -> None: ...

    def get(self, directive_id: str) -> tuple[Directive, int, list[Target]] | None: ...

    def acknowledge(self, directive: Directive, unit: str, actor: Actor, at: datetime) -> bool: ...

    def close(self, directive: Directive, pending: Iterable[str]) -> None: ...

    def issued(self, path: list[str], limit: int) -> list[tuple[Directive, int, int]]: ...

    def addressed(self, path: list[str], *, below: bool) -> list[tuple[str, Target]]: ...

    def many(self, ids: Iterable[str]) -> dict[str, tuple[Directive, int, int]]: ...

    def owed_before(self, day: date) -> list[tuple[str, str, date]]: ...

    def escalate(
        self, directive_id: str, due: date, unit: str, parent: str, at: datetime
    ) -> bool: ...


def _path(unit: AdminUnit) -> list[str]:
    return [*unit.ancestors, unit.code]


class DirectiveService:
    def __init__(
        self,
        units: UnitService,
        store: DirectiveStore,
        stats: StatsStore,
        bulletin: Callable[[Principal, str], Bulletin],
        media: Callable[[Principal, str], Media],
        now: Callable[[], datetime] = wall_clock,
        new_id: Callable[[], str] = lambda: f"d-{secrets.token_hex(6)}",
    ) -> None:
        self._units = units
        self._store = store
        self._stats = stats
        self._bulletin = bulletin
        self._media = media
        self._now = now
        self._new_id = new_id

    # --- issuing and closing ----------------------------------------------------------------

    def issue(self, principal: Principal, request: DirectiveRequest) -> DirectiveView:
        issuer = self._units.require(request.issuer_unit or principal.home_unit)
        authorize(principal, Permission.DIRECTIVES_ISSUE, issuer)
        targets = []
        for code in request.targets:
            unit = self._units.require(code)
            authorize(principal, Permission.DIRECTIVES_ISSUE, unit)
            if unit.code == issuer.code or not unit.is_within(issuer.code):
                raise InvalidInput("directive_target_not_below", unit=code, issuer=issuer.code)
            targets.append(Target(unit=code, name=unit.name, level=unit.level, path=_path(unit)))
        moment = self._now()
        if request.due < moment.date():
            raise InvalidInput("directive_due_past", due=request.due.isoformat())
        attachments = []
        for media_id in request.attachments:
            media = self._media(principal, media_id)
            attachments.append(
                Attachment(
                    media_id=media.id,
                    file_name=media.file_name,
                    content_type=media.content_type,
                    size=media.size,
                )
            )
        linked = []
        for wanted in request.bulletins:
            if wanted.until < moment.date():
                raise InvalidInput(
                    "directive_until_past", bulletin=wanted.bulletin_id, until=str(wanted.until)
                )
            bulletin = self._bulletin(principal, wanted.bulletin_id)
            linked.append(
                LinkedBulletin(
                    bulletin_id=bulletin.id,
                    title=bulletin.title,
                    plays_per_day=wanted.plays_per_day,
                    until=wanted.until,
                )
            )
        directive = Directive(
            id=self._new_id(),
            title=request.title,
            text=request.text,
            due=request.due,
            issuer_unit=issuer.code,
            issuer_name=issuer.name,
            issuer_path=_path(issuer),
            created_at=moment,
            created_by=Actor.of(principal),
            attachments=attachments,
            bulletins=linked,
        )
        self._store.create(directive, targets)
        return self._view(directive, 0, targets)

    def close(self, principal: Principal, directive_id: str) -> DirectiveView:
        directive, acknowledged, targets = self._require(directive_id)
        authorize(
            principal, Permission.DIRECTIVES_ISSUE, self._units.require(directive.issuer_unit)
        )
        if directive.status is not DirectiveStatus.OPEN:
            raise Conflict("directive_closed", directive=directive_id)
        closed = directive.model_copy(
            update={
                "status": DirectiveStatus.CLOSED,
                "closed_at": self._now(),
                "closed_by": Actor.of(principal),
            }
        )
        pending = [t.unit for t in targets if t.acknowledged_at is None and t.escalated_at is None]
        self._store.close(closed, pending)
        return self._view(closed, acknowledged, targets)

    # --- reading ----------------------------------------------------------------------------

    def get(self, principal: Principal, directive_id: str) -> DirectiveView:
        directive, acknowledged, targets = self._require(directive_id)
        self._check_reader(principal, directive, targets)
        return self._view(directive, acknowledged, targets, compliance=True)

    def search(
        self,
        principal: Principal,
        *,
        unit: str | None = None,
        box: Box = Box.RECEIVED,
        overdue: bool | None = None,
        status: DirectiveStatus | None = None,
        limit: int = 50,
    ) -> DirectiveList:
        where = self._units.require(unit or principal.home_unit)
        authorize(principal, Permission.DIRECTIVES_READ, where)
        today = self._now().date()
        items: list[DirectiveSummary] = []
        if box is Box.ISSUED:
            for directive, acknowledged, total in self._store.issued(_path(where), LIST_MAX):
                items.append(self._summary(directive, acknowledged, total, [], today))
        else:
            addressed = self._store.addressed(_path(where), below=box is Box.BELOW)
            by_directive: dict[str, list[Target]] = {}
            for directive_id, target in addressed:
                by_directive.setdefault(directive_id, []).append(target)
            heads = self._store.many(by_directive)
            for directive_id, mine in by_directive.items():
                if directive_id not in heads:
                    continue
                directive, acknowledged, total = heads[directive_id]
                items.append(self._summary(directive, acknowledged, total, mine, today))
        if status is not None:
            items = [item for item in items if item.status is status]
        if overdue is not None:
            items = [item for item in items if self._overdue_in(item) == overdue]
        items.sort(key=lambda item: (item.created_at, item.id), reverse=True)
        return DirectiveList(items=items[:limit])

    @staticmethod
    def _overdue_in(item: DirectiveSummary) -> bool:
        if item.targets:
            return any(target.overdue for target in item.targets)
        return item.overdue > 0

    # --- acknowledging ----------------------------------------------------------------------

    def acknowledge(
        self, principal: Principal, directive_id: str, unit: str | None = None
    ) -> DirectiveView:
        directive, _, targets = self._require(directive_id)
        code = unit or principal.home_unit
        if Permission.DIRECTIVES_ACKNOWLEDGE not in permissions_of(principal):
            raise Forbidden("role_missing", permission=Permission.DIRECTIVES_ACKNOWLEDGE.value)
        self._check_reader(principal, directive, targets)
        authorize(principal, Permission.DIRECTIVES_ACKNOWLEDGE, self._units.require(code))
        target = next((t for t in targets if t.unit == code), None)
        if target is None:
            raise InvalidInput("directive_not_target", directive=directive_id, unit=code)
        # Acknowledging belongs below the issuer: the issuer (or above) cannot answer itself.
        if principal.home_unit not in target.path[len(directive.issuer_path) :]:
            raise Forbidden("directive_acknowledge_from_issuer", unit=code)
        if target.acknowledged_at is None:
            if directive.status is not DirectiveStatus.OPEN:
                raise Conflict("directive_closed", directive=directive_id)
            self._store.acknowledge(directive, code, Actor.of(principal), self._now())
        directive, acknowledged, targets = self._require(directive_id)
        return self._view(directive, acknowledged, targets, compliance=True)

    # --- rules ------------------------------------------------------------------------------

    def _require(self, directive_id: str) -> tuple[Directive, int, list[Target]]:
        found = self._store.get(directive_id)
        if found is None:
            raise NotFound("directive_not_found", directive=directive_id)
        return found

    def _check_reader(
        self, principal: Principal, directive: Directive, targets: list[Target]
    ) -> None:
        if Permission.DIRECTIVES_READ not in permissions_of(principal):
            raise Forbidden("role_missing", permission=Permission.DIRECTIVES_READ.value)
        home = principal.home_unit
        if home in directive.issuer_path:
            return  # issued in the caller's area
        holding = set(_path(self._units.require(home)))
        for target in targets:
            if home in target.path or target.unit in holding:
                return  # addressed inside the caller's area, or to a unit holding it
        raise Forbidden("out_of_scope", unit=directive.issuer_unit, home_unit=home)

    def _is_overdue(self, directive: Directive, target: Target, today: date) -> bool:
        return (
            directive.status is DirectiveStatus.OPEN
            and target.acknowledged_at is None
            and today > directive.due
        )

    def _summary(
        self,
        directive: Directive,
        acknowledged: int,
        total: int,
        targets: list[Target],
        today: date,
    ) -> DirectiveSummary:
        late = directive.status is DirectiveStatus.OPEN and today > directive.due
        return DirectiveSummary(
            id=directive.id,
            title=directive.title,
            issuer_unit=directive.issuer_unit,
            issuer_name=directive.issuer_name,
            created_at=directive.created_at,
            due=directive.due,
            status=directive.status,
            targets_total=total,
            acknowledged=acknowledged,
            overdue=total - acknowledged if late else 0,
            targets=[
                t.model_copy(update={"overdue": self._is_overdue(directive, t, today)})
                for t in targets
            ],
        )

    def _view(
        self,
        directive: Directive,
        acknowledged: int,
        targets: list[Target],
        *,
        compliance: bool = False,
    ) -> DirectiveView:
        today = self._now().date()
        marked = [
            t.model_copy(update={"overdue": self._is_overdue(directive, t, today)})
            for t in sorted(targets, key=lambda t: t.unit)
        ]
        return DirectiveView(
            **directive.model_dump(),
            targets=marked,
            acknowledged=acknowledged,
            overdue=sum(t.overdue for t in marked),
            compliance=self._compliance(directive, marked, today) if compliance else [],
        )

    # --- compliance -------------------------------------------------------------------------

    def _compliance(
        self, directive: Directive, targets: list[Target], today: date
    ) -> list[BulletinCompliance]:
        if not directive.bulletins:
            return []
        first = directive.created_at.date()
        communes = {t.unit: self._units.communes_under(t.unit) for t in targets}
        last = max(min(b.until, today) for b in directive.bulletins)
        counts: dict[str, dict[date, dict[str, float]]] = {}
        if last >= first:
            for commune in {c.code for found in communes.values() for c in found}:
                counts[commune] = dict(self._stats.days(commune, last, first))
        return [
            self._bulletin_compliance(b, first, today, targets, communes, counts)
            for b in directive.bulletins
        ]

    @staticmethod
    def _bulletin_compliance(
        linked: LinkedBulletin,
        first: date,
        today: date,
        targets: list[Target],
        communes: dict[str, list[AdminUnit]],
        counts: dict[str, dict[date, dict[str, float]]],
    ) -> BulletinCompliance:
        last = min(linked.until, today)
        span = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        complete = [day for day in span if day < today]
        name = played_counter(linked.bulletin_id)
        rows = []
        for target in targets:
            by_commune = []
            for commune in communes[target.unit]:
                days = counts.get(commune.code, {})
                daily = [round(days.get(day, {}).get(name, 0.0)) for day in span]
                by_commune.append(
                    CommuneCompliance(
                        code=commune.code,
                        name=commune.name,
                        plays=sum(daily),
                        days_met=sum(
                            1
                            for day, plays in zip(span, daily, strict=True)
                            if day < today and plays >= linked.plays_per_day
                        ),
                        daily=daily,
                    )
                )
            rows.append(
                TargetCompliance(
                    unit=target.unit,
                    name=target.name,
                    communes=len(by_commune),
                    communes_played=sum(1 for c in by_commune if c.plays > 0),
                    communes_met=sum(
                        1 for c in by_commune if complete and c.days_met == len(complete)
                    ),
                    plays=sum(c.plays for c in by_commune),
                    expected=linked.plays_per_day * len(complete) * len(by_commune),
                    by_commune=by_commune,
                )
            )
        return BulletinCompliance(
            bulletin_id=linked.bulletin_id,
            title=linked.title,
            plays_per_day=linked.plays_per_day,
            start=first,
            end=last if last >= first else first,
            days=len(complete),
            targets=rows,
        )


class Escalation:
    """The sweep's part (``DeviceSweepFunction``, every minute): record, once each, the
    acknowledgements owed past their due date as escalated to the target's parent unit."""

    def __init__(
        self,
        units: UnitService,
        store: DirectiveStore,
        now: Callable[[], datetime] = wall_clock,
    ) -> None:
        self._units = units
        self._store = store
        self._now = now

    def run(self) -> int:
        """How many escalations this run recorded (0 when another run got there first)."""
        moment = self._now()
        recorded = 0
        for directive_id, unit, due in self._store.owed_before(moment.date()):
            found = self._units.find(unit)
            parent = found.parent if found else None
            if parent is None:
                logger.warning("directive target without parent", extra={"unit": unit})
                continue
            if self._store.escalate(directive_id, due, unit, parent, moment):
                recorded += 1
        return recorded
