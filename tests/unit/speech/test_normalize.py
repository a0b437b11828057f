"""Vietnamese text normalisation for TTS: each rule on its own, the map, the lexicon, the CLI,
and the sentence-level accuracy on the hand-written bulletin set ``normalize_cases.tsv``."""

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from nguon.speech import numbers
from nguon.speech.normalize import (
    Normalized,
    Span,
    load_lexicon,
    main,
    normalize,
    normalize_with_map,
)

CASES = Path(__file__).with_name("normalize_cases.tsv")
# The share of the set read exactly as written by hand. Measured: 328/328. The set was
# written knowing the rules, so that says "consistent", not "general"; its last 55 sentences
# were written after the rules and scored 51/55 on their first run (the misses were lexicon
# gaps). The floor leaves room for lexicon edits by operators and other engineers.
ACCURACY_FLOOR = 0.95


def load_cases(path: Path = CASES) -> list[tuple[str, str, str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        category, source, expected = line.split("\t")
        rows.append((category, source, expected))
    return rows


# -- numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (0, "không"),
        (5, "năm"),
        (10, "mười"),
        (11, "mười một"),
        (14, "mười bốn"),
        (15, "mười lăm"),
        (20, "hai mươi"),
        (21, "hai mươi mốt"),
        (24, "hai mươi tư"),
        (25, "hai mươi lăm"),
        (100, "một trăm"),
        (101, "một trăm linh một"),
        (104, "một trăm linh bốn"),
        (105, "một trăm linh năm"),
        (115, "một trăm mười lăm"),
        (1005, "một nghìn không trăm linh năm"),
        (1050, "một nghìn không trăm năm mươi"),
        (2025, "hai nghìn không trăm hai mươi lăm"),
        (10_000, "mười nghìn"),
        (1_000_000, "một triệu"),
        (1_000_500, "một triệu năm trăm"),
        (1_000_005, "một triệu không trăm linh năm"),
        (2_500_000, "hai triệu năm trăm nghìn"),
        (1_000_000_000, "một tỷ"),
        (1_500_000_000, "một tỷ năm trăm triệu"),
        (1_234_000_000_000, "một nghìn hai trăm ba mươi tư tỷ"),
    ],
)
def test_cardinals(value, words):
    assert numbers.read_number(value) == words


@pytest.mark.parametrize(
    ("written", "words"),
    [
        ("1.500.000", "một triệu năm trăm nghìn"),
        ("1.005", "một nghìn không trăm linh năm"),
        ("37,5", "ba mươi bảy phẩy năm"),
        ("2,05", "hai phẩy không năm"),
        ("1,25", "một phẩy hai mươi lăm"),
        ("3,125", "ba phẩy một hai năm"),
        ("0,5", "không phẩy năm"),
        ("05", "năm"),
        ("0256", "không hai năm sáu"),
        ("1.2", "một chấm hai"),
    ],
)
def test_written_numbers(written, words):
    assert numbers.read_numeral(written) == words
    assert normalize(written) == words


def test_roman_values():
    assert [numbers.roman_value(r) for r in ("I", "IV", "IX", "XIII", "XV", "XXI")] == [
        1,
        4,
        9,
        13,
        15,
        21,
    ]
    assert numbers.roman_value("IIII") is None
    assert numbers.roman_value("VX") is None
    assert numbers.roman_value("") is None


# -- rules in context ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reading"),
    [
        ("12/3/2025", "ngày mười hai tháng ba năm hai nghìn không trăm hai mươi lăm"),
        ("ngày 12-3", "ngày mười hai tháng ba"),
        ("ngày 12/3", "ngày mười hai tháng ba"),
        ("ngày 1/5", "ngày mùng một tháng năm"),
        ("ngày mùng 1", "ngày mùng một"),
        ("tháng 3/2025", "tháng ba năm hai nghìn không trăm hai mươi lăm"),
        ("tháng 4", "tháng tư"),
        ("năm 2025", "năm hai nghìn không trăm hai mươi lăm"),
        ("từ 5-7/3", "từ ngày mùng năm đến mùng bảy tháng ba"),
        ("sáng 5/3", "sáng mùng năm tháng ba"),
        ("ngày 15 và 16/9", "ngày mười lăm và mười sáu tháng chín"),
        ("ngày 5, 6 và 7/9", "ngày mùng năm, mùng sáu và mùng bảy tháng chín"),
        ("mỗi ngày 2 lần", "mỗi ngày hai lần"),
        ("12.3.2025", "ngày mười hai tháng ba năm hai nghìn không trăm hai mươi lăm"),
    ],
)
def test_dates(text, reading):
    assert normalize(text) == reading


@pytest.mark.parametrize(
    ("text", "reading"),
    [
        ("7h30", "bảy giờ ba mươi phút"),
        ("7h", "bảy giờ"),
        ("7h00", "bảy giờ"),
        ("19:00", "mười chín giờ"),
        ("7 giờ 30 phút", "bảy giờ ba mươi phút"),
        ("19h-21h", "mười chín giờ đến hai mươi mốt giờ"),
        ("7g30", "bảy giờ ba mươi phút"),
        ("500g", "năm trăm gam"),
    ],
)
def test_times(text, reading):
    assert normalize(text) == reading


@pytest.mark.parametrize(
    ("text", "reading"),
    [
        ("thứ 2", "thứ hai"),
        ("thứ 4", "thứ tư"),
        ("thứ 1", "thứ nhất"),
        ("lần thứ 3", "lần thứ ba"),
        ("lần thứ IX", "lần thứ chín"),
        ("Quý II", "Quý hai"),
        ("Chương III", "Chương ba"),
        ("Điều IV", "Điều bốn"),
        ("khóa XV", "khóa mười lăm"),
        ("thế kỷ XXI", "thế kỷ hai mươi mốt"),
        ("Đại hội XIII", "Đại hội mười ba"),
        ("Tôi nói I am", "Tôi nói I am"),
    ],
)
def test_ordinals_and_roman_numerals(text, reading):
    assert normalize(text) == reading


@pytest.mark.parametrize(
    ("text", "reading"),
    [
        ("150.000đ", "một trăm năm mươi nghìn đồng"),
        ("150.000 đồng", "một trăm năm mươi nghìn đồng"),
        ("2 triệu đồng", "hai triệu đồng"),
        ("1,5 tỷ đồng", "một phẩy năm tỷ đồng"),
        ("500.000 VNĐ", "năm trăm nghìn đồng"),
        ("500.000 VND", "năm trăm nghìn đồng"),
        ("20.000đ/kg", "hai mươi nghìn đồng một ki lô gam"),
        ("15%", "mười lăm phần trăm"),
        ("2,5%", "hai phẩy năm phần trăm"),
        ("7-10 ngày", "bảy đến mười ngày"),
        ("20-25°C", "hai mươi đến hai mươi lăm độ xê"),
        ("60 km/h", "sáu mươi ki lô mét trên giờ"),
        ("250 m²", "hai trăm năm mươi mét vuông"),
        ("250 m2", "hai trăm năm mươi mét vuông"),
        ("30 m³", "ba mươi mét khối"),
        ("5 ha", "năm héc ta"),
        ("2 l", "hai lít"),
        ("50 MW", "năm mươi mê ga oát"),
        ("65 tạ/ha", "sáu mươi lăm tạ trên héc ta"),
    ],
)
def test_money_percentages_ranges_units(text, reading):
    assert normalize(text) == reading


@pytest.mark.parametrize(
    ("text", "reading"),
    [
        ("0912.345.678", "không chín một hai, ba bốn năm, sáu bảy tám"),
        ("0256 3822 123", "không hai năm sáu, ba tám hai hai, một hai ba"),
        ("0905-123-456", "không chín không năm, một hai ba, bốn năm sáu"),
        ("02563.822.123", "không hai năm sáu ba, tám hai hai, một hai ba"),
        ("1900 1234", "một chín không không, một hai ba bốn"),
        ("hotline 113", "hót lai một một ba"),
        ("gọi 115", "gọi một một năm"),
        ("có 115 hộ", "có một trăm mười lăm hộ"),
    ],
)
def test_phone_numbers(text, reading):
    assert normalize(text) == reading


@pytest.mark.parametrize(
    ("text", "reading"),
    [
        (
            "Quyết định số 1381/QĐ-BTTTT",
            "Quyết định số một nghìn ba trăm tám mươi mốt trên quyết định bộ thông tin và"
            " truyền thông",
        ),
        (
            "Nghị định 13/2023/NĐ-CP",
            "Nghị định mười ba trên hai nghìn không trăm hai mươi ba trên nghị định chính phủ",
        ),
        ("Công văn số 45/UBND-VX", "Công văn số bốn mươi lăm trên ủy ban nhân dân văn xã"),
    ],
)
def test_document_numbers(text, reading):
    assert normalize(text) == reading


@pytest.mark.parametrize(
    ("text", "reading"),
    [
        ("UBND", "ủy ban nhân dân"),
        ("TP. Quy Nhơn", "thành phố Quy Nhơn"),
        ("tại TP.", "tại thành phố."),
        ("Sở TT&TT", "Sở thông tin và truyền thông"),
        ("NN&PTNT", "nông nghiệp và phát triển nông thôn"),
        ("KT-XH", "kinh tế xã hội"),
        ("QĐ-UBND", "quyết định ủy ban nhân dân"),
        ("COVID-19", "cô vít mười chín"),
        ("WHO", "vê kép hát ô"),
        ("XYZ", "ích i dét"),
        ("THÔNG BÁO", "thông báo"),
        ("khu B", "khu bê"),
        ("khu A", "khu A"),
        ("Hoài Nhơn-Bình Định", "Hoài Nhơn-Bình Định"),
        ("A & B", "A và bê"),
        ("Km 12+500", "ki lô mét mười hai cộng năm trăm"),
    ],
)
def test_abbreviations_acronyms_symbols(text, reading):
    assert normalize(text) == reading


@pytest.mark.parametrize(
    ("text", "reading"),
    [
        ("ubnd@binhdinh.gov.vn", "ubnd a còng binhdinh chấm gốp chấm vê en"),
        (
            "https://binhdinh.gov.vn/tin-tuc.",
            "binhdinh chấm gốp chấm vê en gạch chéo tin gạch ngang tuc.",
        ),
        ("tỷ lệ 1:500", "tỷ lệ một trên năm trăm"),
        ("nhiệt độ -2°C", "nhiệt độ âm hai độ xê"),
        ("2.3 triệu người", "hai phẩy ba triệu người"),
        ("cách mạng 4.0", "cách mạng bốn chấm không"),
        ("2 lần/tuần", "hai lần một tuần"),
        ("0,5%/tháng", "không phẩy năm phần trăm một tháng"),
        ("số nhà 25/7", "số nhà hai mươi lăm trên bảy"),
        ("đạt 17/19 tiêu chí", "đạt mười bảy trên mười chín tiêu chí"),
        ("1/3 diện tích", "một phần ba diện tích"),
        ("Công văn 12/SYT-NVY", "Công văn mười hai trên sở y tế nghiệp vụ y"),
        ("tin VUI", "tin vê u i"),
        ("TIN VUI", "tin vui"),
        ("RON 95-III", "rờ o nờ chín mươi lăm i i i"),
    ],
)
def test_addresses_scales_signs_and_other_slashes(text, reading):
    assert normalize(text) == reading


def test_whitespace_punctuation_and_line_breaks():
    assert normalize("  Bão   số 3 ,  bà con\tchú ý!  ") == "Bão số ba, bà con chú ý!"
    assert normalize("Mưa to... Bà con chú ý?") == "Mưa to... Bà con chú ý?"
    assert normalize("THÔNG BÁO\nLịch cắt điện") == "thông báo. Lịch cắt điện"
    assert normalize("Lịch cắt điện:\nThôn 1") == "Lịch cắt điện: Thôn một"
    assert normalize("") == ""


def test_input_is_nfc_normalised_and_diacritics_kept():
    decomposed = "Nga\u0300y 12/3, ho\u0323p"  # "Ngày 12/3, họp" with combining marks
    assert normalize(decomposed) == "Ngày mười hai tháng ba, họp"
    assert normalize("\u00d0T 638") == "đường tỉnh sáu trăm ba mươi tám"  # eth for Đ


# -- the map ---------------------------------------------------------------------------------


def test_map_of_a_number_points_back_to_its_token():
    text = "Hỗ trợ 1.500.000 đồng cho 21 hộ."
    result = normalize_with_map(text)
    assert isinstance(result, Normalized)
    spoken = "một triệu năm trăm nghìn"
    start = result.text.index(spoken)
    assert result.source_range(start, start + len(spoken)) == (7, 16)
    assert text[slice(*result.source_range(start, start + len(spoken)))] == "1.500.000"
    start = result.text.index("hai mươi mốt")
    source = result.source_range(start, start + len("hai mươi mốt"))
    assert text[slice(*source)] == "21"
    word = result.text.index("mươi", start)
    assert text[slice(*result.source_range(word, word + 5))] == "21"


def test_untouched_words_map_one_to_one_and_spans_are_ordered():
    text = "Bà con  xã Nhơn Lộc, UBND thông báo."
    result = normalize_with_map(text)
    for span in result.spans:
        out = result.text[span.output_start : span.output_end]
        src = text[span.source_start : span.source_end]
        if src in ("Bà", "con", "xã", "Nhơn", "Lộc", ",", "thông", "báo", "."):
            assert out == src
    starts = [span.output_start for span in result.spans]
    assert starts == sorted(starts)
    assert all(isinstance(span, Span) for span in result.spans)
    whole = result.source_range(0, len(result.text))
    assert whole == (0, len(text))
    ubnd = result.text.index("ủy ban nhân dân")
    assert text[slice(*result.source_range(ubnd, ubnd + len("ủy ban nhân dân")))] == "UBND"


def test_map_with_decomposed_input_uses_original_offsets():
    text = "Nga\u0300y 5/3"
    result = normalize_with_map(text)
    start = result.text.index("mùng năm")
    assert text[slice(*result.source_range(start, start + 8))] == "5"
    assert text[slice(*result.source_range(0, 4))] == "Nga\u0300y"


def test_source_range_between_tokens_is_empty():
    result = normalize_with_map("bảy ngày")
    assert result.source_range(3, 4) == (4, 4)
    assert normalize_with_map("").source_range(0, 0) == (0, 0)


# -- lexicon ---------------------------------------------------------------------------------


def test_lexicon_file_has_the_common_administrative_abbreviations():
    lexicon = load_lexicon()
    assert len(lexicon) >= 80
    for key in ("UBND", "HĐND", "MTTQ", "BHYT", "BHXH", "CCCD", "CMND", "TP.", "TX.", "TT.",
                "P.", "Q.", "THCS", "THPT", "PCCC", "ATGT", "CSGT", "CA", "BCĐ", "BCH", "PCTT",
                "TKCN", "KT-XH", "CNTT", "GD-ĐT", "NN&PTNT", "TN&MT", "BTTTT", "QĐ", "NĐ-CP",
                "TT-BTTTT", "TT&TT"):  # fmt: skip
        assert key in lexicon, key
    lexicon["UBND"] = "changed"  # a copy: the cache is not touched
    assert load_lexicon()["UBND"] == "ủy ban nhân dân"


def test_caller_lexicon_overrides_and_extends_the_file():
    assert normalize("UBND xã", {"UBND": "u bê en đê"}) == "u bê en đê xã"
    assert normalize("Gặp ông Ba ở NVH thôn", {"NVH": "nhà văn hóa"}) == (
        "Gặp ông Ba ở nhà văn hóa thôn"
    )
    assert normalize("Phù Cát", {"Phù Cát": "phù cát huyện"}) == "phù cát huyện"
    # The caller's shorter entry does not hide a longer one of the file.
    assert normalize("Sở TT&TT", {"TT": "tê tê"}) == "Sở thông tin và truyền thông"
    assert normalize("mạng 5G", {"5G": "năm gê"}) == "mạng năm gê"  # entries may start with digits
    assert normalize("A+", {"A+": "a cộng"}) == "a cộng"
    assert normalize("UBND") == "ủy ban nhân dân"  # nothing leaks between calls


def test_lexicon_file_errors_name_the_line(tmp_path):
    bad = tmp_path / "bad.tsv"
    bad.write_text("# comment\nUBND ủy ban\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.tsv:2"):
        load_lexicon(bad)


# -- properties ------------------------------------------------------------------------------


def test_readings_contain_no_digits_and_are_stable():
    for _, source, _ in load_cases():
        once = normalize(source)
        assert not any(char.isdigit() for char in once), (source, once)
        assert normalize(once) == once, (source, once)
        assert normalize_with_map(source).text == once


def test_thread_safety():
    cases = load_cases()[:60]
    expected = [normalize(source) for _, source, _ in cases]
    results: list[list[str]] = []

    def work():
        results.append([normalize(source) for _, source, _ in cases])

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [expected] * 4


# -- CLI -------------------------------------------------------------------------------------


def test_cli_argument_stdin_and_lexicon(tmp_path, capsys, monkeypatch):
    assert main(["Ngày 12/3/2025,", "UBND", "tỉnh"]) == 0
    assert capsys.readouterr().out == (
        "Ngày mười hai tháng ba năm hai nghìn không trăm hai mươi lăm, ủy ban nhân dân tỉnh\n"
    )
    extra = tmp_path / "extra.tsv"
    extra.write_text("# ours\nNVH\tnhà văn hóa\n", encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", __import__("io").StringIO("Họp ở NVH lúc 7h"))
    assert main(["--lexicon", str(extra)]) == 0
    assert capsys.readouterr().out == "Họp ở nhà văn hóa lúc bảy giờ\n"


def test_cli_as_a_module():
    done = subprocess.run(
        [sys.executable, "-m", "nguon.speech.normalize", "thứ 4, 15%"],
        capture_output=True,
        text=True,
        check=True,
        encoding="utf-8",
    )
    assert done.stdout == "thứ tư, mười lăm phần trăm\n"


# -- the bulletin set ------------------------------------------------------------------------


def test_case_file_covers_every_category():
    cases = load_cases()
    assert len(cases) >= 170
    categories = {category for category, _, _ in cases}
    assert {"date", "time", "number", "decimal", "money", "percent", "range", "unit", "phone",
            "ordinal", "roman", "document", "abbreviation", "acronym"} <= categories  # fmt: skip


def test_sentence_accuracy_on_the_bulletin_set():
    cases = load_cases()
    failures = [
        (category, source, expected, got)
        for category, source, expected in cases
        if (got := normalize(source)) != expected
    ]
    accuracy = 1 - len(failures) / len(cases)
    report = "\n".join(
        f"[{category}] {source}\n  expected: {expected}\n  got:      {got}"
        for category, source, expected, got in failures
    )
    print(f"exact sentences: {len(cases) - len(failures)}/{len(cases)} = {accuracy:.3f}")
    print(report)
    assert accuracy >= ACCURACY_FLOOR, report
