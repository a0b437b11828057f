"""What a file really is, from its first bytes (magic numbers), never from its name.

The ingest reads ``SNIFF_BYTES`` from the start of an upload and asks :func:`sniff`. The answer
also names the ffmpeg demuxer to open the file with, so the file is decoded as the type found
and nothing else (a playlist or a text file is never handed to ffmpeg's guessing).
"""

from dataclasses import dataclass

SNIFF_BYTES = 64 * 1024
"""Enough for an ID3v2 tag of album art in most files, and for the WebM DocType."""


@dataclass(frozen=True)
class Sniffed:
    """A type found in the bytes: its MIME type and the ffmpeg demuxer that reads it."""

    mime: str
    demuxer: str | None
    """``None``: not a format ffmpeg decodes here (PDF)."""
    may_be_audio_only: bool = False
    """An ISO base media file with a generic brand: audio/mp4 when it has no video stream."""


_MP4_AUDIO_BRANDS = {b"M4A ", b"M4B ", b"M4P ", b"F4A ", b"F4B "}
_QUICKTIME_BRANDS = {b"qt  "}

# MPEG audio: sample rates by version bits (index 3 is reserved).
_MPEG_RESERVED_RATE = 3
_MPEG_BAD_BITRATE = 15


def sniff(head: bytes) -> Sniffed | None:
    """The type of a file starting with ``head``, or ``None`` when it is none we take."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Sniffed("image/png", "png_pipe")
    if head.startswith(b"\xff\xd8\xff"):
        return Sniffed("image/jpeg", "jpeg_pipe")
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return Sniffed("image/gif", "gif")
    if head.startswith(b"%PDF-"):
        return Sniffed("application/pdf", None)
    if head[:4] == b"RIFF" and len(head) >= 12:
        if head[8:12] == b"WAVE":
            return Sniffed("audio/wav", "wav")
        if head[8:12] == b"WEBP":
            return Sniffed("image/webp", "webp_pipe")
        return None  # AVI and the rest of RIFF: not taken
    if head.startswith(b"OggS"):
        return Sniffed("audio/ogg", "ogg")
    if head.startswith(b"fLaC"):
        return Sniffed("audio/flac", "flac")
    if len(head) >= 12 and head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _MP4_AUDIO_BRANDS:
            return Sniffed("audio/mp4", "mov")
        if brand in _QUICKTIME_BRANDS:
            return Sniffed("video/quicktime", "mov")
        return Sniffed("video/mp4", "mov", may_be_audio_only=True)
    if head.startswith(b"\x1a\x45\xdf\xa3"):  # EBML: Matroska or WebM, by DocType
        if b"webm" in head[:64]:  # the DocType element, early in the EBML header
            return Sniffed("video/webm", "matroska")
        return None  # Matroska that is not WebM: not taken
    if head.startswith(b"ID3") and len(head) >= 10:
        return _after_id3(head)
    return _mpeg_frame(head, 0)


def _after_id3(head: bytes) -> Sniffed | None:
    """An ID3v2 tag, then MPEG audio (MP3) or ADTS (AAC)."""
    size = 0
    for byte in head[6:10]:  # syncsafe: 7 bits a byte
        if byte & 0x80:
            return None
        size = (size << 7) | byte
    offset = 10 + size + (10 if head[5] & 0x10 else 0)  # footer flag
    if offset + 4 > len(head):
        return Sniffed("audio/mpeg", "mp3")  # a tag longer than we read: MP3's is the norm
    return _mpeg_frame(head, offset)


def _mpeg_frame(head: bytes, offset: int) -> Sniffed | None:
    """An MPEG audio frame header (11 sync bits) at ``offset``: MP3 (layers I–III) or ADTS."""
    if offset + 4 > len(head):
        return None
    first, second, third = head[offset], head[offset + 1], head[offset + 2]
    if first != 0xFF or second & 0xE0 != 0xE0:
        return None
    layer = (second >> 1) & 0x03
    if layer == 0:  # ADTS (AAC): layer bits are 00, the version bit set
        if second & 0xF6 == 0xF0:
            return Sniffed("audio/aac", "aac")
        return None
    if (second >> 3) & 0x03 == 1:  # reserved MPEG version
        return None
    if (third >> 4) == _MPEG_BAD_BITRATE or ((third >> 2) & 0x03) == _MPEG_RESERVED_RATE:
        return None
    return Sniffed("audio/mpeg", "mp3")
