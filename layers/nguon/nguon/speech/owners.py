"""Whose a synthesis task or a lexicon is: the home unit of the person who made it.

The speech API is not one global space (issue 11): a task is seen in its owner's subtree; a
lexicon applies to its owner's subtree (a province's everywhere below it, a commune's to
that commune) and is changed only by people whose area holds it. Places compare as paths,
``"52/540/21550/"``, so that "in the subtree of" is "starts with". Items stored before owners
existed have the empty path and belong to the province (the root).
"""

from dataclasses import dataclass

from nguon.errors import Forbidden
from nguon.models.principal import Principal
from nguon.models.units import AdminUnit
from nguon.services.units import UnitService


def area_path(unit: AdminUnit) -> str:
    return "".join(f"{code}/" for code in (*unit.ancestors, unit.code))


@dataclass(frozen=True)
class SpeechOwner:
    user: str
    unit: str
    path: str

    @classmethod
    def of(cls, principal: Principal, units: UnitService) -> "SpeechOwner":
        return cls.of_unit(principal.home_unit, units, user=principal.user_id)

    @classmethod
    def of_unit(cls, code: str, units: UnitService, *, user: str) -> "SpeechOwner":
        unit = units.find(code)
        if unit is None:  # a unit the catalogue does not know owns nothing and sees nothing
            raise Forbidden("out_of_scope", unit=code, home_unit=code)
        return cls(user=user, unit=unit.code, path=area_path(unit))

    @property
    def is_root(self) -> bool:
        return self.path.count("/") == 1

    def holds(self, path: str) -> bool:
        """``path`` lies in this owner's subtree (ownerless items: the root's)."""
        return path.startswith(self.path) if path else self.is_root

    def lies_under(self, path: str) -> bool:
        """This owner lies in ``path``'s subtree (ownerless items: everyone does)."""
        return self.path.startswith(path)
