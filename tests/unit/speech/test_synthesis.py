"""The service: offsets through normalisation, long text in chunks, progress, checks."""

import io
import itertools
import json
import re

import pytest

from nguon.speech.engines.base import Mark, Pcm, PcmBuilder, SpeechEngine, Voice
from nguon.speech.engines.espeak import EspeakEngine
from nguon.speech.errors import (
    EngineNotSupportedException,
    InvalidNextTokenException,
    ServiceFailureException,
    TextLengthExceededException,
    ValidationException,
)
from nguon.speech.plans import SynthesisRequest
from nguon.speech.synthesis import SpeechService, _sentence_cuts
from nguon.speech.textmap import ByteOffsets, Chain, CharMap, Joined
from tests.unit.speech.conftest import identity_normalizer

NUMBERS = {"12": "mười hai", "7": "bảy", "2025": "hai nghìn không trăm hai mươi lăm"}


class Expanded:
    """A stand-in normaliser: numbers to words, each word mapped to the number's span."""

    def __init__(self, text: str) -> None:
        self.map = CharMap()
        position = 0
        for match in re.finditer(r"\d+", text):
            self.map.literal(text[position : match.start()], position)
            self.map.replaced(NUMBERS[match.group()], match.start(), match.end())
            position = match.end()
        self.map.literal(text[position:], position)
        self.text = self.map.text

    def source_range(self, start: int, end: int) -> tuple[int, int]:
        return self.map.source_range(start, end)


class NoLexicons:
    def get(self, name):
        return None

    def count(self):
        return 0

    def page(self, token):
        return [], None


def marks(service, text, *, text_type="text", types=("sentence", "word"), voice="Trung"):
    request = SynthesisRequest(
        text=text,
        text_type=text_type,
        voice_id=voice,
        output_format="json",
        speech_mark_types=tuple(types),
    )
    return [json.loads(line) for line in service.synthesize(request).audio.splitlines()]


@pytest.fixture(scope="module")
def espeak():
    return EspeakEngine()


def test_marks_go_back_through_the_normaliser_to_input_bytes(espeak):
    service = SpeechService([espeak], NoLexicons(), normalizer=Expanded)
    text = "Đến ngày 12 tháng 7 năm 2025, ủy ban họp."

    found = marks(service, text)
    words = [mark["value"] for mark in found if mark["type"] == "word"]
    assert words == ["Đến", "ngày", "12", "tháng", "7", "năm", "2025", "ủy", "ban", "họp"]
    encoded = text.encode()
    for mark in found:
        assert encoded[mark["start"] : mark["end"]].decode() == mark["value"]
    assert found[0] == {
        "time": 0,
        "type": "sentence",
        "start": 0,
        "end": len(encoded),
        "value": text,
    }


def test_a_prosody_change_does_not_start_a_sentence(espeak):
    service = SpeechService([espeak], NoLexicons(), normalizer=identity_normalizer)
    ssml = (
        '<speak>Bà con <prosody rate="slow">chú ý</prosody> lắng nghe. '
        "<s>Câu thứ hai</s>Câu ba.</speak>"
    )
    sentences = [m for m in marks(service, ssml, text_type="ssml") if m["type"] == "sentence"]
    assert [m["value"] for m in sentences] == [
        'Bà con <prosody rate="slow">chú ý</prosody> lắng nghe.',
        "Câu thứ hai",
        "Câu ba.",
    ]


def test_long_text_is_read_in_chunks_with_progress(espeak):
    service = SpeechService(
        [espeak], NoLexicons(), normalizer=identity_normalizer, chunk_characters=200
    )
    sentence = "Trạm y tế xã thông báo lịch tiêm chủng cho trẻ em dưới năm tuổi. "
    text = sentence * 12
    progress: list[tuple[int, int]] = []
    request = SynthesisRequest(
        text=text, voice_id="Bac", output_format="json", speech_mark_types=("sentence",)
    )
    plan = service.plan(request, task=True)
    out = io.BytesIO()
    service.render(plan, out, lambda done, total: progress.append((done, total)))

    found = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(found) == 12
    assert [m["value"] for m in found] == [sentence.strip()] * 12
    times = [m["time"] for m in found]
    assert times == sorted(times)
    assert len(set(times)) == 12
    step = times[1] - times[0]
    assert all(abs((b - a) - step) < 0.1 * step for a, b in itertools.pairwise(times))
    assert len(progress) >= 4  # 12 sentences of 66 characters, 200 a chunk
    assert progress[-1] == (len(text), len(text))
    assert [done for done, _ in progress] == sorted(done for done, _ in progress)


def test_chunked_audio_is_as_long_as_whole_audio(espeak):
    text = "Bà con chú ý. " * 30
    whole = SpeechService([espeak], NoLexicons(), normalizer=identity_normalizer)
    chunked = SpeechService(
        [espeak], NoLexicons(), normalizer=identity_normalizer, chunk_characters=60
    )
    request = SynthesisRequest(text=text, voice_id="Nam", output_format="pcm")
    one = whole.synthesize(request)
    many = chunked.synthesize(request)
    assert abs(len(many.audio) - len(one.audio)) / len(one.audio) < 0.05


def test_sentence_cuts():
    text = "Một. Hai hai. Ba ba ba. Bốn."
    cuts = _sentence_cuts(text, 10)
    assert "".join(text[a:b] for a, b in cuts) == text
    assert [text[a:b] for a, b in cuts] == ["Một. ", "Hai hai. ", "Ba ba ba. ", "Bốn."]
    assert _sentence_cuts("không dấu chấm " * 5, 10) == [(0, 75)]


def test_checks_before_any_audio(espeak):
    service = SpeechService([espeak], NoLexicons(), normalizer=identity_normalizer)
    with pytest.raises(ValidationException) as raised:
        SynthesisRequest.from_polly({"Text": "a", "VoiceId": "Bac"})
    assert raised.value.fields["fields"][0]["name"] == "OutputFormat"
    with pytest.raises(ValidationException):
        SynthesisRequest.from_polly(
            {"Text": "a", "VoiceId": "Bac", "OutputFormat": "mp3", "TextType": "html"}
        )
    with pytest.raises(ValidationException):
        SynthesisRequest.from_polly(
            {"Text": "a", "VoiceId": "Bac", "OutputFormat": "mp3", "Engine": "turbo"}
        )
    with pytest.raises(ValidationException):
        SynthesisRequest.from_polly(
            {"Text": "a", "VoiceId": "Bac", "OutputFormat": "json", "SpeechMarkTypes": ["x"]}
        )
    with pytest.raises(TextLengthExceededException):
        service.plan(
            SynthesisRequest(
                text="<speak>" + " " * 6000 + "</speak>",
                text_type="ssml",
                voice_id="Bac",
                output_format="mp3",
            )
        )
    assert service.plan(
        SynthesisRequest(text="a" * 100_000, voice_id="Bac", output_format="mp3"), task=True
    )
    with pytest.raises(TextLengthExceededException):
        service.plan(
            SynthesisRequest(text="a" * 100_001, voice_id="Bac", output_format="mp3"), task=True
        )
    with pytest.raises(EngineNotSupportedException):
        service.plan(
            SynthesisRequest(text="a", voice_id="Bac", output_format="mp3", engine="long-form")
        )
    with pytest.raises(InvalidNextTokenException):
        service.describe_voices(next_token="x")
    # the espeak-ng names are accepted for VoiceId (NGUON_DEFAULT_VOICE)
    assert service.voice("vi-vn-x-central")[1].id == "Trung"
    # visemes are accepted: there are none
    assert marks(service, "Xin chào.", types=("viseme",)) == []


class Broken(SpeechEngine):
    name = "broken"

    def voices(self):
        return [Voice("X", "X", "Male", "vi-VN", "Vietnamese", ("standard",), "x")]

    def synthesize(self, segments, voice, *, engine=None):
        raise RuntimeError("segfault-ish")


def test_an_engine_failure_is_a_service_failure():
    service = SpeechService([Broken()], NoLexicons(), normalizer=identity_normalizer)
    with pytest.raises(ServiceFailureException):
        service.synthesize(SynthesisRequest(text="a", voice_id="X", output_format="pcm"))


class FailsLater(SpeechEngine):
    """espeak-ng for the first chunk, then a crash."""

    name = "later"

    def __init__(self) -> None:
        self.inner = EspeakEngine()
        self.calls = 0

    def voices(self):
        return self.inner.voices()

    def synthesize(self, segments, voice, *, engine=None):
        self.calls += 1
        if self.calls > 1:
            raise RuntimeError("lost the library")
        return self.inner.synthesize(segments, voice)


def test_a_failure_mid_reading_stops_the_encoder(monkeypatch):
    from nguon.speech import audio

    opened = []
    real_open = audio.open_sink

    def recording_open(*args, **kwargs):
        sink = real_open(*args, **kwargs)
        opened.append(sink)
        return sink

    monkeypatch.setattr(audio, "open_sink", recording_open)
    service = SpeechService(
        [FailsLater()], NoLexicons(), normalizer=identity_normalizer, chunk_characters=30
    )
    request = SynthesisRequest(text="Câu một đây. " * 6, voice_id="Bac", output_format="ogg_vorbis")
    with pytest.raises(ServiceFailureException):
        service.synthesize(request)
    assert len(opened) == 1
    assert opened[0]._process.returncode is not None  # ffmpeg was stopped, not left waiting


class Fixed(SpeechEngine):
    """An engine at 8 kHz with one word mark per segment (rates other than espeak's)."""

    name = "fixed"

    def voices(self):
        return [Voice("F", "F", "Female", "vi-VN", "Vietnamese", ("neural",), "f")]

    def synthesize(self, segments, voice, *, engine=None):
        builder = PcmBuilder(8000)
        offset = 0
        for segment in segments:
            builder.begin_segment()
            builder.silence(segment.pause_ms)
            if segment.text.strip():
                builder.marks.append(Mark("word", builder.time_ms, offset, offset + 1))
                builder.silence(500)
            offset += len(segment.text)
        return builder.build()


def test_other_engines_rates_and_neural_defaults():
    service = SpeechService([Fixed()], NoLexicons(), normalizer=identity_normalizer)
    plan = service.plan(SynthesisRequest(text="a", voice_id="F", output_format="mp3"))
    assert plan.sample_rate == 24000  # Polly's neural default for mp3
    result = service.synthesize(SynthesisRequest(text="ab", voice_id="F", output_format="pcm"))
    assert len(result.audio) == 16000  # 0.5 s at 16 kHz
    assert isinstance(Fixed().synthesize([], Fixed().voices()[0]), Pcm)


def test_text_maps_compose():
    source = "xx UBND yy"
    step1 = CharMap()
    step1.literal("xx ", 0)
    step1.replaced("ủy ban", 3, 7)
    step1.literal(" yy", 7)
    assert step1.text == "xx ủy ban yy"
    chained = Chain(CharMap.identity(step1.text), step1)
    assert chained.source_range(3, 5) == (3, 7)
    assert chained.source_range(10, 12) == (8, 10)
    assert chained.source_range(2, 2) == (2, 2)
    joined = Joined([(len(step1.text), step1), (0, CharMap()), (3, CharMap.identity("abc", 20))])
    assert joined.source_range(12, 15) == (20, 23)
    assert joined.source_range(10, 14) == (8, 22)
    offsets = ByteOffsets("aĐb€c😀")
    assert [offsets(i) for i in range(7)] == [0, 1, 3, 4, 7, 8, 12]
    assert [offsets.char_of(b) for b in (0, 1, 2, 3, 4, 8)] == [0, 1, 1, 2, 3, 5]
    assert source == "xx UBND yy"
    with pytest.raises(ValueError, match="input order"):
        step1.literal("z", 0)
