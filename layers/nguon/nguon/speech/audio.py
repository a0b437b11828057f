"""PCM to the formats Polly answers, at the sample rates Polly allows.

- ``mp3``: lameenc in-process (LAME), mono, 48 kbit/s; LAME resamples itself.
- ``ogg_vorbis``: ffmpeg through pipes (``-f s16le -ar R -ac 1 -i - -c:a libvorbis -f ogg -``).
- ``pcm``: signed 16-bit little-endian mono, as Polly's; resampled by ffmpeg (its swr
  resampler: band-limited, fast in C, where a Python loop over a 10-minute bulletin's
  13 million samples would take seconds).

Sample rates are Polly's rules for standard voices: mp3 and ogg_vorbis 8000, 16000, 22050 or
24000 (default 22050), pcm 8000 or 16000 (default 16000); neural voices default to 24000 for
mp3/ogg. Anything else is ``InvalidSampleRateException``.
"""

import contextlib
import subprocess
import tempfile
from array import array
from dataclasses import dataclass
from typing import BinaryIO, Protocol

from nguon.config import get_settings
from nguon.speech.errors import (
    InvalidSampleRateException,
    ServiceFailureException,
    ValidationException,
)


@dataclass(frozen=True)
class AudioFormat:
    name: str
    content_type: str
    rates: tuple[int, ...]
    default_rate: int
    neural_default_rate: int
    extension: str


FORMATS: dict[str, AudioFormat] = {
    "mp3": AudioFormat("mp3", "audio/mpeg", (8000, 16000, 22050, 24000), 22050, 24000, "mp3"),
    "ogg_vorbis": AudioFormat(
        "ogg_vorbis", "audio/ogg", (8000, 16000, 22050, 24000), 22050, 24000, "ogg"
    ),
    "pcm": AudioFormat("pcm", "audio/pcm", (8000, 16000), 16000, 16000, "pcm"),
}
MARKS_CONTENT_TYPE = "application/x-json-stream"
"""What Polly answers for ``OutputFormat=json`` (speech marks, one JSON object a line)."""
MARKS_EXTENSION = "marks"
"""Polly's file extension for speech marks written by a task."""
MP3_BITRATE_KBPS = 48
_FFMPEG_TIMEOUT_S = 120


def audio_format(name: str) -> AudioFormat:
    """The format called ``name``; Polly's other formats (ogg_opus, mulaw, alaw) are not
    offered here and are refused the way an unknown value is."""
    try:
        return FORMATS[name]
    except KeyError:
        raise ValidationException(
            f"Value '{name}' at 'outputFormat' failed to satisfy constraint: Member must "
            "satisfy enum value set: [json, mp3, ogg_vorbis, pcm]",
            field="OutputFormat",
        ) from None


def sample_rate(fmt: AudioFormat, requested: str | None, *, neural: bool = False) -> int:
    """The output rate for ``fmt``: the one asked for if Polly allows it, else the default."""
    if requested in (None, ""):
        return fmt.neural_default_rate if neural else fmt.default_rate
    try:
        rate = int(str(requested))
    except ValueError:
        rate = -1
    if rate not in fmt.rates:
        allowed = ", ".join(str(r) for r in fmt.rates)
        raise InvalidSampleRateException(
            f"Sample rate {requested} is not valid for {fmt.name}; use one of {allowed}."
        )
    return rate


def encode(samples: bytes, rate: int, fmt: AudioFormat, out_rate: int) -> bytes:
    """``samples`` (s16le mono at ``rate``) as ``fmt`` at ``out_rate``."""
    if fmt.name == "mp3":
        return to_mp3(samples, rate, out_rate)
    if fmt.name == "ogg_vorbis":
        return _ffmpeg(
            samples, rate, ["-ar", str(out_rate), "-c:a", "libvorbis", "-q:a", "3", "-f", "ogg"]
        )
    return resample(samples, rate, out_rate)


def to_mp3(samples: bytes, rate: int, out_rate: int) -> bytes:
    """MP3 with LAME (lameenc): mono, constant 48 kbit/s, resampled by LAME to ``out_rate``."""
    import lameenc

    encoder = lameenc.Encoder()
    encoder.set_channels(1)
    encoder.set_in_sample_rate(rate)
    encoder.set_out_sample_rate(out_rate)
    encoder.set_bit_rate(MP3_BITRATE_KBPS)
    encoder.set_quality(5)  # LAME's -q 5: the speed/quality balance for speech
    return bytes(encoder.encode(samples) + encoder.flush())


def resample(samples: bytes, rate: int, out_rate: int) -> bytes:
    """s16le mono from ``rate`` to ``out_rate`` (unchanged when equal)."""
    if rate == out_rate or not samples:
        return samples
    return _ffmpeg(samples, rate, ["-ar", str(out_rate), "-f", "s16le", "-c:a", "pcm_s16le"])


def decode(data: bytes, out_rate: int) -> bytes:
    """Any audio ffmpeg reads (an engine's MP3 or WAV) as s16le mono at ``out_rate``."""
    return _run_ffmpeg(
        ["-i", "pipe:0", "-ac", "1", "-ar", str(out_rate), "-f", "s16le", "-c:a", "pcm_s16le"],
        data,
    )


def silence(milliseconds: int, rate: int) -> bytes:
    return bytes(2 * (max(milliseconds, 0) * rate // 1000))


def apply_gain(samples: bytes, gain_db: float) -> bytes:
    """Samples scaled by ``gain_db`` decibels, clipped to 16 bits (SSML ``volume="+6dB"``)."""
    if not gain_db or not samples:
        return samples
    factor = 10 ** (gain_db / 20)
    values = array("h")
    values.frombytes(samples[: len(samples) - len(samples) % 2])
    scaled = array("h", (min(max(round(v * factor), -32768), 32767) for v in values))
    return scaled.tobytes()


def _ffmpeg(samples: bytes, rate: int, output: list[str]) -> bytes:
    return _run_ffmpeg(
        ["-f", "s16le", "-ar", str(rate), "-ac", "1", "-i", "pipe:0", *output], samples
    )


def _run_ffmpeg(arguments: list[str], data: bytes) -> bytes:
    command = [get_settings().ffmpeg, "-hide_banner", "-loglevel", "error", "-nostdin"]
    command += [*arguments, "pipe:1"]
    try:
        done = subprocess.run(  # noqa: S603 - fixed arguments, the binary from settings
            command, input=data, capture_output=True, timeout=_FFMPEG_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise ServiceFailureException("Audio encoding is not available.") from error
    if done.returncode != 0:
        from nguon.observability import logger

        logger.error("ffmpeg failed", extra={"stderr": done.stderr.decode(errors="replace")})
        raise ServiceFailureException("Audio encoding failed.")
    return done.stdout


# ---------------------------------------------------------------- streaming


class AudioSink(Protocol):
    """Takes PCM piece by piece and writes the encoded audio to its output (long tasks)."""

    def write(self, samples: bytes) -> None: ...

    def close(self) -> None:
        """Finish the audio (flush the encoder) and write what is left."""
        ...

    def abort(self) -> None:
        """Give up (the reading failed): release what the sink holds, write nothing more."""
        ...


def open_sink(fmt: AudioFormat, rate: int, out_rate: int, out: BinaryIO) -> AudioSink:
    """A sink encoding s16le mono at ``rate`` into ``fmt`` at ``out_rate``, written to ``out``:
    audio hours long never sits in memory whole."""
    if fmt.name == "mp3":
        return _Mp3Sink(rate, out_rate, out)
    if fmt.name == "pcm" and rate == out_rate:
        return _RawSink(out)
    if fmt.name == "pcm":
        output = ["-ar", str(out_rate), "-f", "s16le", "-c:a", "pcm_s16le"]
    else:
        output = ["-ar", str(out_rate), "-c:a", "libvorbis", "-q:a", "3", "-f", "ogg"]
    return _FfmpegSink(rate, output, out)


class _RawSink:
    def __init__(self, out: BinaryIO) -> None:
        self._out = out

    def write(self, samples: bytes) -> None:
        self._out.write(samples)

    def close(self) -> None:
        return None

    def abort(self) -> None:
        return None


class _Mp3Sink:
    def __init__(self, rate: int, out_rate: int, out: BinaryIO) -> None:
        import lameenc

        self._encoder = lameenc.Encoder()
        self._encoder.set_channels(1)
        self._encoder.set_in_sample_rate(rate)
        self._encoder.set_out_sample_rate(out_rate)
        self._encoder.set_bit_rate(MP3_BITRATE_KBPS)
        self._encoder.set_quality(5)
        self._out = out
        self._odd = b""

    def write(self, samples: bytes) -> None:
        samples = self._odd + samples
        cut = len(samples) - len(samples) % 2
        self._odd = samples[cut:]
        if cut:
            self._out.write(bytes(self._encoder.encode(samples[:cut])))

    def close(self) -> None:
        self._out.write(bytes(self._encoder.flush()))

    def abort(self) -> None:
        return None


class _FfmpegSink:
    """ffmpeg reading our pipe and writing a temporary file (no pipe can fill up and block)."""

    def __init__(self, rate: int, output: list[str], out: BinaryIO) -> None:
        self._out = out
        self._result = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
        self._errors = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
        command = [get_settings().ffmpeg, "-hide_banner", "-loglevel", "error", "-nostdin"]
        command += ["-f", "s16le", "-ar", str(rate), "-ac", "1", "-i", "pipe:0", *output]
        command.append("pipe:1")
        try:
            self._process = subprocess.Popen(  # noqa: S603 - fixed arguments
                command, stdin=subprocess.PIPE, stdout=self._result, stderr=self._errors
            )
        except OSError as error:
            self._result.close()
            self._errors.close()
            raise ServiceFailureException("Audio encoding is not available.") from error

    def write(self, samples: bytes) -> None:
        assert self._process.stdin is not None
        try:
            self._process.stdin.write(samples)
        except BrokenPipeError:
            self._fail()

    def close(self) -> None:
        assert self._process.stdin is not None
        with contextlib.suppress(BrokenPipeError):
            self._process.stdin.close()
        try:
            code = self._process.wait(timeout=_FFMPEG_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self._process.kill()
            code = -1
        if code != 0:
            self._fail()
        self._result.seek(0)
        while chunk := self._result.read(1 << 20):
            self._out.write(chunk)
        self._result.close()
        self._errors.close()

    def abort(self) -> None:
        assert self._process.stdin is not None
        self._process.kill()
        with contextlib.suppress(BrokenPipeError):
            self._process.stdin.close()
        self._process.wait()
        self._result.close()
        self._errors.close()

    def _fail(self) -> None:
        from nguon.observability import logger

        self._process.kill()
        self._process.wait()
        self._errors.seek(0)
        logger.error("ffmpeg failed", extra={"stderr": self._errors.read(4000).decode("replace")})
        self._result.close()
        self._errors.close()
        raise ServiceFailureException("Audio encoding failed.")
