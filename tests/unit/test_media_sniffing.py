"""What a file is, from its first bytes; and the names it is stored under."""

import pytest

from nguon.adapters.ffmpeg import LoudnessScan, ffprobe_next_to, loudnorm_filter
from nguon.services.media import media_id_of, safe_file_name
from nguon.services.sniffing import sniff

ID3_THEN_FRAME = b"ID3\x04\x00\x00\x00\x00\x00\x05" + b"\x00" * 5 + b"\xff\xfb\x90\x64"


@pytest.mark.parametrize(
    ("head", "mime", "demuxer"),
    [
        (b"RIFF\x24\x08\x00\x00WAVEfmt ", "audio/wav", "wav"),
        (b"RIFF\x24\x08\x00\x00WEBPVP8 ", "image/webp", "webp_pipe"),
        (ID3_THEN_FRAME, "audio/mpeg", "mp3"),
        (b"ID3\x03\x00\x00\x00\x00\x7f\x7f", "audio/mpeg", "mp3"),  # a tag longer than read
        (b"\xff\xfb\x90\x64" + b"\x00" * 100, "audio/mpeg", "mp3"),  # MPEG-1 layer III frame
        (b"\xff\xf1\x50\x80\x02\x1f\xfc", "audio/aac", "aac"),  # ADTS
        (b"OggS\x00\x02", "audio/ogg", "ogg"),
        (b"fLaC\x00\x00\x00\x22", "audio/flac", "flac"),
        (b"\x00\x00\x00\x20ftypM4A \x00\x00\x02\x00", "audio/mp4", "mov"),
        (b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00", "video/mp4", "mov"),
        (b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00", "video/quicktime", "mov"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm", "video/webm", "matroska"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR", "image/png", "png_pipe"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg", "jpeg_pipe"),
        (b"GIF89a\x01\x00\x01\x00", "image/gif", "gif"),
        (b"%PDF-1.7\n", "application/pdf", None),
    ],
)
def test_types_are_found_in_the_bytes(head, mime, demuxer):
    found = sniff(head)

    assert (found.mime, found.demuxer) == (mime, demuxer)


@pytest.mark.parametrize(
    "head",
    [
        b"",
        "Đây là văn bản, không phải âm thanh.".encode(),
        b"#EXTM3U\n#EXT-X-VERSION:3\nhttp://example.com/a.ts\n",  # a playlist: never to ffmpeg
        b"RIFF\x24\x08\x00\x00AVI LIST",
        b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x88matroska",
        b"\xff\xff\xff\xff",  # sync bits, reserved values
        b"ID3\x04\x00\x00\x80\x00\x00\x00",  # a tag size that is not syncsafe
        b"PK\x03\x04",  # a zip (docx, apk...)
    ],
)
def test_anything_else_is_no_type_we_take(head):
    assert sniff(head) is None


def test_an_mp4_with_a_generic_brand_may_be_audio_only():
    assert sniff(b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00").may_be_audio_only
    assert not sniff(b"\x00\x00\x00\x20ftypM4A \x00\x00\x02\x00").may_be_audio_only


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("Thông báo lịch tiêm.mp3", "Thong-bao-lich-tiem.mp3"),
        ("Đường điện.WAV", "Duong-dien.wav"),
        ("../../etc/passwd", "etc-passwd"),
        ("bản tin (1).final.mp4", "ban-tin-1-final.mp4"),
        ("a.tar.gz", "a-tar.gz"),
        ("ảnh.trang bìa", "anh-trang-bia"),
        ("...", "file"),
        ("không đuôi", "khong-duoi"),
    ],
)
def test_file_names_become_safe_key_segments(name, safe):
    assert safe_file_name(name) == safe


def test_the_media_id_is_read_from_upload_keys_only():
    assert media_id_of("uploads/21550/abc-123/x.mp3") == "abc-123"
    assert media_id_of("media/abc-123/speaker.mp3") is None
    assert media_id_of("uploads/21550/abc-123/x/y.mp3") is None
    assert media_id_of("uploads/21550//x.mp3") is None


def test_ffprobe_is_found_next_to_ffmpeg():
    assert ffprobe_next_to("ffmpeg") == "ffprobe"
    assert ffprobe_next_to("/opt/bin/ffmpeg") == "/opt/bin/ffprobe"
    assert ffprobe_next_to("/usr/local/bin/ffmpeg-5.1") == "/usr/local/bin/ffprobe-5.1"


def test_the_second_loudnorm_pass_applies_the_first_ones_measurement():
    scan = LoudnessScan(
        input_i=-29.95, input_tp=-26.26, input_lra=2.3, input_thresh=-39.95, target_offset=0.04
    )

    assert loudnorm_filter() == "loudnorm=I=-16:TP=-1:LRA=11:print_format=json"
    assert loudnorm_filter(scan) == (
        "loudnorm=I=-16:TP=-1:LRA=11:measured_I=-29.95:measured_TP=-26.26:measured_LRA=2.30"
        ":measured_thresh=-39.95:offset=0.04:linear=true:print_format=json"
    )
