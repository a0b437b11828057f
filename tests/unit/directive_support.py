"""An in-memory :class:`nguon.services.directives.DirectiveStore` with the table's conditions
(acknowledged once, escalated once, closed once), for the rule tests and the authorization
matrix; the DynamoDB store is tested against moto in ``test_directives_storage.py``."""

from collections.abc import Iterable
from datetime import date, datetime

from nguon.errors import Conflict
from nguon.models.bulletins import Actor
from nguon.models.directives import Directive, DirectiveStatus, Target


class InMemoryDirectiveStore:
    def __init__(self) -> None:
        self.directives: dict[str, Directive] = {}
        self.acks: dict[str, int] = {}
        self.targets: dict[str, dict[str, Target]] = {}
        self.owed: set[tuple[str, str, date]] = set()

    def create(self, directive: Directive, targets: list[Target]) -> None:
        assert directive.id not in self.directives
        self.directives[directive.id] = directive
        self.acks[directive.id] = 0
        self.targets[directive.id] = {t.unit: t for t in targets}
        self.owed |= {(directive.id, t.unit, directive.due) for t in targets}

    def get(self, directive_id: str) -> tuple[Directive, int, list[Target]] | None:
        if directive_id not in self.directives:
            return None
        return (
            self.directives[directive_id],
            self.acks[directive_id],
            list(self.targets[directive_id].values()),
        )

    def acknowledge(self, directive: Directive, unit: str, actor: Actor, at: datetime) -> bool:
        if self.directives[directive.id].status is not DirectiveStatus.OPEN:
            raise Conflict("directive_closed", directive=directive.id)
        target = self.targets[directive.id][unit]
        if target.acknowledged_at is not None:
            return False
        self.targets[directive.id][unit] = target.model_copy(
            update={"acknowledged_at": at, "acknowledged_by": actor}
        )
        self.acks[directive.id] += 1
        self.owed.discard((directive.id, unit, directive.due))
        return True

    def close(self, directive: Directive, pending: Iterable[str]) -> None:
        if self.directives[directive.id].status is not DirectiveStatus.OPEN:
            raise Conflict("directive_closed", directive=directive.id)
        self.directives[directive.id] = directive
        for unit in pending:
            self.owed.discard((directive.id, unit, directive.due))

    def issued(self, path: list[str], limit: int) -> list[tuple[Directive, int, int]]:
        found = [
            (d, self.acks[d.id], len(self.targets[d.id]))
            for d in self.directives.values()
            if d.issuer_path[: len(path)] == path
        ]
        return sorted(found, key=lambda row: row[0].created_at, reverse=True)[:limit]

    def addressed(self, path: list[str], *, below: bool) -> list[tuple[str, Target]]:
        rows = []
        for directive_id, targets in self.targets.items():
            for target in targets.values():
                under = target.path[: len(path)] == path and len(target.path) > len(path)
                if (below and under) or (not below and target.path == path):
                    rows.append((directive_id, target))
        return rows

    def many(self, ids: Iterable[str]) -> dict[str, tuple[Directive, int, int]]:
        return {
            i: (self.directives[i], self.acks[i], len(self.targets[i]))
            for i in ids
            if i in self.directives
        }

    def owed_before(self, day: date) -> list[tuple[str, str, date]]:
        return sorted(row for row in self.owed if row[2] < day)

    def escalate(self, directive_id: str, due: date, unit: str, parent: str, at: datetime) -> bool:
        self.owed.discard((directive_id, unit, due))
        target = self.targets[directive_id][unit]
        if target.escalated_at is not None or target.acknowledged_at is not None:
            return False
        self.targets[directive_id][unit] = target.model_copy(
            update={"escalated_at": at, "escalated_to": parent}
        )
        return True
