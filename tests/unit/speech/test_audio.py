"""PCM to mp3, ogg_vorbis and pcm at Polly's sample rates; decoded back with ffmpeg."""

import io
import math
from array import array

import pytest

from nguon.speech import audio
from nguon.speech.errors import (
    InvalidSampleRateException,
    ServiceFailureException,
    ValidationException,
)
from tests.unit.speech.conftest import audio_info

RATE = 22050


def tone(seconds: float, rate: int = RATE, hz: float = 440.0, level: int = 8000) -> bytes:
    count = int(seconds * rate)
    return array(
        "h", (int(level * math.sin(2 * math.pi * hz * i / rate)) for i in range(count))
    ).tobytes()


@pytest.mark.parametrize(
    ("name", "rate", "codec"),
    [
        ("mp3", 22050, "mp3"),
        ("mp3", 8000, "mp3"),
        ("mp3", 24000, "mp3"),
        ("ogg_vorbis", 22050, "vorbis"),
        ("ogg_vorbis", 16000, "vorbis"),
    ],
)
def test_encoded_audio_decodes_at_the_asked_rate(name, rate, codec):
    fmt = audio.audio_format(name)
    encoded = audio.encode(tone(2.0), RATE, fmt, rate)

    info = audio_info(encoded, name)
    assert (info["codec"], info["sample_rate"], info["channels"]) == (codec, rate, 1)
    assert 1.9 <= info["duration_s"] <= 2.2


@pytest.mark.parametrize("rate", [8000, 16000])
def test_pcm_is_resampled_by_length(rate):
    out = audio.encode(tone(3.0), RATE, audio.audio_format("pcm"), rate)
    assert abs(len(out) / 2 / rate - 3.0) < 0.01


def test_pcm_at_its_own_rate_is_unchanged():
    samples = tone(0.5)
    assert audio.resample(samples, RATE, RATE) is samples


def test_streaming_sinks_equal_whole_encoding_in_length():
    samples = tone(4.0)
    for name, rate in (("mp3", 22050), ("ogg_vorbis", 24000), ("pcm", 16000), ("pcm", 22050)):
        out = io.BytesIO()
        sink = audio.open_sink(audio.audio_format(name), RATE, rate, out)
        for start in range(0, len(samples), 7777):  # odd-sized pieces
            sink.write(samples[start : start + 7777])
        sink.close()
        if name == "pcm":
            assert abs(len(out.getvalue()) / 2 / rate - 4.0) < 0.01
        else:
            assert abs(audio_info(out.getvalue(), name)["duration_s"] - 4.0) < 0.15


def test_sample_rates_follow_pollys_rules():
    mp3, pcm = audio.audio_format("mp3"), audio.audio_format("pcm")
    assert audio.sample_rate(mp3, None) == 22050
    assert audio.sample_rate(mp3, None, neural=True) == 24000
    assert audio.sample_rate(pcm, None) == 16000
    assert audio.sample_rate(pcm, "8000") == 8000
    for fmt, bad in ((pcm, "22050"), (mp3, "44100"), (mp3, "fast"), (pcm, "16000.0")):
        with pytest.raises(InvalidSampleRateException):
            audio.sample_rate(fmt, bad)


def test_unknown_formats_are_validation_errors():
    for name in ("wav", "ogg_opus", "mulaw"):
        with pytest.raises(ValidationException):
            audio.audio_format(name)


def test_gain_in_decibels():
    samples = tone(0.1, level=1000)
    louder = array("h")
    louder.frombytes(audio.apply_gain(samples, 6.0206))
    original = array("h")
    original.frombytes(samples)
    assert max(louder) == pytest.approx(2 * max(original), abs=2)
    clipped = array("h")
    clipped.frombytes(audio.apply_gain(tone(0.1, level=30000), 12))
    assert max(clipped) == 32767
    assert audio.apply_gain(samples, 0) is samples
    assert audio.silence(100, 16000) == bytes(3200)


@pytest.fixture
def no_ffmpeg(monkeypatch):
    from nguon.config import get_settings

    monkeypatch.setenv("NGUON_FFMPEG", "/nonexistent/ffmpeg")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.mark.usefixtures("no_ffmpeg")
def test_a_missing_ffmpeg_is_a_service_failure():
    with pytest.raises(ServiceFailureException):
        audio.resample(tone(0.1), RATE, 16000)
    with pytest.raises(ServiceFailureException):
        audio.open_sink(audio.audio_format("ogg_vorbis"), RATE, RATE, io.BytesIO())
