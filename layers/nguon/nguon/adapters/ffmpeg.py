"""ffmpeg and ffprobe as the ingest uses them: probe, EBU R128 loudness, and board variants.

Every input is opened with the demuxer of the type found in its bytes (``-f``), never by name
or ffmpeg's own guess, and only from a local file. Commands run without a shell. Each call goes
through :meth:`Ffmpeg.run`, one place to time, count or fake.

Loudness (EBU R128, as radio automation does it): a first pass measures the input with
``loudnorm``'s JSON report; the second applies those values with ``linear=true`` — one gain for
the whole file, so speech keeps its dynamics. ``loudnorm`` itself falls back to its dynamic
mode when a linear gain cannot reach the target without passing the true-peak ceiling, or when
the measured loudness range is wider than the target's (or zero, as for a pure tone); the
result is on target either way and the mode used is reported.
"""

import json
import math
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from nguon.models.media import (
    LOUDNESS_RANGE_LU,
    LOUDNESS_TARGET_LUFS,
    SPEAKER_BITRATE,
    SPEAKER_SAMPLE_RATE,
    TRUE_PEAK_DBTP,
    BoardSize,
)

STDERR_KEPT = 2_000
"""Characters of ffmpeg's stderr kept in an error (the end, where the reason is)."""
SILENCE_LUFS = -70.0
"""EBU R128's absolute gate: anything quieter measures as silence."""

_LOUDNORM_JSON = re.compile(r"\{[^{}]*\"input_i\"[^{}]*\}", re.DOTALL)
_EBUR128_I = re.compile(r"Integrated loudness:\s*\n\s*I:\s*(-?[\d.]+|-inf)\s*LUFS")


class FfmpegError(Exception):
    """ffmpeg or ffprobe failed for a reason of ours (no space, killed, missing binary)."""


class Undecodable(FfmpegError):
    """The input cannot be decoded as the type its bytes claim: the file's fault."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


@dataclass(frozen=True)
class Stream:
    kind: str
    """``audio``, ``video``, ``subtitle``, ``data``."""
    codec: str | None
    width: int | None = None
    height: int | None = None
    channels: int | None = None
    sample_rate: int | None = None
    bit_rate: int | None = None
    attached_picture: bool = False
    """Cover art in an audio file: a video stream that is not a video."""


@dataclass(frozen=True)
class Probe:
    format_name: str
    duration_s: float | None
    bit_rate: int | None
    size: int | None
    streams: tuple[Stream, ...]

    @property
    def audio(self) -> Stream | None:
        return next((s for s in self.streams if s.kind == "audio"), None)

    @property
    def video(self) -> Stream | None:
        """The first real video stream (cover art does not count)."""
        return next((s for s in self.streams if s.kind == "video" and not s.attached_picture), None)


@dataclass(frozen=True)
class LoudnessScan:
    """``loudnorm``'s first-pass measurement (LUFS, dBTP, LU) and what the filter reported."""

    input_i: float
    input_tp: float
    input_lra: float
    input_thresh: float
    target_offset: float
    normalization_type: str = "dynamic"
    output_i: float | None = None

    @property
    def silent(self) -> bool:
        return not math.isfinite(self.input_i) or self.input_i <= SILENCE_LUFS


def ffprobe_next_to(ffmpeg: str) -> str:
    """ffprobe from the same place as ffmpeg (a layer's /opt/bin, or the PATH)."""
    path = Path(ffmpeg)
    name = path.name.replace("ffmpeg", "ffprobe", 1) if "ffmpeg" in path.name else "ffprobe"
    if path.parent == Path():
        return name
    return str(path.with_name(name))


def loudnorm_filter(scan: LoudnessScan | None = None, *, report: bool = True) -> str:
    """The ``loudnorm`` filter: a measuring first pass, or the second applying ``scan``."""
    options = [
        f"I={LOUDNESS_TARGET_LUFS:g}",
        f"TP={TRUE_PEAK_DBTP:g}",
        f"LRA={LOUDNESS_RANGE_LU:g}",
    ]
    if scan is not None:
        options += [
            f"measured_I={scan.input_i:.2f}",
            f"measured_TP={scan.input_tp:.2f}",
            f"measured_LRA={scan.input_lra:.2f}",
            f"measured_thresh={scan.input_thresh:.2f}",
            f"offset={scan.target_offset:.2f}",
            "linear=true",
        ]
    if report:
        options.append("print_format=json")
    return "loudnorm=" + ":".join(options)


def fit_filter(size: BoardSize, *, pixel_format: str, pad_color: str = "black") -> str:
    """Scale into the board keeping the aspect ratio, centre on ``pad_color``: exactly W×H."""
    width, height = size.width, size.height
    return (
        f"scale={width}:{height}:force_original_aspect_ratio=decrease:force_divisible_by=2,"
        f"format={pixel_format},"
        f"pad={width}:{height}:(ow-iw)/2:(oh-ih)/2:color={pad_color},setsar=1"
    )


class Ffmpeg:
    """The ffmpeg binary (Debian's locally, the ffmpeg layer's in Lambda) and its ffprobe."""

    def __init__(self, binary: str = "ffmpeg", *, timeout_s: float = 900.0) -> None:
        self.binary = binary
        self.ffprobe = ffprobe_next_to(binary)
        self.timeout_s = timeout_s

    # --- the one way out -------------------------------------------------------------------

    def run(self, args: list[str]) -> subprocess.CompletedProcess[str]:
        """Run one command; raise :class:`Undecodable` when it fails on its input."""
        try:
            done = subprocess.run(  # noqa: S603  # argument list, no shell; our binaries
                args,
                capture_output=True,
                text=True,
                errors="replace",
                timeout=self.timeout_s,
                check=False,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired as error:
            raise FfmpegError(
                f"{Path(args[0]).name} timed out after {self.timeout_s:.0f} s"
            ) from error
        if done.returncode != 0:
            tail = done.stderr[-STDERR_KEPT:]
            if "No space left" in tail or done.returncode < 0:  # our disk, or killed
                raise FfmpegError(f"{Path(args[0]).name} exited {done.returncode}: {tail}")
            raise Undecodable(_last_line(tail) or f"exit status {done.returncode}")
        return done

    def _ffmpeg(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.run([self.binary, "-hide_banner", "-nostdin", "-nostats", *args])

    # --- reading ---------------------------------------------------------------------------

    def probe(self, path: Path, demuxer: str) -> Probe:
        """Format and streams; :class:`Undecodable` when ffprobe finds no stream."""
        done = self.run(
            [
                self.ffprobe,
                "-v", "error",
                "-f", demuxer,
                "-show_format",
                "-show_streams",
                "-of", "json",
                str(path),
            ]
        )  # fmt: skip
        try:
            found = json.loads(done.stdout or "{}")
        except ValueError as error:
            raise Undecodable("unreadable probe") from error
        streams = tuple(_stream(raw) for raw in found.get("streams", []))
        if not streams:
            raise Undecodable(_last_line(done.stderr) or "no streams")
        form = found.get("format", {})
        return Probe(
            format_name=form.get("format_name", demuxer),
            duration_s=_float(form.get("duration")),
            bit_rate=_int(form.get("bit_rate")),
            size=_int(form.get("size")),
            streams=streams,
        )

    def scan_loudness(self, path: Path, demuxer: str, *, mono: bool) -> LoudnessScan:
        """The first pass: decode everything and measure (also proves the audio decodes)."""
        chain = ("aformat=channel_layouts=mono," if mono else "") + loudnorm_filter()
        done = self._ffmpeg(
            "-f", demuxer, "-i", str(path), "-map", "0:a:0", "-af", chain, "-f", "null", "-"
        )
        return _scan(done.stderr)

    def integrated_loudness(self, path: Path) -> float:
        """EBU R128 integrated loudness of a finished file (``ebur128``), in LUFS."""
        done = self._ffmpeg(
            "-i", str(path), "-map", "0:a:0", "-af", "ebur128=framelog=verbose", "-f", "null", "-"
        )
        found = _EBUR128_I.findall(done.stderr)
        if not found:
            raise FfmpegError("ebur128 printed no integrated loudness")
        return float(found[-1])

    # --- making variants -------------------------------------------------------------------

    def speaker_mp3(
        self, source: Path, demuxer: str, target: Path, scan: LoudnessScan
    ) -> LoudnessScan:
        """The second pass: mono, normalised with the first pass's values, MP3 at 44.1 kHz."""
        chain = (
            f"aformat=channel_layouts=mono,{loudnorm_filter(scan)},aresample={SPEAKER_SAMPLE_RATE}"
        )
        done = self._ffmpeg(
            "-f", demuxer, "-i", str(source),
            "-map", "0:a:0", "-map_metadata", "-1",
            "-af", chain,
            "-ac", "1", "-ar", str(SPEAKER_SAMPLE_RATE),
            "-c:a", "libmp3lame", "-b:a", str(SPEAKER_BITRATE),
            "-f", "mp3", "-y", str(target),
        )  # fmt: skip
        return _scan(done.stderr)

    def trim_gain(self, source: Path, target: Path, gain_db: float) -> None:
        """A speaker MP3 again, ``gain_db`` louder or softer, peaks held under the ceiling.

        For what loudnorm leaves off target: its dynamic mode (short clips, generated speech)
        can end a couple of LU short."""
        ceiling = 10 ** (TRUE_PEAK_DBTP / 20)
        self._ffmpeg(
            "-f", "mp3", "-i", str(source),
            "-map", "0:a:0", "-map_metadata", "-1",
            "-af", f"volume={gain_db:.2f}dB,alimiter=limit={ceiling:.3f}:level=disabled",
            "-ac", "1", "-ar", str(SPEAKER_SAMPLE_RATE),
            "-c:a", "libmp3lame", "-b:a", str(SPEAKER_BITRATE),
            "-f", "mp3", "-y", str(target),
        )  # fmt: skip

    def fit_image(self, source: Path, demuxer: str, target: Path, size: BoardSize) -> None:
        """One still (the first frame of a GIF), fitted to the board: JPEG or PNG by suffix."""
        if target.suffix == ".png":
            vf, codec = fit_filter(size, pixel_format="rgba", pad_color="black@0"), "png"
            quality: tuple[str, ...] = ()
        else:
            vf, codec = fit_filter(size, pixel_format="yuvj420p"), "mjpeg"
            quality = ("-q:v", "3")
        self._ffmpeg(
            "-f", demuxer, "-i", str(source),
            "-map", "0:v:0", "-map_metadata", "-1", "-frames:v", "1",
            "-vf", vf, "-c:v", codec, *quality,
            "-f", "image2", "-update", "1", "-y", str(target),
        )  # fmt: skip

    def fit_video(
        self, source: Path, demuxer: str, target: Path, size: BoardSize, scan: LoudnessScan | None
    ) -> None:
        """H.264 (yuv420p, fast start) fitted to the board; AAC stereo normalised, if any."""
        audio: tuple[str, ...] = ("-an",)
        if scan is not None:
            chain = f"{loudnorm_filter(scan, report=False)},aresample=48000"
            audio = (
                "-map", "0:a:0", "-af", chain,
                "-c:a", "aac", "-b:a", "128k", "-ac", "2", "-ar", "48000",
            )  # fmt: skip
        self._ffmpeg(
            "-f", demuxer, "-i", str(source),
            "-map", "0:v:0", "-map_metadata", "-1",
            "-vf", fit_filter(size, pixel_format="yuv420p"),
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-profile:v", "high",
            *audio,
            "-movflags", "+faststart", "-f", "mp4", "-y", str(target),
        )  # fmt: skip


def _scan(stderr: str) -> LoudnessScan:
    found = _LOUDNORM_JSON.findall(stderr)
    if not found:
        raise FfmpegError("loudnorm printed no measurement")
    raw = json.loads(found[-1])
    return LoudnessScan(
        input_i=float(raw["input_i"]),
        input_tp=float(raw["input_tp"]),
        input_lra=float(raw["input_lra"]),
        input_thresh=float(raw["input_thresh"]),
        target_offset=float(raw["target_offset"]),
        normalization_type=raw.get("normalization_type", "dynamic"),
        output_i=_float(raw.get("output_i")),
    )


def _stream(raw: dict) -> Stream:
    return Stream(
        kind=raw.get("codec_type", "data"),
        codec=raw.get("codec_name"),
        width=_int(raw.get("width")),
        height=_int(raw.get("height")),
        channels=_int(raw.get("channels")),
        sample_rate=_int(raw.get("sample_rate")),
        bit_rate=_int(raw.get("bit_rate")),
        attached_picture=bool(raw.get("disposition", {}).get("attached_pic")),
    )


def _float(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]  # ffprobe gives strings
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _int(value: object) -> int | None:
    number = _float(value)
    return int(number) if number is not None else None


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""
