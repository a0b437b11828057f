"""Messages people read, in Vietnamese first and English on request.

Every domain error code has an entry here; ``tests/unit/test_i18n.py`` checks that both
languages exist for each and take the same parameters.
"""

from string import Formatter

from nguon.config import Language

MESSAGES: dict[str, dict[Language, str]] = {
    "error": {"vi": "Đã xảy ra lỗi.", "en": "An error occurred."},
    "bad_request": {
        "vi": "Yêu cầu không đọc được: {reason}",
        "en": "The request could not be read: {reason}",
    },
    "invalid_input": {"vi": "Dữ liệu không hợp lệ.", "en": "The input is not valid."},
    "validation_error": {
        "vi": "Dữ liệu không hợp lệ ở {count} trường.",
        "en": "The input is not valid in {count} field(s).",
    },
    "unauthorized": {
        "vi": "Chưa đăng nhập hoặc phiên đăng nhập đã hết hạn.",
        "en": "Not signed in, or the session has expired.",
    },
    "forbidden": {
        "vi": "Bạn không có quyền thực hiện thao tác này.",
        "en": "You are not allowed to do this.",
    },
    "role_missing": {
        "vi": "Vai trò của bạn không được phép: cần quyền {permission}.",
        "en": "Your role does not allow this: it needs {permission}.",
    },
    "out_of_scope": {
        "vi": "Đơn vị {unit} nằm ngoài phạm vi quản lý của bạn ({home_unit}).",
        "en": "Unit {unit} is outside your area ({home_unit}).",
    },
    "no_home_unit": {
        "vi": "Tài khoản chưa được gán đơn vị hành chính.",
        "en": "The account has no home administrative unit.",
    },
    "not_found": {"vi": "Không tìm thấy.", "en": "Not found."},
    "route_not_found": {
        "vi": "Không có đường dẫn {method} {path}.",
        "en": "There is no route {method} {path}.",
    },
    "unit_not_found": {
        "vi": "Không có đơn vị hành chính mã {unit}.",
        "en": "There is no administrative unit with code {unit}.",
    },
    "conflict": {
        "vi": "Dữ liệu đã bị thay đổi bởi người khác; hãy tải lại.",
        "en": "Someone else changed this; reload it.",
    },
    "cap_malformed": {
        "vi": "Bản tin CAP không hợp lệ: {reason}",
        "en": "The CAP message is not valid: {reason}",
    },
    "cap_too_large": {
        "vi": "Bản tin CAP quá lớn: tối đa {limit} byte.",
        "en": "The CAP message is too large: at most {limit} bytes.",
    },
    "cap_no_known_area": {
        "vi": "Bản tin CAP không có khu vực nào thuộc các đơn vị hành chính đã biết.",
        "en": "The CAP message names no area within the known administrative units.",
    },
    "not_an_emergency": {
        "vi": "Bản tin {bulletin} không phải bản tin khẩn cấp nên không xuất được CAP.",
        "en": "Bulletin {bulletin} is not an emergency, so it has no CAP form.",
    },
    "internal_error": {
        "vi": "Lỗi hệ thống. Vui lòng thử lại sau; mã yêu cầu: {request_id}.",
        "en": "System error. Please try again later; request id: {request_id}.",
    },
}

SUPPORTED: tuple[Language, ...] = ("vi", "en")


def negotiate(accept_language: str | None, default: Language = "vi") -> Language:
    """Pick the first supported language of an Accept-Language header, by quality."""
    if not accept_language:
        return default
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((-quality, position, tag.strip().lower()))
    for negative_quality, _, tag in sorted(ranked):
        primary = tag.split("-")[0]
        if negative_quality < 0 and primary in SUPPORTED:
            return primary  # type: ignore[return-value]  # checked against SUPPORTED
    return default


def translate(code: str, language: Language, **params: object) -> str:
    """The message for ``code`` in ``language``; unknown codes fall back to the generic one."""
    templates = MESSAGES.get(code, MESSAGES["error"])
    template = templates[language]
    wanted = {name for _, name, _, _ in Formatter().parse(template) if name}
    return template.format(**{name: params.get(name, "?") for name in wanted})
