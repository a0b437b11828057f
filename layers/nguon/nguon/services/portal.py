"""The public read side of bulletins: what citizens see on the portal, with no sign-in.

One rule decides what is public (:func:`is_public`): approved, not yet expired (current or
upcoming), and published to the ``web`` channel. Drafts, pending, rejected and withdrawn
bulletins, expired ones and those meant for loudspeakers or boards only never appear, and
what does appear goes out as :class:`~nguon.models.portal.PublicBulletin` (no author, approver,
reasons or internal ids).

Where the bulletins come from (the table's two indexes, ``nguon.storage.bulletins``):
- a unit's page: approved bulletins aimed at the unit or at a unit above it (the on-air
  index of the unit and its ancestors, ending after now), and those the unit issued itself
  for places under it (its list index);
- a unit's subtree: its list index (issued in or aimed into the subtree);
- alerts: the public emergencies among the province's subtree.
"""

from collections.abc import Callable
from datetime import date, datetime

from nguon.clock import Clock, now
from nguon.errors import NotFound
from nguon.models.bulletins import Bulletin, Channel, Priority, Status
from nguon.models.portal import (
    AudioLink,
    PublicAlert,
    PublicBulletin,
    PublicProgrammeItem,
    PublicUnit,
    PublicVariant,
    UnitPage,
)
from nguon.models.units import AdminUnit
from nguon.services.bulletins import BulletinStore
from nguon.services.programme_resolver import resolve_programme
from nguon.services.programmes import ProgrammeStore
from nguon.services.units import UnitService
from nguon.text import matches

LIST_SCAN = 200
"""List-index entries read for a unit's subtree and search (newest first by start: the current
and upcoming ones come first)."""
OWN_SCAN = 50
"""List-index entries read for the bulletins a unit issued itself, on its page (each page
view reads them: fewer than the feeds)."""
PRIORITY_ORDER = {Priority.EMERGENCY: 0, Priority.PRIORITY: 1, Priority.NORMAL: 2}

AudioOf = Callable[[Bulletin, str], AudioLink | None]
"""A bulletin's audio as heard in a unit (its recording, or the unit's generated voice)."""


def is_public(bulletin: Bulletin, moment: datetime) -> bool:
    """Approved, not expired at ``moment``, and published to the web."""
    return (
        bulletin.status is Status.APPROVED
        and bulletin.status_at(moment) is Status.APPROVED
        and Channel.WEB in bulletin.channels
    )


def is_alert(bulletin: Bulletin) -> bool:
    return bulletin.priority is Priority.EMERGENCY and bulletin.cap is not None


class PortalService:
    def __init__(
        self,
        units: UnitService,
        store: BulletinStore,
        *,
        province: str,
        programmes: ProgrammeStore | None = None,
        audio: AudioOf | None = None,
        clock: Clock = now,
    ) -> None:
        self._units = units
        self._store = store
        self._province = province
        self._programmes = programmes
        self._audio = audio
        self._now = clock

    @property
    def province(self) -> str:
        return self._province

    def unit(self, code: str) -> AdminUnit:
        return self._units.require(code)

    def page(self, code: str) -> UnitPage:
        unit = self._units.require(code)
        moment = self._now()
        on_air = self._store.on_air_from([unit.code, *unit.ancestors], moment)
        found = {b.id: b for b in on_air}
        for bulletin in self._listed(unit.code, OWN_SCAN):
            if bulletin.issuer_unit == unit.code:
                found.setdefault(bulletin.id, bulletin)
        shown = [b for b in found.values() if is_public(b, moment)]
        views = [self._view(b, unit.code, moment) for b in shown]
        alerts = sorted((v for v in views if v.alert and v.current), key=lambda v: v.published_at)[
            ::-1
        ]
        alert_ids = {v.id for v in alerts}
        bulletins = sorted(
            (v for v in views if v.id not in alert_ids),
            key=lambda v: (not v.current, PRIORITY_ORDER[v.priority], v.valid_from, v.id),
        )
        parents = [self._summary(self._units.require(c)) for c in unit.ancestors]
        children = [self._summary(child) for child in self._units.children(unit.code)]
        today = moment.date()
        return UnitPage(
            unit=self._summary(unit),
            parents=parents,
            children=children,
            alerts=alerts,
            bulletins=bulletins,
            programme_date=today,
            programme=self._today(unit, today, on_air, {b.id for b in shown}),
            generated_at=moment,
        )

    def subtree(self, code: str) -> list[PublicBulletin]:
        """Public bulletins issued in or aimed into ``code``'s subtree, newest first."""
        unit = self._units.require(code)
        moment = self._now()
        return [
            self._view(b, unit.code, moment)
            for b in self._listed(unit.code)
            if is_public(b, moment)
        ]

    def alerts(self) -> list[tuple[PublicBulletin, Bulletin]]:
        """Active public emergencies in the province (current ones: not upcoming), newest
        first, each with its bulletin (for its CAP document)."""
        moment = self._now()
        found = []
        for bulletin in self._listed(self._province):
            if is_public(bulletin, moment) and is_alert(bulletin):
                view = self._view(bulletin, self._province, moment, audio=False)
                if view.current:
                    found.append((view, bulletin))
        return sorted(found, key=lambda pair: pair[0].published_at, reverse=True)

    def bulletin(self, bulletin_id: str, unit: str | None = None) -> PublicBulletin:
        """One public bulletin; anything else is not found (never "forbidden": the portal
        does not say that a hidden bulletin exists)."""
        bulletin, moment = self._store.get(bulletin_id), self._now()
        if bulletin is None or not is_public(bulletin, moment):
            raise NotFound("bulletin_not_found", bulletin=bulletin_id)
        return self._view(bulletin, unit or bulletin.issuer_unit, moment)

    def alert_bulletin(self, bulletin_id: str) -> Bulletin:
        """An active public emergency, for its CAP document."""
        bulletin, moment = self._store.get(bulletin_id), self._now()
        if bulletin is None or not is_public(bulletin, moment) or not is_alert(bulletin):
            raise NotFound("bulletin_not_found", bulletin=bulletin_id)
        return bulletin

    def search(self, query: str, code: str | None = None) -> list[PublicBulletin]:
        """Public bulletins of ``code``'s subtree (the province's by default) whose title or
        text holds every word of ``query``, marks and case ignored."""
        unit = self._units.require(code or self._province)
        moment = self._now()
        return [
            self._view(b, unit.code, moment, audio=False)
            for b in self._listed(unit.code)
            if is_public(b, moment)
            and matches(
                query,
                b.title,
                b.body,
                *(part for v in b.variants.values() for part in (v.title, v.body)),
            )
        ]

    # --- helpers ------------------------------------------------------------------------------

    def _listed(self, code: str, limit: int = LIST_SCAN) -> list[Bulletin]:
        bulletins, _ = self._store.page(code, starting_by=None, limit=limit, cursor=None)
        return bulletins

    def _today(
        self, unit: AdminUnit, day: date, on_air: list[Bulletin], public: set[str]
    ) -> list[PublicProgrammeItem]:
        """What the loudspeakers play today (the same resolver as the staff's programme and
        the devices', from the bulletins already read), public items only."""
        if self._programmes is None:
            return []
        programme = resolve_programme(
            unit,
            day,
            on_air,
            settings=self._programmes.settings(unit.code),
            order=self._programmes.order(unit.code, day),
            channel=Channel.SPEAKER,
        )
        return [
            PublicProgrammeItem(
                start=item.start,
                end=item.end,
                title=item.title,
                priority=item.priority,
                bulletin_id=item.bulletin_id,
            )
            for item in programme.items
            if item.bulletin_id in public
        ]

    @staticmethod
    def _summary(unit: AdminUnit) -> PublicUnit:
        return PublicUnit(code=unit.code, name=unit.name, type=unit.type, level=unit.level)

    def _view(
        self, bulletin: Bulletin, unit: str, moment: datetime, *, audio: bool = True
    ) -> PublicBulletin:
        start, end = bulletin.validity()
        issuer = self._units.find(bulletin.issuer_unit)
        cap = bulletin.cap
        return PublicBulletin(
            id=bulletin.id,
            title=bulletin.title,
            body=bulletin.body,
            category=bulletin.category,
            priority=bulletin.priority,
            language=bulletin.language,
            variants={
                tag: PublicVariant(title=v.title, body=v.body)
                for tag, v in bulletin.variants.items()
            },
            issuer=self._summary(issuer)
            if issuer
            else PublicUnit(
                code=bulletin.issuer_unit,
                name=bulletin.issuer_unit,
                type="",
                level=bulletin.layer,
            ),
            department=bulletin.department,
            targets=list(bulletin.targets),
            valid_from=start,
            valid_until=end,
            published_at=bulletin.approved_at or bulletin.updated_at,
            current=start <= moment,
            alert=PublicAlert(
                event=cap.event,
                urgency=cap.urgency,
                severity=cap.severity,
                certainty=cap.certainty,
                instruction=cap.instruction,
            )
            if cap is not None
            else None,
            audio=self._audio(bulletin, unit) if audio and self._audio else None,
        )
