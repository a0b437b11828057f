"""Every route of the staff API × every role × four places, with the answer each cell expects.

The routes come from the resolver's own table (``staff_api.application.app``): a route added
without a row in ``RULES`` fails ``test_every_route_has_a_rule``. Each cell runs in-process
through ``app.lambda_handler`` on a fresh world (in-memory stores; S3 only signs, offline).

The caller's home is district 540 (Quy Nhơn). The places, by the unit the route names:

- ``in_scope``: commune 21550, inside the caller's district;
- ``ancestor``: the province, 52;
- ``sibling``: district 547 (Tây Sơn), beside the caller's;
- ``out_of_scope``: commune 21808, in the sibling district.

A cell expects ``role_missing`` (403) when no role of the caller grants the route, else
``out_of_scope`` (403) when the place is not one the route allows, else success (2xx).
Bulletins the routes act on are emergencies issued at the place, aimed at the place, by
someone else (so authorship and self-approval play no part), in the state the route needs.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from itertools import count
from pathlib import Path
from typing import Any

import pytest

from nguon.adapters.media_objects import MediaObjects, s3_client
from nguon.clock import localize, now
from nguon.models.bulletins import Actor, BulletinContent
from nguon.models.device_commands import CommandName, CommandRecord
from nguon.models.directives import DirectiveRequest
from nguon.models.feedback import Channel as FeedbackChannel
from nguon.models.feedback import Submission
from nguon.models.media import MB, UploadRequest
from nguon.models.principal import Role
from nguon.services.alerts import AlertService
from nguon.services.bulletins import BulletinService
from nguon.services.central import CentralOutbox
from nguon.services.devices import DeviceService
from nguon.services.directives import DirectiveService
from nguon.services.feedback import FeedbackService
from nguon.services.kpis import KpiService
from nguon.services.media import MediaService
from nguon.services.overview import OverviewService
from nguon.services.programmes import ProgrammeService
from nguon.services.provisioning import ProvisioningService
from nguon.services.reports import ReportService
from nguon.services.training import TrainingService
from nguon.services.unit_catalogue import load_bundled_catalogue
from nguon.services.units import UnitService
from nguon.services.users import UserService
from nguon.services.voices import AreaVoices, VoiceService
from tests.api_events import call
from tests.factories import device, person
from tests.fakes import (
    FakeIotDataPlane,
    InMemoryBulletinStore,
    InMemoryDailyCounts,
    InMemoryDeviceStore,
    InMemoryProgrammeStore,
    InMemoryUnitStore,
    InMemoryVoiceStore,
)
from tests.unit.directive_support import InMemoryDirectiveStore
from tests.unit.feedback_support import InMemoryFeedbackStore
from tests.unit.kpi_support import (
    FakeFiles,
    InMemoryOutboxStore,
    InMemoryReportStore,
    InMemoryStatsStore,
)
from tests.unit.media_support import MEDIA, REGION, UPLOADS, InMemoryMediaStore
from tests.unit.test_provisioning import Registry
from tests.unit.test_users import Directory
from tests.unit.training_support import FakeStaffDirectory, InMemoryTrainingStore

ROOT = Path(__file__).resolve().parents[2]
STORM = (ROOT / "events" / "cap-alert-storm.xml").read_text()

HOME = "540"
PLACES = {"in_scope": "21550", "ancestor": "52", "sibling": "547", "out_of_scope": "21808"}
ROLES = tuple(Role)
NOW = localize(datetime.combine(now().date(), time(9, 0)))


def today():
    return NOW.date()


ALL = frozenset(ROLES)
COMPOSERS = frozenset({Role.ADMIN, Role.EDITOR, Role.PROVIDER})
APPROVERS = frozenset({Role.ADMIN, Role.APPROVER})
OPERATORS = frozenset({Role.ADMIN, Role.OPERATOR})
ADMINS = frozenset({Role.ADMIN})
UPLOADERS = frozenset({Role.ADMIN, Role.EDITOR, Role.PROVIDER, Role.OPERATOR})
VOICE_RETRIERS = COMPOSERS | APPROVERS
FEEDBACK_HANDLERS = COMPOSERS | APPROVERS
REPORT_WRITERS = frozenset({Role.ADMIN, Role.EDITOR})
ACKNOWLEDGERS = frozenset({Role.ADMIN, Role.EDITOR, Role.APPROVER})

SUBTREE = frozenset({"in_scope"})
"""Acting on a unit: only inside the caller's subtree."""
READS_DOWN = frozenset({"in_scope", "ancestor"})
"""Reading an approved bulletin: issued in the subtree, or aimed at an area holding it."""
ANYWHERE = frozenset(PLACES)
"""The route names no unit (the caller's home is implied, or there is no area at all)."""


CATALOGUE = load_bundled_catalogue()
S3 = s3_client(REGION)  # signs offline; one client, not one per cell


class _Media:
    def has_recorded_audio(self, media_ids):
        return False


class World:
    """Fresh services for one cell, given to the routes through ``app.dependency_overrides``."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from staff_api import dependencies
        from staff_api.application import app

        self.units = UnitService(InMemoryUnitStore(CATALOGUE))
        self.store = InMemoryBulletinStore()
        ids = count(1)
        self.bulletins = BulletinService(
            self.units, self.store, now=lambda: NOW, new_id=lambda: f"b{next(ids)}"
        )
        cap = AlertService(
            self.units, self.bulletins, self.store, sender="nguon@test", clock=lambda: NOW
        )
        programmes = ProgrammeService(self.units, self.store, InMemoryProgrammeStore())
        things = InMemoryDeviceStore(
            [device(f"spk-{code}-01", unit_code=code, online=True) for code in PLACES.values()]
        )
        self.things = things
        self.devices = DeviceService(
            self.units,
            things,
            FakeIotDataPlane(),
            now=lambda: NOW,
            programmes=programmes,
            playable=self.bulletins.playable,
        )
        suffixes = (f"{n:06d}" for n in count(1))
        provisioner = ProvisioningService(
            self.units, things, Registry(), now=lambda: NOW, suffix=lambda: next(suffixes)
        )
        jobs = InMemoryVoiceStore()
        areas = AreaVoices(self.units, jobs, "vi-vn-x-central")
        voice = VoiceService(
            self.units,
            self.store,
            self.bulletins.record_voice,
            jobs,
            _Media(),
            areas=areas,
            queue=lambda message: None,
            speaker=lambda: None,
            now=lambda: NOW,
        )
        media_ids = count(1)
        self.media = MediaService(
            self.units,
            InMemoryMediaStore(),
            MediaObjects(S3, uploads_bucket=UPLOADS, media_bucket=MEDIA),
            new_id=lambda: f"m-{next(media_ids)}",
        )
        feedback_ids = count(1)
        self.feedback = FeedbackService(
            self.units,
            InMemoryFeedbackStore(),
            now=lambda: NOW,
            new_id=lambda: f"PA-{next(feedback_ids):010d}",
            root="52",
        )
        kpis = KpiService(self.units, InMemoryStatsStore())
        report_ids = count(1)
        self.reports = ReportService(
            self.units,
            kpis,
            InMemoryReportStore(),
            FakeFiles(),
            now=lambda: NOW,
            new_id=lambda: f"r-{next(report_ids):06x}",
        )
        self.outbox = InMemoryOutboxStore()
        directive_ids = count(1)
        self.directives = DirectiveService(
            self.units,
            InMemoryDirectiveStore(),
            InMemoryStatsStore(),
            bulletin=self.bulletins.get,
            media=self.media.get_ready,
            now=lambda: NOW,
            new_id=lambda: f"d-{next(directive_ids):06x}",
        )
        training_ids = count(1)
        self.training = TrainingService(
            self.units,
            InMemoryTrainingStore(),
            FakeStaffDirectory(*((f"staff-{c}", f"Cán bộ {c}", c) for c in PLACES.values())),
            now=lambda: NOW,
            new_id=lambda: f"{next(training_ids):06x}",
        )
        overrides = {
            dependencies.central_outbox: CentralOutbox(
                self.units, self.outbox, province="52", configured=False, now=lambda: NOW
            ),
            dependencies.directive_service: self.directives,
            dependencies.training_service: self.training,
            dependencies.feedback_service: self.feedback,
            dependencies.kpi_service: kpis,
            dependencies.report_service: self.reports,
            dependencies.bulletin_service: self.bulletins,
            dependencies.alert_service: cap,
            dependencies.device_service: self.devices,
            dependencies.overview_service: OverviewService(
                self.units, things, InMemoryDailyCounts(), self.bulletins, now=lambda: NOW
            ),
            dependencies.provisioning_service: provisioner,
            dependencies.programme_service: programmes,
            dependencies.unit_service: self.units,
            dependencies.voice_service: voice,
            dependencies.area_voices: areas,
            dependencies.media_service: self.media,
            dependencies.user_service: UserService(
                self.units, Directory(**{f"staff-{code}": code for code in PLACES.values()})
            ),
        }
        for dependency, service in overrides.items():
            monkeypatch.setitem(
                app.dependency_overrides, dependency, lambda service=service: service
            )
        self.voices = voice

    # --- what the routes act on, at a place --------------------------------------------------

    def bulletin(self, code: str, state: str) -> str:
        """An emergency issued at ``code`` for ``code`` by someone else, in ``state``."""
        author = person("author", code, Role.EDITOR)
        start = today() + timedelta(days=0)
        content = BulletinContent.model_validate(
            {
                "title": "Cảnh báo lũ",
                "body": "Nước sông dâng cao, bà con không qua ngầm tràn.",
                "category": "disaster",
                "priority": "emergency",
                "targets": [code],
                "schedule": {
                    "type": "daily",
                    "times": ["18:00"],
                    "from": start.isoformat(),
                    "until": (start + timedelta(days=2)).isoformat(),
                },
                "cap": {"event": "Lũ"},
            }
        )
        made = self.bulletins.create(author, content, submit=state != "draft")
        if state == "approved":
            self.bulletins.approve(person("province-approver", "52", Role.APPROVER), made.id)
        return made.id

    def feedback_report(self, code: str) -> str:
        """A citizen's report about ``code``, as received (version 1)."""
        submission = Submission(
            category="ha-tang", description="Ổ gà trước chợ", unit=code, consent=True
        )
        return self.feedback.submit(submission, FeedbackChannel.WEB, None).tracking_code

    def command(self, code: str) -> str:
        """A volume command sent to the place's device; its id."""
        record = CommandRecord(
            command_id=f"c-{code}",
            thing=f"spk-{code}-01",
            command=CommandName.VOLUME,
            value=40,
            issued_at=NOW,
            issued_by=Actor.of(person("operator", code, Role.OPERATOR)),
        )
        self.things.save_command(record)
        return record.command_id

    def report(self, code: str, state: str) -> str:
        """This month's report of ``code`` by its own editor, in ``state``."""
        from nguon.models.reports import ReportRequest

        editor = person("reporter", code, Role.EDITOR)
        request = ReportRequest(unit=code, period="monthly", month=NOW.strftime("%Y-%m"))
        made = self.reports.create(editor, request)
        if state == "submitted":
            self.reports.submit(editor, made.id)
        return made.id

    def dead_item(self) -> str:
        """A province report's outbox item, given up after its attempts."""
        from nguon.models.central import OutboxItem, OutboxKind, OutboxStatus

        item = OutboxItem(
            id="report-r-000001-v2",
            kind=OutboxKind.REPORT,
            subject_id="r-000001",
            unit="52",
            title="Báo cáo tháng",
            status=OutboxStatus.DEAD,
            attempts=8,
            created_at=NOW,
            last_error="503: unavailable",
        )
        self.outbox.items[item.id] = item
        return item.id

    def directive(self, code: str, *, from_parent: bool) -> str:
        """A directive addressed to ``code``, issued by its parent (``from_parent``) or by the
        province; at the province itself (nothing above it): by the province to the district
        beside the caller's."""
        unit = self.units.require(code)
        issuer = (unit.parent if from_parent else "52") if unit.parent else "52"
        targets = [code] if unit.parent else [PLACES["sibling"]]
        request = DirectiveRequest(
            title="Tăng cường phát bản tin phòng chống bão",
            text="Các đơn vị phát bản tin phòng chống bão 3 lần mỗi ngày.",
            due=today(),
            targets=targets,
        )
        leader = person("leader", issuer, Role.APPROVER)
        return self.directives.issue(leader, request).id

    def course(self, code: str, *, attempted: bool = False, post: bool = False) -> str:
        """A course run by ``code`` (by someone else); with an open attempt (number 1) of
        every caller of the matrix, or one post on its board."""
        from nguon.models.training import CourseInput, PostInput

        course = self.training.create_course(
            person("owner", code, Role.ADMIN),
            CourseInput.model_validate(
                {
                    "title": "Vận hành hệ thống",
                    "provider": "Sở TT&TT",
                    "hours": 4,
                    "level": "commune",
                    "lessons": [{"title": "Bài 1", "kind": "text", "text": "Nội dung"}],
                    "quiz": {
                        "questions": [{"text": "Câu 1", "options": ["A", "B"], "correct": [0]}],
                        "pass_mark": 100,
                        "attempts_limit": 2,
                    },
                }
            ),
        )
        if attempted:
            for role in ROLES:
                self.training.start_attempt(person(f"caller-{role.value}", code, role), course.id)
        if post:
            learner = person("learner", code, Role.EDITOR)
            self.post_id = self.training.add_post(learner, course.id, PostInput(text="Hỏi")).id
        return course.id

    def media_item(self, code: str) -> str:
        request = UploadRequest(
            file_name="thong-bao.mp3", content_type="audio/mpeg", size=MB, purpose="audio"
        )
        return self.media.request_upload(person("uploader", code, Role.EDITOR), request).media_id


@dataclass(frozen=True)
class Rule:
    roles: frozenset[Role]
    places: frozenset[str]
    request: Callable[[World, str], dict[str, Any]]
    """``call`` options for the place's unit: ``path`` and any body, raw body or query."""
    public: bool = False
    notes: str = field(default="")


def bulletin_at(state: str, suffix: str = "", **options: Any):
    def request(world: World, code: str) -> dict[str, Any]:
        return {"path": f"/bulletins/{world.bulletin(code, state)}{suffix}", **options}

    return request


def report_at(state: str, suffix: str = "", **options: Any):
    def request(world: World, code: str) -> dict[str, Any]:
        return {"path": f"/reports/{world.report(code, state)}{suffix}", **options}

    return request


def course_at(suffix: str = "", *, attempted: bool = False, **options: Any):
    def request(world: World, code: str) -> dict[str, Any]:
        course = world.course(code, attempted=attempted, post="{post}" in suffix)
        path = suffix.replace("{post}", getattr(world, "post_id", ""))
        return {"path": f"/training/courses/{course}{path}", **options}

    return request


def training_record(world: World, code: str) -> dict[str, Any]:
    return {
        "path": "/training/records",
        "body": {
            "username": f"staff-{code}",
            "unit": code,
            "course_title": "Bồi dưỡng nghiệp vụ",
            "provider": "Bộ TT&TT",
            "hours": 8,
            "completed_on": (today() - timedelta(days=10)).isoformat(),
            "result": "Đạt",
        },
    }


def training_import(world: World, code: str) -> dict[str, Any]:
    day = (today() - timedelta(days=10)).isoformat()
    return {
        "path": "/training/records/import",
        "body": {
            "unit": code,
            "csv": "username,unit,course_title,provider,hours,completed_on,result\n"
            f"staff-{code},{code},Bồi dưỡng,Bộ TT&TT,8,{day},Đạt\n",
        },
    }


def new_course(world: World, code: str) -> dict[str, Any]:
    return {
        "path": "/training/courses",
        "body": {
            "title": "Khóa học",
            "provider": "Sở TT&TT",
            "hours": 2,
            "level": "commune",
            "owner_unit": code,
            "lessons": [{"title": "Bài 1", "kind": "text", "text": "Nội dung"}],
        },
    }


def new_report(world: World, code: str) -> dict[str, Any]:
    return {
        "path": "/reports",
        "body": {"unit": code, "period": "monthly", "month": NOW.strftime("%Y-%m")},
    }


def directive_at(suffix: str = "", *, from_parent: bool, **options: Any):
    def request(world: World, code: str) -> dict[str, Any]:
        made = world.directive(code, from_parent=from_parent)
        return {"path": f"/directives/{made}{suffix}", **options}

    return request


def new_directive(world: World, code: str) -> dict[str, Any]:
    return {
        "path": "/directives",
        "body": {
            "title": "Kiểm tra hệ thống loa",
            "text": "Rà soát các cụm loa trước mùa mưa bão.",
            "due": today().isoformat(),
            "targets": [code],
        },
    }


def unit_path(suffix: str = "", **options: Any):
    return lambda world, code: {"path": f"/units/{code}{suffix}", **options}


def device_path(suffix: str = "", **options: Any):
    return lambda world, code: {"path": f"/devices/spk-{code}-01{suffix}", **options}


def listing(path: str):
    return lambda world, code: {"path": path, "query": {"unit": code}}


def feedback_at(suffix: str = "", **options: Any):
    def request(world: World, code: str) -> dict[str, Any]:
        return {"path": f"/feedback/{world.feedback_report(code)}{suffix}", **options}

    return request


def phone_call(world: World, code: str) -> dict[str, Any]:
    return {
        "path": "/feedback",
        "body": {
            "category": "ha-tang",
            "description": "Người dân gọi điện báo ổ gà trước chợ",
            "unit": code,
            "consent": True,
            "channel": "phone",
        },
    }


def new_bulletin(world: World, code: str) -> dict[str, Any]:
    day = today().isoformat()
    return {
        "path": "/bulletins",
        "body": {
            "title": "Lịch tiêm chủng",
            "body": "Trạm y tế thông báo lịch tiêm chủng.",
            "category": "health",
            "targets": [code],
            "issuer_unit": code,
            "schedule": {"type": "daily", "times": ["06:00"], "from": day, "until": day},
        },
    }


def cap_alert_for(world: World, code: str) -> dict[str, Any]:
    start = STORM.index("<polygon>")
    end = STORM.index("</polygon>") + len("</polygon>")
    document = (STORM[:start] + STORM[end:]).replace(
        "<value>21550</value>", f"<value>{code}</value>"
    )
    return {"path": "/alerts/cap", "raw": document}


def registration(world: World, code: str) -> dict[str, Any]:
    return {
        "path": "/devices",
        "body": {
            "kind": "speaker",
            "unit": code,
            "name": "Cụm loa chợ",
            "location": {"lat": 13.77, "lon": 109.22},
            "vendor": "VNPT",
            "model": "IPS-4",
            "speakers": 4,
        },
    }


REASON = {"reason": "Thông tin đã thay đổi"}
TODAY = {"date": today().isoformat()}

RULES: dict[tuple[str, str], Rule] = {
    ("GET", "/openapi.json"): Rule(ALL, ANYWHERE, lambda w, c: {"path": "/openapi.json"}, True),
    # units
    ("GET", "/units/<code>"): Rule(ALL, SUBTREE, unit_path()),
    ("GET", "/units/<code>/programme"): Rule(ALL, SUBTREE, unit_path("/programme", query=TODAY)),
    ("PUT", "/units/<code>/programme"): Rule(
        OPERATORS, SUBTREE, unit_path("/programme", query=TODAY, body={"items": []})
    ),
    ("GET", "/units/<code>/programme/settings"): Rule(
        ALL, SUBTREE, unit_path("/programme/settings")
    ),
    ("PUT", "/units/<code>/programme/settings"): Rule(
        OPERATORS, SUBTREE, unit_path("/programme/settings", body={})
    ),
    ("GET", "/units/<code>/voice"): Rule(ALL, SUBTREE, unit_path("/voice")),
    ("PUT", "/units/<code>/voice"): Rule(
        OPERATORS, SUBTREE, unit_path("/voice", body={"voice": "vi"})
    ),
    ("GET", "/units/<code>/devices/summary"): Rule(ALL, SUBTREE, unit_path("/devices/summary")),
    ("GET", "/units/<code>/overview"): Rule(ALL, SUBTREE, unit_path("/overview")),
    ("GET", "/units/<code>/stations"): Rule(ALL, SUBTREE, unit_path("/stations")),
    # bulletins
    ("POST", "/bulletins"): Rule(COMPOSERS, SUBTREE, new_bulletin),
    ("GET", "/bulletins"): Rule(ALL, SUBTREE, listing("/bulletins")),
    ("GET", "/bulletins/<bulletin_id>"): Rule(ALL, READS_DOWN, bulletin_at("approved")),
    ("GET", "/bulletins/<bulletin_id>/history"): Rule(
        ALL, READS_DOWN, bulletin_at("approved", "/history")
    ),
    ("GET", "/bulletins/<bulletin_id>/cap"): Rule(ALL, READS_DOWN, bulletin_at("approved", "/cap")),
    ("PATCH", "/bulletins/<bulletin_id>"): Rule(
        COMPOSERS, SUBTREE, bulletin_at("draft", body={"version": 1, "title": "Cảnh báo lũ (sửa)"})
    ),
    ("POST", "/bulletins/<bulletin_id>/submit"): Rule(
        COMPOSERS, SUBTREE, bulletin_at("draft", "/submit", raw="")
    ),
    ("POST", "/bulletins/<bulletin_id>/approve"): Rule(
        APPROVERS, SUBTREE, bulletin_at("pending", "/approve", raw="")
    ),
    ("POST", "/bulletins/<bulletin_id>/reject"): Rule(
        APPROVERS, SUBTREE, bulletin_at("pending", "/reject", body=REASON)
    ),
    ("POST", "/bulletins/<bulletin_id>/withdraw"): Rule(
        APPROVERS, SUBTREE, bulletin_at("approved", "/withdraw", body=REASON)
    ),
    ("POST", "/bulletins/<bulletin_id>/revise"): Rule(
        COMPOSERS, SUBTREE, bulletin_at("approved", "/revise", raw="")
    ),
    ("POST", "/alerts/cap"): Rule(COMPOSERS, SUBTREE, cap_alert_for),
    # voices of bulletins
    ("POST", "/bulletins/<bulletin_id>/voice"): Rule(
        VOICE_RETRIERS, SUBTREE, bulletin_at("approved", "/voice", raw="")
    ),
    # GET .../voice: the job of an approved bulletin exists once queued (see ``voiced``).
    # devices
    ("GET", "/devices"): Rule(ALL, SUBTREE, listing("/devices")),
    ("GET", "/alarms"): Rule(ALL, SUBTREE, listing("/alarms")),
    ("GET", "/devices/<thing>"): Rule(ALL, SUBTREE, device_path()),
    ("GET", "/devices/<thing>/plays"): Rule(ALL, SUBTREE, device_path("/plays")),
    ("GET", "/devices/<thing>/commands/<command_id>"): Rule(
        ALL, SUBTREE, lambda w, c: {"path": f"/devices/spk-{c}-01/commands/{w.command(c)}"}
    ),
    ("POST", "/devices/<thing>/commands"): Rule(
        OPERATORS, SUBTREE, device_path("/commands", body={"command": "reboot"})
    ),
    ("POST", "/devices"): Rule(OPERATORS, SUBTREE, registration),
    ("DELETE", "/devices/<thing>"): Rule(OPERATORS, SUBTREE, device_path()),
    # staff accounts: a user of the place, kept at the place (current and new unit both there)
    ("PUT", "/users/<username>/unit"): Rule(
        ADMINS, SUBTREE, lambda w, c: {"path": f"/users/staff-{c}/unit", "body": {"unit": c}}
    ),
    # media and speech
    ("POST", "/uploads"): Rule(
        UPLOADERS,
        ANYWHERE,  # always at the caller's home unit
        lambda w, c: {
            "path": "/uploads",
            "body": {
                "file_name": "a.mp3",
                "content_type": "audio/mpeg",
                "size": MB,
                "purpose": "audio",
            },
        },
    ),
    ("GET", "/media"): Rule(ALL, SUBTREE, listing("/media")),
    ("GET", "/media/<id>"): Rule(ALL, SUBTREE, lambda w, c: {"path": f"/media/{w.media_item(c)}"}),
    # citizens' feedback: reports about the place, handled where they are
    ("GET", "/feedback"): Rule(ALL, SUBTREE, listing("/feedback")),
    ("POST", "/feedback"): Rule(FEEDBACK_HANDLERS, SUBTREE, phone_call),
    ("GET", "/feedback/stats"): Rule(
        ALL,
        SUBTREE,
        lambda w, c: {
            "path": "/feedback/stats",
            "query": {"unit": c, "from": today().isoformat(), "to": today().isoformat()},
        },
    ),
    ("GET", "/feedback/services"): Rule(ALL, ANYWHERE, lambda w, c: {"path": "/feedback/services"}),
    # The province's list: only a province admin (the caller's home is a district).
    ("PUT", "/feedback/services"): Rule(
        ADMINS,
        frozenset(),
        lambda w, c: {
            "path": "/feedback/services",
            "body": {"items": [{"code": "khac", "name": "Khác", "answer_days": 10}]},
        },
    ),
    ("GET", "/feedback/<feedback_id>"): Rule(ALL, SUBTREE, feedback_at()),
    ("GET", "/feedback/<feedback_id>/history"): Rule(ALL, SUBTREE, feedback_at("/history")),
    ("POST", "/feedback/<feedback_id>/acknowledge"): Rule(
        FEEDBACK_HANDLERS, SUBTREE, feedback_at("/acknowledge", body={"version": 1})
    ),
    ("POST", "/feedback/<feedback_id>/assign"): Rule(
        FEEDBACK_HANDLERS,
        SUBTREE,
        lambda w, c: feedback_at("/assign", body={"version": 1, "unit": c})(w, c),
    ),
    ("POST", "/feedback/<feedback_id>/answer"): Rule(
        FEEDBACK_HANDLERS,
        SUBTREE,
        feedback_at("/answer", body={"version": 1, "public_answer": "Đã vá"}),
    ),
    ("POST", "/feedback/<feedback_id>/resolve"): Rule(
        FEEDBACK_HANDLERS, SUBTREE, feedback_at("/resolve", body={"version": 1})
    ),
    ("POST", "/feedback/<feedback_id>/notes"): Rule(
        FEEDBACK_HANDLERS, SUBTREE, feedback_at("/notes", body={"text": "Đã gọi lại"})
    ),
    ("POST", "/speech/normalize"): Rule(
        ALL, ANYWHERE, lambda w, c: {"path": "/speech/normalize", "body": {"text": "Lúc 7h30"}}
    ),
    # KPIs and reports: read in the area; written by the unit; reviewed strictly from above
    # (the in-scope commune's report by the caller's district; the district's own would be
    # refused as report_own_unit, the province's is out of scope).
    ("GET", "/kpis"): Rule(ALL, SUBTREE, listing("/kpis")),
    ("GET", "/kpis/<indicator>"): Rule(
        ALL,
        SUBTREE,
        lambda w, c: {"path": "/kpis/communes_with_ip_radio", "query": {"unit": c}},
    ),
    ("POST", "/reports"): Rule(REPORT_WRITERS, SUBTREE, new_report),
    ("GET", "/reports"): Rule(
        ALL,
        SUBTREE,
        lambda w, c: {"path": "/reports", "query": {"unit": c, "period": NOW.strftime("%Y-%m")}},
    ),
    ("GET", "/reports/<report_id>"): Rule(ALL, SUBTREE, report_at("draft")),
    ("PATCH", "/reports/<report_id>"): Rule(
        REPORT_WRITERS,
        SUBTREE,
        report_at("draft", body={"version": 1, "narrative": {"situation": "Ổn định."}}),
    ),
    ("POST", "/reports/<report_id>/submit"): Rule(
        REPORT_WRITERS, SUBTREE, report_at("draft", "/submit", raw="")
    ),
    ("POST", "/reports/<report_id>/accept"): Rule(
        APPROVERS, SUBTREE, report_at("submitted", "/accept", raw="")
    ),
    ("POST", "/reports/<report_id>/return"): Rule(
        APPROVERS, SUBTREE, report_at("submitted", "/return", body={"comment": "Bổ sung."})
    ),
    ("GET", "/reports/<report_id>/export"): Rule(
        ALL, SUBTREE, report_at("draft", "/export", query={"format": "xlsx"})
    ),
    # The outbox to the national system is the province's: refused out of scope to the
    # caller (a district), whatever the place; putting a dead item back takes an approver.
    ("GET", "/central/outbox"): Rule(ALL, frozenset(), lambda w, c: {"path": "/central/outbox"}),
    ("POST", "/central/outbox/<item_id>/retry"): Rule(
        APPROVERS,
        frozenset(),
        lambda w, c: {"path": f"/central/outbox/{w.dead_item()}/retry"},
    ),
    # Directives: issued down into the caller's area; read where issued or addressed (the
    # in-scope commune's, from the caller's district); acknowledged for a target below the
    # issuer (the province's directive to the in-scope commune, by the caller's district);
    # closed by the issuing unit's area.
    ("POST", "/directives"): Rule(APPROVERS, SUBTREE, new_directive),
    ("GET", "/directives"): Rule(ALL, SUBTREE, listing("/directives")),
    ("GET", "/directives/<directive_id>"): Rule(ALL, SUBTREE, directive_at(from_parent=True)),
    ("POST", "/directives/<directive_id>/acknowledge"): Rule(
        ACKNOWLEDGERS,
        SUBTREE,
        lambda w, c: directive_at("/acknowledge", from_parent=False, body={"unit": c})(w, c),
    ),
    ("POST", "/directives/<directive_id>/close"): Rule(
        APPROVERS, SUBTREE, directive_at("/close", from_parent=True, raw="")
    ),
    # training: courses run by the place's unit are taken by its staff and those below it and
    # seen from above (READS_DOWN); run, assigned, moderated and recorded by the unit's admins
    # and approvers in their area; records and who is trained read in the area.
    ("POST", "/training/courses"): Rule(APPROVERS, SUBTREE, new_course),
    ("GET", "/training/courses"): Rule(ALL, SUBTREE, listing("/training/courses")),
    ("GET", "/training/courses/<course_id>"): Rule(ALL, READS_DOWN, course_at()),
    ("POST", "/training/courses/<course_id>/enrol"): Rule(ALL, READS_DOWN, course_at("/enrol")),
    ("POST", "/training/courses/<course_id>/assign"): Rule(
        APPROVERS,
        SUBTREE,
        lambda w, c: course_at("/assign", body={"usernames": [f"staff-{c}"]})(w, c),
    ),
    ("POST", "/training/courses/<course_id>/lessons/<lesson_id>/done"): Rule(
        ALL, READS_DOWN, course_at("/lessons/l1/done")
    ),
    ("POST", "/training/courses/<course_id>/attempts"): Rule(
        ALL, READS_DOWN, course_at("/attempts")
    ),
    ("POST", "/training/courses/<course_id>/attempts/<number>/submit"): Rule(
        ALL,
        READS_DOWN,
        course_at("/attempts/1/submit", attempted=True, body={"answers": {"q1": [0]}}),
    ),
    ("GET", "/training/courses/<course_id>/posts"): Rule(ALL, READS_DOWN, course_at("/posts")),
    ("POST", "/training/courses/<course_id>/posts"): Rule(
        ALL, READS_DOWN, course_at("/posts", body={"text": "Cho hỏi"})
    ),
    ("POST", "/training/courses/<course_id>/posts/<post_id>/hide"): Rule(
        APPROVERS, SUBTREE, course_at("/posts/{post}/hide")
    ),
    ("DELETE", "/training/courses/<course_id>/posts/<post_id>"): Rule(
        APPROVERS, SUBTREE, course_at("/posts/{post}")
    ),
    ("GET", "/training/me"): Rule(ALL, ANYWHERE, lambda w, c: {"path": "/training/me"}),
    ("GET", "/training/records"): Rule(ALL, SUBTREE, listing("/training/records")),
    ("POST", "/training/records"): Rule(APPROVERS, SUBTREE, training_record),
    ("POST", "/training/records/import"): Rule(APPROVERS, SUBTREE, training_import),
    ("GET", "/training/staff"): Rule(ALL, SUBTREE, listing("/training/staff")),
}


def voiced(world: World, code: str) -> dict[str, Any]:
    bulletin_id = world.bulletin(code, "approved")
    world.voices.request(bulletin_id)
    return {"path": f"/bulletins/{bulletin_id}/voice"}


RULES[("GET", "/bulletins/<bulletin_id>/voice")] = Rule(ALL, READS_DOWN, voiced)


def routes() -> list[tuple[str, str]]:
    from staff_api.application import app

    return sorted({(r.method, r.path) for r in app._static_routes + app._dynamic_routes})


def expected(rule: Rule, role: Role, place: str) -> str:
    if rule.public:
        return "allowed"
    if role not in rule.roles:
        return "role_missing"
    if place not in rule.places:
        return "out_of_scope"
    return "allowed"


CELLS = [
    pytest.param(method, path, role, place, id=f"{method} {path} {role.value} {place}")
    for method, path in sorted(RULES)
    for role in ROLES
    for place in PLACES
]


def test_every_route_has_a_rule():
    assert set(routes()) == set(RULES), "a route without a row in RULES (or a row without a route)"


def test_the_matrix_size():
    # 84 routes × 6 roles × 4 places; the issue's closing note reports it.
    assert len(CELLS) == len(routes()) * len(ROLES) * len(PLACES) == 2016


@pytest.mark.parametrize(("method", "path", "role", "place"), CELLS)
def test_cell(monkeypatch, method, path, role, place):
    world = World(monkeypatch)
    rule = RULES[(method, path)]
    request = rule.request(world, PLACES[place])
    import app

    status, body = call(
        app.lambda_handler,
        method,
        request.pop("path"),
        user=f"caller-{role.value}",
        groups=role.value,
        unit=HOME,
        sub=f"sub-caller-{role.value}",
        **request,
    )

    want = expected(rule, role, place)
    if want == "allowed":
        assert 200 <= status < 300, (status, body)
    else:
        assert (status, body.get("code")) == (403, want), body
