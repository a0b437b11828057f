"""A report as XLSX (openpyxl) and PDF (reportlab), both from the same :class:`Report`.

XLSX: one sheet per section (numbers as numbers, Vietnamese headings), the consolidation with
its totals row (the same numbers as the API's ``consolidation.totals``) and the narrative.
PDF: A4, the national heading, the unit's name and period, the sections as tables, the
consolidation, the narrative and the signature block, in DejaVu Sans Condensed (shipped in
``nguon/data/fonts``: Lambda has no system fonts, and the PDF's base-14 fonts have no
Vietnamese glyphs).
"""

from functools import cache
from importlib import resources
from io import BytesIO
from typing import Any

from nguon.errors import InvalidInput
from nguon.models.reports import NARRATIVE_TITLES, Report, ReportStatus

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"
FORMATS = ("xlsx", "pdf")

STATUS_NAMES = {
    ReportStatus.DRAFT: "Dự thảo",
    ReportStatus.SUBMITTED: "Đã gửi",
    ReportStatus.ACCEPTED: "Đã chấp nhận",
    ReportStatus.RETURNED: "Trả lại",
}
CONSOLIDATION_HEADINGS = {
    "bulletins_approved": "Bản tin duyệt",
    "bulletins_emergency": "Bản tin khẩn",
    "plays": "Lượt phát",
    "plays_ok": "Phát thành công",
    "play_hours": "Giờ đã phát",
    "requested_hours": "Giờ yêu cầu",
    "devices": "Thiết bị",
    "outages": "Sự cố",
    "offline_hours": "Giờ mất kết nối",
}


def render(report: Report, kind: str) -> tuple[bytes, str]:
    if kind == "xlsx":
        return to_xlsx(report), XLSX
    if kind == "pdf":
        return to_pdf(report), PDF
    raise InvalidInput("export_format", format=kind, formats=", ".join(FORMATS))


def _period(report: Report) -> str:
    return f"{report.start:%d/%m/%Y} – {report.end:%d/%m/%Y}"


def _child_status(status: ReportStatus | None) -> str:
    return STATUS_NAMES[status] if status else "Chưa có báo cáo"


# --- XLSX -------------------------------------------------------------------------------------


def to_xlsx(report: Report) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    bold = Font(bold=True)
    cover = book.active
    assert cover is not None
    cover.title = "Thông tin chung"
    for label, value in (
        ("Báo cáo", report.title),
        ("Đơn vị", f"{report.unit_name} ({report.unit})"),
        ("Kỳ báo cáo", _period(report)),
        ("Hạn nộp", f"{report.due:%d/%m/%Y}"),
        ("Trạng thái", STATUS_NAMES[report.status]),
        ("Mã báo cáo", report.id),
    ):
        cover.append([label, value])
        cover.cell(cover.max_row, 1).font = bold
    cover.column_dimensions["A"].width = 18
    cover.column_dimensions["B"].width = 70
    for section in report.sections:
        sheet = book.create_sheet(section.title[:31])
        sheet.append(["Chỉ tiêu", "Giá trị", "Đơn vị tính"])
        for cell in sheet[1]:
            cell.font = bold
        for row in section.rows:
            sheet.append([row.label, row.value, row.unit])
        sheet.column_dimensions["A"].width = 55
        sheet.column_dimensions["B"].width = 14
        sheet.column_dimensions["C"].width = 14
    if report.consolidation is not None:
        sheet = book.create_sheet("Tổng hợp cấp dưới")
        names = list(CONSOLIDATION_HEADINGS)
        sheet.append(["Mã", "Đơn vị", "Trạng thái", "Nộp muộn", *CONSOLIDATION_HEADINGS.values()])
        for cell in sheet[1]:
            cell.font = bold
        for child in report.consolidation.children:
            sheet.append(
                [
                    child.code,
                    child.name,
                    _child_status(child.status),
                    "Có" if child.late else "",
                    *[child.figures.get(name) if child.figures else None for name in names],
                ]
            )
        sheet.append(
            [
                "",
                "Tổng (báo cáo đã chấp nhận)",
                "",
                "",
                *[report.consolidation.totals[n] for n in names],
            ]
        )
        for cell in sheet[sheet.max_row]:
            cell.font = bold
        sheet.column_dimensions["B"].width = 32
    sheet = book.create_sheet("Thuyết minh")
    sheet.append(["Mục", "Nội dung"])
    for cell in sheet[1]:
        cell.font = bold
    for key, title in NARRATIVE_TITLES.items():
        sheet.append([title, getattr(report.narrative, key)])
    sheet.column_dimensions["A"].width = 32
    sheet.column_dimensions["B"].width = 100
    out = BytesIO()
    book.save(out)
    return out.getvalue()


# --- PDF --------------------------------------------------------------------------------------

FONT, FONT_BOLD = "DejaVuSansCondensed", "DejaVuSansCondensed-Bold"


@cache
def _fonts() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    folder = resources.files("nguon.data").joinpath("fonts")
    for name in (FONT, FONT_BOLD):
        with resources.as_file(folder.joinpath(f"{name}.ttf")) as path:
            pdfmetrics.registerFont(TTFont(name, str(path)))


def _number(value: float | None) -> str:
    if value is None:
        return "—"
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    return f"{value:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def to_pdf(report: Report) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        KeepTogether,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    _fonts()
    base = ParagraphStyle("base", fontName=FONT, fontSize=10, leading=13)
    bold = ParagraphStyle("bold", parent=base, fontName=FONT_BOLD)
    centre = ParagraphStyle("centre", parent=base, alignment=TA_CENTER)
    centre_bold = ParagraphStyle("centre_bold", parent=bold, alignment=TA_CENTER)
    heading = ParagraphStyle("heading", parent=centre_bold, fontSize=14, leading=18)
    grid = TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), FONT, 9),
            ("FONT", (0, 0), (-1, 0), FONT_BOLD, 9),
            ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.9, 0.9, 0.9)),
            ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ]
    )

    def text(value: str, style: ParagraphStyle = base) -> Paragraph:
        escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return Paragraph(escaped.replace("\n", "<br/>"), style)

    story: list[Any] = [
        Table(
            [
                [
                    text(report.unit_name.upper(), centre_bold),
                    text("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", centre_bold),
                ],
                [
                    text(f"Số: {report.id}", centre),
                    text("Độc lập - Tự do - Hạnh phúc", centre_bold),
                ],
            ],
            colWidths=[70 * mm, 100 * mm],
        ),
        Spacer(1, 8 * mm),
        text("BÁO CÁO", heading),
        text(report.title, centre_bold),
        text(
            f"Kỳ báo cáo: {_period(report)} · Hạn nộp: {report.due:%d/%m/%Y} · "
            f"Trạng thái: {STATUS_NAMES[report.status]}",
            centre,
        ),
        Spacer(1, 6 * mm),
    ]
    for number, section in enumerate(report.sections, start=1):
        story.append(text(f"{number}. {section.title}", bold))
        story.append(Spacer(1, 2 * mm))
        rows = [["Chỉ tiêu", "Giá trị", "Đơn vị tính"]]
        rows += [[text(r.label), _number(r.value), r.unit] for r in section.rows]
        table = Table(rows, colWidths=[110 * mm, 30 * mm, 30 * mm], repeatRows=1)
        table.setStyle(grid)
        story += [table, Spacer(1, 5 * mm)]
    if report.consolidation is not None:
        number = len(report.sections) + 1
        story.append(text(f"{number}. Tổng hợp báo cáo của đơn vị cấp dưới", bold))
        story.append(Spacer(1, 2 * mm))
        rows = [["Đơn vị", "Trạng thái", "Muộn", "Bản tin", "Lượt phát", "Giờ phát", "Thiết bị"]]
        for child in report.consolidation.children:
            figures = child.figures
            rows.append(
                [
                    text(f"{child.name} ({child.code})"),
                    text(_child_status(child.status)),
                    "Có" if child.late else "",
                    _number(figures.get("bulletins_approved")) if figures else "",
                    _number(figures.get("plays")) if figures else "",
                    _number(figures.get("play_hours")) if figures else "",
                    _number(figures.get("devices")) if figures else "",
                ]
            )
        totals = report.consolidation.totals
        rows.append(
            [
                text("Tổng (đã chấp nhận)", bold),
                "",
                "",
                _number(totals["bulletins_approved"]),
                _number(totals["plays"]),
                _number(totals["play_hours"]),
                _number(totals["devices"]),
            ]
        )
        table = Table(
            rows,
            colWidths=[50 * mm, 28 * mm, 12 * mm, 20 * mm, 20 * mm, 20 * mm, 20 * mm],
            repeatRows=1,
        )
        table.setStyle(grid)
        story += [table, Spacer(1, 5 * mm)]
    story.append(text("Thuyết minh", bold))
    for key, title in NARRATIVE_TITLES.items():
        story.append(text(title.split(" / ")[0], bold))
        story.append(text(getattr(report.narrative, key) or "(chưa nhập)"))
        story.append(Spacer(1, 2 * mm))
    # The signature block stays on one page, the place and date left to write by hand.
    story += [
        Spacer(1, 10 * mm),
        KeepTogether(
            Table(
                [
                    [text("", centre), text("…………, ngày …… tháng …… năm ……", centre)],
                    [
                        text("NGƯỜI LẬP BÁO CÁO", centre_bold),
                        text("THỦ TRƯỞNG ĐƠN VỊ", centre_bold),
                    ],
                    [
                        text("(Ký, ghi rõ họ tên)", centre),
                        text("(Ký, ghi rõ họ tên, đóng dấu)", centre),
                    ],
                    [Spacer(1, 20 * mm), Spacer(1, 20 * mm)],
                    [text(report.created_by.username, centre), text("", centre)],
                ],
                colWidths=[85 * mm, 85 * mm],
            )
        ),
    ]
    out = BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=report.title,
        author=report.unit_name,
    )
    document.build(story)
    return out.getvalue()
