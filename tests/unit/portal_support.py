"""The portal's Chalice app for unit tests, loaded as Lambda loads it (by file, its code
directory on the path), with an in-memory portal service."""

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from nguon.models.bulletins import Bulletin
from nguon.services.portal import PortalService
from nguon.services.units import UnitService
from tests import factories
from tests.fakes import InMemoryBulletinStore, InMemoryUnitStore

ROOT = Path(__file__).resolve().parents[2]
PORTAL = ROOT / "functions" / "portal"
NOW = factories.at("08:00")
"""The portal's clock in these tests: the factories' test day, 08:00 local."""


def load_app() -> ModuleType:
    if str(PORTAL) not in sys.path:
        sys.path.append(str(PORTAL))
    name = "_portal_app_under_test"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, PORTAL / "app.py")
        assert spec
        assert spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


class World:
    """Units of the bundled catalogue and bulletins put straight into the store, indexed as
    the workflow indexes them (issuer, targets and their ancestors)."""

    def __init__(self) -> None:
        self.units = UnitService(InMemoryUnitStore(factories.catalogue().values()))
        self.store = InMemoryBulletinStore()

    def put(self, bulletin: Bulletin) -> Bulletin:
        codes = set()
        for code in (bulletin.issuer_unit, *bulletin.targets):
            codes.add(code)
            codes.update(self.units.require(code).ancestors)
        self.store.bulletins[bulletin.id] = bulletin
        self.store.index[bulletin.id] = codes
        return bulletin

    def portal(self, **options) -> PortalService:
        return PortalService(self.units, self.store, province="52", clock=lambda: NOW, **options)


def web_bulletin(**fields) -> Bulletin:
    """An approved bulletin for the web, valid all of the test day."""
    fields.setdefault("channels", ["speaker", "web"])
    return factories.bulletin(**fields)


def emergency(**fields) -> Bulletin:
    fields.setdefault("priority", "emergency")
    fields.setdefault("cap", {"event": "Lũ quét", "instruction": "Di chuyển lên vùng cao."})
    fields.setdefault("title", "Cảnh báo lũ quét")
    return web_bulletin(**fields)
