"""espeak-ng in this process, through ctypes on the library ``espeakng-loader`` ships.

The library (libespeak-ng 1.52 with its data, Vietnamese included) is loaded once, initialised
in ``AUDIO_OUTPUT_SYNCHRONOUS`` mode (``espeak_Synth`` returns when the text is spoken, audio
and events having been handed to our callback), and used under one process-wide lock:
espeak-ng keeps its state in globals and is not thread-safe.

Voices (Polly-style Ids, ``LanguageCode`` ``vi-VN``, engine ``standard``):

=========  ======  ========================  ==========================================
Id         Gender  espeak-ng voice           accent
=========  ======  ========================  ==========================================
Bac        Male    ``vi``                    Northern (miền Bắc, Hà Nội)
Trung      Male    ``vi-vn-x-central``       Central (miền Trung, Huế; Bình Định's)
Nam        Male    ``vi-vn-x-south``         Southern (miền Nam, Sài Gòn)
BacNu      Female  ``vi+f2``                 Northern, espeak-ng's female variant f2
TrungNu    Female  ``vi-vn-x-central+f2``    Central, female
NamNu      Female  ``vi-vn-x-south+f2``      Southern, female
=========  ======  ========================  ==========================================

("Nam" is the South, miền Nam; "Nu" is nữ, female.) The espeak-ng names themselves are
accepted as VoiceId aliases of the male voices, so ``NGUON_DEFAULT_VOICE=vi-vn-x-central``
means Trung.

Prosody: rate scales espeak-ng's 175 words a minute (its range 80–450), volume in dB becomes
its amplitude (100 normal, at most 200: its output is already near full scale), pitch scales
its base pitch 50 (0–100). Marks come from espeak-ng's own WORD and SENTENCE events: exact.
"""

import ctypes
import os
import threading
from collections.abc import Sequence
from functools import lru_cache
from typing import ClassVar

from nguon.speech.engines.base import Gender, Mark, Pcm, PcmBuilder, Segment, SpeechEngine, Voice
from nguon.speech.errors import ServiceFailureException

AUDIO_OUTPUT_SYNCHRONOUS = 2
POS_CHARACTER = 1
ESPEAK_CHARS_UTF8 = 1
ESPEAK_ENDPAUSE = 0x1000
EVENT_LIST_TERMINATED = 0
EVENT_WORD = 1
EVENT_SENTENCE = 2
PARAM_RATE = 1
PARAM_VOLUME = 2
PARAM_PITCH = 3
NORMAL_RATE = 175
MIN_RATE, MAX_RATE = 80, 450


class _EventId(ctypes.Union):
    _fields_ = (
        ("number", ctypes.c_int),
        ("name", ctypes.c_char_p),
        ("string", ctypes.c_char * 8),
    )


class _Event(ctypes.Structure):
    """``espeak_EVENT`` of speak_lib.h (API revision 12)."""

    _fields_ = (
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),  # characters from the start of the text, from 1
        ("length", ctypes.c_int),  # word length in characters
        ("audio_position", ctypes.c_int),  # ms into this message's audio
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", _EventId),
    )


_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event)
)

_LOCK = threading.Lock()
"""espeak-ng is one global state: every call into it holds this lock."""


class _Collector:
    """Where the callback puts what espeak-ng hands over during one ``espeak_Synth``."""

    def __init__(self) -> None:
        self.audio = bytearray()
        self.events: list[tuple[int, int, int, int]] = []

    def reset(self) -> None:
        self.audio = bytearray()
        self.events = []


_COLLECTOR = _Collector()


@_CALLBACK
def _on_synth(wav: ctypes.Array, count: int, events: ctypes.Array) -> int:
    if wav and count > 0:
        _COLLECTOR.audio += ctypes.string_at(wav, count * 2)
    index = 0
    while events[index].type != EVENT_LIST_TERMINATED:
        event = events[index]
        if event.type in (EVENT_WORD, EVENT_SENTENCE):
            _COLLECTOR.events.append(
                (event.type, event.text_position, event.length, event.audio_position)
            )
        index += 1
    return 0  # continue


class _Library:
    """The loaded, initialised libespeak-ng (one per process)."""

    def __init__(self) -> None:
        import espeakng_loader

        self.lib = ctypes.CDLL(espeakng_loader.get_library_path())
        lib = self.lib
        lib.espeak_Initialize.argtypes = (ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int)
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_SetSynthCallback.argtypes = (_CALLBACK,)
        lib.espeak_SetSynthCallback.restype = None
        lib.espeak_SetVoiceByName.argtypes = (ctypes.c_char_p,)
        lib.espeak_SetVoiceByName.restype = ctypes.c_int
        lib.espeak_SetParameter.argtypes = (ctypes.c_int, ctypes.c_int, ctypes.c_int)
        lib.espeak_SetParameter.restype = ctypes.c_int
        lib.espeak_Synth.argtypes = (
            ctypes.c_char_p,
            ctypes.c_size_t,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.c_void_p,
            ctypes.c_void_p,
        )
        lib.espeak_Synth.restype = ctypes.c_int
        # The path is the directory *holding* espeak-ng-data.
        home = os.path.dirname(espeakng_loader.get_data_path())
        rate = lib.espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, home.encode(), 0)
        if rate <= 0:
            raise ServiceFailureException("The speech engine could not start.")
        self.sample_rate = rate
        lib.espeak_SetSynthCallback(_on_synth)
        self.current_voice: str | None = None

    def set_voice(self, name: str) -> bool:
        if name == self.current_voice:
            return True
        if self.lib.espeak_SetVoiceByName(name.encode()) != 0:
            return False
        self.current_voice = name
        return True

    def speak(
        self, text: str, rate: int, volume: int, pitch: int, *, end_pause: bool = False
    ) -> _Collector:
        self.lib.espeak_SetParameter(PARAM_RATE, rate, 0)
        self.lib.espeak_SetParameter(PARAM_VOLUME, volume, 0)
        self.lib.espeak_SetParameter(PARAM_PITCH, pitch, 0)
        encoded = text.encode("utf-8")
        _COLLECTOR.reset()
        flags = ESPEAK_CHARS_UTF8 | (ESPEAK_ENDPAUSE if end_pause else 0)
        status = self.lib.espeak_Synth(
            encoded, len(encoded) + 1, 0, POS_CHARACTER, 0, flags, None, None
        )
        if status != 0:
            raise ServiceFailureException("The speech engine failed.")
        return _COLLECTOR


@lru_cache(maxsize=1)
def _library() -> _Library:
    return _Library()


_VOICES: tuple[tuple[str, Gender, str, str, tuple[str, ...]], ...] = (
    ("Bac", "Male", "vi", "Bắc (giọng Hà Nội, nam)", ("vi",)),
    ("Trung", "Male", "vi-vn-x-central", "Trung (giọng Huế, nam)", ("vi-vn-x-central",)),
    ("Nam", "Male", "vi-vn-x-south", "Nam (giọng Sài Gòn, nam)", ("vi-vn-x-south",)),
    ("BacNu", "Female", "vi+f2", "Bắc (giọng Hà Nội, nữ)", ()),
    ("TrungNu", "Female", "vi-vn-x-central+f2", "Trung (giọng Huế, nữ)", ()),
    ("NamNu", "Female", "vi-vn-x-south+f2", "Nam (giọng Sài Gòn, nữ)", ()),
)


class EspeakEngine(SpeechEngine):
    """espeak-ng's three Vietnamese accents, male and female; exact word and sentence marks."""

    name = "espeak"
    exact_marks = True
    _voices: ClassVar[list[Voice]] = [
        Voice(
            id=voice_id,
            name=name,
            gender=gender,
            language_code="vi-VN",
            language_name="Vietnamese",
            supported_engines=("standard",),
            engine_voice=engine_voice,
            aliases=aliases,
        )
        for voice_id, gender, engine_voice, name, aliases in _VOICES
    ]

    def voices(self) -> list[Voice]:
        return list(self._voices)

    @property
    def sample_rate(self) -> int:
        with _LOCK:
            return _library().sample_rate

    def synthesize(
        self, segments: Sequence[Segment], voice: Voice, *, engine: str | None = None
    ) -> Pcm:
        with _LOCK:
            library = _library()
            builder = PcmBuilder(library.sample_rate)
            offset = 0
            for segment in segments:
                builder.begin_segment()
                builder.silence(segment.pause_ms)
                if segment.text.strip():
                    self._speak(library, builder, segment, voice, offset)
                offset += len(segment.text)
            return builder.build()

    @staticmethod
    def _speak(
        library: _Library, builder: PcmBuilder, segment: Segment, voice: Voice, offset: int
    ) -> None:
        name = voice.engine_voice
        if segment.language and not segment.language.lower().startswith("vi"):
            # <lang xml:lang="en-US">: espeak-ng's voice for that language, same variant.
            variant = name.partition("+")[2]
            other = segment.language.split("-")[0].lower() + (f"+{variant}" if variant else "")
            name = voice.engine_voice if not library.set_voice(other) else other
        if not library.set_voice(name):
            raise ServiceFailureException(f"The speech engine has no voice {voice.id}.")
        rate = min(max(round(NORMAL_RATE * segment.rate), MIN_RATE), MAX_RATE)
        volume = min(max(round(100 * 10 ** (segment.volume_db / 20)), 0), 200)
        pitch = min(max(round(50 * segment.pitch), 0), 100)
        start_ms = builder.time_ms
        collected = library.speak(segment.text, rate, volume, pitch, end_pause=segment.end_pause)
        words = [event for event in collected.events if event[0] == EVENT_WORD]
        sentences = [event for event in collected.events if event[0] == EVENT_SENTENCE]
        text = segment.text
        for _kind, position, length, audio_ms in words:
            start = max(position - 1, 0)
            builder.marks.append(
                Mark("word", start_ms + audio_ms, offset + start, offset + start + length)
            )
        starts = [max(position - 1, 0) for _, position, _, _ in sentences]
        for index, (_, _, _, audio_ms) in enumerate(sentences):
            start = starts[index]
            # A sentence event comes before its first word: start at that word, not a space.
            while start < len(text) and text[start].isspace():
                start += 1
            end = starts[index + 1] if index + 1 < len(starts) else len(text)
            end = len(text[:end].rstrip())
            if end > start:
                builder.marks.append(
                    Mark("sentence", start_ms + audio_ms, offset + start, offset + end)
                )
        builder.audio(bytes(collected.audio))
