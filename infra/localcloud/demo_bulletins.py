"""A week of bulletins for ``make run``, so the programme of Phường Nhơn Bình is not empty.

Written through the domain service as the demo accounts, so each has a real history: a province
health notice twice a day, a Quy Nhơn security notice at 07:00 (priority), a ward culture item
(these two also on the public portal), a ward draft waiting in the district's approval queue,
and a province flood warning for Tây Sơn tomorrow (emergency, repeated). Integration tests do
not load these; their data stays their own.
"""

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from nguon.clock import now
from nguon.models.bulletins import BulletinContent
from nguon.models.principal import Principal, Role
from nguon.services.bulletins import BulletinService
from nguon.services.units import UnitService

if TYPE_CHECKING:
    from types_boto3_cognito_idp import CognitoIdentityProviderClient


def _staff(
    cognito: "CognitoIdentityProviderClient", pool_id: str, username: str, role: Role, unit: str
) -> Principal:
    user = cognito.admin_get_user(UserPoolId=pool_id, Username=username)
    sub = next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "sub")
    return Principal(user_id=sub, username=username, roles=frozenset({role}), home_unit=unit)


def _week(times: list[str], today: date, days: int = 7) -> dict[str, Any]:
    until = today + timedelta(days=days - 1)
    return {"type": "daily", "times": times, "from": today.isoformat(), "until": until.isoformat()}


def seed_demo_bulletins(cognito: "CognitoIdentityProviderClient", pool_id: str) -> int:
    from nguon.storage.bulletins import DynamoBulletinStore
    from nguon.storage.units import DynamoUnitStore

    service = BulletinService(UnitService(DynamoUnitStore()), DynamoBulletinStore())
    staff = {
        name: _staff(cognito, pool_id, name, role, unit)
        for name, role, unit in [
            ("tinh-provider", Role.PROVIDER, "52"),
            ("tinh-editor", Role.EDITOR, "52"),
            ("tinh-approver", Role.APPROVER, "52"),
            ("huyen-editor", Role.EDITOR, "540"),
            ("huyen-approver", Role.APPROVER, "540"),
            ("xa-editor", Role.EDITOR, "21550"),
        ]
    }
    today = now().date()
    tomorrow = today + timedelta(days=1)
    approved = [
        (
            "tinh-provider",
            "tinh-approver",
            {
                "title": "Phòng chống sốt xuất huyết mùa mưa",
                "body": (
                    "Sở Y tế tỉnh Bình Định khuyến cáo người dân diệt lăng quăng, bọ gậy; đậy "
                    "kín dụng cụ chứa nước; ngủ màn kể cả ban ngày; khi sốt cao liên tục hãy đến "
                    "ngay cơ sở y tế gần nhất, không tự ý điều trị tại nhà."
                ),
                "category": "health",
                "targets": ["52"],
                "department": "Sở Y tế",
                "channels": ["speaker", "web"],  # on the public portal too
                "schedule": _week(["06:00", "17:00"], today),
            },
        ),
        (
            "huyen-editor",
            "huyen-approver",
            {
                "title": "Đảm bảo an ninh trật tự dịp cuối năm",
                "body": (
                    "Công an thành phố Quy Nhơn đề nghị người dân nâng cao cảnh giác với các "
                    "thủ đoạn lừa đảo qua điện thoại; không cung cấp mã OTP, số căn cước công "
                    "dân cho người lạ; báo ngay cho công an phường khi phát hiện vụ việc."
                ),
                "category": "security",
                "priority": "priority",
                "targets": ["540"],
                "schedule": _week(["07:00"], today, days=3),
            },
        ),
        (
            "xa-editor",
            "huyen-approver",
            {
                "title": "Đêm văn nghệ mừng Ngày hội Đại đoàn kết",
                "body": (
                    "Ủy ban nhân dân phường Nhơn Bình thông báo: đêm văn nghệ mừng Ngày hội Đại "
                    "đoàn kết toàn dân tộc diễn ra lúc 19 giờ 30 thứ Bảy tại sân Nhà văn hóa "
                    "khu vực 5. Kính mời bà con đến dự."
                ),
                "category": "culture",
                "targets": ["21550"],
                "schedule": _week(["17:00"], today),
                "channels": ["speaker", "web"],  # on the public portal too
            },
        ),
        (
            "tinh-editor",
            "tinh-approver",
            {
                "title": "Cảnh báo lũ trên sông Kôn",
                "body": (
                    "Mực nước sông Kôn tại Thạnh Hòa đang lên nhanh, có khả năng vượt báo động "
                    "hai. Người dân vùng trũng thấp huyện Tây Sơn chủ động di chuyển người, tài "
                    "sản đến nơi an toàn; không qua lại ngầm, tràn khi nước chảy xiết."
                ),
                "category": "disaster",
                "priority": "emergency",
                "targets": ["547"],
                "channels": ["speaker", "board", "web"],
                "schedule": {"type": "once", "at": f"{tomorrow.isoformat()}T09:00:00"},
                "repeat": {"count": 3, "interval_min": 10},
                "cap": {"event": "Lũ", "instruction": "Di chuyển đến nơi an toàn."},
            },
        ),
    ]
    for author, approver, fields in approved:
        bulletin = service.create(staff[author], BulletinContent.model_validate(fields))
        service.submit(staff[author], bulletin.id)
        service.approve(staff[approver], bulletin.id)
    waiting = {
        "title": "Lịch thu gom rác thải tuần tới",
        "body": (
            "Xe thu gom rác sẽ đến các khu vực vào 16 giờ hằng ngày; đề nghị bà con để rác "
            "đúng nơi quy định."
        ),
        "category": "other",
        "targets": ["21550"],
        "schedule": _week(["06:00"], tomorrow),
    }
    draft = service.create(staff["xa-editor"], BulletinContent.model_validate(waiting))
    service.submit(staff["xa-editor"], draft.id)
    return len(approved) + 1
