"""PLS lexicons: reading, checking, storing, and what an alias changes in speech."""

import json

import pytest

from nguon.speech.engines.espeak import EspeakEngine
from nguon.speech.errors import (
    InvalidLexiconException,
    LexiconSizeExceededException,
    MaxLexemeLengthExceededException,
    MaxLexiconsNumberExceededException,
    UnsupportedPlsAlphabetException,
    UnsupportedPlsLanguageException,
    ValidationException,
)
from nguon.speech.lexicons import AliasRewriter, parse_lexicon, render_lexicon
from nguon.speech.plans import SynthesisRequest
from nguon.speech.synthesis import SpeechService
from tests.unit.speech.conftest import identity_normalizer

PLS = """<?xml version="1.0" encoding="UTF-8"?>
<lexicon version="1.0"
      xmlns="http://www.w3.org/2005/01/pronunciation-lexicon"
      xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
      xsi:schemaLocation="http://www.w3.org/2005/01/pronunciation-lexicon
        http://www.w3.org/TR/2007/CR-pronunciation-lexicon-20071212/pls.xsd"
      alphabet="ipa" xml:lang="vi-VN">
  <lexeme>
    <grapheme>UBND</grapheme>
    <alias>uỷ ban nhân dân</alias>
  </lexeme>
  <lexeme>
    <grapheme>HĐND</grapheme>
    <grapheme>H.Đ.N.D</grapheme>
    <alias>hội đồng nhân dân</alias>
  </lexeme>
  <lexeme>
    <grapheme>Quy Nhơn</grapheme>
    <phoneme>kwi ɲəːn</phoneme>
  </lexeme>
</lexicon>"""


class MemoryLexicons:
    def __init__(self) -> None:
        self.stored = {}

    def get(self, name):
        return self.stored.get(name)

    def put(self, lexicon):
        self.stored[lexicon.name] = lexicon

    def delete(self, name):
        return self.stored.pop(name, None) is not None

    def page(self, next_token):
        return sorted(self.stored.values(), key=lambda lexicon: lexicon.name), None

    def count(self):
        return len(self.stored)


@pytest.fixture
def service():
    return SpeechService([EspeakEngine()], MemoryLexicons(), normalizer=identity_normalizer)


def test_a_pls_document_is_read_with_its_lexemes():
    lexicon = parse_lexicon("DiaPhuong", PLS, languages=["vi-VN"], last_modified=1.5)

    assert (lexicon.alphabet, lexicon.language_code, lexicon.size) == ("ipa", "vi-VN", len(PLS))
    assert [lexeme.graphemes for lexeme in lexicon.lexemes] == [
        ("UBND",),
        ("HĐND", "H.Đ.N.D"),
        ("Quy Nhơn",),
    ]
    assert lexicon.lexemes[2].alias is None
    assert lexicon.lexemes[2].phonemes == ("kwi ɲəːn",)
    attributes = lexicon.attributes("arn:aws:polly:r:1:lexicon/DiaPhuong")
    assert attributes["LexemesCount"] == 3
    assert attributes["LastModified"] == 1.5
    assert lexicon.applies_to("vi-VN")
    assert not lexicon.applies_to("en-US")


def test_round_trip_through_the_service(service):
    service.put_lexicon("DiaPhuong", PLS, now=10.0)

    again = service.get_lexicon("DiaPhuong")
    assert again.content == PLS
    assert [lexicon.name for lexicon in service.list_lexicons()[0]] == ["DiaPhuong"]
    service.put_lexicon("DiaPhuong", render_lexicon("vi", {"A": "a"}), now=11.0)  # overwrite
    assert len(service.get_lexicon("DiaPhuong").lexemes) == 1
    service.delete_lexicon("DiaPhuong")
    assert service.list_lexicons()[0] == []


def test_aliases_replace_whole_words_and_map_back():
    rewriter = AliasRewriter([parse_lexicon("A", PLS)])
    text = "UBND và HĐND, không phải UBNDX; H.Đ.N.D Quy Nhơn."
    mapped = rewriter.apply(text)

    assert mapped.text == (
        "uỷ ban nhân dân và hội đồng nhân dân, không phải UBNDX; hội đồng nhân dân Quy Nhơn."
    )
    start, end = mapped.source_range(3, 6)  # "ban" inside the first alias
    assert text[start:end] == "UBND"
    where = mapped.text.index("không")
    start, end = mapped.source_range(where, where + 5)
    assert text[start:end] == "không"


def test_the_first_lexicon_named_wins():
    first = parse_lexicon("A", render_lexicon("vi-VN", {"UBND": "một"}))
    second = parse_lexicon("B", render_lexicon("vi-VN", {"UBND": "hai", "HTX": "hợp tác xã"}))
    assert AliasRewriter([first, second]).apply("UBND HTX").text == "một hợp tác xã"
    assert AliasRewriter([second, first]).apply("UBND HTX").text == "hai hợp tác xã"


def test_an_alias_changes_the_reading_marks_and_duration(service):
    text = "BĐ kêu gọi bà con."
    plain = SynthesisRequest(text=text, voice_id="Trung", output_format="pcm")
    before = service.synthesize(plain)
    service.put_lexicon("Tinh", render_lexicon("vi-VN", {"BĐ": "tỉnh Bình Định"}), now=0)
    aliased = SynthesisRequest(
        text=text, voice_id="Trung", output_format="pcm", lexicon_names=("Tinh",)
    )
    after = service.synthesize(aliased)
    assert len(after.audio) > len(before.audio) * 1.2  # "tỉnh Bình Định" is longer than "BĐ"

    marks_request = SynthesisRequest(
        text=text,
        voice_id="Trung",
        output_format="json",
        speech_mark_types=("word",),
        lexicon_names=("Tinh",),
    )
    words = [json.loads(line) for line in service.synthesize(marks_request).audio.splitlines()]
    # three engine words ("tỉnh", "Bình", "Định") read one input word: one mark for "BĐ"
    assert [word["value"] for word in words] == ["BĐ", "kêu", "gọi", "bà", "con"]
    assert (words[0]["start"], words[0]["end"]) == (0, len("BĐ".encode()))


def test_a_lexicon_of_another_language_is_not_applied(service):
    service.put_lexicon("Anh", render_lexicon("vi-VN", {"OK": "đồng ý"}), now=0)
    service.lexicons.stored["Anh"] = parse_lexicon("Anh", render_lexicon("en-US", {"OK": "okay"}))
    request = SynthesisRequest(
        text="OK",
        voice_id="Bac",
        output_format="json",
        speech_mark_types=("word",),
        lexicon_names=("Anh",),
    )
    assert service.plan(request).rewriter.aliases == {}


_NO_GRAPHEME_TEXT = PLS.replace("<grapheme>UBND</grapheme>", "<grapheme> </grapheme>")
_ENTRY = PLS.replace("<lexeme>", "<entry>", 1).replace("</lexeme>", "</entry>", 1)
_DTD = '<!DOCTYPE lexicon [<!ENTITY a "aaaa">]>' + PLS.split("?>", 1)[1]


@pytest.mark.parametrize(
    ("content", "error"),
    [
        ("not xml", InvalidLexiconException),
        ("<lexicon/>", InvalidLexiconException),  # no PLS namespace
        (PLS.replace('version="1.0"', 'version="2.0"'), InvalidLexiconException),
        (PLS.replace(' xml:lang="vi-VN"', ""), InvalidLexiconException),
        (PLS.replace("<alias>uỷ ban nhân dân</alias>", ""), InvalidLexiconException),
        (PLS.replace("<grapheme>UBND</grapheme>", ""), InvalidLexiconException),
        (_NO_GRAPHEME_TEXT, InvalidLexiconException),
        (_ENTRY, InvalidLexiconException),
        (PLS.replace('alphabet="ipa"', 'alphabet="arpabet"'), UnsupportedPlsAlphabetException),
        (PLS.replace('xml:lang="vi-VN"', 'xml:lang="fr-FR"'), UnsupportedPlsLanguageException),
        (PLS.replace("uỷ ban nhân dân", "x" * 101), MaxLexemeLengthExceededException),
        (PLS + " " * 40_000, LexiconSizeExceededException),
        (_DTD, InvalidLexiconException),  # defusedxml: no entity declarations
    ],
)
def test_invalid_lexicons_are_refused(content, error):
    with pytest.raises(error):
        parse_lexicon("Hong", content, languages=["vi-VN"])


@pytest.mark.parametrize("name", ["", "a" * 21, "co-gach", "có dấu", "a b"])
def test_lexicon_names_follow_pollys_pattern(name):
    with pytest.raises(ValidationException):
        parse_lexicon(name, PLS)


def test_limits_on_lexicons_stored_and_named(service, monkeypatch):
    from nguon.speech import synthesis

    monkeypatch.setattr(synthesis, "MAX_LEXICONS_STORED", 2)
    service.put_lexicon("A", PLS, now=0)
    service.put_lexicon("B", PLS, now=0)
    service.put_lexicon("A", PLS, now=1)  # replacing one is not one more
    with pytest.raises(MaxLexiconsNumberExceededException):
        service.put_lexicon("C", PLS, now=0)
    with pytest.raises(MaxLexiconsNumberExceededException):
        SynthesisRequest.from_polly(
            {
                "Text": "a",
                "VoiceId": "Bac",
                "OutputFormat": "mp3",
                "LexiconNames": ["A", "B", "C", "D", "E", "F"],
            }
        )
