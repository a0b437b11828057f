import ast
from functools import cache
from pathlib import Path
from string import Formatter

import pytest

from nguon.i18n import MESSAGES, negotiate, translate
from nguon.models.programme import NotPlacedReason

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("layers", "functions", "infra")

# The callables whose code people read: domain errors (and subclasses, found below) in API
# answers, media refusals on the media item, custom validation types in an answer's details,
# operator tools' one-line failures.
CODE_CARRIERS = {"NguonError", "Rejected", "PydanticCustomError", "ToolFailure"}

# Codes raised in the source that never reach a person as such, with the reason.
INTERNAL = {
    # CapAlert's own rules: parse_cap turns them into cap_malformed's {reason}.
    "cap": "layers/nguon/nguon/services/cap.py",
}
# The speech API's errors (nguon/speech/errors.py) are Amazon Polly's, by class name, for
# boto3 clients: English messages as Polly's are, never looked up here, so not scanned.


def _callee(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    return node.attr if isinstance(node, ast.Attribute) else None


def _literal(node: ast.expr | None) -> str | None:
    ok = isinstance(node, ast.Constant) and isinstance(node.value, str)
    return node.value if ok else None  # type: ignore[union-attr]


def raised_codes(roots: list[Path]) -> tuple[dict[str, str], list[str]]:
    """Every code the source can hand a person, with where; and calls whose code is hidden.

    Codes are the first argument (or ``code=``) of a call to a code carrier or any subclass of
    one defined in the source, a ``code="..."`` keyword anywhere, and each error class's
    ``default_code`` (what a bare ``Unavailable()`` answers with).
    """
    trees = {
        path.relative_to(root.parent): ast.parse(path.read_text(), str(path))
        for root in roots
        for path in sorted(root.rglob("*.py"))
    }
    classes = [node for tree in trees.values() for node in ast.walk(tree)]
    classes = [node for node in classes if isinstance(node, ast.ClassDef)]
    carriers = set(CODE_CARRIERS)
    grew = True
    while grew:  # subclasses of subclasses, in any file and any order
        found = {c.name for c in classes if any(_callee(b) in carriers for b in c.bases)}
        grew = not found <= carriers
        carriers |= found
    codes: dict[str, str] = {}
    hidden: list[str] = []
    for path, tree in trees.items():
        where = str(path)
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and node.name in carriers:
                for statement in node.body:
                    if isinstance(statement, ast.Assign) and any(
                        _callee(target) == "default_code" for target in statement.targets
                    ):
                        codes.setdefault(_literal(statement.value) or "?", where)
            if not isinstance(node, ast.Call):
                continue
            keyword = next((k.value for k in node.keywords if k.arg == "code"), None)
            code = _literal(keyword)
            if keyword is None and node.args and _callee(node.func) in carriers:
                code = _literal(node.args[0])
                if code is None:
                    hidden.append(f"{where}:{node.lineno}: {ast.unparse(node)}")
            if code is not None:
                codes.setdefault(code, f"{where}:{node.lineno}")
    return codes, hidden


@cache
def _project_codes() -> tuple[dict[str, str], list[str]]:
    return raised_codes([ROOT / source for source in SOURCES])


def _codes_people_can_get() -> dict[str, str]:
    codes = dict(_project_codes()[0])
    codes.update({reason.value: "NotPlacedReason" for reason in NotPlacedReason})
    return {code: where for code, where in codes.items() if code not in INTERNAL}


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(template) if name}


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_message_exists_in_vietnamese_and_english_with_the_same_fields(code):
    assert set(MESSAGES[code]) == {"vi", "en"}
    assert _fields(MESSAGES[code]["vi"]) == _fields(MESSAGES[code]["en"])


def test_every_code_the_code_can_raise_has_a_message():
    missing = {
        code: where for code, where in _codes_people_can_get().items() if code not in MESSAGES
    }
    assert not missing, f"codes without a Vietnamese and an English message: {missing}"


def test_the_scan_sees_the_codes_of_every_kind_of_raise():
    codes = _codes_people_can_get()
    # One of each way a code is written: positional, subclass default, media refusal,
    # code= keyword, custom validation type, programme reason, tool failure.
    for code in (
        "voice_not_found",
        "unavailable",
        "media_silent",
        "media_processing_failed",
        "windows_overlap",
        "no_room_in_windows",
        "tool_cloud_not_running",
    ):
        assert code in codes
    assert set(INTERNAL) <= set(_project_codes()[0])  # an exemption names a code still raised


def test_a_code_raised_without_a_message_is_found(tmp_path):
    (tmp_path / "errors.py").write_text(
        "class Conflict(NguonError):\n    pass\n"
        "class Sideways(errors.Conflict):\n    default_code = 'sideways_default'\n"
        "class Deeper(Sideways):\n    pass\n"
    )
    (tmp_path / "service.py").write_text(
        "def act(flag):\n"
        "    if flag:\n"
        "        raise Deeper('brand_new_code', thing=1)\n"
        "    raise Sideways()\n"
        "reason = Reason(code='brand_new_reason')\n"
        "fail = lambda code: NguonError(code)\n"
    )
    found, hidden = raised_codes([tmp_path])
    assert {"brand_new_code", "sideways_default", "brand_new_reason"} <= set(found)
    assert len(hidden) == 1
    assert "NguonError(code)" in hidden[0]


def test_every_code_is_written_where_the_scan_can_read_it():
    hidden = _project_codes()[1]
    assert not hidden, f"name the code as a literal so its message can be checked: {hidden}"


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "vi"),
        ("", "vi"),
        ("en", "en"),
        ("en-US,en;q=0.9", "en"),
        ("fr-FR, en;q=0.5", "en"),
        ("vi-VN,vi;q=0.9,en;q=0.8", "vi"),
        ("en;q=0.2, vi;q=0.8", "vi"),
        ("de", "vi"),
        ("en;q=0", "vi"),
        ("en;q=abc", "vi"),
    ],
)
def test_accept_language_negotiation(header, language):
    assert negotiate(header) == language


def test_message_keeps_diacritics_and_fills_parameters():
    assert translate("unit_not_found", "vi", unit="99") == "Không có đơn vị hành chính mã 99."


def test_unknown_code_falls_back_to_the_generic_message():
    assert translate("no_such_code", "en") == "An error occurred."


def test_missing_parameter_does_not_raise():
    assert "?" in translate("unit_not_found", "vi")
