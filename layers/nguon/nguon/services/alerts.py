"""Emergency alerts in and out as CAP 1.2, through the ordinary bulletin workflow.

- Export: an emergency bulletin as a CAP ``Alert``; a withdrawn one as a ``Cancel`` and a
  revision as an ``Update``, each with its own identifier and ``references`` to the original.
- Import: an ``Alert`` becomes a *pending* emergency (a person still approves it); an
  ``Update`` becomes a pending revision of the bulletin it references (its approval takes the
  original off air); a ``Cancel`` withdraws the original. Importing the same message twice
  returns the bulletin of the first import.
"""

from datetime import datetime

from pydantic import ValidationError

from nguon.clock import Clock, now
from nguon.errors import Conflict, InvalidInput
from nguon.models.bulletins import Bulletin, BulletinContent, Status
from nguon.models.principal import Principal
from nguon.services.bulletins import BulletinService, BulletinStore
from nguon.services.cap import (
    CapAlert,
    cap_identifier_of,
    cap_targets,
    cap_time,
    cap_to_content,
    main_info,
    parse_cap,
    to_cap_xml,
)
from nguon.services.geo import DistrictBoundaries
from nguon.services.units import UnitLookup, UnitService
from nguon.validation import validation_problem


class AlertService:
    def __init__(
        self,
        units: UnitService,
        bulletins: BulletinService,
        store: BulletinStore,
        *,
        sender: str,
        boundaries: DistrictBoundaries | None = None,
        clock: Clock = now,
    ) -> None:
        self._units = units
        self._bulletins = bulletins
        self._store = store
        self._sender = sender
        self._boundaries = boundaries or DistrictBoundaries.bundled()
        self._now = clock

    def export(self, principal: Principal, bulletin_id: str) -> str:
        return self.document(self._bulletins.get(principal, bulletin_id))

    def document(self, bulletin: Bulletin) -> str:
        """``bulletin``'s CAP message as it stands; the caller has checked who may read it
        (the staff API's read rule; the public portal's ``is_public``)."""
        units = UnitLookup(self._units)  # to_cap_xml reads only the names it needs
        if bulletin.status is Status.WITHDRAWN:
            return to_cap_xml(
                bulletin,
                units=units,
                sender=self._sender,
                sent=bulletin.withdrawal.at if bulletin.withdrawal else self._now(),
                msg_type="Cancel",
                identifier=f"{cap_identifier_of(bulletin)}-cancel",
                references=[self._reference(bulletin)],
            )
        original = self._store.get(bulletin.supersedes) if bulletin.supersedes else None
        return to_cap_xml(
            bulletin,
            units=units,
            sender=self._sender,
            sent=bulletin.approved_at or bulletin.updated_at,
            msg_type="Update" if original else "Alert",
            references=[self._reference(original)] if original else None,
        )

    def _reference(self, bulletin: Bulletin) -> str:
        sent: datetime = bulletin.approved_at or bulletin.created_at
        return f"{self._sender},{cap_identifier_of(bulletin)},{cap_time(sent)}"

    def import_alert(self, principal: Principal, document: bytes | str) -> tuple[Bulletin, bool]:
        """The bulletin the CAP message made or changed, and whether it is new."""
        alert = parse_cap(document)
        if alert.status != "Actual":
            raise InvalidInput("cap_not_actual", status=alert.status)
        key = f"{alert.sender}#{alert.identifier}"
        seen = self._store.by_cap_key(key)
        if seen is not None:
            # The same answer as reading it: a replay must not hand the bulletin to anyone.
            return self._bulletins.get(principal, seen.id), False
        original = self._original(alert)
        if alert.msg_type == "Cancel":
            if original is None:
                raise InvalidInput("cap_reference_unknown", identifier=alert.identifier)
            # Who may withdraw it, before anything about its state.
            self._bulletins.check_withdrawer(principal, original)
            if original.status is Status.WITHDRAWN:
                return original, False
            reason = f"CAP Cancel {alert.identifier} ({alert.sender})"
            return self._bulletins.withdraw(principal, original.id, reason), False
        if alert.msg_type not in ("Alert", "Update"):
            raise InvalidInput("cap_malformed", reason=f"msgType {alert.msg_type} not imported")
        content = self._content(alert)
        try:
            bulletin = self._bulletins.create(
                principal,
                content,
                supersedes=original.id if original else None,
                cap_identifier=alert.identifier,
                cap_key=key,
                submit=True,
            )
        except Conflict:
            seen = self._store.by_cap_key(key)  # imported meanwhile by another request
            if seen is None:
                raise
            return self._bulletins.get(principal, seen.id), False
        return bulletin, True

    def _original(self, alert: CapAlert) -> Bulletin | None:
        for reference in reversed(alert.references):
            found = self._store.by_cap_key(f"{reference.sender}#{reference.identifier}")
            if found is not None:
                return found
            if reference.sender == self._sender and reference.identifier.startswith("nguon-"):
                ours = self._store.get(reference.identifier.removeprefix("nguon-"))
                if ours is not None:
                    return ours
        return None

    def _content(self, alert: CapAlert) -> BulletinContent:
        targets = cap_targets(main_info(alert), UnitLookup(self._units), self._boundaries)
        try:
            return BulletinContent.model_validate(cap_to_content(alert, targets))
        except ValidationError as error:
            raise validation_problem(error) from error
