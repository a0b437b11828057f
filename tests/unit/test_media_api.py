"""The media routes in-process, from API Gateway events: the signed upload's policy, reading a
media item in scope and in the reader's language, and ``get_ready`` for bulletins."""

import base64
import json
from datetime import UTC, datetime, timedelta
from itertools import count

import pytest

from nguon import clock
from nguon.adapters.media_objects import MediaObjects, s3_client
from nguon.errors import Conflict, Forbidden, NotFound
from nguon.models.media import MB, MediaStatus, MediaVariant, Reason, SourceObject
from nguon.models.principal import Role
from nguon.services.media import MediaService
from nguon.services.unit_catalogue import load_bundled_catalogue
from nguon.services.units import UnitService
from tests.api_events import call as api_call
from tests.factories import person
from tests.fakes import InMemoryUnitStore
from tests.unit.media_support import MEDIA, REGION, UPLOADS, InMemoryMediaStore


@pytest.fixture
def world(monkeypatch):
    import app
    from staff_api import application, dependencies

    store = InMemoryMediaStore()
    s3 = s3_client(REGION)  # signing needs no network
    objects = MediaObjects(s3, uploads_bucket=UPLOADS, media_bucket=MEDIA)
    ids = count(1)
    service = MediaService(
        UnitService(InMemoryUnitStore(load_bundled_catalogue())),
        store,
        objects,
        new_id=lambda: f"m-{next(ids)}",
    )
    monkeypatch.setitem(
        application.app.dependency_overrides, dependencies.media_service, lambda: service
    )
    return app.lambda_handler, store, service


def call(handler, method, path, *, user="xa-editor", groups="editor", unit="21550", **options):
    return api_call(handler, method, path, user=user, groups=groups, unit=unit, **options)


UPLOAD = {
    "file_name": "Thông báo tiêm chủng.wav",
    "content_type": "audio/wav",
    "size": 5 * MB,
    "purpose": "audio",
}


def policy_of(fields: dict) -> dict:
    return json.loads(base64.b64decode(fields["policy"]))


# --- POST /uploads ---------------------------------------------------------------------------


def test_an_upload_is_signed_for_one_key_type_and_size_for_15_minutes(world):
    handler, store, _ = world
    before = datetime.now(UTC)

    status, body = call(handler, "POST", "/uploads", body=UPLOAD)

    assert status == 201
    key = "uploads/21550/m-1/Thong-bao-tiem-chung.wav"
    assert (body["media_id"], body["key"], body["max_size"]) == ("m-1", key, 5 * MB)
    assert body["url"] == f"https://{UPLOADS}.s3.{REGION}.amazonaws.com/"
    fields = body["fields"]
    assert (fields["key"], fields["Content-Type"]) == (key, "audio/wav")
    policy = policy_of(fields)
    conditions = policy["conditions"]
    assert {"bucket": UPLOADS} in conditions
    assert {"key": key} in conditions  # exactly this key, not a prefix
    assert {"Content-Type": "audio/wav"} in conditions
    assert {"x-amz-algorithm": "AWS4-HMAC-SHA256"} in conditions
    assert ["content-length-range", 1, 5 * MB] in conditions
    assert not [c for c in conditions if isinstance(c, list) and c[0] == "starts-with"]
    expiration = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
    assert timedelta(seconds=895) <= expiration - before <= timedelta(seconds=905)
    expires_at = datetime.fromisoformat(body["expires_at"])
    assert abs(expires_at - expiration) < timedelta(seconds=5)
    assert expires_at.utcoffset() == timedelta(hours=7)  # local time, as every answer
    media = store.get("m-1")
    assert (media.status, media.purpose, media.size) == (
        MediaStatus.AWAITING_UPLOAD,
        "audio",
        5 * MB,
    )
    assert (media.unit, media.uploaded_by.username) == ("21550", "xa-editor")
    assert media.file_name == "Thông báo tiêm chủng.wav"


def test_a_department_uploads_under_the_province(world):
    handler, _, _ = world

    status, body = call(
        handler, "POST", "/uploads", body=UPLOAD, user="tinh-provider", groups="provider", unit="52"
    )

    assert status == 201
    assert body["key"].startswith("uploads/52/")


@pytest.mark.parametrize(
    ("change", "problem", "message"),
    [
        (
            {"content_type": "video/mp4"},
            "content_type_not_allowed",
            "Loại tệp video/mp4 không được nhận cho mục đích audio; chỉ nhận: audio/mpeg, ",
        ),
        ({"size": 201 * MB}, "upload_too_large", "Tệp cho mục đích audio tối đa 200 MB."),
        ({"purpose": "podcast"}, "enum", None),
        ({"size": 0}, "greater_than_equal", None),
        ({"file_name": "a/b.wav"}, "string_pattern_mismatch", None),
    ],
)
def test_an_upload_outside_the_rules_is_422_with_the_rule(world, change, problem, message):
    handler, store, _ = world

    status, body = call(handler, "POST", "/uploads", body={**UPLOAD, **change})

    assert status == 422
    assert body["code"] == "validation_error"
    [detail] = body["details"]
    assert detail["type"] == problem
    if message:
        assert detail["message"].startswith(message)
    assert store.items == {}


def test_each_purpose_has_its_own_limit(world):
    handler, _, _ = world
    video = {**UPLOAD, "content_type": "video/mp4", "purpose": "video", "size": 1024 * MB}
    image = {**UPLOAD, "content_type": "image/png", "purpose": "image", "size": 21 * MB}

    assert call(handler, "POST", "/uploads", body=video)[0] == 201
    assert call(handler, "POST", "/uploads", body=image)[0] == 422


def test_readers_and_approvers_cannot_upload(world):
    handler, _, _ = world

    status, body = call(handler, "POST", "/uploads", body=UPLOAD, groups="viewer,approver")

    assert (status, body["code"]) == (403, "role_missing")


# --- GET /media/{id}, GET /media ---------------------------------------------------------------


def _ready(service, store, user="xa-editor"):
    ticket = service.request_upload(person(user, "21550", Role.EDITOR), _request())
    media = store.get(ticket.media_id)
    store.items[media.id] = media.model_copy(
        update={
            "status": MediaStatus.READY,
            "detected_type": "audio/wav",
            "duration_s": 61.5,
            "loudness_lufs": -16.1,
            "source": SourceObject(key=media.key, etag="abc", size=4 * MB),
            "variants": [
                MediaVariant(
                    name="speaker",
                    key=f"media/{media.id}/speaker.mp3",
                    content_type="audio/mpeg",
                    size=740_000,
                    bitrate=96_000,
                    channels=1,
                    sample_rate=44_100,
                    duration_s=61.5,
                )
            ],
            "attempts": 1,
        }
    )
    return store.items[media.id]


def _request():
    from nguon.models.media import UploadRequest

    return UploadRequest.model_validate(UPLOAD)


def test_a_ready_item_shows_its_variants_with_links(world):
    handler, store, service = world
    media = _ready(service, store)

    status, body = call(handler, "GET", f"/media/{media.id}")

    assert status == 200
    assert body["id"] == media.id
    assert (body["status"], body["purpose"], body["unit"]) == ("ready", "audio", "21550")
    assert (body["content_type"], body["detected_type"]) == ("audio/wav", "audio/wav")
    assert (body["size"], body["object_size"]) == (5 * MB, 4 * MB)
    assert (body["duration_s"], body["loudness_lufs"], body["reason"]) == (61.5, -16.1, None)
    [variant] = body["variants"]
    assert variant["name"] == "speaker"
    assert (variant["channels"], variant["sample_rate"], variant["bitrate"]) == (1, 44100, 96000)
    assert variant["key"] == f"media/{media.id}/speaker.mp3"
    assert variant["url"].startswith(f"https://{MEDIA}.s3.{REGION}.amazonaws.com/media/")
    assert "X-Amz-Signature=" in variant["url"]
    assert not {"lease_until", "version"} & set(body)
    assert body["created_at"].endswith("+07:00")


def test_a_rejected_item_says_why_in_the_readers_language(world):
    handler, store, service = world
    ticket = service.request_upload(person("xa-editor", "21550", Role.EDITOR), _request())
    media = store.get(ticket.media_id)
    reason = Reason(
        code="media_type_mismatch",
        params={"detected": "image/png", "declared": "audio/wav", "purpose": "audio"},
    )
    store.items[media.id] = media.model_copy(
        update={"status": MediaStatus.REJECTED, "reason": reason}
    )

    _, vi = call(handler, "GET", f"/media/{media.id}")
    _, en = call(handler, "GET", f"/media/{media.id}", **{"Accept-Language": "en"})

    assert vi["reason"]["code"] == en["reason"]["code"] == "media_type_mismatch"
    assert vi["reason"]["message"] == (
        "Nội dung tệp là image/png, không phải loại dùng cho audio (khai báo audio/wav)."
    )
    assert en["reason"]["message"] == (
        "The file holds image/png, which is not for audio (declared audio/wav)."
    )
    assert vi["variants"] == []


@pytest.mark.parametrize(
    ("user", "groups", "unit", "status"),
    [
        ("xa-viewer", "viewer", "21550", 200),  # the ward itself
        ("huyen-approver", "approver", "540", 200),  # the city above it
        ("tinh-admin", "admin", "52", 200),  # the province
        ("xa-tayson-operator", "operator", "21808", 403),  # another district's commune
        ("huyen-tayson-editor", "editor", "547", 403),  # another district
    ],
)
def test_a_media_item_is_read_only_from_an_area_holding_its_unit(world, user, groups, unit, status):
    handler, store, service = world
    media = _ready(service, store)

    answer, body = call(handler, "GET", f"/media/{media.id}", user=user, groups=groups, unit=unit)

    assert answer == status
    if status == 403:
        assert body["code"] == "out_of_scope"


def test_an_unknown_media_item_is_404(world):
    handler, _, _ = world

    status, body = call(handler, "GET", "/media/nope", **{"Accept-Language": "en"})

    assert (status, body["code"], body["message"]) == (
        404,
        "media_not_found",
        "There is no media item nope.",
    )


def test_the_media_of_a_unit_newest_first_and_paged(world):
    handler, store, service = world
    first = _ready(service, store)
    service._now = lambda: clock.now() + timedelta(minutes=1)
    second = service.request_upload(person("xa-editor", "21550", Role.EDITOR), _request())

    status, page = call(handler, "GET", "/media", query={"limit": "1"})
    _, rest = call(handler, "GET", "/media", query={"limit": "1", "next": page["next"]})
    _, ready = call(handler, "GET", "/media", query={"status": "ready"})
    _, elsewhere = call(handler, "GET", "/media", query={"unit": "21808"})

    assert status == 200
    assert [item["id"] for item in page["items"]] == [second.media_id]
    assert [item["id"] for item in rest["items"]] == [first.id]
    assert rest["next"] is None
    assert [item["id"] for item in ready["items"]] == [first.id]
    assert elsewhere["code"] == "out_of_scope"


# --- get_ready (for attaching media to bulletins) ----------------------------------------------


def test_get_ready_gives_a_ready_item_in_scope_only(world):
    _, store, service = world
    media = _ready(service, store)
    pending = service.request_upload(person("xa-editor", "21550", Role.EDITOR), _request())
    city = person("huyen-editor", "540", Role.EDITOR)

    assert service.get_ready(city, media.id).id == media.id
    with pytest.raises(Conflict) as not_ready:
        service.get_ready(city, pending.media_id)
    with pytest.raises(Forbidden):
        service.get_ready(person("x", "21808", Role.EDITOR), media.id)
    with pytest.raises(NotFound):
        service.get_ready(city, "nope")

    assert not_ready.value.code == "media_not_ready"
    assert not_ready.value.params == {"media": pending.media_id, "status": "awaiting_upload"}


def test_the_routes_are_in_the_openapi_document(world):
    handler, _, _ = world

    status, document = call(handler, "GET", "/openapi.json")

    assert status == 200
    assert {"/uploads", "/media", "/media/{id}"} <= set(document["paths"])


class _NoUploadsBucket:
    uploads_bucket = ""


def test_without_an_uploads_bucket_uploads_are_unavailable(world):
    handler, store, service = world
    service._objects = _NoUploadsBucket()

    status, body = call(handler, "POST", "/uploads", body=UPLOAD, **{"Accept-Language": "en"})

    assert (status, body["code"]) == (503, "uploads_not_configured")
    assert store.items == {}
