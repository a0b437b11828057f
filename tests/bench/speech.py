"""Speech: a 1,000-word Vietnamese bulletin through the service against the bare engine.

Run it alone (about a minute; ``--quick`` about 20 s)::

    .venv/bin/python -m tests.bench.speech [--quick]

``run(quick)`` answers the figures as a dict (for ``make bench`` to keep with the others).

1. ``service``: :meth:`SpeechService.synthesize_long` on the raw bulletin with the Central
   voice (Trung) to MP3 at 22,050 Hz: the Vietnamese normaliser, sentence chunks of 2,000
   characters, espeak-ng through ctypes, LAME through lameenc, all as the task worker and
   the bulletins' voices run them.
2. ``baseline``: the least any service must do for the same audio: the *already normalised*
   text (normalised once, untimed) read by one ``espeak_Synth`` call through ctypes, and the
   whole PCM encoded by one lameenc encoder with the same settings. No SSML, no maps, no
   chunks.

Each figure is the median of 7 runs (``--quick``: 3) after one untimed warm-up, the two
interleaved so both see the same machine state, timed with ``time.perf_counter``. The
real-time factor is wall time / audio duration (lower is faster: 0.01 reads a minute of
speech in 0.6 s); ``ratio`` is service / baseline. ``parts`` times the normaliser alone, the
espeak-ng call alone and the encoder alone on the same text, to show where time goes.

The bulletin is built deterministically from the sentences below (dates, times, numbers,
money, phone numbers and abbreviations, so the normaliser has its usual work) until it holds
1,000 words as written.
"""

import gc
import json
import statistics
import sys
import time
from collections.abc import Callable

from tests.lambda_env import function_environment

WORDS = 1_000
VOICE = "Trung"
SENTENCES = (
    "UBND xã Nhơn Bình thông báo lịch tiêm chủng mở rộng tháng 12/2025 cho trẻ em dưới 5 tuổi.",
    "Thời gian tiêm từ 7h30 đến 11h00 các ngày thứ Hai, thứ Tư và thứ Sáu tại Trạm y tế xã.",
    "Phụ huynh mang theo sổ tiêm chủng và thẻ BHYT của trẻ khi đến tiêm.",
    "Mọi thắc mắc xin liên hệ số điện thoại 0256 3822 123 trong giờ hành chính.",
    "Do ảnh hưởng của áp thấp nhiệt đới, lượng mưa từ 100 đến 200mm có thể gây ngập úng cục bộ.",
    "Bà con các thôn ven sông Hà Thanh chủ động di dời tài sản, gia súc đến nơi an toàn.",
    "HĐND tỉnh Bình Định khóa XII tổ chức kỳ họp thứ 15 vào ngày 20/12/2025.",
    "Mức hỗ trợ cho mỗi hộ nghèo là 1.500.000 đồng, chi trả trước ngày 31/12.",
    "Đoàn thanh niên phối hợp với Hội LHPN ra quân dọn vệ sinh môi trường vào sáng Chủ nhật.",
    "Người dân không đốt rác thải, rơm rạ gần khu dân cư và đường dây điện.",
    "Công an xã khuyến cáo người dân cảnh giác với các cuộc gọi lừa đảo qua mạng.",
    "Năm 2026 phấn đấu 80% hồ sơ thủ tục hành chính được xử lý trực tuyến.",
)  # fmt: skip


def bulletin(words: int = WORDS) -> str:
    """Sentences in a fixed order, cycled, until the text has ``words`` words as written."""
    chosen: list[str] = []
    count = 0
    index = 0
    while count < words:
        sentence = SENTENCES[index % len(SENTENCES)]
        remaining = words - count
        parts = sentence.split()
        if len(parts) > remaining:
            sentence = " ".join(parts[:remaining]).rstrip(",.") + "."
            parts = sentence.split()
        chosen.append(sentence)
        count += len(parts)
        index += 1
    return " ".join(chosen)


def _timed(action: Callable[[], object]) -> float:
    gc.collect()
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _median(values: list[float]) -> float:
    return round(statistics.median(values), 4)


def run(quick: bool = False) -> dict:
    """The speech figures; ``quick`` takes 3 runs instead of 7."""
    runs = 3 if quick else 7
    started = time.perf_counter()
    with function_environment():
        from nguon.speech import audio
        from nguon.speech.engines import espeak
        from nguon.speech.engines.espeak import EspeakEngine
        from nguon.speech.synthesis import SpeechService, default_normalizer

        class NoLexicons:
            def get(self, name: str) -> None:
                return None

        normalize = default_normalizer()
        service = SpeechService([EspeakEngine()], NoLexicons())  # type: ignore[arg-type]
        text = bulletin()
        normalised = normalize(text).text
        library = espeak._library()

        def through_service() -> object:
            return service.synthesize_long(text, VOICE, output_format="mp3")

        def bare_pcm() -> bytes:
            with espeak._LOCK:
                library.set_voice("vi-vn-x-central")
                return bytes(library.speak(normalised, espeak.NORMAL_RATE, 100, 50).audio)

        def bare() -> bytes:
            return audio.to_mp3(bare_pcm(), library.sample_rate, 22050)

        warm = service.synthesize_long(text, VOICE, output_format="mp3")
        pcm = bare_pcm()
        audio_s = warm.duration_ms / 1000
        baseline_audio_s = len(pcm) / 2 / library.sample_rate
        service_times: list[float] = []
        baseline_times: list[float] = []
        for _ in range(runs):
            service_times.append(_timed(through_service))
            baseline_times.append(_timed(bare))
        normaliser_s = _median([_timed(lambda: normalize(text)) for _ in range(runs)])
        espeak_s = _median([_timed(bare_pcm) for _ in range(runs)])
        lame_s = _median(
            [_timed(lambda: audio.to_mp3(pcm, library.sample_rate, 22050)) for _ in range(runs)]
        )
        service_s = _median(service_times)
        baseline_s = _median(baseline_times)
        results = {
            "runs": runs,
            "words": len(text.split()),
            "characters": len(text),
            "normalised_characters": len(normalised),
            "normaliser": getattr(normalize, "__module__", "?"),
            "voice": VOICE,
            "audio_s": round(audio_s, 2),
            "baseline_audio_s": round(baseline_audio_s, 2),
            "mp3_bytes": len(warm.audio),
            "service": {"wall_s": service_s, "rtf": round(service_s / audio_s, 5)},
            "baseline": {"wall_s": baseline_s, "rtf": round(baseline_s / baseline_audio_s, 5)},
            "ratio": round((service_s / audio_s) / (baseline_s / baseline_audio_s), 2),
            "parts": {"normaliser_s": normaliser_s, "espeak_s": espeak_s, "lame_s": lame_s},
        }
    results["section_s"] = round(time.perf_counter() - started, 1)
    return results


if __name__ == "__main__":
    print(json.dumps(run(quick="--quick" in sys.argv[1:]), indent=2, ensure_ascii=False))
