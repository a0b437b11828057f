"""Polly's SSML subset: segments, real silence for breaks, prosody, errors."""

import pytest

from nguon.speech.engines.espeak import EspeakEngine
from nguon.speech.errors import InvalidSsmlException
from nguon.speech.plans import SynthesisRequest
from nguon.speech.ssml import MAX_DEPTH, parse_ssml, plain_text
from nguon.speech.synthesis import SpeechService
from tests.unit.speech.conftest import identity_normalizer


class NoLexicons:
    def get(self, name):
        return None

    def count(self):
        return 0


@pytest.fixture(scope="module")
def service():
    return SpeechService([EspeakEngine()], NoLexicons(), normalizer=identity_normalizer)


def duration_ms(service, ssml: str, voice: str = "Trung") -> int:
    request = SynthesisRequest(text=ssml, text_type="ssml", voice_id=voice, output_format="pcm")
    result = service.synthesize(request)
    return round(len(result.audio) / 2 / 16000 * 1000)


def test_plain_text_is_one_segment_read_as_written():
    document = plain_text("Xin chào.")
    assert [s.text for s in document.segments] == ["Xin chào."]
    assert document.billed_characters == 9
    assert document.segments[0].map.source_range(4, 8) == (4, 8)


def test_segments_keep_their_place_in_the_input():
    ssml = (
        '<speak><p>Xin <prosody rate="slow">chào</prosody> bà con.</p>'
        '<p>Hôm &amp; nay <sub alias="Ủy ban">UBND</sub> họp.</p></speak>'
    )
    document = parse_ssml(ssml)
    texts = [s.text for s in document.segments]
    assert texts == ["Xin ", "chào", " bà con.", "Hôm & nay Ủy ban họp."]
    assert [s.rate for s in document.segments] == [1.0, 0.8, 1.0, 1.0]
    assert document.segments[0].sentence_start
    assert not document.segments[1].sentence_start
    assert document.segments[3].sentence_start
    assert document.segments[3].pause_ms == 700  # after </p>
    last = document.segments[3]
    start, end = last.map.source_range(4, 5)  # "&" came from "&amp;"
    assert ssml[start:end] == "&amp;"
    start, end = last.map.source_range(10, 16)  # "Ủy ban" stands for "UBND"
    assert ssml[start:end] == "UBND"
    assert document.billed_characters == len("Xin chào bà con.Hôm & nay UBND họp.")


def test_marks_and_breaks_keep_their_order():
    ssml = '<speak>A<mark name="m1"/><break time="1s"/><mark name="m2"/>B<break time="2s"/></speak>'
    segments = parse_ssml(ssml).segments
    assert [(s.text, s.pause_ms, [m.name for m in s.marks]) for s in segments] == [
        ("A", 0, []),
        ("", 1000, ["m1"]),
        ("B", 0, ["m2"]),
        ("", 2000, []),
    ]
    mark = segments[1].marks[0]
    assert ssml[mark.source_start : mark.source_end] == '<mark name="m1"/>'


@pytest.mark.parametrize(
    ("attributes", "expected"),
    [
        ('rate="x-slow"', (0.6, 0.0, 1.0)),
        ('rate="150%"', (1.5, 0.0, 1.0)),
        ('rate="5%"', (0.2, 0.0, 1.0)),  # Polly's minimum is 20%
        ('volume="loud"', (1.0, 6.0, 1.0)),
        ('volume="-3dB"', (1.0, -3.0, 1.0)),
        ('volume="+6dB" pitch="high"', (1.0, 6.0, 1.2)),
        ('pitch="-10%"', (1.0, 0.0, 0.9)),
    ],
)
def test_prosody_values(attributes, expected):
    segment = parse_ssml(f"<speak><prosody {attributes}>chữ</prosody></speak>").segments[0]
    assert (segment.rate, segment.volume_db, round(segment.pitch, 3)) == expected


def test_nested_prosody_and_emphasis_compose():
    ssml = (
        '<speak><prosody rate="slow" volume="+2dB"><prosody rate="50%">a</prosody>'
        '<emphasis level="strong">b</emphasis></prosody></speak>'
    )
    a, b = parse_ssml(ssml).segments
    assert (a.rate, a.volume_db) == (0.4, 2.0)
    assert (round(b.rate, 2), b.volume_db) == (0.72, 5.0)


@pytest.mark.parametrize(
    ("say_as", "spoken"),
    [
        ('<say-as interpret-as="characters">UBND</say-as>', "U B N D"),
        ('<say-as interpret-as="digits">2025</say-as>', "2 0 2 5"),
        ('<say-as interpret-as="telephone">0256 3822 123</say-as>', "0 2 5 6, 3 8 2 2, 1 2 3"),
        ('<say-as interpret-as="ordinal">1</say-as>', "thứ nhất"),
        ('<say-as interpret-as="ordinal">4</say-as>', "thứ tư"),
        ('<say-as interpret-as="ordinal">7</say-as>', "thứ 7"),
        ('<say-as interpret-as="cardinal">1500</say-as>', "1500"),
        ('<say-as interpret-as="date">15/12/2025</say-as>', "ngày 15 tháng 12 năm 2025"),
        (
            '<say-as interpret-as="date" format="mdy">12-15-2025</say-as>',
            "ngày 15 tháng 12 năm 2025",
        ),
        ('<say-as interpret-as="date" format="my">12/2025</say-as>', "tháng 12 năm 2025"),
        ('<say-as interpret-as="unit">5kg</say-as>', "5kg"),
    ],
)
def test_say_as(say_as, spoken):
    ssml = f"<speak>{say_as}</speak>"
    segment = parse_ssml(ssml).segments[0]
    assert segment.text == spoken
    start, end = segment.map.source_range(0, len(spoken))
    assert ssml[start:end] in say_as
    assert ">" not in ssml[start:end]


def test_amazon_tags_lang_phoneme_and_w_are_read_through():
    ssml = (
        '<speak><amazon:effect name="whispered">nhỏ</amazon:effect> '
        '<amazon:domain name="news">tin</amazon:domain><amazon:breath/> '
        '<lang xml:lang="en-US">email</lang> <phoneme alphabet="ipa" ph="ɲə">nhà</phoneme> '
        '<w role="amazon:VB">đọc</w></speak>'
    )
    document = parse_ssml(ssml)
    assert "".join(s.text for s in document.segments) == "nhỏ tin email nhà đọc"
    assert [s.language for s in document.segments if s.text == "email"] == ["en-US"]


@pytest.mark.parametrize(
    "ssml",
    [
        "Xin chào",  # not XML
        "<speak>Xin <b>chào</b></speak>",  # unknown tag
        "<speak>Xin chào",  # not closed
        "<voice>Xin</voice>",  # root is not speak
        "<speak><speak>a</speak></speak>",
        '<speak><break time="11s"/></speak>',  # Polly: at most 10 s
        '<speak><break time="soon"/></speak>',
        '<speak><break strength="huge"/></speak>',
        '<speak><prosody rate="quick">a</prosody></speak>',
        '<speak><prosody volume="+6"/></speak>',
        '<speak><say-as interpret-as="date" format="qq">1</say-as></speak>',
        "<speak><say-as>1</say-as></speak>",
        "<speak><sub>UBND</sub></speak>",
        "<speak><sub alias='x'><b>UBND</b></sub></speak>",
        "<speak><mark/></speak>",
        '<!DOCTYPE speak [<!ENTITY x "boom">]><speak>&x;</speak>',  # no DTD, no entities
        '<!DOCTYPE speak SYSTEM "file:///etc/passwd"><speak>a</speak>',
        "<speak>&undefined;</speak>",
    ],
)
def test_invalid_ssml(ssml):
    with pytest.raises(InvalidSsmlException) as raised:
        parse_ssml(ssml)
    assert raised.value.message.startswith("Invalid SSML request")
    assert raised.value.status == 400


def nested(depth: int, tag: str = "prosody") -> str:
    """``<speak>`` and ``depth - 1`` elements inside one another around one word."""
    inner = depth - 1
    return "<speak>" + f"<{tag}>" * inner + "chào" + f"</{tag}>" * inner + "</speak>"


def test_nesting_is_capped_with_a_message_not_a_recursion_error():
    assert parse_ssml(nested(MAX_DEPTH)).segments[0].text == "chào"
    for depth in (MAX_DEPTH + 1, 5_000, 60_000):  # 60,000: deeper than any recursion limit
        with pytest.raises(InvalidSsmlException) as raised:
            parse_ssml(nested(depth, "s"))
        assert raised.value.status == 400
        assert f"nested more than {MAX_DEPTH} deep" in raised.value.message


def test_a_say_as_date_of_thousands_of_digits_is_read_as_written():
    digits = "1" * 5_000  # int() refuses past 4,300 digits: this was a 500
    ssml = f'<speak><say-as interpret-as="date" format="d">{digits}</say-as></speak>'
    assert parse_ssml(ssml).segments[0].text == "ngày " + digits
    ssml = '<speak><say-as interpret-as="date" format="dm">05/03</say-as></speak>'
    assert parse_ssml(ssml).segments[0].text == "ngày 5 tháng 3"


def test_a_break_is_real_silence(service):
    without = duration_ms(service, "<speak>Xin chào bà con. Hôm nay trời đẹp.</speak>")
    with_break = duration_ms(
        service, '<speak>Xin chào bà con. <break time="2s"/>Hôm nay trời đẹp.</speak>'
    )
    assert 1700 <= with_break - without <= 2300


def test_break_strengths_are_ordered(service):
    def pause(strength: str) -> int:
        return duration_ms(service, f'<speak>Một <break strength="{strength}"/>hai</speak>')

    assert pause("none") < pause("medium") < pause("strong") < pause("x-strong")


def test_prosody_rate_changes_the_duration(service):
    text = "Ủy ban nhân dân xã thông báo lịch tiêm chủng cho trẻ em trong tháng này"
    normal = duration_ms(service, f"<speak>{text}</speak>")
    slow = duration_ms(service, f'<speak><prosody rate="x-slow">{text}</prosody></speak>')
    fast = duration_ms(service, f'<speak><prosody rate="200%">{text}</prosody></speak>')
    assert slow > normal * 1.3
    assert fast < normal * 0.75
